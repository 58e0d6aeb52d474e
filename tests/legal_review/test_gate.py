"""The gate on every path (docs/domain.md §3): Case.advance (model method and the case page), Document.issue (model method,
the legal-review page, a Celery task), and the admin (no path). Collective discussion and changes after
approval; two outcomes at once."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from legal_review.models import (
    CollectiveConclusion,
    CollectiveDiscussion,
    MajorCriterion,
    MajorFlag,
    ReviewRound,
    RoundStatus,
)
from legal_review.tasks import issue_decision
from recording.models import Document
from tests.legal_review.conftest import TODAY, all_pass, login_as, proposal_document
from wuding_enforcement.cases.workflow import Stage, TransitionRefused

pytestmark = pytest.mark.django_db


def approve(case, officer, reviewer, bureau_head):
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    review_round.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意。", points=all_pass())
    return review_round


@pytest.fixture
def unreviewed(build_case, officer):
    """A major case whose proposal was submitted but not yet reviewed."""
    case = build_case()
    ReviewRound.submit(case, by=officer, confirmed=True)
    return case


def test_advance_to_decided_is_refused_without_a_passed_review(unreviewed, officer):
    with pytest.raises(TransitionRefused, match="法制审核尚未完成"):
        unreviewed.advance(Stage.DECIDED, actor=officer)
    unreviewed.refresh_from_db()
    assert unreviewed.stage == Stage.LEGAL_REVIEW


def test_a_major_case_cannot_skip_review_from_the_statement_stage(build_case, officer):
    case = build_case()
    with pytest.raises(TransitionRefused, match="未经法制审核不得作出决定"):
        case.advance(Stage.DECIDED, actor=officer)


def test_a_minor_case_is_not_held_by_the_gate(build_case, officer):
    case = build_case(fine_amount="3000.00", notice={"fine_amount": "3000.00"})
    case.advance(Stage.DECIDED, actor=officer)
    assert case.stage == Stage.DECIDED


def test_the_legal_review_stage_is_entered_only_by_submitting(build_case, officer):
    case = build_case()
    with pytest.raises(TransitionRefused, match="送审"):
        case.advance(Stage.LEGAL_REVIEW, actor=officer)


def test_issuing_the_decision_is_refused_without_a_passed_review(unreviewed, officer):
    draft = proposal_document(unreviewed)
    with pytest.raises(TransitionRefused, match="法制审核尚未完成"):
        draft.issue(by=officer)
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number


def test_the_case_page_cannot_move_the_case_to_decided(client, unreviewed, officer):
    login_as(client, officer)
    response = client.post(
        reverse("cases:advance", args=[unreviewed.pk]),
        {"target": Stage.DECIDED, "reason": "作出决定", "on": TODAY.isoformat()},
        follow=True,
    )
    unreviewed.refresh_from_db()
    assert unreviewed.stage == Stage.LEGAL_REVIEW
    assert "法制审核尚未完成" in response.content.decode()


def test_the_issue_page_cannot_issue_the_decision(client, unreviewed, officer):
    login_as(client, officer)
    draft = proposal_document(unreviewed)
    response = client.post(
        reverse("legal_review:issue_decision", args=[unreviewed.pk, draft.pk]), follow=True
    )
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert "法制审核尚未完成" in response.content.decode()


def test_the_recording_workspace_cannot_issue_the_decision(client, unreviewed, officer):
    login_as(client, officer)
    draft = proposal_document(unreviewed)
    client.post(reverse("recording:document_issue", args=[unreviewed.pk, draft.pk]))
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number


def test_the_task_cannot_issue_the_decision(unreviewed, officer):
    draft = proposal_document(unreviewed)
    result = issue_decision.delay(draft.pk, officer.pk).get()
    draft.refresh_from_db()
    assert result["ok"] is False and draft.status == "draft"


def test_the_admin_offers_no_way_to_approve_a_round_or_move_a_case(client, unreviewed, admin_user):
    login_as(client, admin_user)
    review_round = unreviewed.review_rounds.get()
    change = reverse("admin:legal_review_reviewround_change", args=[review_round.pk])
    response = client.post(change, {"status": "approved", "approved_hash": "x" * 64})
    review_round.refresh_from_db()
    assert response.status_code in (302, 403) and review_round.status == RoundStatus.SUBMITTED
    response = client.post(reverse("admin:cases_case_change", args=[unreviewed.pk]), {"stage": "decided"})
    unreviewed.refresh_from_db()
    assert unreviewed.stage == Stage.LEGAL_REVIEW


def test_after_approval_the_decision_is_issued_and_the_case_decided(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    approve(case, officer, reviewer, bureau_head)

    draft = proposal_document(case)
    draft.issue(by=officer)
    case.advance(Stage.DECIDED, actor=officer)

    assert draft.number.startswith("武市监处罚") and case.stage == Stage.DECIDED


def test_any_change_to_the_proposal_after_approval_needs_a_new_round(
    build_case, officer, reviewer, bureau_head
):
    case = build_case()
    approve(case, officer, reviewer, bureau_head)
    draft = proposal_document(case)
    draft.data = {**draft.data, "fine_amount": "180000.00"}
    draft.save()

    with pytest.raises(TransitionRefused, match="重新送审"):
        draft.issue(by=officer)
    with pytest.raises(TransitionRefused, match="重新送审"):
        case.advance(Stage.DECIDED, actor=officer)
    second = ReviewRound.submit(case, by=officer, confirmed=True)
    assert second.number == 2


def test_a_refused_review_blocks_the_decision(build_case, officer, reviewer, bureau_head):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    review_round.decide(
        by=reviewer, outcome=RoundStatus.REFUSED, opinion="不同意。", points=all_pass(p4="适用法律错误")
    )

    with pytest.raises(TransitionRefused, match="不同意"):
        proposal_document(case).issue(by=officer)


def test_a_case_needing_collective_discussion_waits_for_its_conclusion(
    build_case, officer, reviewer, bureau_head, deputy_head
):
    case = build_case()
    MajorFlag.add(
        case, by=officer, criterion=MajorCriterion.objects.get(code="complex"), reason="涉及多个法律关系"
    )
    approve(case, officer, reviewer, bureau_head)

    with pytest.raises(TransitionRefused, match="集体讨论"):
        case.advance(Stage.DECIDED, actor=officer)
    with pytest.raises(TransitionRefused, match="集体讨论"):
        proposal_document(case).issue(by=officer)

    case.advance(Stage.COLLECTIVE, actor=officer, reason="提请集体讨论")
    discussion = CollectiveDiscussion.hold(
        case,
        by=bureau_head,
        held_on=TODAY,
        participants=[bureau_head, deputy_head],
        opinions="孙卫东：同意法制审核意见。钱德明：同意。",
        conclusion=CollectiveConclusion.AGREE,
        conclusion_text="同意对当事人罚款十五万元。",
    )

    assert discussion.document.is_issued and discussion.document.doctype.volume == "sub"
    proposal_document(case).issue(by=officer)
    case.advance(Stage.DECIDED, actor=officer)
    assert case.stage == Stage.DECIDED


def test_a_collective_conclusion_to_amend_needs_a_new_round(
    build_case, officer, reviewer, bureau_head, deputy_head
):
    case = build_case(
        penalty_types=["fine", "suspend_business"], notice={"penalty_types": ["fine", "suspend_business"]}
    )
    approve(case, officer, reviewer, bureau_head)
    case.advance(Stage.COLLECTIVE, actor=officer, reason="提请集体讨论")
    CollectiveDiscussion.hold(
        case,
        by=bureau_head,
        held_on=TODAY,
        participants=[bureau_head, deputy_head],
        opinions="责令停产停业过重。",
        conclusion=CollectiveConclusion.AMEND,
        conclusion_text="取消责令停产停业。",
    )

    with pytest.raises(TransitionRefused, match="重新送审"):
        case.advance(Stage.DECIDED, actor=officer)


def test_collective_discussion_needs_two_bureau_heads(build_case, officer, reviewer, bureau_head):
    case = build_case()
    approve(case, officer, reviewer, bureau_head)
    case.advance(Stage.COLLECTIVE, actor=officer, reason="提请集体讨论")

    with pytest.raises(TransitionRefused, match="两名以上"):
        CollectiveDiscussion.hold(
            case,
            by=bureau_head,
            held_on=TODAY,
            participants=[bureau_head],
            opinions="同意",
            conclusion=CollectiveConclusion.AGREE,
            conclusion_text="同意",
        )


def test_collective_discussion_cannot_precede_the_review(unreviewed, officer):
    with pytest.raises(TransitionRefused, match="法制审核同意之后"):
        unreviewed.advance(Stage.COLLECTIVE, actor=officer, reason="提请集体讨论")


# --- two outcomes at once ---


def test_a_second_outcome_on_the_same_round_is_refused(build_case, officer, reviewer, bureau_head):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    twin = ReviewRound.objects.get(pk=review_round.pk)

    review_round.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意。", points=all_pass())
    with pytest.raises(TransitionRefused, match="不能重复提交"):
        twin.decide(
            by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回。", points=all_pass(p3="证据不足")
        )

    assert Document.objects.filter(doc_type="review_opinion").count() == 1
    assert ReviewRound.objects.get(pk=review_round.pk).status == RoundStatus.APPROVED


@pytest.mark.django_db(transaction=True)
def test_two_outcomes_sent_at_once_record_exactly_one(build_case, officer, reviewer, bureau_head):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself")
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    barrier = threading.Barrier(2)
    results = []

    def act(outcome, points):
        try:
            barrier.wait()
            ReviewRound.objects.get(pk=review_round.pk).decide(
                by=reviewer, outcome=outcome, opinion="意见", points=points
            )
            results.append("ok")
        except TransitionRefused as refused:
            results.append(refused.messages[0])
        finally:
            connection.close()

    threads = [
        threading.Thread(target=act, args=(RoundStatus.APPROVED, all_pass())),
        threading.Thread(target=act, args=(RoundStatus.RETURNED, all_pass(p3="证据不足"))),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert results.count("ok") == 1
    assert any("不能重复提交" in r for r in results if r != "ok")
    assert Document.objects.filter(doc_type="review_opinion").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_reviewers_taking_the_same_round_at_once_one_wins(build_case, officer, reviewer, second_reviewer):
    if connection.vendor != "postgresql":
        pytest.skip("row locks (select_for_update) need PostgreSQL; SQLite serialises writers itself")
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    barrier = threading.Barrier(2)
    results = []

    def take(user):
        try:
            barrier.wait()
            ReviewRound.objects.get(pk=review_round.pk).assign(user, by=user)
            results.append(user.pk)
        except TransitionRefused:
            results.append(None)
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(u,)) for u in (reviewer, second_reviewer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    winner = [r for r in results if r]
    assert len(winner) == 1
    assert ReviewRound.objects.get(pk=review_round.pk).reviewer_id == winner[0]


def test_a_review_that_ends_days_after_submission_is_followed_by_a_decision_dated_that_day(
    build_case, officer, reviewer, bureau_head
):
    """Submitted on 11-25 with the 决定日期 of that day, agreed on 11-27: the officer writes the decision's date
    as the day it is made and issues it — the date is not what the review approved (criteria.NOT_REVIEWED_FIELDS),
    whereas any change to what the decision decides still needs a new round (the test above)."""
    import datetime
    import zoneinfo

    import time_machine

    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    with time_machine.travel(datetime.datetime(2026, 11, 27, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        review_round.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意。", points=all_pass())
        draft = proposal_document(case)
        draft.data = {**draft.data, "decided_on": "2026-11-27"}
        draft.save()
        draft.issue(by=officer)
        case.advance(Stage.DECIDED, actor=officer)
    case.refresh_from_db()
    assert case.stage == Stage.DECIDED and case.decided_on == datetime.date(2026, 11, 27)
