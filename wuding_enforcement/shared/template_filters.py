"""Template filters every template has without {% load %} (settings.TEMPLATES "builtins"): the one Chinese
formatting of dates, times and money (wuding_enforcement/shared/chinese.py)."""

from django import template

from . import chinese

register = template.Library()

register.filter("cn_date", chinese.cn_date)
register.filter("cn_datetime", chinese.cn_datetime)
register.filter("cn_time", chinese.cn_time)
register.filter("cn_month", chinese.cn_month)
register.filter("yuan", chinese.yuan)


@register.filter
def same_day(first, second) -> bool:
    a, b = chinese.as_date(first), chinese.as_date(second)
    return a is not None and a == b
