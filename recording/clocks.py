"""The statutory clocks that recording's documents start (docs/domain.md §4), shown on the case page beside the
foundation's 立案 and 90-day clocks. Registered with register_deadline_provider() from RecordingConfig.ready.

Every clock reads the case's documents through ``case.documents.all()`` (plus ``approvals`` and ``pauses``,
which the case page and ``Case.objects.for_rows()`` prefetch): with "documents" prefetched it costs no query;
without it, one query per case. Cases that cannot have these clocks — 简易程序 cases and cases never filed (the
acts these clocks follow are investigative and enforcement acts done after 立案) — return at once, before
touching any relation.

Which documents count:
- only issued ones (a draft records nothing yet), and not those superseded by an issued correction: the
  correction carries the same act on, and a service receipt naming the original still serves it;
- a document's date is its act date when it has one, else the day it was issued.

Choices made where the law leaves the record open (documented here so the page and the tests agree):
- 先行登记保存 is "dealt with" by the first handling document issued after the notice: 查封扣押 (实施行政强制
  措施决定书), 解除 (解除决定书), sending the goods for testing (检测鉴定委托书), or the decision itself
  (行政处罚决定书 / 不予行政处罚决定书, e.g. 没收). 《市场监督管理行政处罚程序规定》第三十五条 lists exactly
  these ways of handling preserved goods.
- 查封扣押 ends with the 解除 naming it, a decision (没收 or not) or a transfer to the judicial organs issued
  after it (行政强制法 第二十七条, 第二十一条). Extensions and releases name their decision by its 文号.
- The party's 陈述申辩/听证 period is the party's time, not a duty of the bureau: it counts down from the
  告知书's service (warning the officers not to decide before it ends) and is shown as met once it has run
  out.
"""

import datetime

from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import (
    CALENDAR_DAYS,
    WORKING_DAYS,
    Status,
    make_deadline,
    paused_dates,
    reading_moment,
)
from wuding_enforcement.cases.models import ApprovalKind, ApprovalStatus, PauseKind
from wuding_enforcement.cases.workflow import Procedure
from wuding_enforcement.shared.chinese import cn_date

PRESERVATION_DAYS = 7
SEIZURE_DAYS = 30
SEIZURE_EXTENSION_DAYS = 30
URGENT_REPORT_HOURS = 24
STATEMENT_DAYS = 5
HEARING_NOTICE_DAYS = 7
SERVICE_DAYS = 7

PRESERVATION_BASIS = (
    "《行政处罚法》第五十六条：先行登记保存的，应当在七日内及时作出处理决定（七日为工作日，第八十五条）；"
    "《市场监督管理行政处罚程序规定》第三十五条"
)
SEIZURE_BASIS = (
    "《行政强制法》第二十五条：查封、扣押的期限不得超过三十日；情况复杂的，经行政机关负责人批准，可以延长，"
    "但延长期限不得超过三十日；检测、检验、检疫或者技术鉴定的期间不计入"
)
URGENT_BASIS = (
    "《行政强制法》第十九条：情况紧急当场实施行政强制措施的，应当在二十四小时内向行政机关负责人报告，"
    "并补办批准手续"
)
STATEMENT_BASIS = (
    "《行政处罚法》第六十四条、《市场监督管理行政处罚程序规定》第五十七条：当事人自行政处罚告知书送达之日起"
    "五个工作日内提出陈述、申辩或者听证要求"
)
HEARING_NOTICE_BASIS = "《行政处罚法》第六十四条：行政机关应当在举行听证的七日前，通知当事人听证的时间、地点"
SERVICE_BASIS = (
    "《行政处罚法》第六十一条：行政处罚决定书应当在宣告后当场交付当事人；当事人不在场的，应当在七日内送达"
)

