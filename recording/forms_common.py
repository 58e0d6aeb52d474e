"""Form pieces shared by the document types: validators for dates and amounts, common field factories."""

import decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone


def not_in_future(value):
    if value is None:
        return
    today = timezone.localdate()
    day = (
        timezone.localtime(value).date()
        if hasattr(value, "hour") and timezone.is_aware(value)
        else (value.date() if hasattr(value, "hour") else value)
    )
    if day > today:
        raise ValidationError("日期不能晚于今天。")


def date_field(label, *, required=True, future_ok=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        validators=[] if future_ok else [not_in_future],
        widget=forms.DateInput(attrs={"type": "date"}),
    )


def datetime_field(label, *, required=True, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        validators=[not_in_future],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=[
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M:%S.%f%z",
        ],
    )


def text_field(label, *, required=True, rows=4, max_length=20000, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def line_field(label, *, required=True, max_length=200, help_text=""):
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text)


def yuan_field(label, *, required=True, help_text=""):
    """Money in yuan with two decimals, never negative."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=decimal.Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=help_text or "单位：元，保留两位小数",
    )
