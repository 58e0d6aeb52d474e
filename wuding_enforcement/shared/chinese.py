"""Chinese formatting, one way everywhere: dates as 2026年3月5日 (no leading zeros, as official documents
print them), times as 2026年3月5日 09:30, money as 1,234.50 元. Accepts dates, datetimes (aware ones in local
time) and the ISO strings documents store in their JSON data; empty or unreadable input gives "".

The same functions are template filters (`|cn_date`, `|cn_datetime`, `|cn_time`, `|yuan`) available in
every template without `{% load %}` (settings.TEMPLATES builtins: wuding_enforcement.shared.template_filters).
"""

import datetime
import decimal

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime


def as_datetime(value) -> datetime.datetime | None:
    if isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and ("T" in value or ":" in value):
        return parse_datetime(value.strip().replace(" ", "T", 1))
    return None


def as_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        moment = as_datetime(value)
        if moment is not None:
            return as_date(moment)
        try:
            return parse_date(value.strip()[:10])
        except ValueError:
            return None
    return None


def cn_date(value, *, with_year: bool = True) -> str:
    """2026-03-05 -> 2026年3月5日 (3月5日 without the year)."""
    day = as_date(value)
    if day is None:
        return ""
    return f"{day.year}年{day.month}月{day.day}日" if with_year else f"{day.month}月{day.day}日"


def cn_date_range(first, last) -> str:
    """2026年1月28日至2月4日; the year is repeated only when it changes."""
    a, b = as_date(first), as_date(last)
    if a is None or b is None:
        return cn_date(a or b)
    if a == b:
        return cn_date(a)
    return f"{cn_date(a)}至{cn_date(b, with_year=a.year != b.year)}"


def cn_month(value) -> str:
    day = as_date(value)
    return f"{day.year}年{day.month}月" if day else ""


def local_moment(value) -> datetime.datetime | None:
    moment = as_datetime(value)
    if moment is not None and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment


def cn_datetime(value) -> str:
    """2026-11-25T09:30:00+08:00 -> 2026年11月25日 09:30 (local time); a plain date -> 2026年11月25日."""
    moment = local_moment(value)
    if moment is None:
        return cn_date(value)
    return f"{cn_date(moment)} {moment:%H:%M}"


def cn_time(value) -> str:
    """Only the clock time (09:30), for a period that starts and ends on the same day."""
    moment = local_moment(value)
    return f"{moment:%H:%M}" if moment is not None else ""


def format_yuan(value) -> str:
    """12000 -> "12,000.00": money as the documents print it (yuan, two decimals, thousands grouped)."""
    if value in (None, ""):
        return ""
    return f"{decimal.Decimal(value):,.2f}"


def yuan(value) -> str:
    """1234.5 / "1234.50" -> 1,234.50 元."""
    text = format_yuan(value)
    return f"{text} 元" if text else ""
