"""The calendar's year sums (cases/calendar.py _Table._year): a long span's working days and holiday runs read
from them equal the day-by-day walk on every kind of day — the package's years with their 调休, a year the
admin table decides (overriding days, adding a named holiday, making a weekend a working day), the
Monday–Friday fallback of a year nobody knows, and spans across several years."""

import datetime
import random

import pytest

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import CalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


def walk_count(a, b):
    table = calendar._table()
    count, day = 0, a + calendar.ONE_DAY
    while day <= b:
        count += table.is_working(day)
        day += calendar.ONE_DAY
    return count


@pytest.fixture
def admin_year():
    """2031: not in the package. The admin enters its 国庆节 (with a working Sunday) and one odd closure."""
    for n in range(1, 8):
        CalendarDay.objects.create(date=D(2031, 10, n), is_working_day=False, name="国庆节")
    CalendarDay.objects.create(date=D(2031, 9, 28), is_working_day=True, name="国庆节调休上班")
    CalendarDay.objects.create(date=D(2031, 3, 12), is_working_day=False, name="")  # unnamed closure


def test_long_spans_count_the_same_working_days_as_the_walk(admin_year):
    rng = random.Random(20261207)
    with calendar.cached():
        for _ in range(400):
            a = D(2023, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 11))
            b = a + datetime.timedelta(days=rng.randrange(calendar._WALK_DAYS + 1, 900))
            assert calendar.working_days_between(a, b) == walk_count(a, b), (a, b)
            assert calendar.working_days_between(b, a) == -walk_count(a, b), (a, b)


def test_long_spans_find_the_same_holiday_runs_as_the_walk(admin_year):
    rng = random.Random(7)
    with calendar.cached():
        for _ in range(150):
            start = D(2024, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 8))
            end = start + datetime.timedelta(days=rng.randrange(calendar._WALK_DAYS + 1, 800))
            fast = calendar.holiday_periods(start, end)
            # The walk over the whole span (holiday_periods walks spans up to _WALK_DAYS only).
            expected = calendar._holiday_walk(calendar._table(), start, end)
            assert fast == expected, (start, end)


def test_the_known_runs_across_a_year_end():
    runs = calendar.holiday_periods(D(2025, 9, 1), D(2026, 3, 1))
    assert [(r.name, r.first, r.last) for r in runs] == [
        ("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8)),
        ("元旦", D(2026, 1, 1), D(2026, 1, 3)),
        ("春节", D(2026, 2, 15), D(2026, 2, 23)),
    ]
    # 2025-09-01 .. 2026-03-01: the package's own count of working days, as walked.
    assert calendar.working_days_between(D(2025, 9, 1), D(2026, 3, 1)) == walk_count(
        D(2025, 9, 1), D(2026, 3, 1)
    )


def test_a_saved_day_is_counted_by_the_next_sums():
    with calendar.cached():
        before = calendar.working_days_between(D(2031, 1, 1), D(2031, 12, 31))
    CalendarDay.objects.create(date=D(2031, 6, 3), is_working_day=False, name="端午节")
    with calendar.cached():
        assert calendar.working_days_between(D(2031, 1, 1), D(2031, 12, 31)) == before - 1
        assert [r.name for r in calendar.holiday_periods(D(2031, 1, 1), D(2031, 12, 31))] == ["端午节"]
