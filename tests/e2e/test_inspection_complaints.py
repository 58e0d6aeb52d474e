"""A 回避 request from the 检查码 page, handled by supervision, in Debian's chromium: the enterprise scans the code
on a phone and asks that an officer withdraw; a legal reviewer of 政策法规股 opens the dashboard, follows the
link to the complaints, opens the request (the inspection, the text and the contact shown) and agrees — the
page then says what follows for the inspection still under way."""

import pytest
from django.utils import timezone

from inspection import codes
from inspection.models import AvoidanceDecision, Complaint
from tests.conftest import PASSWORD, otp_static_device
from tests.e2e.conftest import screenshot, sign_in
from tests.inspection.conftest import approved, entity, food, item, register_case_inspection  # noqa: F401

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


def test_the_enterprise_asks_for_avoidance_on_a_phone_and_supervision_handles_it(
    new_page,
    entity,  # noqa: F811
    item,  # noqa: F811
    officer,
    colleague,
    bureau_head,
    reviewer,
):
    task = register_case_inspection(
        entity, item, [officer, colleague], by=officer, planned_on=timezone.localdate()
    )
    task = approved(task, bureau_head)

    phone = new_page(phone=True)
    phone.goto(codes.path_for(task.code))  # what the QR code carries
    phone.get_by_text("检查码有效").wait_for()
    phone.get_by_text("投诉或申请回避").click()
    phone.get_by_label("申请回避", exact=True).check()
    phone.get_by_label("申请回避的执法人员").select_option(label="王志强")
    phone.get_by_label("内容").fill("王志强是我店竞争对手的亲属，申请其回避。")
    phone.get_by_label("联系方式（选填）").fill("0878-0000000")
    _no_sideways_scroll(phone)
    screenshot(phone, "inspection-avoidance-request-phone")
    phone.get_by_role("button", name="提交", exact=True).click()
    phone.get_by_text("已收到").wait_for()
    request = Complaint.objects.get()
    assert request.officer == colleague

    otp_static_device(reviewer)
    page = new_page()
    sign_in(page, reviewer.username, PASSWORD, otp_code="11111111")
    page.goto("/staff/supervision/?procedure=inspection")
    page.get_by_role("link", name="处理投诉与回避申请").click()
    page.get_by_role("heading", name="投诉与回避申请").wait_for()
    table = page.locator("table[data-table=complaints]")
    assert table.get_by_text("待处理").is_visible() and table.get_by_text("应于").is_visible()
    screenshot(page, "inspection-complaints-list")
    page.get_by_role("link", name="申请回避（王志强）").click()
    for text in (task.unit.name, task.item.item, "李桂芬、王志强", "竞争对手的亲属", "0878-0000000"):
        assert page.get_by_text(text).first.is_visible(), text
    screenshot(page, "inspection-avoidance-handle")
    page.get_by_label("同意回避", exact=True).check()
    page.get_by_label("回避决定理由").fill("经核实，王志强与申请人的竞争对手系近亲属。")
    page.get_by_label("处理情况", exact=True).fill("已电话告知申请人：同意回避。")
    page.get_by_role("button", name="保存处理情况").click()
    page.get_by_text("已记录处理情况").wait_for()
    assert page.get_by_text("王志强不得继续参加本次检查").is_visible()
    screenshot(page, "inspection-avoidance-handled")
    request.refresh_from_db()
    assert request.decision == AvoidanceDecision.AGREED and request.handled_by == reviewer
