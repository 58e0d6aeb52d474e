"""The supervision dashboard reads the inspection system (issue 17 point 7): a result not published within its
20 working days is a 行政检查 figure and an overdue deadline; the filter by procedure (处罚/检查) keeps the
deadlines and panels of one kind only; a complaint and a low rating reach supervision (anonymous to the unit);
the year's inspections per unit and officer against the caps are on the page."""

import datetime
import re

import pytest

from inspection import feedback
from inspection.models import ComplaintKind, Result
from tests.conftest import login_as
from tests.inspection.test_publication import RESULT_DAY, at, key_inspection  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

DASHBOARD = "/staff/supervision/"
LATE = datetime.date(2026, 10, 29)  # the day after the 20 working days (due 10.28)


def figure_count(html, slug):
    match = re.search(rf'data-figure="{slug}"><span class="sv-count">(\d+)</span>', html)
    return int(match.group(1)) if match else None


@pytest.fixture
def late_result(key_inspection, officer):  # noqa: F811
    with at(RESULT_DAY):
        key_inspection.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    return key_inspection


def test_a_late_result_is_an_inspection_figure_and_an_overdue_deadline_of_the_inspection_kind(
    client, late_result, bureau_head
):
    login_as(client, bureau_head)
    with at(LATE):
        html = client.get(DASHBOARD).content.decode()
        assert figure_count(html, "inspection-unpublished") == 1
        assert figure_count(html, "overdue") == 1
        listed = client.get("/staff/supervision/dashboard/inspection-unpublished/").content.decode()
        assert late_result.number in listed and "逾期1个工作日" in listed
        # 行政处罚 only: the inspection's clock and the inspection panel are left out.
        penalty = client.get(DASHBOARD, {"procedure": "penalty"}).content.decode()
        assert figure_count(penalty, "overdue") == 0
        assert figure_count(penalty, "inspection-unpublished") is None
        assert "执法类别“行政处罚”" in penalty
        # 行政检查 only: the clock counted, the decisions' publication panel left out.
        inspection = client.get(DASHBOARD, {"procedure": "inspection"}).content.decode()
        assert figure_count(inspection, "overdue") == 1
        assert figure_count(inspection, "unpublished") is None
        overdue_list = client.get("/staff/supervision/dashboard/overdue/", {"procedure": "penalty"})
        assert late_result.case.number not in overdue_list.content.decode()
        # A panel of both kinds (audio-video): the inspection's 笔录 without AV (a reason given) is 检查's only.
        assert figure_count(html, "av-exempted") == 1
        assert figure_count(penalty, "av-exempted") == 0
        assert figure_count(inspection, "av-exempted") == 1
        # A value that names no procedure is ignored like the other filters.
        assert figure_count(client.get(DASHBOARD, {"procedure": "x"}).content.decode(), "overdue") == 1


def test_publishing_in_time_leaves_no_figure(client, late_result, bureau_head, officer):
    login_as(client, bureau_head)
    with at(datetime.date(2026, 10, 28)):
        late_result.publish(by=officer, public_summary="未发现问题。")
        html = client.get(DASHBOARD).content.decode()
    assert figure_count(html, "inspection-unpublished") == 0


def test_complaints_and_low_ratings_reach_the_dashboard_with_the_years_counts(
    client, late_result, bureau_head, officer
):
    with at(datetime.date(2026, 9, 24)):
        feedback.rate(late_result, score=1, comment="检查人员态度生硬。")
        feedback.complain(late_result, kind=ComplaintKind.COMPLAINT, text="检查时要求提供与检查无关的材料。")
    login_as(client, bureau_head)
    with at(datetime.date(2026, 9, 25)):
        html = client.get(DASHBOARD).content.decode()
        assert figure_count(html, "inspection-complaints") == 1
        assert figure_count(html, "inspection-low-rating") == 1
        assert 'data-table="inspection-units"' in html and 'data-table="inspection-officers"' in html
        assert "共1条，平均1.0星" in html
        listed = client.get("/staff/supervision/dashboard/inspection-complaints/").content.decode()
        assert "与检查无关的材料" in listed
        # 行政处罚 only: no inspection figures, no inspection counts.
        penalty = client.get(DASHBOARD, {"procedure": "penalty"}).content.decode()
        assert figure_count(penalty, "inspection-complaints") is None
        assert 'data-table="inspection-units"' not in penalty


def test_over_cap_repeated_and_emergency_inspections_are_figures_with_their_reasons(
    client, plan, entity, item, officers, officer, bureau_head
):
    from supervision import dashboard
    from tests.inspection.conftest import TODAY, register_case_inspection
    from tests.inspection.test_oversight import key

    key(entity, item, officers, officer, plan)
    key(entity, item, officers, officer, plan)
    over = key(entity, item, officers, officer, plan, over_cap_reason="上级交办。")
    urgent = register_case_inspection(entity, item, officers, by=officer, emergency_reason="现场正在销售。")
    items = dashboard.collect(TODAY, panels=["inspection"])
    assert [(i.subject, i.detail) for i in items["inspection-over-cap"]] == [(over.number, "上级交办。")]
    assert [(i.subject, i.detail) for i in items["inspection-emergency"]] == [
        (urgent.number, "现场正在销售。")
    ]
    # Four inspections of one entity on one day: three pairs within the window.
    assert len(items["inspection-repeated"]) == 3
    assert all(i.unit == over.unit for i in items["inspection-over-cap"])
    login_as(client, bureau_head)
    listed = client.get("/staff/supervision/dashboard/inspection-over-cap/").content.decode()
    assert over.number in listed and "上级交办。" in listed
