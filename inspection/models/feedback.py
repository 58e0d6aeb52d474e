"""What the enterprise says about an inspection: its rating and its complaints (inspection/feedback.py)."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .tasks import Inspection


class Rating(models.Model):
    """The enterprise's rating of an inspection (扫码评价), once. Anonymous to the inspecting unit: no staff
    page of the unit shows it; supervision reads it (inspection/oversight.py)."""

    inspection = models.OneToOneField(Inspection, on_delete=models.PROTECT, related_name="rating")
    score = models.PositiveSmallIntegerField("评分", choices=[(n, f"{n}星") for n in range(1, 6)])
    comment = models.TextField("评价意见", blank=True, max_length=1000)
    at = models.DateTimeField("评价时间", auto_now_add=True)

    class Meta:
        verbose_name = "企业评价"
        verbose_name_plural = "企业评价"
        constraints = [
            models.CheckConstraint(condition=Q(score__gte=1) & Q(score__lte=5), name="inspection_rating_1_5")
        ]

    def __str__(self):
        return f"{self.inspection.number}：{self.score}星"


class ComplaintKind(models.TextChoices):
    COMPLAINT = "complaint", "投诉"
    AVOIDANCE = "avoidance", "申请回避"


class Complaint(models.Model):
    """A complaint about an inspection, or a request that an officer withdraw (回避), from the 检查码 page.
    Anonymous to the inspecting unit; supervision reads and handles it."""

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="complaints")
    kind = models.CharField("类型", max_length=10, choices=ComplaintKind.choices)
    officer = models.ForeignKey(
        "roster.Staff",
        verbose_name="申请回避的执法人员",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    text = models.TextField("内容", max_length=2000)
    contact = models.CharField("联系方式（选填）", max_length=100, blank=True)
    at = models.DateTimeField("提交时间", auto_now_add=True)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handled_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handling_note = models.TextField("处理情况", blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "投诉与回避申请"
        verbose_name_plural = "投诉与回避申请"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.get_kind_display()}：{self.inspection.number}"
