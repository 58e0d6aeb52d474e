"""Statutory deadlines of a case (docs/domain.md §4), counted on the working-day calendar (calendar.py).

The foundation knows two clocks of every 普通程序 case: the decision whether to 立案 and the 90-day decision
limit. The three systems add their own (seizure, service, publication ...) with register_deadline_provider(),
building them with make_deadline() so every deadline has the same shape, status and holiday list.

Works on prefetched relations: it reads case.approvals.all(), case.pauses.all() and case.transitions.all()
only, so a list page that prefetches them costs no query per case (the calendar table is read once per request).
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from . import calendar
from .calendar import HolidayPeriod
from .workflow import Procedure, Stage

WORKING_DAYS = "工作日"
CALENDAR_DAYS = "日"

# A deadline this close (in its own unit) turns amber.
AMBER_DAYS = 3


class Status:
    MET = "met"
    OK = "ok"
    AMBER = "amber"
    RED = "red"
    PAUSED = "paused"


STATUS_LABELS = {
    Status.MET: "已完成",
    Status.OK: "正常",
    Status.AMBER: "即将到期",
    Status.RED: "已逾期",
    Status.PAUSED: "暂停计算",
}

FILING_BASIS = (
    "《市场监督管理行政处罚程序规定》第十八条：自发现线索或者收到材料之日起十五个工作日内核查并决定是否立案，"
    "经负责人批准可以延长十五个工作日；检测、检验、检疫、鉴定等所需时间不计入"
)
DECISION_BASIS = (
    "《行政处罚法》第六十条：自立案之日起九十日内作出行政处罚决定；《市场监督管理行政处罚程序规定》"
    "第六十四条：经负责人批准可以延长三十日，中止、听证、公告和检测、检验、检疫、鉴定等时间不计入"
)
FILING_DAYS = 15
FILING_EXTENSION_DAYS = 15
DECISION_DAYS = 90
DECISION_EXTENSION_DAYS = 30


@dataclass
class Deadline:
    key: str
    name: str
    basis: str
    start: datetime.date
    due: datetime.date
    unit: str  # WORKING_DAYS or CALENDAR_DAYS
    status: str  # a Status value
    # Signed, in `unit`: days left until `due` (from today, or from met_on once met); negative when late.
    remaining: int
    limit: int  # the statutory length before extensions and pauses
    met_on: datetime.date | None = None
    extended_by: int = 0
    paused_days: int = 0
    skipped: list[HolidayPeriod] = field(default_factory=list)
    uses_fallback: bool = False
    # The party's own period (陈述申辩): met once it has run out, never late (the deadline table stores it
    # open and decides "met" when reading, deadline_rows.py).
    lapses: bool = False
    # Clocks in hours (紧急查封扣押报告): the moment they end; `due` is its local date.
    due_at: datetime.datetime | None = None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def is_met(self) -> bool:
        return self.met_on is not None

    @property
    def is_overdue(self) -> bool:
        return self.remaining < 0

    @property
    def overdue_by(self) -> int:
        return max(0, -self.remaining)

    @property
    def fallback_warning(self) -> str:
        return calendar.FALLBACK_WARNING if self.uses_fallback else ""

    def days_text(self, n: int) -> str:
        """n days in this deadline's own unit: 3天 (calendar days) or 3个工作日."""
        return f"{n}天" if self.unit == CALENDAR_DAYS else f"{n}个工作日"

    @property
    def overdue_text(self) -> str:
        return self.days_text(self.overdue_by)

    @property
    def timing(self) -> str:
        """How an open deadline stands, in the words every page uses (the home page, the case page, the
        supervision dashboard): 已逾期3天 / 今日届满 / 剩余2个工作日."""
        if self.is_overdue:
            return f"已逾期{self.days_text(self.overdue_by)}"
        if self.remaining == 0:
            return "今日届满"
        return f"剩余{self.days_text(self.remaining)}"


def reading_moment(today: datetime.date) -> datetime.datetime:
    """The moment the clocks in hours are read at for `today`: now, or the end of that day when another day
    is asked for (a report, a test, a task run for a date)."""
    now = timezone.now()
    if timezone.localdate(now) != today:
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    return now


