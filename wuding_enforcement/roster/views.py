"""Sign-in, sign-out, password change and TOTP two-factor for staff."""

from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome

from .forms import LoginForm, OTPTokenForm


def _safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return default


class _LoginView(auth_views.LoginView):
    template_name = "roster/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


login_view = _LoginView.as_view()


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("roster:login")


@login_required
def password_change(request):
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        update_session_auth_hash(request, user)
        record("auth.password_changed", obj=user, actor=user, request=request)
        messages.success(request, "密码已修改。")
        return redirect("home")
    return render(request, "roster/password_change.html", {"form": form})


@login_required
def otp_verify(request):
    user = request.user
    devices = [d for d in devices_for_user(user, confirmed=True)]
    if not devices:
        return redirect(f"/accounts/otp/setup/?next={_safe_next(request, '/staff/')}")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token = form.cleaned_data["token"].strip().replace(" ", "")
        for device in devices:
            if device.verify_is_allowed()[0] and device.verify_token(token):
                otp_login(request, device)
                record("auth.otp_verified", obj=user, actor=user, request=request,
                       detail={"device": type(device).__name__})
                return redirect(_safe_next(request))
        record("auth.otp_failed", obj=user, actor=user, request=request, outcome=Outcome.FAILURE)
        form.add_error("token", "验证码不正确或已使用，请重试。")
    return render(request, "roster/otp_verify.html", {"form": form, "next": _safe_next(request, "")})


@login_required
def otp_setup(request):
    """Enrol a TOTP authenticator app: scan the QR code, then confirm one code."""
    import segno

    user = request.user
    if any(True for _ in devices_for_user(user, confirmed=True)):
        return redirect("roster:otp_verify")
    device, _ = TOTPDevice.objects.get_or_create(user=user, confirmed=False, defaults={"name": "身份验证器"})
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            record("auth.otp_enrolled", obj=user, actor=user, request=request)
            messages.success(request, "已启用两步验证。")
            return redirect(_safe_next(request))
        form.add_error("token", "验证码不正确，请核对手机上的时间后重试。")
    qr_svg = segno.make(device.config_url, error="m").svg_inline(scale=4)
    return render(request, "roster/otp_setup.html",
                  {"form": form, "qr_svg": qr_svg, "secret": device.key, "next": _safe_next(request, "")})
