"""事中公示: the public certificate check (every status said plainly, signed QR links) and the document check
(number, type, date and hash; upload to compare; nothing private)."""

import datetime
import hashlib
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure.signing import certificate_signature, qr_svg, signed_certificate_url
from disclosure.views import verify as views_verify
from tests.conftest import login_as
from tests.disclosure.support import empty_cache, issued_document  # noqa: F401 - autouse fixture
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import Certificate, CertificateStatus
from wuding_enforcement.shared.chinese import cn_date

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def cert_of(user) -> Certificate:
    return Certificate.objects.get(holder=user)


def signed_path(number: str) -> str:
    parts = urlsplit(signed_certificate_url(number))
    return f"{parts.path}?{parts.query}"


# --- Signatures ---


def test_a_signed_link_says_the_bureau_issued_it(client, officer):
    text = client.get(signed_path(cert_of(officer).number)).content.decode()
    assert "二维码签名有效，本链接由武定县市场监督管理局签发" in text


def test_a_forged_signature_is_flagged(client, officer):
    number = cert_of(officer).number
    text = client.get(
        reverse("disclosure:verify_certificate", args=[number]), {"s": "forged-signature"}
    ).content.decode()
    assert "签名无效" in text and "二维码签名有效" not in text


def test_another_certificates_signature_does_not_fit(client, officer, colleague):
    """A QR made from a genuine link of one officer but pointing at another certificate is recognisable."""
    mine, theirs = cert_of(officer).number, cert_of(colleague).number
    response = client.get(
        reverse("disclosure:verify_certificate", args=[theirs]), {"s": certificate_signature(mine)}
    )
    assert "签名无效" in response.content.decode()


def test_a_link_without_a_signature_warns(client, officer):
    text = client.get(
        reverse("disclosure:verify_certificate", args=[cert_of(officer).number])
    ).content.decode()
    assert "未携带本局签名" in text and "二维码签名有效" not in text


# --- Status wording ---

STATUS_CASES = [
    # (stored status, status_since, expires_on, issued_on, label, sentence part, entitled)
    (
        CertificateStatus.VALID,
        None,
        datetime.date(2028, 12, 31),
        datetime.date(2024, 1, 1),
        "有效",
        "本证件有效",
        True,
    ),
    (
        CertificateStatus.SUSPENDED,
        datetime.date(2026, 11, 1),
        datetime.date(2028, 12, 31),
        datetime.date(2024, 1, 1),
        "暂扣",
        "本证件已被暂扣",
        False,
    ),
    (
        CertificateStatus.REVOKED,
        datetime.date(2026, 10, 1),
        datetime.date(2028, 12, 31),
        datetime.date(2024, 1, 1),
        "吊销",
        "本证件已被吊销",
        False,
    ),
    (
        CertificateStatus.CANCELLED,
        datetime.date(2026, 9, 1),
        datetime.date(2028, 12, 31),
        datetime.date(2024, 1, 1),
        "注销",
        "本证件已被注销",
        False,
    ),
    (
        CertificateStatus.VALID,
        None,
        datetime.date(2026, 11, 24),
        datetime.date(2021, 11, 25),
        "过期",
        "本证件已过期",
        False,
    ),
    (
        CertificateStatus.VALID,
        None,
        datetime.date(2031, 12, 31),
        datetime.date(2026, 12, 1),
        "尚未生效",
        "本证件尚未生效",
        False,
    ),
    # A suspension that only starts next month: still valid today.
    (
        CertificateStatus.SUSPENDED,
        datetime.date(2026, 12, 10),
        datetime.date(2028, 12, 31),
        datetime.date(2024, 1, 1),
        "有效",
        "本证件有效",
        True,
    ),
]


@pytest.mark.parametrize(
    ("status", "since", "expires", "issued", "label", "sentence", "entitled"), STATUS_CASES
)
def test_each_status_is_said_plainly_and_in_red_when_not_valid(
    client, frozen, officer, status, since, expires, issued, label, sentence, entitled
):
    cert = cert_of(officer)
    Certificate.objects.filter(pk=cert.pk).update(
        status=status, status_since=since, expires_on=expires, issued_on=issued
    )
    text = client.get(reverse("disclosure:verify_certificate", args=[cert.number])).content.decode()
    assert f"证件状态：<strong>{label}</strong>" in text
    assert sentence in text
    if entitled:
        assert 'class="cert-status is-valid"' in text and "不具备执法资格" not in text
    else:
        assert 'class="cert-status is-invalid"' in text and "不具备执法资格" in text
    assert officer.real_name in text and cert.unit.name in text and "食品安全、产品质量" in text
    # Since when: the expiry, the issue date of a certificate not yet valid, or the day of the status change.
    day, word = {"过期": (expires, "到期"), "尚未生效": (issued, "生效")}.get(label, (since, "起"))
    if not entitled:
        assert f'<span class="cert-since">（{cn_date(day)}{word}）</span>' in text


