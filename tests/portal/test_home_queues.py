"""Work queues on every role's home (issue 13 point 7): the records keeper's cases awaiting 组卷, the
reviewer's rounds they may take and their own, the bureau head's rounds to assign, the officer's next step per
case with its deadline — each with a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from legal_review.models import ReviewRound, RoundStatus
from recording.models import CaseFile, CaseFileStatus
from tests.conftest import file_case, issued_row, login_as, make_staff, served_row
from wuding_enforcement.cases.models import ApprovalKind, PartyResponse, ResponseKind
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import Role

pytestmark = pytest.mark.django_db


def closed(case, officer, unit_head, bureau_head):
    file_case(case, unit_head, bureau_head, officer)
    case.advance(Stage.INVESTIGATING, actor=officer)
    case.advance(Stage.TERMINATED, actor=officer, reason="当事人已注销，终止调查。")
    approval = case.request_approval(ApprovalKind.CLOSING, by=officer, reason="申请结案。")
    approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    return case


def submitted_round(case, by, **extra):
    return ReviewRound.objects.create(
        case=case,
        number=ReviewRound.objects.filter(case=case).count() + 1,
        proposal_hash="0" * 64,
        confirmation="承办单位对送审材料的真实性、完整性负责。",
        submitted_by=by,
        submitted_on=datetime.date(2026, 11, 24),
        due_on=datetime.date(2026, 12, 8),
        **extra,
    )


# --- 档案管理员 ----------------------------------------------------------------------------------------


def test_the_records_keeper_sees_the_closed_cases_of_her_unit_awaiting_archiving(
    client, records_keeper, officer, unit_head, bureau_head, make_case
):
    waiting = closed(make_case(title="待组卷的案件"), officer, unit_head, bureau_head)
    building = closed(make_case(title="正在组卷的案件"), officer, unit_head, bureau_head)
    CaseFile.objects.create(case=building, requested_by=records_keeper, status=CaseFileStatus.BUILDING)
    failed = closed(make_case(title="组卷失败的案件"), officer, unit_head, bureau_head)
    CaseFile.objects.create(case=failed, requested_by=records_keeper, status=CaseFileStatus.FAILED)
    make_case(title="仍在办理的案件")
    login_as(client, records_keeper)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert [c.pk for c in response.context["to_archive"]] == [waiting.pk, failed.pk]
    assert "待组卷归档的案件" in html and "上次组卷失败" in html
    assert "没有需要您处理" not in html
    # The 执法记录 page lists the same queue.
    page = client.get(reverse("recording:index"))
    assert [c.pk for c in page.context["to_archive"]] == [waiting.pk, failed.pk]
    assert "待组卷的案件" in page.content.decode()


def test_a_records_keeper_of_another_unit_sees_nothing_of_those_cases(
    client, units, officer, unit_head, bureau_head, make_case
):
    closed(make_case(title="狮山所的已结案件"), officer, unit_head, bureau_head)
    other_keeper = make_staff(
        "gao_records", "高档案", units["gaoqiao"], Role.RECORDS_KEEPER, certificate=False
    )
    login_as(client, other_keeper)
    response = client.get(reverse("home"))
    assert response.context["to_archive"] == []
    assert "狮山所的已结案件" not in response.content.decode()
    assert "本单位没有等待组卷的案件。" in response.content.decode()
    assert client.get(reverse("recording:index")).context["to_archive"] == []


@pytest.mark.parametrize("count", [1, 4])
def test_the_records_keepers_home_costs_the_same_queries_for_1_or_4_cases(
    client, records_keeper, officer, unit_head, bureau_head, make_case, django_assert_num_queries, count
):
    for i in range(count):
        closed(make_case(title=f"案件{i}"), officer, unit_head, bureau_head)
    login_as(client, records_keeper)
    client.get(reverse("home"))
    # session, user, OTP device, role groups, my active cases (none: no prefetches), my certificates,
    # unit (header), notifications (the 系统管理 link reads the roles: no permission queries) — and one for the 组卷 queue.
    with django_assert_num_queries(HOME_QUERIES_KEEPER):
        response = client.get(reverse("home"))
    assert len(response.context["to_archive"]) == count


HOME_QUERIES_KEEPER = 9


# --- 法制审核人员 and 局负责人 ------------------------------------------------------------------------------


def test_the_reviewer_sees_rounds_she_may_take_and_her_own(
    client, reviewer, officer, unit_head, bureau_head, make_case, units
):
    takeable = file_case(make_case(title="可承担审核的案件"), unit_head, bureau_head, officer)
    submitted_round(takeable, officer)
    mine = file_case(make_case(title="我正在审核的案件"), unit_head, bureau_head, officer)
    submitted_round(mine, officer, reviewer=reviewer, status=RoundStatus.IN_REVIEW)
    # A case the reviewer registered herself: she may not review it (行政处罚法 第五十八条).
    own = make_case(title="本人登记的案件", by=reviewer, officers=[officer])
    submitted_round(own, officer)
    login_as(client, reviewer)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert [r.case_id for r in response.context["review_takeable"]] == [takeable.pk]
    assert [r.case_id for r in response.context["review_mine"]] == [mine.pk]
    assert "可承担审核的案件" in html and "我正在审核的案件" in html
    assert "本人登记的案件" not in html
    assert "剩余" in html
    assert "目前没有需要您处理的案件或审批。" not in html


def test_a_reviewer_who_handled_the_case_is_not_offered_it(
    client, units, officer, unit_head, bureau_head, make_case
):
    handler = make_staff(
        "lr_handler",
        "冯审核",
        units["policy"],
        Role.LEGAL_REVIEWER,
        Role.OFFICER,
        legal_review_started_on=datetime.date(2020, 1, 1),
    )
    case = file_case(
        make_case(title="冯审核承办的案件", officers=[officer, handler]), unit_head, bureau_head, officer
    )
    submitted_round(case, officer)
    login_as(client, handler)
    assert client.get(reverse("home")).context["review_takeable"] == []


def test_the_bureau_head_sees_the_rounds_waiting_for_a_reviewer(
    client, reviewer, officer, unit_head, bureau_head, make_case
):
    case = file_case(make_case(title="待分配审核的案件"), unit_head, bureau_head, officer)
    submitted_round(case, officer)
    login_as(client, bureau_head)
    response = client.get(reverse("home"))
    assert [r.case_id for r in response.context["review_unassigned"]] == [case.pk]
    assert "待分配审核的案件" in response.content.decode()


# --- 执法人员 ----------------------------------------------------------------------------------------------


def test_the_officer_sees_the_next_step_of_each_case_with_its_deadline(
    client, officer, unit_head, bureau_head, make_case
):
    lead = make_case(title="线索案件")
    filed = file_case(make_case(title="已立案案件"), unit_head, bureau_head, officer)
    investigating = file_case(make_case(title="调查中的案件"), unit_head, bureau_head, officer)
    investigating.advance(Stage.INVESTIGATING, actor=officer)
    login_as(client, officer)
    response = client.get(reverse("home"))
    steps = {case.pk: step for case, _, step in response.context["my_cases"]}
    assert steps[lead.pk].label == "核查或立案"
    # The documents the statutory order still asks for before the step (cases/procedure.py's registry) ...
    assert steps[lead.pk].missing == ["立案审批表"]
    assert steps[filed.pk].label == "调查取证" and steps[filed.pk].missing == []
    assert steps[investigating.pk].label == "调查终结/案件审核"
    assert steps[investigating.pk].missing == ["案件调查终结报告"]
    # ... and the clock that bounds it: 立案审查期限 for a lead, the 90-day limit once filed.
    assert steps[lead.pk].deadline.key == "filing"
    assert steps[investigating.pk].deadline.key == "decision"
    html = response.content.decode()
    assert (
        '<strong class="next-step">调查终结/案件审核</strong><br><small>尚缺：案件调查终结报告</small>'
        in html
    )
    assert "立案审查期限 · " in html and "作出处理决定期限 · " in html
    assert "剩余" in html


def test_the_next_step_names_every_document_the_decision_still_needs(
    client, officer, unit_head, bureau_head, make_case
):
    """A case in 陈述申辩 whose party asked for a hearing: the decision waits for the hearing's documents, the
    决定审批表 and the 法制审核意见书; its clock is the 陈述申辩、听证申请期限 until that has run."""
    case = make_case(title="要求听证的案件", lead_date=datetime.date.today())
    today = datetime.date.today()
    file_case(case, unit_head, bureau_head, officer)
    case.advance(Stage.INVESTIGATING, actor=officer, on=today)
    issued_row(case, "investigation_report", by=officer)
    case.advance(Stage.INVESTIGATION_CONCLUDED, actor=officer, on=today)
    notice = issued_row(
        case,
        "penalty_notice",
        by=officer,
        party=case.parties.first(),
        data={"penalty_types": ["fine"], "fine_amount": "20000.00", "hearing_right": True},
    )
    case.advance(Stage.NOTIFIED, actor=officer, on=today)
    served_row(case, notice, by=officer, on=today)
    case.advance(Stage.STATEMENT, actor=officer, on=today)
    PartyResponse.record_for(
        case, kind=ResponseKind.HEARING_REQUEST, received_on=today, content="要求听证。", by=officer
    )
    login_as(client, officer)
    step = next(s for c, _, s in client.get(reverse("home")).context["my_cases"] if c.pk == case.pk)
    assert step.label == "法制审核或决定"
    # A case heard at the party's request is a major decision in the catalogue (法制审核, 第五十八条).
    assert step.missing == ["听证通知书", "听证笔录", "听证报告", "行政处罚决定审批表", "法制审核意见书"]
    assert step.deadline.key.startswith("statement:")