# Documents that deal with goods under 先行登记保存 (see the module docstring).
PRESERVATION_HANDLED_BY = frozenset(
    {"coercion_decision", "coercion_release", "testing_commission", "penalty_decision", "no_penalty_decision"}
)
# Documents that end a 查封扣押.
SEIZURE_ENDED_BY = frozenset(
    {"coercion_release", "penalty_decision", "no_penalty_decision", "crime_transfer"}
)
# Where a 听证通知书 may keep the hearing's date (the first present wins).
HEARING_DATE_KEYS = ("hearing_at", "hearing_date", "held_at", "hearing_time", "date")


def _local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()


def _parse_day(value) -> datetime.date | None:
    """A date from an ISO date or datetime string in a document's data (None when absent or malformed)."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return _local_date(moment)


def doc_day(document) -> datetime.date:
    """The day of the act a document records: its act date, else the day it was issued."""
    return document.act_date or _local_date(document.issued_at)


def current_issued(documents) -> list:
    """Issued documents not superseded by an issued correction, in issuing order."""
    issued = [d for d in documents if d.status == "issued" and d.issued_at is not None]
    superseded = {d.supersedes_id for d in issued if d.supersedes_id}
    return sorted((d for d in issued if d.pk not in superseded), key=lambda d: (d.issued_at, d.pk))


def _served_on(receipts, document) -> datetime.date | None:
    """The day the first issued 送达回证 naming this document (or the one it corrects) says it was served.
    The receipt names the document in data["served_document"] (older drafts: data["document"])."""
    targets = {str(document.pk)} | ({str(document.supersedes_id)} if document.supersedes_id else set())
    days = []
    for receipt in receipts:
        named = receipt.data.get("served_document", receipt.data.get("document", ""))
        day = _parse_day(receipt.data.get("served_at"))
        if str(named) in targets and day is not None:
            days.append(day)
    return min(days) if days else None


def _moment(value) -> datetime.datetime | None:
    """An aware datetime from an ISO string in a document's data (None when absent or malformed)."""
    if not value or not isinstance(value, str):
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def _days(value, default: int, cap: int) -> int:
    try:
        days = int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        days = default
    return max(1, min(days, cap))


def _first_after(documents, types, after) -> datetime.date | None:
    """The day of the first document of `types` issued after `after` (a document)."""
    for d in documents:
        if d.doc_type in types and (d.issued_at, d.pk) > (after.issued_at, after.pk):
            return doc_day(d)
    return None


def _label(document) -> str:
    return f"（{document.number}）" if document.number else ""


# --- The clocks -------------------------------------------------------------------------------------------


def preservation_clocks(docs, today):
    """先行登记保存: decide within 7 working days of the notice's act date (行政处罚法 第五十六条, 第八十五条)."""
    for notice in (d for d in docs if d.doc_type == "preservation_notice"):
        # The notice states when the preservation began and its period (at most the law's 7 working days).
        start = _parse_day(notice.data.get("start_on")) or doc_day(notice)
        period = _days(notice.data.get("period_days"), PRESERVATION_DAYS, PRESERVATION_DAYS)
        yield make_deadline(
            key=f"preservation:{notice.pk}",
            name=f"先行登记保存处理期限{_label(notice)}",
            basis=PRESERVATION_BASIS,
            start=start,
            due=calendar.add_working_days(start, period),
            unit=WORKING_DAYS,
            limit=period,
            today=today,
            met_on=_first_after(docs, PRESERVATION_HANDLED_BY, notice),
        )


def _names(document, decision) -> bool:
    """Whether an extension or release is about this 查封扣押 decision (by its 文号, data["decision_number"])."""
    return bool(decision.number) and document.data.get("decision_number") == decision.number


