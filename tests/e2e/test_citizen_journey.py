"""A citizen on a phone checks an officer's certificate: through the officer's signed QR link (an expired
certificate, marked in red) and by typing a certificate number."""

import datetime
from urllib.parse import urlsplit

import pytest

from disclosure.signing import signed_certificate_url
from tests.e2e.conftest import screenshot
from wuding_enforcement.roster.models import Certificate

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def test_a_citizen_opens_a_signed_link_and_sees_the_expired_certificate_in_red(new_page, officer, colleague):
    from django.utils import timezone

    cert = Certificate.objects.get(holder=officer)
    Certificate.objects.filter(pk=cert.pk).update(
        issued_on=datetime.date(2020, 1, 1), expires_on=timezone.localdate() - datetime.timedelta(days=3)
    )
    link = urlsplit(signed_certificate_url(cert.number))

    page = new_page(phone=True)
    page.goto(f"{link.path}?{link.query}")
    page.get_by_role("heading", name=officer.real_name).wait_for()
    assert page.get_by_text("二维码签名有效，本链接由武定县市场监督管理局签发").is_visible()
    status = page.locator(".cert-status")
    assert "证件状态：过期" in status.inner_text()
    assert "不具备执法资格" in status.inner_text()
    # Red: the status box's text colour is the site's red (#a4241b).
    assert status.evaluate("e => getComputedStyle(e).color") == "rgb(164, 36, 27)"
    assert page.locator("img.cert-photo").evaluate("e => e.naturalWidth > 0")
    _no_sideways_scroll(page)
    screenshot(page, "citizen-certificate-expired-phone")

    # The same page reached by a QR code that carries someone else's signature is flagged.
    page.goto(f"{link.path}?s=forged")
    assert page.get_by_text("签名无效").first.is_visible()

    # Looking up the colleague's certificate by its number.
    other = Certificate.objects.get(holder=colleague)
    page.goto("/verify/certificate/")
    page.get_by_label("证件编号").fill(other.number)
    page.get_by_role("button", name="查询").click()
    page.get_by_role("heading", name=colleague.real_name).wait_for()
    assert "证件状态：有效" in page.locator(".cert-status").inner_text()
    _no_sideways_scroll(page)
    screenshot(page, "citizen-certificate-lookup-phone")

    # An unknown number says so.
    page.goto("/verify/certificate/")
    page.get_by_label("证件编号").fill("00000000")
    page.get_by_role("button", name="查询").click()
    assert page.get_by_text("未找到编号为“00000000”的执法证件").is_visible()


def test_a_citizen_browses_the_personnel_list_on_a_phone(new_page, officer, colleague):
    Certificate.objects.filter(holder=colleague).update(
        status="revoked", status_since=datetime.date(2026, 1, 1)
    )
    page = new_page(phone=True)
    page.goto("/")
    page.get_by_role("link", name="执法人员").first.click()
    page.get_by_role("heading", name="执法人员").wait_for()
    row = page.locator("li.person", has_text=colleague.real_name)
    assert "当前不具备执法资格" in row.inner_text()
    _no_sideways_scroll(page)
    screenshot(page, "citizen-personnel-phone")
    row.get_by_role("link").click()
    page.get_by_role("heading", name=colleague.real_name).wait_for()
    assert "吊销" in page.locator(".cert-status").inner_text()