def test_the_page_is_renewed_when_the_certificate_changes_status(client, officer):
    cert = cert_of(officer)
    url = reverse("disclosure:verify_certificate", args=[cert.number])
    assert "证件状态：<strong>有效</strong>" in client.get(url).content.decode()
    cert.status = CertificateStatus.REVOKED
    cert.status_since = datetime.date(2026, 1, 1)
    cert.save()
    assert "证件状态：<strong>吊销</strong>" in client.get(url).content.decode()


def test_a_cached_page_turns_expired_on_the_day_after_expiry_without_any_save(client, officer):
    cert = cert_of(officer)
    Certificate.objects.filter(pk=cert.pk).update(expires_on=datetime.date(2026, 11, 25))
    url = reverse("disclosure:verify_certificate", args=[cert.number])
    with time_machine.travel(TODAY, tick=False):
        assert "证件状态：<strong>有效</strong>" in client.get(url).content.decode()
    with time_machine.travel(TODAY + datetime.timedelta(days=1), tick=False):
        assert "证件状态：<strong>过期</strong>" in client.get(url).content.decode()


def test_a_certificate_of_someone_who_left_is_still_verifiable(client, officer):
    officer.is_active = False
    officer.save()
    assert (
        client.get(reverse("disclosure:verify_certificate", args=[cert_of(officer).number])).status_code
        == 200
    )


# --- Lookup and unknown numbers ---


def test_a_citizen_looks_up_a_certificate_by_number(client, officer):
    number = cert_of(officer).number
    text = client.get(reverse("disclosure:certificate_lookup"), {"number": f" {number} "}).content.decode()
    assert officer.real_name in text and "按证件编号查询结果" in text


def test_an_unknown_number_is_not_found_with_a_clear_message(client, officer):
    response = client.get(reverse("disclosure:certificate_lookup"), {"number": "99999999"})
    assert response.status_code == 404 and "未找到编号为“99999999”的执法证件" in response.content.decode()
    response = client.get(reverse("disclosure:verify_certificate", args=["99999999"]))
    assert response.status_code == 404 and "未找到该执法证件" in response.content.decode()


# --- Photo and QR ---


def test_the_photo_is_served_by_its_content_and_a_placeholder_stands_in_for_none(client, officer, settings):
    cert = cert_of(officer)
    url = reverse("disclosure:certificate_photo", args=[cert.number])
    response = client.get(url)
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    cert.photo.save("x.txt", SimpleUploadedFile("x.txt", png), save=True)
    response = client.get(url)
    assert response["Content-Type"] == "image/png" and response.content == png
    # Not an image (whatever its name): the placeholder, never the file.
    cert.photo.save("evil.png", SimpleUploadedFile("evil.png", b"<html><script>alert(1)</script>"), save=True)
    assert client.get(url)["Content-Type"] == "image/svg+xml"


def test_the_qr_download_is_for_the_holder_and_admins_only(client, officer, colleague, admin_user):
    number = cert_of(officer).number
    svg_url = reverse("disclosure:certificate_qr", args=[number, "svg"])
    png_url = reverse("disclosure:certificate_qr", args=[number, "png"])
    assert client.get(svg_url).status_code == 302  # anonymous: to the sign-in page
    login_as(client, colleague)
    assert client.get(svg_url).status_code == 404
    # Someone else's certificate exists: the refusal is audited (Hidden, by the audit middleware).
    assert AuditEvent.objects.filter(
        action="disclosure.certificate_qr.access_denied", actor=colleague
    ).exists()
    login_as(client, officer)
    response = client.get(svg_url)
    assert response.status_code == 200 and response.content == qr_svg(signed_certificate_url(number))
    assert client.get(png_url).content.startswith(b"\x89PNG")
    assert client.get(reverse("disclosure:certificate_qr", args=[number, "gif"])).status_code == 404
    login_as(client, admin_user)
    assert client.get(png_url).status_code == 200


# --- Documents ---


