from django.core.exceptions import PermissionDenied

from .api import record, reset_current_request, set_current_request
from .models import Outcome


class AuditRequestMiddleware:
    """Makes the request available to `record()` (actor, IP) and logs every PermissionDenied."""

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
            record(
                "auth.permission_denied",
                outcome=Outcome.DENIED,
                request=request,
                detail={"path": request.path, "method": request.method},
            )
        return None
