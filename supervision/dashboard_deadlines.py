"""The deadlines panel of the dashboard (已逾期 / 即将到期) in SQL, on the deadline table (cases.CaseDeadline:
every clock of every case as a row, kept current by the cases app).

The counts, the breakdowns by unit and by officer and the page of a drill-down list are each one query on
the partial index of open clocks by due date, whatever the number of cases: nothing is built per case in
Python except the rows of the page shown. The clocks are the same as the case page's (the table is a copy of
case.deadlines(), checked nightly by `manage.py rebuild_deadlines`); what "overdue" and "due soon" mean is
CaseDeadlineQuerySet.red / .amber, the rule of cases/deadlines.make_deadline.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from typing import Any, cast

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from wuding_enforcement.cases.deadline_rows import CaseDeadline, amber_q, red_q
from wuding_enforcement.cases.deadline_sync import DEADLINES, refresh_stale
from wuding_enforcement.cases.deadlines import reading_moment
from wuding_enforcement.cases.models import CaseOfficer
from wuding_enforcement.cases.workflow import FINISHED_STAGES, Procedure
from wuding_enforcement.roster.models import Staff, Unit

from .dashboard_figures import CASE_FIELDS, PERSON_FIELDS

FIGURES = ("overdue", "due-soon")


# The moment the hours clocks are read at (now, or the end of `today` when another day is asked for).
moment = reading_moment


def _filtered(
    qs: QuerySet[CaseDeadline], *, unit: Unit | None, officer: Staff | None, procedure: str
) -> QuerySet[CaseDeadline]:
    """The clocks of the active cases, filtered by the case's unit, by an assigned officer and by procedure
    ("inspection": cases on the 行政检查 path; "penalty": every other)."""
    qs = qs.exclude(case__stage__in=FINISHED_STAGES)
    if unit is not None:
        qs = qs.filter(case__handling_unit=unit)
    if officer is not None:
        qs = qs.filter(Exists(CaseOfficer.objects.filter(case=OuterRef("case"), officer=officer)))
    if procedure == "inspection":
        qs = qs.filter(case__procedure=Procedure.INSPECTION)
    elif procedure == "penalty":
        qs = qs.exclude(case__procedure=Procedure.INSPECTION)
    return qs


def _condition(figure: str, today: datetime.date, now: datetime.datetime) -> Q:
    # What "overdue" and "due soon" mean: the deadline table's own rule (cases/deadline_rows.py).
    return red_q(today, now) if figure == "overdue" else amber_q(today, now)


def rows(
    figure: str,
    today: datetime.date,
    *,
    unit: Unit | None = None,
    officer: Staff | None = None,
    procedure: str = "",
) -> QuerySet[CaseDeadline]:
    """The clocks behind one figure of the active cases, most urgent first; filtered by the case's unit, by an
    assigned officer and by procedure ("inspection": cases on the 行政检查 path; "penalty": every other)."""
    qs = _filtered(
        CaseDeadline.objects.filter(_condition(figure, today, moment(today))),
        unit=unit,
        officer=officer,
        procedure=procedure,
    )
    return qs.order_by("due", "case_id", "key")


def counts(
    today: datetime.date, *, unit=None, officer=None, figures=FIGURES, procedure: str = ""
) -> dict[str, dict]:
    """Per figure: the total, the count per unit (id; None for no unit) and per officer (id). Two queries
    whatever the figures (one count per figure in each): by unit, and by officer; the total is the sum over
    units."""
    now = moment(today)
    conditions = {figure: _condition(figure, today, now) for figure in figures}
    either = Q()
    for condition in conditions.values():
        either |= condition
    qs = _filtered(CaseDeadline.objects.filter(either), unit=unit, officer=officer, procedure=procedure)
    # One count per figure, under an alias of our own ("due-soon" is no column name).
    aliases = {f"n_{i}": figure for i, figure in enumerate(figures)}
    tallies = {alias: Count("pk", filter=conditions[figure]) for alias, figure in aliases.items()}
    by_unit: dict[str, Counter] = {figure: Counter() for figure in figures}
    unit_rows = cast(
        Iterable[dict[str, Any]], qs.order_by().values("case__handling_unit").annotate(**tallies)
    )
    for r in unit_rows:
        for alias, figure in aliases.items():
            if r[alias]:
                by_unit[figure][r["case__handling_unit"]] = r[alias]
    by_officer: dict[str, Counter] = {figure: Counter() for figure in figures}
    officer_rows = cast(
        Iterable[dict[str, Any]], qs.order_by().values("case__assignments__officer").annotate(**tallies)
    )
    for r in officer_rows:
        if r["case__assignments__officer"] is None:
            continue
        for alias, figure in aliases.items():
            if r[alias]:
                by_officer[figure][r["case__assignments__officer"]] = r[alias]
    return {
        figure: {
            "total": sum(by_unit[figure].values()),
            "by_unit": by_unit[figure],
            "by_officer": by_officer[figure],
        }
        for figure in figures
    }


def cached_counts(
    today: datetime.date, *, unit=None, officer=None, figures=FIGURES, procedure: str = "", marks=None
) -> dict[str, dict]:
    """counts(), from the cache while nothing they read has changed: kept in the deadline table's section
    (cases/deadline_sync.py DEADLINES: renewed when a refresh writes rows and by a save of what they join —
    a case, its officers), keyed on today's date (the due-soon window, the days-clocks
    turning late) and the table's last write (brought up to date first: call refresh()), and ending when an
    open clock in hours turns late (CaseDeadline.objects.marks). A save that moves no clock (a document's
    draft) leaves them cached. One query (the marks, unless the caller read them already: `marks`) instead of
    two when cached, three when not."""
    written, turns = marks if marks is not None else CaseDeadline.objects.marks(moment(today))
    variant = (today, unit.pk if unit else None, officer.pk if officer else None, tuple(figures), procedure)
    return DEADLINES.value(
        repr(("deadline-counts", variant, written)),
        lambda: counts(today, unit=unit, officer=officer, figures=figures, procedure=procedure),
        until=turns,
    )


def page_rows(qs: QuerySet[CaseDeadline]) -> QuerySet[CaseDeadline]:
    """What an Item of a page needs: the case with its unit and officers (two queries for the page), the case
    and the officers with only the fields an item is read for (CASE_FIELDS, PERSON_FIELDS: a case row and a
    person's row are wide; the list's query count, pinned whatever the number of rows, would show a deferred
    read)."""
    rows = [f.name for f in CaseDeadline._meta.concrete_fields]
    officers = CaseOfficer.objects.select_related("officer").only(
        "case", "officer", *(f"officer__{name}" for name in PERSON_FIELDS)
    )
    return (
        qs.select_related("case__handling_unit")
        .only(*rows, *(f"case__{name}" for name in CASE_FIELDS))
        .prefetch_related(Prefetch("case__assignments", queryset=officers))
    )


def cached_window(
    figure: str,
    today: datetime.date,
    start: int,
    stop: int,
    *,
    unit=None,
    officer=None,
    procedure: str = "",
    marks=None,
) -> list[CaseDeadline]:
    """rows()[start:stop] with what an Item reads (page_rows), from the cache while nothing they show has
    changed: the deadline table's section (DEADLINES, which the saves of a case, its officers, a person and
    a unit renew besides the table's own writes), today's date and the table's last write, ending when an
    open clock in hours turns late — as cached_counts. The viewer's access (masking, links) is not in them:
    the caller checks it on every build."""
    written, turns = marks if marks is not None else CaseDeadline.objects.marks(moment(today))
    variant = (
        figure,
        today,
        unit.pk if unit else None,
        officer.pk if officer else None,
        procedure,
        start,
        stop,
    )

    def build() -> list[CaseDeadline]:
        qs = rows(figure, today, unit=unit, officer=officer, procedure=procedure)
        return list(page_rows(qs)[start:stop])

    return DEADLINES.value(repr(("deadline-window", variant, written)), build, until=turns)


def refresh() -> None:
    """Bring the table up to date with the changes made since it was last read (cases/deadline_sync.py)."""
    refresh_stale()
