"""Sign-in, sign-out, password change and TOTP two-factor for staff."""

import base64
import logging

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import devices_for_user
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from wuding_enforcement.audit.api import mask_id_number, record
from wuding_enforcement.audit.models import Outcome

from .forms import LoginForm, OTPTokenForm, StaffPasswordChangeForm
from .middleware import SIGNED_OUT_REASON_KEY
from .otp import otp_required
from .receivers import remember_session

logger = logging.getLogger("wuding.roster")


def _signed_out_message(reason) -> str:
    if reason == "idle":
        return (
            f"您已超过 {settings.SESSION_IDLE_TIMEOUT // 60} 分钟未操作，为保障安全已自动退出，请重新登录。"
        )
    if reason == "absolute":
        return f"本次登录已满 {settings.SESSION_COOKIE_AGE // 3600} 小时，为保障安全已自动退出，请重新登录。"
    return ""


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default) if default else ""


class _LoginView(auth_views.LoginView):
    template_name = "roster/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        reason = self.request.session.pop(SIGNED_OUT_REASON_KEY, None)
        context["signed_out_message"] = _signed_out_message(reason)
        return context


login_view = _LoginView.as_view()


def lockout_username(request, credentials=None) -> str:
    """The username django-axes counts failures for and stores (AXES_USERNAME_CALLABLE). People sometimes type
    their ID number into the username box: mask it, so that no full ID number lands in the attempts table."""
    # django-axes' own default ("username") unless the settings name another field.
    field = getattr(settings, "AXES_USERNAME_FORM_FIELD", "username")
    username = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return mask_id_number(str(username or ""))


def locked_out(request, original_response=None, credentials=None):
    """django-axes lockout page (AXES_LOCKOUT_CALLABLE): 5 failures for one username from one address lock that
    pair for 30 minutes. The page is the same whether the username exists or not."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    username = str((credentials or {}).get("username", ""))[:150]
    logger.warning(
        "sign-in locked out for %r from %s", mask_id_number(username), request.META.get("REMOTE_ADDR")
    )
    record(
        "auth.locked_out",
        outcome=Outcome.DENIED,
        request=request,
        object_repr=username,
        detail={"username": username},
    )
    return render(
        request,
        "roster/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("roster:login")


@never_cache
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@login_required
def password_change(request):
    user = request.user
    # Changing the password is itself a sensitive act: for the roles that need two-factor, pass it first.
    if otp_required(user, request.session) and not user.is_verified():
        return redirect(f"{reverse('roster:otp_verify')}?next={reverse('roster:password_change')}")
    form = StaffPasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        # update_session_auth_hash gives the session a new key: remember it so deactivation can still end it.
        update_session_auth_hash(request, user)
        remember_session(request, user)
        record("auth.password_changed", obj=user, actor=user, request=request)
        messages.success(request, "密码已修改。")
        return redirect(_safe_next(request))
    return render(
        request,
        "roster/password_change.html",
        {"form": form, "forced": user.must_change_password, "next": _safe_next(request, "")},
    )


def _verify_token(user, token: str):
    """The device that accepts `token`, or None. Six digits are tried against authenticator apps, anything
    else against backup codes, so a mistyped code does not slow down the other kind of device."""
    kind = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    throttled = False
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if not isinstance(device, kind):
                continue
            allowed, _ = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(token):
                return device, False
    return None, throttled


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_verify(request):
    user = request.user
    if not any(True for _ in devices_for_user(user, confirmed=True)):
        return redirect(f"{reverse('roster:otp_setup')}?{urlencode({'next': _safe_next(request)})}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, throttled = _verify_token(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            record(
                "auth.otp_verified",
                obj=user,
                actor=user,
                request=request,
                detail={"device": type(device).__name__},
            )
            return redirect(_safe_next(request))
        logger.warning("two-factor code refused for %s%s", user.username, " (throttled)" if throttled else "")
        record("auth.otp_failed", obj=user, actor=user, request=request, outcome=Outcome.FAILURE)
        if throttled:
            form.add_error("token", "验证失败次数过多，请稍等片刻再试。")
        else:
            form.add_error("token", "验证码不正确或已使用，请重试。")
    return render(request, "roster/otp_verify.html", {"form": form, "next": _safe_next(request, "")})


@never_cache
@sensitive_post_parameters("token")
@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator app: scan the QR code (or type the key), then confirm one code."""
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        messages.info(request, "您已启用身份验证器。")
        return redirect(_safe_next(request))
    # Someone who already has another second factor (backup codes) proves it before adding a new one;
    # otherwise a stolen password alone would be enough to enrol the thief's phone.
    if any(True for _ in devices_for_user(user, confirmed=True)) and not user.is_verified():
        return redirect(f"{reverse('roster:otp_verify')}?next={reverse('roster:otp_setup')}")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name="身份验证器")
    form = OTPTokenForm(request.POST or None)
    form.fields["token"].label = "身份验证器显示的 6 位数字"
    form.fields["token"].help_text = ""
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record("auth.otp_enrolled", obj=user, actor=user, request=request)
            messages.success(request, "已启用两步验证。")
            return redirect(_safe_next(request))
        logger.warning("authenticator enrolment code refused for %s", user.username)
        form.add_error("token", "验证码不正确，请核对手机上的时间后重试。")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="两步验证二维码")
    # device.key is hex; authenticator apps expect the same secret in base32 for manual entry.
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    secret_groups = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    return render(
        request,
        "roster/otp_setup.html",
        {"form": form, "qr_svg": qr_svg, "secret": secret_groups, "next": _safe_next(request, "")},
    )