def _count(unit: str, a: datetime.date, b: datetime.date) -> int:
    if unit == WORKING_DAYS:
        return calendar.working_days_between(a, b)
    return (b - a).days


def make_deadline(
    *,
    key: str,
    name: str,
    basis: str,
    start: datetime.date,
    due: datetime.date,
    unit: str,
    limit: int,
    today: datetime.date,
    met_on: datetime.date | None = None,
    paused: bool = False,
    extended_by: int = 0,
    paused_days: int = 0,
) -> Deadline:
    """A Deadline with its remaining days, status, skipped holidays and fallback flag worked out.

    Remaining days count from today (or from met_on once met) to the due date in the deadline's unit. A date
    past the due date is late by at least one day even when the days between are a weekend."""
    reference = met_on or today
    remaining = _count(unit, reference, due) if reference <= due else -max(1, _count(unit, due, reference))
    if met_on is not None:
        status = Status.MET
    elif paused:
        status = Status.PAUSED
    elif remaining < 0:
        status = Status.RED
    elif remaining <= AMBER_DAYS:
        status = Status.AMBER
    else:
        status = Status.OK
    return Deadline(
        key=key,
        name=name,
        basis=basis,
        start=start,
        due=due,
        unit=unit,
        status=status,
        remaining=remaining,
        limit=limit,
        met_on=met_on,
        extended_by=extended_by,
        paused_days=paused_days,
        skipped=calendar.holiday_periods(start, due),
        uses_fallback=calendar.uses_fallback(start, max(due, reference)),
    )


def paused_dates(pauses: Iterable, after: datetime.date, until: datetime.date) -> set[datetime.date]:
    """The days in (after, until] covered by any of the pauses, overlapping pauses counted once. A pause
    from S to E covers the days after S up to E (its start day is not counted, like any period's); an open
    pause runs up to ``until``."""
    days: set[datetime.date] = set()
    for pause in pauses:
        low = max(pause.start, after)
        high = min(pause.end or until, until)
        day = low + calendar.ONE_DAY
        while day <= high:
            days.add(day)
            day += calendar.ONE_DAY
    return days


def _approved_days(approvals: Iterable, kind: str, default: int) -> int:
    from .models import ApprovalStatus

    return sum(a.days or default for a in approvals if a.kind == kind and a.status == ApprovalStatus.APPROVED)


def _filing_met_on(case, transitions) -> datetime.date | None:
    """立案, 不予立案 or 移送 out of the lead stages all answer the question whether to 立案."""
    if case.filed_on:
        return case.filed_on
    for t in transitions:
        if t.from_stage in (Stage.LEAD, Stage.VERIFYING) and t.to_stage in (
            Stage.NOT_FILED,
            Stage.TRANSFERRED,
        ):
            return t.on
    return None


def _decision_met_on(case, transitions) -> datetime.date | None:
    """A 处理决定 ends the 90-day clock: the penalty decision, or 撤销立案/终止 or 移送 after filing."""
    if case.decided_on:
        return case.decided_on
    for t in transitions:
        if t.to_stage in (Stage.TERMINATED, Stage.TRANSFERRED) and t.on >= case.filed_on:
            return t.on
    return None


def filing_deadline(case, today: datetime.date, approvals, pauses, transitions) -> Deadline:
    """Decide whether to 立案 within 15 working days of the lead, +15 with an approved extension; testing
    and inspection time is not counted (《市场监督管理行政处罚程序规定》第十八条; working days per
    行政处罚法 第八十五条, start day not counted)."""
    from .models import ApprovalKind, PauseKind

    met_on = _filing_met_on(case, transitions)
    until = met_on or today
    testing = [p for p in pauses if p.kind == PauseKind.TESTING and p.start <= until]
    paused_days = sum(calendar.is_working_day(d) for d in paused_dates(testing, case.lead_date, until))
    extended_by = _approved_days(approvals, ApprovalKind.FILING_EXTENSION, FILING_EXTENSION_DAYS)
    due = calendar.add_working_days(case.lead_date, FILING_DAYS + extended_by + paused_days)
    return make_deadline(
        key="filing",
        name="立案审查期限",
        basis=FILING_BASIS,
        start=case.lead_date,
        due=due,
        unit=WORKING_DAYS,
        limit=FILING_DAYS,
        today=today,
        met_on=met_on,
        paused=any(p.end is None for p in testing),
        extended_by=extended_by,
        paused_days=paused_days,
    )


