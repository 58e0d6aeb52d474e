"""A closed round's page shows what was submitted and what the pre-check found when the reviewer decided —
not the case as it stands today. After a 修改后再报 the officer edits the draft decision and adds a record;
the closed round must still show the submitted facts and amount, and not the later record."""

import pytest
from django.urls import reverse

from legal_review.models import ReviewRound, RoundStatus
from tests.legal_review.conftest import all_pass, issued_row, login_as, proposal_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_then_changed(build_case, officer, colleague, reviewer, bureau_head):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    review_round.decide(
        by=reviewer,
        outcome=RoundStatus.RETURNED,
        opinion="请补充进货凭证后再报。",
        points=all_pass(p3="缺进货凭证"),
    )
    draft = proposal_document(case)
    draft.data = {**draft.data, "facts": "补充调查后查明的新事实。", "fine_amount": "120000.00"}
    draft.save(update_fields=["data"])
    later = issued_row(case, "inquiry_record", by=officer, data={"place": "补充询问"})
    review_round.refresh_from_db()
    review_round.later_number = later.number
    return review_round


def page(client, user, review_round):
    login_as(client, user)
    response = client.get(reverse("legal_review:round", args=[review_round.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_closed_round_shows_the_package_as_submitted(client, closed_then_changed, reviewer):
    html = page(client, reviewer, closed_then_changed)
    assert "本轮审核已结束" in html
    assert "2026年11月3日，执法人员检查发现当事人经营超过保质期的食品。" in html
    assert "罚款150000.00元" in html
    assert "补充调查后查明的新事实" not in html
    assert "120000.00" not in html
    assert closed_then_changed.later_number not in html


def test_the_closed_round_shows_the_stored_prechecks(client, closed_then_changed, reviewer):
    stored = closed_then_changed.prechecks
    assert stored, "the round stores its pre-check results when decided"
    stored[0]["lines"] = ["送审时系统预审记录的一行。"]
    closed_then_changed.prechecks = stored
    closed_then_changed.save(update_fields=["prechecks"])
    assert "送审时系统预审记录的一行。" in page(client, reviewer, closed_then_changed)


def test_an_open_round_shows_the_case_as_it_stands(client, build_case, officer, reviewer, bureau_head):
    case = build_case()
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    draft = proposal_document(case)
    draft.data = {**draft.data, "facts": "送审后补正的事实。"}
    draft.save(update_fields=["data"])
    html = page(client, reviewer, review_round)
    assert "送审后补正的事实。" in html and "本轮审核已结束" not in html
