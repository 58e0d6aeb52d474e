"""No evidence file without its row: the file takes its place only once its row commits (moved back when the
transaction fails), and `verify_evidence` names every file in the record folders that no row points to."""

import io
import os
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from recording import evidence as domain
from recording import integrity
from recording.evidence import upload as upload_protocol
from recording.models import Evidence, Upload, UploadStatus
from wuding_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

DATA = b"\xff\xd8\xff" + os.urandom(20_000)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def case(make_case):
    return make_case()


def _evidence_files(media):
    folder = media / "evidence"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else []


def _complete(case, officer, row=None):
    row = row or domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    return domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA), length=len(DATA))


def test_a_completed_upload_whose_transaction_rolls_back_leaves_no_evidence_file(officer, case, _media):
    class Rollback(Exception):
        pass

    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    with pytest.raises(Rollback), transaction.atomic():
        assert _complete(case, officer, row).evidence is not None
        raise Rollback
    assert not Evidence.objects.exists()
    assert _evidence_files(_media) == []
    assert integrity.orphan_files(now=time.time() + 7200) == []
    # Nothing half-stored: the upload is still open and the client may finish it again.
    assert Upload.objects.get().status == UploadStatus.OPEN


def test_the_file_moves_into_place_when_the_callers_transaction_commits(
    officer, case, _media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        evidence = _complete(case, officer).evidence
        assert _evidence_files(_media) == []  # not before the row commits
    assert _evidence_files(_media) == [_media / evidence.file.name]


def test_a_failure_while_the_row_is_written_moves_the_file_back(officer, case, _media, monkeypatch):
    def audit_down(*args, **kwargs):
        raise RuntimeError("the audit log could not be written")

    row = domain.start_upload(case, officer, title="照片", declared_size=len(DATA))
    monkeypatch.setattr(upload_protocol, "record", audit_down)
    with pytest.raises(RuntimeError):
        domain.append_chunk(row, user=officer, offset=0, stream=io.BytesIO(DATA), length=len(DATA))
    assert not Evidence.objects.exists()
    assert _evidence_files(_media) == []
    assert row.partial_path.exists()


def test_verify_evidence_names_a_file_no_row_points_to(officer, case, _media):
    evidence = _complete(case, officer).evidence
    stray = _media / "evidence" / str(case.pk) / "0123456789abcdef0123456789abcdef"
    stray.write_bytes(b"left behind by a write whose row never committed")
    old = time.time() - 2 * integrity.ORPHAN_GRACE_SECONDS
    os.utime(stray, (old, old))
    os.utime(_media / evidence.file.name, (old, old))
    with pytest.raises(CommandError) as failed:
        call_command("verify_evidence")
    assert "没有任何记录指向该文件" in str(failed.value)
    assert f"evidence/{case.pk}/0123456789abcdef0123456789abcdef" in str(failed.value)
    assert evidence.file.name not in str(failed.value)  # the file of a row is not an orphan
    event = AuditEvent.objects.filter(action="recording.integrity.failed").latest("pk")
    assert [p["problem"] for p in event.detail["problems"]] == ["orphan"]


def test_a_file_written_a_moment_ago_is_not_yet_called_an_orphan(_media):
    fresh = _media / "documents" / "7" / "fresh.pdf"
    fresh.parent.mkdir(parents=True)
    fresh.write_bytes(b"%PDF-1.7 being issued right now")
    assert integrity.orphan_files() == []
    assert [p.file.name for p in integrity.orphan_files(now=time.time() + 7200)] == ["documents/7/fresh.pdf"]
