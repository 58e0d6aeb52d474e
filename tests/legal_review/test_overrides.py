"""A failed pre-check is never waved through: the reviewer may pass a point the system's pre-check flagged
only with a written reason, 同意 with such a point needs the reviewer's confirmation, the override is printed in
the 法制审核意见书 and counted on the supervision dashboard. The fixture's case proposes a 150,000 元 fine on
an organisation (entitled to a hearing) with a 告知书 that did not tell the hearing right: point 2 is flagged."""

import re

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from legal_review import package as packaging
from legal_review import prechecks
from legal_review.models import ChecklistItem, ReviewRound, RoundStatus
from recording.models import Document
from tests.legal_review.conftest import all_pass, login_as
from tests.recording.early_factories import pdf_text
from wuding_enforcement.cases.workflow import TransitionRefused

pytestmark = pytest.mark.django_db

REASON = "告知书虽未写明听证权利，但送达时已当面告知并记入送达回证，当事人书面表示不要求听证。"


@pytest.fixture
def flagged_round(build_case, officer, reviewer, bureau_head):
    case = build_case(hearing_right=False)
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    review_round.assign(reviewer, by=bureau_head)
    return review_round


def test_the_fixture_is_flagged_on_point_2_only(flagged_round):
    case = flagged_round.case
    flagged = prechecks.problems_by_point(prechecks.run(case, packaging.build(case)))
    assert list(flagged) == [2] and "未告知听证权利" in flagged[2][0]


def test_a_flagged_point_cannot_be_passed_without_a_reason(flagged_round, reviewer):
    with pytest.raises(TransitionRefused, match="第2项系统预审发现问题.*须写明理由"):
        flagged_round.decide(
            by=reviewer,
            outcome=RoundStatus.APPROVED,
            opinion="同意。",
            points=all_pass(),
            confirm_overrides=True,
        )
    flagged_round.refresh_from_db()
    assert flagged_round.status == RoundStatus.IN_REVIEW
    assert (
        not ChecklistItem.objects.exists() and not Document.objects.filter(doc_type="review_opinion").exists()
    )


def test_approving_over_a_flagged_point_asks_for_confirmation(flagged_round, reviewer):
    with pytest.raises(TransitionRefused, match="第2项系统预审发现问题而认定通过：请确认"):
        flagged_round.decide(
            by=reviewer,
            outcome=RoundStatus.APPROVED,
            opinion="同意。",
            points=all_pass(),
            override_reasons={2: REASON},
        )
    flagged_round.refresh_from_db()
    assert flagged_round.status == RoundStatus.IN_REVIEW


def test_a_confirmed_override_is_kept_and_printed_in_the_opinion(flagged_round, reviewer):
    flagged_round.decide(
        by=reviewer,
        outcome=RoundStatus.APPROVED,
        opinion="同意。",
        points=all_pass(),
        override_reasons={2: REASON},
        confirm_overrides=True,
    )
    item = ChecklistItem.objects.get(round=flagged_round, point=2)
    assert item.is_override and item.override_reason == REASON
    assert list(ChecklistItem.objects.overridden()) == [item]
    assert list(ReviewRound.objects.with_overrides()) == [flagged_round]
    text = pdf_text(flagged_round.opinion_document)
    assert "系统预审发现问题" in text and "审核人员认定通过的理由" in text
    assert "当事人书面表示不要求听证" in text and "共1项" in text


def test_returning_still_needs_a_reason_for_a_flagged_point_it_passes(flagged_round, reviewer):
    with pytest.raises(TransitionRefused, match="第2项系统预审发现问题") as refused:
        flagged_round.decide(
            by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回。", points=all_pass(p3="缺进货凭证")
        )
    assert not any("请确认" in m for m in refused.value.messages)
    flagged_round.decide(
        by=reviewer,
        outcome=RoundStatus.RETURNED,
        opinion="退回。",
        points=all_pass(p3="缺进货凭证"),
        override_reasons={2: REASON},
    )
    assert flagged_round.status == RoundStatus.RETURNED


def test_agreeing_with_the_pre_check_needs_no_reason(flagged_round, reviewer):
    flagged_round.decide(
        by=reviewer,
        outcome=RoundStatus.RETURNED,
        opinion="退回。",
        points=all_pass(p2="告知书未告知听证权利"),
    )
    assert not ChecklistItem.objects.overridden().exists()


def test_the_database_refuses_an_override_without_a_reason(flagged_round):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistItem.objects.create(round=flagged_round, point=2, result="pass", precheck_found=True)


# --- Pages -----------------------------------------------------------------------------------------------


def _post(flagged_round, **extra):
    data = {"decide-outcome": "approved", "decide-opinion": "事实清楚，同意。"}
    for p in range(1, 8):
        data[f"decide-point_{p}"] = "pass"
    data.update(extra)
    return data


def test_the_review_page_asks_for_a_reason_beside_the_flagged_point(client, flagged_round, reviewer):
    login_as(client, reviewer)
    page = client.get(reverse("legal_review:round", args=[flagged_round.pk])).content.decode()
    assert 'name="decide-override_2"' in page and 'name="decide-override_3"' not in page
    assert 'name="decide-confirm_overrides"' in page
    point_2 = page[page.index("2. 执法程序是否合法") : page.index("3. 案件事实是否清楚")]
    assert "系统预审发现问题" in point_2 and "未告知听证权利" in point_2


def test_a_forged_post_passing_the_flagged_point_is_refused_and_keeps_the_input(
    client, flagged_round, reviewer
):
    login_as(client, reviewer)
    response = client.post(reverse("legal_review:decide", args=[flagged_round.pk]), _post(flagged_round))
    flagged_round.refresh_from_db()
    assert flagged_round.status == RoundStatus.IN_REVIEW
    page = response.content.decode()
    assert response.status_code == 200 and "须写明理由" in page and "事实清楚，同意。" in page


def test_the_page_approves_with_reason_and_confirmation(client, flagged_round, reviewer):
    login_as(client, reviewer)
    url = reverse("legal_review:decide", args=[flagged_round.pk])
    refused = client.post(url, _post(flagged_round, **{"decide-override_2": REASON}))
    assert "请确认仍作出同意的结论" in refused.content.decode()
    client.post(url, _post(flagged_round, **{"decide-override_2": REASON, "decide-confirm_overrides": "on"}))
    flagged_round.refresh_from_db()
    assert flagged_round.status == RoundStatus.APPROVED
    # The round page shows the override beside the point, as the 意见书 does.
    page = client.get(reverse("legal_review:round", args=[flagged_round.pk])).content.decode()
    assert "认定通过的理由：" + REASON in page


def test_the_dashboard_counts_overrides_and_lists_the_reasons(client, flagged_round, reviewer, bureau_head):
    flagged_round.decide(
        by=reviewer,
        outcome=RoundStatus.APPROVED,
        opinion="同意。",
        points=all_pass(),
        override_reasons={2: REASON},
        confirm_overrides=True,
    )
    login_as(client, bureau_head)
    html = client.get("/staff/supervision/").content.decode()
    match = re.search(r'data-figure="review-overridden"><span class="sv-count">(\d+)</span>', html)
    assert match and match.group(1) == "1"
    listed = client.get("/staff/supervision/dashboard/review-overridden/").content.decode()
    assert "第2项：" + REASON in listed
