"""The history of a published inspection result: each version a correction (更正) replaced, kept as it was shown.

The current version lives on the Inspection (public_summary, public_redactions, public_entity_name); a
correction (Inspection.correct_publication) first copies it here with who replaced it, when and why. Nothing is deleted.
"""

from django.db import models


class ResultVersion(models.Model):
    inspection = models.ForeignKey(
        "inspection.Inspection",
        verbose_name="行政检查",
        on_delete=models.PROTECT,
        related_name="result_versions",
    )
    public_summary = models.TextField("公示内容")
    public_redactions = models.JSONField("公示隐去的个人信息", default=list, blank=True)
    public_entity_name = models.CharField("公示的检查对象名称", max_length=200, blank=True)
    shown_from = models.DateTimeField("公示（更正）时间")
    replaced_at = models.DateTimeField("被更正时间")
    replaced_by = models.ForeignKey(
        "roster.Staff", verbose_name="更正人", on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField("更正理由")

    class Meta:
        verbose_name = "检查结果公示的历史版本"
        verbose_name_plural = "检查结果公示的历史版本"
        ordering = ["inspection", "replaced_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="inspection_version_has_reason"),
        ]

    def __str__(self):
        return f"{self.inspection_id} 更正前版本（{self.replaced_at:%Y-%m-%d}）"
