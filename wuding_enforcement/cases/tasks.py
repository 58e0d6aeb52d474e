"""Periodic work on cases, run by the Celery worker (or in-process when no broker is configured)."""

import datetime

from celery import shared_task
from django.utils import timezone

from .deadlines import Status, case_deadlines, deadline_prefetch
from .models import Case


@shared_task
def count_overdue_cases(today: str | None = None) -> dict:
    """How many unfinished cases have a statutory deadline that is overdue or about to fall due.

    ``today`` is an ISO date (JSON-serialisable, so the same call works through the broker); it defaults
    to the local date in Asia/Shanghai. A case counts once however many of its deadlines are late.
    """
    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    active = overdue = amber = 0
    # The relations case_deadlines() reads, prefetched so the count costs a fixed number of queries.
    cases = Case.objects.active().prefetch_related(*deadline_prefetch())
    for case in cases.iterator(chunk_size=500):
        active += 1
        statuses = {d.status for d in case_deadlines(case, day)}
        if Status.RED in statuses:
            overdue += 1
        elif Status.AMBER in statuses:
            amber += 1
    return {"date": day.isoformat(), "active": active, "overdue": overdue, "amber": amber}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def rebuild_deadlines() -> dict:
    """The whole deadline table recomputed and checked (after a change of the holiday table; nightly).
    Idempotent: it only rewrites rows that differ from the computed clocks."""
    from .deadline_sync import rebuild

    report = rebuild()
    return {k: v for k, v in report.items() if k != "examples"}
