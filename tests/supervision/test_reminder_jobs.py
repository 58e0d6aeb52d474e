"""The notification jobs never wedge (issue 15, point 1): the reminder scan (portal notifications and their
e-mail) runs as a tracked leased job like every task of the beat schedule, and so does a batch issue of
legal-review decisions. A scan whose worker was killed is failed by the sweeper with the reason; its retry goes
through the outbox, waits there while the broker is down, and runs when it is back."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from legal_review.tasks import issue_decision
from supervision import tasks
from wuding_enforcement.outbox import api, leases, tracking
from wuding_enforcement.outbox.models import Job, JobState, MessageState, OutboxMessage

pytestmark = pytest.mark.django_db

TASK = "supervision.tasks.send_reminders"


def test_the_reminder_scan_and_a_batch_issue_are_tracked_leased_jobs_redelivered_after_a_lost_worker():
    names = tracking.tracked_names()
    assert TASK in names and "legal_review.tasks.issue_decision" in names
    for task in (tasks.send_reminders, issue_decision):
        assert task.acks_late and task.reject_on_worker_lost


def _killed_mid_scan():
    """What a worker killed mid-scan leaves: prerun happened (the job runs under its lease), postrun never
    will (Celery's eager run would still send it, so the signal is sent here as the worker did)."""
    tracking._started(task_id="celery-reminders-1", task=tasks.send_reminders, args=[], kwargs={})


def test_a_scan_whose_worker_died_is_failed_and_its_retry_waits_in_the_outbox_then_runs(
    broker, bureau_head, django_capture_on_commit_callbacks
):
    _killed_mid_scan()
    job = Job.objects.get(name=TASK)
    assert job.job_state == JobState.RUNNING
    assert leases.sweep() == []  # within its lease: left alone

    later = timezone.now() + Job.DEFAULT_LEASE + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert len(leases.sweep()) == 1
        job.refresh_from_db()
        assert job.job_state == JobState.FAILED and "超过租期" in job.job_error

        broker.down = True
        with django_capture_on_commit_callbacks(execute=True):
            assert leases.retry(job, by=bureau_head)
        message = OutboxMessage.objects.get(task=TASK)
        assert message.state == MessageState.PENDING and "Connection refused" in message.last_error

    broker.down = False
    with time_machine.travel(later + datetime.timedelta(minutes=2), tick=False):
        assert api.drain()["sent"] == 1
    assert Job.objects.filter(name=TASK, job_state=JobState.SUCCEEDED).count() == 1
