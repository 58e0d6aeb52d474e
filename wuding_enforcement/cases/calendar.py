"""The working-day calendar behind every statutory deadline.

行政处罚法 第八十五条: the law's 二日、三日、五日、七日 are working days (行政强制法 第六十九条: its periods of ten
days or less too). 民法典 第二百零一条、第二百零三条: the day a period starts is not counted, and a period whose
last day is a holiday or rest day ends on the next working day. Working days follow the State Council's yearly holiday notice with its adjusted working weekends (调休).
Three sources decide a day, in this order:

1. the admin-editable table ``CalendarDay`` ("节假日与调休") — it always wins;
2. the ``chinesecalendar`` package, which knows the published years (it raises NotImplementedError outside them);
3. plain Monday–Friday, flagged as a fallback so pages can warn that the year's official schedule is missing.

A year counts as known when the package covers it or the admin has entered at least one day of it (the
notice publishes a whole year at once, so the table holds either all of a year's holidays or none).

Caching: the table is tiny and read whole in one query. Inside one request (and inside ``cached()`` blocks)
it is read once. Each process also keeps the table it read last with the table's *version* (a key in the
shared cache, Redis in production): while the version is unchanged the process serves its copy and reads no
row — a staff page otherwise read the table on every request. Saving or deleting a row gives the table a new
version now and again when the transaction commits (a copy read in between from the uncommitted state is
replaced) and drops the current scope's copy. Inside a transaction (atomic block) the process copy is neither
used nor stored: the block may see its own uncommitted rows, which a rollback would take back. The copy is
read afresh at least every PROCESS_COPY_SECONDS, and whenever the cache fails (fail open: a cache error reads
the table, as before).
"""

import contextlib
import datetime
import logging
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

import chinese_calendar
from django.core.signals import request_finished, request_started
from django.db import connection
from django.db.models.signals import post_delete, post_save

from wuding_enforcement.shared.chinese import cn_date_range
from wuding_enforcement.shared.pagecache import read_version, renew_versions

logger = logging.getLogger("wuding.cases")

ONE_DAY = datetime.timedelta(days=1)

SOURCE_TABLE = "table"
SOURCE_LIBRARY = "chinesecalendar"
SOURCE_FALLBACK = "fallback"

# The package names holidays in English; the notice's Chinese names are what users read.
HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}

_LIBRARY_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)

# A guard against an admin table that marks months on end as holidays: no statutory period needs more.
_MAX_SCAN_DAYS = 3660


class DayInfo(NamedTuple):
    is_working: bool
    name: str  # the holiday's name, "国庆节调休上班" for an adjusted working day, "" for an ordinary day
    source: str  # SOURCE_TABLE, SOURCE_LIBRARY or SOURCE_FALLBACK


@dataclass
class HolidayPeriod:
    """A run of holidays a period skipped, for display: 国庆节、中秋节 2025年10月1日至10月8日."""

    name: str
    first: datetime.date
    last: datetime.date
    days: list[datetime.date] = field(default_factory=list)

    @property
    def dates_label(self) -> str:
        return cn_date_range(self.first, self.last)

    @property
    def label(self) -> str:
        return f"{self.name} {self.dates_label}"

    def __str__(self):
        return self.label


@lru_cache(maxsize=8192)
def _library_day(day: datetime.date) -> tuple[bool, str] | None:
    """(is_working, Chinese name) from chinesecalendar, or None when the package does not know the year."""
    if day.year not in _LIBRARY_YEARS:
        return None
    try:
        on_holiday, english = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None
    name = HOLIDAY_NAMES.get(english, english) if english else ""
    if name and not on_holiday:
        name = f"{name}调休上班"
    return (not on_holiday, name)


