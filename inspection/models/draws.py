"""双随机 draws (国发〔2019〕5号): the committed inputs, the public value, the result, the reveal.

The algorithm is wuding_enforcement/shared/draws.py (documented there, runnable by anyone); the rules of when
each step may happen live in inspection/drawing.py, mixed in here. Once committed, a draw's inputs never change
(the save guard below), and the secret is revealed only with the results.
"""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from ..drawing import DrawLifecycle
from .entities import MarketEntity
from .plans import PlanEntry


class DrawState(models.TextChoices):
    COMMITTED = "committed", "已公布承诺，待抽取"
    DRAWN = "drawn", "已抽取（名单检查结束后公布）"
    REVEALED = "revealed", "已公布抽取结果"


# Fields frozen once committed: the inputs the commitment covers.
COMMITTED_FIELDS = (
    "entry_id",
    "round",
    "secret",
    "secret_sha256",
    "snapshot",
    "snapshot_sha256",
    "exclusions",
    "exclusions_sha256",
    "parameters",
    "commitment",
)


class DrawQuerySet(models.QuerySet):
    def public(self):
        """What the public site lists: every committed draw (the commitment is public from the start)."""
        return self


class Draw(DrawLifecycle, models.Model):
    entry = models.ForeignKey(
        PlanEntry, verbose_name="计划检查事项", on_delete=models.PROTECT, related_name="draws"
    )
    round = models.PositiveSmallIntegerField("批次", default=1)
    title = models.CharField("名称", max_length=200)
    state = models.CharField("状态", max_length=10, choices=DrawState.choices, default=DrawState.COMMITTED)
    draw_on = models.DateField("抽取日期", help_text="公开随机值在这一天产生。")
    secret = models.CharField("密钥", max_length=64, editable=False)
    secret_sha256 = models.CharField("密钥哈希", max_length=64, editable=False)
    snapshot = models.TextField("名录库快照", editable=False)
    snapshot_sha256 = models.CharField("快照哈希", max_length=64, editable=False)
    exclusions = models.TextField("回避名单", editable=False)
    exclusions_sha256 = models.CharField("回避名单哈希", max_length=64, editable=False)
    parameters = models.JSONField("抽取参数", editable=False)
    commitment = models.CharField("承诺值", max_length=64, unique=True, editable=False)
    committed_at = models.DateTimeField("承诺时间", auto_now_add=True)
    committed_by = models.ForeignKey(
        "roster.Staff", on_delete=models.PROTECT, related_name="+", editable=False
    )
    public_value = models.CharField("公开随机值", max_length=200, blank=True, editable=False)
    public_value_note = models.CharField("公开随机值出处", max_length=300, blank=True, editable=False)
    seed = models.CharField("种子", max_length=64, blank=True, editable=False)
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True, editable=False)
    drawn_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    replacements = models.JSONField("替换记录", default=list, editable=False)
    result = models.JSONField("抽取结果", default=dict, editable=False)
    revealed_at = models.DateTimeField("公布结果时间", null=True, blank=True, editable=False)
    revealed_by = models.ForeignKey(
        "roster.Staff", null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    # The secret stays out of the history tables: the admin shows history, and the secret is revealed only
    # with the results.
    history = HistoricalRecords(excluded_fields=["secret"])

    objects = DrawQuerySet.as_manager()

    class Meta:
        verbose_name = "双随机抽取"
        verbose_name_plural = "双随机抽取"
        ordering = ["-committed_at", "-pk"]
        constraints = [
            # Re-drawing is refused once committed: one draw per plan item and round (国发〔2019〕5号).
            models.UniqueConstraint(fields=["entry", "round"], name="inspection_draw_once_per_round"),
            models.CheckConstraint(
                condition=~Q(state=DrawState.DRAWN) | ~Q(seed=""), name="inspection_draw_drawn_has_seed"
            ),
        ]

    def __str__(self):
        return self.title


class DrawPick(models.Model):
    """One drawn entity with its officers (the 双随机's pair), in the order the algorithm took it."""

    draw = models.ForeignKey(Draw, on_delete=models.PROTECT, related_name="picks")
    order = models.PositiveSmallIntegerField("序号")
    entity = models.ForeignKey(MarketEntity, on_delete=models.PROTECT, related_name="draw_picks")
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    risk_class = models.CharField("风险等级", max_length=1)
    rank = models.CharField("排序值", max_length=64)
    officer_keys = models.JSONField("执法人员（证号）", default=list)
    officers = models.ManyToManyField("roster.Staff", verbose_name="执法人员", related_name="draw_picks")
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    replaced_reason = models.CharField("被替换原因", max_length=200, blank=True)
    task_problem = models.TextField("未能生成检查任务的原因", blank=True)

    class Meta:
        verbose_name = "抽取结果"
        verbose_name_plural = "抽取结果"
        ordering = ["draw", "order"]
        constraints = [
            models.UniqueConstraint(fields=["draw", "order"], name="inspection_pick_order_unique"),
            models.UniqueConstraint(fields=["draw", "entity"], name="inspection_pick_entity_once"),
        ]

    def __str__(self):
        return f"{self.draw}：{self.credit_code}"
