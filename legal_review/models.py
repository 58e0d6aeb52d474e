"""重大行政执法决定法制审核: the catalogue of major-decision criteria, discretion benchmarks, review rounds with
their checklists, advisers' opinions, objections and coordinations, and the bureau heads' 集体讨论.

Behaviour lives in lifecycle.py (mixed into the models) and in the domain modules beside it (criteria,
benchmarks, package, prechecks, gates). Nothing here is ever deleted: flags are removed with a reason, rounds
are kept side by side, a revised opinion is a new round.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.cases.models import Case, PowerItem
from wuding_enforcement.roster.models import Staff

from .lifecycle import (
    CollectiveLifecycle,
    CoordinationLifecycle,
    FlagLifecycle,
    ObjectionLifecycle,
    RoundLifecycle,
)

# --- §1 The catalogue of major decisions (重大执法决定目录清单) ----------------------------------------------


class CriterionRule(models.TextChoices):
    """How the system recognises a criterion from the case's data; MANUAL ones are flagged by hand."""

    FINE_PERSON = "fine_person", "对自然人（含个体工商户）罚款达到数额"
    FINE_ORGANISATION = "fine_organisation", "对单位罚款达到数额"
    SUSPEND_BUSINESS = "suspend_business", "责令停产停业、责令关闭"
    REVOKE_LICENCE = "revoke_licence", "吊销许可证照"
    HEARING = "hearing", "当事人有权要求听证"
    OUTSIDE_BENCHMARK = "outside_benchmark", "拟处罚超出裁量基准"
    MANUAL = "manual", "人工认定"


