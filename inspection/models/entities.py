"""检查对象名录库 (the market entities that may be inspected) and declared conflicts of interest (回避).

Entities come from the registration system's export (inspection/importing.py); a deregistered entity is never
deleted: it keeps its end date, and neither draws nor new inspections take it from that day on.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from .. import creditcode
from .lists import CreditClass, EntityCategory, RiskClass


class EntityKind(models.TextChoices):
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个体工商户"
    COOPERATIVE = "cooperative", "农民专业合作社"
    OTHER = "other", "其他组织"


class MarketEntityQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        """Registered (or of unknown registration date) and not deregistered on `day`."""
        return self.filter(Q(registered_on__isnull=True) | Q(registered_on__lte=day)).filter(
            Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=day)
        )


def validate_credit_code(value):
    problem = creditcode.problem(value)
    if problem:
        raise ValidationError(problem)


class MarketEntity(models.Model):
    credit_code = models.CharField(
        "统一社会信用代码", max_length=18, unique=True, validators=[validate_credit_code]
    )
    name = models.CharField("名称", max_length=200)
    kind = models.CharField("主体类型", max_length=12, choices=EntityKind.choices)
    representative = models.CharField("法定代表人（经营者）", max_length=50)
    address = models.CharField("住所（经营场所）", max_length=200)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    categories = models.ManyToManyField(EntityCategory, verbose_name="检查对象类别", blank=True)
    risk_class = models.CharField("风险等级", max_length=1, choices=RiskClass.choices)
    credit_class = models.CharField("信用风险分类", max_length=1, choices=CreditClass.choices, blank=True)
    unit = models.ForeignKey(
        "roster.Unit",
        verbose_name="属地监管单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="market_entities",
    )
    registered_on = models.DateField("成立日期", null=True, blank=True)
    deregistered_on = models.DateField("注销（吊销）日期", null=True, blank=True)
    deregistration_note = models.CharField("注销（吊销）说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    objects = MarketEntityQuerySet.as_manager()

    class Meta:
        verbose_name = "检查对象（市场主体）"
        verbose_name_plural = "检查对象名录库"
        ordering = ["credit_code"]
        indexes = [
            # Serves the snapshot of a draw: the active entities of a risk class.
            models.Index(fields=["risk_class", "deregistered_on"], name="insp_entity_risk_idx"),
        ]

    def __str__(self):
        return f"{self.name}（{self.credit_code}）"

    def clean(self):
        self.credit_code = creditcode.normalise(self.credit_code)
        if self.deregistered_on and self.registered_on and self.deregistered_on < self.registered_on:
            raise ValidationError({"deregistered_on": "注销（吊销）日期不能早于成立日期。"})

    def is_active_on(self, day: datetime.date) -> bool:
        if self.registered_on and self.registered_on > day:
            return False
        return self.deregistered_on is None or self.deregistered_on > day

    @property
    def public_name(self) -> str:
        """The name the public site shows: a 个体工商户's operator's name masked (publication.py, the rule
        disclosure registers); staff pages show the registered name."""
        from ..publication import public_entity_name

        return public_entity_name(self)

    @property
    def party_kind(self) -> str:
        """The case party kind of this entity (cases.PartyKind values)."""
        return "individual" if self.kind == EntityKind.INDIVIDUAL else "organisation"


class ConflictQuerySet(models.QuerySet):
    def active_on(self, day: datetime.date):
        return self.filter(declared_on__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class Conflict(models.Model):
    """A declared conflict of interest (回避, 行政处罚法 第四十三条): the officer may not inspect the entity while
    it lasts. Draws leave the pair out; registering or approving an inspection with it is refused."""

    officer = models.ForeignKey(
        "roster.Staff", verbose_name="执法人员", on_delete=models.PROTECT, related_name="inspection_conflicts"
    )
    entity = models.ForeignKey(
        MarketEntity, verbose_name="检查对象", on_delete=models.PROTECT, related_name="conflicts"
    )
    reason = models.CharField("回避事由", max_length=200, help_text="如：近亲属在该企业任职")
    declared_on = models.DateField("申报日期")
    ended_on = models.DateField("终止日期", null=True, blank=True)
    declared_by = models.ForeignKey("roster.Staff", on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = ConflictQuerySet.as_manager()

    class Meta:
        verbose_name = "回避申报"
        verbose_name_plural = "回避申报"
        ordering = ["-declared_on", "pk"]
        indexes = [
            # Serves the exclusions of a draw and the 回避 check of an inspection.
            models.Index(fields=["entity", "officer"], name="insp_conflict_pair_idx"),
        ]

    def __str__(self):
        return f"{self.officer} 回避 {self.entity.name}"
