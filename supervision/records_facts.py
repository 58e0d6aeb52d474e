"""The facts behind 记录统计 (supervision/records_stats.py): one fact per registered case, per stage span,
per returned review, per overdue step, per act that requires audio-video, per decision to publish, per decided
first review round, each dated and tied to its case, read from the three systems in a fixed number of queries.
What each fact means is written out for the users in records_stats.DEFINITIONS: keep the two in step.

The facts that do not depend on the day they are read (registrations, stage spans, clocks met late) are
materialised per case and summed per month (records_store.py, its docstring gives the design): tally() reads
that rollup and computes only the rest live; tally(computed=True) computes every fact from the systems' rows,
the truth the materialised facts are checked against (tests/supervision/test_record_facts.py).
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, F, IntegerField, Q, Value, When
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import reading_moment
from wuding_enforcement.cases.models import Case as CaseModel
from wuding_enforcement.cases.models import CaseTransition, RuleSettings
from wuding_enforcement.cases.workflow import Procedure, Stage
from wuding_enforcement.shared.chinese import cn_date, cn_month

from .models import RecordFact, RecordKey, RecordRollup

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
    period: Period,
    today: datetime.date,
    *,
    by: str | None,
    kind: str | None = None,
    refreshed: bool = False,
    computed: bool = False,
) -> tuple[list[Tallied], list[Tallied]]:
    """The facts of `period` (of the cases of one 办案类别 `kind`, or all) aggregated by day (by month for the
    materialised facts: only the months and the total row read these lines) — each fact once — and, when `by`
    names a group key (KEY_SQL), by that key too. One aggregate query (and the withdrawal candidates) after
    the deadline table (and with it the materialised facts) is brought up to date, plus the withdrawal setting
    and the working-day table when a withdrawal falls in the period. `refreshed`: the caller has just brought
    the deadline table up to date. `computed`: every fact computed from the systems' rows (the truth the
    materialised facts are checked against); also taken for a period that is not whole months."""
    whole_months = period.start.day == 1 and period.end == _month_end(period.end.year, period.end.month)
    if computed or not whole_months or connection.vendor != "postgresql":
        return _tally_computed(period, today, by=by, kind=kind, refreshed=refreshed)
    sources = _live_sources(period, today, refreshed)
    union = " UNION ALL ".join(sql for sql, _ in sources)
    params: list = [p for _, ps in sources for p in ps]
    where, kind_params = _kind_where(kind)
    params += kind_params
    aggregates = "f.kind, f.sub, COUNT(*), SUM(f.num), SUM(f.flag)"
    rolled = "r.kind, r.sub, SUM(r.count), SUM(r.total), SUM(r.held)"
    pkind, pkind_params = ("", []) if kind is None else (" AND r.pkind = %s", [kind])
    rollup = RecordRollup._meta.db_table
    sql = (
        f"WITH facts AS (SELECT * FROM ({union}) f{where}) "  # noqa: S608
        f"SELECT 0, f.day, NULL, {aggregates} FROM facts f GROUP BY f.day, f.kind, f.sub"
        f" UNION ALL SELECT 0, r.month, NULL, {rolled} FROM {rollup} r"
        f" WHERE r.dim = '{PROCEDURE_DIM}' AND r.month >= %s AND r.month <= %s{pkind}"
        " GROUP BY r.month, r.kind, r.sub HAVING SUM(r.count) > 0"
    )
    params += [period.start, period.end, *pkind_params]
    if by is not None:
        sql += (
            f" UNION ALL SELECT 1, NULL, k.gkey, {aggregates} FROM facts f"  # noqa: S608
            f" LEFT JOIN {RecordKey._meta.db_table} k ON k.case_id = f.case_id AND k.dim = %s"
            " GROUP BY k.gkey, f.kind, f.sub"
            f" UNION ALL SELECT 1, NULL, r.gkey, {rolled} FROM {rollup} r"
            f" WHERE r.dim = %s AND r.month >= %s AND r.month <= %s{pkind}"
            " GROUP BY r.gkey, r.kind, r.sub HAVING SUM(r.count) > 0"
        )
        params += [by, by, period.start, period.end, *pkind_params]
    rows = _run(sql, params)
    key = _KEY_TYPES.get(by or "", str)
    by_day = [
        Tallied(_day(d), kd, sub, n, int(t or 0), int(h or 0))
        for part, d, _, kd, sub, n, t, h in rows
        if not part
    ]
    by_key = [
        Tallied(None if k is None else key(k), kd, sub, n, int(t or 0), int(h or 0))
        for part, _, k, kd, sub, n, t, h in rows
        if part
    ]
    return by_day, by_key


def _kind_where(kind: str | None) -> tuple[str, list]:
    if kind is None:
        return "", []
    procedures = KIND_PROCEDURES[kind]
    marks = ", ".join(["%s"] * len(procedures))
    return f" WHERE f.case_id IN (SELECT id FROM cases_case WHERE procedure IN ({marks}))", list(procedures)  # noqa: S608


def _run(sql: str, params: list) -> list:
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
        return cursor.fetchall()


def _tally_computed(period, today, *, by, kind, refreshed):
    """tally() with every fact computed from the systems' rows (the statistics before the facts were
    materialised, and the truth records_store.check compares them with)."""
    (entries_sql, entries_params), sources = _sources(period, today, refreshed)
    union = " UNION ALL ".join(sql for sql, _ in sources)
    params: list = [*entries_params, *(p for _, ps in sources for p in ps)]
    where, kind_params = _kind_where(kind)
    params += kind_params
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
    rows = _run(sql, params)
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


# The dimension every case has exactly one key of (its 办案类别): the rollup's lines of it are the total row's
# and the months'. The unit and officer keys are ids, stored as text.
PROCEDURE_DIM = "procedure"
_KEY_TYPES = {"unit": int, "officer": int}


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
    """Every fact source of the period computed from the systems' rows: the per-case WITH clause of the spans
    and the sources (the computed truth)."""
    cases = CaseModel.objects.filter(_alive(period, _counted(period)))
    entries, spans = _span_sources(period, cases)
    sources = [
        _select(
            CASE,
            cases.filter(lead_date__range=(period.start, period.end)).values(
                case_id=F("pk"), f_day=F("lead_date")
            ),
        ),
        *spans,
        _select(
            OVERDUE,
            _late_clocks(period, today, refreshed).filter(case__in=cases).values("case_id", f_day=F("due")),
        ),
    ]
    return entries, sources + _row_sources(period, today)


# The live sources' SQL is the same for a period and a day whatever the rows (every value a bound parameter;
# the one source that depends on the rows, the late withdrawals, is added per call): each process compiles it
# once per (period, day) — Django compiling the ~15 querysets cost more than PostgreSQL running them. The
# moment the hours clocks are read at stands in the compiled parameters as _NOW and is put in per call.
_COMPILED: "OrderedDict[tuple, list[tuple[str, tuple]]]" = OrderedDict()
_COMPILED_MAX = 64
_NOW = datetime.datetime(1, 1, 1, 0, 0, 0, 424242, tzinfo=datetime.UTC)


def _live_sources(period, today, refreshed=False):
    """The fact sources of the period that are not in the monthly rollup: the clocks still open past their
    due date (late because today came), the materialised facts whose case is not surely alive in their month
    (RecordFact.sure), and the facts of the review rounds, publications and audio-video acts (read from their
    own rows on their date indexes)."""
    from wuding_enforcement.cases.deadline_sync import refresh_stale

    if not refreshed:
        refresh_stale()
    key = (period.start, period.end, today)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = _live_static_sources(period, today)
        while len(_COMPILED) > _COMPILED_MAX:
            _COMPILED.popitem(last=False)
    else:
        _COMPILED.move_to_end(key)
    now = reading_moment(today)
    sources = [
        (sql, tuple(now if isinstance(p, datetime.datetime) and p == _NOW else p for p in params))
        for sql, params in compiled
    ]
    return sources + _late_withdrawal_sources(period, today)


def _live_static_sources(period, today) -> list[tuple[str, tuple]]:
    """_live_sources() less the late withdrawals, with _NOW for the moment: SQL and parameters only."""
    cases = CaseModel.objects.filter(_alive(period, _counted(period)))
    unsure = RecordFact.objects.filter(
        sure=False, day__range=(period.start, period.end), case_id__in=cases.values("pk")
    )
    unsure_sql, unsure_params = (
        unsure.values("case_id", "day", "kind", "sub", "num", "flag").order_by().query.sql_with_params()
    )
    sources = [
        _select(
            OVERDUE,
            _late_clocks(period, today, refreshed=True, now=_NOW)
            .filter(met_on__isnull=True, case__in=cases)
            .values("case_id", f_day=F("due")),
        ),
        (f"SELECT u.case_id, u.day, u.kind, u.sub, u.num, u.flag FROM ({unsure_sql}) u", unsure_params),  # noqa: S608
    ]
    return [(sql, tuple(params)) for sql, params in sources + _row_static_sources(period, today)]


# --- The materialised facts (records_store.py writes them per case) --------------------------------------

# Every date: the materialised facts of a case are those of all time.
ALWAYS = Period(datetime.date(1, 1, 1), datetime.date(9999, 12, 31))
# A case is surely alive in a fact's month (so in any period of whole months containing the fact) when it was
# registered by the end of that month and not archived before its first day (_alive).
SURE_SQL = (
    "COALESCE(date_trunc('month', c.lead_date)::date <= f.day"
    " AND (c.archived_on IS NULL OR c.archived_on >= date_trunc('month', f.day)::date), FALSE)"
)


def materialised_facts(case_ids: list[int]) -> tuple[str, list]:
    """A SELECT of (case_id, day, kind, sub, num, flag, sure): the facts of these cases that do not depend on
    the day they are read — the case's registration, its stage spans, its clocks met after their due date
    (the same sources as the computed facts, over all time) — and whether the case is surely alive in the
    fact's month (SURE_SQL)."""
    cases = CaseModel.objects.filter(pk__in=case_ids)
    (entries_sql, entries_params), spans = _span_sources(ALWAYS, cases)
    sources = [
        _select(CASE, cases.filter(lead_date__isnull=False).values(case_id=F("pk"), f_day=F("lead_date"))),
        *spans,
        _select(OVERDUE, _settled_clocks().filter(case_id__in=case_ids).values("case_id", f_day=F("due"))),
    ]
    union = " UNION ALL ".join(sql for sql, _ in sources)
    sql = (
        f"WITH {SPANS_CTE} AS ({entries_sql}) SELECT f.case_id, f.day, f.kind, f.sub, f.num, f.flag,"  # noqa: S608
        f" {SURE_SQL} FROM ({union}) f JOIN {CaseModel._meta.db_table} c ON c.id = f.case_id"
    )
    return sql, [*entries_params, *(p for _, ps in sources for p in ps)]


