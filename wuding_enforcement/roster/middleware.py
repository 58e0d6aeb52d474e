"""Account security on every request of a signed-in user: idle and absolute session timeouts, the forced
password change, and two-factor authentication for the roles that require it."""

import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse

from wuding_enforcement.audit.api import record

from .otp import otp_required

logger = logging.getLogger("wuding.roster")

# The sign-in, password and two-factor pages themselves, and static files, stay reachable while a password
# change or the two-factor step is pending (or nobody could complete them).
_ACCOUNT_PREFIX = "/accounts/"
# The activity stamp (session["last_seen"]) is written back at most once a minute: writing it on every request
# cost every staff page a session UPDATE (savepoint, update, release) and serialised a user's parallel requests
# on the session row. The idle clock reads the stamp, so a user may be signed out up to this many seconds
# before SESSION_IDLE_TIMEOUT of true idleness, never after it.
LAST_SEEN_STEP = 60
# Read by the login page to tell the user why they were signed out (the message framework is not yet
# installed on the request at this point of the middleware chain).
SIGNED_OUT_REASON_KEY = "signed_out_reason"


def _with_next(url_name: str, request) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': request.get_full_path()})}"


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)

        session = request.session
        now = int(time.time())
        login_at = session.get("login_at", now)
        last_seen = session.get("last_seen", now)
        reason = None
        if now - login_at > settings.SESSION_COOKIE_AGE:
            reason = "absolute"
        elif now - last_seen > settings.SESSION_IDLE_TIMEOUT:
            reason = "idle"
        if reason is not None:
            logger.info("session of %s expired (%s)", user.username, reason)
            record("auth.session_expired", actor=user, obj=user, request=request, detail={"reason": reason})
            logout(request)
            # logout() flushed the old session; this flag lives in the new, anonymous one.
            request.session[SIGNED_OUT_REASON_KEY] = reason
            return redirect(_with_next("roster:login", request))
        if "login_at" not in session:
            session["login_at"] = login_at
        if "last_seen" not in session or now - last_seen >= LAST_SEEN_STEP:
            session["last_seen"] = now

        if request.path.startswith((_ACCOUNT_PREFIX, settings.STATIC_URL)):
            return self.get_response(request)
        # Two-factor first: the second factor proves who is at the keyboard before anything else happens.
        if otp_required(user, session) and not user.is_verified():
            return redirect(_with_next("roster:otp_verify", request))
        if user.must_change_password:
            return redirect(_with_next("roster:password_change", request))
        return self.get_response(request)
