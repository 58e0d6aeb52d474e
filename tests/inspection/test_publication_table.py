"""The inspection result's publication due date (国发〔2019〕5号: 20 working days) is a row of the deadline table
(cases/deadline_rows.py) like the decisions' publication clocks: written when the result is formed, its due
date counted over 中秋 and 国庆 2026, red in SQL the day after, met when published, and equal to what
`rebuild_deadlines --check` recomputes."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from inspection.models import Result
from tests.inspection.test_publication import RESULT_DAY, at, key_inspection  # noqa: F401 (fixture)
from wuding_enforcement.cases.deadline_rows import CaseDeadline
from wuding_enforcement.cases.deadline_sync import refresh_stale

pytestmark = pytest.mark.django_db


def _row(inspection):
    return CaseDeadline.objects.get(case=inspection.case, key=f"inspection_publication:{inspection.pk}")


def test_the_due_date_is_a_row_of_the_deadline_table_red_after_the_national_day(key_inspection, officer):  # noqa: F811
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
        refresh_stale()
        row = _row(key_inspection)
    assert (row.start, row.due, row.limit, row.unit) == (
        RESULT_DAY,
        datetime.date(2026, 10, 28),
        20,
        "工作日",
    )
    assert row.met_on is None
    last_day, late_day = datetime.date(2026, 10, 28), datetime.date(2026, 10, 29)
    with at(last_day):
        assert not CaseDeadline.objects.red(last_day, timezone.now()).filter(pk=row.pk).exists()
        call_command("rebuild_deadlines", "--check")  # the table agrees with the computed clocks
    with at(late_day):
        assert CaseDeadline.objects.red(late_day, timezone.now()).filter(pk=row.pk).exists()
        key_inspection.publish(by=officer, public_summary="食品经营条件检查：未发现问题。")
        refresh_stale()
        assert _row(key_inspection).met_on == late_day
        assert not CaseDeadline.objects.red(late_day, timezone.now()).filter(pk=row.pk).exists()
        # The statistics' 逾期环节 still see the late publication.
        assert (
            CaseDeadline.objects.late_in(last_day, last_day, late_day, timezone.now())
            .filter(pk=row.pk)
            .exists()
        )
        call_command("rebuild_deadlines", "--check")
