"""当事人: the parties of a case, each later receiving its own decision."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from wuding_enforcement.audit.api import mask_id_number


class PartyKind(models.TextChoices):
    PERSON = "person", "自然人"
    INDIVIDUAL_BUSINESS = "individual", "个体工商户"
    ORGANISATION = "organisation", "法人或其他组织"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MO_TW = "hmt_permit", "港澳台居民居住证/通行证"
    OTHER = "other", "其他"


class Party(models.Model):
    """当事人. Each party later receives its own decision. The ID number never appears in __str__ or logs."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="parties")
    kind = models.CharField("当事人类型", max_length=12, choices=PartyKind.choices)
    name = models.CharField("名称/姓名", max_length=200)
    id_type = models.CharField("证件类型", max_length=12, choices=IdType.choices, blank=True)
    id_number = models.CharField("证件号码", max_length=40, blank=True)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    legal_representative = models.CharField("法定代表人（负责人）", max_length=50, blank=True)
    operator = models.CharField("经营者", max_length=50, blank=True, help_text="个体工商户的经营者姓名")
    address = models.CharField("住所（住址）", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    is_minor = models.BooleanField("未成年人", default=False)
    order = models.PositiveSmallIntegerField("排序", default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "当事人"
        verbose_name_plural = "当事人"
        ordering = ["case", "order", "pk"]

    def __str__(self):
        return self.name

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number) if self.id_number else ""

    def clean(self):
        errors = {}
        if self.kind == PartyKind.ORGANISATION:
            if not self.credit_code:
                errors["credit_code"] = "法人或其他组织须填写统一社会信用代码。"
            if not self.legal_representative:
                errors["legal_representative"] = "法人或其他组织须填写法定代表人（负责人）。"
        if self.kind == PartyKind.INDIVIDUAL_BUSINESS and not self.operator:
            errors["operator"] = "个体工商户须填写经营者。"
        if self.kind == PartyKind.PERSON and not self.id_number:
            errors["id_number"] = "自然人须填写证件号码。"
        if self.credit_code and len(self.credit_code) != 18:
            errors["credit_code"] = "统一社会信用代码应为18位。"
        if self.is_minor and self.kind != PartyKind.PERSON:
            errors["is_minor"] = "只有自然人可标记为未成年人。"
        if errors:
            raise ValidationError(errors)
