"""The foundation's own gates (the three systems add theirs from their AppConfig.ready())."""

from wuding_enforcement.roster.certification import certified_officers
from wuding_enforcement.shared.chinese import cn_date

from .models import Approval, ApprovalKind
from .workflow import Stage, TransitionContext, register_after, register_gate

STAGES_NEEDING_APPROVAL: dict[str, str] = {
    Stage.FILED: ApprovalKind.FILING,
    Stage.NOT_FILED: ApprovalKind.NOT_FILING,
    Stage.CLOSED: ApprovalKind.CLOSING,
}


def approval_on_record(ctx: TransitionContext):
    """立案、不予立案、结案 need the unit head's opinion and the bureau head's approval, on record (the
    普通程序's approvals: 简易程序 has none, and an inspection is approved before it starts)."""
    kind = STAGES_NEEDING_APPROVAL[ctx.target]
    if ctx.case.procedure != "ordinary":
        return
    if not Approval.objects.approved(kind).filter(case=ctx.case).exists():
        yield f"“{ApprovalKind(kind).label}”尚未经承办单位负责人签署意见并由局负责人批准。"


def two_certified_officers(ctx: TransitionContext):
    """行政处罚法 第四十二条: at least two officers holding certificates valid on the date of the act."""
    officers = [
        a.officer
        for a in ctx.case.assignments.select_related("officer").prefetch_related("officer__certificates")
    ]
    yield from certified_officers(officers, ctx.on).problems("立案")


def reason_required(ctx: TransitionContext):
    if not ctx.reason.strip():
        yield f"转入“{Stage(ctx.target).label}”须写明理由。"


def on_the_spot(ctx: TransitionContext):
    """简易程序: the decision made on the spot is handed to the party on the spot (行政处罚法 第五十二条), and
    filed with the bureau afterwards, never before it was served."""
    case = ctx.case
    if case.procedure != "simple":
        return
    if ctx.target == Stage.SERVED and case.decided_on and ctx.on != case.decided_on:
        yield (
            "当场作出的行政处罚决定书应当当场交付当事人（行政处罚法 第五十二条）："
            f"送达日期须为决定当日（{cn_date(case.decided_on)}）。"
        )
    if ctx.target == Stage.REPORTED and case.served_on and ctx.on < case.served_on:
        yield "备案日期不能早于当场交付决定书的日期（行政处罚法 第五十二条）。"


def register_builtin_gates():
    register_gate(approval_on_record, targets=STAGES_NEEDING_APPROVAL, name="cases.approval_on_record")
    register_gate(two_certified_officers, targets=[Stage.FILED], name="cases.two_certified_officers")
    register_gate(on_the_spot, targets=[Stage.SERVED, Stage.REPORTED], name="cases.simple_on_the_spot")
    register_gate(
        reason_required,
        targets=[Stage.SUSPENDED, Stage.TERMINATED, Stage.TRANSFERRED],
        name="cases.reason_required",
    )


__all__ = ["register_after", "register_builtin_gates"]
