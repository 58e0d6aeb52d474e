"""JSON log lines on stdout: one object per line, with the request id and the user id, never personal data.

Every message and exception text passes through `mask_personal` (ID and mobile numbers masked, next to
Chinese text too). Log shipping (journald, Docker's json-file driver, Loki, ELK ...) reads stdout; README
"运维" says how long the lines are kept (网络安全法 第二十一条: at least six months).
"""

import json
import logging
import time

from wuding_enforcement.audit.masking import mask_personal

from .context import request_id_var, user_id_var


class RequestContextFilter(logging.Filter):
    """Adds request_id and user_id to every record (empty outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = request_id_var.get()
        if not getattr(record, "user_id", ""):
            record.user_id = user_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(record.created))
            + f".{int(record.msecs):03d}"
            + time.strftime("%z", time.localtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "message": mask_personal(record.getMessage()),
            "request_id": getattr(record, "request_id", "") or request_id_var.get(),
            "user_id": getattr(record, "user_id", "") or user_id_var.get(),
        }
        status = getattr(record, "status_code", None)
        if status is not None:
            payload["status"] = status
        if record.exc_info:
            payload["exception"] = mask_personal(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The development format: readable, still masked, still with the request id."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = request_id_var.get()
        return mask_personal(super().format(record))


class OncePerIntervalFilter(logging.Filter):
    """Lets the same message through once per interval per process (an outage logs once a minute, not once per
    request), and shortens the traceback of the repeats it lets through to the exception line."""

    def __init__(self, seconds: int = 60):
        super().__init__()
        self.seconds = seconds
        self._last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = time.monotonic()
        last = self._last.get(key)
        if last is not None and now - last < self.seconds:
            return False
        self._last[key] = now
        if record.exc_info and record.exc_info[1] is not None:
            error = record.exc_info[1]
            cause = error.__cause__ or error
            record.msg = f"{record.msg}: {type(cause).__name__}: {cause}"
            record.exc_info = None
        return True