@pytest.fixture
def decision(make_case, officer):
    case = make_case()
    return issued_document(
        case,
        officer,
        code="ABCD234567",
        number="武市监处罚〔2026〕7号",
        pdf=b"%PDF-1.7 the issued decision",
        data={"facts": "当事人在货架上陈列超过保质期的牛奶12盒", "fine_amount": "5000.00"},
        party=case.parties.first(),
    )


def test_the_document_check_confirms_number_type_date_and_hash_without_private_content(client, decision):
    response = client.get(reverse("disclosure:verify_document", args=["abcd234567"]))
    text = response.content.decode()
    assert response.status_code == 200
    assert "武市监处罚〔2026〕7号" in text and "行政处罚决定书" in text and "2026年11月20日" in text
    assert hashlib.sha256(b"%PDF-1.7 the issued decision").hexdigest() in text
    assert "武定县市场监督管理局" in text
    assert "武定县某某商贸有限公司" not in text and "超过保质期的牛奶" not in text and "5000" not in text


def upload(client, code, content, name="decision.pdf"):
    return client.post(
        reverse("disclosure:verify_document", args=[code]),
        {"pdf": SimpleUploadedFile(name, content, "application/pdf")},
    )


def test_an_uploaded_copy_of_the_issued_pdf_matches(client, decision):
    text = upload(client, decision.verification_code, b"%PDF-1.7 the issued decision").content.decode()
    assert "一致：您上传的文件与本局签发的文书完全相同" in text


def test_an_altered_pdf_does_not_match(client, decision):
    text = upload(client, decision.verification_code, b"%PDF-1.7 the issued decisioN").content.decode()
    assert "不一致" in text and "完全相同" not in text


def test_a_file_that_is_not_a_pdf_is_refused(client, decision):
    response = upload(client, decision.verification_code, b"GIF89a not a pdf", name="fake.pdf")
    assert response.status_code == 400 and "该文件不是 PDF 文件" in response.content.decode()


def test_an_oversized_upload_is_refused(client, decision, monkeypatch):
    monkeypatch.setattr(views_verify, "DOCUMENT_CHECK_MAX_BYTES", 1024 * 1024)
    response = upload(client, decision.verification_code, b"%PDF-" + b"0" * (1024 * 1024))
    assert response.status_code == 400 and "文件过大" in response.content.decode()


def test_uploads_are_rate_limited_per_address(client, decision):
    for _ in range(views_verify.DOCUMENT_CHECK_LIMIT):
        assert upload(client, decision.verification_code, b"%PDF-1 x").status_code == 200
    response = upload(client, decision.verification_code, b"%PDF-1 x")
    assert response.status_code == 400 and "核对过于频繁" in response.content.decode()


def test_an_unknown_code_is_not_found(client, decision):
    response = client.get(reverse("disclosure:verify_document", args=["ZZZZ999999"]))
    assert response.status_code == 404 and "未找到核验码为“ZZZZ999999”的执法文书" in response.content.decode()
    response = client.get(reverse("disclosure:document_lookup"), {"code": "ZZZZ999999"})
    assert response.status_code == 404 and "未找到核验码" in response.content.decode()


def test_the_lookup_form_leads_to_the_document(client, decision):
    response = client.get(reverse("disclosure:document_lookup"), {"code": "abcd234567"})
    assert response.status_code == 302 and response["Location"] == reverse(
        "disclosure:verify_document", args=["ABCD234567"]
    )


def test_a_corrected_document_says_so_and_names_the_correction(client, decision, officer):
    assert (
        "已被更正"
        not in client.get(
            reverse("disclosure:verify_document", args=[decision.verification_code])
        ).content.decode()
    )
    issued_document(
        decision.case,
        officer,
        code="EFGH234567",
        number="武市监处罚〔2026〕9号",
        supersedes=decision,
        correction_reason="罚款金额笔误",
    )
    text = client.get(
        reverse("disclosure:verify_document", args=[decision.verification_code])
    ).content.decode()
    assert "本文书已被更正" in text and "武市监处罚〔2026〕9号" in text
    assert "罚款金额笔误" not in text  # the reason is internal


def test_a_correction_still_in_draft_does_not_replace_the_document(client, decision, officer):
    from recording.models import Document

    Document.objects.create(
        case=decision.case, doc_type="penalty_decision", supersedes=decision, created_by=officer
    )
    text = client.get(
        reverse("disclosure:verify_document", args=[decision.verification_code])
    ).content.decode()
    assert "已被更正" not in text and "本局签发过该文书" in text
