"""The reminder scan: every statutory deadline that is close (amber) or past (red), and certificates that
expire within 30 days, notify the responsible people once per threshold — in the portal and by e-mail.

Deadlines come from case.deadlines(): the foundation's (立案, 90-day limit) and whatever the three systems
registered (查封扣押, hearing notice, service, publication, withdrawal, legal review ...), so a new clock is
reminded of without touching this module.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.deadlines import Status
from wuding_enforcement.cases.models import Case
from wuding_enforcement.roster.models import Certificate, Role, Staff

from .models import Notification

CERTIFICATE_WARNING_DAYS = 30


@dataclass
class ScanResult:
    created: int = 0
    emailed: int = 0
    cases: int = 0


def _recipients_for_case(case, level: str) -> list[Staff]:
    """The assigned officers; the unit head too; for overdue deadlines the bureau heads are told as well."""
    people = {a.officer for a in case.assignments.all() if a.officer.is_active}
    head = case.handling_unit.head
    if head is not None and head.is_active:
        people.add(head)
    if level == Status.RED:
        people.update(Staff.objects.with_role(Role.BUREAU_HEAD))
    return sorted(people, key=lambda s: s.pk)


def _notify(recipient, *, key, level, title, body, url, case=None) -> Notification | None:
    try:
        with transaction.atomic():
            return Notification.objects.create(
                recipient=recipient, key=key, level=level, title=title, body=body, url=url, case=case
            )
    except IntegrityError:
        return None  # already reminded at this threshold


def scan(today: datetime.date | None = None) -> ScanResult:
    today = today or timezone.localdate()
    result = ScanResult()
    created: list[Notification] = []
    cases = Case.objects.active().for_rows().select_related("handling_unit__head")
    for case in cases.iterator(chunk_size=200):
        result.cases += 1
        for deadline in case.deadlines(today):
            if deadline.status not in (Status.AMBER, Status.RED):
                continue
            if deadline.status == Status.RED:
                title = f"已逾期：{case.number} {deadline.name}"
                body = (
                    f"{case.title}\n{deadline.name}届满日为{deadline.due:%Y年%m月%d日}，已逾期"
                    f"{deadline.overdue_by}{deadline.unit}。\n依据：{deadline.basis}"
                )
            else:
                title = f"即将到期：{case.number} {deadline.name}"
                body = (
                    f"{case.title}\n{deadline.name}将于{deadline.due:%Y年%m月%d日}届满，剩余"
                    f"{deadline.remaining}{deadline.unit}。\n依据：{deadline.basis}"
                )
            key = f"deadline:{case.pk}:{deadline.key}:{deadline.due.isoformat()}:{deadline.status}"
            url = reverse("cases:detail", args=[case.pk])
            for person in _recipients_for_case(case, deadline.status):
                note = _notify(
                    person, key=key, level=deadline.status, title=title, body=body, url=url, case=case
                )
                if note:
                    created.append(note)
    admins = list(Staff.objects.with_role(Role.ADMIN))
    horizon = today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS)
    expiring = Certificate.objects.filter(status="valid", expires_on__lte=horizon).select_related("holder")
    for cert in expiring.filter(expires_on__gte=today - datetime.timedelta(days=1)):
        level = Status.RED if cert.expires_on < today else Status.AMBER
        title = f"执法证件{'已过期' if level == Status.RED else '即将到期'}：{cert.number}（{cert.holder.display_name}）"
        body = f"执法证件 {cert.number} 有效期至{cert.expires_on:%Y年%m月%d日}，请及时办理换证。"
        key = f"certificate:{cert.pk}:{cert.expires_on.isoformat()}:{level}"
        for person in {cert.holder, *admins}:
            if person.is_active:
                note = _notify(person, key=key, level=level, title=title, body=body, url="")
                if note:
                    created.append(note)
    result.created = len(created)
    result.emailed = _email(created)
    if created:
        record(
            "supervision.reminders.sent", detail={"notifications": len(created), "emailed": result.emailed}
        )
    return result


def _email(notifications: list[Notification]) -> int:
    messages = []
    ids = []
    for note in notifications:
        if note.recipient.email:
            link = f"\n{settings.PUBLIC_BASE_URL.rstrip('/')}{note.url}" if note.url else ""
            messages.append(
                (
                    f"【{settings.BUREAU_NAME}】{note.title}",
                    note.body + link,
                    settings.DEFAULT_FROM_EMAIL,
                    [note.recipient.email],
                )
            )
            ids.append(note.pk)
    if messages:
        send_mass_mail(messages, fail_silently=False)
        Notification.objects.filter(pk__in=ids).update(emailed=True)
    return len(messages)
