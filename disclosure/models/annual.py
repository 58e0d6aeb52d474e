"""年度行政执法统计 (docs/domain.md §1): the report of a year, with the figures the portal does not hold entered
by admins; publishing freezes every figure as of that day (the figures themselves: disclosure/statistics.py).

国办发〔2018〕118号: the previous year's statistics are published by 31 January."""

import datetime
import logging

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.refusals import Refused

logger = logging.getLogger("wuding.disclosure")

# The previous year's statistics are published by this day (month, day) of the following year.
ANNUAL_REPORT_DUE = (1, 31)
# The staff side starts warning this many days before the due date.
ANNUAL_REPORT_WARN_DAYS = 31


def annual_report_due(year: int) -> datetime.date:
    """The day by which the report of `year` is published (国办发〔2018〕118号: 31 January of the next year)."""
    return datetime.date(year + 1, *ANNUAL_REPORT_DUE)


class AnnualReportQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_on__isnull=False)


class AnnualReport(models.Model):
    """年度行政执法数据: figures the portal does not hold are entered here (marked as entered on the page);
    the rest is computed (disclosure/statistics.py). Publishing freezes the figures as of that day."""

    year = models.PositiveSmallIntegerField("年度", unique=True)
    licensing = models.PositiveIntegerField("行政许可（件，填报）", default=0)
    expropriation = models.PositiveIntegerField("行政征收（件，填报）", default=0)
    requisition = models.PositiveIntegerField("行政征用（件，填报）", default=0)
    inspections_outside_cases = models.PositiveIntegerField(
        "系统以外的行政检查（次，填报）",
        default=0,
        help_text="行政检查系统和处罚案件中均未记录的检查；系统已登记的“双随机、一公开”抽查等自动统计，勿重复填报。",
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

    objects = AnnualReportQuerySet.as_manager()

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
        return annual_report_due(self.year)

    def clean(self):
        if self.pk and self.is_published:
            raise Refused("该年度统计已发布，数据不能再修改。")
        if self.year and self.year > timezone.localdate().year:
            raise Refused({"year": "不能为未来年度填报统计。"})

    @classmethod
    def publish_year(cls, year: int, *, by, on: datetime.date | None = None) -> "AnnualReport":
        """Publish the report of `year`; refused while admins have not entered its figures (the report row)."""
        report = cls.objects.filter(year=year).first()
        if report is None:
            logger.info("annual report %s not published: no entered figures", year)
            raise Refused(f"请先在管理后台填报{year}年度的许可、征收、征用和案件以外的检查数据。")
        report.publish(by=by, on=on)
        return report

    def publish(self, *, by, on: datetime.date | None = None) -> None:
        """Publish the year's report: freeze the computed and entered figures as of `on` (国办发〔2018〕118号:
        the previous year's statistics are published by 31 January). Only a finished year; only once."""
        from ..statistics import compute_year

        on = on or timezone.localdate()
        with transaction.atomic():
            report = type(self).objects.select_for_update().get(pk=self.pk)
            if report.is_published:
                logger.info("annual report %s not published again", report.year)
                raise Refused(f"{report.year}年度统计已于{cn_date(report.published_on)}发布。")
            if on.year <= report.year:
                logger.info("annual report %s not published before its year ended", report.year)
                raise Refused(f"{report.year}年度尚未结束，不能发布全年统计。")
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
