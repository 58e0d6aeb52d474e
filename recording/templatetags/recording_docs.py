"""Tags for the document templates. Dates, times and money use the builtin filters of
wuding_enforcement/shared/chinese.py (|cn_date, |cn_datetime, |cn_time, |yuan), available without loading."""

from django import template
from django.utils import timezone

register = template.Library()


@register.simple_tag
def certificate_number(officer, document) -> str:
    """The number of the officer's certificate valid on the act's date (else on the issuing date): the
    number the document prints beside the officer's name (行政处罚法 第五十五条: officers show it)."""
    day = document.act_date or (
        timezone.localtime(document.issued_at).date() if document.issued_at else timezone.localdate()
    )
    certificate = officer.valid_certificate_on(day)
    return certificate.number if certificate else "（无有效证件）"


@register.simple_tag(takes_context=True)
def choice_label(context, name) -> str:
    """The label of a choice field's stored code(s) in this document's data (several joined by 、)."""
    doctype, data = context["doctype"], context["data"]
    value = data.get(name)
    field = doctype.form_class.base_fields.get(name)
    choices = dict(getattr(field, "choices", None) or ())
    if isinstance(value, list):
        return "、".join(str(choices.get(v, v)) for v in value)
    if value in (None, ""):
        return ""
    return str(choices.get(value, value))


@register.simple_tag
def staff_name(pk) -> str:
    from wuding_enforcement.roster.models import Staff

    if not pk:
        return ""
    staff = Staff.objects.filter(pk=pk).only("real_name", "username").first()
    return staff.display_name if staff else ""