class _Table:
    """The CalendarDay rows, read in one query, and the days they decide."""

    def __init__(self):
        from .models import CalendarDay

        rows = CalendarDay.objects.values_list("date", "is_working_day", "name")
        self.days = {day: (working, name) for day, working, name in rows}
        self.years = frozenset(day.year for day in self.days)
        self._years: dict[int, _Year] = {}

    def info(self, day: datetime.date) -> DayInfo:
        row = self.days.get(day)
        if row is not None:
            return DayInfo(row[0], row[1], SOURCE_TABLE)
        library = _library_day(day)
        if library is not None:
            return DayInfo(library[0], library[1], SOURCE_LIBRARY)
        return DayInfo(day.weekday() < 5, "", SOURCE_TABLE if day.year in self.years else SOURCE_FALLBACK)

    def is_working(self, day: datetime.date) -> bool:
        return self.info(day).is_working

    def year_known(self, year: int) -> bool:
        return year in _LIBRARY_YEARS or year in self.years

    def _year(self, year: int) -> "_Year":
        """The year's days summed once per table (the table is kept per process while its version holds):
        the working days up to each day, and the named holidays in order."""
        summary = self._years.get(year)
        if summary is None:
            first = datetime.date(year, 1, 1)
            through, named, count = [], [], 0
            day = first
            while day.year == year:
                info = self.info(day)
                count += info.is_working
                through.append(count)
                if not info.is_working and info.name:
                    named.append((day, info.name))
                day += ONE_DAY
            summary = self._years[year] = _Year(first, through, named)
        return summary

    def working_after(self, a: datetime.date, b: datetime.date) -> int:
        """Working days in (a, b], a <= b, from the years' sums: the same count as a walk from day to day."""
        ya = self._year(a.year)
        if a.year == b.year:
            return ya.through[(b - ya.first).days] - ya.through[(a - ya.first).days]
        total = ya.through[-1] - ya.through[(a - ya.first).days]
        for year in range(a.year + 1, b.year):
            total += self._year(year).through[-1]
        yb = self._year(b.year)
        return total + yb.through[(b - yb.first).days]

    def named_days(self, start: datetime.date, end: datetime.date):
        """(day, name) of the named holidays in (start, end], in order."""
        for year in range(start.year, end.year + 1):
            for day, name in self._year(year).named:
                if start < day <= end:
                    yield day, name


class _Year(NamedTuple):
    first: datetime.date  # 1 January
    through: list[int]  # through[i]: the working days from 1 January to the i-th day after it, inclusive
    named: list[tuple[datetime.date, str]]  # the named non-working days (holidays), in order


# A span longer than this is counted from the years' sums (_Table.working_after); a shorter one day by day
# (a table read inside a transaction serves one call: summing whole years would cost it more than the walk).
_WALK_DAYS = 62


# The current scope's copy of the table: a dict while a request or a cached() block runs, else None.
_scope: ContextVar[dict | None] = ContextVar("wuding_calendar_scope", default=None)


VERSION_KEY = "cases:calendar:version"
PROCESS_COPY_SECONDS = 600
# This process's copy of the table: (version it was read under, monotonic time read, table), or None.
_process: tuple[str, float, _Table] | None = None


def _shared_table() -> _Table:
    """The table as committed: this process's copy while the table's version is unchanged, else read."""
    global _process
    if connection.in_atomic_block:
        return _Table()
    try:
        version = read_version(VERSION_KEY)
    except Exception:
        logger.warning("cache unavailable, calendar table read from the database", exc_info=True)
        return _Table()
    copy = _process
    now = time.monotonic()
    if copy is not None and copy[0] == version and now - copy[1] < PROCESS_COPY_SECONDS:
        return copy[2]
    table = _Table()
    _process = (version, now, table)
    return table


def _table() -> _Table:
    scope = _scope.get()
    if scope is None:
        return _shared_table()
    table = scope.get("table")
    if table is None:
        table = scope["table"] = _shared_table()
    return table


@contextlib.contextmanager
def cached():
    """Read the CalendarDay table at most once inside this block (nested blocks share the outer copy).
    Requests get this automatically; use it in tasks that compute many deadlines."""
    if _scope.get() is not None:
        yield
        return
    token = _scope.set({})
    try:
        yield
    finally:
        _scope.reset(token)


def scoped(key: str, factory):
    """A value read once per request (or per `cached()` block), e.g. the rule settings every case's deadlines
    read: list pages compute many cases' deadlines and must not query once per case. Outside a scope the
    factory is called every time."""
    scope = _scope.get()
    if scope is None:
        return factory()
    if key not in scope:
        scope[key] = factory()
    return scope[key]


def _start_request_scope(**kwargs):
    _scope.set({})


def _end_request_scope(**kwargs):
    _scope.set(None)


def _table_changed(**kwargs):
    scope = _scope.get()
    if scope is not None:
        scope.clear()


def _calendar_changed(**kwargs):
    """A holiday row saved or deleted: the scope's copy dropped, and a new version of the table now and
    when the transaction commits."""
    global _process
    _table_changed(**kwargs)
    _process = None
    renew_versions([VERSION_KEY], f"the calendar table (process copies stale up to {PROCESS_COPY_SECONDS} s)")


def connect_signals():
    """Called from CasesConfig.ready(): a request reads the table once; a saved or deleted row is seen
    at once by the scope that changed it (other requests read the table afresh anyway)."""
    from .models import CalendarDay, RuleSettings

    request_started.connect(_start_request_scope, dispatch_uid="cases.calendar.request_started")
    request_finished.connect(_end_request_scope, dispatch_uid="cases.calendar.request_finished")
    post_save.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="cases.calendar.saved")
    post_delete.connect(_calendar_changed, sender=CalendarDay, dispatch_uid="cases.calendar.deleted")
    post_save.connect(_table_changed, sender=RuleSettings, dispatch_uid="cases.calendar.rules_saved")


