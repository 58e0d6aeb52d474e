"""修改后再报 holds the decision (行政处罚法 第五十八条; legal_review/gates.py review_problems): a major case whose
latest round was returned is decided on no path — Case.advance, Document.issue, the Celery task, the case
page, the legal-review page, the recording workspace — and each says it was 修改后再报 (not merely that the
proposal changed). Once a new round is approved, the same paths let it through (the control)."""

import pytest
from django.urls import reverse

from legal_review.models import ReviewRound, RoundStatus
from legal_review.tasks import issue_decision
from tests.legal_review.conftest import TODAY, all_pass, login_as, proposal_document
from wuding_enforcement.cases.workflow import Stage, TransitionRefused

pytestmark = pytest.mark.django_db

RETURNED = "修改后再报"


@pytest.fixture
def returned(build_case, officer, reviewer, bureau_head):
    """A major case whose first round came back 修改后再报, its proposal unchanged since."""
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    review_round.decide(
        by=reviewer,
        outcome=RoundStatus.RETURNED,
        opinion="请补充进货凭证后再报。",
        points=all_pass(p3="缺进货凭证"),
    )
    return case


def test_advancing_to_decided_is_refused_as_returned(returned, officer):
    with pytest.raises(TransitionRefused) as refused:
        returned.advance(Stage.DECIDED, actor=officer)
    assert any(RETURNED in m and "第五十八条" in m for m in refused.value.messages)
    returned.refresh_from_db()
    assert returned.stage == Stage.LEGAL_REVIEW and returned.decided_on is None


def test_issuing_the_decision_is_refused_as_returned(returned, officer):
    draft = proposal_document(returned)
    with pytest.raises(TransitionRefused, match=RETURNED):
        draft.issue(by=officer)
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number


def test_the_task_is_refused_as_returned(returned, officer):
    draft = proposal_document(returned)
    result = issue_decision.delay(draft.pk, officer.pk).get()
    assert result["ok"] is False and any(RETURNED in m for m in result["problems"])


def test_the_case_page_refuses_the_decision_as_returned(client, returned, officer):
    login_as(client, officer)
    response = client.post(
        reverse("cases:advance", args=[returned.pk]),
        {"target": Stage.DECIDED, "reason": "作出决定", "on": TODAY.isoformat()},
        follow=True,
    )
    returned.refresh_from_db()
    assert returned.stage == Stage.LEGAL_REVIEW
    assert f"“{RETURNED}”，审核未通过不得作出决定" in response.content.decode()


def test_the_legal_review_page_refuses_to_issue_as_returned(client, returned, officer):
    login_as(client, officer)
    draft = proposal_document(returned)
    response = client.post(reverse("legal_review:issue_decision", args=[returned.pk, draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert f"“{RETURNED}”，审核未通过不得作出决定" in response.content.decode()


def test_the_recording_workspace_refuses_to_issue_as_returned(client, returned, officer):
    login_as(client, officer)
    draft = proposal_document(returned)
    response = client.post(reverse("recording:document_issue", args=[returned.pk, draft.pk]), follow=True)
    draft.refresh_from_db()
    assert draft.status == "draft" and not draft.number
    assert RETURNED in response.content.decode()


def test_a_new_approved_round_lets_the_decision_through(returned, officer, reviewer, bureau_head):
    second = ReviewRound.submit(returned, by=officer, confirmed=True)
    second.assign(reviewer, by=bureau_head)
    second.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="已补充，同意。", points=all_pass())
    proposal_document(returned).issue(by=officer)
    returned.advance(Stage.DECIDED, actor=officer)
    assert returned.stage == Stage.DECIDED
