"""纠错 (国办发〔2018〕118号: 公示信息的审核、纠错机制; docs/domain.md §1): anyone may report an error in published
information; the staff who review the publication answer it, once. The reporter follows it by its code; the
address is kept only as a keyed hash."""

import logging
import secrets

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import record
from wuding_enforcement.shared.chinese import cn_datetime
from wuding_enforcement.shared.ratelimit import address_digest
from wuding_enforcement.shared.refusals import Refused

from .publication import ONCE_PUBLISHED, Publication

logger = logging.getLogger("wuding.disclosure")


class ErrorReportStatus(models.TextChoices):
    OPEN = "open", "待处理"
    ANSWERED = "answered", "已答复"


class ErrorReportQuerySet(models.QuerySet):
    def answerable_by(self, user):
        """Reports on the publications this user reviews (Publication.objects.reviewable_by)."""
        return self.filter(publication__in=Publication.objects.reviewable_by(user).values("pk"))

    def open(self):
        return self.filter(status=ErrorReportStatus.OPEN)


class ErrorReport(models.Model):
    """One report of an error in a published item, and its answer."""

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

    objects = ErrorReportQuerySet.as_manager()

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

    @property
    def is_open(self) -> bool:
        return self.status == ErrorReportStatus.OPEN

    @classmethod
    def receive(cls, publication, *, content: str, name: str = "", contact: str = "", address=None):
        """A report from the public on an item that was once published (a draft has no public page to report
        on); audited with the request's address."""
        if publication.status not in ONCE_PUBLISHED:
            logger.info("error report on unpublished publication %s refused", publication.pk)
            raise Refused("该信息未公示，不能提交纠错。")
        report = cls.objects.create(
            publication=publication,
            code=secrets.token_hex(5).upper(),
            name=name,
            contact=contact,
            content=content,
            ip_hash=address_digest(address),
        )
        record(
            "disclosure.error_report.received",
            obj=report,
            detail={"publication": publication.pk, "code": report.code},
        )
        return report

    def answer(self, *, by, reply: str, corrected: bool = False) -> "ErrorReport":
        """Answer the report, once (a second answer — a double click, a forged POST — is refused), by someone
        who reviews its publication; audited."""
        reply = (reply or "").strip()
        if not reply:
            raise self._refuse("请填写答复内容。")
        if not Publication.objects.reviewable_by(by).filter(pk=self.publication_id).exists():
            raise self._refuse("您无权答复该纠错。")
        with transaction.atomic():
            report = type(self).objects.select_for_update().get(pk=self.pk)
            if not report.is_open:
                raise self._refuse(f"该纠错已于{cn_datetime(report.replied_at)}答复，不能重复答复。")
            report.reply = reply
            report.corrected = corrected
            report.status = ErrorReportStatus.ANSWERED
            report.replied_at = timezone.now()
            report.replied_by = by
            report._change_reason = "disclosure.error_report.answered"
            report._history_user = by
            report.save(update_fields=["reply", "corrected", "status", "replied_at", "replied_by"])
            record(
                "disclosure.error_report.answered",
                obj=report,
                actor=by,
                detail={"publication": report.publication_id, "code": report.code, "corrected": corrected},
            )
        for name in ("reply", "corrected", "status", "replied_at", "replied_by_id"):
            setattr(self, name, getattr(report, name))
        return self

    def _refuse(self, reason: str) -> Refused:
        logger.info("error report %s: answer refused: %s", self.code, reason)
        return Refused(reason)
