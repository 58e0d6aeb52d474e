"""Long jobs never wedge: every run of a tracked task is a Job; one still "running" past its lease (its worker
was killed) becomes "failed" with the reason, and the retry runs it again through the outbox."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from tests.ops.tasks_for_tests import boom, note
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.outbox import leases, tracking
from wuding_enforcement.outbox.models import Job, JobState

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tracked(settings):
    settings.TRACKED_TASKS = ["tests.ops.note", "tests.ops.boom"]
    settings.TASK_LEASES = {"tests.ops.note": 600}


def test_a_tracked_task_run_is_recorded_from_start_to_success():
    note.apply(args=["运行"])
    job = Job.objects.get(name="tests.ops.note")
    assert job.job_state == JobState.SUCCEEDED
    assert job.job_attempts == 1 and job.job_finished_at is not None and job.lease_until is None


def test_a_failing_task_is_recorded_with_its_error():
    boom.apply(throw=False)
    job = Job.objects.get(name="tests.ops.boom")
    assert job.job_state == JobState.FAILED
    assert "测试任务故意失败" in job.job_error


def _killed_mid_run(task_id="celery-id-1"):
    """What a worker killed mid-task leaves: prerun happened, postrun never will."""
    tracking._started(task_id=task_id, task=note, args=["中断"], kwargs={})
    return Job.objects.get(celery_id=task_id)


def test_a_job_whose_worker_died_is_failed_with_the_reason_once_its_lease_is_over():
    job = _killed_mid_run()
    assert job.job_state == JobState.RUNNING
    assert leases.sweep() == []  # within its lease (10 minutes): left alone

    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        call_command("sweep_leases")
    job.refresh_from_db()
    assert job.job_state == JobState.FAILED
    assert "超过租期" in job.job_error and "可以重试" in job.job_error
    assert AuditEvent.objects.filter(action="ops.job.lease_expired", object_id=str(job.pk)).exists()


def test_a_failed_job_is_retried_through_the_outbox(django_capture_on_commit_callbacks):
    job = _killed_mid_run()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
        leases.sweep()
    job.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        assert leases.retry(job)
    # The retry ran the task again (in-process without a broker) with the same arguments.
    assert AuditEvent.objects.filter(action="test.outbox.ran", detail__value="中断").exists()
    assert AuditEvent.objects.filter(action="ops.job.retried", object_id=str(job.pk)).exists()
    assert Job.objects.filter(name="tests.ops.note", job_state=JobState.SUCCEEDED).exists()


def test_only_a_failed_job_can_be_retried():
    job = _killed_mid_run()
    assert not leases.retry(job)


def test_a_redelivered_task_reuses_its_job():
    job = _killed_mid_run("celery-id-2")
    tracking._started(task_id="celery-id-2", task=note, args=["中断"], kwargs={})
    job.refresh_from_db()
    assert Job.objects.filter(celery_id="celery-id-2").count() == 1
    assert job.job_attempts == 2


def test_untracked_tasks_leave_no_job(settings):
    settings.TRACKED_TASKS = []
    note.apply(args=["不记录"])
    assert not Job.objects.exists()


def test_the_portal_tracks_every_task_of_its_beat_schedule_but_the_minute_ones(settings):
    names = tracking.tracked_names()
    assert "wuding_enforcement.audit.tasks.anchor_audit_chain" in names
    assert "wuding_enforcement.ops.tasks.verify_audit_chain" in names
    assert "wuding_enforcement.outbox.tasks.sweep_leases" in names
    assert "wuding_enforcement.outbox.tasks.heartbeat" not in names
