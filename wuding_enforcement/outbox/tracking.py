"""A `Job` row for every run of a tracked task, written from Celery's signals (no task needs to know).

Tracked: every task of the beat schedule (CELERY_BEAT_SCHEDULE) and those listed in TRACKED_TASKS. prerun
marks the job running with the task's lease (TASK_LEASES, else LeasedJob.DEFAULT_LEASE); postrun marks it
succeeded or failed with the error. A worker killed mid-task never sends postrun: the sweeper (leases.py)
then fails the job once its lease is over, and acks_late has the broker deliver the task again.
"""

import datetime
import logging

from celery.signals import task_failure, task_postrun, task_prerun
from django.conf import settings
from django.db import transaction

from .models import Job, JobState

logger = logging.getLogger("wuding.jobs")

# The heartbeat runs every minute and proves liveness by itself; a row per run would only be noise.
UNTRACKED = {"wuding_enforcement.outbox.tasks.heartbeat", "wuding_enforcement.outbox.tasks.drain_outbox"}


def tracked_names() -> set[str]:
    names = {entry["task"] for entry in getattr(settings, "CELERY_BEAT_SCHEDULE", {}).values()}
    names |= set(getattr(settings, "TRACKED_TASKS", ()))
    return names - UNTRACKED


def lease_for(name: str) -> datetime.timedelta:
    seconds = getattr(settings, "TASK_LEASES", {}).get(name)
    return datetime.timedelta(seconds=seconds) if seconds else Job.DEFAULT_LEASE


@task_prerun.connect(dispatch_uid="outbox_job_started")
def _started(sender=None, task_id=None, task=None, args=None, kwargs=None, **extra):
    name = getattr(task, "name", "")
    if name not in tracked_names():
        return
    with transaction.atomic():
        job, _ = Job.objects.select_for_update().get_or_create(
            celery_id=task_id, defaults={"name": name, "args": list(args or []), "kwargs": dict(kwargs or {})}
        )
        job.start(lease_for(name))


@task_failure.connect(dispatch_uid="outbox_job_failed")
def _failed(sender=None, task_id=None, exception=None, **extra):
    name = getattr(sender, "name", "")
    if name not in tracked_names():
        return
    job = Job.objects.filter(celery_id=task_id).first()
    if job is not None:
        logger.error(
            "tracked task %s (%s) failed: %s: %s", name, task_id, type(exception).__name__, exception
        )
        job.fail(f"任务出错：{type(exception).__name__}: {exception}")


@task_postrun.connect(dispatch_uid="outbox_job_finished")
def _finished(sender=None, task_id=None, task=None, retval=None, state=None, **extra):
    name = getattr(task, "name", "")
    if name not in tracked_names():
        return
    job = Job.objects.filter(celery_id=task_id).first()
    if job is None or job.job_state != JobState.RUNNING:
        return  # task_failure already recorded the error
    if state == "SUCCESS":
        job.succeed()
    else:
        logger.error("tracked task %s (%s) ended in state %s", name, task_id, state)
        job.fail(f"任务未成功结束（{state}）")
