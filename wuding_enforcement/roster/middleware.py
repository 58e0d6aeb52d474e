"""Account security on every staff request: idle and absolute session timeouts, the forced password change,
and two-factor authentication for the roles that require it."""

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse

# Paths a signed-in user may reach while a password change or OTP step is pending.
_EXEMPT_PREFIXES = ("/accounts/", "/static/")


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            session = request.session
            started = session.get("login_at", now)
            last = session.get("last_seen", now)
            if now - last > settings.SESSION_IDLE_TIMEOUT or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                messages.info(request, "您已长时间未操作，为保障安全已自动退出，请重新登录。")
                return redirect(f"{reverse('roster:login')}?next={request.path}")
            session["login_at"] = started
            session["last_seen"] = now
            if not request.path.startswith(_EXEMPT_PREFIXES):
                if user.must_change_password:
                    return redirect("roster:password_change")
                if user.has_role(*settings.OTP_REQUIRED_ROLES) and not user.is_verified():
                    return redirect(f"{reverse('roster:otp_verify')}?next={request.path}")
        return self.get_response(request)
