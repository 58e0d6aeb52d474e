"""The ONE case shared by the three systems: its numbers, stage, officers and permissions, and the methods
of its life — registering a lead, assigning officers, asking for approvals, and `advance`, the one way its
stage changes (docs/architecture.md). Its approvals, parties, transitions and pauses are the modules beside.

Over 500 lines on purpose: the case's schema, its visibility (CaseQuerySet) and its stage change guard one
invariant together — the stage is written by advance() alone (StageWriteError elsewhere)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase
from guardian.shortcuts import assign_perm
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.roster.models import Role, Staff, Unit
from wuding_enforcement.shared.chinese import cn_date

from .. import workflow
from ..workflow import DATE_FIELDS, INITIAL_STAGE, VERBS, Procedure, Stage, TransitionContext
from .approvals import PENDING_APPROVAL, Approval, ApprovalKind, OfficerChange, approval_rules
from .common import logs_refusals
from .numbers import NumberSequence, format_number
from .officers import CaseOfficer
from .parties import Party
from .powers import PowerItem
from .transitions import CasePause, CaseTransition, PauseKind


class LeadSource(models.TextChoices):
    INSPECTION = "inspection", "监督检查发现"
    COMPLAINT = "complaint", "投诉举报"
    REFERRAL = "referral", "其他部门移送"
    ASSIGNED = "assigned", "上级机关交办"
    REPORTED = "reported", "下级机关报请"
    MONITORING = "monitoring", "抽检监测/网络监测"
    MEDIA = "media", "媒体曝光"
    OTHER = "other", "其他"


class StageWriteError(Exception):
    """Raised when anything but Case.advance() tries to write a case's stage."""


def dates_in_order(case, on: datetime.date) -> list[str]:
    """Dates never run backwards along a path (docs/domain.md §6): a step is dated no earlier than the lead
    and the step before it."""
    last = CaseTransition.objects.filter(case=case).order_by("-on").values_list("on", flat=True).first()
    earliest = max(d for d in (case.lead_date, last) if d is not None)
    if on < earliest:
        return [
            f"日期（{cn_date(on)}）不能早于本案上一步骤的日期（{cn_date(earliest)}）：程序的日期不能倒流。"
        ]
    return []


class CaseQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Cases this user may open: bureau heads all; a unit head the unit's; records keepers the unit's
        finished cases; everyone else what django-guardian grants on the case (assigned officers, reviewers)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.BUREAU_HEAD):
            return self
        q = Q(
            pk__in=CaseUserObjectPermission.objects.filter(
                user=user, permission__codename="view_case"
            ).values("content_object_id")
        )
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(handling_unit__head=user)
        if user.has_role(Role.RECORDS_KEEPER) and user.unit_id:
            q |= Q(
                handling_unit_id=user.unit_id,
                stage__in=[Stage.CLOSED, Stage.ARCHIVED, Stage.NOT_FILED, Stage.REPORTED],
            )
        return self.filter(q)

    def editable_by(self, user):
        """Cases this user may work on: the assigned officers (guardian change_case) and the unit's head."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        q = Q(
            pk__in=CaseUserObjectPermission.objects.filter(
                user=user, permission__codename="change_case"
            ).values("content_object_id")
        )
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(handling_unit__head=user)
        return self.filter(q).exclude(stage=Stage.ARCHIVED)

    def for_rows(self):
        """What a case row on a list page needs: unit, party names, officers, and what case.deadlines()
        reads (approvals, pauses, transitions, and what the systems' deadline providers declare, e.g.
        recording's documents). One query each, whatever the number of cases."""
        from ..deadlines import deadline_prefetch

        return self.select_related("handling_unit").prefetch_related(
            "parties",
            models.Prefetch("assignments", queryset=CaseOfficer.objects.select_related("officer")),
            *deadline_prefetch(),
        )

    def active(self):
        return self.exclude(stage__in=workflow.FINISHED_STAGES)

    def update(self, **kwargs):
        if "stage" in kwargs:
            raise StageWriteError("案件阶段只能通过 Case.advance() 变更。")
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "stage" in fields:
            raise StageWriteError("案件阶段只能通过 Case.advance() 变更。")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def bulk_create(self, objs, *args, **kwargs):
        for obj in objs:
            if obj.stage != INITIAL_STAGE[obj.procedure]:
                raise StageWriteError("新案件只能从初始阶段开始。")
        return super().bulk_create(objs, *args, **kwargs)


class Case(models.Model):
    lead_number = models.CharField("案源登记号", max_length=40, unique=True, editable=False)
    lead_year = models.PositiveSmallIntegerField(editable=False)
    lead_seq = models.PositiveIntegerField(editable=False)
    case_number = models.CharField(
        "案件编号", max_length=40, null=True, blank=True, unique=True, editable=False
    )
    case_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    case_seq = models.PositiveIntegerField(null=True, blank=True, editable=False)

    procedure = models.CharField("程序", max_length=10, choices=Procedure.choices, default=Procedure.ORDINARY)
    stage = models.CharField("阶段", max_length=20, choices=Stage.choices, editable=False)
    suspended_from = models.CharField(
        "中止前阶段", max_length=20, choices=Stage.choices, blank=True, editable=False
    )
    title = models.CharField("案由", max_length=200)
    lead_source = models.CharField("案件来源", max_length=12, choices=LeadSource.choices)
    lead_date = models.DateField("线索收到日期")
    lead_summary = models.TextField("线索内容", blank=True)
    handling_unit = models.ForeignKey(
        Unit, verbose_name="承办单位", on_delete=models.PROTECT, related_name="cases"
    )
    officers = models.ManyToManyField(
        Staff, verbose_name="承办人员", through="CaseOfficer", related_name="cases"
    )
    matters = models.ManyToManyField(PowerItem, verbose_name="涉及事项", blank=True, related_name="cases")

    filed_on = models.DateField("立案日期", null=True, blank=True, editable=False)
    decided_on = models.DateField("决定日期", null=True, blank=True, editable=False)
    served_on = models.DateField("送达日期", null=True, blank=True, editable=False)
    closed_on = models.DateField("结案日期", null=True, blank=True, editable=False)
    archived_on = models.DateField("归档日期", null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        Staff, verbose_name="登记人", on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = CaseQuerySet.as_manager()
    # Read by simple-history when the row is saved: the namespaced verb and who acted.
    _change_reason: str
    _history_user: Staff

    class Meta:
        verbose_name = "案件"
        verbose_name_plural = "案件"
        ordering = ["-lead_year", "-lead_seq"]
        permissions = [
            ("advance_case", "推进案件阶段"),
            # Granted per case (guardian) to the reviewers of that case: classified records (recording).
            ("view_classified", "查看本案涉密记录"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["lead_year", "lead_seq"], name="cases_case_lead_number_unique_per_year"
            ),
            models.UniqueConstraint(
                fields=["procedure", "case_year", "case_seq"], name="cases_case_number_unique_per_year"
            ),
            models.CheckConstraint(
                condition=Q(case_seq__isnull=True) | Q(case_year__isnull=False),
                name="cases_case_number_has_year",
            ),
        ]
        indexes = [
            # Serves the case list filtered by unit and stage, newest first.
            models.Index(
                fields=["handling_unit", "stage", "-lead_year", "-lead_seq"], name="cases_case_unit_stage_idx"
            ),
            # Serves the stage filter and the supervision counts by stage.
            models.Index(fields=["stage", "procedure"], name="cases_case_stage_idx"),
        ]

    def __str__(self):
        return f"{self.number}（{self.title}）"

    @property
    def number(self) -> str:
        return self.case_number or self.lead_number

    def save(self, *args, **kwargs):
        """Refuse any save that would change the stage outside advance(). The stored stage is read from
        the database (not from this instance's memory), so a reverted history copy or a Case built by
        hand with an existing id cannot write an old stage back either."""
        if not getattr(self, "_stage_write_allowed", False):
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "stage" in update_fields:
                stored = None
                if self.pk is not None:
                    stored = Case.objects.filter(pk=self.pk).values_list("stage", flat=True).first()
                if stored is None:
                    if self.stage and self.stage != INITIAL_STAGE[self.procedure]:
                        raise StageWriteError("新案件只能从初始阶段开始。")
                elif self.stage != stored:
                    raise StageWriteError("案件阶段只能通过 Case.advance() 变更。")
        super().save(*args, **kwargs)
        self._stage_write_allowed = False

    def clean(self):
        if self.lead_date and self.lead_date > timezone.localdate():
            raise ValidationError({"lead_date": "线索收到日期不能晚于今天。"})

    @classmethod
    def register_lead(
        cls,
        *,
        by,
        handling_unit,
        title,
        lead_source,
        lead_date,
        procedure=Procedure.ORDINARY,
        lead_summary="",
        officers=(),
        matters=(),
        parties=(),
    ):
        """案件来源登记: a new case with its gapless 案源登记号 (and, for 简易程序, its case number)."""
        year = lead_date.year
        with transaction.atomic():
            seq = NumberSequence.allocate("lead", year)
            case = cls(
                lead_year=year,
                lead_seq=seq,
                lead_number=format_number("案源", year, seq),
                procedure=procedure,
                stage=INITIAL_STAGE[procedure],
                title=title,
                lead_source=lead_source,
                lead_date=lead_date,
                lead_summary=lead_summary,
                handling_unit=handling_unit,
                created_by=by,
            )
            if procedure == Procedure.SIMPLE:
                # 简易程序 has no 立案; the on-the-spot case is numbered in its own yearly sequence.
                case.case_year = year
                case.case_seq = NumberSequence.allocate("simple", year)
                case.case_number = format_number("简罚", year, case.case_seq)
                case.decided_on = lead_date
            case._change_reason = "cases.case.registered"
            case._history_user = by
            case.full_clean(exclude=["lead_number", "created_by", "stage"])
            case.save()
            if matters:
                case.matters.set(matters)
            for order, party in enumerate(parties):
                party = party if isinstance(party, Party) else Party(**party)
                party.case = case
                party.order = order
                party.full_clean()
                party.save()
            if officers:
                case.assign_officers(officers, by=by)
            record(
                "cases.case.registered",
                obj=case,
                actor=by,
                detail={"lead_number": case.lead_number, "procedure": procedure},
            )
        return case

    def may_work_on(self, user) -> bool:
        return Case.objects.editable_by(user).filter(pk=self.pk).exists()

    def may_see_classified(self, user) -> bool:
        """Classified records (个人隐私, 商业秘密, 国家秘密) are for the case's officers, their unit head, the
        unit's records keeper and the reviewers of this case (guardian cases.view_classified) only."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if self.assignments.filter(officer=user).exists() or user.is_head_of(self.handling_unit):
            return True
        if user.has_role(Role.RECORDS_KEEPER) and user.unit_id == self.handling_unit_id:
            return True
        return user.has_perm("cases.view_classified", self)

    def assign_officers(self, officers, *, by, lead=None):
        """Assign officers (the first is the lead officer unless `lead` says otherwise) and grant them
        view/change permissions on this case through django-guardian."""
        officers = list(officers)
        lead = lead or (officers[0] if officers else None)
        with transaction.atomic():
            for officer in officers:
                CaseOfficer.objects.get_or_create(
                    case=self, officer=officer, defaults={"is_lead": officer == lead}
                )
                for codename in ("view_case", "change_case"):
                    assign_perm(f"cases.{codename}", officer, self)
            record(
                "cases.case.officers_assigned",
                obj=self,
                actor=by,
                detail={"officers": [o.display_name for o in officers]},
            )

    def deadlines(self, today: datetime.date | None = None):
        """The case's statutory deadlines (docs/domain.md §4) with remaining days; see deadlines.py."""
        from ..deadlines import case_deadlines

        return case_deadlines(self, today)

    def allowed_targets(self) -> list[str]:
        targets = list(workflow.transitions_for(self.procedure).get(self.stage, ()))
        if self.stage == Stage.SUSPENDED and self.suspended_from:
            targets.insert(0, self.suspended_from)
        return targets

    @logs_refusals
    def advance(self, target: str, *, actor, reason: str = "", on: datetime.date | None = None, **extra):
        """The one way to change a case's stage: checks the table and every registered gate under a row
        lock, writes narrowly, records who/when/why in CaseTransition, history and the audit log, and runs
        the registered after-transition hooks in the same transaction."""
        on = on or timezone.localdate()
        try:
            with transaction.atomic():
                case = (
                    Case.objects.select_for_update(of=("self",))
                    .select_related("handling_unit")
                    .get(pk=self.pk)
                )
                source = case.stage
                if target not in case.allowed_targets():
                    raise workflow.TransitionRefused(
                        f"案件当前处于“{Stage(source).label}”阶段，不能转入“{Stage(target).label}”。"
                    )
                # 归档 is the records keeper's act (the unit's 档案管理员 keeps the finished case's file).
                archiving_keeper = (
                    target == Stage.ARCHIVED
                    and actor.has_role(Role.RECORDS_KEEPER)
                    and actor.unit_id == case.handling_unit_id
                )
                if not (case.may_work_on(actor) or actor.has_role(Role.BUREAU_HEAD) or archiving_keeper):
                    raise workflow.TransitionRefused(
                        "您不是本案承办人员、承办单位负责人或局负责人，不能推进本案。"
                    )
                ctx = TransitionContext(
                    case=case, source=source, target=target, actor=actor, on=on, reason=reason, extra=extra
                )
                problems = dates_in_order(case, on) + workflow.check_gates(ctx)
                if problems:
                    raise workflow.TransitionRefused(problems)

                fields = ["stage", "updated_at"]
                case._stage_write_allowed = True
                case.stage = target
                if target in DATE_FIELDS:
                    setattr(case, DATE_FIELDS[target], on)
                    fields.append(DATE_FIELDS[target])
                if target == Stage.FILED and not case.case_number:
                    case.case_year = on.year
                    case.case_seq = NumberSequence.allocate("filing", on.year)
                    case.case_number = format_number("立", on.year, case.case_seq)
                    fields += ["case_year", "case_seq", "case_number"]
                if target == Stage.SUSPENDED:
                    case.suspended_from = source
                    fields.append("suspended_from")
                    CasePause.objects.create(
                        case=case, kind=PauseKind.SUSPENSION, start=on, note=reason, created_by=actor
                    )
                elif source == Stage.SUSPENDED:
                    case.suspended_from = ""
                    fields.append("suspended_from")
                    CasePause.objects.filter(case=case, kind=PauseKind.SUSPENSION, end__isnull=True).update(
                        end=on
                    )
                verb = (
                    VERBS.get(target, target)
                    if source != Stage.SUSPENDED or target == Stage.TERMINATED
                    else "resumed"
                )
                case._change_reason = f"cases.case.{verb}"
                case._history_user = actor
                case.save(update_fields=fields)
                transition = CaseTransition.objects.create(
                    case=case, from_stage=source, to_stage=target, actor=actor, on=on, reason=reason
                )
                record(
                    f"cases.case.{verb}",
                    obj=case,
                    actor=actor,
                    detail={"from": source, "to": target, "on": on.isoformat(), "reason": reason},
                )
                workflow.run_after(ctx)
        except workflow.TransitionRefused as refused:
            record(
                "cases.case.transition_refused",
                obj=self,
                actor=actor,
                outcome=Outcome.FAILURE,
                detail={"from": self.stage, "to": target, "problems": refused.messages},
            )
            raise
        for name in [
            "stage",
            "suspended_from",
            "case_number",
            "case_year",
            "case_seq",
            *DATE_FIELDS.values(),
        ]:
            setattr(self, name, getattr(case, name))
        return transition

    def approval_refusals(self, kind: str) -> list[str]:
        """Why this case may not ask for `kind` now (its stage and procedure), from the rules registered
        in `approval_rules`; a kind no rule admits is refused. [] means it may."""
        if kind not in ApprovalKind.values:
            return ["没有这种审批事项。"]
        rules = list(approval_rules.for_key(kind))
        if not rules:
            return [f"本系统未规定“{ApprovalKind(kind).label}”可在哪些阶段提出。"]
        return [problem for rule in rules for problem in (rule(self) or ())]

    def requestable_approval_kinds(self, kinds=None) -> list:
        """The approval kinds (of `kinds`, default all) this case may ask for now: what pages offer."""
        return [ApprovalKind(k) for k in (kinds or ApprovalKind.values) if not self.approval_refusals(k)]

    @logs_refusals
    def request_approval(
        self, kind: str, *, by, reason: str, days: int | None = None, officers=None, on=None
    ):
        """Ask for the unit head's opinion and the bureau head's approval (审批表). Whether the case may ask
        for this kind at its stage and procedure is decided here (the registered `approval_rules`), for
        every path; a 变更承办人员 request carries the proposed officers (the first is the lead), checked on
        the date of the request (行政处罚法 第四十二条)."""
        on = on or timezone.localdate()
        if not reason.strip():
            raise workflow.TransitionRefused("请填写申请理由。")
        if (
            kind
            in (
                ApprovalKind.FILING_EXTENSION,
                ApprovalKind.DECISION_EXTENSION,
                ApprovalKind.SEIZURE_EXTENSION,
            )
            and not days
        ):
            raise workflow.TransitionRefused("延长期限的申请须写明延长天数。")
        try:
            with transaction.atomic():
                case = type(self).objects.select_for_update().get(pk=self.pk)
                if not case.may_work_on(by):
                    raise workflow.TransitionRefused("您不是本案承办人员或承办单位负责人，不能提交审批。")
                problems = case.approval_refusals(kind)
                if problems:
                    raise workflow.TransitionRefused(problems)
                if Approval.objects.filter(case=case, kind=kind, status__in=PENDING_APPROVAL).exists():
                    raise workflow.TransitionRefused(
                        f"本案已有待审批的“{ApprovalKind(kind).label}”，请勿重复提交。"
                    )
                team = None
                if kind == ApprovalKind.OFFICER_CHANGE:
                    team = OfficerChange.check_team(case, officers, on)
                elif officers:
                    raise workflow.TransitionRefused("只有“变更承办人员审批”可以提出承办人员。")
                approval = Approval.objects.create(
                    case=case, kind=kind, reason=reason, days=days, requested_by=by
                )
                detail = {"approval": approval.pk, "kind": kind, "days": days}
                if team is not None:
                    OfficerChange.propose(approval, team)
                    detail["officers"] = [o.display_name for o in team]
                record("cases.approval.requested", obj=case, actor=by, detail=detail)
        except workflow.TransitionRefused as refused:
            record(
                "cases.approval.request_refused",
                obj=self,
                actor=by,
                outcome=Outcome.FAILURE,
                detail={"kind": kind, "problems": refused.messages},
            )
            raise
        return approval


class CaseUserObjectPermission(UserObjectPermissionBase):
    """django-guardian per-case permissions with a real foreign key (fast joins in visible_to)."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = "案件权限（人员）"
        verbose_name_plural = "案件权限（人员）"


class CaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = "案件权限（角色）"
        verbose_name_plural = "案件权限（角色）"
