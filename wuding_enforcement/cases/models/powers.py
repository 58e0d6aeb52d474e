"""The powers catalogue (权责清单): each power, its legal basis to the article, and the responsible unit."""

from django.db import models
from simple_history.models import HistoricalRecords

from wuding_enforcement.roster.models import Unit


class PowerKind(models.TextChoices):
    PENALTY = "penalty", "行政处罚"
    COERCION = "coercion", "行政强制"
    INSPECTION = "inspection", "行政检查"
    LICENSING = "licensing", "行政许可"
    OTHER = "other", "其他"


class PowerItem(models.Model):
    """One item of the 权责清单: a power, its legal basis to the article, and the responsible unit."""

    code = models.CharField("编码", max_length=30, unique=True)
    kind = models.CharField("权力类型", max_length=12, choices=PowerKind.choices)
    field = models.CharField("领域", max_length=30, help_text="如：食品安全、产品质量、价格、广告、特种设备")
    name = models.CharField("事项名称", max_length=200)
    legal_basis = models.TextField("实施依据")
    # A 行政处罚 item keeps apart the article the act violates and the article that penalises it: the 告知书
    # and 决定书 print them as 违反的法律规定 and 处罚依据 (行政处罚法 第四十四条、第五十九条; docs/domain.md §6).
    violation_basis = models.TextField(
        "违法依据",
        blank=True,
        help_text="行政处罚事项：违法行为违反的条款，如《中华人民共和国食品安全法》第三十四条第（十）项",
    )
    penalty_basis = models.TextField(
        "处罚依据",
        blank=True,
        help_text="行政处罚事项：给予处罚的条款（罚则），如《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
    )
    responsible_unit = models.ForeignKey(
        Unit,
        verbose_name="责任单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="power_items",
    )
    is_active = models.BooleanField("在用", default=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "权责清单事项"
        verbose_name_plural = "权责清单事项"
        ordering = ["kind", "code"]

    def __str__(self):
        return f"{self.code} {self.name}"
