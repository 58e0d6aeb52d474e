"""An inspection (检查任务) and its life.

An inspection is registered (by a draw, or by an officer for 重点/专项/个案/许可核查/整改复查), approved by the
bureau head (行政检查审批表, 必审批) and only then becomes a case on the inspection path (cases.workflow:
approved → notified → inspected → result → 结案 → 归档), so the one case model's officers, documents, evidence,
clocks, audit and archive serve it. An emergency inspection is the exception the law allows: registered the
same day with its reason, its case opened at once, approved afterwards and flagged until then.

register → approve → the case on the inspection path is opened with its officers and the enterprise as party,
and the 检查码 is issued → 检查通知书 (必通知, at the latest on arrival) → 现场检查笔录 → form_result (未发现问题 /
责令整改 with a deadline and a follow-up / 移交立案, which registers a 案源 in a new 普通程序 case with this
inspection as its source) → publish (planned inspections, within 20 working days) → close. The stage moves go through Case.advance(), whose gates (inspection/gates.py) hold the rules of each
step, so the case workspace's own buttons get the same refusals.

Caps (国办发〔2024〕54号 四): a 双随机/重点/专项 inspection counts against the item's yearly cap for the entity's
risk class; over the cap it needs a recorded reason and is flagged. 个案检查, licence site checks and 整改复查
are outside the cap but counted (InspectionQuerySet.cap_counts).

Publication (国发〔2019〕5号): the results of 双随机 (and, here, every planned) inspection are published on the
public site within 20 working days of the result being formed — of the test report where samples were taken
— a setting (InspectionSettings.result_working_days); the due date is counted on the working-day calendar
(cases/calendar.py).

Over 500 lines because the inspection's whole procedure (register to close) is one state machine whose
steps share their locks, checks and audit verbs, and it lives on the model beside its fields.
"""

import datetime

from django.db import models, transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import Case, LeadSource, NumberSequence, Party, PartyKind, format_number
from wuding_enforcement.cases.workflow import Procedure, Stage
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.chinese import cn_date

from ..codes import new_code
from ..drawing import is_planner
from ..officers import officer_problems
from ..refusing import audited, refuse
from .entities import MarketEntity
from .lists import InspectionItem, InspectionSettings
from .plans import InspectionPlan, PlanKind

RESULT_STAGES = frozenset({Stage.INSPECTION_RESULT, Stage.CLOSED, Stage.ARCHIVED})


class InspectionKind(models.TextChoices):
    RANDOM = "random", "双随机抽查"
    KEY = "key", "重点检查"
    SPECIAL = "special", "专项检查"
    CASE = "case", "个案检查"
    LICENCE = "licence", "许可现场核查"
    FOLLOW_UP = "follow_up", "整改复查"


# 国办发〔2024〕54号: 个案检查 (complaints, referrals, monitoring leads), licence site checks and follow-ups of
# 责令整改 do not count against the yearly cap — they are still counted, and shown apart.
IN_CAP_KINDS = frozenset({InspectionKind.RANDOM, InspectionKind.KEY, InspectionKind.SPECIAL})
# Planned inspections whose results the public site publishes within 20 working days (国发〔2019〕5号).
PUBLISHED_KINDS = IN_CAP_KINDS
CASE_SOURCES = [
    (LeadSource.COMPLAINT, LeadSource.COMPLAINT.label),
    (LeadSource.REFERRAL, LeadSource.REFERRAL.label),
    (LeadSource.ASSIGNED, LeadSource.ASSIGNED.label),
    (LeadSource.MONITORING, LeadSource.MONITORING.label),
]


class ApprovalState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    EMERGENCY = "emergency", "紧急检查，待补办审批"
    REJECTED = "rejected", "未批准"
    WITHDRAWN = "withdrawn", "已撤回"


LIVE_STATES = (ApprovalState.PENDING, ApprovalState.APPROVED, ApprovalState.EMERGENCY)


class Result(models.TextChoices):
    NONE_FOUND = "none_found", "未发现问题"
    RECTIFY = "rectify", "责令整改"
    REFER = "refer", "移交立案"


class WithdrawalKind(models.TextChoices):
    """Why a published result is withdrawn (the vocabulary of decisions' withdrawals, disclosure)."""

    CHANGED = "changed", "检查结果被依法变更或撤销"
    EXCLUDED = "excluded", "依法不应公示"
    MISTAKE = "mistake", "公示的检查对象或结果有误"


