"""Which approvals a case may ask for at its stage and procedure, and what an approved request does to its case:
the case's own kinds, registered from CasesConfig.ready() in the registries of models/approvals.py (pages only
offer what these rules admit; recording registers 先行登记保存 and 查封扣押 in recording/approvals.py)."""

from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.certification import certified_officers

from . import workflow
from .models import ApprovalKind, CaseOfficer, OfficerChange, register_approval_effect, register_approval_rule
from .workflow import Procedure, Stage


def _label(kind) -> str:
    return ApprovalKind(kind).label


def ordinary_only(kind):
    """The approvals of 普通程序: 简易程序 decides on the spot without 立案 (行政处罚法 第五十一条、第五十二条),
    and an inspection is approved before it starts (its own 行政检查审批表)."""

    def rule(case):
        if case.procedure != Procedure.ORDINARY:
            why = (
                "简易程序当场作出处罚决定，不经立案、调查终结等环节（行政处罚法 第五十一条、第五十二条）"
                if case.procedure == Procedure.SIMPLE
                else "行政检查按检查审批、通知、检查、结果的流程办理"
            )
            yield f"本案为{case.get_procedure_display()}案件，不能申请“{_label(kind)}”：{why}。"

    return rule


def _stage_admits(kind, target, article):
    """The kind is asked for only where the case may next enter `target` (e.g. 立案 from 线索登记/核查)."""

    def rule(case):
        if case.procedure == Procedure.ORDINARY and target not in case.allowed_targets():
            yield (
                f"案件当前处于“{case.get_stage_display()}”阶段，不能申请“{_label(kind)}”"
                f"（只能在可以转入“{Stage(target).label}”时申请；{article}）。"
            )

    return rule


def _decision_extension_window(case):
    """行政处罚法 第六十条: the 90 days run from 立案 to the decision; only a filed, undecided case extends them."""
    if case.procedure != Procedure.ORDINARY:
        return
    if not case.filed_on or case.decided_on or case.stage in workflow.FINISHED_STAGES:
        state = "尚未立案" if not case.filed_on else "已作出决定或已办结"
        yield (
            f"本案{state}，不能申请“延长办案期限”：办案期限自立案之日起计算，"
            "只能在立案后、作出处罚决定前申请延长（行政处罚法 第六十条）。"
        )


def _case_not_finished(kind):
    def rule(case):
        if case.stage in workflow.FINISHED_STAGES:
            yield f"案件已{case.get_stage_display()}，不能再申请“{_label(kind)}”。"

    return rule


def _advance_on_approval(target):
    def effect(approval, actor):
        approval.case.advance(
            target, actor=actor, reason=f"{approval.get_kind_display()}已批准：{approval.reason}"
        )

    return effect


def change_officers(approval, actor):
    """变更承办人员 once the bureau head approves it: the proposed team replaces the case's officers, its
    certificates checked again on the day of the approval (行政处罚法 第四十二条; a certificate may have been
    suspended since the request — then nothing changes). Removed officers lose the case's permissions; the
    change is in the CaseOfficer history and the audit log, both lists named."""
    case = approval.case
    change = OfficerChange.objects.select_related("lead").get(approval=approval)
    on = timezone.localdate()
    team = [change.lead] + [o for o in change.officers.order_by("real_name") if o.pk != change.lead_id]
    problems = certified_officers(team, on).problems("承办本案")
    if problems:
        raise workflow.TransitionRefused(problems)
    before = list(case.assignments.select_related("officer").order_by("-is_lead", "assigned_at"))
    keep = {o.pk for o in team}
    for assignment in before:
        if assignment.officer_id not in keep:
            assignment._change_reason = "cases.case.officer_removed"
            assignment._history_user = actor
            assignment.delete()
            for codename in ("view_case", "change_case"):
                remove_perm(f"cases.{codename}", assignment.officer, case)
    for officer in team:
        assignment, _ = CaseOfficer.objects.get_or_create(case=case, officer=officer)
        is_lead = officer.pk == change.lead_id
        if assignment.is_lead != is_lead:
            assignment.is_lead = is_lead
            assignment._change_reason = "cases.case.lead_officer_changed"
            assignment._history_user = actor
            assignment.save(update_fields=["is_lead"])
        for codename in ("view_case", "change_case"):
            assign_perm(f"cases.{codename}", officer, case)
    change.applied_on = on
    change.save(update_fields=["applied_on"])
    record(
        "cases.case.officers_changed",
        obj=case,
        actor=actor,
        detail={
            "approval": approval.pk,
            "before": [a.officer.display_name for a in before],
            "after": [o.display_name for o in team],
            "lead": change.lead.display_name,
            "on": on.isoformat(),
        },
    )


def register_builtin_effects():
    register_approval_effect(ApprovalKind.FILING, _advance_on_approval(Stage.FILED))
    register_approval_effect(ApprovalKind.NOT_FILING, _advance_on_approval(Stage.NOT_FILED))
    register_approval_effect(ApprovalKind.CLOSING, _advance_on_approval(Stage.CLOSED))
    register_approval_effect(ApprovalKind.OFFICER_CHANGE, change_officers)


def register_builtin_approval_rules():
    """Which of the case's own approval kinds a case may ask for, at which stage (recording registers the
    coercive measures' kinds)."""
    K = ApprovalKind
    filing_article = "立案核查期限内决定是否立案"
    for kind in (
        K.FILING,
        K.NOT_FILING,
        K.FILING_EXTENSION,
        K.DECISION_EXTENSION,
        K.CLOSING,
        K.OFFICER_CHANGE,
    ):
        register_approval_rule(kind, ordinary_only(kind), name=f"cases.ordinary_only:{kind}")
    register_approval_rule(K.FILING, _stage_admits(K.FILING, Stage.FILED, "行政处罚法 第五十四条"))
    register_approval_rule(K.FILING_EXTENSION, _stage_admits(K.FILING_EXTENSION, Stage.FILED, filing_article))
    register_approval_rule(K.NOT_FILING, _stage_admits(K.NOT_FILING, Stage.NOT_FILED, filing_article))
    register_approval_rule(K.CLOSING, _stage_admits(K.CLOSING, Stage.CLOSED, "结案须经局负责人批准"))
    register_approval_rule(K.DECISION_EXTENSION, _decision_extension_window)
    register_approval_rule(K.OFFICER_CHANGE, _case_not_finished(K.OFFICER_CHANGE))
    register_approval_rule(K.OTHER, _case_not_finished(K.OTHER))