def seizure_clocks(docs, pauses, today):
    """查封扣押: ≤ 30 days from the start the decision states (else its act date), + the approved extension
    (≤ 30 in all), testing periods not counted (行政强制法 第二十五条). Calendar days; a last day on a holiday
    moves to the next working day. Ended by the release naming the decision, or by a decision, no-penalty
    decision or transfer issued after it (第二十七条、第二十八条, 第二十一条)."""
    for seizure in (d for d in docs if d.doc_type == "coercion_decision"):
        start = _parse_day(seizure.data.get("start_on")) or doc_day(seizure)
        period = _days(seizure.data.get("period_days"), SEIZURE_DAYS, SEIZURE_DAYS)
        extensions = [d for d in docs if d.doc_type == "coercion_extension" and _names(d, seizure)]
        extended_by = min(
            sum(
                _days(e.data.get("days"), SEIZURE_EXTENSION_DAYS, SEIZURE_EXTENSION_DAYS) for e in extensions
            ),
            SEIZURE_EXTENSION_DAYS,
        )
        ends = [
            _parse_day(d.data.get("released_on")) or doc_day(d)
            for d in docs
            if d.doc_type == "coercion_release" and _names(d, seizure)
        ]
        later = _first_after(docs, SEIZURE_ENDED_BY - {"coercion_release"}, seizure)
        if later is not None:
            ends.append(later)
        met_on = min(ends) if ends else None
        until = met_on or today
        testing = [p for p in pauses if p.kind == PauseKind.TESTING and p.start <= until]
        paused_days = len(paused_dates(testing, start, until))
        yield make_deadline(
            key=f"seizure:{seizure.pk}",
            name=f"查封扣押期限{_label(seizure)}",
            basis=SEIZURE_BASIS,
            start=start,
            due=calendar.calendar_deadline(start, period + extended_by + paused_days),
            unit=CALENDAR_DAYS,
            limit=period,
            today=today,
            met_on=met_on,
            paused=any(p.end is None for p in testing),
            extended_by=extended_by,
            paused_days=paused_days,
        )


def urgent_report_clocks(docs, approvals, today, now):
    """An urgent seizure on the spot is reported to the bureau head within 24 hours and its approval
    requested afterwards (行政强制法 第十九条): met once a 查封扣押审批 request exists that was made on or
    after the day of the seizure. The clock is in hours: it turns red the moment the 24 hours are over."""
    requests = [
        a for a in approvals if a.kind == ApprovalKind.SEIZURE and a.status != ApprovalStatus.WITHDRAWN
    ]
    for seizure in (d for d in docs if d.doc_type == "coercion_decision" and d.data.get("urgent") is True):
        # The 24 hours run from the moment the measure was taken (the decision's 实施时间), else its issue.
        started = timezone.localtime(_moment(seizure.data.get("implemented_at")) or seizure.issued_at)
        due_at = started + datetime.timedelta(hours=URGENT_REPORT_HOURS)
        day = doc_day(seizure)
        reported = sorted(a.requested_at for a in requests if _local_date(a.requested_at) >= day)
        met_on = _local_date(reported[0]) if reported else None
        deadline = make_deadline(
            key=f"urgent_report:{seizure.pk}",
            name=f"紧急查封扣押报告期限{_label(seizure)}（{cn_date(due_at.date())}{due_at:%H时%M分}前）",
            basis=URGENT_BASIS,
            start=_local_date(started),
            due=_local_date(due_at),
            unit=CALENDAR_DAYS,
            limit=1,
            today=today,
            met_on=met_on,
        )
        deadline.due_at = due_at
        if met_on is None:
            if now > due_at:
                deadline.status = Status.RED
                deadline.remaining = min(deadline.remaining, -1)
            else:
                deadline.status = Status.AMBER  # hours, not days, are left: always urgent
        yield deadline