class InspectionQuerySet(models.QuerySet):
    def counted(self):
        """Inspections that happen or happened: neither refused, withdrawn nor called off before the visit."""
        return self.filter(approval__in=LIVE_STATES, called_off=False)

    def in_year(self, year: int):
        return self.filter(planned_on__year=year)

    def in_cap(self):
        return self.filter(counts_in_cap=True)

    def for_entity(self, entity):
        return self.filter(entity=entity)

    def for_unit(self, unit):
        return self.filter(unit=unit)

    def for_officer(self, officer):
        """Inspections the officer takes part in (assigned on the case, or proposed before approval)."""
        return self.filter(
            Q(case__assignments__officer=officer) | Q(case__isnull=True, proposed_officers=officer)
        ).distinct()

    def visible_to(self, user):
        """Staff pages: the bureau heads and planners all; a unit head the unit's; an officer their own."""
        from wuding_enforcement.roster.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.BUREAU_HEAD, Role.ADMIN, Role.LEGAL_REVIEWER):
            return self
        q = Q(case__assignments__officer=user) | Q(proposed_officers=user) | Q(registered_by=user)
        if user.has_role(Role.UNIT_HEAD):
            q |= Q(unit__head=user)
        return self.filter(pk__in=self.filter(q).values("pk"))

    def cap_counts(self, year: int):
        """Per (entity, item): in-cap and outside-cap inspections of the year, in one aggregate query."""
        return (
            self.counted()
            .in_year(year)
            .values("entity_id", "item_id")
            .annotate(
                in_cap=Count("pk", filter=Q(counts_in_cap=True)),
                outside=Count("pk", filter=Q(counts_in_cap=False)),
            )
        )

    def published(self):
        """Results shown today (the public pages' content, open data, feed, credit export): published and not
        withdrawn."""
        return self.filter(published_at__isnull=False, withdrawn_at__isnull=True)

    def listed(self):
        """The public list: once published, withdrawn ones too (marked 已撤回 with the reason, never deleted)."""
        return self.filter(published_at__isnull=False)


