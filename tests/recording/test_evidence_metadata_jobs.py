"""The evidence metadata job never wedges (issue 15, point 1): reading an uploaded item's metadata is a leased
job on the Evidence row, queued through the outbox with the upload. A broker down at enqueue leaves it waiting
in the outbox; a worker killed mid-job leaves it running until the sweeper fails it with the reason; the
evidence page shows 处理中 / 失败 with the reason, and a 重试 button (for those who may record on the case,
audited) that runs it again."""

import datetime
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from recording import tasks
from recording.evidence import ingest_file, probing
from recording.models import METADATA_TASK, Evidence
from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.outbox import api, leases
from wuding_enforcement.outbox.models import JobState, MessageState, OutboxMessage

pytestmark = pytest.mark.django_db

PHOTO = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _no_ffprobe(monkeypatch):
    # The job's state is under test, not ffprobe: "not installed" is a successful read that says so.
    monkeypatch.setattr(probing.shutil, "which", lambda name: None)


@pytest.fixture
def case(make_case):
    return make_case()


def _upload(case, officer, capture) -> Evidence:
    with capture(execute=True):
        item = ingest_file(
            case, officer, io.BytesIO(PHOTO), len(PHOTO), title="现场照片", original_name="a.jpg"
        )
    item.refresh_from_db()
    return item


def _page(client, item) -> str:
    return client.get(reverse("recording:evidence_detail", args=[item.case_id, item.pk])).content.decode()


def _killed_mid_job(evidence_id):
    """What a worker killed mid-read leaves: the job claimed and running, its process gone (SystemExit is
    not an Exception: none of our handlers runs)."""

    def die(evidence):
        raise SystemExit("worker killed (SIGKILL)")

    real = tasks.extract_metadata
    tasks.extract_metadata = die
    try:
        with pytest.raises(SystemExit):
            tasks.extract_evidence_metadata.apply(args=[evidence_id], throw=True)
    finally:
        tasks.extract_metadata = real


def _broken(evidence):
    raise OSError("No space left on device")


def test_the_upload_queues_the_job_with_the_evidence_and_it_succeeds(
    case, officer, django_capture_on_commit_callbacks
):
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    message = OutboxMessage.objects.get(task=METADATA_TASK)
    assert message.args == [item.pk] and message.state == MessageState.DONE
    assert item.job_state == JobState.SUCCEEDED and item.job_attempts == 1 and item.lease_until is None
    assert item.metadata["probed"] is False  # read: "ffprobe not installed" is an answer, not a failure


def test_a_broker_down_at_enqueue_leaves_the_job_waiting_in_the_outbox_then_it_runs(
    client, case, officer, broker, django_capture_on_commit_callbacks
):
    broker.down = True
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    assert item.job_state == JobState.QUEUED and item.lease_until is not None
    message = OutboxMessage.objects.get(task=METADATA_TASK)
    assert message.state == MessageState.PENDING and "Connection refused" in message.last_error
    login_as(client, officer)
    assert "处理中" in _page(client, item)

    broker.down = False
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=1), tick=False):
        assert api.drain()["sent"] == 1
    item.refresh_from_db()
    assert item.job_state == JobState.SUCCEEDED and item.metadata
    assert "处理中" not in _page(client, item)


def test_a_job_whose_broker_never_came_back_fails_after_its_queue_lease_with_the_reason(
    case, officer, broker, django_capture_on_commit_callbacks
):
    broker.down = True
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    with time_machine.travel(
        timezone.now() + Evidence.QUEUE_LEASE + datetime.timedelta(minutes=1), tick=False
    ):
        assert len(leases.sweep()) == 1
    item.refresh_from_db()
    assert item.job_state == JobState.FAILED and "仍未开始运行" in item.job_error


def test_a_worker_killed_mid_job_is_failed_by_the_sweeper_and_the_retry_button_reads_it(
    client, case, officer, broker, django_capture_on_commit_callbacks
):
    broker.down = True  # the upload queues the job; the "worker" below takes it
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    _killed_mid_job(item.pk)
    item.refresh_from_db()
    assert item.job_state == JobState.RUNNING and item.job_attempts == 1

    # While its lease runs the job is left alone, and the task delivered again (acks_late) does nothing.
    assert leases.sweep() == []
    assert tasks.run_metadata(item.pk)["state"] == JobState.RUNNING
    login_as(client, officer)
    assert "处理中" in _page(client, item)

    later = timezone.now() + Evidence.DEFAULT_LEASE + datetime.timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert len(leases.sweep()) == 1
        item.refresh_from_db()
        assert item.job_state == JobState.FAILED and "超过租期" in item.job_error
        assert AuditEvent.objects.filter(action="ops.job.lease_expired", object_id=str(item.pk)).exists()
        page = _page(client, item)
        assert "元数据读取失败" in page and "超过租期" in page and "重试" in page

        broker.down = False
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                reverse("recording:evidence_metadata_retry", args=[case.pk, item.pk]), follow=True
            )
    assert "已重新开始读取元数据" in response.content.decode()
    item.refresh_from_db()
    assert item.job_state == JobState.SUCCEEDED and item.job_attempts == 2 and item.metadata
    retried = AuditEvent.objects.get(action="ops.job.retried", object_id=str(item.pk))
    assert retried.actor == officer and "超过租期" in retried.detail["previous_error"]


def test_a_read_that_raises_is_failed_with_its_reason_and_audited(
    client, case, officer, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "extract_metadata", _broken)
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    assert item.job_state == JobState.FAILED and "No space left on device" in item.job_error
    assert AuditEvent.objects.filter(action="recording.evidence.metadata_failed").count() == 1
    login_as(client, officer)
    assert "No space left on device" in _page(client, item)


def test_only_those_who_may_record_on_the_case_may_retry_and_a_refusal_is_on_record_once(
    client, case, officer, bureau_head, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(tasks, "extract_metadata", _broken)
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    assert item.job_state == JobState.FAILED
    login_as(client, bureau_head)  # sees every case, records on none
    page = _page(client, item)
    assert (
        "元数据读取失败" in page and "evidence_metadata_retry" not in page and "/metadata/retry/" not in page
    )
    response = client.post(reverse("recording:evidence_metadata_retry", args=[case.pk, item.pk]), follow=True)
    assert "只有本案承办人员和承办单位负责人" in response.content.decode()
    item.refresh_from_db()
    assert item.job_state == JobState.FAILED and item.job_attempts == 1
    assert AuditEvent.objects.filter(action="auth.action_refused", actor=bureau_head).count() == 1
    assert not AuditEvent.objects.filter(action="ops.job.retried").exists()


def test_a_retry_of_a_job_that_has_not_failed_is_refused(
    client, case, officer, django_capture_on_commit_callbacks
):
    item = _upload(case, officer, django_capture_on_commit_callbacks)
    login_as(client, officer)
    response = client.post(reverse("recording:evidence_metadata_retry", args=[case.pk, item.pk]), follow=True)
    assert "无须重试" in response.content.decode()
    assert OutboxMessage.objects.filter(task=METADATA_TASK).count() == 1


def test_the_sweeper_covers_the_evidence_job():
    assert Evidence in leases.registered()
