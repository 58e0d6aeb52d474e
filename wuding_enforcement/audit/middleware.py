import logging

from django.core.exceptions import PermissionDenied

from wuding_enforcement.shared.refusals import Hidden

from .api import record, reset_current_request, set_current_request
from .models import Outcome

logger = logging.getLogger("wuding.refusals")


class AuditRequestMiddleware:
    """Makes the request available to `record()` (actor, IP) and audits every refusal of access: each
    PermissionDenied (a page the role may not open) and each `Hidden` (an object that exists but is not the
    user's to see, answered as a 404). This is the one place refusals of access are audited
    (wuding_enforcement/shared/refusals.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = set_current_request(request)
        try:
            return self.get_response(request)
        finally:
            reset_current_request(token)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied):
            logger.warning("permission denied: %s %s", request.method, request.path)
            record(
                "auth.permission_denied",
                outcome=Outcome.DENIED,
                request=request,
                detail={"path": request.path, "method": request.method},
            )
        elif isinstance(exception, Hidden):
            logger.warning("hidden object refused: %s %s (%s)", request.method, request.path, exception.what)
            record(
                exception.action,
                outcome=Outcome.DENIED,
                request=request,
                object_repr=exception.what,
                detail={"path": request.path, "method": request.method, **exception.detail},
            )
        return None