def materialised_keys(case_ids: list[int]) -> tuple[str, list]:
    """A SELECT of (case_id, dim, gkey): the group keys of these cases (KEY_SQL), as text."""
    parts = [
        f"SELECT k.case_id, '{dim}', CAST(k.gkey AS TEXT) FROM ({sql}) k WHERE k.case_id = ANY(%s)"  # noqa: S608
        for dim, sql in KEY_SQL.items()
    ]
    return " UNION ALL ".join(parts), [list(case_ids)] * len(parts)


def _row_sources(period, today):
    """The facts read from the review rounds, the publications and the audio-video acts of the period."""
    return _row_static_sources(period, today) + _late_withdrawal_sources(period, today)


def _row_static_sources(period, today):
    """_row_sources() less the late withdrawals (which are computed from the rows: see _live_sources)."""
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
    sources = [
        _select(
            AV,
            _av_acts(period)
            .annotate(f_flag=_int(Q(has_av=True)))
            .values("case_id", "f_flag", f_day=F("day")),
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
    return sources


def _late_withdrawal_sources(period, today) -> list[tuple[str, tuple]]:
    """The late withdrawal clocks of the period as a source (none when there is none): one query."""
    sources: list[tuple[str, tuple]] = []
    late_withdrawals = list(_late_withdrawals(_publications(period), period, today))
    if late_withdrawals:
        rows = " UNION ALL ".join(["SELECT %s AS case_id, %s AS f_day"] * len(late_withdrawals))
        sources.append(
            (
                f"SELECT s.case_id AS case_id, s.f_day AS day, '{OVERDUE}' AS kind, '' AS sub, 0 AS num, 0 AS flag"  # noqa: S608
                f" FROM ({rows}) s",
                tuple(v for row in late_withdrawals for v in row),
            )
        )
    return sources


def _counted(period) -> list:
    """The review rounds, publications and audio-video acts counted in the period (their cases are alive)."""
    return [_rounds(period), _publications(period), _av_acts(period)]


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


def _late_clocks(period, today, refreshed=False, now=None):
    """The clocks due in the period and met late or still open past their due date, from the deadline table
    (cases/deadline_rows.py, brought up to date first), on its index by due date. The legal-review and
    publication clocks are counted from their own rows (every review round, not only the latest one the case
    page shows, and the publications whatever the case's stage)."""
    from wuding_enforcement.cases.deadline_rows import CaseDeadline
    from wuding_enforcement.cases.deadline_sync import refresh_stale

    if not refreshed:
        refresh_stale()
    return _own_clocks(
        CaseDeadline.objects.late_in(period.start, period.end, today, now or reading_moment(today))
    )


def _settled_clocks():
    """The clocks met after their due date (late whatever day it is), on any date: late_in on a day before
    any clock (no open clock is late then), with the same exclusions as _late_clocks."""
    from wuding_enforcement.cases.deadline_rows import CaseDeadline

    first = datetime.date(1, 1, 1)
    moment = datetime.datetime(1, 1, 1, tzinfo=datetime.UTC)
    return _own_clocks(CaseDeadline.objects.late_in(first, datetime.date(9999, 12, 31), first, moment))


def _own_clocks(queryset):
    """The legal-review and publication clocks are counted from their own rows (_row_sources)."""
    return (
        queryset.exclude(key="legal_review")
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
