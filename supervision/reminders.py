"""The reminder scan: every statutory deadline that is close (amber) or past (red), certificates that expire
within 30 days, and items of 督查通报 past their rectification date notify the responsible people once per
threshold — in the portal and by e-mail.

Deadlines come from case.deadlines(): the foundation's (立案, 90-day limit) and whatever the three systems
registered (查封扣押, hearing notice, service, publication, withdrawal, legal review ...), so a new clock is
reminded of without touching this module. Overdue notice items are NoticeItem.objects.overdue(), the same rule
the notice page and the dashboard show. A certificate is reminded of only while no newer certificate takes over
(roster/certification.py, the rule the dashboard reads).

E-mail that fails (the mail server is down) is logged and retried by the next scan: a notification stays
`emailed=False` until its mail went out (at most RETRY_DAYS back).
"""

import datetime
import logging
from dataclasses import dataclass
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.deadlines import Status, reading_moment
from wuding_enforcement.cases.models import Case
from wuding_enforcement.roster.certification import entitlement_on
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role, Staff
from wuding_enforcement.shared.chinese import cn_date

from .models import NoticeItem, Notification

logger = logging.getLogger("wuding.supervision")

CERTIFICATE_WARNING_DAYS = 30
# How far back a notification whose e-mail failed is sent again.
RETRY_DAYS = 7


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
        # The unique (recipient, key) constraint: already reminded at this threshold, by an earlier scan or a
        # concurrent one. Expected on every scan after the first, so not worth more than a debug line.
        logger.debug("already reminded %s of %s", recipient.pk, key)
        return None


def scan(today: datetime.date | None = None) -> ScanResult:
    today = today or timezone.localdate()
    result = ScanResult()
    created: list[Notification] = []
    result.cases = Case.objects.active().count()
    for case, deadline in _urgent_deadlines(today):
        if deadline.status == Status.RED:
            title = f"已逾期：{case.number} {deadline.name}"
            body = (
                f"{case.title}\n{deadline.name}届满日为{cn_date(deadline.due)}，已逾期"
                f"{deadline.overdue_by}{deadline.unit}。\n依据：{deadline.basis}"
            )
        else:
            title = f"即将到期：{case.number} {deadline.name}"
            body = (
                f"{case.title}\n{deadline.name}将于{cn_date(deadline.due)}届满，剩余"
                f"{deadline.remaining}{deadline.unit}。\n依据：{deadline.basis}"
            )
        key = f"deadline:{case.pk}:{deadline.key}:{deadline.due.isoformat()}:{deadline.status}"
        url = reverse("cases:detail", args=[case.pk])
        for person in _recipients_for_case(case, deadline.status):
            note = _notify(person, key=key, level=deadline.status, title=title, body=body, url=url, case=case)
            if note:
                created.append(note)
    created += _late_withdrawals(today)
    created += _certificates(today)
    created += _notice_items(today)
    result.created = len(created)
    result.emailed = _email(created + _unsent(exclude=created))
    if created or result.emailed:
        record(
            "supervision.reminders.sent", detail={"notifications": len(created), "emailed": result.emailed}
        )
    return result


def _urgent_deadlines(today: datetime.date):
    """(case, deadline) for every red or amber clock of the active cases, from the deadline table (brought up
    to date first): SQL on the index of open clocks, nothing computed for the cases with nothing due."""
    from wuding_enforcement.cases.deadline_rows import CaseDeadline
    from wuding_enforcement.cases.deadline_sync import refresh_stale
    from wuding_enforcement.cases.models import CaseOfficer
    from wuding_enforcement.cases.workflow import FINISHED_STAGES

    refresh_stale()
    now = reading_moment(today)
    table = CaseDeadline.objects.exclude(case__stage__in=FINISHED_STAGES)
    for qs in (table.red(today, now), table.amber(today, now)):
        rows = (
            qs.select_related("case__handling_unit__head")
            .prefetch_related(
                Prefetch("case__assignments", queryset=CaseOfficer.objects.select_related("officer"))
            )
            .order_by("case_id", "key")
        )
        for row in rows.iterator(chunk_size=500):
            yield row.case, row.as_deadline(today, now)