class Inspection(models.Model):
    number = models.CharField("检查编号", max_length=40, unique=True, editable=False)
    year = models.PositiveSmallIntegerField(editable=False)
    seq = models.PositiveIntegerField(editable=False)
    kind = models.CharField("检查类型", max_length=10, choices=InspectionKind.choices)
    source = models.CharField(
        "任务来源", max_length=12, choices=LeadSource.choices, default=LeadSource.OTHER, editable=False
    )
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    entity = models.ForeignKey(
        MarketEntity, verbose_name="检查对象", on_delete=models.PROTECT, related_name="inspections"
    )
    item = models.ForeignKey(
        InspectionItem, verbose_name="检查事项", on_delete=models.PROTECT, related_name="inspections"
    )
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name="检查计划",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    draw_pick = models.OneToOneField(
        "inspection.DrawPick",
        verbose_name="抽取结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection",
    )
    follows = models.ForeignKey(
        "self",
        verbose_name="复查的检查",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="follow_ups",
    )
    unit = models.ForeignKey(
        "roster.Unit", verbose_name="实施单位", on_delete=models.PROTECT, related_name="inspections"
    )
    proposed_officers = models.ManyToManyField(
        "roster.Staff", verbose_name="检查人员", related_name="proposed_inspections"
    )
    lead_officer = models.ForeignKey(
        "roster.Staff", verbose_name="主办人", on_delete=models.PROTECT, related_name="+", editable=False
    )
    planned_on = models.DateField("检查日期")
    reason = models.TextField("检查事由")
    counts_in_cap = models.BooleanField("计入频次上限", editable=False)
    over_cap = models.BooleanField("超出频次上限", default=False, editable=False)
    over_cap_reason = models.TextField("超出频次上限的理由", blank=True, editable=False)
    emergency = models.BooleanField("紧急检查", default=False, editable=False)
    emergency_reason = models.TextField("紧急情况说明", blank=True, editable=False)
    approval = models.CharField(
        "审批状态",
        max_length=10,
        choices=ApprovalState.choices,
        default=ApprovalState.PENDING,
        editable=False,
    )
    registered_by = models.ForeignKey(
        "roster.Staff", verbose_name="登记人", on_delete=models.PROTECT, related_name="+", editable=False
    )
    registered_at = models.DateTimeField("登记时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        "roster.Staff",
        verbose_name="审批人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True, editable=False)
    opinion = models.TextField("审批意见", blank=True, editable=False)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name="检查案卷",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection",
        editable=False,
    )
    code = models.CharField("检查码", max_length=12, null=True, blank=True, unique=True, editable=False)
    called_off = models.BooleanField("未实施（已终止）", default=False, editable=False)
    result = models.CharField("检查结果", max_length=12, choices=Result.choices, blank=True, editable=False)
    result_on = models.DateField("结果形成日期", null=True, blank=True, editable=False)
    result_summary = models.TextField("检查情况", blank=True, editable=False)
    rectify_by = models.DateField("整改期限", null=True, blank=True, editable=False)
    samples_taken = models.BooleanField("抽样检验", default=False, editable=False)
    test_report_on = models.DateField("检验报告出具日期", null=True, blank=True, editable=False)
    lead_case = models.OneToOneField(
        "cases.Case",
        verbose_name="移交立案的案源",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="source_inspection",
        editable=False,
    )
    public_summary = models.TextField("公示内容", blank=True, editable=False)
    # The redactions of the officer's text at publish() (publication.py): start, end, original, replacement,
    # kind, origin — positions in the written text.
    public_redactions = models.JSONField("公示隐去的个人信息", default=list, blank=True, editable=False)
    published_at = models.DateTimeField("公示时间", null=True, blank=True, editable=False)
    # The entity's name as published (a 个体工商户's operator masked, publication.public_entity_name), fixed with
    # the text the officer previewed.
    public_entity_name = models.CharField("公示的检查对象名称", max_length=200, blank=True, editable=False)
    corrected_at = models.DateTimeField("最近更正时间", null=True, blank=True, editable=False)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        "roster.Staff",
        verbose_name="撤回人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    withdrawal_kind = models.CharField(
        "撤回原因类别", max_length=10, choices=WithdrawalKind.choices, blank=True, editable=False
    )
    withdrawal_reason = models.TextField("撤回理由", blank=True, editable=False)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政检查"
        verbose_name_plural = "行政检查"
        ordering = ["-year", "-seq"]
        constraints = [
            models.UniqueConstraint(fields=["year", "seq"], name="inspection_number_unique_per_year"),
            models.CheckConstraint(
                condition=Q(over_cap=False) | ~Q(over_cap_reason=""), name="inspection_over_cap_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(emergency=False) | ~Q(emergency_reason=""), name="inspection_emergency_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | ~Q(withdrawal_reason=""),
                name="inspection_withdrawn_has_reason",
            ),
        ]
        indexes = [
            # Serves the cap count of an entity under an item in a year (registration, draws, supervision).
            models.Index(fields=["entity", "item", "planned_on"], name="insp_cap_count_idx"),
            # Serves the staff list by unit and the supervision figures per unit.
            models.Index(fields=["unit", "planned_on"], name="insp_unit_day_idx"),
        ]

    def __str__(self):
        return f"{self.number}（{self.entity.name}）"

    @property
    def stage(self) -> str:
        return self.case.stage if self.case_id else ""

    @property
    def needs_publication(self) -> bool:
        return self.kind in PUBLISHED_KINDS

    # --- registration ---------------------------------------------------------------------------------

    @classmethod
    @audited
    def register(
        cls,
        *,
        by,
        kind,
        entity,
        item,
        officers,
        planned_on: datetime.date,
        reason: str,
        unit=None,
        plan=None,
        source: str = "other",
        source_note: str = "",
        follows=None,
        over_cap_reason: str = "",
        draw_pick=None,
        emergency_reason: str = "",
    ):
        """Register an inspection task (it then waits for the bureau head's approval, or — an emergency — its
        case is opened at once and the approval follows). Every rule is checked here, for every path."""
        officers = list(officers)
        today = timezone.localdate()
        emergency = bool(emergency_reason.strip())
        problems = list(item.usable_problems())
        if not (by.has_role(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD) or draw_pick is not None):
            problems.append("只有执法人员、负责人或局负责人可以登记检查任务。")
        if not reason.strip():
            problems.append("请写明检查事由。")
        if not entity.is_active_on(planned_on):
            problems.append(f"{entity.name}已于{cn_date(entity.deregistered_on)}注销（吊销），不能检查。")
        if emergency:
            if kind == InspectionKind.RANDOM:
                problems.append("双随机抽查不能按紧急检查登记。")
            if planned_on != today:
                problems.append("紧急检查应当在实施当日登记并说明理由（国办发〔2024〕54号）。")
        elif planned_on < today:
            problems.append(
                "行政检查须事先经批准（必审批）：检查日期不能早于今天；情况紧急的，请按紧急检查登记。"
            )
        if kind == InspectionKind.RANDOM:
            if draw_pick is None:
                problems.append("双随机抽查任务只能由抽取产生。")
            else:
                plan = draw_pick.draw.entry.plan
        elif kind in (InspectionKind.KEY, InspectionKind.SPECIAL):
            wanted = PlanKind.SPECIAL if kind == InspectionKind.SPECIAL else PlanKind.ANNUAL
            if plan is None or not plan.is_published or plan.kind != wanted:
                problems.append(f"{InspectionKind(kind).label}须列入已公布的{PlanKind(wanted).label}。")
            elif not plan.entries.filter(item=item).exists():
                problems.append(f"“{plan.title}”中没有检查事项“{item.item}”。")
        elif kind == InspectionKind.CASE:
            if source not in dict(CASE_SOURCES):
                problems.append("个案检查须写明来源：投诉举报、转办交办、移送或者监测发现的问题线索。")
            if not source_note.strip():
                problems.append("请填写来源说明（如投诉举报编号、转办单位）。")
        elif kind == InspectionKind.LICENCE:
            if not source_note.strip():
                problems.append("请填写许可申请的受理编号。")
        elif kind == InspectionKind.FOLLOW_UP:
            if follows is None or follows.result != Result.RECTIFY or follows.entity_id != entity.pk:
                problems.append("整改复查须针对本对象一次责令整改的检查。")
            elif follows.result_on and planned_on < follows.result_on:
                problems.append("复查日期不能早于责令整改之日。")
        problems += officer_problems(officers, entity=entity, item=item, on=planned_on)
        found, over_cap = cap_problems(
            entity=entity, item=item, kind=kind, year=planned_on.year, over_cap_reason=over_cap_reason
        )
        problems += found
        if kind != InspectionKind.CASE:
            source = LeadSource.OTHER
        unit = unit or item.unit or (officers[0].unit if officers else None)
        if unit is None:
            problems.append("请选择实施单位。")
        if problems:
            _refuse("register", entity, by, problems)
        with transaction.atomic():
            seq = NumberSequence.allocate("inspection", planned_on.year)
            inspection = Inspection(
                number=format_number("检", planned_on.year, seq),
                year=planned_on.year,
                seq=seq,
                kind=kind,
                source=source,
                source_note=source_note,
                entity=entity,
                item=item,
                plan=plan,
                draw_pick=draw_pick,
                follows=follows,
                unit=unit,
                planned_on=planned_on,
                reason=reason,
                counts_in_cap=kind in IN_CAP_KINDS,
                over_cap=over_cap,
                over_cap_reason=over_cap_reason if over_cap else "",
                emergency=emergency,
                emergency_reason=emergency_reason if emergency else "",
                approval=ApprovalState.EMERGENCY if emergency else ApprovalState.PENDING,
                registered_by=by,
                lead_officer=officers[0],
            )
            inspection._change_reason = "inspection.inspection.registered"
            inspection._history_user = by
            inspection.save()
            inspection.proposed_officers.set(officers)
            record(
                "inspection.inspection.registered",
                obj=inspection,
                actor=by,
                detail={
                    "number": inspection.number,
                    "kind": kind,
                    "entity": entity.credit_code,
                    "item": item.code,
                    "officers": [o.display_name for o in officers],
                    "over_cap": over_cap,
                    "emergency": emergency,
                },
            )
            if emergency:
                # 紧急检查: done at once, registered the same day, approved afterwards (flagged until then).
                inspection._open_case(by)
        return inspection

    def register_follow_up(self, *, by, planned_on: datetime.date, officers=None):
        """整改复查 of a 责令整改: outside the cap, counted, approved like any inspection."""
        officers = list(officers) if officers is not None else self.officers()
        return type(self).register(
            by=by,
            kind=InspectionKind.FOLLOW_UP,
            entity=self.entity,
            item=self.item,
            officers=officers,
            planned_on=planned_on,
            reason=f"对{self.number}责令整改事项的复查（整改期限{cn_date(self.rectify_by)}）。",
            unit=self.unit,
            follows=self,
        )

    def may_manage(self, user) -> bool:
        """Who may withdraw a task before approval: whoever registered it, its officers, the unit's head, a
        bureau head, and the planners (for a draw's tasks)."""
        if user is None or not user.is_authenticated:
            return False
        return (
            user.pk == self.registered_by_id
            or self.proposed_officers.filter(pk=user.pk).exists()
            or user.is_head_of(self.unit)
            or user.has_role(Role.BUREAU_HEAD)
            or is_planner(user)
        )

    def officers(self) -> list:
        """The inspection's officers, the lead first: the case's once opened, else the proposed ones."""
        if self.case_id:
            return [a.officer for a in self.case.assignments.select_related("officer")]
        people = list(self.proposed_officers.all())
        return sorted(people, key=lambda p: (p.pk != self.lead_officer_id, p.pk))

    # --- approval --------------------------------------------------------------------------------------

    def _locked(self):
        return (
            type(self)
            .objects.select_for_update(of=("self",))
            .select_related("entity", "item", "unit")
            .get(pk=self.pk)
        )

    @audited
    def approve(self, *, by, opinion: str):
        """行政检查审批表: the bureau head approves (必审批). The officers, the entity and the cap are checked
        again on approval (a certificate may have lapsed since); the case is opened and the 检查码 issued.
        An emergency inspection's approval comes afterwards (its case is already open)."""
        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if not by.has_role(Role.BUREAU_HEAD):
                problems.append("行政检查须经局负责人批准。")
            if inspection.approval not in (ApprovalState.PENDING, ApprovalState.EMERGENCY):
                problems.append(f"该检查{inspection.get_approval_display()}，不能再审批。")
            if not opinion.strip():
                problems.append("请填写审批意见。")
            if inspection.approval == ApprovalState.PENDING:
                on = max(inspection.planned_on, timezone.localdate())
                problems += officer_problems(
                    inspection.officers(), entity=inspection.entity, item=inspection.item, on=on
                )
                if not inspection.entity.is_active_on(on):
                    problems.append(f"{inspection.entity.name}已注销（吊销），不能检查。")
            if problems:
                _refuse("approve", inspection, by, problems)
            was_emergency = inspection.approval == ApprovalState.EMERGENCY
            inspection.approval = ApprovalState.APPROVED
            inspection.decided_by, inspection.decided_at, inspection.opinion = by, timezone.now(), opinion
            inspection._change_reason = "inspection.inspection.approved"
            inspection._history_user = by
            inspection.save(update_fields=["approval", "decided_by", "decided_at", "opinion", "updated_at"])
            record(
                "inspection.inspection.approved",
                obj=inspection,
                actor=by,
                detail={"number": inspection.number, "after_the_fact": was_emergency, "opinion": opinion},
            )
            if not was_emergency:
                inspection._open_case(by)
        self.refresh_from_db()
        return self

    @audited
    def reject(self, *, by, opinion: str):
        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if not by.has_role(Role.BUREAU_HEAD):
                problems.append("行政检查须由局负责人审批。")
            if inspection.approval != ApprovalState.PENDING:
                problems.append(f"该检查{inspection.get_approval_display()}，不能再审批。")
            if not opinion.strip():
                problems.append("请填写不予批准的理由。")
            if problems:
                _refuse("reject", inspection, by, problems)
            inspection.approval = ApprovalState.REJECTED
            inspection.decided_by, inspection.decided_at, inspection.opinion = by, timezone.now(), opinion
            inspection._change_reason = "inspection.inspection.rejected"
            inspection._history_user = by
            inspection.save(update_fields=["approval", "decided_by", "decided_at", "opinion", "updated_at"])
            record("inspection.inspection.rejected", obj=inspection, actor=by, detail={"opinion": opinion})
        self.refresh_from_db()
        return self

    def _open_case(self, by):
        """The inspection's case: 行政检查 procedure, the officers assigned (the lead first), the enterprise as
        its party, the 权责清单 item as its matter; and the 检查码."""
        entity = self.entity
        party = {
            "kind": entity.party_kind,
            "name": entity.name,
            "credit_code": entity.credit_code,
            "address": entity.address,
            "phone": entity.phone,
        }
        if party["kind"] == PartyKind.ORGANISATION:
            party["legal_representative"] = entity.representative
        else:
            party["operator"] = entity.representative
        people = list(self.proposed_officers.all())
        people.sort(key=lambda p: (p.pk != self.lead_officer_id, p.pk))
        case = Case.register_lead(
            by=self.registered_by,
            handling_unit=self.unit,
            title=f"{self.item.item}（{entity.name}）",
            lead_source=self.source,
            lead_date=timezone.localdate(),
            procedure=Procedure.INSPECTION,
            lead_summary=f"{self.get_kind_display()} {self.number}：{self.reason}",
            officers=people,
            matters=[self.item.power_item] if self.item.power_item_id else [],
            parties=[party],
        )
        self.case = case
        self.code = new_code()
        self._change_reason = "inspection.inspection.case_opened"
        self._history_user = by
        self.save(update_fields=["case", "code", "updated_at"])
        record(
            "inspection.inspection.case_opened",
            obj=self,
            actor=by,
            detail={"number": self.number, "case": case.pk, "lead_number": case.lead_number},
        )

    @audited
    def withdraw(self, *, by, reason: str):
        """A task not yet approved is withdrawn; an approved one is ended through its case (cancel)."""
        with transaction.atomic():
            inspection = self._locked()
            if not inspection.may_manage(by):
                _refuse("withdraw", inspection, by, ["您不能撤回该检查任务。"])
            if inspection.approval != ApprovalState.PENDING:
                _refuse(
                    "withdraw",
                    inspection,
                    by,
                    ["只有待审批的检查任务可以撤回；已批准的请终止检查并写明理由。"],
                )
            if not reason.strip():
                _refuse("withdraw", inspection, by, ["请写明撤回理由。"])
            inspection.approval = ApprovalState.WITHDRAWN
            inspection.opinion = reason
            inspection._change_reason = "inspection.inspection.withdrawn"
            inspection._history_user = by
            inspection.save(update_fields=["approval", "opinion", "updated_at"])
            record("inspection.inspection.withdrawn", obj=inspection, actor=by, detail={"reason": reason})
        self.refresh_from_db()
        return self

    def cancel(self, *, by, reason: str):
        """终止 before the visit (the entity was found closed, the task is called off): through the case, so
        the 终止 is on its path with its reason; the after-hook marks the inspection as not carried out."""
        if self.case_id is None:
            return self.withdraw(by=by, reason=reason)
        self.case.advance(Stage.TERMINATED, actor=by, reason=reason)
        self.refresh_from_db()
        return self

    # --- the record ------------------------------------------------------------------------------------

    @audited
    def form_result(
        self,
        *,
        by,
        result: str,
        summary: str,
        on: datetime.date | None = None,
        rectify_by: datetime.date | None = None,
        samples_taken: bool = False,
        test_report_on: datetime.date | None = None,
        lead_title: str = "",
    ):
        """The result of the inspection (检查结果): recorded here and the case moved to 检查结果 in the same
        transaction. 移交立案 registers a 案源 (Case.register_lead) in a new 普通程序 case, linked both ways."""
        on = on or timezone.localdate()
        with transaction.atomic():
            inspection = self._locked()
            case = inspection.case
            problems = []
            if case is None or case.stage != Stage.INSPECTED:
                problems.append("现场检查笔录签发、检查进入“现场检查”阶段后，才能登记检查结果。")
            if case is not None and not case.may_work_on(by):
                problems.append("您不是本检查的执法人员或承办单位负责人。")
            if result not in Result.values:
                problems.append("请选择检查结果。")
            if not summary.strip():
                problems.append("请填写检查情况。")
            if on > timezone.localdate():
                problems.append("结果形成日期不能晚于今天。")
            if result == Result.RECTIFY and (rectify_by is None or rectify_by <= on):
                problems.append("责令整改须写明整改期限（晚于结果形成日期）。")
            if test_report_on and not samples_taken:
                problems.append("未抽样检验的，不填检验报告日期。")
            if test_report_on and test_report_on > timezone.localdate():
                problems.append("检验报告出具日期不能晚于今天。")
            if problems:
                _refuse("result", inspection, by, problems)
            inspection.result, inspection.result_on, inspection.result_summary = result, on, summary
            inspection.rectify_by = rectify_by if result == Result.RECTIFY else None
            inspection.samples_taken, inspection.test_report_on = samples_taken, test_report_on
            fields = [
                "result",
                "result_on",
                "result_summary",
                "rectify_by",
                "samples_taken",
                "test_report_on",
            ]
            if result == Result.REFER:
                party = case.parties.first()
                lead = Case.register_lead(
                    by=by,
                    handling_unit=inspection.unit,
                    title=lead_title.strip() or f"{inspection.entity.name}涉嫌违法案（检查发现）",
                    lead_source=LeadSource.INSPECTION,
                    lead_date=on,
                    lead_summary=f"行政检查 {inspection.number} 发现：{summary}",
                    officers=[a.officer for a in case.assignments.select_related("officer")],
                    parties=[_copy_party(party, Party)] if party else [],
                )
                inspection.lead_case = lead
                fields.append("lead_case")
                record(
                    "inspection.inspection.lead_opened",
                    obj=inspection,
                    actor=by,
                    detail={
                        "number": inspection.number,
                        "lead_case": lead.pk,
                        "lead_number": lead.lead_number,
                    },
                )
            inspection._change_reason = "inspection.inspection.result"
            inspection._history_user = by
            inspection.save(update_fields=[*fields, "updated_at"])
            case.advance(
                Stage.INSPECTION_RESULT,
                actor=by,
                on=on,
                reason=f"检查结果：{Result(result).label}。{summary}",
            )
            record(
                "inspection.inspection.result",
                obj=inspection,
                actor=by,
                detail={"number": inspection.number, "result": result, "on": on.isoformat()},
            )
        self.refresh_from_db()
        return self

    @audited
    def record_test_report(self, *, by, on: datetime.date):
        """Where samples were taken, the result is published after the test report: its date starts the
        publication clock (国发〔2019〕5号)."""
        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if not inspection.samples_taken:
                problems.append("本次检查未抽样检验。")
            if inspection.test_report_on:
                problems.append("已登记检验报告日期。")
            if on > timezone.localdate() or (inspection.result_on and on < inspection.result_on):
                problems.append("检验报告日期应在结果形成之后、不晚于今天。")
            if problems:
                _refuse("test_report", inspection, by, problems)
            inspection.test_report_on = on
            inspection._history_user = by
            inspection.save(update_fields=["test_report_on", "updated_at"])
            record(
                "inspection.inspection.test_report", obj=inspection, actor=by, detail={"on": on.isoformat()}
            )
        self.refresh_from_db()
        return self

    def close(self, *, by, on: datetime.date | None = None):
        """结案 of the inspection (the gates say what must be done first)."""
        self.case.advance(Stage.CLOSED, actor=by, on=on, reason="检查结束。")
        self.refresh_from_db()
        return self

    # --- publication of the result ---

    @property
    def publication_start(self) -> datetime.date | None:
        """The day the result counts as formed for publication: the test report's date where samples were
        taken (none yet: the clock has not started), else the result's date."""
        if not self.result_on:
            return None
        if self.samples_taken:
            return self.test_report_on
        return self.result_on

    def publication_due(self) -> datetime.date | None:
        """20 working days after the result is formed (国发〔2019〕5号; a setting), on the working-day calendar
        (cases/calendar.py: the start day is not counted, holidays and 调休 followed)."""

        start = self.publication_start
        if start is None or not self.needs_publication:
            return None
        return calendar.add_working_days(start, InspectionSettings.current().result_working_days)

    def publication_overdue(self, today: datetime.date | None = None) -> bool:
        due = self.publication_due()
        if due is None:
            return False
        if self.published_at:
            return timezone.localdate(self.published_at) > due
        return (today or timezone.localdate()) > due

    def preview_publication(self, public_summary: str):
        """What publishing (or correcting with) `public_summary` would show the public, with each redaction
        marked and a digest the officer's confirmation carries back (publication.preview)."""
        from ..publication import preview

        return preview(self, public_summary)

    def may_revise_publication(self, user) -> bool:
        """Who may withdraw or correct a published result: as for decisions' publications (disclosure
        PublicationQuerySet.reviewable_by), the admins and bureau heads, and the head of the inspecting unit;
        officers never."""
        if user is None or not user.is_authenticated or not user.is_active:
            return False
        if user.is_superuser or user.has_role(Role.ADMIN, Role.BUREAU_HEAD):
            return True
        return user.has_role(Role.UNIT_HEAD) and self.unit.head_id == user.pk

    def _confirmed_preview(self, action: str, by, public_summary: str, preview_digest: str | None):
        """The preview of `public_summary` computed now, under the caller's row lock; refused (with the new
        preview, for the page to show) when it is not the one the officer confirmed. `preview_digest` None is
        for callers with nobody reading a preview (demo data, tests of other rules)."""
        from ..publication import PreviewChanged

        if not public_summary.strip():
            _refuse(action, self, by, ["请填写公示内容。"])
        shown = self.preview_publication(public_summary)
        if preview_digest is not None and preview_digest != shown.digest:
            raise PreviewChanged(
                ["公示内容或隐去规则在预览后发生了变化：请核对下面新的预览后再确认。"],
                action=f"inspection.inspection.{action}",
                obj=self,
                preview=shown,
            )
        return shown

    @audited
    def publish(self, *, by, public_summary: str, preview_digest: str | None = None):
        """Publish the result on the public site. The officer's text is redacted by the rules of decisions
        (publication.register_redactor), the entity's name too where it carries a natural person's name (a
        个体工商户's operator); the officer confirms the preview (preview_publication) and what is stored is
        exactly that preview — a text or rule changed since is refused with the new preview."""
        with transaction.atomic():
            inspection = self._locked()
            problems = []
            if inspection.case is None or inspection.case.stage not in RESULT_STAGES:
                problems.append("检查结果形成后才能公示。")
            elif inspection.samples_taken and not inspection.test_report_on:
                problems.append("抽样检验的，检验报告出具后再公示检查结果。")
            if inspection.kind not in PUBLISHED_KINDS:
                problems.append(f"{inspection.get_kind_display()}的结果不在公示网站单独公示。")
            if inspection.published_at:
                problems.append("检查结果已公示。")
            if not public_summary.strip():
                problems.append("请填写公示内容。")
            if inspection.case is not None and not (inspection.case.may_work_on(by) or is_planner(by)):
                problems.append("您不能公示该检查结果。")
            if problems:
                _refuse("publish", inspection, by, problems)
            shown = inspection._confirmed_preview("publish", by, public_summary, preview_digest)
            inspection.public_summary, inspection.published_at = shown.text, timezone.now()
            inspection.public_redactions = shown.redactions
            inspection.public_entity_name = shown.entity_name
            inspection._change_reason = "inspection.inspection.published"
            inspection._history_user = by
            inspection.save(
                update_fields=[
                    "public_summary",
                    "public_redactions",
                    "public_entity_name",
                    "published_at",
                    "updated_at",
                ]
            )
            due = inspection.publication_due()
            record(
                "inspection.inspection.published",
                obj=inspection,
                actor=by,
                detail={
                    "number": inspection.number,
                    "due": due.isoformat() if due else None,
                    "digest": shown.digest,
                    "name_masked": shown.name_masked,
                    "redactions": [{"kind": r["kind"], "origin": r["origin"]} for r in shown.redactions],
                },
            )
        self.refresh_from_db()
        return self

    def _revision_problems(self, by) -> list[str]:
        problems = []
        if not self.may_revise_publication(by):
            problems.append("只有局领导、办公室管理员和实施单位负责人可以撤回或更正已公示的检查结果。")
        if not self.published_at:
            problems.append("检查结果尚未公示。")
        elif self.withdrawn_at:
            problems.append("该检查结果已撤回，不能再撤回或更正。")
        return problems

    @audited
    def correct_publication(self, *, by, public_summary: str, reason: str, preview_digest: str | None = None):
        """更正 a published result: a new public text through the same redaction and preview as publish();
        the version it replaces is kept (ResultVersion) and the public page says 已更正 with the date."""
        from .results import ResultVersion

        reason = (reason or "").strip()
        with transaction.atomic():
            inspection = self._locked()
            problems = inspection._revision_problems(by)
            if not reason:
                problems.append("请写明更正理由。")
            if problems:
                _refuse("correct", inspection, by, problems)
            shown = inspection._confirmed_preview("correct", by, public_summary, preview_digest)
            if (shown.text, shown.entity_name) == (inspection.public_summary, inspection.public_entity_name):
                _refuse("correct", inspection, by, ["更正后的公示内容与现在公示的相同。"])
            now = timezone.now()
            old = ResultVersion.objects.create(
                inspection=inspection,
                public_summary=inspection.public_summary,
                public_redactions=inspection.public_redactions,
                public_entity_name=inspection.public_entity_name,
                shown_from=inspection.corrected_at or inspection.published_at,
                replaced_at=now,
                replaced_by=by,
                reason=reason,
            )
            inspection.public_summary, inspection.public_redactions = shown.text, shown.redactions
            inspection.public_entity_name, inspection.corrected_at = shown.entity_name, now
            inspection._change_reason = "inspection.inspection.corrected"
            inspection._history_user = by
            inspection.save(
                update_fields=[
                    "public_summary",
                    "public_redactions",
                    "public_entity_name",
                    "corrected_at",
                    "updated_at",
                ]
            )
            record(
                "inspection.inspection.corrected",
                obj=inspection,
                actor=by,
                detail={
                    "number": inspection.number,
                    "reason": reason,
                    "version": old.pk,
                    "digest": shown.digest,
                    "redactions": [{"kind": r["kind"], "origin": r["origin"]} for r in shown.redactions],
                },
            )
        self.refresh_from_db()
        return self

    @audited
    def withdraw_publication(self, *, by, kind: str, reason: str):
        """撤回 a published result (as decisions' publications, 总局令第45号 第十一条): the entry stays in the
        public list marked 已撤回 with the reason, its content leaves the pages, the open data and the feed."""
        reason = (reason or "").strip()
        with transaction.atomic():
            inspection = self._locked()
            problems = inspection._revision_problems(by)
            if kind not in WithdrawalKind.values:
                problems.append("请选择撤回的原因类别。")
            if not reason:
                problems.append("请写明撤回理由，理由将向社会公开。")
            if problems:
                _refuse("withdraw", inspection, by, problems)
            inspection.withdrawn_at, inspection.withdrawn_by = timezone.now(), by
            inspection.withdrawal_kind, inspection.withdrawal_reason = kind, reason
            inspection._change_reason = "inspection.inspection.withdrawn"
            inspection._history_user = by
            inspection.save(
                update_fields=[
                    "withdrawn_at",
                    "withdrawn_by",
                    "withdrawal_kind",
                    "withdrawal_reason",
                    "updated_at",
                ]
            )
            record(
                "inspection.inspection.withdrawn",
                obj=inspection,
                actor=by,
                detail={"number": inspection.number, "kind": kind, "reason": reason},
            )
        self.refresh_from_db()
        return self


