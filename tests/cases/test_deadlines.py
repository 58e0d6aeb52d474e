"""The case clock: the 立案 decision in working days and the 90-day decision limit in calendar days, on real
cases taken through real approvals, with time frozen."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template.loader import render_to_string

from tests.conftest import file_case
from wuding_enforcement.cases.deadlines import case_deadlines
from wuding_enforcement.cases.models import ApprovalKind, CalendarDay, Case, CasePause, PauseKind
from wuding_enforcement.cases.workflow import Procedure, Stage

pytestmark = pytest.mark.django_db

D = datetime.date
SHANGHAI = ZoneInfo("Asia/Shanghai")


def on(day: datetime.date):
    """Freeze the clock at 10:00 Beijing time on the given day."""
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI), tick=False
    )


def by_key(case, today):
    return {d.key: d for d in case_deadlines(case, today)}


def approve(case, kind, days, *, officer, unit_head, bureau_head):
    approval = case.request_approval(kind, by=officer, reason="案情复杂，需延长期限。", days=days)
    approval.give_opinion(unit_head, agree=True, opinion="拟同意延长。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意延长。")
    return approval


@pytest.fixture
def lead_before_national_day(make_case):
    with on(D(2025, 9, 24)):
        return make_case(lead_date=D(2025, 9, 24))


@pytest.fixture
def lead_before_spring_festival(make_case):
    with on(D(2026, 2, 9)):
        return make_case(lead_date=D(2026, 2, 9))


@pytest.fixture
def case_filed_in_march(make_case, unit_head, bureau_head, officer):
    """A lead of Friday 27 February 2026, filed on Monday 2 March 2026."""
    with on(D(2026, 2, 27)):
        case = make_case(lead_date=D(2026, 2, 27))
    with on(D(2026, 3, 2)):
        return file_case(case, unit_head, bureau_head, officer)


# --- 立案 within 15 working days ---------------------------------------------------------------------------


def test_the_filing_deadline_skips_national_day_2025(lead_before_national_day):
    # Lead Wednesday 24 Sep 2025, start day not counted: 25, 26, 28 (Sunday 调休), 29, 30 Sep = 5;
    # 1–8 Oct is 国庆节、中秋节; 9, 10, 11 (Saturday 调休) = 8; 13–17 Oct = 13; 20, 21 Oct = 15.
    filing = by_key(lead_before_national_day, D(2025, 9, 25))["filing"]
    assert filing.due == D(2025, 10, 21)
    assert filing.unit == "工作日"
    assert filing.start == D(2025, 9, 24)
    assert [p.label for p in filing.skipped] == ["国庆节、中秋节 2025年10月1日至10月8日"]
    assert not filing.uses_fallback


def test_the_filing_deadline_skips_spring_festival_2026(lead_before_spring_festival):
    # Lead Monday 9 Feb 2026: 10–13 Feb = 4, Saturday 14 Feb (调休) = 5; 15–23 Feb is 春节;
    # 24–27 Feb = 9, Saturday 28 Feb (调休) = 10; 2–6 Mar = 15.
    filing = by_key(lead_before_spring_festival, D(2026, 2, 10))["filing"]
    assert filing.due == D(2026, 3, 6)
    assert [p.label for p in filing.skipped] == ["春节 2026年2月15日至2月23日"]


def test_a_lead_has_no_decision_deadline_until_it_is_filed(lead_before_spring_festival):
    assert list(by_key(lead_before_spring_festival, D(2026, 2, 10))) == ["filing"]


def test_the_filing_deadline_is_green_well_before_amber_three_days_before_and_red_after(
    lead_before_spring_festival,
):
    case = lead_before_spring_festival
    # Friday 27 Feb: working days left up to 6 Mar are Saturday 28 Feb (调休) and 2–6 Mar = 6.
    early = by_key(case, D(2026, 2, 27))["filing"]
    assert (early.status, early.remaining) == ("ok", 6)
    # Tuesday 3 Mar: 4, 5, 6 Mar left.
    close = by_key(case, D(2026, 3, 3))["filing"]
    assert (close.status, close.remaining) == ("amber", 3)
    last_day = by_key(case, D(2026, 3, 6))["filing"]
    assert (last_day.status, last_day.remaining) == ("amber", 0)
    # Monday 9 Mar: one working day late.
    late = by_key(case, D(2026, 3, 9))["filing"]
    assert (late.status, late.remaining) == ("red", -1)
    # Saturday 7 Mar: no working day has passed, but the deadline has.
    assert by_key(case, D(2026, 3, 7))["filing"].status == "red"


def test_the_filing_deadline_is_met_when_the_case_is_filed(
    lead_before_spring_festival, unit_head, bureau_head, officer
):
    with on(D(2026, 3, 5)):
        case = file_case(lead_before_spring_festival, unit_head, bureau_head, officer)
    filing = by_key(case, D(2026, 3, 20))["filing"]
    assert filing.status == "met"
    assert filing.met_on == D(2026, 3, 5)
    assert filing.remaining == 1  # filed one working day before the 6 March deadline


def test_the_filing_deadline_is_met_by_a_decision_not_to_file(
    lead_before_spring_festival, unit_head, bureau_head, officer
):
    with on(D(2026, 3, 4)):
        approval = lead_before_spring_festival.request_approval(
            ApprovalKind.NOT_FILING, by=officer, reason="违法事实不成立。"
        )
        approval.give_opinion(unit_head, agree=True, opinion="拟同意不予立案。")
        approval.give_opinion(bureau_head, agree=True, opinion="同意不予立案。")
    case = Case.objects.get(pk=lead_before_spring_festival.pk)
    assert case.stage == Stage.NOT_FILED
    filing = by_key(case, D(2026, 3, 20))["filing"]
    assert (filing.status, filing.met_on) == ("met", D(2026, 3, 4))
    assert "decision" not in by_key(case, D(2026, 3, 20))


def test_an_approved_filing_extension_adds_fifteen_working_days(
    lead_before_spring_festival, officer, unit_head, bureau_head
):
    with on(D(2026, 3, 2)):
        approve(
            lead_before_spring_festival,
            ApprovalKind.FILING_EXTENSION,
            15,
            officer=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
        )
    filing = by_key(lead_before_spring_festival, D(2026, 3, 3))["filing"]
    # 6 Mar was day 15; 9–13 Mar = 20, 16–20 Mar = 25, 23–27 Mar = 30.
    assert filing.due == D(2026, 3, 27)
    assert filing.extended_by == 15
    assert filing.status == "ok"


def test_a_pending_filing_extension_changes_nothing(lead_before_spring_festival, officer, unit_head):
    with on(D(2026, 3, 2)):
        approval = lead_before_spring_festival.request_approval(
            ApprovalKind.FILING_EXTENSION, by=officer, reason="需补充核查。", days=15
        )
        approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    assert by_key(lead_before_spring_festival, D(2026, 3, 3))["filing"].due == D(2026, 3, 6)


def test_testing_time_before_filing_is_not_counted(lead_before_spring_festival, officer):
    # Samples sent for testing on Tuesday 24 Feb, report received Tuesday 3 Mar: the working days after 24 Feb
    # up to 3 Mar are 25, 26, 27, 28 (调休) Feb and 2, 3 Mar = 6, so the deadline moves 6 working days past
    # 6 Mar: 9–13 Mar = 5, Monday 16 Mar = 6.
    CasePause.objects.create(
        case=lead_before_spring_festival,
        kind=PauseKind.TESTING,
        start=D(2026, 2, 24),
        end=D(2026, 3, 3),
        created_by=officer,
    )
    filing = by_key(lead_before_spring_festival, D(2026, 3, 4))["filing"]
    assert filing.paused_days == 6
    assert filing.due == D(2026, 3, 16)


def test_the_filing_clock_shows_paused_while_testing_is_under_way(lead_before_spring_festival, officer):
    CasePause.objects.create(
        case=lead_before_spring_festival, kind=PauseKind.TESTING, start=D(2026, 2, 24), created_by=officer
    )
    filing = by_key(lead_before_spring_festival, D(2026, 2, 26))["filing"]
    assert filing.status == "paused"
    assert filing.paused_days == 2  # 25 and 26 Feb so far


def test_a_hearing_pause_does_not_stop_the_filing_clock(lead_before_spring_festival, officer):
    CasePause.objects.create(
        case=lead_before_spring_festival,
        kind=PauseKind.HEARING,
        start=D(2026, 2, 24),
        end=D(2026, 3, 3),
        created_by=officer,
    )
    assert by_key(lead_before_spring_festival, D(2026, 3, 4))["filing"].due == D(2026, 3, 6)


def test_a_calendar_day_row_moves_the_filing_deadline(make_case):
    # Lead Monday 2 Nov 2026: 3–6 Nov = 4, 9–13 = 9, 16–20 = 14, Monday 23 Nov = 15.
    with on(D(2026, 11, 2)):
        case = make_case(lead_date=D(2026, 11, 2))
    assert by_key(case, D(2026, 11, 3))["filing"].due == D(2026, 11, 23)
    CalendarDay.objects.create(date=D(2026, 11, 10), is_working_day=False, name="地方节假日")
    filing = by_key(case, D(2026, 11, 3))["filing"]
    assert filing.due == D(2026, 11, 24)
    assert [p.label for p in filing.skipped] == ["地方节假日 2026年11月10日"]


def test_a_2027_deadline_falls_back_to_monday_to_friday_and_says_so(make_case):
    # Lead Monday 1 Feb 2027, a year chinesecalendar does not know: three plain weeks, Monday 22 Feb 2027.
    with on(D(2027, 2, 1)):
        case = make_case(lead_date=D(2027, 2, 1))
    filing = by_key(case, D(2027, 2, 2))["filing"]
    assert filing.due == D(2027, 2, 22)
    assert filing.uses_fallback
    html = render_to_string("cases/_deadlines.html", {"deadlines": [filing]})
    assert "尚无官方节假日安排，按周一至周五计算" in html


def test_a_2027_deadline_honours_the_table_once_the_admin_enters_the_year(make_case):
    with on(D(2027, 2, 1)):
        case = make_case(lead_date=D(2027, 2, 1))
    # Illustrative rows for 春节 2027 (the notice is not out yet): 8–12 Feb off.
    for day in range(8, 13):
        CalendarDay.objects.create(date=D(2027, 2, day), is_working_day=False, name="春节")
    filing = by_key(case, D(2027, 2, 2))["filing"]
    # 2–5 Feb = 4, 15–19 = 9, 22–26 = 14, Monday 1 Mar = 15.
    assert filing.due == D(2027, 3, 1)
    assert not filing.uses_fallback


# --- The 90-day decision limit ------------------------------------------------------------------------------


def test_the_decision_limit_is_ninety_calendar_days_moved_off_a_weekend(case_filed_in_march):
    # Filed Monday 2 March 2026: +29 = 31 Mar, +30 = 30 Apr, +31 = 31 May (a Sunday) → Monday 1 June.
    decision = by_key(case_filed_in_march, D(2026, 3, 3))["decision"]
    assert (decision.start, decision.due, decision.unit) == (D(2026, 3, 2), D(2026, 6, 1), "日")
    assert decision.remaining == (D(2026, 6, 1) - D(2026, 3, 3)).days
    assert decision.status == "ok"


def test_the_filing_deadline_of_a_filed_case_is_met(case_filed_in_march):
    filing = by_key(case_filed_in_march, D(2026, 3, 3))["filing"]
    assert (filing.status, filing.met_on) == ("met", D(2026, 3, 2))


def test_a_decision_limit_ending_in_national_day_moves_to_the_next_working_day(
    make_case, unit_head, bureau_head, officer
):
    # Filed Sunday 5 July 2026: +26 = 31 Jul, +31 = 31 Aug, +30 = 30 Sep, +3 = Saturday 3 Oct, inside 国庆
    # (1–7 Oct 2026) → Thursday 8 October.
    with on(D(2026, 7, 3)):
        case = make_case(lead_date=D(2026, 7, 3))
    with on(D(2026, 7, 5)):
        case = file_case(case, unit_head, bureau_head, officer)
    decision = by_key(case, D(2026, 7, 6))["decision"]
    assert decision.due == D(2026, 10, 8)
    assert [p.label for p in decision.skipped][-1] == "国庆节 2026年10月1日至10月7日"


def test_an_approved_extension_adds_thirty_days(case_filed_in_march, officer, unit_head, bureau_head):
    with on(D(2026, 5, 20)):
        approve(
            case_filed_in_march,
            ApprovalKind.DECISION_EXTENSION,
            30,
            officer=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
        )
    decision = by_key(case_filed_in_march, D(2026, 5, 21))["decision"]
    # 2 March + 120 days = 31 May + 30 = Tuesday 30 June 2026.
    assert decision.due == D(2026, 6, 30)
    assert decision.extended_by == 30


def test_hearing_time_is_not_counted(case_filed_in_march, officer):
    # Hearing from 10 to 20 April: 10 days (11–20 April) are not counted: 2 March + 100 days = Wednesday 10 June.
    CasePause.objects.create(
        case=case_filed_in_march,
        kind=PauseKind.HEARING,
        start=D(2026, 4, 10),
        end=D(2026, 4, 20),
        created_by=officer,
    )
    decision = by_key(case_filed_in_march, D(2026, 4, 21))["decision"]
    assert decision.paused_days == 10
    assert decision.due == D(2026, 6, 10)
    assert decision.status == "ok"


def test_overlapping_pauses_are_counted_once(case_filed_in_march, officer):
    # Testing 10–20 April and a hearing 15–25 April together cover 11–25 April: 15 days → Monday 15 June.
    CasePause.objects.create(
        case=case_filed_in_march,
        kind=PauseKind.TESTING,
        start=D(2026, 4, 10),
        end=D(2026, 4, 20),
        created_by=officer,
    )
    CasePause.objects.create(
        case=case_filed_in_march,
        kind=PauseKind.HEARING,
        start=D(2026, 4, 15),
        end=D(2026, 4, 25),
        created_by=officer,
    )
    decision = by_key(case_filed_in_march, D(2026, 4, 30))["decision"]
    assert decision.paused_days == 15
    assert decision.due == D(2026, 6, 15)


def test_a_suspended_case_shows_paused_and_its_limit_moves_day_by_day(case_filed_in_march, officer):
    with on(D(2026, 4, 10)):
        case_filed_in_march.advance(Stage.SUSPENDED, actor=officer, reason="当事人下落不明，案件中止。")
    decision = by_key(case_filed_in_march, D(2026, 4, 15))["decision"]
    # Five days (11–15 April) so far: 2 March + 95 days = Friday 5 June.
    assert decision.status == "paused"
    assert decision.paused_days == 5
    assert decision.due == D(2026, 6, 5)
    later = by_key(case_filed_in_march, D(2026, 4, 25))["decision"]
    assert later.due == D(2026, 6, 15)
    assert later.remaining == decision.remaining


def test_the_decision_limit_turns_amber_and_then_red(case_filed_in_march):
    assert by_key(case_filed_in_march, D(2026, 5, 28))["decision"].status == "ok"
    amber = by_key(case_filed_in_march, D(2026, 5, 29))["decision"]
    assert (amber.status, amber.remaining) == ("amber", 3)
    red = by_key(case_filed_in_march, D(2026, 6, 3))["decision"]
    assert (red.status, red.remaining) == ("red", -2)


def test_the_decision_limit_is_met_on_the_decision_date(case_filed_in_march):
    # The decision date is written by Case.advance(); the deadline rule reads only the date.
    case_filed_in_march.decided_on = D(2026, 5, 20)
    case_filed_in_march.save(update_fields=["decided_on"])
    decision = by_key(case_filed_in_march, D(2026, 7, 1))["decision"]
    assert (decision.status, decision.met_on) == ("met", D(2026, 5, 20))
    assert decision.remaining == 12  # 20 May to 1 June


def test_a_simple_procedure_case_has_no_filing_or_ninety_day_deadline(make_case):
    with on(D(2026, 3, 2)):
        case = make_case(procedure=Procedure.SIMPLE, lead_date=D(2026, 3, 2))
    keys = {d.key for d in case.deadlines(D(2026, 3, 3))}
    assert not keys & {"filing", "decision"}


def test_case_deadlines_default_to_today(lead_before_spring_festival):
    with on(D(2026, 3, 3)):
        filing = {d.key: d for d in lead_before_spring_festival.deadlines()}["filing"]
    assert filing.remaining == 3


def test_deadlines_of_many_prefetched_cases_cost_one_query_for_the_calendar(
    case_filed_in_march,
    lead_before_spring_festival,
    lead_before_national_day,
    django_assert_num_queries,
):
    from wuding_enforcement.cases import calendar
    from wuding_enforcement.cases.deadlines import deadline_prefetch

    # approvals, pauses, transitions and what the systems' providers declare (recording: documents).
    cases = list(Case.objects.prefetch_related(*deadline_prefetch()))
    with calendar.cached(), django_assert_num_queries(1):  # the CalendarDay table, read once
        for case in cases:
            case_deadlines(case, D(2026, 3, 3))


# --- The partial -------------------------------------------------------------------------------------------


def test_the_partial_shows_dates_in_chinese_the_status_class_and_the_skipped_holidays(
    lead_before_spring_festival,
):
    deadlines = case_deadlines(lead_before_spring_festival, D(2026, 3, 3))
    html = render_to_string("cases/_deadlines.html", {"deadlines": deadlines})
    assert "立案审查期限" in html
    assert "2026年2月9日" in html and "2026年3月6日" in html
    assert "status amber" in html
    assert "跳过的节假日" in html and "春节 2026年2月15日至2月23日" in html
    assert "剩余3个工作日" in html
    assert "尚无官方节假日安排" not in html
