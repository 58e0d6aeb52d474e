"""The publication clocks as pure functions of dates and the rule settings (docs/domain.md §1): when a draft is
due, when a publication period ends, when a withdrawal is due. The models and the deadline pages read them."""

import calendar as pycalendar
import datetime
from decimal import Decimal

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import RuleSettings

# Penalty types that a short publication period can apply to (总局令第45号 第十三条: 通报批评 or a lower fine).
SHORT_PERIOD_TYPES = {"warning", "criticism", "fine"}


def publication_due(decided_on: datetime.date, rules: RuleSettings | None = None) -> datetime.date:
    """国办发〔2018〕118号: published within publication_working_days working days of the decision (行政处罚法
    第八十五条: working days, the start day not counted)."""
    rules = rules or RuleSettings.current()
    return calendar.add_working_days(decided_on, rules.publication_working_days)


def publication_last_day(published_on: datetime.date, data: dict, rules: RuleSettings) -> datetime.date:
    """The last day a publication is shown — the one definition of 公示截止日期 that the pages, the open data
    and the credit export all print (总局令第45号 第十三条: publication_short_months for 通报批评 or a fine below
    the threshold, nothing heavier; otherwise publication_long_years). 民法典 第二百零一条、第二百零二条: the
    period counts from the day after publication and ends on the corresponding day: published 2026-12-06 for 3
    years → shown until 2029-12-06 inclusive."""
    types = set(data.get("penalty_types") or [])
    fine = Decimal(str(data.get("fine_amount") or "0"))
    short = types <= SHORT_PERIOD_TYPES and (
        "fine" not in types or fine < rules.publication_low_fine_threshold
    )
    months = rules.publication_short_months if short else 12 * rules.publication_long_years
    return add_months(published_on, months)


def publication_period_end(published_on: datetime.date, data: dict, rules: RuleSettings) -> datetime.date:
    """The first day the item is no longer shown (Publication.ends_on, what the queries filter on): the day
    after publication_last_day."""
    return publication_last_day(published_on, data, rules) + datetime.timedelta(days=1)


def last_day_shown(ends_on: datetime.date | None) -> datetime.date | None:
    """公示截止日期 from the stored exclusive end (Publication.ends_on)."""
    return ends_on - datetime.timedelta(days=1) if ends_on else None


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def withdrawal_due(event_on: datetime.date, rules: RuleSettings | None = None) -> datetime.date:
    """行政处罚法 第四十八条 第二款; 总局令第45号 第十一条: withdrawn within withdrawal_working_days working days
    of the decision being changed, revoked, or confirmed illegal or void."""
    rules = rules or RuleSettings.current()
    return calendar.add_working_days(event_on, rules.withdrawal_working_days)
