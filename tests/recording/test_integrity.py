"""Integrity: `manage.py verify_evidence` and the periodic task re-hash every stored evidence file, issued
document PDF and case-file PDF, exit non-zero naming each altered or missing file, write the audit log and
tell the records keepers (电子签名法 第十四条: later changes must be detectable)."""

import hashlib
import io
import smtplib

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command

from recording import evidence as domain
from recording.models import CaseFile, Document, DocumentStatus
from recording.tasks import verify_integrity
from wuding_enforcement.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

MP4_HEAD = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def keeper(records_keeper):
    records_keeper.email = "wujing@wuding-amr.example"
    records_keeper.save()
    return records_keeper


@pytest.fixture
def stored(make_case, officer, _media):
    """A case with two evidence files, an issued document's PDF and an archived case file."""
    case = make_case()
    items = []
    for title, body in (("现场录像", bytes(range(256)) * 30), ("询问录音", bytes(range(255, -1, -1)) * 30)):
        data = MP4_HEAD + body
        upload = domain.start_upload(case, officer, title=title, declared_size=len(data))
        items.append(
            domain.append_chunk(
                upload, user=officer, offset=0, stream=io.BytesIO(data), length=len(data)
            ).evidence
        )
    pdf = b"%PDF-1.7\n" + "行政处罚决定书".encode() * 50
    document = Document(
        case=case,
        doc_type="onsite_record",
        status=DocumentStatus.ISSUED,
        created_by=officer,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        file_seq=1,
    )
    document.pdf.save("onsite_record.pdf", ContentFile(pdf), save=False)
    document.save()
    volume = b"%PDF-1.7\n" + "正卷".encode() * 80
    case_file = CaseFile(case=case, requested_by=officer, main_sha256=hashlib.sha256(volume).hexdigest())
    case_file.main_pdf.save("main.pdf", ContentFile(volume), save=False)
    case_file.save()
    return {"case": case, "evidence": items, "document": document, "case_file": case_file}


def run_command():
    """Run verify_evidence: (exit status as manage.py would give it, stdout, stderr). call_command rather
    than run_from_argv, which closes the database connection and with it the test's transaction."""
    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    status = 0
    try:
        call_command("verify_evidence", stdout=out, stderr=err)
    except CommandError as exc:
        status = exc.returncode
        err.write(f"CommandError: {exc}\n")
    return status, out.getvalue(), err.getvalue()


def flip_a_byte(path, at=100):
    raw = bytearray(path.read_bytes())
    raw[at] ^= 0x01
    path.write_bytes(bytes(raw))


def test_a_clean_store_passes_with_exit_zero(stored, keeper):
    status, out, _err = run_command()
    assert status == 0
    assert "共 4 个文件" in out  # two evidence files, one document PDF, one case-file volume
    event = AuditEvent.objects.get(action="recording.integrity.ok")
    assert event.detail == {"source": "command", "checked": 4}
    assert not AuditEvent.objects.filter(action="recording.integrity.failed").exists()
    assert not mail.outbox


def test_a_flipped_byte_in_an_evidence_file_fails_naming_the_file(stored, keeper, _media):
    altered = stored["evidence"][1]
    flip_a_byte(_media / altered.file.name)
    status, _out, err = run_command()
    assert status != 0
    assert altered.file.name in err and "“询问录音”" in err and "SHA-256 不一致" in err
    assert stored["evidence"][0].file.name not in err
    problem = AuditEvent.objects.get(action="recording.integrity.failed").detail["problems"]
    assert [(p["file"], p["problem"]) for p in problem] == [(altered.file.name, "mismatch")]
    assert problem[0]["actual"] == domain.file_sha256(_media / altered.file.name)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["wujing@wuding-amr.example"]
    assert altered.file.name in mail.outbox[0].body


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses the recipient (unless told to fail silently, as Django's backends are)."""

    def send_messages(self, email_messages):
        if self.fail_silently:
            return 0
        raise smtplib.SMTPRecipientsRefused({"wujing@wuding-amr.example": (550, b"mailbox unavailable")})


def test_an_alert_mail_that_cannot_be_sent_is_logged_and_audited_and_the_report_kept(
    stored, keeper, _media, settings, caplog
):
    from recording import integrity

    settings.EMAIL_BACKEND = "tests.recording.test_integrity.RefusingBackend"
    altered = stored["evidence"][1]
    flip_a_byte(_media / altered.file.name)
    report = integrity.verify_and_report(source="task")
    assert [p.file.name for p in report.problems] == [altered.file.name]
    assert (
        AuditEvent.objects.get(action="recording.integrity.failed").detail["problems"][0]["problem"]
        == "mismatch"
    )
    failed = AuditEvent.objects.get(action="recording.integrity.alert_failed")
    assert failed.detail["recipients"] == ["wujing@wuding-amr.example"]
    assert "SMTPRecipientsRefused" in failed.detail["error"]
    assert failed.detail["problems"][0]["file"] == altered.file.name
    assert any(r.name == "wuding.recording" and "not sent" in r.getMessage() for r in caplog.records)
    assert not mail.outbox


def test_a_missing_file_is_named(stored, keeper, _media):
    gone = stored["evidence"][0]
    (_media / gone.file.name).unlink()
    status, _out, err = run_command()
    assert status != 0
    assert gone.file.name in err and "文件缺失" in err


def test_an_altered_document_pdf_and_case_file_are_named(stored, keeper, _media):
    flip_a_byte(_media / stored["document"].pdf.name, at=20)
    flip_a_byte(_media / stored["case_file"].main_pdf.name, at=30)
    status, _out, err = run_command()
    assert status != 0
    assert stored["document"].pdf.name in err and "现场笔录" in err
    assert stored["case_file"].main_pdf.name in err and "案卷正卷" in err
    kinds = {
        p["kind"] for p in AuditEvent.objects.get(action="recording.integrity.failed").detail["problems"]
    }
    assert kinds == {"document", "casefile_main"}


def test_a_voided_item_is_still_verified(stored, keeper, officer, _media):
    item = stored["evidence"][0]
    domain.void_evidence(item, by=officer, reason="误传")
    flip_a_byte(_media / item.file.name)
    assert run_command()[0] != 0


def test_the_periodic_task_reports_like_the_command(stored, keeper, _media):
    flip_a_byte(_media / stored["evidence"][0].file.name)
    result = verify_integrity.delay().get()
    assert result["checked"] == 4
    assert [p["file"] for p in result["problems"]] == [stored["evidence"][0].file.name]
    assert AuditEvent.objects.get(action="recording.integrity.failed").detail["source"] == "task"
    assert len(mail.outbox) == 1


def test_call_command_raises_for_a_problem(stored, _media):
    from django.core.management import CommandError

    (_media / stored["document"].pdf.name).unlink()
    with pytest.raises(CommandError, match="文件缺失"):
        call_command("verify_evidence")
