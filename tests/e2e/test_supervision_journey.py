"""A supervisor's journey in a real browser: from the 监督检查 dashboard into an overdue case, then a 督查通报
drafted from the list, its item assigned to the case's unit, and issued (numbered, sealed PDF)."""

import datetime

import pytest
from django.utils import timezone

from supervision.models import Notification, SupervisionNotice

# The dashboard tests' data: cases with every kind of problem, at a frozen "today".
from tests.supervision import test_dashboard as dashboard_data

frozen = dashboard_data.frozen
gaoqiao_pair = dashboard_data.gaoqiao_pair
cases = dashboard_data.cases
rich_data = dashboard_data.rich_data


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_a_bureau_head_drills_from_the_dashboard_into_a_late_case_and_issues_a_notice(new_page, rich_data):
    from tests.conftest import PASSWORD
    from tests.e2e.conftest import screenshot, sign_in
    from wuding_enforcement.roster.models import Staff

    bureau_head = Staff.objects.get(username="sun_bureau")
    late = rich_data["overdue"]
    page = new_page()
    sign_in(page, bureau_head.username, PASSWORD)
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="监督检查").click()
    page.get_by_role("heading", name="监督检查", exact=True).wait_for()
    assert page.locator("svg.sv-chart").first.get_attribute("aria-label").startswith("各单位已逾期和即将到期")
    screenshot(page, "supervision-dashboard-desktop")

    page.get_by_role("link", name="2 已逾期的期限").click()
    page.get_by_role("heading", name="已逾期的期限").wait_for()
    screenshot(page, "supervision-dashboard-overdue-list")
    page.get_by_role("link", name=late.lead_number).click()
    page.get_by_role("heading", name=late.title).wait_for()
    page.go_back()
    page.get_by_label("标题").fill("关于立案审查逾期的督查通报")
    page.get_by_role("button", name="起草督查通报").click()
    page.get_by_text("关于立案审查逾期的督查通报").first.wait_for()
    assert "/staff/supervision/notices/" in page.url

    # She lists the problem for the late case's unit, with a due date, and issues (签发) the notice.
    page.get_by_label("责任单位").select_option(label=late.handling_unit.name)
    page.get_by_label("存在问题").fill(f"{late.lead_number}超过立案审查期限未作出决定。")
    due = timezone.localdate() + datetime.timedelta(days=14)
    page.get_by_label("整改期限").fill(due.isoformat())
    page.get_by_role("button", name="增加").click()
    page.get_by_text(f"{late.lead_number}超过立案审查期限未作出决定。").wait_for()
    page.get_by_role("button", name="签发通报").click()
    pdf_link = page.get_by_role("link", name="下载通报 PDF")
    pdf_link.wait_for()
    notice = SupervisionNotice.objects.get(title="关于立案审查逾期的督查通报")
    assert notice.number and notice.number in page.content()
    assert page.get_by_text("整改中").first.is_visible()
    pdf = page.request.get(pdf_link.get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    screenshot(page, "supervision-notice-issued")
    # The unit's head is told in the portal.
    assert Notification.objects.filter(recipient=late.handling_unit.head, key__startswith="notice:").exists()

    phone = new_page(phone=True)
    sign_in(phone, bureau_head.username, PASSWORD)
    phone.goto("/staff/supervision/")
    phone.get_by_role("heading", name="监督检查", exact=True).wait_for()
    # Nothing makes the page itself wider than the phone: wide tables scroll inside their container.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "supervision-dashboard-phone")
    phone.goto("/staff/supervision/dashboard/overdue/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "supervision-dashboard-overdue-phone")
