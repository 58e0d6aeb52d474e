"""The record of a case's stage changes (written only by Case.advance()) and the periods not counted in its
decision limit."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.roster.models import Staff

from ..workflow import Stage


class CaseTransition(models.Model):
    """One row per stage change: who, when, why. Written only by Case.advance()."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="transitions")
    from_stage = models.CharField("原阶段", max_length=20, choices=Stage.choices)
    to_stage = models.CharField("新阶段", max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(Staff, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    on = models.DateField("日期")
    at = models.DateTimeField("记录时间", auto_now_add=True)
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = "阶段变更"
        verbose_name_plural = "阶段变更"
        ordering = ["case", "at", "pk"]
        indexes = [
            # Serves the case page's history and the supervision stage-duration statistics.
            models.Index(fields=["case", "at"], name="cases_transition_case_at_idx"),
        ]

    def __str__(self):
        return f"{self.get_from_stage_display()} → {self.get_to_stage_display()}"


class PauseKind(models.TextChoices):
    """Periods not counted in the 90-day decision limit (行政处罚法 第六十条; 总局令 第六十四条)."""

    HEARING = "hearing", "听证"
    TESTING = "testing", "检测、检验、检疫、鉴定"
    SUSPENSION = "suspension", "案件中止"
    PUBLIC_NOTICE = "notice", "公告送达"
    OTHER = "other", "其他依法不计入的期间"


class CasePause(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField("类型", max_length=12, choices=PauseKind.choices)
    start = models.DateField("起始日期")
    end = models.DateField("结束日期", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    # The document whose issuing recorded this period (a 检测期间告知书), so that its correction finds the
    # period to replace by key, never by searching the note. A plain id, not a ForeignKey: the shared case
    # sits below the systems and may not depend on recording's tables or migrations (docs/architecture.md).
    source_document_id = models.PositiveBigIntegerField("来源文书", null=True, blank=True, editable=False)
    created_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "不计入办案期限的期间"
        verbose_name_plural = "不计入办案期限的期间"
        ordering = ["case", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="cases_casepause_end_after_start",
            )
        ]
        indexes = [
            # Serves the correction of a document that recorded a period: the pause it made, by its id.
            models.Index(fields=["case", "source_document_id"], name="cases_pause_source_doc_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.start}—{self.end or '至今'}"
