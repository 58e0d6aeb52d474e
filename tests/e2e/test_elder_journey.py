# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""An elder citizen on a phone (issue 14 §6): switches on 长者模式 from the header, searches a 决定书文号 typed with
ASCII brackets as phones type it, opens the decision, makes the type larger still; the mode follows every page
(a cookie, no script needed) and stays on after the browser returns to the site."""

import pytest
from django.utils import timezone

from disclosure.models import Publication
from tests.disclosure.publication_factories import (  # noqa: F401  (autouse fixtures)
    empty_cache,
    fake_pdf,
    issue_decision,
    lawful_decided_case,
    serve,
)
from tests.e2e.conftest import screenshot

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ROOT_PX = "parseFloat(getComputedStyle(document.documentElement).fontSize)"
SMALLEST_TEXT_PX = """() => {
  let smallest = Infinity;
  for (const el of document.body.querySelectorAll('*')) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !el.getClientRects().length || el.closest('.skip')) continue;
    smallest = Math.min(smallest, parseFloat(getComputedStyle(el).fontSize));
  }
  return smallest;
}"""


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def _published_decision(make_case, unit_head, bureau_head, officer):
    case = lawful_decided_case(make_case, unit_head, bureau_head, officer)
    decision = issue_decision(case, officer)
    served_at = timezone.localtime(decision.issued_at) + timezone.timedelta(minutes=1)
    serve(decision, officer, served_at=served_at.strftime("%Y-%m-%dT%H:%M"))
    publication = Publication.objects.get(document=decision)
    publication.publish(by=bureau_head)
    return publication


def test_an_elder_on_a_phone_turns_on_elder_mode_finds_a_decision_by_its_number_and_keeps_the_mode(
    new_page, make_case, unit_head, bureau_head, officer
):
    pub = _published_decision(make_case, unit_head, bureau_head, officer)
    number = pub.document_number
    assert number.startswith("武市监处罚〔2026〕")
    typed = number.replace("〔", "(").replace("〕", ")")  # 武市监处罚(2026)1号: ASCII brackets

    page = new_page(phone=True)
    page.goto("/")
    assert page.evaluate(ROOT_PX) == 16
    assert page.evaluate(SMALLEST_TEXT_PX) >= 16
    screenshot(page, "elder-journey-1-home-normal-phone")

    # 长者模式 from the header: a plain link (the switch works without a script) that comes back to this page.
    with page.expect_navigation(url="**/"):
        page.get_by_role("link", name="长者模式").click()
    assert page.evaluate("document.documentElement.className") == "view-elder size-standard"
    assert page.evaluate(ROOT_PX) == 18
    assert page.evaluate(SMALLEST_TEXT_PX) >= 18
    assert page.get_by_role("link", name="退出长者模式").is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "elder-journey-2-home-elder-phone")

    # To the published decisions, and a search by the number as typed on a phone.
    page.get_by_role("link", name="行政处罚决定", exact=True).click()
    page.get_by_role("heading", name="行政处罚决定公示").wait_for()
    assert page.evaluate(ROOT_PX) == 18
    page.get_by_text("更多条件").click()
    page.get_by_label("决定书文号").fill(typed)
    page.get_by_role("button", name="检索").click()
    page.get_by_text("找到 1 条").wait_for()
    assert page.evaluate(ROOT_PX) == 18 and page.evaluate(SMALLEST_TEXT_PX) >= 18
    _no_sideways_scroll(page)
    screenshot(page, "elder-journey-3-search-elder-phone")

    page.get_by_role("link", name=number).click()
    page.get_by_role("heading", name="决定书全文").wait_for()
    assert page.evaluate("document.documentElement.className") == "view-elder size-standard"
    assert page.evaluate(SMALLEST_TEXT_PX) >= 18
    assert "武定县某某商贸有限公司" in page.locator(".pub-fulltext").inner_text()
    _no_sideways_scroll(page)
    screenshot(page, "elder-journey-4-decision-elder-phone")

    # Larger still: 特大 from the header; back on the same decision, at 22 px.
    detail = page.url
    with page.expect_navigation(url=detail):
        page.get_by_role("link", name="字号特大").click()
    assert page.evaluate("document.documentElement.className") == "view-elder size-xlarge"
    assert page.evaluate(ROOT_PX) == 22 and page.evaluate(SMALLEST_TEXT_PX) >= 22
    _no_sideways_scroll(page)
    screenshot(page, "elder-journey-5-decision-elder-xlarge-phone")

    # The preference is a cookie, not a session: a new tab of the same browser opens in the same mode.
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["wd_view"]["value"] == "elder.xlarge" and cookies["wd_view"]["httpOnly"]
    assert "sessionid" not in cookies
    again = page.context.new_page()
    again.goto("/personnel/")
    assert again.evaluate(ROOT_PX) == 22

    # And off again.
    with page.expect_navigation(url=detail):
        page.get_by_role("link", name="退出长者模式").click()
    assert page.evaluate("document.documentElement.className") == "view-normal size-xlarge"
    assert page.evaluate(ROOT_PX) == 20
