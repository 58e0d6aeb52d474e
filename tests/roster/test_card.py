"""The printable 核验卡: for the holder (their own only) and admins (any); others 404, audited; the card carries
the same signed link the bureau's pages use, the status of the day, and says the province issues the
certificate."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from disclosure.signing import signed_certificate_url
from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


def cert_of(person) -> Certificate:
    return Certificate.objects.get(holder=person)


def card_urls(number):
    return (
        reverse("disclosure:certificate_card", args=[number]),
        reverse("disclosure:certificate_card_pdf", args=[number]),
    )


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def png_photo(colour=(40, 90, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (240, 320), colour).save(out, format="PNG")
    return out.getvalue()


def test_the_holder_gets_their_own_card_and_nobody_else_does(client, officer, colleague):
    page_url, pdf_url = card_urls(cert_of(officer).number)
    assert client.get(page_url).status_code == 302  # anonymous: to the sign-in page
    assert client.get(pdf_url).status_code == 302
    login_as(client, colleague)
    assert client.get(page_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    assert (
        AuditEvent.objects.filter(action="disclosure.certificate_card.access_denied", actor=colleague).count()
        == 2
    )
    # A number that names no certificate: 404 too, nothing to audit as a refusal.
    assert client.get(card_urls("00000000")[0]).status_code == 404
    login_as(client, officer)
    response = client.get(page_url)
    assert response.status_code == 200
    assert officer.real_name in response.content.decode()


def test_an_admin_gets_any_officers_card(client, officer, admin_user):
    login_as(client, admin_user)
    page_url, pdf_url = card_urls(cert_of(officer).number)
    assert client.get(page_url).status_code == 200
    response = client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_every_card_shown_or_printed_is_audited(client, officer):
    cert = cert_of(officer)
    login_as(client, officer)
    page_url, pdf_url = card_urls(cert.number)
    client.get(page_url)
    client.get(pdf_url)
    events = AuditEvent.objects.filter(action="disclosure.certificate_card.issued", actor=officer)
    assert sorted(e.detail["format"] for e in events) == ["html", "pdf"]
    assert all(e.detail["number"] == cert.number for e in events)


def test_the_pdf_card_is_card_sized_and_says_who_issues_the_certificate(client, officer):
    cert = cert_of(officer)
    cert.photo.save("p.png", SimpleUploadedFile("p.png", png_photo()), save=True)
    login_as(client, officer)
    pdf = client.get(card_urls(cert.number)[1]).content
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    for expected in (officer.real_name, cert.number, cert.unit.name, "有效", "扫码核验"):
        assert expected in text, expected
    assert f"执法证件由{cert.issuing_authority}颁发" in text.replace("\n", "").replace(" ", "")
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert re.search(r"^Pages:\s+1$", info, re.M), info
    # ID-1: 85.6 × 54 mm = 242.65 × 153.07 pt.
    size = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(v) for v in size.split(":")[1].split("pts")[0].split(" x "))
    assert abs(width - 242.65) < 1 and abs(height - 153.07) < 1
    # The photo is in the PDF (the image list names it beside the QR code's vector drawing).
    images = subprocess.run(["pdfimages", "-list", "-"], input=pdf, capture_output=True)
    if images.returncode == 0:  # pdfimages reads a file, not stdin, on older poppler: then only the text
        assert "image" in images.stdout.decode()


def test_the_card_links_the_same_signed_url_the_bureaus_pages_use(client, officer):
    cert = cert_of(officer)
    login_as(client, officer)
    pdf = client.get(card_urls(cert.number)[1]).content
    # The QR code is wrapped in a link: the PDF's link annotations (the link and its image) are the signed URL.
    annotations = PdfReader(io.BytesIO(pdf)).pages[0].get("/Annots") or []
    links = [a.get_object()["/A"]["/URI"] for a in annotations if "/A" in a.get_object()]
    assert links and set(links) == {signed_certificate_url(cert.number)}
    page = client.get(card_urls(cert.number)[0]).content.decode()
    assert (
        signed_certificate_url(cert.number).replace("&", "&amp;") in page
        or signed_certificate_url(cert.number) in page
    )


@pytest.mark.skipif(
    not shutil.which("zbarimg"), reason="zbarimg (apt zbar-tools) decodes the printed QR code"
)
def test_the_qr_code_printed_on_the_card_decodes_to_the_signed_link(client, officer, tmp_path):
    cert = cert_of(officer)
    login_as(client, officer)
    (tmp_path / "card.pdf").write_bytes(client.get(card_urls(cert.number)[1]).content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "300", "-singlefile", tmp_path / "card.pdf", tmp_path / "card"], check=True
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", tmp_path / "card.png"],
        capture_output=True,
        check=True,
    )
    assert decoded.stdout.decode().strip() == signed_certificate_url(cert.number)


def test_a_suspended_certificates_card_says_so_in_red(client, officer, admin_user):
    cert = cert_of(officer)
    Certificate.objects.filter(pk=cert.pk).update(
        status=CertificateStatus.SUSPENDED, status_since=datetime.date(2026, 1, 5)
    )
    login_as(client, admin_user)
    page = client.get(card_urls(cert.number)[0]).content.decode()
    assert "vcard-invalid" in page and "该证件暂扣" in page
    assert "暂扣" in pdf_text(client.get(card_urls(cert.number)[1]).content)


def test_the_home_page_links_the_holder_to_their_card(client, officer):
    login_as(client, officer)
    body = client.get(reverse("home")).content.decode()
    assert card_urls(cert_of(officer).number)[0] in body


def test_the_admin_roster_links_each_certificate_to_its_card(client, officer, admin_user):
    cert = cert_of(officer)
    login_as(client, admin_user)
    listing = client.get(reverse("admin:roster_certificate_changelist")).content.decode()
    assert card_urls(cert.number)[0] in listing
    change = client.get(reverse("admin:roster_certificate_change", args=[cert.pk])).content.decode()
    assert card_urls(cert.number)[0] in change
