"""The one way a stored file leaves the portal (docs/architecture.md, "Files").

The caller first fetches the object through its permission-scoped getter (`get_case_for_user` and friends),
so anyone who may not see it has already had a 404. `send_stored_file` then:

- checks the file against the SHA-256 recorded when it was stored, on every request, where the caller passes
  one (issued documents, signed scans, case files, notices, exports: 电子签名法 第十四条 — later changes must be
  detectable). A file up to IN_MEMORY bytes (a document, a notice) is read once, hashed and sent from that
  read; a larger one (a case file) is hashed over 1 MB chunks and then streamed, so memory stays bounded. Large
  audio-video is not re-hashed per request (it is checked at ingest, nightly and on export); its caller passes
  no hash;
- refuses an altered or missing file with `FileAltered` (a Refused: the view shows its message), audited as
  `<namespace>.integrity_failed` (recording.document.downloaded -> recording.document.integrity_failed) and
  logged as an error;
- audits the download (`action`) and answers privately: `Cache-Control: private, no-store`, nosniff, and a
  filename that survives Chinese characters;
- with `ranges=True` (playback of audio-video, never with a hash) answers HTTP Range requests (RFC 9110:
  206 with Content-Range for one range, 416 past the end, the whole file otherwise; `shared/ranges.py`).
  A player makes many range requests for one playback, so such a caller may pass `audited=False` and audit
  the playback itself once (recording's evidence views do, once per playback window).

A file that is missing is refused the same way (`FileAltered`, "缺失") whether or not a hash was passed.

On an object store (settings.OBJECT_STORE, shared/objectstore.py) a file too large to be sent from memory is
handed to the store after the same checks and audit: a 302 to a short-lived signed URL, or X-Accel-Redirect
for nginx to fetch it on the internal address; the store answers Range requests itself.
"""

import hashlib
import logging

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.http import content_disposition_header

from wuding_enforcement.shared import objectstore
from wuding_enforcement.shared.ranges import RangeNotSatisfiable, iter_range, parse_range
from wuding_enforcement.shared.refusals import Refused, mark_audited

from .api import record
from .models import Outcome

logger = logging.getLogger("wuding.files")
CHUNK = 1024 * 1024
IN_MEMORY = 4 * 1024 * 1024


class FileAltered(Refused):
    """A stored file is missing or no longer matches its recorded SHA-256. `actual` is the hash found ("" for
    a missing file), for a caller that reports the problem further (recording's integrity alert)."""

    def __init__(self, message: str, *, actual: str = ""):
        super().__init__(message)
        self.actual = actual


def file_sha256(file_field) -> str:
    """SHA-256 of a stored file, read in chunks; "" when the file is missing or unreadable."""
    if objectstore.on_store(file_field):
        return objectstore.sha256(file_field.name)  # streamed: no whole-object temporary download
    digest = hashlib.sha256()
    try:
        with file_field.open("rb") as handle:
            for chunk in iter(lambda: handle.read(CHUNK), b""):
                digest.update(chunk)
    except (FileNotFoundError, ValueError, OSError) as exc:
        logger.error("stored file unreadable: %s (%s)", getattr(file_field, "name", file_field), exc)
        return ""
    return digest.hexdigest()


def private(response):
    """Headers of every response that carries a stored file or personal data."""
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def send_stored_file(
    request,
    file_field,
    *,
    filename: str,
    content_type: str,
    action: str,
    obj=None,
    what: str = "文件",
    detail: dict | None = None,
    expected_sha256: str | None = None,
    inline: bool = False,
    ranges: bool = False,
    audited: bool = True,
):
    detail = dict(detail or {})
    content = None
    if expected_sha256 is not None:
        if ranges:
            raise ValueError("a hash-checked file is sent whole: ranges=True needs expected_sha256=None")
        content = _small_file(file_field)
        if content is not None:
            actual = hashlib.sha256(content).hexdigest()
        else:
            actual = file_sha256(file_field) if file_field else ""
        if actual != expected_sha256:
            _refuse(request, file_field, action, obj, what, detail, expected_sha256, actual)
        detail["sha256"] = actual
    if content is None:
        try:
            size = file_field.size  # also: is it there at all?
        except (FileNotFoundError, ValueError, OSError) as exc:
            logger.error("stored file unreadable: %s (%s)", getattr(file_field, "name", file_field), exc)
            _refuse(request, file_field, action, obj, what, detail, expected_sha256 or "", "")
    if audited:
        record(action, obj=obj, request=request, detail={**detail, "what": what})
    disposition = content_disposition_header(not inline, filename) or ""
    response: HttpResponse | StreamingHttpResponse
    if content is None and objectstore.on_store(file_field):
        # Checked, audited: the store sends the bytes (Range included) on a short-lived signed URL.
        response = objectstore.serve(
            file_field.name, filename=filename, content_type=content_type, inline=inline
        )
    elif content is not None:
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = disposition
    elif ranges:
        response = _ranged(request, lambda: file_field.open("rb"), size, content_type)
        response["Content-Disposition"] = disposition
    else:
        response = FileResponse(
            file_field.open("rb"), as_attachment=not inline, filename=filename, content_type=content_type
        )
    return private(response)


def _refuse(request, file_field, action, obj, what, detail, expected, actual):
    problem = "缺失" if not actual else "与保存时的 SHA-256 不一致"
    logger.error(
        "integrity failed on download: %s %s expected %s actual %s",
        what,
        getattr(file_field, "name", ""),
        expected or "-",
        actual or "missing",
    )
    record(
        action.rsplit(".", 1)[0] + ".integrity_failed",
        obj=obj,
        outcome=Outcome.FAILURE,
        request=request,
        detail={**detail, "what": what, "expected": expected, "actual": actual},
    )
    # On record above: the handler that shows it writes no second row.
    raise mark_audited(
        FileAltered(
            f"{what}完整性校验失败（文件{problem}），已记录并停止下载，请联系档案管理员。", actual=actual
        )
    )


def _ranged(request, opener, size: int, content_type: str):
    """The whole file or the one range asked for, streamed in blocks (constant memory); 416 past the end."""
    response: HttpResponse | StreamingHttpResponse
    try:
        byte_range = parse_range(request.headers.get("Range"), size)
    except RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    else:
        if byte_range is None:
            response = StreamingHttpResponse(iter_range(opener), content_type=content_type)
            response["Content-Length"] = str(size)
        else:
            start, end = byte_range
            response = StreamingHttpResponse(
                iter_range(opener, start, end - start + 1), content_type=content_type, status=206
            )
            response["Content-Range"] = f"bytes {start}-{end}/{size}"
            response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _small_file(file_field) -> bytes | None:
    """The whole file when it is at most IN_MEMORY bytes, else None (also when it is missing)."""
    try:
        if not file_field or file_field.size > IN_MEMORY:
            return None
        with file_field.open("rb") as handle:
            return handle.read()
    except (FileNotFoundError, ValueError, OSError):
        return None
