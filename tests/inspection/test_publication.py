"""Results are published within 20 working days of the result being formed (国发〔2019〕5号) — of the test report
where samples were taken — counted on the working-day calendar: 中秋 and 国庆 2026, with the adjusted working
Saturday 10月10日, move the due date a week later than plain Monday–Friday would."""

import datetime

import pytest
import time_machine

from inspection.models import Inspection, InspectionKind, InspectionPlan, PlanEntry, PlanKind, Result
from tests.inspection.conftest import walk_to_inspected
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db

RESULT_DAY = datetime.date(2026, 9, 23)  # a Wednesday, before 中秋 (9.25–27) and 国庆 (10.1–7)


def at(day, hour=10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour - 8, tzinfo=datetime.UTC), tick=False
    )


@pytest.fixture
def key_inspection(item, entity, officers, officer, bureau_head, admin_user):
    with at(RESULT_DAY):
        plan = InspectionPlan.objects.create(
            kind=PlanKind.ANNUAL, year=2026, title="2026年度计划", summary="x", created_by=admin_user
        )
        PlanEntry.objects.create(plan=plan, item=item, period="第三季度")
        plan.approve(by=bureau_head, on=datetime.date(2026, 3, 2))
        plan.record_filing(
            by=admin_user, justice_on=datetime.date(2026, 3, 5), superior_on=datetime.date(2026, 3, 5)
        )
        plan.publish(by=admin_user)
        inspection = Inspection.register(
            by=officer,
            kind=InspectionKind.KEY,
            entity=entity,
            item=item,
            officers=officers,
            planned_on=RESULT_DAY,
            reason="年度重点检查。",
            plan=plan,
        )
        inspection.approve(by=bureau_head, opinion="同意。")
        walk_to_inspected(inspection, officers, on=RESULT_DAY)
    return inspection


def test_the_due_date_is_twenty_working_days_after_the_result_over_the_national_day(key_inspection, officer):
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    # Worked out by hand from the State Council's 2026 notice: the working days after 9.23 are 9.24, 9.28–30,
    # 10.8, 10.9, 10.10 (the adjusted Saturday), 10.12–16, 10.19–23, 10.26, 10.27 and, the 20th, 10.28.
    assert key_inspection.publication_due() == datetime.date(2026, 10, 28)
    deadline = next(
        d for d in key_inspection.case.deadlines(datetime.date(2026, 10, 20)) if d.name == "检查结果公示期限"
    )
    assert deadline.due == datetime.date(2026, 10, 28) and deadline.limit == 20
    assert {p.name for p in deadline.skipped} >= {"国庆节"}
    assert not key_inspection.publication_overdue(datetime.date(2026, 10, 28))
    assert key_inspection.publication_overdue(datetime.date(2026, 10, 29))
    red = next(
        d for d in key_inspection.case.deadlines(datetime.date(2026, 10, 29)) if d.name == "检查结果公示期限"
    )
    assert red.status == "red"


def test_publishing_in_time_meets_the_clock_and_late_stays_flagged(key_inspection, officer):
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    with at(datetime.date(2026, 10, 29)):
        key_inspection.publish(by=officer, public_summary="食品经营条件检查：未发现问题。")
    assert key_inspection.publication_overdue()  # published, but a day late: supervision still sees it
    met = next(
        d for d in key_inspection.case.deadlines(datetime.date(2026, 11, 2)) if d.name == "检查结果公示期限"
    )
    assert met.met_on == datetime.date(2026, 10, 29) and met.status == "met"


def test_with_samples_the_clock_starts_at_the_test_report(key_inspection, officer):
    with at(RESULT_DAY):
        key_inspection.form_result(
            by=officer, result=Result.NONE_FOUND, summary="已抽样送检。", samples_taken=True
        )
        assert key_inspection.publication_due() is None  # no test report yet: the clock has not started
        with pytest.raises(Refused, match="检验报告出具后再公示"):
            key_inspection.publish(by=officer, public_summary="x")
    with at(datetime.date(2026, 9, 30)):
        key_inspection.record_test_report(by=officer, on=datetime.date(2026, 9, 30))
    # After 9.30: 10.8, 10.9, 10.10, 10.12–16, 10.19–23, 10.26–30, 11.2 and, the 20th, 11.3.
    assert key_inspection.publication_due() == datetime.date(2026, 11, 3)


def test_a_planned_inspection_closes_only_once_published(key_inspection, officer):
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
        with pytest.raises(TransitionRefused, match="检查结果尚未公示"):
            key_inspection.close(by=officer)
        key_inspection.publish(by=officer, public_summary="未发现问题。")
        key_inspection.close(by=officer)
    assert key_inspection.case.stage == Stage.CLOSED
    assert not key_inspection.publication_overdue(datetime.date(2026, 12, 1))


def test_the_publication_period_is_a_setting(key_inspection, officer):
    from inspection.models import InspectionSettings

    settings_row = InspectionSettings.current()
    settings_row.result_working_days = 7
    settings_row.save()
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    # 9.24, 9.28, 9.29, 9.30, 10.8, 10.9 and the adjusted Saturday 10.10.
    assert key_inspection.publication_due() == datetime.date(2026, 10, 10)


def test_supervisions_daily_reminders_pick_up_the_clock(key_inspection, officer):
    from supervision.models import Notification
    from supervision.reminders import scan

    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    scan(datetime.date(2026, 10, 29))
    titles = list(Notification.objects.filter(recipient=officer).values_list("title", flat=True))
    assert f"已逾期：{key_inspection.case.number} 检查结果公示期限" in titles
