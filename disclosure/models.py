"""Models of the public site (行政执法公示)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

# --- 事前公开 (pre-enforcement) ---
# Structured content the admins maintain in /admin/; every change is kept by simple-history ("动态调整").
# Nothing is deleted: an item leaves the public pages when "公开" is unticked (which also dates the page).


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
# (views.inspections) still shows its 双随机 items: disclosure may read inspection (docs/architecture.md).


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


# --- 年度统计 (statistics) ---


# The previous year's statistics are published by this day (month, day) of the following year.
ANNUAL_REPORT_DUE = (1, 31)
# The staff side starts warning this many days before the due date.
ANNUAL_REPORT_WARN_DAYS = 31


class AnnualReport(models.Model):
    """年度行政执法数据: figures the portal does not hold are entered here (marked as entered on the page);
    the rest is computed (disclosure/statistics.py). Publishing freezes the figures as of that day."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    licensing = models.PositiveIntegerField("行政许可（件，填报）", default=0)
    expropriation = models.PositiveIntegerField("行政征收（件，填报）", default=0)
    requisition = models.PositiveIntegerField("行政征用（件，填报）", default=0)
    inspections_outside_cases = models.PositiveIntegerField(
        "案件以外的行政检查（次，填报）", default=0, help_text="如“双随机、一公开”抽查、日常监督检查。"
    )
    note = models.TextField("说明", blank=True)
    figures = models.JSONField("发布时的数据", default=dict, blank=True, editable=False)
    published_on = models.DateField("发布日期", null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "年度行政执法统计"
        verbose_name_plural = "年度行政执法统计"
        ordering = ["-year"]
        permissions = [("publish_annualreport", "发布年度行政执法统计")]
        constraints = [
            models.CheckConstraint(
                condition=Q(published_on__isnull=True) | Q(published_by__isnull=False),
                name="disclosure_annualreport_published_by_someone",
            )
        ]

    def __str__(self):
        return f"{self.year}年度行政执法统计"

    @property
    def is_published(self) -> bool:
        return self.published_on is not None

    @property
    def due_on(self) -> datetime.date:
        return datetime.date(self.year + 1, *ANNUAL_REPORT_DUE)

    def clean(self):
        if self.pk and self.is_published:
            raise ValidationError("该年度统计已发布，数据不能再修改。")
        if self.year and self.year > timezone.localdate().year:
            raise ValidationError({"year": "不能为未来年度填报统计。"})

    def publish(self, *, by, on: datetime.date | None = None) -> None:
        """Publish the year's report: freeze the computed and entered figures as of `on` (国办发〔2018〕118号:
        the previous year's statistics are published by 31 January). Only a finished year; only once."""
        from django.db import transaction

        from wuding_enforcement.audit.api import record

        from .statistics import compute_year

        on = on or timezone.localdate()
        with transaction.atomic():
            report = type(self).objects.select_for_update().get(pk=self.pk)
            if report.is_published:
                when = report.published_on
                raise ValidationError(
                    f"{report.year}年度统计已于{when.year}年{when.month}月{when.day}日发布。"
                )
            if on.year <= report.year:
                raise ValidationError(f"{report.year}年度尚未结束，不能发布全年统计。")
            report.figures = compute_year(report.year, report=report).to_json()
            report.published_on = on
            report.published_by = by
            report._change_reason = "disclosure.annual_report.published"
            report._history_user = by
            report.save(update_fields=["figures", "published_on", "published_by", "updated_at"])
            record(
                "disclosure.annual_report.published",
                obj=report,
                actor=by,
                detail={"year": report.year, "published_on": on.isoformat(), "late": on > report.due_on},
            )
        for name in ("figures", "published_on", "published_by"):
            setattr(self, name, getattr(report, name))


# --- 事后公开 (publication) ---
# A publication of a 行政处罚决定书 (总局令第45号): opened automatically as a draft when the decision is issued
# (disclosure/publication.py), reviewed and published by staff, withdrawn or ended but never deleted. The
# summary fields are copied at draft time so the public pages read one table; `original_text` (the issued
# text) and Redaction.original are staff-only; the public sees `published_text` only.


class PublicationStatus(models.TextChoices):
    DRAFT = "draft", "待审核"
    PUBLISHED = "published", "公示中"
    WITHDRAWN = "withdrawn", "已撤回"
    ENDED = "ended", "公示已结束"
    NOT_PUBLISHED = "not_published", "不予公示"


class WithdrawalKind(models.TextChoices):
    """行政处罚法 第四十八条 第二款; 总局令第45号 第十一条."""

    CHANGED = "changed", "处罚决定被依法变更"
    REVOKED = "revoked", "处罚决定被依法撤销"
    ILLEGAL = "illegal", "处罚决定被确认违法"
    VOID = "void", "处罚决定被确认无效"


class EndKind(models.TextChoices):
    EXPIRED = "expired", "公示期满"
    EARLY = "early", "依申请提前停止公示"


# Shown in the public list: published ones and withdrawn ones (marked 已撤回 with the reason), until the end
# of their publication period.
LISTED_STATUSES = (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN)
# Reachable by a (possibly stale) public link: anything that was once published.
ONCE_PUBLISHED = (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN, PublicationStatus.ENDED)


class PublicationQuerySet(models.QuerySet):
    def listed(self, today: datetime.date | None = None):
        """The public list: published or withdrawn, and the publication period not over. The end date is
        filtered here, so an expired item leaves the list on time even where no scheduler runs."""
        today = today or timezone.localdate()
        return self.filter(status__in=LISTED_STATUSES, ends_on__gt=today)

    def current(self, today: datetime.date | None = None):
        """Currently published (the feed, the open data): withdrawn and expired items are not in it."""
        today = today or timezone.localdate()
        return self.filter(status=PublicationStatus.PUBLISHED, ends_on__gt=today)

    def once_published(self):
        return self.filter(status__in=ONCE_PUBLISHED)

    def expired_unrecorded(self, today: datetime.date | None = None):
        today = today or timezone.localdate()
        return self.filter(status=PublicationStatus.PUBLISHED, ends_on__lte=today)

    def reviewable_by(self, user):
        """Publications this user may review, publish, withdraw or end: admins and bureau heads all, a
        unit head those of the unit's cases. Officers never publish their own cases' decisions."""
        from wuding_enforcement.roster.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.ADMIN, Role.BUREAU_HEAD):
            return self
        if user.has_role(Role.UNIT_HEAD):
            return self.filter(case__handling_unit__head=user)
        return self.none()


