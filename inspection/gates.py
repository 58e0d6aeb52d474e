"""The gates of the inspection path (cases.workflow: approved → notified → inspected → result → 结案), registered
from InspectionConfig.ready(). They hold the rules of each step, so every way of moving the case — the
inspection's own pages, the case workspace's advance form, a script — gets the same refusals.
"""

from wuding_enforcement.cases.workflow import (
    Procedure,
    Stage,
    TransitionContext,
    register_after,
    register_gate,
)
from wuding_enforcement.shared.chinese import cn_date

# The document types of an inspection (inspection/doctypes.py).
APPROVAL_FORM, NOTICE, RECORD = "inspection_approval", "inspection_notice", "inspection_record"


def _inspection(case):
    from .models import Inspection

    return Inspection.objects.select_related("item", "entity").filter(case=case).first()


def issued(case, doc_type):
    """The case's current issued documents of a type (a correction replaces the document it corrects)."""
    from recording.models import Document

    return Document.objects.filter(case=case, doc_type=doc_type).issued().current().order_by("issued_at")


def avoided_officers(case):
    """An officer whose 回避 supervision agreed (Complaint.handle) takes no further step of the inspection:
    neither the notice nor the on-site visit goes on with them on the case (行政处罚法 第四十三条, taken over for
    inspections: see the Complaint model). The unit ends the inspection (终止) and registers a new one."""
    from .models import Complaint

    on_case = set(case.assignments.values_list("officer_id", flat=True))
    for complaint in Complaint.objects.agreed_avoidances(case):
        if complaint.officer_id in on_case:
            yield (
                f"执法人员{complaint.officer.real_name}已于{cn_date(complaint.handled_at)}被决定回避，"
                "不能继续实施本次检查：请终止本次检查，另行登记由其他执法人员实施的检查。"
            )


def notified(ctx: TransitionContext):
    """必审批、必通知 (国办发〔2024〕54号): approved (or an emergency, approved afterwards), the 检查通知书
    issued, and at least two officers entitled for the item's field on the day."""
    from .models import ApprovalState
    from .officers import officer_problems

    inspection = _inspection(ctx.case)
    if inspection is None:
        yield "本案不是行政检查任务。"
        return
    if inspection.approval not in (ApprovalState.APPROVED, ApprovalState.EMERGENCY):
        yield "行政检查须经批准后实施（必审批）。"
    if not issued(ctx.case, NOTICE).exists():
        yield "请先签发行政检查通知书：检查须事先通知，最迟在到达现场时送达（必通知）。"
    officers = [
        a.officer
        for a in ctx.case.assignments.select_related("officer").prefetch_related("officer__certificates")
    ]
    yield from officer_problems(officers, entity=inspection.entity, item=inspection.item, on=ctx.on)
    yield from avoided_officers(ctx.case)


def inspected(ctx: TransitionContext):
    """The 现场检查笔录 is issued, and the notice was served no later than the visit."""
    from wuding_enforcement.shared.chinese import as_date

    yield from avoided_officers(ctx.case)
    record = issued(ctx.case, RECORD).first()
    if record is None:
        yield "请先签发现场检查笔录（对照检查表单逐项记录）。"
        return
    notice = issued(ctx.case, NOTICE).first()
    if notice is not None and record.act_date and as_date(notice.issued_at) > record.act_date:
        yield (
            f"检查通知书于{cn_date(notice.issued_at)}签发，晚于{cn_date(record.act_date)}的现场检查："
            "通知须最迟在到达现场时送达。"
        )


def result_formed(ctx: TransitionContext):
    from .models import Result

    inspection = _inspection(ctx.case)
    if inspection is None or not inspection.result:
        yield "请在检查任务页面登记检查结果（未发现问题、责令整改或者移交立案）。"
        return
    if inspection.result == Result.RECTIFY and not inspection.rectify_by:
        yield "责令整改须写明整改期限。"
    if inspection.result == Result.REFER and not inspection.lead_case_id:
        yield "移交立案须登记案源。"


def closing(ctx: TransitionContext):
    """结案 of an inspection: a 责令整改 has its follow-up registered, a planned inspection's result is
    published, an emergency inspection's approval was given afterwards."""
    from .models import ApprovalState, Result

    if ctx.case.procedure != Procedure.INSPECTION or ctx.source == Stage.TERMINATED:
        return
    inspection = _inspection(ctx.case)
    if inspection is None:
        return
    if inspection.approval == ApprovalState.EMERGENCY:
        yield "紧急检查尚未补办审批手续（局负责人），不能结案。"
    if inspection.result == Result.RECTIFY and not inspection.follow_ups.counted().exists():
        yield f"责令整改的，须登记整改复查（整改期限{cn_date(inspection.rectify_by)}）后结案。"
    if inspection.needs_publication and not inspection.published_at:
        yield "检查结果尚未公示，不能结案（国发〔2019〕5号：20个工作日内公示）。"


def mark_called_off(ctx: TransitionContext):
    """An inspection ended before its visit (终止) no longer counts against the caps."""
    if ctx.case.procedure != Procedure.INSPECTION:
        return
    from .models import Inspection

    for inspection in Inspection.objects.filter(case=ctx.case):
        inspection.called_off = True
        inspection._change_reason = "inspection.inspection.called_off"
        inspection._history_user = ctx.actor
        inspection.save(update_fields=["called_off", "updated_at"])


def register():
    register_gate(notified, targets=[Stage.INSPECTION_NOTIFIED], name="inspection.notified")
    register_gate(inspected, targets=[Stage.INSPECTED], name="inspection.inspected")
    register_gate(result_formed, targets=[Stage.INSPECTION_RESULT], name="inspection.result_formed")
    register_gate(closing, targets=[Stage.CLOSED], name="inspection.closing")
    register_after(mark_called_off, targets=[Stage.TERMINATED], name="inspection.called_off")
