"""报送国家企业信用信息公示系统 (总局令第45号 第二条、第六条): published penalty information also goes to the
enterprise credit publicity system. Staff download the decisions published in a period as a file
(disclosure/credit.py); every exported row is kept with a snapshot of the fields as exported, so the system knows
which decisions were sent when, reports a later withdrawal or correction once, and serves a past file again byte
for byte."""

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models
from django.db.models import Q

from wuding_enforcement.shared.chinese import cn_date_range

from .publication import Publication


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
    # Of the 新增 rows, the results of planned inspections (抽查检查结果, 国发〔2019〕5号).
    inspection_count = models.PositiveIntegerField("其中抽查检查结果", default=0)
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
        return f"信用信息报送第{self.pk}批（{cn_date_range(self.period_from, self.period_to)}）"

    @property
    def row_count(self) -> int:
        return self.new_count + self.corrected_count + self.withdrawn_count + self.stopped_count


class CreditExportLine(models.Model):
    """One row of an export: a publication's fields as exported (`snapshot`, the public redacted values)
    and its hash, which the next export compares with the current values to find corrections."""

    export = models.ForeignKey(
        CreditExport, verbose_name="报送批次", on_delete=models.PROTECT, related_name="lines"
    )
    # A row is a penalty decision's publication or a planned inspection's published result (抽查检查结果).
    publication = models.ForeignKey(
        Publication,
        verbose_name="公示信息",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_lines",
    )
    inspection = models.ForeignKey(
        "inspection.Inspection",
        verbose_name="抽查检查结果",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credit_lines",
    )
    position = models.PositiveIntegerField("行号")
    sequence = models.PositiveSmallIntegerField("该公示的第几次报送")
    kind = models.CharField("记录类型", max_length=10, choices=CreditLineKind.choices)
    snapshot = models.JSONField("报送内容")
    snapshot_hash = models.CharField("报送内容SHA-256", max_length=64)
    changed_on = models.DateField("变动日期", null=True, blank=True)
    # A 撤回 row: the last day of the 3 working days (行政处罚法 第四十八条); changed_on after it = late.
    due_on = models.DateField("应撤回日期", null=True, blank=True)
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
            # An inspection result, like a publication: one 新增, then each change (更正, 撤回) once.
            models.UniqueConstraint(
                fields=["inspection", "sequence"],
                condition=Q(inspection__isnull=False),
                name="disclosure_creditline_inspection_once_per_change",
            ),
            models.UniqueConstraint(
                fields=["inspection"],
                condition=Q(inspection__isnull=False, kind="new"),
                name="disclosure_creditline_inspection_new_once",
            ),
            models.CheckConstraint(
                condition=Q(publication__isnull=False, inspection__isnull=True)
                | Q(publication__isnull=True, inspection__isnull=False),
                name="disclosure_creditline_one_subject",
            ),
        ]

    def __str__(self):
        number = self.snapshot.get("document_number") or self.snapshot.get("inspection_number", "")
        return f"{self.get_kind_display()} {number}"


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

    def as_file(self) -> ContentFile:
        """The stored bytes as a file object, for the one file getter (audit/files.py send_stored_file)."""
        return ContentFile(bytes(self.content), name=f"credit-export-{self.export_id}.{self.format}")
