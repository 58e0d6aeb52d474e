# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""事后公开 in the browser: a citizen on a phone searches a published decision and opens it; a unit head reviews
a redaction draft (original and redacted side by side), hides one more name and publishes it."""

import datetime

import pytest
from django.utils import timezone

from disclosure.models import Publication, PublicationStatus
from tests.conftest import PASSWORD
from tests.disclosure.publication_factories import (  # noqa: F401  (autouse fixtures)
    ORGANISATION,
    empty_cache,
    fake_pdf,
    issue_decision,
    lawful_decided_case,
    serve,
)
from tests.e2e.conftest import screenshot, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _draft(make_case, unit_head, bureau_head, officer, **overrides):
    # Decided in the statutory order (filed, notified, served, the five working days run, decided) before
    # its 决定书 is issued.
    case = lawful_decided_case(make_case, unit_head, bureau_head, officer)
    decision = issue_decision(case, officer, **overrides)
    return Publication.objects.get(document=decision)


def _served(pub, officer):
    served_at = timezone.localtime(pub.document.issued_at) + datetime.timedelta(minutes=1)
    serve(pub.document, officer, served_at=served_at.strftime("%Y-%m-%dT%H:%M"))


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def test_a_citizen_on_a_phone_searches_a_decision_and_opens_it(
    new_page, make_case, unit_head, bureau_head, officer
):
    pub = _draft(make_case, unit_head, bureau_head, officer)
    other = _draft(make_case, unit_head, bureau_head, officer, violation_type="未按规定明码标价")
    for item in (pub, other):
        _served(item, officer)
        item.publish(by=bureau_head)

    page = new_page(phone=True)
    page.goto("/publications/")
    page.get_by_role("heading", name="行政处罚决定公示").wait_for()
    page.get_by_label("违法行为类型").fill("食品")
    page.get_by_role("button", name="检索").click()
    page.get_by_text("找到 1 条").wait_for()
    assert page.get_by_text("未按规定明码标价").count() == 0
    _no_sideways_scroll(page)
    screenshot(page, "citizen-publication-search-phone")

    page.get_by_role("link", name=pub.document_number).click()
    page.get_by_role("heading", name="决定书全文").wait_for()
    text = page.locator(".pub-fulltext").inner_text()
    assert "武定县某某商贸有限公司" in text and "王某" in text
    assert "王小红" not in page.content() and "13987654321" not in page.content()
    assert page.get_by_text("罚款5000.00元").first.is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "citizen-publication-detail-phone")


def test_a_unit_head_reviews_a_redaction_draft_and_publishes_it(
    new_page, make_case, unit_head, bureau_head, officer
):
    pub = _draft(make_case, unit_head, bureau_head, officer)
    _served(pub, officer)

    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, unit_head.username, PASSWORD)
    page.goto("/staff/disclosure/publications/")
    page.get_by_role("link", name=pub.document_number).click()
    page.get_by_role("heading", name="原文与公示文本对照").wait_for()
    original = page.locator("#original-text")
    assert "王小红" in original.inner_text()
    assert "王小红" not in page.locator(".redacted-text").inner_text()
    assert original.locator("mark.redacted").count() >= 2
    screenshot(page, "staff-publication-review")

    page.get_by_label("要隐去的文字").fill("昆明某某商贸公司")
    page.get_by_label("类别").last.select_option(label="其他个人信息")
    page.get_by_role("button", name="隐去原文中所有该文字").click()
    page.get_by_text("已隐去原文中所有“昆明某某商贸公司”").wait_for()
    assert "昆明某某商贸公司" not in page.locator(".redacted-text").inner_text()

    page.get_by_role("button", name="审核通过并公示").click()
    page.get_by_text("已公示。").wait_for()
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.PUBLISHED
    assert "昆明某某商贸公司" not in pub.published_text
    screenshot(page, "staff-publication-published")

    public = new_page(phone=True)
    public.goto(f"/publications/{pub.pk}/")
    public.get_by_role("heading", name="决定书全文").wait_for()
    assert "昆明某某商贸公司" not in public.content()
    screenshot(public, "citizen-publication-after-review-phone")