class MajorCriterion(models.Model):
    """One entry of the admin-maintained catalogue; defaults from docs/domain.md §3 (data migration 0002)."""

    code = models.CharField("编码", max_length=30, unique=True)
    name = models.CharField("认定标准", max_length=200)
    description = models.TextField("说明", blank=True)
    rule = models.CharField("系统识别方式", max_length=20, choices=CriterionRule.choices)
    requires_collective = models.BooleanField(
        "须集体讨论",
        default=False,
        help_text="属于情节复杂或者重大违法行为，审核通过后须经局负责人集体讨论决定（行政处罚法 第五十七条）。",
    )
    is_active = models.BooleanField("在用", default=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "重大执法决定认定标准"
        verbose_name_plural = "重大执法决定目录清单"
        ordering = ["order", "code"]

    def __str__(self):
        return self.name


class MajorFlag(FlagLifecycle, models.Model):
    """A case marked major by hand by the handling unit, with its reason. Removing it needs the bureau head."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="major_flags")
    criterion = models.ForeignKey(
        MajorCriterion, verbose_name="认定标准", on_delete=models.PROTECT, related_name="flags"
    )
    reason = models.TextField("理由")
    flagged_by = models.ForeignKey(Staff, verbose_name="标记人", on_delete=models.PROTECT, related_name="+")
    flagged_at = models.DateTimeField("标记时间", auto_now_add=True)
    removed_at = models.DateTimeField("撤销时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        Staff, verbose_name="撤销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.TextField("撤销理由", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "重大执法决定标记"
        verbose_name_plural = "重大执法决定标记"
        ordering = ["case", "flagged_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | ~Q(removal_reason=""),
                name="legal_review_flag_removal_has_reason",
            )
        ]

    def __str__(self):
        return f"{self.criterion}（{'已撤销' if self.removed_at else '有效'}）"


class CollectiveReferral(models.Model):
    """The bureau head sends a case to 集体讨论 although no criterion requires it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="collective_referrals")
    reason = models.TextField("理由")
    by = models.ForeignKey(Staff, verbose_name="局负责人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "提交集体讨论"
        verbose_name_plural = "提交集体讨论"
        ordering = ["case", "at"]

    def __str__(self):
        return f"{self.case}：{self.reason[:20]}"


# --- §2 Discretion benchmarks (裁量基准) ---------------------------------------------------------------


class DiscretionBenchmark(models.Model):
    """The benchmark of one matter of the powers catalogue (行政处罚法 第三十四条: set and published)."""

    power_item = models.OneToOneField(
        PowerItem, verbose_name="权责清单事项", on_delete=models.PROTECT, related_name="benchmark"
    )
    violation = models.TextField("违法行为")
    legal_basis = models.TextField("处罚依据")
    statutory_range = models.TextField("法定处罚幅度")
    no_penalty_conditions = models.TextField("不予处罚情形", blank=True)
    mitigated_conditions = models.TextField("减轻处罚情形", blank=True)
    is_active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "裁量基准"
        verbose_name_plural = "裁量基准"
        ordering = ["power_item__code"]

    def __str__(self):
        return f"{self.power_item.code} 裁量基准"


class Level(models.TextChoices):
    LENIENT = "lenient", "从轻处罚"
    ORDINARY = "ordinary", "一般处罚"
    SEVERE = "severe", "从重处罚"


class AmountBase(models.TextChoices):
    """What a multiple-based fine multiplies (货值金额, 违法所得 ...)."""

    GOODS_VALUE = "goods_value", "货值金额"
    ILLEGAL_GAINS = "illegal_gains", "违法所得"
    PURCHASE = "purchase", "进货金额"
    AD_FEE = "ad_fee", "广告费用"


class BenchmarkRange(models.Model):
    """One level of a benchmark: its conditions and its fine range, in yuan or as multiples of a base."""

    benchmark = models.ForeignKey(DiscretionBenchmark, on_delete=models.CASCADE, related_name="ranges")
    level = models.CharField("裁量阶次", max_length=10, choices=Level.choices)
    conditions = models.TextField("适用情形")
    fine_min = models.DecimalField("罚款下限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    fine_max = models.DecimalField("罚款上限（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    multiple_min = models.DecimalField("倍数下限", max_digits=6, decimal_places=2, null=True, blank=True)
    multiple_max = models.DecimalField("倍数上限", max_digits=6, decimal_places=2, null=True, blank=True)
    base = models.CharField("倍数基数", max_length=14, choices=AmountBase.choices, blank=True)
    other_penalties = models.CharField("并处或其他处罚", max_length=300, blank=True)

    class Meta:
        verbose_name = "裁量阶次"
        verbose_name_plural = "裁量阶次"
        ordering = ["benchmark", "level"]
        constraints = [
            models.UniqueConstraint(fields=["benchmark", "level"], name="legal_review_range_one_per_level"),
            models.CheckConstraint(
                condition=Q(multiple_min__isnull=True) | ~Q(base=""),
                name="legal_review_range_multiple_has_base",
            ),
        ]

    def __str__(self):
        return self.get_level_display()


# --- §3/§4 Review rounds ------------------------------------------------------------------------------


class RoundStatus(models.TextChoices):
    SUBMITTED = "submitted", "待分配审核人员"
    IN_REVIEW = "in_review", "审核中"
    APPROVED = "approved", "同意"
    RETURNED = "returned", "修改后再报"
    REFUSED = "refused", "不同意"


OPEN_STATUSES = (RoundStatus.SUBMITTED, RoundStatus.IN_REVIEW)
OUTCOMES = (RoundStatus.APPROVED, RoundStatus.RETURNED, RoundStatus.REFUSED)


class RoundKind(models.TextChoices):
    SUBMISSION = "submission", "送审"
    REVISION = "revision", "协调后重新出具意见"


class ReviewRoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_rows(self):
        """What a queue row shows: the case, its unit, the submitter and the reviewer (one joined query)."""
        return self.select_related("case", "case__handling_unit", "submitted_by", "reviewer")


class ReviewRound(RoundLifecycle, models.Model):
    """One submission of a case for legal review (送审) and its outcome. Resubmission opens a new round;
    a coordination that ends in a revised opinion opens a revision round; earlier rounds are kept."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="review_rounds")
    number = models.PositiveSmallIntegerField("轮次")
    kind = models.CharField("类型", max_length=12, choices=RoundKind.choices, default=RoundKind.SUBMISSION)
    revision_of = models.ForeignKey(
        "self",
        verbose_name="重新出具意见的轮次",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        "状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.SUBMITTED
    )
    # The package as submitted: document ids, evidence list, legal basis, discretion, hearing record.
    package = models.JSONField("送审材料", default=dict)
    proposal_hash = models.CharField("送审时拟作决定的摘要", max_length=64)
    base_amount = models.DecimalField(
        "计算基数（元）",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="按货值金额、违法所得等倍数处罚的，填写该基数以比对裁量基准。",
    )
    note = models.TextField("送审说明", blank=True)
    confirmation = models.TextField("承办单位承诺")
    submitted_by = models.ForeignKey(Staff, verbose_name="送审人", on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField("送审时间", auto_now_add=True)
    submitted_on = models.DateField("送审日期")
    due_on = models.DateField("审核期限")
    reviewer = models.ForeignKey(
        Staff,
        verbose_name="审核人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_rounds",
    )
    assigned_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField("分配时间", null=True, blank=True)
    opinion = models.TextField("审核意见", blank=True)
    crime_suspected = models.BooleanField("涉嫌犯罪，建议移送司法机关", default=False)
    prechecks = models.JSONField("系统预审结果", default=list, blank=True)
    decided_at = models.DateTimeField("审核完成时间", null=True, blank=True)
    decided_on = models.DateField("审核完成日期", null=True, blank=True)
    approved_hash = models.CharField("同意时拟作决定的摘要", max_length=64, blank=True)
    opinion_document = models.OneToOneField(
        "recording.Document",
        verbose_name="法制审核意见书",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="review_round",
    )
    history = HistoricalRecords()

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        verbose_name = "法制审核（轮次）"
        verbose_name_plural = "法制审核（轮次）"
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="legal_review_round_number_unique"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["submitted", "in_review"]),
                name="legal_review_one_open_round_per_case",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | ~Q(approved_hash=""),
                name="legal_review_approved_round_has_hash",
            ),
        ]
        indexes = [
            # Serves the reviewer's queue: open rounds by reviewer, soonest due first.
            models.Index(fields=["status", "reviewer", "due_on"], name="lr_round_queue_idx"),
        ]

    def __str__(self):
        return f"{self.case.number} 第{self.number}轮法制审核（{self.get_status_display()}）"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class CheckPoint(models.IntegerChoices):
    """The seven points of the review (docs/domain.md §3; 国办发〔2018〕118号)."""

    SUBJECT = 1, "执法主体是否合法，执法人员是否具备执法资格"
    PROCEDURE = 2, "执法程序是否合法"
    FACTS = 3, "案件事实是否清楚，证据是否合法充分"
    LAW = 4, "适用法律是否准确，裁量基准运用是否适当"
    AUTHORITY = 5, "是否超越执法机关法定权限"
    DOCUMENTS = 6, "行政执法文书是否完备、规范"
    CRIME = 7, "违法行为是否涉嫌犯罪、需要移送司法机关"


class CheckResult(models.TextChoices):
    PASS = "pass", "通过"
    PROBLEM = "problem", "存在问题"


class ChecklistItem(models.Model):
    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="checklist")
    point = models.PositiveSmallIntegerField("审核要点", choices=CheckPoint.choices)
    result = models.CharField("结论", max_length=8, choices=CheckResult.choices)
    comment = models.TextField("意见", blank=True)

    class Meta:
        verbose_name = "审核要点"
        verbose_name_plural = "审核要点"
        ordering = ["round", "point"]
        constraints = [
            models.UniqueConstraint(fields=["round", "point"], name="legal_review_point_once_per_round")
        ]
        indexes = [
            # Serves the statistics' "most common problems" count.
            models.Index(fields=["result", "point"], name="lr_checklist_problem_idx"),
        ]

    def __str__(self):
        return f"{self.point}：{self.get_result_display()}"


class AdviserKind(models.TextChoices):
    COUNSEL = "counsel", "法律顾问"
    PUBLIC_LAWYER = "public_lawyer", "公职律师"


class AdviserOpinion(models.Model):
    """A legal adviser or 公职律师 consulted within a round; their written opinion becomes part of it."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="adviser_opinions")
    kind = models.CharField("类别", max_length=14, choices=AdviserKind.choices)
    adviser = models.CharField("姓名及单位", max_length=100)
    question = models.TextField("咨询事项")
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("咨询时间", auto_now_add=True)
    opinion = models.TextField("书面意见", blank=True)
    received_on = models.DateField("收到意见日期", null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "法律顾问/公职律师意见"
        verbose_name_plural = "法律顾问/公职律师意见"
        ordering = ["round", "requested_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.adviser}"


# --- Disagreement (协调机制) and 集体讨论 ------------------------------------------------------------------


class Objection(ObjectionLifecycle, models.Model):
    """The handling unit disputes a round's opinion."""

    round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="objections")
    text = models.TextField("异议理由")
    by = models.ForeignKey(Staff, verbose_name="提出人", on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("提出时间", auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "审核意见异议"
        verbose_name_plural = "审核意见异议"
        ordering = ["round", "at"]

    def __str__(self):
        return f"对{self.round}的异议"


class CoordinationOutcome(models.TextChoices):
    REVISE_OPINION = "revise", "由审核人员重新出具审核意见"
    RESUBMIT = "resubmit", "由承办单位修改拟作决定后重新送审"


class Coordination(CoordinationLifecycle, models.Model):
    """The coordination chaired by the bureau head on an objection (协调机制). No meeting replaces a passed
    review: it ends in a revised opinion (a revision round) or a changed proposal (a new submission)."""

    objection = models.OneToOneField(Objection, on_delete=models.PROTECT, related_name="coordination")
    chair = models.ForeignKey(Staff, verbose_name="主持人", on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("协调日期")
    participants = models.TextField("参加人员")
    discussion = models.TextField("协调情况")
    conclusion = models.TextField("协调结论")
    outcome = models.CharField("处理方式", max_length=10, choices=CoordinationOutcome.choices)
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "审核分歧协调"
        verbose_name_plural = "审核分歧协调"

    def __str__(self):
        return f"协调（{self.held_on:%Y-%m-%d}）"


class CollectiveConclusion(models.TextChoices):
    AGREE = "agree", "同意拟作出的处理决定"
    AMEND = "amend", "修改拟作出的处理决定（须重新送审）"
    NO_PENALTY = "no_penalty", "不予行政处罚（须重新送审）"
    TRANSFER = "transfer", "涉嫌犯罪，移送司法机关"


class CollectiveDiscussion(CollectiveLifecycle, models.Model):
    """局负责人集体讨论 (行政处罚法 第五十七条), after the review passed; the decision follows its conclusion."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="collective_discussions")
    round = models.ForeignKey(
        ReviewRound, verbose_name="所依据的审核轮次", on_delete=models.PROTECT, related_name="discussions"
    )
    held_on = models.DateField("讨论日期")
    place = models.CharField("地点", max_length=100, blank=True)
    chair = models.ForeignKey(Staff, verbose_name="主持人", on_delete=models.PROTECT, related_name="+")
    participants = models.ManyToManyField(Staff, verbose_name="参加的局负责人", related_name="+")
    attendees = models.TextField("列席人员", blank=True)
    opinions = models.TextField("讨论意见")
    conclusion = models.CharField("结论", max_length=12, choices=CollectiveConclusion.choices)
    conclusion_text = models.TextField("结论性意见")
    proposal_hash = models.CharField(max_length=64)
    document = models.OneToOneField(
        "recording.Document",
        verbose_name="集体讨论记录",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="collective_discussion",
    )
    recorded_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "集体讨论"
        verbose_name_plural = "集体讨论"
        ordering = ["case", "recorded_at"]

    def __str__(self):
        return f"{self.case.number} 集体讨论（{self.held_on:%Y-%m-%d}）"
