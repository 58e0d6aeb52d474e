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

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.cases.deadline_sync import refresh_stale
from wuding_enforcement.cases.models import CaseOfficer
from wuding_enforcement.cases.workflow import FINISHED_STAGES, Procedure
from wuding_enforcement.roster.models import Staff, Unit

FIGURES = ("overdue", "due-soon")


def moment(today: datetime.date) -> datetime.datetime:
    """The moment the hours clocks are read at: now, or the end of `today` when another day is asked for."""
    now = timezone.now()
    if timezone.localdate(now) != today:
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time.max))
    return now


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
    now = moment(today)
    table = CaseDeadline.objects.exclude(case__stage__in=FINISHED_STAGES)
    qs = table.red(today, now) if figure == "overdue" else table.amber(today, now)
    if unit is not None:
        qs = qs.filter(case__handling_unit=unit)
    if officer is not None:
        qs = qs.filter(Exists(CaseOfficer.objects.filter(case=OuterRef("case"), officer=officer)))
    if procedure == "inspection":
        qs = qs.filter(case__procedure=Procedure.INSPECTION)
    elif procedure == "penalty":
        qs = qs.exclude(case__procedure=Procedure.INSPECTION)
    return qs.order_by("due", "case_id", "key")


def counts(
    today: datetime.date, *, unit=None, officer=None, figures=FIGURES, procedure: str = ""
) -> dict[str, dict]:
    """Per figure: the total, the count per unit (id; None for no unit) and per officer (id). Two queries
    per figure (units; officers), the total is the sum over units."""
    result = {}
    for figure in figures:
        qs = rows(figure, today, unit=unit, officer=officer, procedure=procedure).order_by()
        by_unit = Counter(
            {
                r["case__handling_unit"]: r["n"]
                for r in qs.values("case__handling_unit").annotate(n=Count("pk"))
            }
        )
        by_officer = Counter(
            {
                r["case__assignments__officer"]: r["n"]
                for r in qs.values("case__assignments__officer").annotate(n=Count("pk"))
                if r["case__assignments__officer"] is not None
            }
        )
        result[figure] = {"total": sum(by_unit.values()), "by_unit": by_unit, "by_officer": by_officer}
    return result


def page_rows(qs: QuerySet[CaseDeadline]) -> QuerySet[CaseDeadline]:
    """What an Item of a page needs: the case with its unit and officers (two queries for the page)."""
    return qs.select_related("case__handling_unit").prefetch_related(
        Prefetch("case__assignments", queryset=CaseOfficer.objects.select_related("officer"))
    )


def refresh() -> None:
    """Bring the table up to date with the changes made since it was last read (cases/deadline_sync.py)."""
    refresh_stale()
