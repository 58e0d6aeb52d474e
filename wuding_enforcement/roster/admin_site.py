"""Who may use the Django admin (/admin/): active admins (管理员 role) or superusers who have passed two-factor.

Choice about `is_staff`: Django's stock check is `is_active and is_staff`. Here `is_staff` is deliberately NOT
consulted, neither to allow nor as a requirement: the 管理员 role is the single source of truth, so an officer
who was ticked `is_staff` by mistake gets nothing, and an admin does not also need the flag. What an admin may
do inside the admin still comes from the role's model permissions (roster/roles.py).
"""

from urllib.parse import urlencode

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from .models import Role


def holds_admin_role(user) -> bool:
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.has_role(Role.ADMIN)))


def admin_has_permission(request) -> bool:
    user = request.user
    is_verified = getattr(user, "is_verified", None)
    return holds_admin_role(user) and callable(is_verified) and is_verified()


def admin_login(request, extra_context=None):
    """Replaces the admin's own login form: everyone signs in through /accounts/login/ (django-axes, the
    password rules and two-factor apply there), and a signed-in user without the right gets a 403."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("admin:index")
    if not request.user.is_authenticated:
        return redirect_to_login(target, reverse("roster:login"))
    if admin_has_permission(request):
        return redirect(target)
    if holds_admin_role(request.user):
        return redirect(f"{reverse('roster:otp_verify')}?{urlencode({'next': target})}")
    # Logged by the audit middleware as auth.permission_denied.
    raise PermissionDenied("系统管理后台仅限通过两步验证的管理员使用。")


def secure_admin_site(site) -> None:
    """Install the checks on an AdminSite; call before `site.urls` is read (the URLs capture site.login)."""
    site.has_permission = admin_has_permission
    site.login = admin_login
