"""行政检查 in Debian's chromium: the 政策法规股 imports the 名录库, publishes the year's plan (the bureau head
approves it) and runs a draw; an officer on a phone opens the task and issues the notice and the 笔录; the
enterprise scans the 检查码 on a phone, sees the officers and rates the visit; the result appears on the public
site; a finding becomes a lead in a new penalty case."""

import csv
import datetime
import io

import pytest
from django.utils import timezone

from inspection import codes, creditcode
from inspection.models import (
    ChecklistEntry,
    Draw,
    EntityCategory,
    FrequencyCap,
    Inspection,
    InspectionItem,
    InspectionKind,
    InspectionPlan,
    MarketEntity,
    PlanEntry,
    Rating,
    Result,
)
from recording.models import Document
from tests.conftest import PASSWORD, otp_static_device
from tests.e2e.conftest import screenshot, sign_in
from tests.inspection.conftest import make_entity
from wuding_enforcement.cases.models import PowerItem, PowerKind
from wuding_enforcement.cases.workflow import Procedure, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _no_sideways_scroll(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px on a phone"


@pytest.fixture
def food_item(units):
    EntityCategory.objects.create(name="食品经营者")
    power = PowerItem.objects.create(
        code="JC-SP-001",
        kind=PowerKind.INSPECTION,
        field="食品安全",
        name="食品生产经营监督检查",
        legal_basis="《中华人民共和国食品安全法》第一百一十条",
    )
    item = InspectionItem.objects.create(
        code="SC-SP-01",
        field="食品安全",
        item="食品经营者经营条件和食品安全管理制度落实情况的检查",
        target="辖区内食品经营者",
        basis="《中华人民共和国食品安全法》第一百一十条",
        method="现场检查",
        ratio="按风险等级抽取",
        unit=units["shishan"],
        power_item=power,
        category=EntityCategory.objects.get(),
    )
    for n, text in enumerate(["经营许可证件是否有效", "从业人员健康证明", "进货查验记录"], start=1):
        ChecklistEntry.objects.create(item=item, order=n, text=text)
    for risk in "ABCD":
        FrequencyCap.objects.create(item=item, risk_class=risk, per_year=2)
    return item


def _registry_csv(count=6) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        ["统一社会信用代码", "名称", "主体类型", "法定代表人（经营者）", "住所", "风险等级", "检查对象类别"]
    )
    for n in range(1, count + 1):
        writer.writerow(
            [
                creditcode.make("92", "532329", f"MA8{n:05d}"),
                f"武定县狮山镇演示{n}号食品店",
                "个体工商户",
                "陈某",
                f"武定县狮山镇演示街{n}号",
                "D",
                "食品经营者",
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")


def test_the_policy_unit_publishes_the_plan_and_runs_a_draw(
    new_page, food_item, reviewer, bureau_head, officer, colleague, tmp_path
):
    otp_static_device(reviewer)
    page = new_page()
    sign_in(page, reviewer.username, PASSWORD, otp_code="11111111")

    # 1. The 名录库, imported from the registration system's export.
    path = tmp_path / "名录库.csv"
    path.write_bytes(_registry_csv())
    page.goto("/staff/inspection/entities/import/")
    page.get_by_label("名录库文件（.xlsx 或 .csv）").set_input_files(str(path))
    page.get_by_role("button", name="导入").click()
    page.get_by_text("导入完成：共6行，新增检查对象6条").wait_for()
    assert MarketEntity.objects.count() == 6

    # 2. The plan: a draft with its item, approved by the bureau head, filed, published.
    page.goto("/staff/inspection/plans/")
    page.get_by_label("计划类型").select_option(label="年度检查计划")
    page.get_by_label("计划名称").fill("2026年度行政检查计划")
    page.get_by_label("计划内容").fill("以双随机抽查为主，按风险等级抽取。")
    page.get_by_role("button", name="新建草稿").click()
    page.get_by_label("检查事项").select_option(label=str(food_item))
    page.get_by_label("实施时间").fill("第四季度")
    page.get_by_label("D级抽取比例（%）").fill("50")
    page.get_by_role("button", name="添加检查事项").click()
    page.get_by_text("已添加检查事项").wait_for()
    plan = InspectionPlan.objects.get()
    head = new_page()
    sign_in(head, bureau_head.username, PASSWORD)
    head.goto(f"/staff/inspection/plans/{plan.pk}/")
    head.get_by_role("button", name="记录批准").click()
    head.get_by_text("计划已批准").wait_for()
    today = timezone.localdate().isoformat()
    page.reload()
    page.get_by_label("报县司法局备案日期").fill(today)
    page.get_by_label("报上级市场监管部门备案日期").fill(today)
    page.get_by_role("button", name="记录备案").click()
    page.get_by_text("已记录备案").wait_for()
    page.get_by_role("button", name="在公示网站公布").click()
    page.get_by_text("计划已在公示网站公布").wait_for()
    screenshot(page, "inspection-plan")

    # 3. The draw: the commitment first, then the public value of the day.
    page.goto("/staff/inspection/draws/")
    page.get_by_label("计划检查事项").select_option(index=1)
    page.get_by_label("公开随机值").fill("当日人民币对美元汇率中间价")
    page.get_by_role("button", name="公布承诺").click()
    page.get_by_text("抽取承诺已公布").wait_for()
    draw = Draw.objects.get()
    assert draw.commitment in page.content()
    page.get_by_label("公开随机值").fill("7.1035")
    page.get_by_label("出处").fill("中国外汇交易中心网站")
    page.get_by_role("button", name="抽取", exact=True).click()
    page.get_by_text("抽取完成").wait_for()
    draw.refresh_from_db()
    assert draw.picks.count() == 3  # half of the six D-class shops
    screenshot(page, "inspection-draw-staff")

    # The public sees the commitment, not the list (it would warn the targets).
    public = new_page(phone=True)
    public.goto(f"/inspection/draws/{draw.pk}/")
    public.get_by_text(draw.commitment).wait_for()
    assert public.get_by_text("抽取名单在检查结束后公布").is_visible()
    assert "演示1号食品店" not in public.content()
    public.goto("/inspection/plans/")
    public.get_by_text("2026年度行政检查计划").wait_for()
    _no_sideways_scroll(public)
    screenshot(public, "inspection-plans-phone")
    # Each pick waits for the bureau head's approval.
    head.goto("/staff/inspection/")
    head.get_by_role("heading", name="待我审批").wait_for()
    assert head.locator("input[name=task]").count() == 3


def _approved_task(entity_item, officer, colleague, bureau_head, *, kind=InspectionKind.CASE):
    entity = make_entity(1, risk="B", categories=[EntityCategory.objects.get()])
    inspection = Inspection.register(
        by=officer,
        kind=kind,
        entity=entity,
        item=entity_item,
        officers=[officer, colleague],
        planned_on=timezone.localdate(),
        reason="投诉反映该店销售过期食品。",
        source="complaint",
        source_note="12315-0001",
    )
    return inspection.approve(by=bureau_head, opinion="同意检查。")


def test_an_officer_on_a_phone_opens_the_task_and_issues_the_notice_and_the_record(
    new_page, food_item, officer, colleague, bureau_head
):
    inspection = _approved_task(food_item, officer, colleague, bureau_head)
    page = new_page(phone=True)
    page.on("dialog", lambda dialog: dialog.accept())  # confirm.js asks before 签发
    sign_in(page, officer.username, PASSWORD)
    page.goto("/staff/inspection/")
    page.get_by_role("link", name=inspection.entity.name).click()
    page.get_by_role("heading", name="检查码").wait_for()
    assert page.get_by_text(codes.grouped(inspection.code)).is_visible()
    _no_sideways_scroll(page)
    screenshot(page, "inspection-task-phone")

    # 检查通知书: prefilled from the task; issued, then 已通知.
    page.get_by_role("link", name="制作行政检查通知书").click()
    now = timezone.localtime().replace(second=0, microsecond=0)
    page.get_by_label("检查时间").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("已满足签发条件").wait_for()
    page.get_by_role("button", name="签发").click()
    page.get_by_text("已签发").first.wait_for()
    page.goto(f"/staff/inspection/tasks/{inspection.pk}/")
    page.get_by_role("button", name="已通知").click()
    page.get_by_text("已记录：已通知").wait_for()

    # 现场检查笔录 against the 检查表单, both officers present, the reason there is no video.
    page.get_by_role("link", name="制作现场检查笔录").click()
    start = now - datetime.timedelta(hours=1)
    page.get_by_label("检查开始时间").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("检查结束时间").fill(now.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_label("被检查单位在场人员").fill("陈某（负责人）")
    page.get_by_label("执法人员已出示执法证件和检查码").check()
    for entry in food_item.checklist.all():
        page.locator(f"input[name=check_{entry.pk}][value=ok]").check()
    page.get_by_label("现场检查情况").fill("店内整洁，证照齐全，进货记录完整。")
    page.get_by_label("未录音录像的理由").fill("检查过程简单，笔录经负责人签字确认，足以全面记录。")
    assert page.get_by_label("李桂芬").is_checked() and page.get_by_label("王志强").is_checked()
    _no_sideways_scroll(page)
    screenshot(page, "inspection-record-form-phone")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("已满足签发条件").wait_for()
    page.get_by_role("button", name="签发").click()
    page.get_by_text("已签发").first.wait_for()
    record = Document.objects.get(case=inspection.case, doc_type="inspection_record")
    assert record.is_issued and [r["result"] for r in record.data["checklist"]] == ["ok", "ok", "ok"]
    page.goto(f"/staff/inspection/tasks/{inspection.pk}/")
    page.get_by_role("button", name="现场检查已完成").click()
    page.get_by_text("已记录：现场检查已完成").wait_for()
    inspection.case.refresh_from_db()
    assert inspection.case.stage == Stage.INSPECTED
    screenshot(page, "inspection-task-inspected-phone")


def _inspected_task(food_item, officer, colleague, bureau_head, kind=InspectionKind.CASE):
    from tests.inspection.conftest import issue, notice_data, record_data

    inspection = _approved_task(food_item, officer, colleague, bureau_head, kind=kind)
    case = inspection.case
    today = timezone.localdate()
    now = timezone.localtime().replace(second=0, microsecond=0)
    times = {
        "started_at": (now - datetime.timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    issue(case, "inspection_notice", notice_data(inspect_at=times["started_at"]), by=officer)
    case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    issue(
        case,
        "inspection_record",
        record_data(case, **times),
        by=officer,
        officers=[officer, colleague],
        act_date=today,
        av_exemption="笔录足以记录。",
    )
    case.advance(Stage.INSPECTED, actor=officer)
    inspection.refresh_from_db()
    return inspection


def test_the_enterprise_scans_the_code_on_a_phone_sees_the_officers_and_rates_the_visit(
    new_page, food_item, officer, colleague, bureau_head
):
    inspection = _inspected_task(food_item, officer, colleague, bureau_head)
    page = new_page(phone=True)
    page.goto(codes.path_for(inspection.code))  # what the QR code carries
    page.get_by_text("检查码有效").wait_for()
    for text in ("李桂芬", "王志强", inspection.item.item, "五个严禁", "申请其回避"):
        assert page.get_by_text(text).first.is_visible(), text
    assert page.get_by_text("执法证件有效").count() == 2
    _no_sideways_scroll(page)
    screenshot(page, "inspection-code-phone")
    page.get_by_label("5星").check()
    page.get_by_label("评价意见（选填）").fill("检查规范，没有影响营业。")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_text("感谢您的评价").wait_for()
    assert Rating.objects.get().score == 5
    assert page.get_by_text("您已评价本次检查").is_visible()
    # The short code typed by hand finds the same page.
    page.goto("/inspection/c/")
    page.get_by_label("检查码").fill(codes.grouped(inspection.code))
    page.get_by_role("button", name="核验").click()
    page.get_by_text("检查码有效").wait_for()


def test_the_result_appears_on_the_public_site(
    new_page, food_item, officer, colleague, bureau_head, admin_user
):
    plan = InspectionPlan.objects.create(
        kind="annual", year=timezone.localdate().year, title="年度计划", summary="x", created_by=admin_user
    )
    PlanEntry.objects.create(plan=plan, item=food_item, period="全年")
    plan.approve(by=bureau_head, on=timezone.localdate())
    plan.record_filing(by=admin_user, justice_on=timezone.localdate(), superior_on=timezone.localdate())
    plan.publish(by=admin_user)
    entity = make_entity(1, risk="B", categories=[EntityCategory.objects.get()])
    inspection = Inspection.register(
        by=officer,
        kind=InspectionKind.KEY,
        entity=entity,
        item=food_item,
        officers=[officer, colleague],
        planned_on=timezone.localdate(),
        reason="年度重点检查。",
        plan=plan,
    )
    inspection.approve(by=bureau_head, opinion="同意。")
    from tests.inspection.conftest import issue, notice_data, record_data

    now = timezone.localtime().replace(second=0, microsecond=0)
    times = {
        "started_at": (now - datetime.timedelta(minutes=50)).strftime("%Y-%m-%dT%H:%M"),
        "ended_at": now.strftime("%Y-%m-%dT%H:%M"),
    }
    issue(inspection.case, "inspection_notice", notice_data(inspect_at=times["started_at"]), by=officer)
    inspection.case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    issue(
        inspection.case,
        "inspection_record",
        record_data(inspection.case, **times),
        by=officer,
        officers=[officer, colleague],
        act_date=timezone.localdate(),
        av_exemption="笔录足以记录。",
    )
    inspection.case.advance(Stage.INSPECTED, actor=officer)

    page = new_page()
    sign_in(page, officer.username, PASSWORD)
    page.goto(f"/staff/inspection/tasks/{inspection.pk}/")
    page.get_by_label("未发现问题").check()
    page.get_by_label("检查情况").fill("检查表单各项符合要求，未发现问题。")
    page.get_by_role("button", name="登记检查结果").click()
    page.get_by_text("检查结果已登记").wait_for()
    page.get_by_text("公示期限").wait_for()
    # Preview first: the public text with each redaction marked, then the confirmation stores exactly it.
    page.get_by_label("公示内容").fill("食品经营条件检查：未发现问题。现场联系电话13812345678。")
    page.get_by_role("button", name="预览公示内容").click()
    page.get_by_role("heading", name="公示预览").wait_for()
    marked = page.locator("#preview-text mark.redacted")
    assert marked.inner_text() == "［电话号码］" and marked.get_attribute("title") == "已隐去：电话号码"
    assert "13812345678" not in page.locator("#preview-text").inner_text()
    page.get_by_role("cell", name="13812345678").wait_for()
    screenshot(page, "inspection-result-preview")
    page.get_by_role("button", name="确认公示").click()
    page.get_by_text("检查结果已在公示网站公示").wait_for()

    citizen = new_page(phone=True)
    citizen.goto("/")
    citizen.get_by_role("link", name="随机抽查事项清单").click()
    citizen.get_by_role("link", name="行政检查公示").click()
    citizen.get_by_role("link", name="检查结果公示").click()
    citizen.get_by_role("link", name=entity.name).click()
    citizen.get_by_text("未发现问题").first.wait_for()
    citizen.get_by_text("食品经营条件检查：未发现问题。现场联系电话［电话号码］。").wait_for()
    assert "13812345678" not in citizen.content()
    _no_sideways_scroll(citizen)
    screenshot(citizen, "inspection-result-public-phone")


def test_a_finding_becomes_a_lead_in_a_new_penalty_case(new_page, food_item, officer, colleague, bureau_head):
    inspection = _inspected_task(food_item, officer, colleague, bureau_head)
    page = new_page()
    sign_in(page, officer.username, PASSWORD)
    page.goto(f"/staff/inspection/tasks/{inspection.pk}/")
    page.get_by_label("移交立案", exact=True).check()
    page.get_by_label("检查情况").fill("货架上陈列超过保质期的饼干12袋。")
    page.get_by_label("案由（移交立案）").fill("涉嫌销售超过保质期食品案")
    page.get_by_role("button", name="登记检查结果").click()
    page.get_by_text("检查结果已登记").wait_for()
    inspection.refresh_from_db()
    lead = inspection.lead_case
    assert lead.procedure == Procedure.ORDINARY and lead.stage == Stage.LEAD
    page.get_by_role("link", name=lead.number).click()
    page.get_by_role("heading", name="办案全过程").wait_for()
    assert f"/cases/{lead.pk}/" in page.url, page.url
    assert "涉嫌销售超过保质期食品案" in page.content() and "监督检查发现" in page.content()
    screenshot(page, "inspection-lead-workspace")
    assert inspection.result == Result.REFER
