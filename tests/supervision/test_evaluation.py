"""案卷评查: reproducible sampling per unit, scoring against the sheet, roll-ups per unit and officer."""

from decimal import Decimal

import pytest

from supervision import evaluation
from supervision.models import CaseEvaluation, EvaluationCriterion, EvaluationRound
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db

CANDIDATES = {1: [11, 12, 13, 14, 15], 2: [21, 22], 3: [31, 32, 33, 34, 35, 36, 37, 38]}


def test_the_same_seed_draws_the_same_sample_whatever_the_order_of_the_candidates():
    first = evaluation.draw(CANDIDATES, 3, seed=20261125)
    shuffled = {unit: list(reversed(ids)) for unit, ids in reversed(list(CANDIDATES.items()))}
    assert evaluation.draw(shuffled, 3, seed=20261125) == first
    assert {unit: len(ids) for unit, ids in first.items()} == {1: 3, 2: 2, 3: 3}
    assert all(set(ids) <= set(CANDIDATES[unit]) for unit, ids in first.items())


def test_different_seeds_draw_different_samples():
    samples = {tuple(evaluation.draw(CANDIDATES, 3, seed=s)[3]) for s in range(1, 30)}
    assert len(samples) > 5


@pytest.fixture
def sheet():
    # A small sheet of our own instead of the default one the migration installs.
    EvaluationCriterion.objects.update(is_active=False)
    return [
        EvaluationCriterion.objects.create(
            group="subject", text="执法主体合法，执法人员持有效证件", points=10
        ),
        EvaluationCriterion.objects.create(group="procedure", text="立案、告知、送达程序合法", points=30),
        EvaluationCriterion.objects.create(group="documents", text="文书齐全规范", points=20, order=1),
    ]


@pytest.fixture
def scored_round(make_case, officer, colleague, reviewer, sheet):
    round_ = EvaluationRound.objects.create(
        title="2026年第一批", year=2026, per_unit=2, seed=7, created_by=reviewer
    )
    good = CaseEvaluation.objects.create(round=round_, case=make_case())
    poor = CaseEvaluation.objects.create(round=round_, case=make_case(officers=[colleague]))
    full = {c.pk: c.points for c in sheet}
    evaluation.score(good, by=reviewer, points=full)
    evaluation.score(
        poor,
        by=reviewer,
        points={**full, sheet[1].pk: Decimal("12")},
        notes={sheet[1].pk: "告知书未载明听证权利"},
    )
    return round_


def test_scoring_needs_every_criterion_within_range_and_a_note_for_each_deduction(make_case, reviewer, sheet):
    round_ = EvaluationRound.objects.create(title="批次", year=2026, per_unit=1, seed=1, created_by=reviewer)
    item = CaseEvaluation.objects.create(round=round_, case=make_case())
    with pytest.raises(Refused) as refused:
        evaluation.score(item, by=reviewer, points={sheet[0].pk: 11, sheet[1].pk: 20})
    messages = refused.value.messages
    assert any("得分应在 0 至 10 之间" in m for m in messages)
    assert any("扣分须写明扣分说明" in m for m in messages)
    assert any("文书齐全规范”未评分" in m for m in messages)
    item.refresh_from_db()
    assert item.total is None and not item.scores.exists()


def test_a_scored_case_file_cannot_be_scored_again(scored_round, reviewer, sheet):
    done = scored_round.evaluations.first()
    with pytest.raises(Refused, match="不能覆盖"):
        evaluation.score(done, by=reviewer, points={c.pk: 0 for c in sheet})


def test_the_default_sheet_is_worth_100_points_over_all_six_groups():
    active = EvaluationCriterion.objects.filter(is_active=True)
    assert sum(c.points for c in active) == 100
    assert {c.group for c in active} == {"subject", "procedure", "facts", "law", "documents", "archive"}


def test_results_roll_up_per_unit_and_per_officer(scored_round, officer, colleague):
    result = evaluation.rollup(scored_round)
    assert result["units"] == [{"name": "狮山市场监督管理所", "cases": 2, "average": Decimal("85.0")}]
    by_officer = {row["name"]: row for row in result["officers"]}
    # 王志强 handled both files (60/60 and 42/60), 李桂芬 only the first.
    assert by_officer["王志强"]["average"] == Decimal("85.0") and by_officer["王志强"]["cases"] == 2
    assert by_officer["李桂芬"]["average"] == Decimal("100.0")


def test_a_supervisor_scores_a_case_file_through_the_page_and_others_may_not(
    client, make_case, reviewer, officer, sheet
):
    from tests.conftest import login_as

    round_ = EvaluationRound.objects.create(title="批次", year=2026, per_unit=1, seed=3, created_by=reviewer)
    item = CaseEvaluation.objects.create(round=round_, case=make_case())
    login_as(client, officer)
    assert client.get(f"/staff/supervision/evaluation/items/{item.pk}/").status_code == 403
    login_as(client, reviewer)
    bad = client.post(f"/staff/supervision/evaluation/items/{item.pk}/", {f"points_{sheet[0].pk}": "abc"})
    assert bad.status_code == 400 and "不是有效数字" in bad.content.decode()
    data = {f"points_{c.pk}": str(c.points) for c in sheet}
    client.post(f"/staff/supervision/evaluation/items/{item.pk}/", data)
    item.refresh_from_db()
    assert item.total == Decimal("60")
    page = client.get(f"/staff/supervision/evaluation/{round_.pk}/").content.decode()
    assert "100.0%" in page


def test_only_supervisors_draw_or_score_whatever_the_path(make_case, officer, reviewer, sheet):
    with pytest.raises(Refused, match="只有政策法规股和局负责人"):
        evaluation.start_round(title="批次", year=2026, per_unit=1, by=officer, seed=1)
    assert not EvaluationRound.objects.exists()
    round_ = EvaluationRound.objects.create(title="批次", year=2026, per_unit=1, seed=1, created_by=reviewer)
    item = CaseEvaluation.objects.create(round=round_, case=make_case())
    with pytest.raises(Refused, match="只有政策法规股和局负责人"):
        evaluation.score(item, by=officer, points={c.pk: c.points for c in sheet})
    item.refresh_from_db()
    assert item.total is None
