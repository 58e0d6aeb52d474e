"""The failure pages: Chinese, with the request id as the reference number, and the right status.

Django calls `server_error` (handler500) for any uncaught exception, wherever it was raised (a view or a
middleware), while the exception is still being handled, so the cause is known here:

- the database cannot be reached or refuses work → 503 (数据库暂时不可用), with Retry-After;
- a broker or Redis connection error that escaped → 503 as well;
- the disk is full (OSError ENOSPC / EDQUOT anywhere in the chain of causes) → 507 (存储空间不足);
- anything else → 500.

The pages are rendered without the request's context processors and without the database (which may be the
very thing that failed): never a blank English "Server Error (500)".
"""

import errno
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template import loader

from .context import request_id_var

logger = logging.getLogger("wuding.errors")

_DISK_FULL = {errno.ENOSPC, errno.EDQUOT}


def _causes(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _is_service_outage(exc) -> bool:
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    try:
        from kombu.exceptions import OperationalError as BrokerError
        from redis.exceptions import ConnectionError as RedisConnectionError
    except ImportError:  # pragma: no cover - both are dependencies; kept for a slimmed deployment
        return False
    return isinstance(exc, BrokerError | RedisConnectionError)


def classify(exc) -> int:
    """The status of the failure page for an exception: 507 disk full, 503 a service down, else 500."""
    for cause in _causes(exc):
        if isinstance(cause, OSError) and cause.errno in _DISK_FULL:
            return 507
    for cause in _causes(exc):
        # Only "cannot reach / cannot work" errors: an IntegrityError or DataError is a bug or bad data (500).
        if _is_service_outage(cause):
            return 503
    return 500


def failure_response(status: int, request=None) -> HttpResponse:
    reference = getattr(request, "request_id", "") or request_id_var.get()
    html = loader.get_template(f"{status}.html").render({"reference": reference})
    response = HttpResponse(html, status=status, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    if status == 503:
        response["Retry-After"] = "60"
    return response


def server_error(request, *args, **kwargs):
    exc = sys.exc_info()[1]
    status = classify(exc)
    if status != 500:
        logger.error("failure page %s for %s %s: %s", status, request.method, request.path, exc)
    return failure_response(status, request)
