"""What the enterprise says about an inspection: its rating and its complaints (inspection/feedback.py), and
how supervision handles a complaint (Complaint.handle)."""

import datetime

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import Role

from ..refusing import audited, refuse
from .tasks import Inspection

# Who handles complaints: the supervisors — 政策法规股's legal reviewers and the bureau heads, the roles
# supervision.models.SUPERVISORS names (this app may not import supervision; a test pins them equal).
HANDLERS = (Role.LEGAL_REVIEWER, Role.BUREAU_HEAD)

# A 回避 request is answered within 3 working days of its receipt — the time 《市场监督管理行政处罚程序规定》
# gives the bureau for a 回避 decision in a penalty case, taken over for inspections, which have no rule of their
# own — and in any case before the inspection goes on with that officer (the answer page says so).
AVOIDANCE_ANSWER_WORKING_DAYS = 3


class Rating(models.Model):
    """The enterprise's rating of an inspection (扫码评价), once. Anonymous to the inspecting unit: no staff
    page of the unit shows it; supervision reads it (inspection/oversight.py)."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField("评分", choices=[(n, f"{n}星") for n in range(1, 6)])
    comment = models.TextField("评价意见", blank=True, max_length=1000)
    at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "企业评价"
        verbose_name_plural = "企业评价"
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="inspection_rating_1_5")
        ]

    def __str__(self):
        return f"{self.inspection.number}：{self.score}星"


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    AVOIDANCE = "avoidance", "申请回避"


class AvoidanceDecision(models.TextChoices):
    AGREED = "agreed", "同意回避"
    REFUSED = "refused", "不同意回避"


class ComplaintQuerySet(models.QuerySet):
    def open(self):
        return self.filter(handled_at__isnull=True)

    def handled(self):
        return self.filter(handled_at__isnull=False)

    def agreed_avoidances(self, case):
        """The agreed 回避 requests of the inspection on `case` (the officers who may not go on with it)."""
        return self.filter(
            inspection__case=case, kind=ComplaintKind.AVOIDANCE, decision=AvoidanceDecision.AGREED
        ).select_related("officer")

    def visible_to(self, user):
        """What a supervisor may read and handle: every complaint but those about an inspection of the
        supervisor's own unit or one they take part in (anonymity to the inspecting unit; nobody handles a
        complaint about themselves). Nobody else sees any."""
        if not (user.is_authenticated and user.is_active and user.has_role(*HANDLERS)):
            return self.none()
        qs = self.exclude(inspection__case__assignments__officer=user).exclude(
            inspection__proposed_officers=user
        )
        if user.unit_id is not None:
            qs = qs.exclude(inspection__unit_id=user.unit_id)
        return qs


class Complaint(models.Model):
    """A complaint about an inspection, or a request that an officer withdraw (回避), from the 检查码 page.
    Anonymous to the inspecting unit; supervision reads and handles it (handle(), once).

    A 回避 request is answered within AVOIDANCE_ANSWER_WORKING_DAYS (3) working days of its receipt, and before
    the inspection goes on with the officer concerned; an open one past that day is overdue (answer_due,
    is_overdue). A complaint has no legal answer period here: it is handled in the order received."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField("类型", max_length=10, choices=ComplaintKind.choices)
    officer = models.ForeignKey(
        "roster.Staff",
        verbose_name="申请回避的执法人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("内容", max_length=2000)
    contact = models.CharField("联系方式（选填）", max_length=100, blank=True)
    at = models.DateTimeField("提交时间", auto_now_add=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_note = models.TextField("处理情况", blank=True)
    decision = models.CharField(
        "回避决定", max_length=10, choices=AvoidanceDecision.choices, blank=True, editable=False
    )
    decision_reason = models.TextField("回避决定理由", blank=True, editable=False)
    # What follows an agreed 回避 (the officer's replacement or the end of the inspection), as decided.
    follow_up = models.TextField("后续处理", blank=True, editable=False)
    history = HistoricalRecords()

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = "投诉与回避申请"
        verbose_name_plural = "投诉与回避申请"
        ordering = ["-at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(handled_at__isnull=True) | ~Q(kind=ComplaintKind.AVOIDANCE) | ~Q(decision=""),
                name="inspection_complaint_avoidance_handled_has_decision",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.inspection.number}"

    @property
    def is_open(self) -> bool:
        return self.handled_at is None

    @property
    def answer_due(self) -> datetime.date | None:
        """The last day to answer a 回避 request (3 working days after its receipt); None for a complaint."""
        if self.kind != ComplaintKind.AVOIDANCE:
            return None
        return calendar.add_working_days(timezone.localdate(self.at), AVOIDANCE_ANSWER_WORKING_DAYS)

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        due = self.answer_due
        if due is None:
            return False
        answered = timezone.localdate(self.handled_at) if self.handled_at else (today or timezone.localdate())
        return answered > due

    def may_handle(self, user) -> bool:
        return type(self).objects.visible_to(user).filter(pk=self.pk).exists()

    @audited
    def handle(self, *, by, note: str, decision: str = "", decision_reason: str = ""):
        """Supervision records how the complaint was handled (处理情况) — once: a handled complaint is not
        handled again. A 回避 request also gets its decision, 同意 or 不同意 with the reason. An agreed 回避 of
        an inspection still under way (before the on-site record) says what follows: the case's change of
        officers where its procedure has one, else the inspecting unit ends the inspection and registers a new
        one with other officers (an inspection's officers are fixed by its 行政检查审批表)."""
        with transaction.atomic():
            locked = (
                type(self)
                .objects.select_for_update(of=("self",))
                .select_related("inspection__case", "officer")
                .get(pk=self.pk)
            )
            problems = []
            if not locked.may_handle(by):
                problems.append("您无权处理该投诉或回避申请。")
            if locked.handled_at is not None:
                problems.append("该投诉或回避申请已经处理，不能重复处理。")
            if not note.strip():
                problems.append("请填写处理情况。")
            if locked.kind == ComplaintKind.AVOIDANCE:
                if decision not in AvoidanceDecision.values:
                    problems.append("请选择是否同意回避。")
                if not decision_reason.strip():
                    problems.append("请写明同意或不同意回避的理由。")
            elif decision or decision_reason.strip():
                problems.append("只有回避申请需要作出回避决定。")
            if problems:
                refuse("inspection.complaint.handle", locked, problems)
            locked.handled_at, locked.handled_by = timezone.now(), by
            locked.handling_note = note.strip()
            locked.decision, locked.decision_reason = decision, decision_reason.strip()
            if decision == AvoidanceDecision.AGREED:
                locked.follow_up = locked._avoidance_follow_up()
            locked._change_reason = "inspection.complaint.handled"
            locked._history_user = by
            locked.save(
                update_fields=[
                    "handled_at",
                    "handled_by",
                    "handling_note",
                    "decision",
                    "decision_reason",
                    "follow_up",
                ]
            )
            # Names the complaint and the decision, never what the enterprise wrote or who it is.
            record(
                "inspection.complaint.handled",
                obj=locked,
                actor=by,
                detail={
                    "inspection": locked.inspection.number,
                    "kind": locked.kind,
                    "decision": decision,
                    "overdue": locked.is_overdue(),
                },
            )
        self.refresh_from_db()
        return self

    def _avoidance_follow_up(self) -> str:
        from wuding_enforcement.cases.models import ApprovalKind

        case = self.inspection.case
        name = self.officer.display_name if self.officer else "被申请回避的检查人员"
        if case is None or case.stage not in UNDER_WAY:
            stage = case.get_stage_display() if case else "未批准"
            return f"同意回避。本次检查当前为“{stage}”，已不再实施现场检查，无需更换检查人员。"
        if not case.approval_refusals(ApprovalKind.OFFICER_CHANGE):
            return (
                f"同意回避：{name}不得继续参加本次检查。请{case.handling_unit}通过“变更承办人员审批”更换检查人员后，"
                "再继续检查。"
            )
        return (
            f"同意回避：{name}不得继续参加本次检查。行政检查的检查人员由行政检查审批表确定，不能在案件中变更："
            f"请{case.handling_unit}终止本次检查（理由：检查人员回避），另行登记、报批由其他检查人员实施的检查。"
        )


# The stages an inspection is under way before its visit ended: a 回避 still changes who inspects.
UNDER_WAY = frozenset({Stage.INSPECTION_APPROVED, Stage.INSPECTION_NOTIFIED})
