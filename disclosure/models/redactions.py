"""The redaction log of a publication (总局令第45号 第七条: the published text is the issued one except for
logged redactions)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from .. import redaction


class RedactionSource(models.TextChoices):
    AUTO = "auto", "自动识别"
    REVIEWER = "reviewer", "审核人员添加"
    RECHECK = "recheck", "发布后依法复核添加"


class Redaction(models.Model):
    """One redacted span of the issued text. Positions are in Publication.original_text; `original` is what
    was hidden (staff only). Removing a redaction keeps the row with who removed it and why."""

    publication = models.ForeignKey(
        "disclosure.Publication", on_delete=models.PROTECT, related_name="redactions"
    )
    start = models.PositiveIntegerField("起始位置")
    end = models.PositiveIntegerField("结束位置")
    kind = models.CharField("类别", max_length=14)
    original = models.TextField("原文")
    replacement = models.CharField("替换为", max_length=40)
    source = models.CharField("来源", max_length=10, choices=RedactionSource.choices)
    origin = models.CharField(
        "识别依据", max_length=120, blank=True, help_text="如：询问笔录（被询问人）、决定书文字（“证人”）"
    )
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
        return redaction.KIND_LABELS.get(self.kind, self.kind)
