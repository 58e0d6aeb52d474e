"""The facts behind 记录统计 (supervision/records_stats.py): one fact per registered case, per stage span,
per returned review, per overdue step, per act that requires audio-video, per decision to publish, per decided
first review round, each dated and tied to its case, read from the three systems in a fixed number of queries.
What each fact means is written out for the users in records_stats.DEFINITIONS: keep the two in step.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import Status
from wuding_enforcement.cases.models import Case, CaseOfficer, RuleSettings
from wuding_enforcement.cases.workflow import Procedure, Stage
from wuding_enforcement.shared.chinese import cn_date, cn_month

# Stage spans: (key, label, stage entered at the start or None for the lead date, stage entered at the end).
SPANS = [
    ("lead_filed", "线索→立案", None, Stage.FILED),
    ("filed_decided", "立案→决定", Stage.FILED, Stage.DECIDED),
    ("decided_closed", "决定→结案", Stage.DECIDED, Stage.CLOSED),
    ("closed_archived", "结案→归档", Stage.CLOSED, Stage.ARCHIVED),
]
# How far before the period a withdrawal event may lie and still fall due inside it (3 working days by
# default; the margin covers any sensible setting across the longest holiday).
WITHDRAWAL_MARGIN = datetime.timedelta(days=60)


# --- Period ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: datetime.date  # the first day of the first month
    end: datetime.date  # the last day of the last month

    @classmethod
    def of_months(cls, first: tuple[int, int], last: tuple[int, int]) -> "Period":
        return cls(datetime.date(first[0], first[1], 1), _month_end(*last))

    @classmethod
    def of_year(cls, year: int) -> "Period":
        return cls.of_months((year, 1), (year, 12))

    @property
    def whole_year(self) -> bool:
        return (self.start.month, self.end.month) == (1, 12) and self.start.year == self.end.year

    @property
    def label(self) -> str:
        if self.whole_year:
            return f"{self.start.year}年"
        first, last = cn_month(self.start), cn_month(self.end)
        return first if first == last else f"{first}—{last}"

    @property
    def dates_label(self) -> str:
        return f"{cn_date(self.start)}至{cn_date(self.end)}"

    @property
    def slug(self) -> str:
        if self.whole_year:
            return str(self.start.year)
        return f"{self.start:%Y-%m}至{self.end:%Y-%m}"

    def months(self) -> list[tuple[int, int]]:
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            months.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months

    def __contains__(self, day: datetime.date) -> bool:
        return self.start <= day <= self.end


# Fact kinds.
CASE, SPAN, RETURNED, OVERDUE = "case", "span", "returned", "overdue"
AV, PUBLICATION, FIRST_ROUND = "av", "publication", "first_round"


@dataclass(frozen=True)
class Fact:
    kind: str
    case_id: int
    day: datetime.date
    # What the kind says: SPAN (key, days); RETURNED the problem points; OVERDUE the step's name;
    # AV/PUBLICATION/FIRST_ROUND a bool. Any, since Tally.add reads it by kind.
    value: Any = None


@dataclass
class CaseInfo:
    unit_id: int
    fields: tuple[str, ...]
    officers: tuple[tuple[int, str, int | None], ...]  # (id, name, unit id)


# --- Collecting the facts -------------------------------------------------------------------------------


def collect_facts(period: Period, today: datetime.date) -> tuple[list[Fact], dict[int, CaseInfo]]:
    """Every fact dated inside the period, and what each fact's case is grouped by."""
    rounds_qs, publications_qs, acts_qs = _rounds(period), _publications(period), _av_acts(period)
    rounds = _with_problems(list(rounds_qs), period)
    publications = list(publications_qs)
    withdrawal_days = _withdrawal_days()
    acts = list(acts_qs)
    cases = _cases(period, [rounds_qs, publications_qs, acts_qs])

    facts: list[Fact] = []
    infos: dict[int, CaseInfo] = {}
    for case in cases:
        officers = tuple(
            (a.officer_id, a.officer.display_name, a.officer.unit_id) for a in case.assignments.all()
        )
        infos[case.pk] = CaseInfo(
            unit_id=case.handling_unit_id,
            fields=tuple(sorted({m.field for m in case.matters.all()})),
            officers=officers,
        )
        if case.lead_date in period:
            facts.append(Fact(CASE, case.pk, case.lead_date))
        facts.extend(_span_facts(case, period))
    facts.extend(
        Fact(OVERDUE, row["case_id"], row["due"], row["name"])
        for row in _late_clocks(period, today)
        if row["case_id"] in infos
    )

    facts.extend(_round_facts(rounds, period, today))
    facts.extend(_publication_facts(publications, period, today, withdrawal_days))
    facts.extend(Fact(AV, a["case_id"], a["day"], a["has_av"]) for a in acts)
    return facts, infos


