"""The result's publication clock (国发〔2019〕5号) stays on the record after 结案 and 归档: shown met on the day the
result was published (late when that day was past the due date), kept as a row of the deadline table that
`rebuild_deadlines --check` agrees with, never counted as overdue on the dashboard, still counted among the
statistics' 逾期环节 when it was late; and a penalty case's clocks still read no inspection."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from inspection.clocks import inspection_deadlines
from inspection.models import Result
from tests.inspection.test_publication import RESULT_DAY, at, key_inspection  # noqa: F401 (fixture)
from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.cases.deadline_sync import refresh_stale
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage

pytestmark = pytest.mark.django_db

DUE = datetime.date(2026, 10, 28)  # 20 working days after RESULT_DAY over 中秋 and 国庆 (test_publication.py)
LATE = datetime.date(2026, 10, 29)


def _clock(inspection, today):
    case = Case.objects.get(pk=inspection.case_id)
    return next(d for d in case.deadlines(today) if d.name == "检查结果公示期限")


def _row(inspection):
    return CaseDeadline.objects.get(case=inspection.case_id, key=f"inspection_publication:{inspection.pk}")


def _publish_and_close(inspection, officer, day):
    with at(day):
        inspection.publish(by=officer, public_summary="食品经营条件检查：未发现问题。")
        inspection.close(by=officer)
        refresh_stale()


@pytest.fixture
def with_result(key_inspection, officer):  # noqa: F811
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    return key_inspection


def test_a_closed_inspection_shows_its_clock_met_on_the_publication_date(with_result, officer):
    _publish_and_close(with_result, officer, datetime.date(2026, 10, 9))
    assert with_result.case.stage == Stage.CLOSED
    clock = _clock(with_result, datetime.date(2026, 12, 1))
    assert (clock.status, clock.met_on, clock.due) == ("met", datetime.date(2026, 10, 9), DUE)
    assert clock.remaining > 0  # met with working days to spare: not late
    row = _row(with_result)
    assert row.met_on == datetime.date(2026, 10, 9) and row.due == DUE
    with at(datetime.date(2026, 12, 1)):
        call_command("rebuild_deadlines", "--check")
        assert not CaseDeadline.objects.red(datetime.date(2026, 12, 1), timezone.now()).filter(pk=row.pk)
        assert not CaseDeadline.objects.late_in(DUE, DUE, datetime.date(2026, 12, 1), timezone.now()).filter(
            pk=row.pk
        )


def test_a_late_publication_stays_late_after_closing(with_result, officer):
    _publish_and_close(with_result, officer, LATE)
    clock = _clock(with_result, datetime.date(2026, 12, 1))
    assert (clock.status, clock.met_on) == ("met", LATE)
    assert clock.remaining < 0  # met a day after the due date: the page shows it as met late
    row = _row(with_result)
    with at(datetime.date(2026, 12, 1)):
        call_command("rebuild_deadlines", "--check")
        now = timezone.now()
        # Not overdue on the dashboard (met), but still one of the year's late steps in the statistics.
        assert not CaseDeadline.objects.red(datetime.date(2026, 12, 1), now).filter(pk=row.pk).exists()
        assert (
            CaseDeadline.objects.late_in(DUE, DUE, datetime.date(2026, 12, 1), now).filter(pk=row.pk).exists()
        )
    assert with_result.publication_overdue()  # supervision's 公示逾期 reads the same dates


def test_the_clock_stays_once_the_case_is_archived(with_result, officer):
    _publish_and_close(with_result, officer, datetime.date(2026, 10, 9))
    # Archiving is recording's (the case file and its gates, tested there); here only the stage matters, so
    # the case is moved in memory (the stage is written by Case.advance() only).
    case = Case.objects.get(pk=with_result.case_id)
    case.stage = Stage.ARCHIVED
    (clock,) = inspection_deadlines(case, datetime.date(2027, 3, 1))
    assert clock.met_on == datetime.date(2026, 10, 9)


def test_the_closed_case_page_shows_the_met_clock(client, with_result, officer):
    from django.urls import reverse

    from tests.conftest import login_as

    _publish_and_close(with_result, officer, datetime.date(2026, 10, 9))
    login_as(client, officer)
    with at(datetime.date(2026, 12, 1)):
        page = client.get(reverse("cases:detail", args=[with_result.case_id])).content.decode()
    assert "检查结果公示期限" in page


def test_a_penalty_case_costs_no_query_for_the_inspection_clock(make_case, django_assert_num_queries):
    case = make_case()
    case.stage = Stage.CLOSED
    with django_assert_num_queries(0):
        assert inspection_deadlines(case, datetime.date(2026, 12, 1)) == []
