"""Filters for the document templates: stored JSON holds ISO strings and decimal strings; the PDFs show
dates as 2026年11月25日, times as 2026年11月25日 09:30 and money as 1,234.00 元."""

import datetime

from django import template
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from wuding_enforcement.shared.forms import format_yuan

register = template.Library()


def _as_datetime(value):
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and ("T" in value or ":" in value):
        return parse_datetime(value.strip().replace(" ", "T", 1))
    return None


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        moment = _as_datetime(value)
        if moment is not None:
            return _as_date(moment)
        return parse_date(value.strip()[:10])
    return None


@register.filter
def cn_date(value) -> str:
    """2026-11-25 (or a datetime, or an ISO string) -> 2026年11月25日; empty or unreadable -> ""."""
    day = _as_date(value)
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


@register.filter
def cn_datetime(value) -> str:
    """2026-11-25T09:30:00+08:00 -> 2026年11月25日 09:30 (local time)."""
    moment = _as_datetime(value)
    if moment is None:
        return cn_date(value)
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


@register.filter
def cn_time(value) -> str:
    """Only the clock time (09:30), for a period that starts and ends on the same day."""
    moment = _as_datetime(value)
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment:%H:%M}"


@register.filter
def same_day(first, second) -> bool:
    a, b = _as_date(first), _as_date(second)
    return a is not None and a == b


@register.filter
def yuan(value) -> str:
    """1234.5 / "1234.50" -> 1,234.50 元."""
    text = format_yuan(value)
    return f"{text} 元" if text else ""


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