def decision_deadline(case, today: datetime.date, approvals, pauses, transitions) -> Deadline:
    """Decide within 90 days of 立案 (行政处罚法 第六十条), + approved extensions (30 days by default);
    hearing, testing, suspension and public-notice periods are not counted, an open pause up to today
    (《市场监督管理行政处罚程序规定》第六十四条). Calendar days: a last day on a holiday moves to the next
    working day."""
    from .models import ApprovalKind

    met_on = _decision_met_on(case, transitions)
    until = met_on or today
    relevant = [p for p in pauses if p.start <= until]
    paused_days = len(paused_dates(relevant, case.filed_on, until))
    extended_by = _approved_days(approvals, ApprovalKind.DECISION_EXTENSION, DECISION_EXTENSION_DAYS)
    due = calendar.calendar_deadline(case.filed_on, DECISION_DAYS + extended_by + paused_days)
    return make_deadline(
        key="decision",
        name="作出处理决定期限",
        basis=DECISION_BASIS,
        start=case.filed_on,
        due=due,
        unit=CALENDAR_DAYS,
        limit=DECISION_DAYS,
        today=today,
        met_on=met_on,
        paused=any(p.end is None for p in relevant),
        extended_by=extended_by,
        paused_days=paused_days,
    )


DeadlineProvider = Callable[[object, datetime.date], Iterable[Deadline]]
_providers: list[tuple[str, DeadlineProvider]] = []
# The case relations case_deadlines() reads: the foundation's three, plus those the providers declare (e.g.
# recording's "documents"). Case.objects.for_rows() prefetches them all, so list pages stay at a fixed
# number of queries whatever the providers.
_prefetch: list[str] = ["approvals", "pauses", "transitions"]


def register_deadline_provider(
    func: DeadlineProvider, *, name: str | None = None, prefetch: Iterable[str] = ()
) -> DeadlineProvider:
    """Systems add their deadlines (e.g. 查封扣押 30 days) from AppConfig.ready(); registered once by name.
    `prefetch` names the case relations the provider reads (through ``case.<relation>.all()``)."""
    key = name or f"{func.__module__}.{func.__qualname__}"
    if all(existing != key for existing, _ in _providers):
        _providers.append((key, func))
    for relation in prefetch:
        if relation not in _prefetch:
            _prefetch.append(relation)
    return func


def deadline_prefetch() -> list[str]:
    """The relations to prefetch on cases whose deadlines a page computes (no query per case then)."""
    return list(_prefetch)


def case_deadlines(case, today: datetime.date | None = None) -> list[Deadline]:
    """All statutory deadlines of the case as of ``today`` (default: the local date). 简易程序 cases have no
    立案 and no 90-day limit (行政处罚法 第五十一、五十二条), nor has an inspection (its clocks are the
    inspection app's)."""
    today = today or timezone.localdate()
    with calendar.cached():
        deadlines: list[Deadline] = []
        if case.procedure == Procedure.ORDINARY:
            approvals = list(case.approvals.all())
            pauses = list(case.pauses.all())
            transitions = list(case.transitions.all())
            deadlines.append(filing_deadline(case, today, approvals, pauses, transitions))
            if case.filed_on:
                deadlines.append(decision_deadline(case, today, approvals, pauses, transitions))
        for _, provider in _providers:
            deadlines.extend(provider(case, today))
    return deadlines


def next_open_deadline(deadlines):
    """The open deadline that falls first (None when every deadline is met)."""
    open_ = [d for d in deadlines if not d.is_met]
    return min(open_, key=lambda d: d.due) if open_ else None


def case_rows(cases, today):
    """(case, next open deadline) for cases fetched with Case.objects.for_rows(): no query per case."""
    return [(case, next_open_deadline(case.deadlines(today))) for case in cases]


def urgent_deadlines(cases, today):
    """(case, deadline) for every overdue or soon-due open deadline, the most urgent first."""
    urgent = [
        (case, d) for case in cases for d in case.deadlines(today) if d.status in (Status.RED, Status.AMBER)
    ]
    return sorted(urgent, key=lambda pair: pair[1].due)