class Publication(models.Model):
    """行政处罚信息公示 of one 行政处罚决定书 (总局令第45号 第六条、第七条; 国办发〔2018〕118号)."""

    document = models.OneToOneField(
        "recording.Document", verbose_name="处罚决定书", on_delete=models.PROTECT, related_name="publication"
    )
    case = models.ForeignKey(
        "cases.Case", verbose_name="案件", on_delete=models.PROTECT, related_name="publications"
    )
    status = models.CharField(
        "状态", max_length=14, choices=PublicationStatus.choices, default=PublicationStatus.DRAFT
    )
    # The summary (决定书文号, 当事人, 违法行为类型, 处罚内容, 机关, 日期).
    document_number = models.CharField("决定书文号", max_length=60)
    party_name = models.CharField("当事人", max_length=200, help_text="按设置可能隐去自然人姓名（张某）")
    party_kind = models.CharField("当事人类型", max_length=12)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人（负责人/经营者）", max_length=50, blank=True)
    violation_type = models.CharField("违法行为类型", max_length=200)
    penalty_content = models.TextField("处罚内容")
    penalty_types = models.JSONField("处罚种类", default=list)
    fine_amount = models.DecimalField("罚款金额", max_digits=14, decimal_places=2, null=True, blank=True)
    authority = models.CharField("处罚机关", max_length=100)
    unit = models.ForeignKey(
        "roster.Unit", verbose_name="承办单位", on_delete=models.PROTECT, related_name="publications"
    )
    unit_name = models.CharField("承办单位名称", max_length=100)
    decided_on = models.DateField("处罚决定日期")
    # Texts: the issued one (staff only) and the redacted one the public reads.
    original_text = models.TextField("决定书原文", editable=False)
    published_text = models.TextField("公示文本", blank=True, editable=False)
    # Clock.
    due_on = models.DateField("公示期限", help_text="处罚决定作出之日起的公示期限（工作日，见办案规则参数）")
    served_on = models.DateField("送达日期", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="签发人", on_delete=models.PROTECT, related_name="+"
    )
    published_at = models.DateTimeField("公示时间", null=True, blank=True)
    published_on = models.DateField("公示日期", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="审核发布人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ends_on = models.DateField("公示截止（不含）", null=True, blank=True)
    withdrawn_at = models.DateTimeField("撤回时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_kind = models.CharField(
        "撤回原因类别", max_length=10, choices=WithdrawalKind.choices, blank=True
    )
    withdrawal_reason = models.TextField("撤回理由", blank=True)
    withdrawal_event_on = models.DateField("决定被变更/撤销/确认违法或无效的日期", null=True, blank=True)
    ended_at = models.DateTimeField("结束公示时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    end_kind = models.CharField("结束方式", max_length=10, choices=EndKind.choices, blank=True)
    end_reason = models.TextField("结束说明", blank=True)
    early_end_confirmations = models.JSONField("提前停止公示的条件确认", default=dict, blank=True)
    not_published_reason = models.TextField("不予公示理由", blank=True)
    # Tagged 2-character shingles of the searchable summary fields (p=party, v=violation, n=number),
    # separated by spaces; PostgreSQL indexes string_to_array() of it with GIN (migration 0002 of this
    # section): pg_trgm indexes nothing under 3 characters, and Chinese searches are often 2 characters.
    search_grams = models.TextField(blank=True, editable=False)
    history = HistoricalRecords(excluded_fields=["original_text", "published_text", "search_grams"])

    objects = PublicationQuerySet.as_manager()

    class Meta:
        verbose_name = "行政处罚决定公示"
        verbose_name_plural = "行政处罚决定公示"
        ordering = ["-published_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False, ends_on__isnull=False),
                name="disclosure_publication_published_has_dates",
            ),
            models.CheckConstraint(
                condition=~Q(status="withdrawn") | ~Q(withdrawal_reason=""),
                name="disclosure_publication_withdrawn_has_reason",
            ),
        ]
        indexes = [
            # Serves the public list (listed(): status and end date), newest publication first.
            models.Index(
                fields=["-published_on", "-id"],
                condition=Q(status__in=["published", "withdrawn"]),
                name="disclosure_pub_listed_idx",
            ),
            # Serves the public list's COUNT (listed(): status and end date) as an index-only scan.
            models.Index(
                fields=["ends_on"],
                condition=Q(status__in=["published", "withdrawn"]),
                name="disclosure_pub_listed_end_idx",
            ),
            # Serves the periodic expiry task and the open data (status, end date).
            models.Index(fields=["status", "ends_on"], name="disclosure_pub_status_end_idx"),
            # Serves the staff list: open drafts by their deadline.
            models.Index(fields=["status", "due_on"], name="disclosure_pub_status_due_idx"),
        ]

    def __str__(self):
        return f"{self.document_number} {self.party_name}"


class RedactionSource(models.TextChoices):
    AUTO = "auto", "自动识别"
    REVIEWER = "reviewer", "审核人员添加"


class Redaction(models.Model):
    """One redacted span of the issued text (总局令第45号 第七条: every redaction is logged). Positions are in
    Publication.original_text; `original` is what was hidden (staff only). Removing a redaction keeps the row
    with who removed it and why."""

    publication = models.ForeignKey(Publication, on_delete=models.PROTECT, related_name="redactions")
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    kind = models.CharField("类别", max_length=14)
    original = models.TextField("原文")
    replacement = models.CharField("替换为", max_length=40)
    source = models.CharField("来源", max_length=10, choices=RedactionSource.choices)
    created_at = models.DateTimeField("添加时间", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removed_at = models.DateTimeField("取消时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    removal_reason = models.CharField("取消理由", max_length=200, blank=True)

    class Meta:
        verbose_name = "公示隐去记录"
        verbose_name_plural = "公示隐去记录"
        ordering = ["publication", "start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=models.F("start")), name="disclosure_redaction_nonempty"
            )
        ]

    def __str__(self):
        return f"{self.start}-{self.end} {self.kind}"

    @property
    def is_active(self) -> bool:
        return self.removed_at is None

    @property
    def kind_label(self) -> str:
        from .redaction import KIND_LABELS

        return KIND_LABELS.get(self.kind, self.kind)


class ErrorReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ANSWERED = "answered", "已答复"


class ErrorReport(models.Model):
    """纠错: anyone may report an error in published information; staff answer it (国办发〔2018〕118号:
    公示信息的审核、纠错机制). The reporter follows it by its code; the IP is kept only as a hash."""

    publication = models.ForeignKey(
        Publication, verbose_name="公示信息", on_delete=models.PROTECT, related_name="error_reports"
    )
    code = models.CharField("查询码", max_length=12, unique=True)
    name = models.CharField("称呼", max_length=50, blank=True)
    contact = models.CharField("联系方式", max_length=100, blank=True)
    content = models.TextField("反映的问题")
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    ip_hash = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        "状态", max_length=10, choices=ErrorReportStatus.choices, default=ErrorReportStatus.OPEN
    )
    reply = models.TextField("答复", blank=True)
    corrected = models.BooleanField("已更正公示信息", default=False)
    replied_at = models.DateTimeField("答复时间", null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["ip_hash"])

    class Meta:
        verbose_name = "公示信息纠错"
        verbose_name_plural = "公示信息纠错"
        ordering = ["-created_at"]
        indexes = [
            # Serves the staff list of open reports.
            models.Index(fields=["status", "created_at"], name="disclosure_errreport_open_idx"),
        ]

    def __str__(self):
        return f"{self.code}（{self.get_status_display()}）"


# --- 报送国家企业信用信息公示系统 (credit-system export) ---
# Published penalty information also goes to the enterprise credit publicity system (总局令第45号 第二条、
# 第六条). Staff download the decisions published in a period as a file (disclosure/credit.py); every
# exported row is kept with a snapshot of the fields as exported, so the system knows which decisions were
# sent when, reports a later withdrawal or correction once, and serves a past file again byte for byte.


class CreditLineKind(models.TextChoices):
    NEW = "new", "新增"
    CORRECTED = "corrected", "更正"
    WITHDRAWN = "withdrawn", "撤回"
    STOPPED = "stopped", "停止公示"


class CreditExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel（XLSX）"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"


class CreditExportQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Exports this user may see and download again: admins and bureau heads all; a unit head those
        holding only publications the unit head reviews (an export never holds nothing, see credit.py)."""
        from wuding_enforcement.roster.models import Role

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.has_role(Role.ADMIN, Role.BUREAU_HEAD):
            return self
        if not user.has_role(Role.UNIT_HEAD):
            return self.none()
        reviewable = Publication.objects.reviewable_by(user).values("pk")
        outside = CreditExportLine.objects.filter(export=models.OuterRef("pk")).exclude(
            publication__in=reviewable
        )
        return self.exclude(models.Exists(outside))


class CreditExport(models.Model):
    """One export to the credit system: the rows it holds (CreditExportLine) and its files
    (CreditExportFile), kept as generated."""

    created_at = models.DateTimeField("导出时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.PROTECT, related_name="+"
    )
    period_from = models.DateField("公示日期从")
    period_to = models.DateField("公示日期至")
    scope = models.CharField("报送范围", max_length=200)
    format = models.CharField("导出时下载的格式", max_length=4, choices=CreditExportFormat.choices)
    new_count = models.PositiveIntegerField("新增", default=0)
    corrected_count = models.PositiveIntegerField("更正", default=0)
    withdrawn_count = models.PositiveIntegerField("撤回", default=0)
    stopped_count = models.PositiveIntegerField("停止公示", default=0)
    file_hashes = models.JSONField("文件SHA-256", default=dict, help_text="每种格式文件的SHA-256")

    objects = CreditExportQuerySet.as_manager()

    class Meta:
        verbose_name = "信用信息报送"
        verbose_name_plural = "信用信息报送"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_from__lte=models.F("period_to")),
                name="disclosure_creditexport_period_ordered",
            )
        ]

    def __str__(self):
        return f"信用信息报送第{self.pk}批（{self.period_from:%Y-%m-%d}至{self.period_to:%Y-%m-%d}）"

    @property
    def row_count(self) -> int:
        return self.new_count + self.corrected_count + self.withdrawn_count + self.stopped_count


class CreditExportLine(models.Model):
    """One row of an export: a publication's fields as exported (`snapshot`, the public redacted values)
    and its hash, which the next export compares with the current values to find corrections."""

    export = models.ForeignKey(
        CreditExport, verbose_name="报送批次", on_delete=models.PROTECT, related_name="lines"
    )
    publication = models.ForeignKey(
        Publication, verbose_name="公示信息", on_delete=models.PROTECT, related_name="credit_lines"
    )
    position = models.PositiveIntegerField("行号")
    sequence = models.PositiveSmallIntegerField("该公示的第几次报送")
    kind = models.CharField("记录类型", max_length=10, choices=CreditLineKind.choices)
    snapshot = models.JSONField("报送内容")
    snapshot_hash = models.CharField("报送内容SHA-256", max_length=64)
    changed_on = models.DateField("变动日期", null=True, blank=True)
    note = models.TextField("变动说明", blank=True)

    class Meta:
        verbose_name = "信用信息报送记录"
        verbose_name_plural = "信用信息报送记录"
        ordering = ["export", "position"]
        constraints = [
            # Two exports racing for the same change both write sequence n for the publication: the second
            # fails here, so no decision and no change is ever exported twice. Its index also serves the
            # "last exported line of each publication" lookup (credit.plan).
            models.UniqueConstraint(
                fields=["publication", "sequence"], name="disclosure_creditline_once_per_change"
            ),
            models.UniqueConstraint(
                fields=["publication"],
                condition=Q(kind="new"),
                name="disclosure_creditline_new_once",
            ),
            models.UniqueConstraint(
                fields=["export", "position"], name="disclosure_creditline_position_unique"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.snapshot.get('document_number', '')}"


class CreditExportFile(models.Model):
    """A generated file of an export, kept as it was downloaded (a re-download gives the same bytes)."""

    export = models.ForeignKey(
        CreditExport, verbose_name="报送批次", on_delete=models.PROTECT, related_name="files"
    )
    format = models.CharField("格式", max_length=4, choices=CreditExportFormat.choices)
    content = models.BinaryField("文件内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    size = models.PositiveIntegerField("字节数")

    class Meta:
        verbose_name = "信用信息报送文件"
        verbose_name_plural = "信用信息报送文件"
        constraints = [
            models.UniqueConstraint(fields=["export", "format"], name="disclosure_creditfile_one_per_format")
        ]

    def __str__(self):
        return f"{self.export_id}.{self.format}"
