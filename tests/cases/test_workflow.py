"""The case moves only through Case.advance(): the transition table, the gates, the hooks, the records."""

import datetime

import pytest
import time_machine
from django.db import transaction

from tests.conftest import file_case, make_staff
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases import workflow
from wuding_enforcement.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CasePause,
    CaseTransition,
    LeadSource,
    PartyKind,
    StageWriteError,
)
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused
from wuding_enforcement.roster.models import CertificateStatus, Role

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def test_every_stage_of_the_ordinary_table_is_reachable_from_the_lead():
    seen, todo = {Stage.LEAD}, [Stage.LEAD]
    while todo:
        for target in workflow.ORDINARY_TRANSITIONS[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    expected = set(Stage) - {Stage.ON_SPOT, Stage.REPORTED} - workflow.INSPECTION_STAGES
    assert seen == expected


def test_the_simple_procedure_has_its_own_short_path_without_filing(make_case):
    case = make_case(procedure=Procedure.SIMPLE, title="当场处罚：未明码标价")
    assert case.stage == Stage.ON_SPOT
    assert case.case_number == "武市监简罚〔2026〕1号"
    assert Stage.FILED not in case.allowed_targets()
    with pytest.raises(TransitionRefused, match="不能转入“立案”"):
        case.advance(Stage.FILED, actor=case.created_by)


def test_it_refuses_a_move_the_table_does_not_allow(make_case, officer):
    case = make_case()
    with pytest.raises(TransitionRefused) as refused:
        case.advance(Stage.DECIDED, actor=officer)
    assert refused.value.messages == ["案件当前处于“线索登记”阶段，不能转入“决定”。"]
    case.refresh_from_db()
    assert case.stage == Stage.LEAD


def test_it_refuses_filing_without_the_approvals_on_record(make_case, officer):
    case = make_case()
    with pytest.raises(TransitionRefused, match="立案审批”尚未经承办单位负责人签署意见并由局负责人批准"):
        case.advance(Stage.FILED, actor=officer)
    refused = AuditEvent.objects.filter(action="cases.case.transition_refused").get()
    assert refused.outcome == "failure"


def test_filing_after_approval_numbers_the_case_and_records_who_when_why(
    make_case, officer, unit_head, bureau_head
):
    case = file_case(make_case(), unit_head, bureau_head, by=officer)
    assert case.stage == Stage.FILED
    assert case.case_number == "武市监立〔2026〕1号"
    assert case.filed_on == TODAY
    transition = CaseTransition.objects.get(case=case)
    assert (transition.from_stage, transition.to_stage, transition.actor) == (
        Stage.LEAD,
        Stage.FILED,
        bureau_head,
    )
    latest = case.history.first()
    assert latest.history_change_reason == "cases.case.filed"
    assert latest.history_user == bureau_head
    event = AuditEvent.objects.filter(action="cases.case.filed").get()
    assert event.actor == bureau_head and event.detail["to"] == Stage.FILED
    opinions = Approval.objects.get(case=case).opinions.order_by("at")
    assert [(o.by, o.agree) for o in opinions] == [(unit_head, True), (bureau_head, True)]


def test_filing_is_refused_when_an_officer_certificate_is_not_valid_that_day(
    make_case, officer, colleague, unit_head, bureau_head
):
    certificate = colleague.certificates.get()
    certificate.status = CertificateStatus.SUSPENDED
    certificate.status_since = datetime.date(2026, 11, 1)
    certificate.status_reason = "涉嫌违规执法，暂扣审查"
    certificate.save()
    case = make_case()
    approval = case.request_approval(ApprovalKind.FILING, by=officer, reason="符合立案条件")
    approval.give_opinion(unit_head, agree=True, opinion="同意")
    with pytest.raises(TransitionRefused) as refused:
        approval.give_opinion(bureau_head, agree=True, opinion="同意")
    messages = refused.value.messages
    assert any(m.startswith("王志强：") and "已暂扣" in m for m in messages)
    assert any("目前只有 1 名" in m for m in messages)
    # Nothing half-saved: the approval is still waiting for the bureau head, the case is still a lead.
    approval.refresh_from_db()
    case.refresh_from_db()
    assert approval.status == ApprovalStatus.AWAITING_BUREAU_HEAD
    assert not approval.opinions.filter(step="bureau_head").exists()
    assert case.stage == Stage.LEAD and case.case_number is None


def test_an_expired_certificate_is_named_with_its_expiry_date(
    make_case, officer, colleague, unit_head, bureau_head
):
    certificate = colleague.certificates.get()
    certificate.expires_on = datetime.date(2026, 11, 24)
    certificate.save()
    case = make_case()
    approval = case.request_approval(ApprovalKind.FILING, by=officer, reason="符合立案条件")
    approval.give_opinion(unit_head, agree=True, opinion="同意")
    with pytest.raises(TransitionRefused, match="王志强：证件 .* 已于2026年11月24日过期"):
        approval.give_opinion(bureau_head, agree=True, opinion="同意")


def test_only_the_unit_head_then_a_bureau_head_may_sign_each_step(
    make_case, officer, colleague, unit_head, bureau_head
):
    case = make_case()
    approval = case.request_approval(ApprovalKind.FILING, by=officer, reason="符合立案条件")
    with pytest.raises(TransitionRefused, match="负责人签署意见"):
        approval.give_opinion(colleague, agree=True, opinion="同意")
    with pytest.raises(TransitionRefused, match="负责人签署意见"):
        approval.give_opinion(bureau_head, agree=True, opinion="同意")
    approval.give_opinion(unit_head, agree=True, opinion="同意")
    with pytest.raises(TransitionRefused, match="须由局负责人审批"):
        approval.give_opinion(unit_head, agree=True, opinion="再次同意")
    approval.give_opinion(bureau_head, agree=False, opinion="证据不足，暂不立案")
    assert approval.status == ApprovalStatus.REJECTED
    with pytest.raises(TransitionRefused, match="已未批准"):
        approval.give_opinion(bureau_head, agree=True, opinion="改为同意")


def test_a_second_pending_request_of_the_same_kind_is_refused(make_case, officer):
    case = make_case()
    case.request_approval(ApprovalKind.FILING, by=officer, reason="符合立案条件")
    with pytest.raises(TransitionRefused, match="请勿重复提交"):
        case.request_approval(ApprovalKind.FILING, by=officer, reason="再次提交")
    assert Approval.objects.filter(case=case).count() == 1


def test_someone_outside_the_case_cannot_move_it_or_ask_for_approval(make_case, outsider):
    case = make_case()
    with pytest.raises(TransitionRefused, match="不是本案承办人员"):
        case.advance(Stage.VERIFYING, actor=outsider)
    with pytest.raises(TransitionRefused, match="不是本案承办人员"):
        case.request_approval(ApprovalKind.FILING, by=outsider, reason="越权")


def test_suspension_pauses_the_clock_and_resuming_returns_to_the_interrupted_stage(
    make_case, officer, unit_head, bureau_head
):
    case = file_case(make_case(), unit_head, bureau_head, by=officer)
    case.advance(Stage.INVESTIGATING, actor=officer)
    with pytest.raises(TransitionRefused, match="须写明理由"):
        case.advance(Stage.SUSPENDED, actor=officer)
    case.advance(Stage.SUSPENDED, actor=officer, reason="当事人下落不明", on=TODAY)
    assert case.suspended_from == Stage.INVESTIGATING
    assert case.allowed_targets() == [Stage.INVESTIGATING, Stage.TERMINATED]
    pause = CasePause.objects.get(case=case)
    assert pause.start == TODAY and pause.end is None
    case.advance(Stage.INVESTIGATING, actor=officer, reason="当事人已找到")
    pause.refresh_from_db()
    assert pause.end == TODAY
    assert case.stage == Stage.INVESTIGATING and case.suspended_from == ""
    assert case.history.first().history_change_reason == "cases.case.resumed"


def test_a_registered_gate_can_refuse_and_a_hook_runs_in_the_same_transaction(
    make_case, officer, monkeypatch
):
    monkeypatch.setattr(workflow.gates, "_entries", list(workflow.gates._entries))
    monkeypatch.setattr(workflow.after, "_entries", list(workflow.after._entries))
    calls = []

    def needs_inspection_note(ctx):
        if "inspection_note" not in ctx.extra:
            yield "核查须附现场检查记录。"

    def explode(ctx):
        calls.append(ctx.target)
        raise RuntimeError("hook failed")

    workflow.register_gate(needs_inspection_note, targets=[Stage.VERIFYING], name="test.note")
    case = make_case()
    with pytest.raises(TransitionRefused, match="核查须附现场检查记录"):
        case.advance(Stage.VERIFYING, actor=officer)
    workflow.register_after(explode, targets=[Stage.VERIFYING], name="test.explode")
    with pytest.raises(RuntimeError):
        case.advance(Stage.VERIFYING, actor=officer, inspection_note="已检查")
    case.refresh_from_db()
    assert calls == [Stage.VERIFYING]
    assert case.stage == Stage.LEAD  # the hook's failure rolled the transition back
    assert not CaseTransition.objects.filter(case=case).exists()


def test_the_orm_cannot_write_the_stage(make_case, officer):
    case = make_case()
    case.stage = Stage.CLOSED
    with pytest.raises(StageWriteError):
        case.save()
    with pytest.raises(StageWriteError):
        Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
    with pytest.raises(StageWriteError):
        Case.objects.bulk_update([case], ["stage"])
    with pytest.raises(StageWriteError):
        Case(stage=Stage.DECIDED, procedure=Procedure.ORDINARY).save()
    with pytest.raises(StageWriteError):
        Case.objects.bulk_create([Case(stage=Stage.DECIDED, procedure=Procedure.ORDINARY)])
    assert Case.objects.get(pk=case.pk).stage == Stage.LEAD
    # Writing other fields is fine, with the stage untouched.
    fresh = Case.objects.get(pk=case.pk)
    fresh.title = "涉嫌销售过期食品案（更正）"
    fresh.save()


def test_lead_numbers_are_gapless_and_a_rollback_gives_the_number_back(make_case):
    first = make_case()
    with pytest.raises(RuntimeError), transaction.atomic():
        make_case()
        raise RuntimeError("registration abandoned")
    second = make_case()
    assert (first.lead_number, second.lead_number) == ("武市监案源〔2026〕1号", "武市监案源〔2026〕2号")


def test_visibility_follows_the_roles(
    make_case, officer, colleague, outsider, unit_head, bureau_head, records_keeper, reviewer, admin_user
):
    case = make_case()
    other = make_case(by=outsider, handling_unit=outsider.unit, officers=[outsider])
    for user, expected in [
        (officer, {case}),
        (colleague, {case}),
        (outsider, {other}),
        (unit_head, {case}),
        (bureau_head, {case, other}),
        (records_keeper, set()),
        (reviewer, set()),
        (admin_user, set()),
    ]:
        assert set(Case.objects.visible_to(user)) == expected, user
    assert set(Case.objects.editable_by(unit_head)) == {case}
    assert set(Case.objects.editable_by(bureau_head)) == set()


def test_parties_are_checked_by_kind(make_case):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as invalid:
        make_case(parties=[{"kind": PartyKind.ORGANISATION, "name": "某公司"}])
    assert "统一社会信用代码" in str(invalid.value)
    assert not Case.objects.exists()


def test_a_case_registered_by_a_unit_head_for_two_officers(units, unit_head, officer, colleague):
    case = Case.register_lead(
        by=unit_head,
        handling_unit=units["shishan"],
        title="涉嫌无照经营案",
        lead_source=LeadSource.INSPECTION,
        lead_date=datetime.date(2026, 11, 20),
        officers=[colleague, officer],
    )
    assert list(case.assignments.values_list("officer__username", "is_lead")) == [
        ("wang_colleague", True),
        ("li_officer", False),
    ]
    assert case.may_work_on(officer) and case.may_work_on(unit_head)
    stranger = make_staff("newbie", "新人", units["shishan"], Role.OFFICER)
    assert not case.may_work_on(stranger)


def test_a_history_copy_or_a_hand_built_case_cannot_write_an_old_stage_back(
    make_case, officer, unit_head, bureau_head
):
    case = file_case(make_case(), unit_head, bureau_head, by=officer)
    old = case.history.earliest().instance
    assert old.stage == Stage.LEAD
    with pytest.raises(StageWriteError):
        old.save()
    forged = Case.objects.get(pk=case.pk)
    forged.__dict__["stage"] = Stage.LEAD
    with pytest.raises(StageWriteError):
        forged.save()
    assert Case.objects.get(pk=case.pk).stage == Stage.FILED


def test_plain_edits_get_a_namespaced_history_reason_too(make_case):
    case = make_case()
    party = case.parties.get()
    party.address = "武定县狮山镇某路2号"
    party.save()
    assert party.history.first().history_change_reason == "cases.party.changed"
    assert case.history.earliest().history_change_reason == "cases.case.registered"
