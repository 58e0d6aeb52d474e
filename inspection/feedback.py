"""What the enterprise says about an inspection from the 检查码 page: a rating (once, after the visit) and
complaints or requests for 回避. Anonymous to the inspecting unit: its pages never show them; supervision reads
them (inspection/oversight.py)."""

from django.db import transaction

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.workflow import Stage

from .models import RESULT_STAGES
from .refusing import audited, refuse

VISITED_STAGES = frozenset({Stage.INSPECTED, *RESULT_STAGES})
MAX_COMPLAINTS = 5  # per inspection, from an anonymous page: enough for a real grievance, not for a flood


@audited
def rate(inspection, *, score: int, comment: str = ""):
    """The enterprise rates the inspection once, after the visit (扫码评价)."""
    from .models import Rating

    with transaction.atomic():
        locked = (
            type(inspection)
            .objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=inspection.pk)
        )
        problems = []
        if locked.case is None or locked.case.stage not in VISITED_STAGES:
            problems.append("现场检查结束后才能评价。")
        if Rating.objects.filter(inspection=locked).exists():
            problems.append("本次检查已经评价过，每次检查只能评价一次。")
        if score not in range(1, 6):
            problems.append("请选择1至5星。")
        if problems:
            refuse("inspection.rating", locked, problems)
        rating = Rating.objects.create(inspection=locked, score=score, comment=comment.strip())
        # The audit row names the inspection, not the score: the unit must not learn who rated how.
        record("inspection.rating.given", obj=locked, detail={"number": locked.number})
    return rating


@audited
def complain(inspection, *, kind: str, text: str, officer=None, contact: str = ""):
    """A complaint, or a request that an officer withdraw (回避 — while the visit has not ended)."""
    from .models import Complaint, ComplaintKind

    with transaction.atomic():
        locked = (
            type(inspection)
            .objects.select_for_update(of=("self",))
            .select_related("case")
            .get(pk=inspection.pk)
        )
        problems = []
        if locked.case is None:
            problems.append("该检查尚未批准。")
        if kind not in ComplaintKind.values:
            problems.append("请选择投诉或申请回避。")
        if not text.strip():
            problems.append("请填写内容。")
        if kind == ComplaintKind.AVOIDANCE:
            if officer is None or not locked.case.assignments.filter(officer=officer).exists():
                problems.append("请选择申请回避的本次检查人员。")
            elif locked.case.stage in VISITED_STAGES:
                problems.append("现场检查已经结束；认为检查人员应当回避而未回避的，请选择投诉。")
        if Complaint.objects.filter(inspection=locked).count() >= MAX_COMPLAINTS:
            problems.append("本次检查的投诉已达上限，请拨打12345或向武定县司法局反映。")
        if problems:
            refuse("inspection.complaint", locked, problems)
        complaint = Complaint.objects.create(
            inspection=locked, kind=kind, text=text.strip(), officer=officer, contact=contact.strip()
        )
        record("inspection.complaint.received", obj=locked, detail={"number": locked.number, "kind": kind})
    return complaint
