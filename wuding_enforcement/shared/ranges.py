"""HTTP byte ranges (RFC 9110 section 14): the one Range parser and block reader of the portal, used by
`audit/files.py` `send_stored_file` so that playback of audio-video can seek without a second serving path.
Only a single range is served; several ranges get the whole file, which RFC 9110 allows."""

import re

# Block size of streaming reads: large enough for throughput, small enough for constant memory.
IO_BLOCK = 1024 * 1024


class RangeNotSatisfiable(Exception):
    """The range lies wholly past the end of the file (answered 416)."""


_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$", re.I)


def parse_range(header: str | None, size: int) -> tuple[int, int] | None:
    """One byte range (RFC 9110 section 14.1.2) as (first, last) inclusive; None to send the whole file (no
    header, or one we do not serve, such as several ranges). Raises RangeNotSatisfiable for a range wholly
    past the end."""
    if not header:
        return None
    match = _RANGE.match(header)
    if not match:
        return None
    first, last = match.group(1), match.group(2)
    if first == "" and last == "":
        return None
    if first == "":
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:
        return None
    if start >= size:
        raise RangeNotSatisfiable
    return start, min(end, size - 1)


class iter_range:  # noqa: N801 - used like the generator function it replaces
    """The bytes of a file from `start`, `length` of them (all by default), in IO_BLOCK pieces. `opener` opens
    the file in binary mode when the first byte is wanted (a response nobody reads opens nothing); close(),
    which the response calls when it is done, closes it."""

    def __init__(self, opener, start: int = 0, length: int | None = None):
        self.opener, self.start, self.length = opener, start, length
        self.handle = None

    def __iter__(self):
        self.handle = self.opener()
        self.handle.seek(self.start)
        remaining = self.length
        while remaining is None or remaining > 0:
            block = self.handle.read(IO_BLOCK if remaining is None else min(IO_BLOCK, remaining))
            if not block:
                break
            if remaining is not None:
                remaining -= len(block)
            yield block

    def close(self):
        if self.handle is not None:
            self.handle.close()
