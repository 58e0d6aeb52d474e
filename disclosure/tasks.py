"""Periodic work of the public site, run by Celery beat (or in-process when no broker is configured)."""

import datetime

from celery import shared_task
from django.utils import timezone


@shared_task
def record_publication_expiries(today: str | None = None) -> dict:
    """Record the end of publications whose period is over (总局令第45号 第十三条). The public pages do not
    depend on this: their queries filter on the end date themselves."""
    from .models import Publication

    day = datetime.date.fromisoformat(today) if today else timezone.localdate()
    return {"date": day.isoformat(), "ended": Publication.objects.record_expiries(day)}


@shared_task(acks_late=True, reject_on_worker_lost=True)
def build_open_data() -> dict:
    """The open data files of today (disclosure/open_data.py). Idempotent: a second run writes the same files."""
    from .open_data import build

    meta = build()
    return {"built_on": meta["built_on"], "csv": meta["csv"]["size"], "json": meta["json"]["size"]}
