"""Alerts to the administrators: every active 管理员 with an e-mail address, and settings.ADMINS."""

import logging

from django.conf import settings
from django.core.mail import send_mail

from wuding_enforcement.roster.models import Role, Staff

logger = logging.getLogger("wuding.ops")


def admin_addresses() -> list[str]:
    addresses = list(
        Staff.objects.with_role(Role.ADMIN).exclude(email="").order_by("pk").values_list("email", flat=True)
    )
    addresses += [address for _, address in settings.ADMINS]
    return sorted(set(addresses))


def alert_admins(subject: str, body: str) -> int:
    recipients = admin_addresses()
    if not recipients:
        logger.error("alert with nobody to send it to (no 管理员 with an e-mail, no ADMINS): %s", subject)
        return 0
    try:
        return send_mail(f"【行政执法平台告警】{subject}", body, None, recipients)
    except OSError as exc:  # the mail server is down: the alert is still in the log and the audit log
        logger.error("alert mail not sent (%s): %s", exc, subject)
        return 0
