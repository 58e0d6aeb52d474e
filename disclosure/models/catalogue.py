"""事前公开 (docs/domain.md §1): the structured content admins maintain in /admin/ — enforcement subjects,
the random-inspection list, procedures with their flowchart steps, service guides, supervision and remedy
channels. Every change is kept by simple-history ("动态调整"); nothing is deleted: an item leaves the public
pages when "公开" is unticked (which also dates the page)."""

from django.db import models
from django.db.models import Max
from simple_history.models import HistoricalRecords


class PublicQuerySet(models.QuerySet):
    def public(self):
        return self.filter(is_public=True)

    def last_updated(self):
        """When this kind of content last changed (hidden items count: hiding one changes the page)."""
        return self.aggregate(last=Max("updated_at"))["last"]


class PublicContent(models.Model):
    order = models.PositiveSmallIntegerField("排序", default=0)
    is_public = models.BooleanField("公开", default=True, help_text="取消勾选即从公示网站撤下（不删除）。")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True


class EnforcementSubject(PublicContent):
    """执法主体: the bureau (the legal enforcement subject) and its units, with legal basis and contacts.
    Address and phone fall back to the roster unit's."""

    name = models.CharField("名称", max_length=100)
    unit = models.OneToOneField(
        "roster.Unit",
        verbose_name="对应单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="public_subject",
        help_text="本局本身不选；股室队所选对应的单位。",
    )
    nature = models.CharField("性质", max_length=50, help_text="如：行政执法主体、内设机构、派出机构")
    legal_basis = models.TextField("设立及执法依据")
    duties = models.TextField("主要职责", blank=True)
    address = models.CharField("地址", max_length=200, blank=True, help_text="不填则用单位的地址。")
    phone = models.CharField("电话", max_length=40, blank=True, help_text="不填则用单位的电话。")
    office_hours = models.CharField("办公时间", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "执法主体"
        verbose_name_plural = "执法主体"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def shown_address(self) -> str:
        return self.address or (self.unit.address if self.unit else "")

    @property
    def shown_phone(self) -> str:
        return self.phone or (self.unit.phone if self.unit else "")


# The 随机抽查事项清单 lives in inspection (inspection.models.InspectionItem, the 检查事项 list); the public page
# (views/catalogue.py inspections) shows its 双随机 items: disclosure may read inspection (docs/architecture.md).


class Procedure(PublicContent):
    """执法流程: ordered steps from which the flowchart (执法流程图) is drawn as SVG."""

    title = models.CharField("流程名称", max_length=100)
    category = models.CharField("类别", max_length=50, help_text="如：行政处罚、行政强制、行政检查")
    summary = models.TextField("说明", blank=True)
    basis = models.TextField("依据")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "执法流程"
        verbose_name_plural = "执法流程"
        ordering = ["order", "title"]

    def __str__(self):
        return self.title


class ProcedureStep(models.Model):
    procedure = models.ForeignKey(
        Procedure, verbose_name="流程", on_delete=models.PROTECT, related_name="steps"
    )
    order = models.PositiveSmallIntegerField("顺序")
    name = models.CharField("环节", max_length=50)
    actor = models.CharField("承办", max_length=100)
    time_limit = models.CharField("时限", max_length=100, blank=True)
    basis = models.CharField("依据", max_length=200, blank=True)
    is_active = models.BooleanField(
        "在用", default=True, help_text="取消勾选即从流程图中去掉该环节（不删除）。"
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "流程环节"
        verbose_name_plural = "流程环节"
        ordering = ["procedure", "order", "pk"]

    def __str__(self):
        return f"{self.order}. {self.name}"


class ServiceGuide(PublicContent):
    """服务指南: for each matter its accepting body, conditions, materials, time limit, fee, basis, place."""

    name = models.CharField("事项名称", max_length=200)
    accepting_body = models.CharField("受理机构", max_length=100)
    basis = models.TextField("设定依据")
    conditions = models.TextField("办理条件")
    materials = models.TextField("申请材料", help_text="每行一项。")
    time_limit = models.CharField("办理时限", max_length=200)
    fee = models.CharField("收费标准", max_length=100, default="不收费")
    place = models.CharField("办理地点", max_length=200)
    phone = models.CharField("咨询电话", max_length=40)
    hours = models.CharField("办理时间", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "服务指南"
        verbose_name_plural = "服务指南"
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    @property
    def material_list(self) -> list[str]:
        return [line.strip() for line in self.materials.splitlines() if line.strip()]


class ChannelKind(models.TextChoices):
    SUPERVISION = "supervision", "监督方式"
    COMPLAINT = "complaint", "投诉举报渠道"
    REMEDY = "remedy", "救济渠道（复议、诉讼受理地点）"


class Channel(PublicContent):
    """A supervision method, a complaint/report channel, or where a remedy is filed. The remedy periods
    themselves come from cases.RuleSettings (行政复议法 第二十条; 行政诉讼法 第四十六条)."""

    kind = models.CharField("类别", max_length=12, choices=ChannelKind.choices)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True)
    phone = models.CharField("电话", max_length=40, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    website = models.CharField("网址", max_length=200, blank=True)
    hours = models.CharField("受理时间", max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "监督、投诉与救济渠道"
        verbose_name_plural = "监督、投诉与救济渠道"
        ordering = ["kind", "order", "name"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"
