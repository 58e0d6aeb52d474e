"""Periodic work on cases, run by the Celery worker (or in-process when no broker is configured)."""

import datetime

from celery import shared_task
from django.utils import timezone

from .models import Case


@shared_task
def count_overdue_cases(today: str | None = None) -> dict:
    """How many unfinished cases have a statutory deadline that is overdue or about to fall due.

    ``today`` is an ISO date (JSON-serialisable, so the same call works through the broker); it defaults
    to the local date in Asia/Shanghai. A case counts once however many of its deadlines are late.
    """
    from .deadline_rows import CaseDeadline
    from .deadline_sync import refresh_stale
    from .deadlines import reading_moment

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    now = reading_moment(day)
    # On the deadline table (brought up to date first): three counts in SQL, whatever the number of cases.
    refresh_stale()
    cases = Case.objects.active()
    table = CaseDeadline.objects.filter(case__in=cases)
    red = table.red(day, now).values("case_id")
    active = cases.count()
    overdue = cases.filter(pk__in=red).count()
    amber = cases.filter(pk__in=table.amber(day, now).values("case_id")).exclude(pk__in=red).count()
    return {"date": day.isoformat(), "active": active, "overdue": overdue, "amber": amber}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_deadlines() -> dict:
    """The whole deadline table recomputed and checked (after a change of the holiday table; nightly).
    Idempotent: it only rewrites rows that differ from the computed clocks."""
    from .deadline_sync import rebuild

    report = rebuild()
    return {k: v for k, v in report.items() if k != "examples"}