def case_clocks(case, today: datetime.date) -> list:
    """The case's statutory clocks (case.deadlines(), on what Case.objects.for_rows() prefetched) except the
    legal-review and publication clocks, which are counted from their own rows below: every review round,
    not only the latest one the case page shows, and the publications whatever the case's stage."""
    return [
        deadline
        for deadline in case.deadlines(today)
        if deadline.key != "legal_review" and not deadline.key.startswith(("publication-", "withdrawal-"))
    ]


def _late_clocks(period, today):
    """The clocks due in the period and met late or still open past their due date, from the deadline table
    (cases/deadline_rows.py, brought up to date first): one query on the index by due date instead of every
    clock of every case in Python. The same clocks as case_clocks(): the legal-review and publication clocks
    are counted from their own rows (below)."""
    from wuding_enforcement.cases.deadline_rows import CaseDeadline
    from wuding_enforcement.cases.deadline_sync import refresh_stale

    refresh_stale()
    now = timezone.now()
    if timezone.localdate(now) != today:
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    return (
        CaseDeadline.objects.late_in(period.start, period.end, today, now)
        .exclude(key="legal_review")
        .exclude(key__startswith="publication-")
        .exclude(key__startswith="withdrawal-")
        .order_by("case_id", "due", "key")
        .values("case_id", "due", "name")
    )


def is_late(deadline) -> bool:
    """Met after its due date, or still open past it; a paused clock is not overdue."""
    return deadline.remaining < 0 and deadline.status in (Status.MET, Status.RED)


def _late(due: datetime.date, met_on: datetime.date | None, today: datetime.date) -> bool:
    return (met_on or today) > due


def _cases(period, counted):
    """Cases alive in the period (registered by its end, not archived before it starts) and the cases of
    every round, publication and act counted (subqueries), with what the clocks and the grouping read."""
    alive = Q(lead_date__lte=period.end) & (Q(archived_on__isnull=True) | Q(archived_on__gte=period.start))
    for queryset in counted:
        alive |= Q(pk__in=queryset.values("case_id"))
    # Only what the facts and the grouping read: the clocks come from the deadline table.
    return (
        Case.objects.prefetch_related(
            Prefetch("assignments", queryset=CaseOfficer.objects.select_related("officer")),
            "matters",
            "transitions",
        )
        .filter(alive)
        .order_by("pk")
    )


def _span_facts(case, period):
    if case.procedure != Procedure.ORDINARY:
        return
    entered: dict[str, datetime.date] = {}
    for transition in case.transitions.all():
        entered.setdefault(transition.to_stage, transition.on)
    for key, _, start_stage, end_stage in SPANS:
        start = case.lead_date if start_stage is None else entered.get(start_stage)
        end = entered.get(end_stage)
        if start is not None and end is not None and end in period:
            yield Fact(SPAN, case.pk, end, (key, (end - start).days))


def _rounds(period):
    from legal_review.models import ReviewRound

    dates = (period.start, period.end)
    return ReviewRound.objects.filter(Q(decided_on__range=dates) | Q(due_on__range=dates)).values(
        "pk", "case_id", "number", "status", "decided_on", "due_on"
    )


