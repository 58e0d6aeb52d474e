"""Middleware of operations: the request id, the health probes, and private caching of staff pages."""

import logging

from django.utils.cache import patch_vary_headers

from .context import new_request_id, request_id_var, user_id_var

logger = logging.getLogger("wuding.ops")

REQUEST_ID_HEADER = "X-Request-ID"
# Paths whose every response is a staff page (or the way to one); other paths are private when signed in.
STAFF_PREFIXES = ("/staff/", "/admin/", "/accounts/", "/ops/")


class RequestIdMiddleware:
    """First in the chain: every request gets an id (the proxy's, when it sent a well-formed one), every log
    line of the request carries it, the response says it (X-Request-ID) and a failure page shows it as the
    reference number (参考编号) staff quote to the administrator."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = new_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        id_token = request_id_var.set(request.request_id)
        user_token = user_id_var.set("")
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
            user_id_var.reset(user_token)
        response[REQUEST_ID_HEADER] = request.request_id
        return response


class UserIdLogMiddleware:
    """After authentication: log lines name the signed-in user by id (never by name: no personal data)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            user_id_var.set(str(user.pk))
        return self.get_response(request)


class StaffNoStoreMiddleware:
    """`Cache-Control: private, no-store` on every staff response: staff pages show parties' names, ID
    numbers, addresses and case facts, which no shared cache or browser history may keep. A response is a
    staff one when its path is a staff path or the user is signed in (a signed-in page may carry the staff
    header even on a public path)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith(STAFF_PREFIXES):
            response["Cache-Control"] = "private, no-store"
            # Vary on Cookie so that no cache answers a signed-in request with a public copy or vice versa.
            patch_vary_headers(response, ["Cookie"])
        return response
