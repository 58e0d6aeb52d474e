"""The working-day calendar on real holiday periods (国务院办公厅 holiday notices for 2025 and 2026, as shipped in
chinesecalendar), the admin table that overrides it, and the Monday–Friday fallback for unknown years."""

import datetime

import pytest

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import CalendarDay

pytestmark = pytest.mark.django_db

D = datetime.date


# --- The official calendar as the package knows it ----------------------------------------------------------


def test_national_day_2025_runs_from_october_1_to_8_with_two_adjusted_working_weekend_days():
    for day in range(1, 9):
        assert not calendar.is_working_day(D(2025, 10, day)), f"2025-10-{day} should be a holiday"
    # 调休: Sunday 28 September and Saturday 11 October 2025 are working days.
    assert D(2025, 9, 28).weekday() == 6 and calendar.is_working_day(D(2025, 9, 28))
    assert D(2025, 10, 11).weekday() == 5 and calendar.is_working_day(D(2025, 10, 11))
    # An ordinary weekend stays a rest day.
    assert not calendar.is_working_day(D(2025, 10, 12))


def test_day_info_names_holidays_in_chinese_and_says_where_the_answer_came_from():
    assert calendar.day_info(D(2025, 10, 1)) == (False, "国庆节", "chinesecalendar")
    assert calendar.day_info(D(2025, 10, 6)) == (False, "中秋节", "chinesecalendar")
    assert calendar.day_info(D(2025, 9, 28)) == (True, "国庆节调休上班", "chinesecalendar")
    assert calendar.day_info(D(2026, 2, 17)) == (False, "春节", "chinesecalendar")
    assert calendar.day_info(D(2026, 3, 1)) == (False, "", "chinesecalendar")  # an ordinary Sunday
    assert calendar.day_info(D(2026, 3, 2)) == (True, "", "chinesecalendar")


def test_spring_festival_2026_runs_from_february_15_to_23_with_adjusted_saturdays():
    for day in range(15, 24):
        assert not calendar.is_working_day(D(2026, 2, day))
    assert calendar.is_working_day(D(2026, 2, 14))  # Saturday, 调休
    assert calendar.is_working_day(D(2026, 2, 28))  # Saturday, 调休
    assert calendar.is_working_day(D(2026, 2, 24))


def test_fifteen_working_days_before_national_day_2025_skip_the_holiday_and_use_the_adjusted_days():
    # Lead received Wednesday 24 September 2025; the start day is not counted. Counting working days:
    # 25 Thu 1, 26 Fri 2, (27 Sat rest), 28 Sun 调休 3, 29 Mon 4, 30 Tue 5, (1–8 Oct 国庆节、中秋节),
    # 9 Thu 6, 10 Fri 7, 11 Sat 调休 8, (12 Sun), 13 Mon 9, 14 10, 15 11, 16 12, 17 Fri 13, (18, 19),
    # 20 Mon 14, 21 Tue 15  →  due Tuesday 21 October 2025.
    assert calendar.add_working_days(D(2025, 9, 24), 15) == D(2025, 10, 21)


def test_fifteen_working_days_before_spring_festival_2026_skip_the_holiday_and_use_the_adjusted_days():
    # Lead received Monday 9 February 2026. 10 Tue 1, 11 2, 12 3, 13 Fri 4, 14 Sat 调休 5,
    # (15–23 Feb 春节), 24 Tue 6, 25 7, 26 8, 27 Fri 9, 28 Sat 调休 10, (1 Mar Sun), 2 Mon 11, 3 12, 4 13,
    # 5 14, 6 Fri 15  →  due Friday 6 March 2026.
    assert calendar.add_working_days(D(2026, 2, 9), 15) == D(2026, 3, 6)


def test_the_start_day_is_not_counted():
    # Monday 2 March 2026 + 1 working day is Tuesday 3 March, not Monday itself.
    assert calendar.add_working_days(D(2026, 3, 2), 1) == D(2026, 3, 3)
    # From a Friday, the first working day is the next Monday.
    assert calendar.add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)
    assert calendar.add_working_days(D(2026, 3, 2), 0) == D(2026, 3, 2)


def test_counting_back_finds_the_working_day_before():
    # Seven working days before Friday 9 October 2026 (国庆 1–7 Oct, 调休 Sunday 20 Sep and Saturday 10 Oct):
    # 8 Thu 1, (1–7 Oct), 30 Sep Wed 2, 29 3, 28 Mon 4, (27, 26 Sat, 25 Fri 中秋), 24 Thu 5, 23 6, 22 Tue 7.
    assert calendar.add_working_days(D(2026, 10, 9), -7) == D(2026, 9, 22)


def test_working_days_between_counts_after_the_first_date_up_to_and_including_the_second():
    assert calendar.working_days_between(D(2026, 3, 2), D(2026, 3, 6)) == 4
    # Across 春节: 10–14 Feb (5, with 调休 Saturday 14) and 24 Feb.
    assert calendar.working_days_between(D(2026, 2, 9), D(2026, 2, 24)) == 6
    assert calendar.working_days_between(D(2026, 2, 24), D(2026, 2, 9)) == -6
    assert calendar.working_days_between(D(2026, 3, 6), D(2026, 3, 6)) == 0


def test_a_calendar_day_period_ending_on_a_holiday_ends_on_the_next_working_day():
    # 5 July 2026 + 90 days = Saturday 3 October 2026, inside 国庆 (1–7 Oct): the period ends Thursday 8 Oct.
    assert calendar.calendar_deadline(D(2026, 7, 5), 90) == D(2026, 10, 8)
    # 16 September 2025 + 15 days = 1 October 2025 (国庆节): moves past the holiday to Thursday 9 October.
    assert calendar.calendar_deadline(D(2025, 9, 16), 15) == D(2025, 10, 9)


