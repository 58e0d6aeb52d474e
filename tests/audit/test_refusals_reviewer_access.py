"""A reviewer who takes an unassigned round sees the case while the round is theirs and open; the grant ends
when it closes or passes to another reviewer, and what they saw stays on record (issue 15, point 8;
legal_review/access.py)."""

import pytest
from django.urls import reverse

from legal_review.models import ReviewRound, RoundStatus
from tests.conftest import login_as
from tests.legal_review.conftest import all_pass, build_case, frozen, power_item, second_reviewer  # noqa: F401
from wuding_enforcement.audit.models import AuditEvent, Outcome
from wuding_enforcement.cases.models import Case

pytestmark = pytest.mark.django_db


def _sees(reviewer, case) -> bool:
    return Case.objects.visible_to(reviewer).filter(pk=case.pk).exists()


def test_taking_a_round_grants_the_case_until_the_round_closes(
    client,
    build_case,  # noqa: F811
    officer,
    reviewer,
):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    assert not _sees(reviewer, case)

    review_round.assign(reviewer, by=reviewer)  # takes the unassigned round
    case.refresh_from_db()
    assert _sees(reviewer, case) and case.may_see_classified(reviewer)
    login_as(client, reviewer)
    assert client.get(reverse("legal_review:case", args=[case.pk])).status_code == 200

    review_round.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意。", points=all_pass())
    case.refresh_from_db()
    assert not _sees(reviewer, case) and not case.may_see_classified(reviewer)
    assert AuditEvent.objects.filter(
        action="legal_review.round.access_ended", object_id=str(case.pk), actor=reviewer
    ).exists()
    # The case page is now a 404 for them, and that refusal is on record too.
    assert client.get(reverse("legal_review:case", args=[case.pk])).status_code == 404
    assert AuditEvent.objects.filter(actor=reviewer, outcome=Outcome.DENIED).exists()
    # What they did and decided stays: the round with their opinion, the audit rows of the review.
    review_round.refresh_from_db()
    assert review_round.reviewer == reviewer and review_round.opinion_document.number
    assert AuditEvent.objects.filter(action="legal_review.round.approved", actor=reviewer).exists()


def test_a_round_passed_to_another_reviewer_ends_the_first_ones_grant(
    build_case,  # noqa: F811
    officer,
    reviewer,
    second_reviewer,  # noqa: F811
    bureau_head,
):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=reviewer)
    review_round.assign(second_reviewer, by=bureau_head)
    assert not _sees(reviewer, case)
    assert _sees(second_reviewer, case)


def test_a_later_round_taken_again_grants_it_again(
    build_case,  # noqa: F811
    officer,
    reviewer,
):
    case = build_case()
    first = ReviewRound.submit(case, by=officer, confirmed=True)
    first.assign(reviewer, by=reviewer)
    first.decide(
        by=reviewer, outcome=RoundStatus.RETURNED, opinion="请补充证据。", points=all_pass(p3="证据不足")
    )
    assert not _sees(reviewer, case)
    second = ReviewRound.submit(case, by=officer, confirmed=True)
    second.assign(reviewer, by=reviewer)
    assert _sees(reviewer, case)
