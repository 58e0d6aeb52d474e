"""Supervision handles the complaints and 回避 requests of the 检查码 page (Complaint.handle, inspection/
views_feedback.py): once, audited without what the enterprise wrote; a 回避 request gets its decision and, agreed
while the inspection is under way, what follows; answered within 3 working days or flagged overdue; the
inspecting unit's staff — and everyone but the supervisors — get a 404, a forged POST included."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from inspection.feedback import complain
from inspection.models import AvoidanceDecision, Complaint
from inspection.models.feedback import HANDLERS
from tests.conftest import login_as, make_staff
from tests.inspection.conftest import approved, register_case_inspection
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def task(frozen, entity, item, officers, officer, bureau_head):
    return approved(register_case_inspection(entity, item, officers, by=officer), bureau_head)


@pytest.fixture
def grievance(task):
    return complain(task, kind="complaint", text="检查人员态度粗暴。", contact="139-0000-0000")


@pytest.fixture
def avoidance(task, colleague):
    return complain(task, kind="avoidance", officer=colleague, text="该执法人员是我方竞争对手的亲属。")


def test_the_handlers_are_supervisions_own_roles():
    from supervision.models import SUPERVISORS

    assert set(HANDLERS) == set(SUPERVISORS)


def test_a_complaint_is_handled_once_and_the_audit_row_keeps_the_enterprises_words_out(grievance, reviewer):
    grievance.handle(by=reviewer, note="已约谈检查人员，责令改进工作作风。")
    assert grievance.handled_by == reviewer and grievance.handled_at is not None
    with pytest.raises(Refused, match="不能重复处理"):
        grievance.handle(by=reviewer, note="再次处理。")
    grievance.refresh_from_db()
    assert grievance.handling_note == "已约谈检查人员，责令改进工作作风。"
    event = AuditEvent.objects.get(action="inspection.complaint.handled")
    assert event.actor == reviewer and event.object_id == str(grievance.pk)
    assert "粗暴" not in str(event.detail) and "139" not in str(event.detail)
    assert AuditEvent.objects.filter(action="inspection.complaint.handle_refused").exists()


def test_an_avoidance_request_needs_a_decision_with_its_reason(avoidance, reviewer):
    with pytest.raises(Refused, match="请选择是否同意回避"):
        avoidance.handle(by=reviewer, note="已核实。")
    with pytest.raises(Refused, match="写明同意或不同意回避的理由"):
        avoidance.handle(by=reviewer, note="已核实。", decision=AvoidanceDecision.REFUSED)
    avoidance.handle(
        by=reviewer, note="已核实。", decision=AvoidanceDecision.REFUSED, decision_reason="未发现利害关系。"
    )
    assert avoidance.decision == AvoidanceDecision.REFUSED and avoidance.follow_up == ""


def test_an_agreed_avoidance_before_the_visit_says_the_officer_stops_and_what_follows(avoidance, reviewer):
    avoidance.handle(
        by=reviewer,
        note="经核实，王志强与申请人存在亲属关系。",
        decision=AvoidanceDecision.AGREED,
        decision_reason="与当事人有利害关系。",
    )
    assert avoidance.decision == AvoidanceDecision.AGREED
    # An inspection's officers are fixed by its 行政检查审批表 (the case's 变更承办人员 is 普通程序 only).
    assert "王志强不得继续参加本次检查" in avoidance.follow_up
    assert "终止本次检查" in avoidance.follow_up


def test_an_officer_whose_avoidance_was_agreed_takes_no_further_step_of_the_inspection(
    avoidance, reviewer, officers, officer
):
    """The decision binds the inspecting unit by the domain, not by the follow-up text alone: the notice stage
    is refused while the officer is on the case, and so is the on-site stage."""
    from tests.inspection.conftest import issue, notice_data
    from wuding_enforcement.cases.workflow import Stage, TransitionRefused

    case = avoidance.inspection.case
    issue(case, "inspection_notice", notice_data(), by=officer)
    avoidance.handle(
        by=reviewer,
        note="经核实，存在亲属关系。",
        decision=AvoidanceDecision.AGREED,
        decision_reason="与当事人有利害关系。",
    )
    with pytest.raises(TransitionRefused, match="王志强已于.*被决定回避，不能继续实施本次检查"):
        case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    case.refresh_from_db()
    assert case.stage != Stage.INSPECTION_NOTIFIED


def test_a_refused_avoidance_does_not_stop_the_inspection(avoidance, reviewer, officers, officer):
    from tests.inspection.conftest import issue, notice_data
    from wuding_enforcement.cases.workflow import Stage

    case = avoidance.inspection.case
    issue(case, "inspection_notice", notice_data(), by=officer)
    avoidance.handle(
        by=reviewer, note="已核实。", decision=AvoidanceDecision.REFUSED, decision_reason="未发现利害关系。"
    )
    case.advance(Stage.INSPECTION_NOTIFIED, actor=officer)
    assert case.stage == Stage.INSPECTION_NOTIFIED


def test_a_complaint_takes_no_avoidance_decision(grievance, reviewer):
    with pytest.raises(Refused, match="只有回避申请"):
        grievance.handle(by=reviewer, note="已处理。", decision=AvoidanceDecision.AGREED)


def test_the_inspecting_unit_and_other_roles_may_not_handle(grievance, officer, unit_head, records_keeper):
    for person in (officer, unit_head, records_keeper):
        with pytest.raises(Refused, match="无权处理"):
            grievance.handle(by=person, note="自行处理。")
    assert Complaint.objects.get(pk=grievance.pk).handled_at is None


def test_an_avoidance_request_unanswered_after_three_working_days_is_overdue(avoidance, reviewer, client):
    # Received Tuesday 12 May 2026: due Friday 15 May (13, 14, 15 are working days).
    assert avoidance.answer_due == datetime.date(2026, 5, 15)
    assert not avoidance.is_overdue(datetime.date(2026, 5, 15))
    assert avoidance.is_overdue(datetime.date(2026, 5, 18))
    with time_machine.travel(datetime.datetime(2026, 5, 18, 2, 0, tzinfo=datetime.UTC), tick=False):
        login_as(client, reviewer)
        page = client.get(reverse("inspection:complaints")).content.decode()
        assert "已逾期" in page
        avoidance.handle(by=reviewer, note="已核实。", decision="refused", decision_reason="无利害关系。")
    assert avoidance.is_overdue()  # answered late: stays marked late


# --- pages --------------------------------------------------------------------------------------------------


def test_a_supervisor_lists_opens_and_handles_a_complaint_in_the_browser(
    client, grievance, avoidance, reviewer, task
):
    login_as(client, reviewer)
    listing = client.get(reverse("inspection:complaints")).content.decode()
    assert "投诉" in listing and "申请回避（王志强）" in listing and "待处理" in listing
    detail = client.get(reverse("inspection:complaint", args=[grievance.pk])).content.decode()
    for shown in (
        task.unit.name,
        task.item.item,
        "李桂芬",
        "王志强",
        "2026年5月12日",
        "态度粗暴",
        "139-0000-0000",
    ):
        assert shown in detail
    url = reverse("inspection:complaint_handle", args=[grievance.pk])
    assert client.post(url, {"note": ""}).status_code == 400
    response = client.post(url, {"note": "已约谈检查人员。"})
    assert response.status_code == 302
    assert Complaint.objects.get(pk=grievance.pk).handling_note == "已约谈检查人员。"
    # Open first: the avoidance request (open) before the handled complaint; filters by status and kind.
    listing = client.get(reverse("inspection:complaints")).content.decode()
    assert listing.index("申请回避（王志强）") < listing.index("已处理（")
    handled = client.get(reverse("inspection:complaints"), {"status": "handled"}).content.decode()
    assert "已处理（" in handled and "申请回避（王志强）" not in handled
    only_avoidance = client.get(reverse("inspection:complaints"), {"kind": "avoidance"}).content.decode()
    assert "申请回避（王志强）" in only_avoidance and "已处理（" not in only_avoidance
    again = client.post(url, {"note": "再次处理。"})
    assert again.status_code == 400 and "不能重复处理" in again.content.decode()


def test_everyone_but_the_supervisors_gets_a_404_a_forged_post_included(
    client, grievance, officer, colleague, unit_head, outsider, records_keeper, units
):
    # A legal reviewer posted at 狮山所 (the inspecting unit) does not see its complaints either.
    insider = make_staff("insider_reviewer", "钱某", units["shishan"], Role.LEGAL_REVIEWER, certificate=False)
    pages = [
        reverse("inspection:complaints"),
        reverse("inspection:complaint", args=[grievance.pk]),
    ]
    handle = reverse("inspection:complaint_handle", args=[grievance.pk])
    for person in (officer, colleague, unit_head, outsider, records_keeper):
        login_as(client, person)
        for url in pages:
            assert client.get(url).status_code == 404, (person, url)
        assert client.post(handle, {"note": "自行处理。"}).status_code == 404
        client.logout()
    login_as(client, insider)
    assert "态度粗暴" not in client.get(pages[0]).content.decode()
    assert client.get(pages[1]).status_code == 404
    assert client.post(handle, {"note": "自行处理。"}).status_code == 404
    assert Complaint.objects.get(pk=grievance.pk).handled_at is None
    assert AuditEvent.objects.filter(action="inspection.complaint.access_denied").exists()


def test_the_list_runs_the_same_queries_whatever_its_length(client, task, reviewer, colleague):
    # Queries: the staff page's own, the count, one page of rows with their inspection, entity, unit, item,
    # officer and handler, the holiday table once (a 回避 request's answer day).
    complain(task, kind="complaint", text="一。")
    complain(task, kind="avoidance", officer=colleague, text="二。")
    login_as(client, reviewer)
    client.get(reverse("inspection:complaints"))  # warm the session and caches
    with CaptureQueriesContext(connection) as two:
        client.get(reverse("inspection:complaints"))
    complain(task, kind="complaint", text="三。", contact="x")
    complain(task, kind="avoidance", officer=colleague, text="四。")
    with CaptureQueriesContext(connection) as four:
        client.get(reverse("inspection:complaints"))
    assert len(four) == len(two), [q["sql"][:120] for q in four.captured_queries]


def test_the_dashboards_open_complaints_open_the_handling_page(grievance, avoidance):
    from supervision.dashboard import inspection_items

    items = [i for i in inspection_items(datetime.date(2026, 5, 18)) if i.figure == "inspection-complaints"]
    assert {i.url for i in items} == {
        reverse("inspection:complaint", args=[c.pk]) for c in (grievance, avoidance)
    }
    assert any("已逾期" in i.timing for i in items)  # the 回避 request past its 3 working days