def _with_problems(rounds, period):
    """The checklist points found wanting in each returned round decided in the period."""
    from legal_review.models import ChecklistItem, CheckResult, RoundStatus

    points = defaultdict(list)
    for item in ChecklistItem.objects.filter(
        round__status=RoundStatus.RETURNED,
        round__decided_on__range=(period.start, period.end),
        result=CheckResult.PROBLEM,
    ).values("round_id", "point"):
        points[item["round_id"]].append(item["point"])
    for r in rounds:
        r["problems"] = tuple(points[r["pk"]])
    return rounds


def _round_facts(rounds, period, today):
    from legal_review.models import OPEN_STATUSES, OUTCOMES, RoundStatus

    for r in rounds:
        decided = r["decided_on"]
        if decided is not None and decided in period:
            if r["status"] == RoundStatus.RETURNED:
                yield Fact(RETURNED, r["case_id"], decided, r["problems"])
            if r["number"] == 1 and r["status"] in OUTCOMES:
                yield Fact(FIRST_ROUND, r["case_id"], decided, r["status"] == RoundStatus.APPROVED)
        open_ = r["status"] in OPEN_STATUSES
        if r["due_on"] in period and (decided is not None or open_) and _late(r["due_on"], decided, today):
            yield Fact(OVERDUE, r["case_id"], r["due_on"], f"法制审核期限（第{r['number']}轮）")


def _publications(period):
    from disclosure.models import Publication

    since = period.start - WITHDRAWAL_MARGIN
    return Publication.objects.filter(
        Q(due_on__range=(period.start, period.end))
        | Q(withdrawal_event_on__range=(since, period.end))
        | Q(document__superseded_by__issued_at__date__range=(since, period.end))
    ).values(
        "pk",
        "case_id",
        "status",
        "due_on",
        "published_on",
        "withdrawal_event_on",
        "withdrawn_at",
        "document__superseded_by__issued_at",
    )


def _publication_facts(publications, period, today, withdrawal_days):
    """公示 within the limit (disclosure.publication.publication_deadlines reads the same fields), and the
    3-working-day withdrawal clock of a changed or corrected decision."""
    from disclosure.models import PublicationStatus as S

    for p in publications:
        due = p["due_on"]
        met = p["published_on"] if p["status"] != S.DRAFT else None
        to_publish = p["status"] in (S.DRAFT, S.PUBLISHED) or p["published_on"]
        if to_publish and due in period and (met is not None or due < today):
            on_time = met is not None and met <= due
            yield Fact(PUBLICATION, p["case_id"], due, on_time)
            if not on_time:
                yield Fact(OVERDUE, p["case_id"], due, "处罚决定公示期限")
        corrected_at = p["document__superseded_by__issued_at"]
        event = p["withdrawal_event_on"] or (timezone.localdate(corrected_at) if corrected_at else None)
        if event and p["status"] in (S.PUBLISHED, S.WITHDRAWN):
            withdrawal_due = calendar.add_working_days(event, withdrawal_days)
            withdrawn = timezone.localdate(p["withdrawn_at"]) if p["withdrawn_at"] else None
            if withdrawal_due in period and _late(withdrawal_due, withdrawn, today):
                yield Fact(OVERDUE, p["case_id"], withdrawal_due, "撤回公示期限")


def _withdrawal_days() -> int:
    # The same read the deadline providers share for the request (cases.calendar.scoped).
    return calendar.scoped("rule_settings", RuleSettings.current).withdrawal_working_days


def _av_acts(period):
    """Issued, current documents of acts under an audio-video rule, dated in the period, and whether live
    video or audio is linked to them (recording.builtin_gates.audio_video and service_receipt_av)."""
    from recording.models import Document, DocumentStatus

    return (
        Document.objects.issued()
        .exclude(superseded_by__status=DocumentStatus.ISSUED)
        .under_av_rule()
        .with_live_av()
        .annotate(day=Coalesce("act_date", TruncDate("issued_at")))
        .filter(day__range=(period.start, period.end))
        .values("case_id", "day", "has_av")
    )


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return following - datetime.timedelta(days=1)
