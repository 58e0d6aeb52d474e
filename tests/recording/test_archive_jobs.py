"""组卷 never wedges (issue 15, point 1): the build's task goes through the outbox in the transaction that asks
for it, the case file is a leased job, a build whose broker was down waits in the outbox and then runs, and a
build whose worker died is failed by the sweeper with the reason shown and a retry button that works.

Time is frozen on Wednesday 25 November 2026 (no holiday near)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from recording import archive, casefile, tasks_archive
from recording.models import CaseFile, CaseFileStatus
from tests.conftest import login_as
from tests.recording.test_archive import NOW, filed_case, plain_closed_case  # noqa: F401  (fixtures)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.outbox import api, leases
from wuding_enforcement.outbox.models import JobState, MessageState, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _case_file(case) -> CaseFile:
    return CaseFile.objects.get(case=case)


def test_the_build_is_queued_through_the_outbox_with_the_request(
    plain_closed_case,  # noqa: F811
    records_keeper,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    message = OutboxMessage.objects.get(task="recording.tasks_archive.build_case_file")
    case_file = _case_file(plain_closed_case)
    assert message.args == [case_file.pk] and message.state == MessageState.DONE
    assert case_file.status == CaseFileStatus.DONE and case_file.job_state == JobState.SUCCEEDED
    assert case_file.job_attempts == 1 and case_file.lease_until is None


def test_a_broker_down_at_enqueue_leaves_the_build_waiting_in_the_outbox_then_it_runs(
    client,
    plain_closed_case,  # noqa: F811
    records_keeper,
    broker,
    django_capture_on_commit_callbacks,
):
    broker.down = True
    login_as(client, records_keeper)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recording:casefile_start", args=[plain_closed_case.pk]), follow=True)
    assert response.status_code == 200
    assert "已开始组卷" in response.content.decode()
    case_file = _case_file(plain_closed_case)
    # Not wedged: queued under a lease, its task waiting in the outbox with the broker's error.
    assert case_file.status == CaseFileStatus.BUILDING and case_file.job_state == JobState.QUEUED
    assert case_file.lease_until is not None
    message = OutboxMessage.objects.get(task="recording.tasks_archive.build_case_file")
    assert message.state == MessageState.PENDING and "Connection refused" in message.last_error
    page = client.get(reverse("recording:casefile_progress", args=[plain_closed_case.pk]))
    assert "组卷中（排队等待后台任务）" in page.content.decode()

    broker.down = False
    with time_machine.travel(NOW + datetime.timedelta(minutes=1), tick=False):
        result = api.drain()
    assert result["sent"] == 1
    case_file.refresh_from_db()
    plain_closed_case.refresh_from_db()
    assert case_file.status == CaseFileStatus.DONE and case_file.job_state == JobState.SUCCEEDED
    assert plain_closed_case.stage == Stage.ARCHIVED


def test_a_build_whose_broker_never_came_back_fails_after_its_queue_lease_and_can_be_retried(
    plain_closed_case,  # noqa: F811
    records_keeper,
    broker,
    django_capture_on_commit_callbacks,
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    with time_machine.travel(NOW + CaseFile.QUEUE_LEASE + datetime.timedelta(minutes=1), tick=False):
        leases.sweep()
    case_file = _case_file(plain_closed_case)
    assert case_file.status == CaseFileStatus.FAILED
    assert "仍未开始运行" in case_file.error and "可以重试" in case_file.error


def _killed_mid_build(case_file_id):
    """What a worker killed mid-build leaves: the job claimed and running, its process gone (no except,
    no finally of ours runs: SystemExit is not an Exception)."""

    def die(*args, **kwargs):
        kwargs["progress"](50)
        raise SystemExit("worker killed (SIGKILL)")

    real = casefile.assemble
    casefile.assemble = die
    try:
        with pytest.raises(SystemExit):
            tasks_archive.build_case_file.apply(args=[case_file_id], throw=True)
    finally:
        casefile.assemble = real


def test_a_worker_killed_mid_build_is_freed_by_the_sweeper_and_the_retry_button_builds_it(
    client,
    monkeypatch,
    plain_closed_case,  # noqa: F811
    records_keeper,
    broker,
    django_capture_on_commit_callbacks,
):
    broker.down = True  # the request queues the build; the "worker" below takes it
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    case_file = _case_file(plain_closed_case)
    _killed_mid_build(case_file.pk)
    case_file.refresh_from_db()
    assert case_file.job_state == JobState.RUNNING and case_file.progress == 50

    # While its lease runs, the job is left alone and a second request is refused (a double click).
    assert leases.sweep() == []
    login_as(client, records_keeper)
    response = client.post(reverse("recording:casefile_start", args=[plain_closed_case.pk]), follow=True)
    assert "案卷正在组卷" in response.content.decode()

    # The same task delivered again while the lease runs (acks_late) does nothing.
    assert tasks_archive.run_build(case_file.pk) == CaseFileStatus.BUILDING

    later = NOW + CaseFile.DEFAULT_LEASE + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        moved = leases.sweep()
        assert len(moved) == 1
        case_file.refresh_from_db()
        assert case_file.status == CaseFileStatus.FAILED and case_file.job_state == JobState.FAILED
        assert "超过租期" in case_file.error
        assert AuditEvent.objects.filter(action="ops.job.lease_expired").exists()

        page = client.get(
            reverse("recording:casefile_progress", args=[plain_closed_case.pk])
        ).content.decode()
        assert "组卷失败" in page and "超过租期" in page and "重试组卷" in page

        broker.down = False
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("recording:casefile_start", args=[plain_closed_case.pk]),
                {"retention": case_file.retention},
                follow=True,
            )
    assert response.status_code == 200
    case_file.refresh_from_db()
    plain_closed_case.refresh_from_db()
    assert case_file.status == CaseFileStatus.DONE and case_file.job_attempts == 2
    assert plain_closed_case.stage == Stage.ARCHIVED


def test_a_build_past_its_lease_may_be_started_again_before_the_sweeper_runs(
    monkeypatch,
    plain_closed_case,  # noqa: F811
    records_keeper,
    broker,
    django_capture_on_commit_callbacks,
):
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    case_file = _case_file(plain_closed_case)
    _killed_mid_build(case_file.pk)
    broker.down = False
    later = NOW + CaseFile.DEFAULT_LEASE + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    case_file.refresh_from_db()
    assert case_file.status == CaseFileStatus.DONE


def test_a_run_that_lost_its_lease_stores_nothing(
    monkeypatch,
    plain_closed_case,  # noqa: F811
    records_keeper,
    broker,
    django_capture_on_commit_callbacks,
):
    """A slow build the sweeper gave up on, whose retry already runs, must not store a second file."""
    broker.down = True
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    case_file = _case_file(plain_closed_case)
    real = casefile.assemble

    def slow(case_file_arg, progress):
        volumes = real(case_file_arg, progress=progress)
        # Meanwhile: the lease ran out, the sweeper failed the run and the keeper started it again.
        CaseFile.objects.filter(pk=case_file.pk).update(job_attempts=99)
        return volumes

    monkeypatch.setattr(casefile, "assemble", slow)
    assert tasks_archive.run_build(case_file.pk) == CaseFileStatus.BUILDING
    case_file.refresh_from_db()
    assert not case_file.main_pdf and case_file.status == CaseFileStatus.BUILDING


def test_the_build_task_is_redelivered_when_its_worker_is_lost():
    task = tasks_archive.build_case_file
    assert task.acks_late and task.reject_on_worker_lost
