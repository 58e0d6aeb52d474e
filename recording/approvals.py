"""The bureau head's approvals that recording's acts need (docs/domain.md §4): 先行登记保存, 查封扣押 and its
extension. The approval itself is the shared case's Approval (unit head's opinion, then the bureau head's,
each with opinion and time); here are the document gates that refuse the act without it, and the effects
an approval has once the bureau head gives it.

A correction of an issued notice or decision (Document.supersedes) records the same, already approved act:
it needs no second approval.
"""

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    register_approval_effect,
    register_approval_rule,
)
from wuding_enforcement.cases.workflow import FINISHED_STAGES, Procedure, Stage

from .gates import register_document_gate


def _approved(case, kind) -> bool:
    return Approval.objects.filter(case=case, kind=kind, status=ApprovalStatus.APPROVED).exists()


def is_urgent(document) -> bool:
    return document.doc_type == "coercion_decision" and document.data.get("urgent") is True


def preservation_needs_approval(document, user):
    """行政处罚法 第五十六条: 先行登记保存 only with the approval of the agency's head (局负责人)."""
    if document.supersedes_id or _approved(document.case, ApprovalKind.PRESERVATION):
        return
    yield (
        "先行登记保存须经局负责人批准（行政处罚法 第五十六条）：请先提交“先行登记保存审批”，"
        "经局负责人批准后再签发先行登记保存通知书。"
    )


def seizure_needs_approval(document, user):
    """行政强制法 第十八条: a coercive measure is reported to the agency's head and approved before it is
    taken; 第十九条: except on the spot in an emergency, then reported within 24 hours and approved
    afterwards (the clock in recording.clocks shows the 24 hours)."""
    if document.supersedes_id or is_urgent(document) or _approved(document.case, ApprovalKind.SEIZURE):
        return
    yield (
        "实施查封、扣押须经局负责人批准（行政强制法 第十八条）：请先提交“查封扣押审批”，经局负责人批准后再签发；"
        "情况紧急需当场实施的，请勾选“情况紧急、当场实施”，并在二十四小时内报告局负责人、补办批准手续"
        "（第十九条）。"
    )


def extension_needs_approval(document, user):
    """行政强制法 第二十五条: the 30 days of a 查封扣押 are extended only with the agency head's approval."""
    if document.supersedes_id or _approved(document.case, ApprovalKind.SEIZURE_EXTENSION):
        return
    yield (
        "延长查封、扣押期限须经局负责人批准（行政强制法 第二十五条）：请先提交“延长查封扣押期限”审批，"
        "经局负责人批准后再签发延长决定书。"
    )


# --- When a case may ask for them (Case.request_approval reads these rules) ------------------------------

# Evidence is preserved and property seized while the facts are being established: from the 核查 of a lead
# (a seizure in the course of 监督检查) until the decision; never on a finished case.
COERCION_STAGES = frozenset(
    {
        Stage.LEAD,
        Stage.VERIFYING,
        Stage.FILED,
        Stage.INVESTIGATING,
        Stage.INVESTIGATION_CONCLUDED,
        Stage.NOTIFIED,
        Stage.STATEMENT,
        Stage.LEGAL_REVIEW,
        Stage.COLLECTIVE,
        Stage.SUSPENDED,
    }
)


def coercion_stage(kind):
    """先行登记保存 (行政处罚法 第五十六条) and 查封扣押 (行政强制法 第十八条) are taken to secure evidence
    or property before the decision, in a 普通程序 case."""

    def rule(case):
        label = ApprovalKind(kind).label
        if case.procedure != Procedure.ORDINARY:
            yield f"本案为{case.get_procedure_display()}案件，不能申请“{label}”。"
        elif case.stage not in COERCION_STAGES:
            state = "已办结" if case.stage in FINISHED_STAGES else f"处于“{case.get_stage_display()}”阶段"
            yield f"案件{state}，不能再申请“{label}”：该措施只能在作出处罚决定前采取。"

    return rule


def seizure_to_extend(case):
    """行政强制法 第二十五条: only a seizure that was taken can be extended."""
    from .models import Document, DocumentStatus

    if not Document.objects.filter(
        case=case, doc_type="coercion_decision", status=DocumentStatus.ISSUED
    ).exists():
        yield "本案尚未签发实施查封、扣押决定书，没有可以延长期限的查封、扣押（行政强制法 第二十五条）。"


# --- What an approval does once the bureau head gives it -------------------------------------------------


def _log_approval(action):
    def effect(approval, actor):
        """The act may now be recorded: the document gates above read the approval. The audit log names
        what the approval allows (and, for a seizure approved after an urgent one, that it was ratified)."""
        from .models import Document, DocumentStatus

        detail = {"approval": approval.pk, "kind": approval.kind, "days": approval.days}
        if approval.kind == ApprovalKind.SEIZURE:
            urgent = [
                d.pk
                for d in Document.objects.filter(
                    case=approval.case, doc_type="coercion_decision", status=DocumentStatus.ISSUED
                )
                if is_urgent(d)
            ]
            if urgent:
                action_name = "recording.seizure.urgent_ratified"  # 第十九条 补办批准手续
                detail["urgent_decisions"] = urgent
                record(action_name, obj=approval.case, actor=actor, detail=detail)
                return
        record(action, obj=approval.case, actor=actor, detail=detail)

    return effect


KINDS = (ApprovalKind.PRESERVATION, ApprovalKind.SEIZURE, ApprovalKind.SEIZURE_EXTENSION)


def register():
    register_document_gate(
        preservation_needs_approval, doc_types=["preservation_notice"], name="recording.preservation_approval"
    )
    register_document_gate(
        seizure_needs_approval, doc_types=["coercion_decision"], name="recording.seizure_approval"
    )
    register_document_gate(
        extension_needs_approval,
        doc_types=["coercion_extension"],
        name="recording.seizure_extension_approval",
    )
    for kind in KINDS:
        register_approval_rule(kind, coercion_stage(kind), name=f"recording.coercion_stage:{kind}")
    register_approval_rule(
        ApprovalKind.SEIZURE_EXTENSION, seizure_to_extend, name="recording.seizure_to_extend"
    )
    register_approval_effect(ApprovalKind.PRESERVATION, _log_approval("recording.preservation.approved"))
    register_approval_effect(ApprovalKind.SEIZURE, _log_approval("recording.seizure.approved"))
    register_approval_effect(
        ApprovalKind.SEIZURE_EXTENSION, _log_approval("recording.seizure_extension.approved")
    )