def statement_clocks(docs, receipts, today):
    """The party states its case and/or asks for a hearing within 5 working days of the 告知书's service
    (行政处罚法 第六十四条; 《市场监督管理行政处罚程序规定》第五十七条). No clock until the notice is served;
    met once the period has run out, or once the decision was made before it ran out (lawful only on the
    party's written waiver, 第六十二条): a decided case shows no running 陈述申辩 clock."""
    decided = min(
        (doc_day(d) for d in docs if d.doc_type in ("penalty_decision", "no_penalty_decision")), default=None
    )
    for notice in (d for d in docs if d.doc_type == "penalty_notice"):
        served = _served_on(receipts, notice)
        if served is None:
            continue
        due = calendar.add_working_days(served, STATEMENT_DAYS)
        hearing = bool(notice.data.get("hearing_right"))
        deadline = make_deadline(
            key=f"statement:{notice.pk}",
            name=f"{'陈述申辩、听证申请期限' if hearing else '陈述申辩期限'}{_label(notice)}",
            basis=STATEMENT_BASIS,
            start=served,
            due=due,
            unit=WORKING_DAYS,
            limit=STATEMENT_DAYS,
            today=today,
            met_on=due if today > due else (decided if decided is not None and decided <= today else None),
        )
        deadline.lapses = True  # the party's time: met once it has run out (deadline table, cases)
        yield deadline


def hearing_date(notice) -> datetime.date | None:
    for key in HEARING_DATE_KEYS:
        day = _parse_day(notice.data.get(key))
        if day is not None:
            return day
    return None


def hearing_notice_clocks(docs, receipts, today):
    """The 听证通知书 is served at least 7 working days before the hearing (行政处罚法 第六十四条): shown as the
    latest day to serve it, the 7th working day before the hearing, counting back (the day of service is
    not counted, the hearing day is the 7th). Met when a 送达回证 records its service."""
    for notice in (d for d in docs if d.doc_type == "hearing_notice"):
        held = hearing_date(notice)
        if held is None:
            continue
        start = doc_day(notice)
        deadline = make_deadline(
            key=f"hearing_notice:{notice.pk}",
            name=f"听证通知送达期限（{cn_date(held)}举行听证）",
            basis=HEARING_NOTICE_BASIS,
            start=start,
            due=calendar.add_working_days(held, -HEARING_NOTICE_DAYS),
            unit=WORKING_DAYS,
            limit=HEARING_NOTICE_DAYS,
            today=today,
            met_on=_served_on(receipts, notice),
        )
        # The holidays that matter here lie between the last day to serve and the hearing.
        deadline.skipped = calendar.holiday_periods(deadline.due, held)
        yield deadline


def service_clocks(case, docs, receipts, today):
    """The 行政处罚决定书 is handed over on the spot, else served within 7 working days of the decision
    (行政处罚法 第六十一条). Met by a 送达回证 for it (or, failing one, the case's recorded service date)."""
    for decision in (d for d in docs if d.doc_type == "penalty_decision"):
        start = _local_date(decision.issued_at)
        met_on = _served_on(receipts, decision) or (
            case.served_on if case.served_on and case.served_on >= start else None
        )
        yield make_deadline(
            key=f"service:{decision.pk}",
            name=f"处罚决定书送达期限{_label(decision)}",
            basis=SERVICE_BASIS,
            start=start,
            due=calendar.add_working_days(start, SERVICE_DAYS),
            unit=WORKING_DAYS,
            limit=SERVICE_DAYS,
            today=today,
            met_on=met_on,
        )


def recording_deadlines(case, today: datetime.date):
    """All of recording's clocks for one case (see the module docstring for the query cost)."""
    if case.procedure == Procedure.SIMPLE or case.filed_on is None:
        return []
    docs = current_issued(case.documents.all())
    if not docs:
        return []
    approvals = list(case.approvals.all())
    pauses = list(case.pauses.all())
    receipts = [d for d in docs if d.doc_type == "service_receipt"]
    now = reading_moment(today)
    deadlines = [
        *preservation_clocks(docs, today),
        *seizure_clocks(docs, pauses, today),
        *urgent_report_clocks(docs, approvals, today, now),
        *statement_clocks(docs, receipts, today),
        *hearing_notice_clocks(docs, receipts, today),
        *service_clocks(case, docs, receipts, today),
    ]
    return deadlines


def register():
    from wuding_enforcement.cases.deadlines import register_deadline_provider

    register_deadline_provider(recording_deadlines, name="recording.clocks", prefetch=["documents"])
