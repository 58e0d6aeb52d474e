"""The running SHA-256 of an upload lives with its row, so any worker continues it (docs/stack.md trap 19), and
a full disk stops an upload cleanly: a Chinese answer, nothing half-stored.

Several gunicorn workers are separate processes: a hash kept in one worker's memory is not there when the next
chunk lands on another, and rebuilding it by re-reading the partial file made uploads quadratic. Here each
chunk resumes the hash from the state saved on the row, and the partial file is read back only when no state
covers it (then once, at completion). bench/upload_bench.py measures it with three real workers.
"""

import errno
import hashlib
import io
import os

import pytest
from rehashes import PySha256

from recording import evidence as domain
from recording.evidence import upload as upload_protocol
from recording.models import Evidence, Upload, UploadStatus
from tests.conftest import login_as
from tests.recording.test_evidence import send, start
from wuding_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

DATA = b"\xff\xd8\xff" + os.urandom(50_000)
DIGEST = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(make_case):
    return make_case()


def _chunks(row, officer, data, pieces=5):
    step = -(-len(data) // pieces)
    result = None
    for offset in range(0, len(data), step):
        fresh = Upload.objects.get(pk=row.pk)  # as a worker that never saw this upload before
        piece = data[offset : offset + step]
        result = domain.append_chunk(
            fresh, user=officer, offset=offset, stream=io.BytesIO(piece), length=len(piece)
        )
    return result


def test_each_chunk_continues_the_hash_saved_with_the_row_without_reading_the_file_back(
    officer, case, monkeypatch
):
    def no_reread(path):
        raise AssertionError("the partial file was read back to rebuild the hash")

    monkeypatch.setattr(upload_protocol, "file_sha256", no_reread)
    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:20_000]), length=20_000)
    saved = Upload.objects.get(pk=row.pk)
    assert saved.received == 20_000 and saved.hash_state
    # The saved state is the hash of exactly the bytes received: continued elsewhere, it gives the file's.
    resumed = PySha256.deserialize(bytes(saved.hash_state))
    resumed.update(DATA[20_000:])
    assert resumed.finalize() == DIGEST
    result, offset = None, 20_000
    for step in (10_000, 10_000, len(DATA) - 40_000):
        fresh = Upload.objects.get(pk=row.pk)
        result = domain.append_chunk(
            fresh, user=officer, offset=offset, stream=io.BytesIO(DATA[offset : offset + step]), length=step
        )
        offset += step
    assert result.evidence.sha256 == DIGEST
    with Evidence.objects.get().file.open("rb") as stored:
        assert hashlib.sha256(stored.read()).hexdigest() == DIGEST  # what sha256sum of the file says


def test_a_row_without_saved_state_is_hashed_once_at_completion(officer, case, monkeypatch):
    reads = []
    real = upload_protocol.file_sha256
    monkeypatch.setattr(upload_protocol, "file_sha256", lambda path: reads.append(path) or real(path))
    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:10_000]), length=10_000)
    # An upload begun before the state was kept (or whose state was dropped): no running hash.
    Upload.objects.filter(pk=row.pk).update(hash_state=b"")
    result = None
    for offset, end in ((10_000, 30_000), (30_000, len(DATA))):
        fresh = Upload.objects.get(pk=row.pk)
        result = domain.append_chunk(
            fresh, user=officer, offset=offset, stream=io.BytesIO(DATA[offset:end]), length=end - offset
        )
        assert not Upload.objects.get(pk=row.pk).hash_state  # nothing half-hashed is kept
    assert result.evidence.sha256 == DIGEST
    assert len(reads) == 1


def test_with_the_running_hash_off_the_file_is_hashed_in_one_pass_at_completion(officer, case, settings):
    settings.UPLOAD_RUNNING_HASH = False
    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    result = _chunks(row, officer, DATA, pieces=4)
    assert result.evidence.sha256 == DIGEST
    assert not Upload.objects.get(pk=row.pk).hash_state


def test_a_partial_file_shorter_than_its_row_resumes_from_the_disk_and_still_hashes_right(officer, case):
    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:30_000]), length=30_000)
    with open(row.partial_path, "r+b") as f:
        f.truncate(12_000)  # a crash lost the tail before it reached the disk
    fresh = Upload.objects.get(pk=row.pk)
    with pytest.raises(domain.EvidenceRefused) as refused:
        domain.append_chunk(fresh, user=officer, offset=30_000, stream=io.BytesIO(DATA[30_000:]), length=1)
    assert refused.value.status == 409 and refused.value.offset == 12_000
    fresh = Upload.objects.get(pk=row.pk)
    assert fresh.received == 12_000 and not fresh.hash_state
    result = domain.append_chunk(
        fresh, user=officer, offset=12_000, stream=io.BytesIO(DATA[12_000:]), length=len(DATA) - 12_000
    )
    assert result.evidence.sha256 == DIGEST


# --- A full disk -----------------------------------------------------------------------------------------


class _FullDisk:
    """A file whose disk fills up after `room` bytes."""

    def __init__(self, f, room):
        self.f, self.room = f, room

    def write(self, block):
        if self.room < len(block):
            raise OSError(errno.ENOSPC, "No space left on device")
        self.room -= len(block)
        return self.f.write(block)

    def __getattr__(self, name):
        return getattr(self.f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.f.close()


def test_a_full_disk_stops_the_upload_with_a_chinese_answer_and_leaves_nothing_half_stored(
    client, officer, case, monkeypatch
):
    login_as(client, officer)
    url = start(client, case, DATA).json()["url"]
    row = Upload.objects.get()
    assert send(client, url, DATA[:20_000], 0).status_code == 200

    def full_disk_open(path, mode="r"):
        return _FullDisk(open(path, mode), room=1_000)  # noqa: SIM115 - closed by _FullDisk.__exit__

    monkeypatch.setattr(upload_protocol, "open", full_disk_open, raising=False)
    answer = send(client, url, DATA[20_000:], 20_000)
    assert answer.status_code == 507
    assert "存储空间不足" in answer.json()["error"] and "没有留下不完整的文件" in answer.json()["error"]
    row.refresh_from_db()
    assert row.status == UploadStatus.ABORTED
    assert not row.partial_path.exists()
    assert not Evidence.objects.exists()
    assert AuditEvent.objects.filter(action="recording.upload.disk_full").count() == 1
    # The upload is over: a retry is told to start again, not given a blank 500.
    monkeypatch.undo()
    again = send(client, url, DATA[20_000:], 20_000)
    assert again.status_code == 410 and "存储空间不足" in again.json()["error"]


def test_a_saved_state_that_cannot_be_read_falls_back_to_one_pass_at_completion(officer, case):
    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA[:10_000]), length=10_000)
    # As after an upgrade of the hashing library between two chunks.
    Upload.objects.filter(pk=row.pk).update(hash_state=b"not a state this version can read")
    fresh = Upload.objects.get(pk=row.pk)
    result = domain.append_chunk(
        fresh, user=officer, offset=10_000, stream=io.BytesIO(DATA[10_000:]), length=len(DATA) - 10_000
    )
    assert result.evidence.sha256 == DIGEST
