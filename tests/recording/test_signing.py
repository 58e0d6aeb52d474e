"""Electronic seal on issued documents (电子签名法 第十三条: later changes must be detectable)."""

import datetime
import hashlib
import subprocess

import pytest
import time_machine

from recording.models import Document, DocumentStatus
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.shared import signing

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _read(document):
    with document.pdf.open("rb") as fh:
        return fh.read()


@pytest.fixture
def draft(make_case, officer, colleague):
    case = make_case()
    document = Document.objects.create(
        case=case,
        doc_type="onsite_record",
        created_by=officer,
        act_date=datetime.date(2026, 11, 20),
        av_exemption="现场情况简单，文字记录足以记录。",
        data={
            "started_at": "2026-11-20T09:00",
            "ended_at": "2026-11-20T10:00",
            "place": "狮山镇某超市",
            "present_person": "张某（店长）",
            "certificates_shown": True,
            "av_recorded": False,
            "findings": "货架上有超过保质期的牛奶。",
            "measures": "",
        },
    )
    document.officers.set([officer, colleague])
    return document


def test_issuing_signs_the_pdf_and_stores_the_hash_of_the_signed_file(draft, officer):
    draft.issue(by=officer)
    stored = _read(draft)
    assert hashlib.sha256(stored).hexdigest() == draft.pdf_sha256
    report = signing.verify(stored)
    assert report.signed and report.intact and report.valid and report.by_bureau and report.covers_whole_file
    assert "演示证书" in report.reason and draft.signature_note == "演示证书签章（非正式）"
    # poppler checks the signature independently of pyHanko.
    out = subprocess.run(["pdfsig", draft.pdf.path], capture_output=True, text=True).stdout
    assert "Signature is Valid" in out


def test_a_changed_byte_in_a_signed_pdf_is_detected(draft, officer):
    draft.issue(by=officer)
    data = bytearray(_read(draft))
    position = data.find(b"stream") + 200
    data[position] ^= 0x01
    report = signing.verify(bytes(data))
    assert report.signed and not report.intact
    assert "被改动" in report.summary


def test_a_pdf_signed_with_another_certificate_is_not_the_bureaus(draft, officer, tmp_path, settings):
    draft.issue(by=officer)
    genuine = _read(draft)
    signing._make_demo_pkcs12(tmp_path / "other.p12", b"pw")
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "other.p12")
    settings.SIGNING_PKCS12_PASSWORD = "pw"
    settings.DOCUMENT_SIGNER = "wuding_enforcement.shared.signing.PKCS12Signer"
    # With the other certificate configured as the bureau's, the demo-signed file is no longer the bureau's.
    report = signing.verify(genuine)
    assert report.intact and not report.by_bureau


def test_production_without_a_certificate_refuses_to_issue_and_nothing_is_half_issued(
    draft, officer, settings
):
    settings.DEMO_MODE = False
    with pytest.raises(TransitionRefused, match="演示签章证书只能在开发和演示环境使用"):
        draft.issue(by=officer)
    draft.refresh_from_db()
    assert draft.status == DocumentStatus.DRAFT and not draft.pdf and draft.file_seq is None
    settings.DOCUMENT_SIGNER = "wuding_enforcement.shared.signing.PKCS12Signer"
    with pytest.raises(TransitionRefused, match="电子签章证书未配置"):
        draft.issue(by=officer)


def test_the_configured_pkcs12_certificate_signs_without_the_demo_mark(draft, officer, tmp_path, settings):
    signing._make_demo_pkcs12(tmp_path / "bureau.p12", b"secret")
    settings.DEMO_MODE = False
    settings.SIGNING_PKCS12_PATH = str(tmp_path / "bureau.p12")
    settings.SIGNING_PKCS12_PASSWORD = "secret"
    draft.issue(by=officer)
    assert draft.signature_note == "本局电子签章"
    report = signing.verify(_read(draft))
    assert report.by_bureau and "演示" not in report.reason


def test_an_unsigned_pdf_says_so(draft):
    from recording.rendering import render_document

    assert signing.verify(render_document(draft)).summary == "该 PDF 未带电子签章。"


def test_the_public_document_check_reports_the_bureaus_signature(client, draft, officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft.issue(by=officer)
    genuine = _read(draft)
    url = f"/verify/document/{draft.verification_code}/"
    page = client.post(url, {"pdf": SimpleUploadedFile("d.pdf", genuine, "application/pdf")}).content.decode()
    assert "完全相同" in page and "本局电子签章有效" in page
    tampered = bytearray(genuine)
    tampered[genuine.find(b"stream") + 300] ^= 0x01
    page = client.post(
        url, {"pdf": SimpleUploadedFile("d.pdf", bytes(tampered), "application/pdf")}
    ).content.decode()
    assert "不一致" in page and "签章后文件内容被改动" in page


def test_an_unreadable_file_is_reported_as_unreadable_and_logged(caplog):
    report = signing.verify(b"%PDF-1.7 this is not really a PDF")
    assert not report.signed and report.error
    assert report.summary == "无法读取该 PDF，不能核验电子签章。"
    assert any(r.name == "wuding.signing" and "unreadable" in r.getMessage() for r in caplog.records)


def test_a_signature_that_cannot_be_validated_is_not_taken_as_valid_and_is_logged(
    draft, officer, monkeypatch, caplog
):
    from pyhanko.sign import validation
    from pyhanko.sign.validation.errors import SignatureValidationError

    draft.issue(by=officer)

    def broken(*args, **kwargs):
        raise SignatureValidationError("unsupported signature mechanism")

    monkeypatch.setattr(validation, "validate_pdf_signature", broken)
    report = signing.verify(_read(draft))
    assert report.signed and not report.valid and "unsupported" in report.error
    assert report.summary == "该 PDF 带有电子签章，但无法完成校验，不能认定其有效。"
    assert any(
        r.name == "wuding.signing" and "could not be validated" in r.getMessage() for r in caplog.records
    )

    def bug(*args, **kwargs):
        raise RuntimeError("a bug of ours, not a property of the file")

    monkeypatch.setattr(validation, "validate_pdf_signature", bug)
    with pytest.raises(RuntimeError):  # not swallowed into "signed but not intact"
        signing.verify(_read(draft))
