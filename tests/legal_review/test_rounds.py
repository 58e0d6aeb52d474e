"""Submission and review (docs/domain.md §3): completeness, confirmation, eligible reviewers, outcomes, rounds, advisers,
the time limit."""

import datetime

import pytest
from django.contrib.auth.models import Group
from guardian.shortcuts import get_perms

from legal_review.models import AdviserKind, ChecklistItem, ReviewRound, RoundStatus
from recording.models import Document
from tests.conftest import make_staff
from tests.legal_review.conftest import all_pass, issued_row, proposal_document
from wuding_enforcement.cases.models import CasePause, PauseKind, RuleSettings
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.roster.models import Role

pytestmark = pytest.mark.django_db


def submitted(case, officer, reviewer, bureau_head):
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    return review_round


# --- submission ---


def test_it_refuses_an_incomplete_package_and_says_what_is_missing(build_case, officer):
    case = build_case(proposal=False)
    Document.objects.filter(case=case, doc_type="investigation_report").update(doc_type="old_report")

    with pytest.raises(TransitionRefused) as refused:
        ReviewRound.submit(case, by=officer, confirmed=True)

    text = "\n".join(refused.value.messages)
    assert "拟作出的行政处罚决定书（草稿）" in text
    assert "案件调查终结报告" in text
    assert not ReviewRound.objects.exists()
    case.refresh_from_db()
    assert case.stage == Stage.STATEMENT


def test_it_names_the_missing_legal_basis_and_discretion_reasoning(build_case, officer):
    case = build_case(basis_penalty="", discretion_reason="")

    with pytest.raises(TransitionRefused) as refused:
        ReviewRound.submit(case, by=officer, confirmed=True)

    text = "\n".join(refused.value.messages)
    assert "法律依据" in text and "裁量情节及裁量理由" in text


def test_it_requires_the_hearing_record_when_there_was_a_hearing(build_case, officer):
    case = build_case()
    CasePause.objects.create(
        case=case,
        kind=PauseKind.HEARING,
        start=datetime.date(2026, 11, 10),
        end=datetime.date(2026, 11, 12),
        created_by=officer,
    )

    with pytest.raises(TransitionRefused, match="听证笔录"):
        ReviewRound.submit(case, by=officer, confirmed=True)


def test_it_requires_the_submitters_confirmation_of_truth_and_completeness(build_case, officer):
    case = build_case()

    with pytest.raises(TransitionRefused, match="真实、完整"):
        ReviewRound.submit(case, by=officer, confirmed=False)

    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    assert "真实、完整" in review_round.confirmation and officer.display_name in review_round.confirmation


def test_submitting_moves_the_case_to_legal_review_with_a_due_date_in_working_days(build_case, officer):
    rules = RuleSettings.current()
    rules.review_working_days = 5
    rules.save()
    case = build_case()

    review_round = ReviewRound.submit(case, by=officer, confirmed=True)

    case.refresh_from_db()
    assert case.stage == Stage.LEGAL_REVIEW
    # Wednesday 2026-11-25 + 5 working days = Wednesday 2026-12-02.
    assert review_round.due_on == datetime.date(2026, 12, 2)
    assert review_round.package["report"] and review_round.package["proposals"]
    deadline = next(d for d in case.deadlines() if d.key == "legal_review")
    assert deadline.due == datetime.date(2026, 12, 2)


def test_only_the_units_people_may_submit(build_case, outsider):
    case = build_case()
    with pytest.raises(TransitionRefused, match="承办人员"):
        ReviewRound.submit(case, by=outsider, confirmed=True)


def test_a_second_submission_while_a_round_is_open_is_refused(build_case, officer):
    case = build_case()
    ReviewRound.submit(case, by=officer, confirmed=True)

    with pytest.raises(TransitionRefused, match="尚未完成"):
        ReviewRound.submit(case, by=officer, confirmed=True)
    assert ReviewRound.objects.count() == 1


