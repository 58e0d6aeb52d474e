"""通报 with rectification (docs/plan-2019.txt 三(三)2): a numbered notice lists problems, each assigned to a
unit with a due date; the unit answers each item; the supervisor closes (销号) it; the notice stays open until
every item is closed; overdue items are flagged and may be referred to the discipline function (a recorded
escalation). The rules each action reads (an issued notice takes no new item, who may answer, what is overdue)
are on the models (supervision/models.py); every action refuses with `Refused` and is audited."""

import datetime
import hashlib
import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import NumberSequence, format_number
from wuding_enforcement.shared import storedfiles
from wuding_enforcement.shared.pdf import render_html_to_pdf_and_seal_spot
from wuding_enforcement.shared.refusals import Refused
from wuding_enforcement.shared.signing import SigningError, sign_pdf

from .models import (
    Escalation,
    ItemStatus,
    NoticeItem,
    Notification,
    SupervisionNotice,
    is_supervisor,
)

logger = logging.getLogger("wuding.supervision")


def _refuse(message: str) -> Refused:
    logger.info("notice action refused: %s", message)
    return Refused(message)


def add_item(notice: SupervisionNotice, *, by, unit, problem: str, due_on: datetime.date) -> NoticeItem:
    """List one problem for a unit on a draft notice. NoticeItem.save refuses an item on an issued notice (by
    any path); the notice's row lock held here keeps issuing from slipping in between."""
    if not is_supervisor(by):
        raise _refuse("只有政策法规股和局负责人可以列明整改事项。")
    with transaction.atomic():
        notice = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
        item = NoticeItem.objects.create(notice=notice, unit=unit, problem=problem, due_on=due_on)
        record("supervision.notice_item.added", actor=by, obj=notice, detail={"item": item.pk})
    return item


def issue(notice: SupervisionNotice, *, by) -> SupervisionNotice:
    if not is_supervisor(by):
        raise _refuse("只有政策法规股和局负责人可以签发督查通报。")
    # The sealed PDF is removed again if the issue rolls back (shared/storedfiles.py): no file carrying a number
    # the next notice will take.
    with storedfiles.removing(), transaction.atomic():
        notice = SupervisionNotice.objects.select_for_update().get(pk=notice.pk)
        if notice.is_issued:
            raise _refuse("该通报已签发。")
        items = list(notice.items.select_related("unit"))
        if not items:
            raise _refuse("通报须至少列明一项问题及其责任单位和整改期限。")
        today = timezone.localdate()
        notice.number_year = today.year
        notice.number_seq = NumberSequence.allocate("supervision_notice", today.year)
        notice.number = format_number("督通", today.year, notice.number_seq)
        notice.issued_on, notice.issued_by = today, by
        html = render_to_string(
            "supervision/notice_pdf.html", {"notice": notice, "items": items, "bureau": settings.BUREAU_NAME}
        )
        try:
            # Sealed like every issued document; a signing failure refuses the issue (nothing half-issued).
            # The seal over the bureau's name and the date, as on paper (shared/pdf.py, id="seal").
            unsigned, seal_at = render_html_to_pdf_and_seal_spot(html)
            data = sign_pdf(unsigned, reason=f"签发督查通报{notice.number}", seal_at=seal_at)
        except (SigningError, OSError) as exc:  # a platform backend may fail to connect
            logger.error("sealing notice %s failed: %s", notice.pk, exc)
            raise Refused(f"未能加盖电子签章：{exc}") from exc
        notice.pdf_sha256 = hashlib.sha256(data).hexdigest()
        storedfiles.stage(notice.pdf, f"notice-{notice.number_seq}.pdf", data)
        notice.save()
        record(
            "supervision.notice.issued",
            actor=by,
            obj=notice,
            detail={"number": notice.number, "items": len(items)},
        )
        url = reverse("supervision:notice", args=[notice.pk])
        for unit in {item.unit for item in items}:
            if unit.head_id:
                Notification.objects.get_or_create(
                    recipient=unit.head,
                    key=f"notice:{notice.pk}:{unit.pk}",
                    defaults={
                        "level": "amber",
                        "title": f"督查通报：{notice.number}",
                        "url": url,
                        "body": f"{notice.title}\n{unit}有整改事项，请在期限内反馈整改情况。",
                    },
                )
    return notice


def answer(item: NoticeItem, *, by, text: str) -> NoticeItem:
    """The responsible unit reports what it rectified (its head or any of its staff)."""
    if not text.strip():
        raise _refuse("请填写整改情况。")
    with transaction.atomic():
        item = NoticeItem.objects.select_for_update(of=("self",)).select_related("notice").get(pk=item.pk)
        refusal = item.answer_refusal(by)
        if refusal:
            raise _refuse(refusal)
        item.answer, item.answered_by, item.answered_at = text, by, timezone.now()
        item.status = ItemStatus.ANSWERED
        item.save()
        record("supervision.notice_item.answered", actor=by, obj=item.notice, detail={"item": item.pk})
    return item


def close(item: NoticeItem, *, by, note: str, accept: bool = True) -> NoticeItem:
    """The supervisor accepts the answer (销号) or sends the item back for more rectification."""
    if not is_supervisor(by):
        raise _refuse("只有政策法规股和局负责人可以销号。")
    if not note.strip():
        raise _refuse("请填写销号（或退回）意见。")
    with transaction.atomic():
        item = NoticeItem.objects.select_for_update().get(pk=item.pk)
        if not item.awaits_closing:
            raise _refuse("责任单位尚未反馈整改情况，不能销号。")
        item.close_note = note
        if accept:
            item.status, item.closed_by, item.closed_at = ItemStatus.CLOSED, by, timezone.now()
        else:
            item.status = ItemStatus.OPEN
        item.save()
        record(
            "supervision.notice_item.closed" if accept else "supervision.notice_item.returned",
            actor=by,
            obj=item.notice,
            detail={"item": item.pk},
        )
    return item


def escalate(item: NoticeItem, *, by, note: str) -> Escalation:
    """Refer an overdue item to the discipline function (纪检监察) — recorded, never silent."""
    if not is_supervisor(by):
        raise _refuse("只有政策法规股和局负责人可以移交问责。")
    if not note.strip():
        raise _refuse("请填写移交说明。")
    with transaction.atomic():
        item = NoticeItem.objects.select_for_update(of=("self",)).select_related("notice").get(pk=item.pk)
        if not item.is_overdue_on(timezone.localdate()):
            raise _refuse("只有逾期未整改的事项可以移交纪检监察。")
        escalation = Escalation.objects.create(item=item, by=by, note=note)
        record("supervision.notice_item.escalated", actor=by, obj=item.notice, detail={"item": item.pk})
    return escalation
