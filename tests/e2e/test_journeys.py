"""Journeys through the real pages in Debian's chromium, one per kind of user of the foundation."""

import io
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import PASSWORD, otp_static_device
from tests.e2e.conftest import screenshot, sign_in
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_officer_asks_for_filing_and_the_heads_approve_it(
    new_page, make_case, officer, unit_head, bureau_head
):
    case = make_case(title="涉嫌销售超过保质期食品案")

    page = new_page()
    sign_in(page, officer.username, PASSWORD)
    assert page.get_by_role("heading", name="我承办的案件").is_visible()
    page.get_by_role("link", name=case.lead_number).first.click()
    page.get_by_role("heading", name="涉嫌销售超过保质期食品案").wait_for()
    page.get_by_label("审批事项").select_option(label="立案审批")
    page.get_by_label("申请理由").fill(
        "经现场核查，当事人货架上有超过保质期的食品，涉嫌违反食品安全法第三十四条。"
    )
    page.get_by_role("button", name="提交审批").click()
    page.get_by_text("待承办单位负责人意见").first.wait_for()
    screenshot(page, "officer-case-approval-requested")

    head_page = new_page()
    sign_in(head_page, unit_head.username, PASSWORD)
    awaiting = head_page.locator("section", has=head_page.get_by_role("heading", name="待我审批"))
    awaiting.get_by_role("link", name=case.lead_number).click()
    head_page.get_by_label("同意", exact=True).check()
    head_page.get_by_label("意见", exact=True).fill("情况属实，拟同意立案。")
    head_page.get_by_role("button", name="提交意见").click()
    head_page.get_by_text("待局负责人审批").first.wait_for()

    bureau_page = new_page()
    sign_in(bureau_page, bureau_head.username, PASSWORD)
    bureau_page.locator("section", has=bureau_page.get_by_role("heading", name="待我审批")).get_by_role(
        "link", name=case.lead_number
    ).click()
    bureau_page.get_by_label("同意", exact=True).check()
    bureau_page.get_by_label("意见", exact=True).fill("同意立案，由李桂芬、王志强承办。")
    bureau_page.get_by_role("button", name="提交意见").click()
    case.refresh_from_db()
    assert case.stage == Stage.FILED
    bureau_page.get_by_text(case.case_number).first.wait_for()
    screenshot(bureau_page, "bureau-head-case-filed")

    # The officer sees the filed case with its number and the 90-day decision deadline.
    page.reload()
    page.get_by_text(case.case_number).first.wait_for()
    assert page.get_by_text("作出处理决定期限").first.is_visible()
    assert Case.objects.get(pk=case.pk).transitions.count() == 1


def test_an_admin_passes_two_factor_and_exports_the_staff_roster(new_page, admin_user, officer):
    otp_static_device(admin_user, tokens=["48151623"])
    page = new_page()
    sign_in(page, admin_user.username, PASSWORD, otp_code="48151623")
    page.goto("/admin/roster/staff/")
    page.get_by_role("link", name=officer.username).wait_for()
    assert page.get_by_text("李桂芬").first.is_visible()
    screenshot(page, "admin-staff-roster")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="导出 Excel").click()
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    names = [row[1] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert "李桂芬" in names
    # The backup code is spent: signing in again with it fails.
    again = new_page()
    sign_in(again, admin_user.username, PASSWORD)
    again.get_by_label("动态验证码或备用码").fill("48151623")
    again.get_by_role("button", name="验证").click()
    again.get_by_text("验证码不正确或已使用").wait_for()


def test_a_citizen_opens_the_public_home_page_on_a_phone(new_page):
    page = new_page(phone=True)
    page.goto("/")
    assert page.get_by_role("heading", level=1).first.is_visible()
    assert "武定县市场监督管理局" in page.content()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"
    screenshot(page, "citizen-home-phone")
    # Staff pages are not for citizens: they land on the sign-in page.
    page.goto("/staff/cases/")
    assert "/accounts/login/" in page.url
