"""The bureau's editable rule parameters (docs/domain.md): one row, every change kept in history."""

from decimal import Decimal

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords


class RuleSettings(models.Model):
    """The bureau's editable rule parameters: one row (pk=1), defaults from docs/domain.md. Pages that use a
    value say so; every change is kept in history."""

    remedy_review_body = models.CharField("行政复议机关", max_length=100, default="武定县人民政府")
    remedy_review_days = models.PositiveSmallIntegerField("申请行政复议期限（日）", default=60)
    remedy_court = models.CharField("行政诉讼管辖法院", max_length=100, default="武定县人民法院")
    remedy_litigation_months = models.PositiveSmallIntegerField("提起行政诉讼期限（月）", default=6)
    publication_working_days = models.PositiveSmallIntegerField(
        "处罚决定公示期限（工作日）",
        default=7,
        help_text="国办发〔2018〕118号为7个工作日；总局令第45号为20个工作日。",
    )
    withdrawal_working_days = models.PositiveSmallIntegerField("撤回公示期限（工作日）", default=3)
    publication_short_months = models.PositiveSmallIntegerField("较轻处罚公示期（月）", default=3)
    publication_long_years = models.PositiveSmallIntegerField("其他处罚公示期（年）", default=3)
    publication_low_fine_threshold = models.DecimalField(
        "较轻处罚罚款上限（元）",
        max_digits=12,
        decimal_places=2,
        default=Decimal("10000.00"),
        help_text="通报批评或罚款低于该数额的，公示期为较轻处罚公示期（总局令第45号 第十三条）。",
    )
    mask_person_party_name = models.BooleanField("公示时隐去自然人当事人姓名（张某）", default=False)
    review_working_days = models.PositiveSmallIntegerField("法制审核期限（工作日）", default=10)
    major_fine_person = models.DecimalField(
        "重大执法决定：自然人罚款（元）", max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    major_fine_organisation = models.DecimalField(
        "重大执法决定：单位罚款（元）", max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    hearing_fine_person = models.DecimalField(
        "听证：自然人较大数额罚款（元）", max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    hearing_fine_organisation = models.DecimalField(
        "听证：单位较大数额罚款（元）", max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    hearing_confiscation_person = models.DecimalField(
        "听证：自然人没收较大数额（元）", max_digits=12, decimal_places=2, default=Decimal("10000.00")
    )
    hearing_confiscation_organisation = models.DecimalField(
        "听证：单位没收较大数额（元）", max_digits=12, decimal_places=2, default=Decimal("100000.00")
    )
    simple_fine_person = models.DecimalField(
        "简易程序：自然人罚款上限（元）", max_digits=12, decimal_places=2, default=Decimal("200.00")
    )
    simple_fine_organisation = models.DecimalField(
        "简易程序：单位罚款上限（元）", max_digits=12, decimal_places=2, default=Decimal("3000.00")
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "办案规则参数"
        verbose_name_plural = "办案规则参数"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="cases_rulesettings_single_row")]

    def __str__(self):
        return "办案规则参数"

    @classmethod
    def current(cls) -> "RuleSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj
