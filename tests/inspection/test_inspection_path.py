"""An inspection is a case on the inspection path: approved (必审批) → notified (检查通知书, 必通知) → inspected
(现场检查笔录 against the 检查表单, two certified officers, AV or its reason) → result → 结案. Every step is a
gate of Case.advance(), so the case workspace's own advance form gets the same refusals."""

import datetime

import pytest

from inspection.models import ApprovalState, Inspection, InspectionKind, Result
from recording.models import Document
from tests.inspection.conftest import (
    TODAY,
    approved,
    issue,
    notice_data,
    record_data,
    register_case_inspection,
    walk_to_inspected,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Case, LeadSource
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(frozen, entity, item, officers, officer):
    return register_case_inspection(entity, item, officers, by=officer)


def test_a_registered_inspection_waits_for_the_bureau_heads_approval_before_it_has_a_case(task, unit_head):
    assert task.approval == ApprovalState.PENDING and task.case is None and task.code is None
    assert task.number == "武市监检〔2026〕1号"
    with pytest.raises(Refused, match="须经局负责人批准"):
        task.approve(by=unit_head, opinion="同意")
    assert AuditEvent.objects.filter(action="inspection.inspection.approve_refused").exists()


def test_approval_opens_the_case_on_the_inspection_path_with_its_officers_party_and_code(
    task, bureau_head, officer, colleague, entity
):
    approved(task, bureau_head)
    case = task.case
    assert case.procedure == Procedure.INSPECTION and case.stage == Stage.INSPECTION_APPROVED
    assert [a.officer for a in case.assignments.all()] == [officer, colleague]
    assert case.assignments.get(officer=officer).is_lead
    party = case.parties.get()
    assert (party.name, party.credit_code, party.legal_representative) == (
        entity.name,
        entity.credit_code,
        "陈某",
    )
    assert [m.code for m in case.matters.all()] == ["JC-SP-001"]
    assert len(task.code) == 10 and task.decided_by == bureau_head
    # The officers work on it like any case: guardian grants them the case.
    assert case.may_work_on(officer) and case.may_work_on(colleague)
    assert case.deadlines(TODAY) == []  # no 立案 clock on an inspection


def test_it_refuses_to_notify_without_the_notice(task, bureau_head, officer):
    approved(task, bureau_head)
    with pytest.raises(TransitionRefused, match="请先签发行政检查通知书"):
        task.case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    issue(task.case, "inspection_notice", notice_data(), by=officer)
    task.case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    assert Case.objects.get(pk=task.case_id).stage == Stage.INSPECTION_NOTIFIED


def test_the_notice_prints_the_code_the_count_the_discipline_and_the_right_to_ask_for_avoidance(
    task, bureau_head, officer
):
    import subprocess

    approved(task, bureau_head)
    notice = issue(task.case, "inspection_notice", notice_data(), by=officer)
    assert notice.number == "武市监检通〔2026〕1号"
    with notice.pdf.open("rb") as handle:
        text = subprocess.run(
            ["pdftotext", "-", "-"],  # noqa: S607
            input=handle.read(),
            capture_output=True,
            check=True,
        ).stdout.decode()
    flat = "".join(text.split())
    for expected in ("行政检查通知书", "申请其回避", "五个严禁", "八个不得", "本年度对你单位实施行政检查1次"):
        assert expected in flat, expected
    assert task.code[:4] in flat


def test_the_record_follows_the_checklist_and_recordings_gates_apply(task, bureau_head, officer, colleague):
    approved(task, bureau_head)
    case = task.case
    issue(case, "inspection_notice", notice_data(), by=officer)
    case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    with pytest.raises(TransitionRefused, match="请先签发现场检查笔录"):
        case.advance(Stage.INSPECTED, actor=officer)
    # Recording's own gates: two certified officers present, AV linked or its absence explained.
    with pytest.raises(TransitionRefused) as refused:
        issue(case, "inspection_record", record_data(case), by=officer, officers=[officer], act_date=TODAY)
    assert any("至少两名" in m for m in refused.value.messages)
    assert any("请关联音像记录" in m for m in refused.value.messages)
    record = issue(
        case,
        "inspection_record",
        record_data(case, fail=True),
        by=officer,
        officers=[officer, colleague],
        act_date=TODAY,
        av_exemption="检查过程简单，笔录经当事人确认。",
    )
    rows = record.data["checklist"]
    assert [r["text"] for r in rows] == ["经营许可证件是否有效", "从业人员健康证明", "进货查验记录"]
    assert [r["result"] for r in rows] == ["ok", "ok", "fail"]
    case.advance(Stage.INSPECTED, actor=officer)


def test_a_failed_checklist_line_needs_its_note_and_the_problem_found(task, bureau_head):
    from recording.doctypes import get_type

    approved(task, bureau_head)
    data = record_data(task.case, fail=True, problems="")
    failed = next(k for k, v in data.items() if v == "fail")
    data["note_" + failed.removeprefix("check_")] = ""
    form = get_type("inspection_record").form(data, case=task.case)
    assert not form.is_valid()
    assert "不符合的，请说明具体情况。" in str(form.errors)
    assert "请填写发现的问题" in str(form.errors)


def test_the_notice_may_not_come_after_the_visit(task, bureau_head, officer, colleague, frozen):
    import time_machine

    approved(task, bureau_head)
    case = task.case
    with time_machine.travel(datetime.datetime(2026, 5, 13, 9, 0, tzinfo=datetime.UTC), tick=False):
        issue(case, "inspection_notice", notice_data(inspect_at="2026-05-13T10:00"), by=officer)
        case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
        issue(
            case,
            "inspection_record",
            record_data(case),
            by=officer,
            officers=[officer, colleague],
            act_date=TODAY,  # the visit on the 12th, the notice issued on the 13th
            av_exemption="笔录足以记录。",
        )
        with pytest.raises(TransitionRefused, match="通知须最迟在到达现场时送达"):
            case.advance(Stage.INSPECTED, actor=officer)


def test_inspection_documents_belong_to_inspections_only(make_case, officer):
    case = make_case()
    document = Document.objects.create(
        case=case, doc_type="inspection_notice", data={}, created_by=officer, party=case.parties.first()
    )
    assert "“行政检查通知书”只能用于行政检查。" in document.issue_problems(officer)


def test_a_result_none_found_is_published_then_the_inspection_closes(task, bureau_head, officer, officers):
    approved(task, bureau_head)
    walk_to_inspected(task, officers)
    with pytest.raises(TransitionRefused, match="请在检查任务页面登记检查结果"):
        task.case.advance(Stage.INSPECTION_RESULT, actor=officer)  # the workspace's button, forged or not
    task.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    assert task.case.stage == Stage.INSPECTION_RESULT
    # A 个案检查's result is not published on its own; it closes at once.
    task.close(by=officer)
    assert task.case.stage == Stage.CLOSED and task.case.closed_on == TODAY


def test_a_rectification_needs_a_deadline_and_its_follow_up_before_closing(
    task, bureau_head, officer, officers
):
    approved(task, bureau_head)
    walk_to_inspected(task, officers)
    with pytest.raises(Refused, match="须写明整改期限"):
        task.form_result(by=officer, result=Result.RECTIFY, summary="进货记录不全。")
    task.form_result(
        by=officer, result=Result.RECTIFY, summary="进货记录不全。", rectify_by=datetime.date(2026, 5, 26)
    )
    with pytest.raises(TransitionRefused, match="须登记整改复查"):
        task.close(by=officer)
    follow_up = task.register_follow_up(by=officer, planned_on=datetime.date(2026, 5, 27))
    assert follow_up.kind == InspectionKind.FOLLOW_UP and follow_up.follows == task
    assert not follow_up.counts_in_cap
    task.close(by=officer)
    assert task.case.stage == Stage.CLOSED


def test_a_finding_opens_a_lead_in_a_new_penalty_case_linked_both_ways(task, bureau_head, officer, officers):
    approved(task, bureau_head)
    walk_to_inspected(task, officers)
    task.form_result(
        by=officer,
        result=Result.REFER,
        summary="货架上有过期食品12袋。",
        lead_title="涉嫌销售超过保质期食品案",
    )
    lead = task.lead_case
    assert lead.procedure == Procedure.ORDINARY and lead.stage == Stage.LEAD
    assert lead.lead_source == LeadSource.INSPECTION and task.number in lead.lead_summary
    assert lead.source_inspection == task  # and back
    assert lead.parties.get().credit_code == task.entity.credit_code
    assert set(lead.officers.all()) == set(officers)
    assert AuditEvent.objects.filter(action="inspection.inspection.lead_opened").exists()


def test_an_emergency_is_registered_the_same_day_opened_at_once_and_flagged_until_approved(
    frozen, entity, item, officers, officer, bureau_head
):
    with pytest.raises(Refused, match="应当在实施当日登记"):
        register_case_inspection(
            entity,
            item,
            officers,
            by=officer,
            planned_on=TODAY - datetime.timedelta(days=1),
            emergency_reason="x",
        )
    task = register_case_inspection(
        entity, item, officers, by=officer, emergency_reason="群众举报现场正在销售病死猪肉。"
    )
    assert task.emergency and task.approval == ApprovalState.EMERGENCY
    assert task.case.stage == Stage.INSPECTION_APPROVED and task.code
    walk_to_inspected(task, officers)
    task.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    with pytest.raises(TransitionRefused, match="紧急检查尚未补办审批手续"):
        task.close(by=officer)
    task.approve(by=bureau_head, opinion="情况紧急，同意补办。")
    assert task.approval == ApprovalState.APPROVED
    task.close(by=officer)


def test_it_refuses_a_past_date_an_inspection_outside_the_list_and_a_deregistered_entity(
    frozen, entity, item, officers, officer
):
    with pytest.raises(Refused, match="检查日期不能早于今天"):
        register_case_inspection(
            entity, item, officers, by=officer, planned_on=TODAY - datetime.timedelta(days=1)
        )
    item.is_public = False
    item.save()
    with pytest.raises(Refused, match="清单之外不得实施检查"):
        register_case_inspection(entity, item, officers, by=officer)
    item.is_public, item.power_item = True, None
    item.save()
    with pytest.raises(Refused, match="未关联权责清单"):
        register_case_inspection(entity, item, officers, by=officer)


def test_a_deregistered_entity_is_not_inspected(frozen, entity, item, officers, officer):
    entity.deregistered_on = datetime.date(2026, 4, 1)
    entity.save()
    with pytest.raises(Refused, match="已于2026年4月1日注销"):
        register_case_inspection(entity, item, officers, by=officer)


def test_calling_off_an_approved_inspection_ends_its_case_and_it_no_longer_counts(task, bureau_head, officer):
    approved(task, bureau_head)
    assert Inspection.objects.counted().count() == 1
    task.cancel(by=officer, reason="企业已停业，无法检查。")
    assert task.case.stage == Stage.TERMINATED and task.called_off
    assert Inspection.objects.counted().count() == 0
    task.close(by=officer)  # 终止 → 结案, nothing else to do
    assert task.case.stage == Stage.CLOSED


def test_a_pending_task_is_withdrawn_instead(task, officer):
    task.withdraw(by=officer, reason="重复登记。")
    assert task.approval == ApprovalState.WITHDRAWN
    assert Inspection.objects.counted().count() == 0