def _refuse(action: str, obj, by, problems: list[str]):
    refuse(f"inspection.inspection.{action}", obj, problems)


def cap_problems(
    *, entity, item, kind, year: int, over_cap_reason: str, exclude_pk=None
) -> tuple[list[str], bool]:
    """(problems, over_cap) for one more inspection of `kind`: in-cap kinds need a published cap for the
    entity's risk class, and past it a recorded reason (then it is flagged)."""
    if kind not in IN_CAP_KINDS:
        return [], False
    cap = item.cap_for(entity.risk_class)
    if cap is None:
        return [
            f"检查事项“{item.item}”未公布{entity.get_risk_class_display()}企业的年度检查频次上限，"
            "不能实施计划检查（国办发〔2024〕54号）。"
        ], False
    done = Inspection.objects.counted().in_year(year).in_cap().filter(entity=entity, item=item)
    if exclude_pk:
        done = done.exclude(pk=exclude_pk)
    if done.count() < cap:
        return [], False
    if not over_cap_reason.strip():
        return [
            f"{entity.name}本年度“{item.item}”已检查{done.count()}次，已达公布的频次上限（每年{cap}次）："
            "确需检查的，请写明理由（将被标记并报监督）。"
        ], True
    return [], True


def _copy_party(party, Party):
    return Party(
        kind=party.kind,
        name=party.name,
        credit_code=party.credit_code,
        legal_representative=party.legal_representative,
        operator=party.operator,
        address=party.address,
        phone=party.phone,
    )
