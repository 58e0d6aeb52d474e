"""The facts behind 记录统计 (supervision/records_stats.py): one fact per registered case, per stage span,
per returned review, per overdue step, per act that requires audio-video, per decision to publish, per decided
first review round, each dated and tied to its case, read from the three systems in a fixed number of queries.
What each fact means is written out for the users in records_stats.DEFINITIONS: keep the two in step.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import Case as CaseModel
from wuding_enforcement.cases.models import CaseTransition, RuleSettings
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


# Fact kinds. PROBLEM: one per review point found wanting in a returned round (counted for 最常见问题).
CASE, SPAN, RETURNED, OVERDUE = "case", "span", "returned", "overdue"
AV, PUBLICATION, FIRST_ROUND, PROBLEM = "av", "publication", "first_round", "problem"

# What the facts can be restricted to (the page's 办案类别 filter and grouping): penalty cases (普通 and 简易
# 程序) or inspections (行政检查, a case on its own procedure path).
PENALTY, INSPECTION = "penalty", "inspection"
CASE_KINDS = {PENALTY: "行政处罚", INSPECTION: "行政检查"}
KIND_PROCEDURES = {PENALTY: (Procedure.ORDINARY, Procedure.SIMPLE), INSPECTION: (Procedure.INSPECTION,)}


@dataclass(frozen=True)
class Tallied:
    """One line of the aggregate: the facts of one kind (and sub-kind: the span, the review point) under one
    group key, their number, the sum of their values (a span's days) and how many of them hold (a ratio's
    numerator)."""

    key: Any
    kind: str
    sub: str
    count: int
    total: int
    held: int


# --- Collecting the facts: SQL ----------------------------------------------------------------------------
#
# Every kind of fact is a SELECT of rows (case_id, day, kind, sub, num, flag); the report is one GROUP BY over
# their UNION ALL — by the fact's day (the months and the total row) and, for the other groupings, once more
# joined to the cases' group keys (unit, matter category, officer, 办案类别). The database does the counting:
# the Python side reads a few hundred aggregate lines whatever the number of cases.
# The SQL is composed from our own table, column and kind names (the S608 waivers below); every value is a
# bound parameter.


def tally(
    period: Period, today: datetime.date, *, by: str | None, kind: str | None = None, refreshed: bool = False
) -> tuple[list[Tallied], list[Tallied]]:
    """The facts of `period` (of the cases of one 办案类别 `kind`, or all) aggregated by day — the months and
    the total row, each fact once — and, when `by` names a group key (KEY_SQL), by that key too. One
    aggregate query (and the withdrawal candidates) after the deadline table is brought up to date, plus the
    withdrawal setting and the working-day table when a withdrawal falls in the period. `refreshed`: the
    caller has just brought the deadline table up to date."""
    (entries_sql, entries_params), sources = _sources(period, today, refreshed)
    union = " UNION ALL ".join(sql for sql, _ in sources)
    params: list = [*entries_params, *(p for _, ps in sources for p in ps)]
    where = ""
    if kind is not None:
        procedures = KIND_PROCEDURES[kind]
        marks = ", ".join(["%s"] * len(procedures))
        where = f" WHERE f.case_id IN (SELECT id FROM cases_case WHERE procedure IN ({marks}))"  # noqa: S608
        params += list(procedures)
    aggregates = "f.kind, f.sub, COUNT(*), SUM(f.num), SUM(f.flag)"
    sql = (
        f"WITH {SPANS_CTE} AS ({entries_sql}), facts AS (SELECT * FROM ({union}) f{where}) "  # noqa: S608
        f"SELECT 0, f.day, NULL, {aggregates} FROM facts f GROUP BY f.day, f.kind, f.sub"
    )
    if by is not None:
        sql += (
            f" UNION ALL SELECT 1, NULL, k.gkey, {aggregates} FROM facts f"  # noqa: S608
            f" LEFT JOIN ({KEY_SQL[by]}) k ON k.case_id = f.case_id GROUP BY k.gkey, f.kind, f.sub"
        )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # No JIT for this query: its cost estimate (an index probe per case and stage) passes PostgreSQL's
            # jit_optimize_above_cost at a province's scale, and compiling its ~300 expressions took 22 s
            # for a query that runs in under one (EXPLAIN ANALYZE at 50,000 cases). SET LOCAL in the same
            # simple-protocol query string (client-side binding): one round trip, one implicit transaction,
            # so the setting ends with the query (or with the caller's transaction).
            cursor.execute("SET LOCAL jit = off; " + sql, params)
            cursor.nextset()
        else:
            cursor.execute(sql, params)
        rows = cursor.fetchall()
    by_day = [
        Tallied(_day(d), kd, sub, n, int(t or 0), int(h or 0))
        for part, d, _, kd, sub, n, t, h in rows
        if not part
    ]
    by_key = [
        Tallied(k, kd, sub, n, int(t or 0), int(h or 0)) for part, _, k, kd, sub, n, t, h in rows if part
    ]
    return by_day, by_key


# The group keys of every case (unit, matter categories, officers, 办案类别); a case without any matter or
# officer has one NULL key, so that its facts are counted under 未关联事项 / 未指派承办人.
KEY_SQL = {
    "unit": "SELECT id AS case_id, handling_unit_id AS gkey FROM cases_case",
    "matter": (
        "SELECT DISTINCT c.id AS case_id, p.field AS gkey FROM cases_case c"
        " LEFT JOIN cases_case_matters m ON m.case_id = c.id LEFT JOIN cases_poweritem p ON p.id = m.poweritem_id"
    ),
    "officer": (
        "SELECT c.id AS case_id, o.officer_id AS gkey FROM cases_case c"
        " LEFT JOIN cases_caseofficer o ON o.case_id = c.id"
    ),
    "procedure": (
        f"SELECT id AS case_id, CASE WHEN procedure = '{Procedure.INSPECTION}' THEN '{INSPECTION}'"  # noqa: S608
        f" ELSE '{PENALTY}' END AS gkey FROM cases_case"
    ),
}


def _day(value) -> datetime.date:
    return datetime.date.fromisoformat(value) if isinstance(value, str) else value


def _select(kind: str, queryset, *, sub: str = "''", num: str = "0", flag: str = "0") -> tuple[str, tuple]:
    """A fact kind from a values() queryset with the columns case_id and f_day (and f_sub, f_num, f_flag)."""
    sql, params = queryset.order_by().query.sql_with_params()
    return (
        f"SELECT s.case_id AS case_id, s.f_day AS day, '{kind}' AS kind, {sub} AS sub, {num} AS num,"  # noqa: S608
        f" {flag} AS flag FROM ({sql}) s",
        params,
    )


def _int(condition: Q) -> Case:
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def _sources(period, today, refreshed=False):
    from disclosure.models import Publication
    from disclosure.models import PublicationStatus as S
    from legal_review.models import (
        OPEN_STATUSES,
        OUTCOMES,
        ChecklistItem,
        CheckResult,
        ReviewRound,
        RoundStatus,
    )

    dates = (period.start, period.end)
    rounds, publications, acts = _rounds(period), _publications(period), _av_acts(period)
    alive = _alive(period, [rounds, publications, acts])
    cases = CaseModel.objects.filter(alive)
    entries, spans = _span_sources(period, cases)
    sources = [
        _select(CASE, cases.filter(lead_date__range=dates).values(case_id=F("pk"), f_day=F("lead_date"))),
        *spans,
        _select(
            OVERDUE,
            _late_clocks(period, today, refreshed).filter(case__in=cases).values("case_id", f_day=F("due")),
        ),
        _select(
            AV,
            acts.annotate(f_flag=_int(Q(has_av=True))).values("case_id", "f_flag", f_day=F("day")),
            flag="s.f_flag",
        ),
    ]
    decided = ReviewRound.objects.filter(decided_on__range=dates)
    sources += [
        _select(
            RETURNED, decided.filter(status=RoundStatus.RETURNED).values("case_id", f_day=F("decided_on"))
        ),
        _select(
            PROBLEM,
            ChecklistItem.objects.filter(
                round__status=RoundStatus.RETURNED, round__decided_on__range=dates, result=CheckResult.PROBLEM
            ).values(
                case_id=F("round__case_id"), f_day=F("round__decided_on"), f_sub=Cast("point", CharField())
            ),
            sub="s.f_sub",
        ),
        _select(
            FIRST_ROUND,
            decided.filter(number=1, status__in=OUTCOMES)
            .annotate(f_flag=_int(Q(status=RoundStatus.APPROVED)))
            .values("case_id", "f_flag", f_day=F("decided_on")),
            flag="s.f_flag",
        ),
        # A round due in the period, decided after its due date or still open past it.
        _select(
            OVERDUE,
            ReviewRound.objects.filter(due_on__range=dates)
            .filter(
                Q(decided_on__gt=F("due_on"))
                | Q(decided_on__isnull=True, status__in=OPEN_STATUSES, due_on__lt=today)
            )
            .values("case_id", f_day=F("due_on")),
        ),
    ]
    # 公示: a decision to publish (a draft, published, or once published) due in the period, counted once
    # published or once its due date has passed; on time when published on or before the due date.
    published = Q(published_on__isnull=False) & ~Q(status=S.DRAFT)
    due = (
        Publication.objects.filter(due_on__range=dates)
        .filter(Q(status__in=(S.DRAFT, S.PUBLISHED)) | Q(published_on__isnull=False))
        .filter(published | Q(due_on__lt=today))
    )
    on_time = published & Q(published_on__lte=F("due_on"))
    sources += [
        _select(
            PUBLICATION,
            due.annotate(f_flag=_int(on_time)).values("case_id", "f_flag", f_day=F("due_on")),
            flag="s.f_flag",
        ),
        _select(OVERDUE, due.exclude(on_time).values("case_id", f_day=F("due_on"))),
    ]
    late_withdrawals = list(_late_withdrawals(publications, period, today))
    if late_withdrawals:
        rows = " UNION ALL ".join(["SELECT %s AS case_id, %s AS f_day"] * len(late_withdrawals))
        sources.append(
            (
                f"SELECT s.case_id AS case_id, s.f_day AS day, '{OVERDUE}' AS kind, '' AS sub, 0 AS num, 0 AS flag"  # noqa: S608
                f" FROM ({rows}) s",
                tuple(v for row in late_withdrawals for v in row),
            )
        )
    return entries, sources


def _alive(period, counted) -> Q:
    """Cases alive in the period (registered by its end, not archived before it starts) and the cases of
    every round, publication and act counted (subqueries)."""
    alive = Q(lead_date__lte=period.end) & (Q(archived_on__isnull=True) | Q(archived_on__gte=period.start))
    for queryset in counted:
        alive |= Q(pk__in=queryset.values("case_id"))
    return alive


SPANS_CTE = "stage_entries"


def _span_sources(period, cases):
    """The spans of 普通程序 cases ending in the period: from the first day the case entered each stage (its
    first transition to it, in the order they were recorded) or from the lead date. Returns the per-case
    entry dates (a WITH clause, SPANS_CTE, computed once) and one fact source per span reading it."""
    stages = [Stage.FILED, Stage.DECIDED, Stage.CLOSED, Stage.ARCHIVED]
    # The cases with a transition into one of these stages in the period (index supervision_transition_stage_on_idx).
    candidates = CaseTransition.objects.filter(to_stage__in=stages, on__range=(period.start, period.end))
    pivot = cases.filter(procedure=Procedure.ORDINARY, pk__in=candidates.values("case_id")).values(
        case_id=F("pk"), lead=F("lead_date")
    )
    pivot_sql, pivot_params = pivot.order_by().query.sql_with_params()
    # Each stage's entry: the date of the case's first transition into it, in the order they were recorded —
    # one probe per case and stage on supervision_transition_first_idx (case, stage, at, id, on), an
    # index-only read of one entry, instead of ranking every transition of every candidate case.
    table = CaseTransition._meta.db_table
    probe = f"SELECT t.\"on\" FROM {table} t WHERE t.case_id = c.case_id AND t.to_stage = '%s' ORDER BY t.at, t.id LIMIT 1"  # noqa: S608
    entered = ", ".join(f"({probe % stage}) AS e_{stage}" for stage in stages)
    per_case = f"SELECT c.case_id AS case_id, c.lead AS lead, {entered} FROM ({pivot_sql}) c"  # noqa: S608
    sources = []
    for key, _, start_stage, end_stage in SPANS:
        start = "p.lead" if start_stage is None else f"p.e_{start_stage}"
        end = f"p.e_{end_stage}"
        sources.append(
            (
                f"SELECT p.case_id AS case_id, {end} AS day, '{SPAN}' AS kind, '{key}' AS sub,"  # noqa: S608
                f" {_days_between(start, end)} AS num, 0 AS flag FROM {SPANS_CTE} p"
                f" WHERE {start} IS NOT NULL AND {end} >= %s AND {end} <= %s",
                (period.start, period.end),
            )
        )
    return (per_case, tuple(pivot_params)), sources


def _days_between(start: str, end: str) -> str:
    if connection.vendor == "postgresql":
        return f"({end} - {start})"
    return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)"


def _late_clocks(period, today, refreshed=False):
    """The clocks due in the period and met late or still open past their due date, from the deadline table
    (cases/deadline_rows.py, brought up to date first), on its index by due date. The legal-review and
    publication clocks are counted from their own rows (every review round, not only the latest one the case
    page shows, and the publications whatever the case's stage)."""
    from wuding_enforcement.cases.deadline_rows import CaseDeadline
    from wuding_enforcement.cases.deadline_sync import refresh_stale

    if not refreshed:
        refresh_stale()
    now = timezone.now()
    if timezone.localdate(now) != today:
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    return (
        CaseDeadline.objects.late_in(period.start, period.end, today, now)
        .exclude(key="legal_review")
        .exclude(key__startswith="publication-")
        .exclude(key__startswith="withdrawal-")
    )


def _rounds(period):
    from legal_review.models import ReviewRound

    dates = (period.start, period.end)
    return ReviewRound.objects.filter(Q(decided_on__range=dates) | Q(due_on__range=dates))


def _publications(period):
    from disclosure.models import Publication

    since = period.start - WITHDRAWAL_MARGIN
    return Publication.objects.filter(
        Q(due_on__range=(period.start, period.end))
        | Q(withdrawal_event_on__range=(since, period.end))
        | Q(document__superseded_by__issued_at__date__range=(since, period.end))
    )


def _late_withdrawals(publications, period, today):
    """(case id, due date) of each 3-working-day withdrawal clock of a changed or corrected decision due in the
    period and met late or still open (working days: computed here, on the few publications concerned)."""
    from disclosure.models import PublicationStatus as S

    candidates = publications.filter(status__in=(S.PUBLISHED, S.WITHDRAWN)).filter(
        Q(withdrawal_event_on__isnull=False) | Q(document__superseded_by__issued_at__isnull=False)
    )
    rows = list(
        candidates.values(
            "case_id", "withdrawal_event_on", "withdrawn_at", "document__superseded_by__issued_at"
        )
    )
    if not rows:
        return
    withdrawal_days = _withdrawal_days()
    for p in rows:
        corrected_at = p["document__superseded_by__issued_at"]
        event = p["withdrawal_event_on"] or (timezone.localdate(corrected_at) if corrected_at else None)
        if event is None:
            continue
        withdrawal_due = calendar.add_working_days(event, withdrawal_days)
        withdrawn = timezone.localdate(p["withdrawn_at"]) if p["withdrawn_at"] else None
        if withdrawal_due in period and (withdrawn or today) > withdrawal_due:
            yield p["case_id"], withdrawal_due


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
    )


def _month_end(year: int, month: int) -> datetime.date:
    following = datetime.date(year + (month == 12), 1 if month == 12 else month + 1, 1)
    return following - datetime.timedelta(days=1)