# --- Public API ------------------------------------------------------------------------------------------


def day_info(day: datetime.date) -> DayInfo:
    """(is_working, name, source) for one day; the CalendarDay table wins over chinesecalendar."""
    return _table().info(day)


def is_working_day(day: datetime.date) -> bool:
    return _table().is_working(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, else the first working day after it."""
    table = _table()
    for _ in range(_MAX_SCAN_DAYS):
        if table.is_working(day):
            return day
        day += ONE_DAY
    raise ValueError("节假日与调休表中连续非工作日过多，无法计算期限。")


def add_working_days(start: datetime.date, n: int) -> datetime.date:
    """The n-th working day after ``start`` (行政处罚法 第八十五条 working days; 民法典 第二百零一条: the start
    day is not counted).
    A negative n counts back: the n-th working day before ``start``; 0 returns ``start``."""
    table = _table()
    step = ONE_DAY if n >= 0 else -ONE_DAY
    left = abs(n)
    day = start
    scanned = 0
    while left:
        day += step
        scanned += 1
        if scanned > _MAX_SCAN_DAYS:
            raise ValueError("节假日与调休表中连续非工作日过多，无法计算期限。")
        if table.is_working(day):
            left -= 1
    return day


def working_days_between(a: datetime.date, b: datetime.date) -> int:
    """Working days after ``a`` up to and including ``b``; negative (the same count, reversed) if b < a."""
    if b < a:
        return -working_days_between(b, a)
    table = _table()
    if (b - a).days > _WALK_DAYS:
        return table.working_after(a, b)
    count = 0
    day = a + ONE_DAY
    while day <= b:
        count += table.is_working(day)
        day += ONE_DAY
    return count


def calendar_deadline(start: datetime.date, days: int) -> datetime.date:
    """Last day of a period counted in calendar days (15日, 90日 ...): the start day is not counted, and a
    period whose last day is a holiday or rest day ends on the next working day (民法典 第二百零一条、
    第二百零三条)."""
    return next_working_day(start + datetime.timedelta(days=days))


def skipped_holidays(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, str]]:
    """Named holidays (not ordinary weekends) in (start, end], each as (date, name)."""
    table = _table()
    found = []
    day = start + ONE_DAY
    while day <= end:
        info = table.info(day)
        if not info.is_working and info.name:
            found.append((day, info.name))
        day += ONE_DAY
    return found


def holiday_periods(start: datetime.date, end: datetime.date) -> list[HolidayPeriod]:
    """The named holidays in (start, end] grouped into runs for display. A run ends at a working day, so an
    ordinary weekend inside a holiday run does not split it; names are joined in order: 国庆节、中秋节."""
    table = _table()
    if (end - start).days > _WALK_DAYS:
        return _holiday_runs(table, start, end)
    return _holiday_walk(table, start, end)


def _holiday_walk(table: "_Table", start: datetime.date, end: datetime.date) -> list[HolidayPeriod]:
    """holiday_periods() by a walk from day to day (short spans; the rule _holiday_runs follows)."""
    periods: list[HolidayPeriod] = []
    current: HolidayPeriod | None = None
    names: list[str] = []
    day = start + ONE_DAY
    while day <= end:
        info = table.info(day)
        if info.is_working:
            current = None
        elif info.name:
            if current is None:
                names = []
                current = HolidayPeriod(name="", first=day, last=day)
                periods.append(current)
            if info.name not in names:
                names.append(info.name)
            current.name = "、".join(names)
            current.last = day
            current.days.append(day)
        day += ONE_DAY
    return periods


def _holiday_runs(table: _Table, start: datetime.date, end: datetime.date) -> list[HolidayPeriod]:
    """holiday_periods() from the years' named holidays: two named days are in one run when no working day
    lies between them (the walk's rule: a run ends at a working day)."""
    periods: list[HolidayPeriod] = []
    current: HolidayPeriod | None = None
    names: list[str] = []
    for day, name in table.named_days(start, end):
        if current is None or table.working_after(current.last, day):
            names = []
            current = HolidayPeriod(name="", first=day, last=day)
            periods.append(current)
        if name not in names:
            names.append(name)
        current.name = "、".join(names)
        current.last = day
        current.days.append(day)
    return periods


def uses_fallback(start: datetime.date, end: datetime.date) -> bool:
    """True when some day in [start, end] falls in a year that neither the table nor chinesecalendar knows,
    so it was counted as plain Monday–Friday and the page must say so."""
    if end < start:
        start, end = end, start
    table = _table()
    return any(not table.year_known(year) for year in range(start.year, end.year + 1))


FALLBACK_WARNING = "该期限涉及的年份尚无官方节假日安排，按周一至周五计算，请管理员在“节假日与调休”中补录。"
