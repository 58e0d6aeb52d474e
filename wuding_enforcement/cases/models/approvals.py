"""Approvals (审批表): a request for the unit head's opinion and the bureau head's approval, its opinions, and
the officers a 变更承办人员 request proposes.

Two registries are read here and in Case.request_approval: `approval_rules` (may the case ask for this kind
at its stage and procedure?) and `approval_effects` (what an approved request does to its case). The case's
own kinds register in cases/approval_rules.py, recording's coercive measures in recording/approvals.py."""

import datetime
from collections.abc import Callable

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.certification import certified_officers
from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.registry import Registry

from ..workflow import TransitionRefused
from .common import logs_refusals


class ApprovalKind(models.TextChoices):
    FILING = "filing", "立案审批"
    NOT_FILING = "not_filing", "不予立案审批"
    FILING_EXTENSION = "filing_ext", "延长立案核查期限"
    DECISION_EXTENSION = "decision_ext", "延长办案期限"
    PRESERVATION = "preservation", "先行登记保存审批"
    SEIZURE = "seizure", "查封扣押审批"
    SEIZURE_EXTENSION = "seizure_ext", "延长查封扣押期限"
    CLOSING = "closing", "结案审批"
    OFFICER_CHANGE = "officer_change", "变更承办人员审批"
    OTHER = "other", "有关事项审批"


class ApprovalStatus(models.TextChoices):
    AWAITING_UNIT_HEAD = "unit_head", "待承办单位负责人意见"
    AWAITING_BUREAU_HEAD = "bureau_head", "待局负责人审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


PENDING_APPROVAL = (ApprovalStatus.AWAITING_UNIT_HEAD, ApprovalStatus.AWAITING_BUREAU_HEAD)


class ApprovalQuerySet(models.QuerySet):
    def awaiting(self, user):
        """Approvals waiting for this user's opinion: unit heads their unit's, bureau heads the bureau step."""
        q = Q(pk__in=[])
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(status=ApprovalStatus.AWAITING_UNIT_HEAD, case__handling_unit__head=user)
        if user.has_role(Role.BUREAU_HEAD):
            q |= Q(status=ApprovalStatus.AWAITING_BUREAU_HEAD)
        return self.filter(q)

    def approved(self, kind):
        return self.filter(kind=kind, status=ApprovalStatus.APPROVED)


# Effects of an approval once the bureau head approves it, keyed by approval kind: func(approval, actor).
approval_effects = Registry("cases.approval_effects", "What an approved request does to its case.")


def register_approval_effect(kind: str, func: Callable, *, name: str | None = None) -> None:
    """Systems register what an approved request does (e.g. recording: 查封扣押 may proceed)."""
    approval_effects.register(func, keys=[kind], name=name or f"{func.__module__}.{func.__qualname__}:{kind}")


# Keyed by approval kind: rule(case) yields why the case may not ask for that kind now. The case registers
# its own kinds in cases/approval_rules.py; recording registers 先行登记保存 and 查封扣押 (recording/approvals.py). A kind with no
# rule is refused, so a new kind is never requestable by accident.
approval_rules = Registry(
    "cases.approval_rules", "May the case ask for this kind of approval at its stage and procedure?"
)


def register_approval_rule(kind: str, func: Callable, *, name: str | None = None) -> None:
    approval_rules.register(func, keys=[kind], name=name or f"{func.__module__}.{func.__qualname__}:{kind}")


