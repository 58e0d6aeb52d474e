"""Procedure journeys in Debian's chromium (docs/domain.md §6): the statutory order as an officer meets it in
the browser. A 简易程序 case served on the spot and filed with the bureau; an ordinary case whose officer is
refused each shortcut with its article, gets 立案 approved by the unit head and the bureau head in their own
browsers, records the party's hearing request, statement and its 复核, and is held before the decision until the
hearing is held. Screenshots land in test-artifacts/."""

import datetime

import pytest

from tests.conftest import PASSWORD, issued_row, served_row
from tests.e2e.conftest import screenshot, sign_in
from wuding_enforcement.cases.models import Case, LeadSource, PartyKind, ResponseKind
from wuding_enforcement.cases.workflow import Procedure, Stage

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _advance(page, case, target_label, day, reason=""):
    page.goto(f"/staff/cases/{case.pk}/")
    form = page.locator("section", has=page.get_by_role("heading", name="推进案件"))
    form.get_by_label("转入阶段").select_option(label=target_label)
    form.get_by_label("日期").fill(day.isoformat())
    if reason:
        form.get_by_label("说明").fill(reason)
    form.get_by_role("button", name="确认转入").click()
    page.wait_for_load_state()
    return page.content()


def _approve(page, case, opinion):
    page.goto(f"/staff/recording/cases/{case.pk}/")
    awaiting = page.locator("section", has=page.get_by_role("heading", name="待我审批"))
    awaiting.get_by_label("同意", exact=True).check()
    awaiting.get_by_label("意见", exact=True).fill(opinion)
    awaiting.get_by_role("button", name="提交意见").click()
    page.wait_for_load_state()


def _lead(officer, colleague, procedure=Procedure.ORDINARY, title="涉嫌销售超过保质期的食品案", day=None):
    return Case.register_lead(
        by=officer,
        handling_unit=officer.unit,
        title=title,
        lead_source=LeadSource.INSPECTION,
        lead_date=day or datetime.date.today(),
        procedure=procedure,
        officers=[officer, colleague],
        parties=[
            {
                "kind": PartyKind.ORGANISATION,
                "name": "武定县某某超市有限公司",
                "credit_code": "91532329MA6K000002",
                "legal_representative": "陈某",
                "address": "武定县狮山镇某路2号",
            }
        ],
    )


def test_a_simple_procedure_case_is_served_on_the_spot_and_filed(new_page, officer, colleague):
    today = datetime.date.today()
    yesterday = today - datetime.timedelta(days=1)
    case = _lead(officer, colleague, Procedure.SIMPLE, "当场处罚：未按规定公示营业执照", day=yesterday)
    page = new_page()
    sign_in(page, officer.username, PASSWORD)

    # Decided yesterday on the spot, recorded as served today: refused, with the article (第五十二条).
    page_text = _advance(page, case, "送达", today)
    assert "第五十二条" in page_text
    screenshot(page, "procedure-simple-refused")
    case.refresh_from_db()
    assert case.stage == Stage.ON_SPOT

    assert "案件已转入“送达”阶段" in _advance(page, case, "送达", yesterday)
    assert "案件已转入“备案”阶段" in _advance(page, case, "备案", today)
    screenshot(page, "procedure-simple-reported")
    case.refresh_from_db()
    assert case.stage == Stage.REPORTED and case.served_on == yesterday


def test_an_ordinary_case_with_a_hearing_is_held_in_its_statutory_order(
    new_page, officer, colleague, unit_head, bureau_head
):
    case = _lead(officer, colleague)
    today = datetime.date.today()
    page = new_page()
    sign_in(page, officer.username, PASSWORD)

    # 立案: asked for by the officer, agreed by the unit head and approved by the bureau head, each in a browser.
    page.goto(f"/staff/recording/cases/{case.pk}/")
    request = page.locator("section", has=page.get_by_role("heading", name="提请审批"))
    request.get_by_label("审批事项").select_option(label="立案审批")
    request.get_by_label("申请理由").fill("经核查，当事人涉嫌销售超过保质期的食品，符合立案条件。")
    request.get_by_role("button", name="提交审批").click()
    head = new_page()
    sign_in(head, unit_head.username, PASSWORD)
    _approve(head, case, "情况属实，拟同意立案。")
    bureau = new_page()
    sign_in(bureau, bureau_head.username, PASSWORD)
    _approve(bureau, case, "同意立案。")
    case.refresh_from_db()
    assert case.stage == Stage.FILED

    # Each shortcut is refused in the page with the missing step and its article.
    _advance(page, case, "调查取证", today)
    text = _advance(page, case, "调查终结/案件审核", today)
    assert "案件调查终结报告" in text and "第五十七条" in text
    screenshot(page, "procedure-ordinary-no-report")
    issued_row(case, "investigation_report", by=officer, data={"facts": "查明事实"})
    _advance(page, case, "调查终结/案件审核", today)
    text = _advance(page, case, "告知", today)
    assert "行政处罚告知书" in text and "第四十四条" in text
    notice = issued_row(
        case,
        "penalty_notice",
        by=officer,
        party=case.parties.first(),
        data={"penalty_types": ["fine"], "fine_amount": "20000.00", "hearing_right": True},
    )
    _advance(page, case, "告知", today)
    assert "尚未送达" in _advance(page, case, "陈述申辩/听证", today)
    served_row(case, notice, by=officer, on=today)
    _advance(page, case, "陈述申辩/听证", today)

    # The party asks for a hearing and states its case; the statement is answered (复核).
    page.goto(f"/staff/cases/{case.pk}/responses/")
    for kind, content in (
        (ResponseKind.HEARING_REQUEST, "当事人书面要求举行听证。"),
        (ResponseKind.STATEMENT, "当事人称系初次违法，已主动下架，请求从轻处罚。"),
    ):
        form = page.locator("section", has=page.get_by_role("heading", name="记录新的事项"))
        form.get_by_label("事项").select_option(value=kind)
        form.get_by_label("收到（发生）日期").fill(today.isoformat())
        form.get_by_label("内容").fill(content)
        form.get_by_role("button", name="记录").click()
        page.wait_for_load_state()
    page.get_by_label("复核意见").fill("经复核，当事人主动下架属实，在告知的罚款幅度内从轻考虑。")
    page.get_by_label("复核日期").fill(today.isoformat())
    page.get_by_role("button", name="记录复核意见").click()
    page.get_by_text("已记录复核意见").wait_for()
    screenshot(page, "procedure-ordinary-responses")

    # Before the hearing is held and the period has run, no decision: each reason with its article.
    issued_row(case, "decision_approval", by=officer, data={"proposed_summary": "罚款"})
    text = _advance(page, case, "决定", today)
    assert "第六十四条、第六十五条" in text and "五个工作日" in text
    screenshot(page, "procedure-ordinary-no-decision")
    case.refresh_from_db()
    assert case.stage == Stage.STATEMENT
