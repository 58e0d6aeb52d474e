"""An inspection (检查任务) and what the enterprise says about it.

An inspection is registered (by a draw, or by an officer for 重点/专项/个案/许可核查/整改复查), approved by the
bureau head (行政检查审批表, 必审批) and only then becomes a case on the inspection path (cases.workflow:
approved → notified → inspected → result → 结案 → 归档), so the one case model's officers, documents, evidence,
clocks, audit and archive serve it. An emergency inspection is the exception the law allows: registered the
same day with its reason, its case opened at once, approved afterwards and flagged until then.

The rules live in inspection/lifecycle.py (mixed in here, like cases.lifecycle); counting against the caps in
InspectionQuerySet below.
"""

from django.db import models
from django.db.models import Count, Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.cases.models import LeadSource

from ..lifecycle import InspectionLifecycle
from ..publication import InspectionPublication
from .entities import MarketEntity
from .lists import InspectionItem
from .plans import InspectionPlan


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
        return self.filter(published_at__isnull=False)


class Inspection(InspectionLifecycle, InspectionPublication, models.Model):
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


class Complaint(models.Model):
    """A complaint about an inspection, or a request that an officer withdraw (回避), from the 检查码 page.
    Anonymous to the inspecting unit; supervision reads and handles it."""

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
    history = HistoricalRecords()

    class Meta:
        verbose_name = "投诉与回避申请"
        verbose_name_plural = "投诉与回避申请"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.inspection.number}"
