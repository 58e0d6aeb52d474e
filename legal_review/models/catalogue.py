"""The catalogue of major decisions (重大执法决定目录清单, docs/domain.md §3 "Scope"), the hand-made flags and the
bureau head's referrals to 集体讨论, and the discretion benchmarks (裁量基准, 行政处罚法 第三十四条)."""

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import Case, PowerItem
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Role, Staff

from .common import lock_case, logger, require_text

# A referral to 集体讨论 is possible from 立案 until the decision (stages in the order of docs/domain.md §6).
REFERABLE_STAGES = (
    Stage.FILED,
    Stage.INVESTIGATING,
    Stage.INVESTIGATION_CONCLUDED,
    Stage.NOTIFIED,
    Stage.STATEMENT,
    Stage.LEGAL_REVIEW,
    Stage.COLLECTIVE,
)

# --- The catalogue of major decisions -------------------------------------------------------------------------


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


class MajorFlag(models.Model):
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

    @classmethod
    def add(cls, case, *, by, criterion, reason: str):
        """The handling unit marks a case major by hand, with its reason."""
        reason = require_text(reason, "请写明认定为重大执法决定的理由。")
        if not criterion.is_active:
            raise TransitionRefused("该认定标准已停用。")
        with transaction.atomic():
            lock_case(case)
            if not case.may_work_on(by):
                raise TransitionRefused("只有本案承办人员或承办单位负责人可以标记重大执法决定。")
            if cls.objects.filter(case=case, criterion=criterion, removed_at__isnull=True).exists():
                raise TransitionRefused(f"本案已按“{criterion.name}”标记，请勿重复标记。")
            flag = cls(case=case, criterion=criterion, reason=reason, flagged_by=by)
            flag._change_reason = "legal_review.flag.added"
            flag._history_user = by
            flag.save()
            record(
                "legal_review.flag.added",
                obj=case,
                actor=by,
                detail={"flag": flag.pk, "criterion": criterion.code, "reason": reason},
            )
        return flag

    def remove(self, *, by, reason: str):
        """Removing a flag needs the bureau head and a reason; it is logged and the row kept."""
        reason = require_text(reason, "请写明撤销标记的理由。")
        if not by.has_role(Role.BUREAU_HEAD):
            raise TransitionRefused("撤销重大执法决定标记须由局负责人决定。")
        with transaction.atomic():
            flag = MajorFlag.objects.select_for_update().get(pk=self.pk)
            if flag.removed_at:
                raise TransitionRefused("该标记已撤销。")
            flag.removed_at = timezone.now()
            flag.removed_by = by
            flag.removal_reason = reason
            flag._change_reason = "legal_review.flag.removed"
            flag._history_user = by
            flag.save(update_fields=["removed_at", "removed_by", "removal_reason"])
            record(
                "legal_review.flag.removed",
                obj=flag.case,
                actor=by,
                detail={"flag": flag.pk, "criterion": flag.criterion.code, "reason": reason},
            )
        self.removed_at, self.removed_by, self.removal_reason = flag.removed_at, by, reason
        return flag


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

    @classmethod
    def refer(cls, case, *, by, reason: str):
        """The bureau head sends the case to the bureau heads' 集体讨论 (行政处罚法 第五十七条: 情节复杂或者重大违法
        行为) although no criterion of the catalogue requires it. Only before the decision: the case is locked
        and its stage read under the lock, so a case that moves on meanwhile is refused; once per case."""
        reason = require_text(reason, "请写明提交集体讨论的理由。")
        if not by.has_role(Role.BUREAU_HEAD):
            logger.warning("collective referral refused to %s on case %s: not a bureau head", by.pk, case.pk)
            raise TransitionRefused("提交局负责人集体讨论须由局负责人决定。")
        with transaction.atomic():
            locked = lock_case(case)
            if locked.stage not in REFERABLE_STAGES:
                logger.info("collective referral refused on case %s at stage %s", case.pk, locked.stage)
                raise TransitionRefused(
                    f"案件当前处于“{locked.get_stage_display()}”阶段；提交集体讨论须在立案后、作出处罚决定之前。"
                )
            if cls.objects.filter(case=locked).exists():
                raise TransitionRefused("本案已决定提交局负责人集体讨论。")
            referral = cls.objects.create(case=locked, reason=reason, by=by)
            record(
                "legal_review.collective.referred",
                obj=locked,
                actor=by,
                detail={"referral": referral.pk, "reason": reason},
            )
        return referral


# --- Discretion benchmarks (裁量基准) ---------------------------------------------------------------


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