def _late_withdrawals(today: datetime.date) -> list[Notification]:
    """Published decisions changed or revoked whose 3-working-day withdrawal is past (行政处罚法 第四十八条;
    Publication.objects.withdrawal_overdue) on cases already 结案 or 归档 — a 复议 or judgment often comes
    after the case closed, and the deadline scan above reads the active cases only. Same key as the deadline
    scan's, so a case still active is never reminded twice."""
    from disclosure.deadlines import withdrawal_deadline
    from disclosure.models import Publication
    from wuding_enforcement.cases.workflow import FINISHED_STAGES

    created = []
    from wuding_enforcement.cases.models import CaseOfficer

    overdue = (
        Publication.objects.filter(case__stage__in=FINISHED_STAGES)
        .select_related("case__handling_unit__head")
        .prefetch_related(
            Prefetch("case__assignments", queryset=CaseOfficer.objects.select_related("officer"))
        )
        .withdrawal_overdue(today)
    )
    for pub in overdue:
        deadline = withdrawal_deadline(pub, today)
        if deadline is None:
            continue
        case = pub.case
        title = f"已逾期：{case.number} {deadline.name}"
        body = (
            f"{deadline.name}届满日为{cn_date(deadline.due)}，已逾期{deadline.overdue_by}{deadline.unit}，"
            f"决定仍在公示网站上，请立即撤回并说明理由。\n依据：{deadline.basis}"
        )
        key = f"deadline:{case.pk}:{deadline.key}:{deadline.due.isoformat()}:{deadline.status}"
        url = reverse("cases:detail", args=[case.pk])
        for person in _recipients_for_case(case, Status.RED):
            note = _notify(person, key=key, level=Status.RED, title=title, body=body, url=url, case=case)
            if note:
                created.append(note)
    return created


def _certificates(today: datetime.date) -> list[Notification]:
    """Certificates that expire within CERTIFICATE_WARNING_DAYS (amber) or expired yesterday (red), unless the
    holder already holds a newer certificate that takes over the day after (nothing to renew)."""
    created = []
    admins = list(Staff.objects.with_role(Role.ADMIN))
    horizon = today + datetime.timedelta(days=CERTIFICATE_WARNING_DAYS)
    expiring = (
        Certificate.objects.filter(status=CertificateStatus.VALID, expires_on__lte=horizon)
        .filter(expires_on__gte=today - datetime.timedelta(days=1))
        .select_related("holder")
        .prefetch_related("holder__certificates")
    )
    for cert in expiring:
        if entitlement_on(cert.holder, cert.expires_on + datetime.timedelta(days=1)).entitled:
            continue
        level = Status.RED if cert.expires_on < today else Status.AMBER
        title = f"执法证件{'已过期' if level == Status.RED else '即将到期'}：{cert.number}（{cert.holder.display_name}）"
        body = f"执法证件 {cert.number} 有效期至{cn_date(cert.expires_on)}，请及时办理换证。"
        key = f"certificate:{cert.pk}:{cert.expires_on.isoformat()}:{level}"
        for person in {cert.holder, *admins}:
            if person.is_active:
                note = _notify(person, key=key, level=level, title=title, body=body, url="")
                if note:
                    created.append(note)
    return created


def _notice_items(today: datetime.date) -> list[Notification]:
    """Overdue items of issued 督查通报 (NoticeItem.objects.overdue): the responsible unit's head, once per
    item and due date, and the supervisor who issued the notice, who may refer it to 纪检监察."""
    created = []
    items = NoticeItem.objects.overdue(today).select_related("notice__issued_by", "unit__head")
    for item in items.order_by("due_on", "pk"):
        title = f"督查通报整改逾期：{item.notice.number}（{item.unit}）"
        body = f"{item.problem}\n整改期限为{cn_date(item.due_on)}，已逾期，请尽快整改并反馈。"
        key = f"notice_item:{item.pk}:{item.due_on.isoformat()}:red"
        url = reverse("supervision:notice", args=[item.notice_id])
        for person in {item.unit.head, item.notice.issued_by} - {None}:
            if person.is_active:
                note = _notify(person, key=key, level=Status.RED, title=title, body=body, url=url)
                if note:
                    created.append(note)
    return created


def _unsent(*, exclude: list[Notification]) -> list[Notification]:
    """Notifications of the last RETRY_DAYS whose e-mail failed earlier (recovered by this scan)."""
    since = timezone.now() - datetime.timedelta(days=RETRY_DAYS)
    retry = list(
        Notification.objects.filter(emailed=False, created_at__gte=since)
        .exclude(recipient__email="")
        .exclude(pk__in=[n.pk for n in exclude])
        .select_related("recipient")
    )
    if retry:
        logger.info("retrying the e-mail of %d notifications", len(retry))
    return retry


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
    if not messages:
        return 0
    try:
        send_mass_mail(messages, fail_silently=False)
    except (SMTPException, OSError):
        # The notifications are in the portal already; their mail goes out with the next scan.
        logger.exception("reminder e-mail failed for %d notifications; the next scan retries", len(ids))
        return 0
    Notification.objects.filter(pk__in=ids).update(emailed=True)
    return len(messages)
