"""The published lists of 行政检查 (国办发〔2024〕54号, docs/domain.md §7): 行政检查主体, 检查事项 (each from the
权责清单, with its 检查表单 and its yearly cap per enterprise by risk class) and the rule parameters an admin
edits. Every change is kept by simple-history ("动态调整"); nothing is deleted — an item leaves the public
pages when "公开" is unticked.

The 检查事项 model is the former 随机抽查事项清单 of the public site (disclosure.RandomInspectionItem), moved
here with its rows and history (migration inspection 0001, disclosure 0002): one list, not two.
"""

import datetime

from django.db import models
from django.db.models import Max, Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.cases.models import PowerItem, PowerKind


class PublishedQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def last_updated(self):
        """When this list last changed (hidden rows count: hiding one changes the page)."""
        return self.aggregate(last=Max("updated_at"))["last"]


class RiskClass(models.TextChoices):
    """分级分类: the entity's risk class decides its yearly cap and its share of a draw."""

    A = "A", "A级（低风险）"
    B = "B", "B级（一般风险）"
    C = "C", "C级（较高风险）"
    D = "D", "D级（高风险）"


class CreditClass(models.TextChoices):
    """企业信用风险分类 (SAMR): kept beside the risk class for 分级分类 and the statistics."""

    A = "A", "A类（信用风险低）"
    B = "B", "B类（信用风险一般）"
    C = "C", "C类（信用风险较高）"
    D = "D", "D类（信用风险高）"


class InspectionMode(models.TextChoices):
    RANDOM = "random", "双随机抽查"
    KEY = "key", "重点检查"
    SPECIAL = "special", "专项检查"
    CASE = "case", "个案检查"


# Defaults of the discipline shown to the enterprise on the 检查码 page and in the 检查通知书. The official
# wording of 国办发〔2024〕54号 is the 政策法规股's to check: the text is a setting (InspectionSettings).
DEFAULT_DISCIPLINE = """五个严禁（国办发〔2024〕54号）：
1. 严禁违规以观摩、督导、考核、评比等名义变相开展行政检查；
2. 严禁随意扩大检查范围、改变检查内容；
3. 严禁在检查中推销产品、指定服务、收受财物；
4. 严禁为获取罚没收入而实施检查；
5. 严禁滥用职权、以权谋私。
八个不得：
1. 不得干扰企业正常生产经营活动；
2. 不得要求企业提供与检查无关的材料；
3. 不得泄露企业商业秘密和个人信息；
4. 不得要求企业提供接待或者报销费用；
5. 不得违法查封、扣押企业财物；
6. 不得重复检查、多头检查；
7. 不得要求企业参加与检查无关的会议、活动；
8. 不得由不具备执法资格的人员实施检查。"""


class InspectionSettings(models.Model):
    """The rule parameters of 行政检查 that vary by province or may change (docs/domain.md §7): one row
    (pk=1), defaults from the domain notes; every change is kept in history."""

    plan_publish_month = models.PositiveSmallIntegerField(
        "年度检查计划公布期限（月）", default=3, help_text="本省规定：年度检查计划于每年3月底前公布。"
    )
    plan_publish_day = models.PositiveSmallIntegerField("年度检查计划公布期限（日）", default=31)
    result_working_days = models.PositiveSmallIntegerField(
        "检查结果公示期限（工作日）",
        default=20,
        help_text="国发〔2019〕5号：抽查检查结果自形成之日起20个工作日内公示（抽样检验的，自检验报告出具之日起）。",
    )
    frequent_days = models.PositiveSmallIntegerField(
        "重复检查预警间隔（日）",
        default=30,
        help_text="同一企业在该天数内被再次检查（整改复查除外）的，标记为重复检查，供监督检查使用。",
    )
    discipline = models.TextField("五个严禁、八个不得", default=DEFAULT_DISCIPLINE)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "行政检查规则参数"
        verbose_name_plural = "行政检查规则参数"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="inspection_settings_single_row")]

    def __str__(self):
        return "行政检查规则参数"

    @classmethod
    def current(cls) -> "InspectionSettings":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def plan_due(self, year: int) -> datetime.date:
        """The last day to publish the year's annual plan (clamped to the month's length)."""
        month = min(max(self.plan_publish_month, 1), 12)
        for day in range(min(self.plan_publish_day, 31), 0, -1):
            try:
                return datetime.date(year, month, day)
            except ValueError:
                continue
        return datetime.date(year, month, 1)