class Approval(models.Model):
    """A request for the unit head's opinion and the bureau head's approval (审批表): a record, not a flag."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="approvals")
    kind = models.CharField("审批事项", max_length=14, choices=ApprovalKind.choices)
    status = models.CharField(
        "状态", max_length=12, choices=ApprovalStatus.choices, default=ApprovalStatus.AWAITING_UNIT_HEAD
    )
    reason = models.TextField("申请理由")
    days = models.PositiveSmallIntegerField("延长天数", null=True, blank=True)
    requested_by = models.ForeignKey(Staff, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_at = models.DateTimeField("审批完成时间", null=True, blank=True)
    history = HistoricalRecords()

    objects = ApprovalQuerySet.as_manager()
    # Read by simple-history when the row is saved: the namespaced verb and who acted.
    _change_reason: str
    _history_user: Staff

    class Meta:
        verbose_name = "审批"
        verbose_name_plural = "审批"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "kind"],
                condition=Q(status__in=PENDING_APPROVAL),
                name="cases_approval_one_pending_per_kind",
            ),
        ]
        indexes = [
            # Serves the "awaiting my approval" lists on the home pages.
            models.Index(fields=["status", "kind"], name="cases_approval_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}（{self.get_status_display()}）"

    @logs_refusals
    def give_opinion(self, user, *, agree: bool, opinion: str):
        """The unit head gives an opinion, then the bureau head approves or not. Approving runs the
        approval's effect (e.g. 立案) in the same transaction: if the case cannot move, nothing is saved."""
        if not opinion.strip():
            raise TransitionRefused("请填写审批意见。")
        with transaction.atomic():
            approval = (
                Approval.objects.select_for_update(of=("self",))
                .select_related("case__handling_unit")
                .get(pk=self.pk)
            )
            case = approval.case
            if approval.status == ApprovalStatus.AWAITING_UNIT_HEAD:
                if not user.is_head_of(case.handling_unit):
                    raise TransitionRefused(f"此环节须由{case.handling_unit}负责人签署意见。")
                step = OpinionStep.UNIT_HEAD
                approval.status = ApprovalStatus.AWAITING_BUREAU_HEAD if agree else ApprovalStatus.REJECTED
            elif approval.status == ApprovalStatus.AWAITING_BUREAU_HEAD:
                if not user.has_role(Role.BUREAU_HEAD):
                    raise TransitionRefused("此环节须由局负责人审批。")
                step = OpinionStep.BUREAU_HEAD
                approval.status = ApprovalStatus.APPROVED if agree else ApprovalStatus.REJECTED
            else:
                raise TransitionRefused(f"该审批已{approval.get_status_display()}，不能再签署意见。")
            ApprovalOpinion.objects.create(
                approval=approval, step=step, by=user, agree=agree, opinion=opinion
            )
            if approval.status in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED):
                approval.decided_at = timezone.now()
            approval._change_reason = f"cases.approval.{step}_{'agreed' if agree else 'refused'}"
            approval._history_user = user
            approval.save(update_fields=["status", "decided_at"])
            record(
                f"cases.approval.{step}_{'agreed' if agree else 'refused'}",
                obj=case,
                actor=user,
                detail={"approval": approval.pk, "kind": approval.kind},
            )
            if approval.status == ApprovalStatus.APPROVED:
                approval_effects.run(approval.kind, approval, user)
        self.status, self.decided_at = approval.status, approval.decided_at
        return approval


class OfficerChange(models.Model):
    """The officers a 变更承办人员 request proposes (the lead first); applied when the bureau head approves
    (approval_rules.change_officers), with the certificates checked again on that day."""

    approval = models.OneToOneField(
        Approval, verbose_name="审批", on_delete=models.PROTECT, related_name="officer_change"
    )
    lead = models.ForeignKey(Staff, verbose_name="主办人", on_delete=models.PROTECT, related_name="+")
    officers = models.ManyToManyField(Staff, verbose_name="变更后的承办人员", related_name="+")
    applied_on = models.DateField("变更生效日期", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "承办人员变更"
        verbose_name_plural = "承办人员变更"

    def __str__(self):
        return f"{self.approval.case.number} 承办人员变更"

    @classmethod
    def check_team(cls, case, officers, on: datetime.date) -> list:
        """The officers a 变更承办人员 request proposes: at least two distinct active officers of the handling
        unit, holding certificates valid on `on` (行政处罚法 第四十二条), and not the team it already has."""
        team = list(dict.fromkeys(officers or ()))
        problems = []
        if not team:
            raise TransitionRefused("请选择变更后的承办人员（第一位为主办人）。")
        for officer in team:
            if not officer.is_active or not officer.has_role(Role.OFFICER):
                problems.append(f"{officer.display_name}不是在岗执法人员。")
            elif officer.unit_id != case.handling_unit_id:
                problems.append(f"{officer.display_name}不属于{case.handling_unit}，不能承办本单位的案件。")
        problems += certified_officers(team, on).problems("承办本案")
        current = list(
            case.assignments.order_by("-is_lead", "assigned_at").values_list("officer_id", flat=True)
        )
        if current and {o.pk for o in team} == set(current) and team[0].pk == current[0]:
            problems.append("变更后的承办人员与现有承办人员相同。")
        if problems:
            raise TransitionRefused(problems)
        return team

    @classmethod
    def propose(cls, approval: Approval, team: list) -> "OfficerChange":
        change = cls.objects.create(approval=approval, lead=team[0])
        change.officers.set(team)
        return change


class OpinionStep(models.TextChoices):
    UNIT_HEAD = "unit_head", "承办单位负责人意见"
    BUREAU_HEAD = "bureau_head", "局负责人审批意见"


class ApprovalOpinion(models.Model):
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="opinions")
    step = models.CharField("环节", max_length=12, choices=OpinionStep.choices)
    by = models.ForeignKey(Staff, verbose_name="签署人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("签署时间", auto_now_add=True)
    agree = models.BooleanField("同意")
    opinion = models.TextField("意见")

    class Meta:
        verbose_name = "审批意见"
        verbose_name_plural = "审批意见"
        ordering = ["approval", "at"]
        constraints = [
            models.UniqueConstraint(fields=["approval", "step"], name="cases_opinion_one_per_step")
        ]

    def __str__(self):
        return f"{self.get_step_display()}：{'同意' if self.agree else '不同意'}"