# --- assignment ---


def test_a_reviewer_who_handled_the_case_may_not_review_it(build_case, officer, colleague, bureau_head):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    colleague.groups.add(Group.objects.get(name=Role.LEGAL_REVIEWER))
    colleague.__dict__.pop("role_names", None)

    with pytest.raises(TransitionRefused) as refused:
        review_round.assign(colleague, by=bureau_head)

    assert any("承办人员" in m for m in refused.value.messages)


def test_a_first_time_reviewer_without_legal_qualification_is_refused(
    build_case, officer, bureau_head, units
):
    novice = make_staff(
        "new_reviewer",
        "新审核员",
        units["policy"],
        Role.LEGAL_REVIEWER,
        certificate=False,
        legal_review_started_on=datetime.date(2025, 1, 1),
    )
    review_round = ReviewRound.submit(build_case(), by=officer, confirmed=True)

    with pytest.raises(TransitionRefused, match="法律职业资格"):
        review_round.assign(novice, by=bureau_head)


def test_assigning_grants_the_reviewer_the_case_and_its_classified_records(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    submitted(case, officer, reviewer, bureau_head)

    assert set(get_perms(reviewer, case)) >= {"view_case", "view_classified"}
    assert case.may_see_classified(reviewer)


def test_a_reviewer_may_take_an_unassigned_round_but_not_one_taken(
    build_case, officer, reviewer, second_reviewer
):
    review_round = ReviewRound.submit(build_case(), by=officer, confirmed=True)

    review_round.assign(reviewer, by=reviewer)
    with pytest.raises(TransitionRefused, match="已由"):
        ReviewRound.objects.get(pk=review_round.pk).assign(second_reviewer, by=second_reviewer)


# --- outcomes ---


def test_approving_issues_a_numbered_review_opinion_in_the_sub_volume(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    review_round = submitted(case, officer, reviewer, bureau_head)

    review_round.decide(
        by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意作出处罚决定。", points=all_pass()
    )

    review_round.refresh_from_db()
    doc = review_round.opinion_document
    assert review_round.status == RoundStatus.APPROVED
    assert doc.is_issued and doc.number == "武市监法审〔2026〕1号"
    assert doc.doctype.volume == "sub" and doc.pdf_sha256
    assert ChecklistItem.objects.filter(round=review_round).count() == 7
    assert review_round.prechecks and review_round.approved_hash


def test_only_the_assigned_reviewer_decides(build_case, officer, reviewer, second_reviewer, bureau_head):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)

    with pytest.raises(TransitionRefused, match="指定的审核人员"):
        review_round.decide(
            by=second_reviewer, outcome=RoundStatus.APPROVED, opinion="同意", points=all_pass()
        )


def test_every_point_needs_a_result_and_problems_need_a_comment(build_case, officer, reviewer, bureau_head):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)
    points = all_pass()
    del points[5]
    points[3] = ("problem", "")

    with pytest.raises(TransitionRefused) as refused:
        review_round.decide(by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回", points=points)

    text = "\n".join(refused.value.messages)
    assert "第5项" in text and "第3项存在问题的，请写明问题" in text
    assert (
        not ChecklistItem.objects.exists() and not Document.objects.filter(doc_type="review_opinion").exists()
    )


def test_it_refuses_to_approve_with_a_problem_or_to_return_without_one(
    build_case, officer, reviewer, bureau_head
):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)

    with pytest.raises(TransitionRefused, match="不能作出同意"):
        review_round.decide(
            by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意", points=all_pass(p3="证据不足")
        )
    with pytest.raises(TransitionRefused, match="至少指出一项"):
        review_round.decide(by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回", points=all_pass())


def test_it_refuses_to_approve_a_proposal_changed_after_submission(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    review_round = submitted(case, officer, reviewer, bureau_head)
    draft = proposal_document(case)
    draft.data = {**draft.data, "fine_amount": "160000.00"}
    draft.save()

    with pytest.raises(TransitionRefused, match="已被修改"):
        review_round.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意", points=all_pass())


def test_a_returned_case_is_resubmitted_as_a_new_round_and_earlier_rounds_are_kept(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    first = submitted(case, officer, reviewer, bureau_head)
    first.decide(
        by=reviewer,
        outcome=RoundStatus.RETURNED,
        opinion="补充证据后再报。",
        points=all_pass(p3="缺少进货凭证"),
    )
    case.refresh_from_db()
    assert case.stage == Stage.LEGAL_REVIEW  # stays for resubmission

    second = ReviewRound.submit(case, by=officer, confirmed=True)

    assert second.number == 2
    assert [r.status for r in case.review_rounds.order_by("number")] == [
        RoundStatus.RETURNED,
        RoundStatus.SUBMITTED,
    ]
    assert ChecklistItem.objects.get(round=first, point=3).comment == "缺少进货凭证"


def test_an_unchanged_approved_proposal_is_not_resubmitted(build_case, officer, reviewer, bureau_head):
    case = build_case()
    submitted(case, officer, reviewer, bureau_head).decide(
        by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意", points=all_pass()
    )
    with pytest.raises(TransitionRefused, match="无须重新送审"):
        ReviewRound.submit(case, by=officer, confirmed=True)


def test_a_suspected_crime_is_refused_and_leads_to_transfer_not_a_penalty(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    review_round = submitted(case, officer, reviewer, bureau_head)
    with pytest.raises(TransitionRefused, match="第7项"):
        review_round.decide(
            by=reviewer,
            outcome=RoundStatus.REFUSED,
            opinion="涉嫌犯罪",
            points=all_pass(p4="定性错误"),
            crime_suspected=True,
        )

    review_round.decide(
        by=reviewer,
        outcome=RoundStatus.REFUSED,
        opinion="涉案货值金额达到刑事立案追诉标准，建议移送公安机关。",
        points=all_pass(p7="涉嫌生产、销售不符合安全标准的食品罪"),
        crime_suspected=True,
    )

    with pytest.raises(TransitionRefused, match="不同意"):
        case.advance(Stage.DECIDED, actor=officer)
    with pytest.raises(TransitionRefused, match="国务院令第310号"):
        case.advance(Stage.TRANSFERRED, actor=officer, reason="依法审核意见，移送公安机关。")
    # 国务院令第310号 第五条: the bureau head approved the transfer within 3 days of the report.
    issued_row(
        case,
        "crime_transfer",
        by=officer,
        data={"report_received_on": "2026-11-24", "approved_on": "2026-11-25", "approved_by": "李局长"},
    )
    case.advance(Stage.TRANSFERRED, actor=officer, reason="依法审核意见，移送公安机关。")
    assert case.stage == Stage.TRANSFERRED


def test_advisers_written_opinions_become_part_of_the_round(build_case, officer, reviewer, bureau_head):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)

    item = review_round.ask_adviser(
        by=reviewer,
        kind=AdviserKind.PUBLIC_LAWYER,
        adviser="张律师（县司法局）",
        question="货值金额如何认定？",
    )
    review_round.record_adviser_opinion(
        item, by=reviewer, opinion="应按标价计算货值金额。", received_on=datetime.date(2026, 11, 25)
    )

    assert list(review_round.adviser_opinions.values_list("opinion", flat=True)) == ["应按标价计算货值金额。"]
    with pytest.raises(TransitionRefused, match="已记录"):
        review_round.record_adviser_opinion(
            item, by=reviewer, opinion="再写", received_on=datetime.date(2026, 11, 25)
        )


def test_an_overdue_round_is_flagged(build_case, officer, reviewer, bureau_head, time_machine):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)
    assert review_round.due_status == "ok"

    time_machine.move_to(datetime.datetime(2026, 12, 10, 10))

    assert review_round.due_status == "overdue"