def test_a_calendar_day_period_ending_on_a_working_day_is_not_moved():
    # 2 March 2026 + 30 days = Wednesday 1 April 2026.
    assert calendar.calendar_deadline(D(2026, 3, 2), 30) == D(2026, 4, 1)


def test_skipped_holidays_list_named_holidays_but_not_ordinary_weekends():
    skipped = calendar.skipped_holidays(D(2026, 2, 9), D(2026, 3, 6))
    assert [day for day, _ in skipped] == [D(2026, 2, day) for day in range(15, 24)]
    assert {name for _, name in skipped} == {"春节"}


def test_holiday_periods_group_national_day_and_mid_autumn_2025_into_one_run():
    periods = calendar.holiday_periods(D(2025, 9, 24), D(2025, 10, 21))
    assert len(periods) == 1
    assert periods[0].label == "国庆节、中秋节 2025年10月1日至10月8日"
    assert len(periods[0].days) == 8


def test_holiday_periods_only_cover_the_days_after_the_start():
    periods = calendar.holiday_periods(D(2025, 10, 5), D(2025, 10, 21))
    assert periods[0].first == D(2025, 10, 6)
    assert periods[0].label == "中秋节、国庆节 2025年10月6日至10月8日"


# --- The admin table wins ------------------------------------------------------------------------------------


def test_a_calendar_day_row_overrides_the_package():
    # Monday 2 March 2026 + 5 working days is Monday 9 March; declaring Wednesday 4 March a holiday moves it.
    assert calendar.add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)
    CalendarDay.objects.create(date=D(2026, 3, 4), is_working_day=False, name="地方节假日")
    assert calendar.day_info(D(2026, 3, 4)) == (False, "地方节假日", "table")
    assert calendar.add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 10)
    assert calendar.skipped_holidays(D(2026, 3, 2), D(2026, 3, 10)) == [(D(2026, 3, 4), "地方节假日")]


def test_a_calendar_day_row_can_turn_a_package_holiday_into_a_working_day():
    assert not calendar.is_working_day(D(2026, 2, 23))
    CalendarDay.objects.create(date=D(2026, 2, 23), is_working_day=True, name="春节调休上班")
    assert calendar.is_working_day(D(2026, 2, 23))


def test_a_row_saved_inside_a_cached_block_is_seen_at_once(django_assert_num_queries):
    with calendar.cached():
        # One query reads the table; later calls in the block reuse it.
        with django_assert_num_queries(1):
            assert calendar.is_working_day(D(2026, 3, 4))
            assert calendar.add_working_days(D(2026, 3, 2), 5) == D(2026, 3, 9)
            assert calendar.working_days_between(D(2026, 3, 2), D(2026, 3, 31)) == 21
        CalendarDay.objects.create(date=D(2026, 3, 4), is_working_day=False, name="地方节假日")
        assert not calendar.is_working_day(D(2026, 3, 4))
        row = CalendarDay.objects.get(date=D(2026, 3, 4))
        row.delete()
        assert calendar.is_working_day(D(2026, 3, 4))


# --- Years the package does not know ------------------------------------------------------------------------


def test_an_unknown_year_falls_back_to_monday_to_friday_and_is_flagged():
    # chinesecalendar stops at 2026. Monday 1 February 2027 + 15 working days, Monday–Friday only, is
    # three weeks later: Monday 22 February 2027.
    assert calendar.day_info(D(2027, 2, 1)) == (True, "", "fallback")
    assert calendar.add_working_days(D(2027, 2, 1), 15) == D(2027, 2, 22)
    assert calendar.uses_fallback(D(2027, 2, 1), D(2027, 2, 22))
    assert calendar.uses_fallback(D(2026, 12, 20), D(2027, 1, 10))
    assert not calendar.uses_fallback(D(2026, 2, 9), D(2026, 3, 6))


def test_a_table_entered_for_2027_is_honoured_and_clears_the_warning():
    # Illustrative rows (the 2027 notice is not out yet): an admin enters five days of 春节, 8–12 Feb 2027.
    for day in range(8, 13):
        CalendarDay.objects.create(date=D(2027, 2, day), is_working_day=False, name="春节")
    # From Monday 1 Feb: 2–5 Feb (4), (8–12 Feb 春节), 15–19 (9), 22–26 (14), Monday 1 March (15).
    assert calendar.add_working_days(D(2027, 2, 1), 15) == D(2027, 3, 1)
    assert not calendar.uses_fallback(D(2027, 2, 1), D(2027, 3, 1))
    assert calendar.day_info(D(2027, 3, 1)) == (True, "", "table")
    assert [p.label for p in calendar.holiday_periods(D(2027, 2, 1), D(2027, 3, 1))] == [
        "春节 2027年2月8日至2月12日"
    ]


def test_a_request_reads_the_holiday_table_once_and_forgets_it_afterwards(client):
    from django.core.signals import request_started
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    queries = []

    def compute_during_the_request(**kwargs):
        with CaptureQueriesContext(connection) as captured:
            calendar.add_working_days(D(2026, 2, 9), 15)
            calendar.holiday_periods(D(2026, 2, 9), D(2026, 3, 6))
        queries.append(len(captured))

    request_started.connect(compute_during_the_request)
    try:
        client.get("/")
    finally:
        request_started.disconnect(compute_during_the_request)
    assert queries == [1]
    # After the request a new row is seen without any cache to clear.
    CalendarDay.objects.create(date=D(2026, 3, 4), is_working_day=False, name="地方节假日")
    assert not calendar.is_working_day(D(2026, 3, 4))
