"""The seven points a reviewer concludes on, and the advisers (法律顾问, 公职律师) consulted within a round."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from wuding_enforcement.roster.models import Staff


class CheckPoint(models.IntegerChoices):
    """The seven points of the review (docs/domain.md §3; 国办发〔2018〕118号)."""

    SUBJECT = 1, "执法主体是否合法，执法人员是否具备执法资格"
    PROCEDURE = 2, "执法程序是否合法"
    FACTS = 3, "案件事实是否清楚，证据是否合法充分"
    LAW = 4, "适用法律是否准确，裁量基准运用是否适当"
    AUTHORITY = 5, "是否超越执法机关法定权限"
    DOCUMENTS = 6, "行政执法文书是否完备、规范"
    CRIME = 7, "违法行为是否涉嫌犯罪、需要移送司法机关"


class CheckResult(models.TextChoices):
    PASS = "pass", "通过"
    PROBLEM = "problem", "存在问题"


class ChecklistItemQuerySet(models.QuerySet):
    def overridden(self):
        """Points the reviewer passed although the system's pre-check found a problem (each with its
        written reason): what the 意见书 prints and the supervision dashboard counts."""
        return self.filter(result=CheckResult.PASS, precheck_found=True)


class ChecklistItem(models.Model):
    round = models.ForeignKey("ReviewRound", on_delete=models.PROTECT, related_name="checklist")
    point = models.PositiveSmallIntegerField("审核要点", choices=CheckPoint.choices)
    result = models.CharField("结论", max_length=8, choices=CheckResult.choices)
    comment = models.TextField("意见", blank=True)
    # The system's pre-check of this point found a problem when the reviewer concluded (ReviewRound.decide);
    # passing such a point needs a written reason, kept here and printed in the 法制审核意见书.
    precheck_found = models.BooleanField("系统预审发现问题", default=False)
    override_reason = models.TextField("预审发现问题仍认定通过的理由", blank=True)

    objects = ChecklistItemQuerySet.as_manager()

    class Meta:
        verbose_name = "审核要点"
        verbose_name_plural = "审核要点"
        ordering = ["round", "point"]
        constraints = [
            models.UniqueConstraint(fields=["round", "point"], name="legal_review_point_once_per_round"),
            models.CheckConstraint(
                condition=~Q(result="pass", precheck_found=True) | ~Q(override_reason=""),
                name="legal_review_override_has_reason",
            ),
        ]
        indexes = [
            # Serves the statistics' "most common problems" count.
            models.Index(fields=["result", "point"], name="lr_checklist_problem_idx"),
        ]

    @property
    def is_override(self) -> bool:
        return self.result == CheckResult.PASS and self.precheck_found

    def __str__(self):
        return f"{self.point}：{self.get_result_display()}"


class AdviserKind(models.TextChoices):
    COUNSEL = "counsel", "法律顾问"
    PUBLIC_LAWYER = "public_lawyer", "公职律师"


class AdviserOpinion(models.Model):
    """A legal adviser or 公职律师 consulted within a round; their written opinion becomes part of it."""

    round = models.ForeignKey("ReviewRound", on_delete=models.PROTECT, related_name="adviser_opinions")
    kind = models.CharField("类别", max_length=14, choices=AdviserKind.choices)
    adviser = models.CharField("姓名及单位", max_length=100)
    question = models.TextField("咨询事项")
    requested_by = models.ForeignKey(Staff, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("咨询时间", auto_now_add=True)
    opinion = models.TextField("书面意见", blank=True)
    received_on = models.DateField("收到意见日期", null=True, blank=True)
    recorded_by = models.ForeignKey(Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "法律顾问/公职律师意见"
        verbose_name_plural = "法律顾问/公职律师意见"
        ordering = ["round", "requested_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.adviser}"
