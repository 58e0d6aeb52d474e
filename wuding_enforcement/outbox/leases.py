"""The sweeper of long jobs: a job still "running" past its lease has lost its process (a worker killed
mid-job, a machine restarted); it becomes "failed" with the reason, and can be retried.

Each kind of long job registers here once (`register(Model)` from its AppConfig.ready(); the model inherits
`LeasedJob`). The sweeper runs every five minutes (beat) and as `manage.py sweep_leases`.
"""

import datetime
import logging

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
    started = (
        timezone.localtime(job.job_started_at).strftime("%Y-%m-%d %H:%M")
        if job.job_started_at
        else "未知时间"
    )
    return (
        f"任务自 {started} 开始运行，超过租期（至 {timezone.localtime(job.lease_until):%H:%M}）仍未结束："
        "执行它的进程可能已中断（重启、内存不足或被终止）。可以重试。"
    )


def sweep(now: datetime.datetime | None = None) -> list[str]:
    """Move every running job past its lease to failed; returns a line per job moved."""
    now = now or timezone.now()
    moved = []
    for model in _registered:
        overdue = model.objects.filter(job_state=JobState.RUNNING, lease_until__lt=now)
        for pk in list(overdue.values_list("pk", flat=True)):
            with transaction.atomic():
                job = model.objects.select_for_update(skip_locked=True).filter(pk=pk).first()
                if job is None or not (job.job_state == JobState.RUNNING and job.lease_until < now):
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


def retry(job: LeasedJob, *, by=None) -> bool:
    """Queue a failed job again (the retry button). Returns False when the job is not failed."""
    with transaction.atomic():
        locked = type(job).objects.select_for_update().get(pk=job.pk)
        if locked.job_state != JobState.FAILED:
            return False
        task, args, kwargs = locked.retry_task()
        locked.job_state = JobState.QUEUED
        locked.save(update_fields=["job_state"])
        enqueue(task, *args, **kwargs)
        record(
            "ops.job.retried",
            obj=locked,
            actor=by,
            detail={
                "model": type(job)._meta.label_lower,
                "job": str(locked),
                "previous_error": locked.job_error,
            },
        )
    return True


register(Job)
