"""The 核验卡 from print to phone: the officer downloads her card from the workbench, the card is rendered to an
image as a printer would, the QR code on it is decoded from that image (zbarimg, apt zbar-tools), and a
citizen on a phone (390 px) opens the decoded link: the status comes first, the photo shows, and the page does
not warn that the link lacks the bureau's signature."""

import shutil
import subprocess

import pytest

from demo.roster import avatar_png
from disclosure.signing import signed_certificate_url
from tests.conftest import PASSWORD
from tests.e2e.conftest import ARTIFACTS, screenshot, sign_in
from wuding_enforcement.roster.models import Certificate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def decode_qr(png_path) -> str:
    """The text of the one QR code in the image, as a phone's scanner reads it."""
    zbarimg = shutil.which("zbarimg")
    if zbarimg is None:
        pytest.fail("zbarimg is not installed: `make test` installs it (apt-get install zbar-tools)")
    found = subprocess.run(
        [zbarimg, "--quiet", "--raw", "-Sdisable", "-Sqrcode.enable", str(png_path)],
        capture_output=True,
        check=False,
    )
    assert found.returncode == 0, f"no QR code found on the rendered card: {found.stderr.decode()}"
    codes = found.stdout.decode().strip().splitlines()
    assert len(codes) == 1, codes
    return codes[0]


def test_a_citizen_scans_the_printed_card_on_a_phone(new_page, officer, live_server, settings):
    from django.core.files.base import ContentFile

    # The QR codes carry the public address; here that is the live server.
    settings.PUBLIC_BASE_URL = live_server.url
    cert = Certificate.objects.get(holder=officer)
    cert.photo.save("li.png", ContentFile(avatar_png(officer.real_name, cert.number)), save=True)

    # The officer prints her card from the workbench.
    page = new_page()
    sign_in(page, officer.username, PASSWORD)
    page.get_by_role("link", name="核验卡与二维码").click()
    page.get_by_role("heading", name="行政执法证件核验卡").wait_for()
    assert cert.number in page.locator(".vcard").inner_text()
    screenshot(page, "card-page")
    with page.expect_download(timeout=60_000) as download:
        page.get_by_role("link", name="下载核验卡 PDF（打印用）").click()
    ARTIFACTS.mkdir(exist_ok=True)
    pdf = ARTIFACTS / "card.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")

    # Rendered as a printer would (300 dpi), then scanned.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "300", "-singlefile", str(pdf), str(ARTIFACTS / "card")], check=True
    )
    url = decode_qr(ARTIFACTS / "card.png")
    assert url == signed_certificate_url(cert.number)
    assert url.startswith(live_server.url + "/verify/certificate/")

    # A citizen on a phone opens what the scanner read.
    phone = new_page(phone=True)
    phone.goto(url)
    phone.get_by_role("heading", name=officer.real_name).wait_for()
    verdict = phone.locator(".cert-verdict")
    assert "证件有效" in verdict.inner_text()
    # The status first: above the signature line, the photo and the details.
    first = phone.evaluate(
        """() => {
            const main = document.querySelector('main') || document.body;
            const shown = [...main.querySelectorAll('.cert-verdict, .sig, .cert-photo, .cert-status, dl')];
            return shown.map(e => [e.className || e.tagName, e.getBoundingClientRect().top]);
        }"""
    )
    top = min(first, key=lambda row: row[1])
    assert "cert-verdict" in top[0], first
    # The photo is the uploaded one (a PNG), not the placeholder silhouette.
    photo = phone.locator("img.cert-photo")
    assert photo.evaluate("e => e.complete && e.naturalWidth === 240 && e.naturalHeight === 320")
    # The card's link is the bureau's own: no warning that it lacks the signature.
    assert phone.get_by_text("未携带本局签名").count() == 0
    assert phone.get_by_text("二维码签名有效").first.is_visible()
    overflow = phone.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    screenshot(phone, "card-scanned-phone")
