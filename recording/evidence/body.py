"""The body of an upload chunk, read straight from gunicorn's socket.

A chunk's bytes cross the worker once: from the socket into the partial file and the running hash. Read
through `request.read()`, gunicorn's `Body` and `LengthReader` pass every block through three in-memory
buffers (`io.BytesIO` written, `getvalue()`, sliced, and the rest written back): measured on this machine
~0.95 CPU-seconds per GB of body before a byte was written or hashed, as much as the SHA-256 itself, against
~0.12 for `recv()` on the socket. So, under gunicorn and for a body of known length (Content-Length, not
chunked), `chunk_stream` hands out a reader of the socket itself: first the bytes gunicorn has already taken
from the socket (its buffers), then `recv()` for the rest — never a byte past the body (the next request on
a kept-alive connection stays where gunicorn expects it), and gunicorn's own count of what is left of the
body kept current, so that it drains or closes as it would have. Anything else (another server, the test
client, a chunked body, a body Django has started to read) gets the request itself: `request.read()` in
bounded blocks. Neither path spools to a temporary file (no `request.body`, no `request.FILES`).
"""

import logging

logger = logging.getLogger("wuding.recording")


class SocketBody:
    """`read(n)` of the rest of a request body from gunicorn's socket: at most `n` bytes, b"" at its end.
    A read may return fewer bytes than asked (what one `recv` brought), like a raw socket."""

    def __init__(self, sock, body, buffered: bytes):
        self.sock = sock
        # gunicorn's Body, and its LengthReader, whose `length` is what is left of the body on the socket.
        self.body = body
        self.reader = body.reader
        self.buffered = buffered

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0:
            n = len(self.buffered) + self.reader.length
        if n == 0:
            return b""
        if self.buffered:
            block, self.buffered = self.buffered[:n], self.buffered[n:]
            return block
        left = self.reader.length
        if left <= 0:
            return b""
        try:
            block = self.sock.recv(min(n, left))
        except OSError:
            # Where the connection stands is unknown now: gunicorn must not reuse it.
            self._mark_failed()
            raise
        if not block:
            self._mark_failed()
        self.reader.length = left - len(block)
        return block

    def _mark_failed(self) -> None:
        self.body.failed = True


def chunk_stream(request, length: int | None):
    """What `append_chunk` reads the chunk from: gunicorn's socket directly where that is safe, else the
    request (see the module's docstring)."""
    if length is None:
        return request
    meta = request.META
    sock = meta.get("gunicorn.socket")
    body = meta.get("wsgi.input")
    if sock is None or body is None or getattr(request, "_read_started", False):
        return request
    try:
        from gunicorn.http.body import Body, LengthReader
    except ImportError:  # pragma: no cover - gunicorn is a dependency; another server passes no socket
        return request
    if type(body) is not Body or type(body.reader) is not LengthReader:
        return request
    if not all(hasattr(body.reader.unreader, name) for name in ("take_buffered", "unread")):
        return request  # another gunicorn than the locked one: its internals are not ours to guess
    reader = body.reader
    # The body gunicorn has received already: its Body's buffer (handed out by the reader, not yet read by
    # anyone), then the unreader's (received, not yet counted off the reader's length). The unreader may
    # hold bytes past the body (a pipelined next request): those go back.
    head = body.buf.getvalue()
    if len(head) + reader.length != length:
        # Content-Length and gunicorn disagree (cannot happen with one header): the ordinary path decides.
        return request
    body.buf.seek(0)
    body.buf.truncate()
    held = reader.unreader.take_buffered()
    mine, rest = held[: reader.length], held[reader.length :]
    if rest:
        reader.unreader.unread(rest)
    reader.length -= len(mine)
    stream = SocketBody(sock, body, head + mine)
    # Django's own stream must not read what we read (nothing reads the request after the view anyway).
    request._read_started = True
    return stream
