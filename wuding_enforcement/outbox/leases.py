"""The sweeper of long jobs: a job still "running" past its lease has lost its process (a worker killed
mid-job, a machine restarted), one still "queued" past its lease never reached a worker (the broker was down
longer than the outbox retries); either becomes "failed" with the reason, and can be retried.

Each kind of long job registers here once (`register(Model)` from its AppConfig.ready(); the model inherits
`LeasedJob`). The sweeper runs every five minutes (beat) and as `manage.py sweep_leases`.
"""

import datetime
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome

from .api import enqueue
from .models import Job, JobState, LeasedJob

logger = logging.getLogger("wuding.jobs")

_registered: list[type[LeasedJob]] = []


def register(model: type[LeasedJob]) -> None:
    if model not in _registered:
        _registered.append(model)


def registered() -> list[type[LeasedJob]]:
    return list(_registered)


def expiry_reason(job: LeasedJob, now: datetime.datetime) -> str:
    lease_end = timezone.localtime(job.lease_until).strftime("%H:%M") if job.lease_until else "未知时间"
    if job.job_state == JobState.QUEUED:
        return (
            f"任务排队超过租期（至 {lease_end}）仍未开始运行：任务队列或 worker 可能长时间不可用"
            "（见运行状态页）。可以重试。"
        )
    started = (
        timezone.localtime(job.job_started_at).strftime("%Y-%m-%d %H:%M")
        if job.job_started_at
        else "未知时间"
    )
    return (
        f"任务自 {started} 开始运行，超过租期（至 {lease_end}）仍未结束："
        "执行它的进程可能已中断（重启、内存不足或被终止）。可以重试。"
    )


WAITING_STATES = (JobState.QUEUED, JobState.RUNNING)


def sweep(now: datetime.datetime | None = None) -> list[str]:
    """Move every queued or running job past its lease to failed; returns a line per job moved."""
    now = now or timezone.now()
    moved = []
    for model in _registered:
        overdue = model._default_manager.filter(job_state__in=WAITING_STATES, lease_until__lt=now)
        for pk in list(overdue.values_list("pk", flat=True)):
            with transaction.atomic():
                job = model._default_manager.select_for_update(skip_locked=True).filter(pk=pk).first()
                if job is None or not (
                    job.job_state in WAITING_STATES and job.lease_until is not None and job.lease_until < now
                ):
                    continue  # finished meanwhile, or another sweeper holds it
                reason = expiry_reason(job, now)
                job.fail(reason)
                record(
                    "ops.job.lease_expired",
                    obj=job,
                    outcome=Outcome.FAILURE,
                    detail={"model": model._meta.label_lower, "job": str(job), "reason": reason},
                )
            logger.error("job %s %s lease expired: %s", model._meta.label_lower, pk, reason)
            moved.append(f"{model._meta.verbose_name} {job}：{reason}")
    return moved


def retry(job: LeasedJob, *, by: Any = None) -> bool:
    """Queue a failed job again (the retry button). Returns False when the job is not failed."""
    model = type(job)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=job.pk)
        if locked.job_state != JobState.FAILED:
            return False
        previous_error = locked.job_error
        task, args, kwargs = locked.retry_task()
        locked.requeue()
        enqueue(task, *args, dedupe_key=locked.retry_dedupe_key(), **kwargs)
        record(
            "ops.job.retried",
            obj=locked,
            actor=by,
            detail={"model": model._meta.label_lower, "job": str(locked), "previous_error": previous_error},
        )
    return True


register(Job)
