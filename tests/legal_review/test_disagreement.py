"""协调机制 (docs/domain.md §3): the unit's objection, the bureau head's coordination, ending in a revised opinion or a new
round — no meeting replaces a passed review."""

import pytest

from legal_review.models import (
    Coordination,
    CoordinationOutcome,
    Objection,
    ReviewRound,
    RoundKind,
    RoundStatus,
)
from tests.legal_review.conftest import TODAY, all_pass
from wuding_enforcement.cases.workflow import Stage, TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def returned(build_case, officer, reviewer, bureau_head):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    review_round.decide(
        by=reviewer, outcome=RoundStatus.RETURNED, opinion="证据不足。", points=all_pass(p3="缺进货凭证")
    )
    return review_round


def coordinate(objection, bureau_head, outcome):
    return Coordination.conclude(
        objection,
        by=bureau_head,
        held_on=TODAY,
        participants="孙卫东、钱立新、李桂芬、周建华",
        discussion="承办单位认为现场笔录已记载进货来源；审核人员认为仍需书面凭证。",
        conclusion="现场笔录已足以证明进货来源。",
        outcome=outcome,
    )


def test_the_unit_objects_and_the_bureau_head_coordinates_to_a_revised_opinion(
    returned, officer, reviewer, bureau_head
):
    objection = Objection.raise_objection(returned, by=officer, text="现场笔录已记载进货来源。")
    coordinate(objection, bureau_head, CoordinationOutcome.REVISE_OPINION)

    revision = ReviewRound.objects.get(case=returned.case, number=2)
    assert revision.kind == RoundKind.REVISION and revision.status == RoundStatus.IN_REVIEW
    assert revision.reviewer == reviewer and revision.revision_of == returned
    revision.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="经协调，同意。", points=all_pass())
    returned.case.advance(Stage.DECIDED, actor=officer)


def test_a_coordination_ending_in_resubmission_approves_nothing_by_itself(returned, officer, bureau_head):
    objection = Objection.raise_objection(returned, by=officer, text="不同意退回意见。")
    coordinate(objection, bureau_head, CoordinationOutcome.RESUBMIT)

    with pytest.raises(TransitionRefused, match="修改后再报"):
        returned.case.advance(Stage.DECIDED, actor=officer)
    assert ReviewRound.objects.filter(case=returned.case).count() == 1


def test_only_the_bureau_head_chairs_a_coordination(returned, officer, unit_head):
    objection = Objection.raise_objection(returned, by=officer, text="有异议。")
    with pytest.raises(TransitionRefused, match="局负责人"):
        coordinate(objection, unit_head, CoordinationOutcome.RESUBMIT)


def test_only_the_unit_objects_and_only_once_at_a_time(returned, officer, outsider):
    with pytest.raises(TransitionRefused, match="承办人员"):
        Objection.raise_objection(returned, by=outsider, text="有异议。")
    Objection.raise_objection(returned, by=officer, text="有异议。")
    with pytest.raises(TransitionRefused, match="协调中"):
        Objection.raise_objection(returned, by=officer, text="再次异议。")