class InspectionSubject(models.Model):
    """行政检查主体: only lawful subjects inspect (国办发〔2024〕54号 一): the bureau, and the units that act in
    its name, each with its legal basis."""

    name = models.CharField("名称", max_length=100)
    nature = models.CharField(
        "主体性质", max_length=50, help_text="如：行政执法机关、以本局名义实施检查的内设机构或派出机构"
    )
    legal_basis = models.TextField("主体资格依据")
    scope = models.TextField("检查范围", blank=True)
    unit = models.ForeignKey(
        "roster.Unit",
        verbose_name="对应单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_subjects",
    )
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_public = models.BooleanField("公开", default=True, help_text="取消勾选即从公示网站撤下（不删除）。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = "行政检查主体"
        verbose_name_plural = "行政检查主体"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class EntityCategory(models.Model):
    """A kind of market entity a 检查事项 applies to (食品经营者, 特种设备使用单位 …): the 名录库 rows carry
    their categories, a draw takes the entities of its item's category."""

    name = models.CharField("类别名称", max_length=50, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查对象类别"
        verbose_name_plural = "检查对象类别"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class InspectionItem(models.Model):
    """检查事项 ("清单之外无检查"): an item of the 权责清单 (行政检查) with its legal basis, the entities it applies
    to, how it is inspected (双随机/重点/专项/个案), its 检查表单 and its yearly cap per enterprise.

    The fields code … unit are those of the former 随机抽查事项清单 (the public page reads them unchanged)."""

    code = models.CharField("编码", max_length=30, unique=True)
    field = models.CharField(
        "领域", max_length=30, help_text="与执法证件的执法类别一致（如：食品安全），决定谁可以检查。"
    )
    item = models.CharField("检查事项", max_length=200)
    target = models.CharField("检查对象", max_length=200)
    basis = models.TextField("检查依据")
    method = models.CharField("检查方式", max_length=100, help_text="如：现场检查、书面检查、网络监测")
    ratio = models.CharField("抽查比例和频次", max_length=100)
    unit = models.ForeignKey(
        "roster.Unit",
        verbose_name="实施单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_items",
    )
    power_item = models.ForeignKey(
        PowerItem,
        verbose_name="对应权责清单事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspection_items",
        limit_choices_to={"kind": PowerKind.INSPECTION},
        help_text="检查事项须来自权责清单中的行政检查事项；未关联的事项不能用于检查。",
    )
    subject = models.ForeignKey(
        InspectionSubject,
        verbose_name="检查主体",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    mode = models.CharField(
        "检查类型", max_length=10, choices=InspectionMode.choices, default=InspectionMode.RANDOM
    )
    category = models.ForeignKey(
        EntityCategory,
        verbose_name="名录库对象类别",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
        help_text="双随机抽取从名录库中该类别的市场主体中抽取。",
    )
    standard = models.TextField("检查标准", blank=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_public = models.BooleanField("公开", default=True, help_text="取消勾选即从公示网站撤下（不删除）。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = PublishedQuerySet.as_manager()

    class Meta:
        verbose_name = "检查事项"
        verbose_name_plural = "检查事项清单"
        ordering = ["order", "code"]

    def __str__(self):
        return f"{self.code} {self.item}"

    def usable_problems(self) -> list[str]:
        """清单之外无检查 (国办发〔2024〕54号 三): an inspection names a published item drawn from the 权责清单."""
        problems = []
        if not self.is_public:
            problems.append(f"检查事项“{self.item}”未公布，清单之外不得实施检查。")
        if self.power_item_id is None or self.power_item.kind != PowerKind.INSPECTION:
            problems.append(f"检查事项“{self.item}”未关联权责清单中的行政检查事项，不得据以实施检查。")
        return problems

    def cap_for(self, risk_class: str):
        """The published yearly cap of in-cap inspections of one enterprise of `risk_class`, or None."""
        for cap in self.caps.all():
            if cap.risk_class == risk_class:
                return cap.per_year
        return None


class ChecklistEntry(models.Model):
    """One line of the item's 检查表单 (一表通查): what the officers check and against which standard; the
    现场检查笔录 records a result for every active line."""

    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="checklist")
    order = models.PositiveSmallIntegerField("序号", default=0)
    text = models.CharField("检查内容", max_length=300)
    standard = models.CharField("检查标准或依据", max_length=300, blank=True)
    is_active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查表单项"
        verbose_name_plural = "检查表单"
        ordering = ["item", "order", "pk"]

    def __str__(self):
        return self.text


class FrequencyCap(models.Model):
    """The published yearly cap of inspections of one enterprise under one item, by risk class (国办发〔2024〕
    54号 四: 分级分类, 同一企业年度检查频次上限). 个案检查, licence site checks and follow-ups are outside it."""

    item = models.ForeignKey(InspectionItem, on_delete=models.PROTECT, related_name="caps")
    risk_class = models.CharField("风险等级", max_length=1, choices=RiskClass.choices)
    per_year = models.PositiveSmallIntegerField("每年最多检查（次）")
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "检查频次上限"
        verbose_name_plural = "检查频次上限"
        ordering = ["item", "risk_class"]
        constraints = [
            models.UniqueConstraint(fields=["item", "risk_class"], name="inspection_cap_one_per_class")
        ]

    def __str__(self):
        return f"{self.get_risk_class_display()}：每年不超过{self.per_year}次"
