"""Two-factor authentication rules (django-otp): who must pass it, and the demo backup codes."""

import logging

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django_otp import user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from wuding_enforcement.audit.api import record

logger = logging.getLogger("wuding.roster")

DEMO_DEVICE_NAME = "演示备用码"
# Session flag set at login: the user opted in to two-factor although the role does not require it.
OTP_ENROLLED_SESSION_KEY = "otp_enrolled"


def otp_required(user, session=None) -> bool:
    """Admins, legal reviewers (settings.OTP_REQUIRED_ROLES) and superusers must pass two-factor; anyone else
    who has enrolled a device must pass it too, or enrolling would protect nothing."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.has_role(*settings.OTP_REQUIRED_ROLES):
        return True
    return bool(session is not None and session.get(OTP_ENROLLED_SESSION_KEY))


def has_confirmed_device(user) -> bool:
    return user_has_device(user, confirmed=True)


def issue_demo_backup_codes(user, count: int = 10) -> list[str]:
    """Create (or replace) the user's "演示备用码" device with `count` fresh one-time codes and return them.

    Demo only: production has no shortcut around two-factor, so this refuses unless settings.DEMO_MODE is on.
    """
    if not getattr(settings, "DEMO_MODE", False):
        logger.error("refused to issue demo backup codes for %s outside demo mode", user.username)
        raise ImproperlyConfigured(
            "演示备用码只能在演示模式下生成（DEMO_MODE 关闭，即 DEBUG=False 的生产环境拒绝此操作）。"
            "生产环境请由本人在“两步验证”页面绑定身份验证器。"
        )
    if count < 1:
        raise ValueError("count must be at least 1")
    codes: set[str] = set()
    while len(codes) < count:
        codes.add(StaticToken.random_token())
    with transaction.atomic():
        StaticDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).delete()
        device = StaticDevice.objects.create(user=user, name=DEMO_DEVICE_NAME, confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in sorted(codes))
        # The codes themselves never go to the log, only how many were issued.
        record("auth.demo_backup_codes_issued", obj=user, detail={"count": count})
    return sorted(codes)
