"""The pages: the reviewer's queue (fixed queries), the review page (assigned reviewer only), the unit's view,
statistics; actions through the pages."""

import pytest
from django.urls import reverse

from legal_review.models import ReviewRound, RoundStatus
from tests.legal_review.conftest import all_pass, login_as

pytestmark = pytest.mark.django_db


def submitted(case, officer, reviewer=None, bureau_head=None):
    review_round = ReviewRound.submit(case, by=officer, confirmed=True)
    if reviewer:
        review_round.assign(reviewer, by=bureau_head)
    return review_round


def test_the_queue_costs_a_fixed_number_of_queries(
    client, build_case, officer, reviewer, bureau_head, django_assert_num_queries
):
    login_as(client, reviewer)
    first = submitted(build_case(), officer, reviewer, bureau_head)
    first.decide(by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回", points=all_pass(p3="证据不足"))
    submitted(build_case(), officer, reviewer, bureau_head)
    submitted(build_case(), officer, reviewer, bureau_head)
    submitted(build_case(), officer)
    client.get(reverse("legal_review:index"))

    # 10 = request plumbing (session, user, groups, OTP device and the header's notification count and unit: 6) + open rounds (1) + my returned rounds (1) + my history (1) + the
    # calendar table (1); none of them grows with the number of rows.
    with django_assert_num_queries(10):
        assert client.get(reverse("legal_review:index")).status_code == 200


def test_the_queue_shows_due_dates_returned_items_and_history(
    client, build_case, officer, reviewer, bureau_head
):
    login_as(client, reviewer)
    mine = submitted(build_case(), officer, reviewer, bureau_head)
    waiting = submitted(build_case(), officer)
    done = submitted(build_case(), officer, reviewer, bureau_head)
    done.decide(by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回", points=all_pass(p3="证据不足"))

    page = client.get(reverse("legal_review:index")).content.decode()

    assert reverse("legal_review:round", args=[mine.pk]) in page
    assert "剩余 10 个工作日" in page
    assert waiting.case.number in page and "由我审核" in page
    assert "已退回、待重新送审" in page and done.opinion_document.number in page


def test_the_queue_is_for_reviewers_and_bureau_heads_only(client, officer):
    login_as(client, officer)
    assert client.get(reverse("legal_review:index")).status_code == 403


def test_the_review_page_is_for_the_assigned_reviewer_only(
    client, build_case, officer, reviewer, second_reviewer, bureau_head
):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)
    url = reverse("legal_review:round", args=[review_round.pk])

    login_as(client, second_reviewer)
    assert client.get(url).status_code == 404
    login_as(client, reviewer)
    page = client.get(url).content.decode()
    assert "系统预审" in page and "执法人员在每项执法活动当日均持有效执法证件" in page


def test_the_reviewer_decides_through_the_page(client, build_case, officer, reviewer, bureau_head):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)
    login_as(client, reviewer)
    data = {"decide-outcome": "returned", "decide-opinion": "请补充进货凭证后再报。"}
    for p in range(1, 8):
        data[f"decide-point_{p}"] = "problem" if p == 3 else "pass"
    data["decide-comment_3"] = "缺少进货凭证"

    response = client.post(reverse("legal_review:decide", args=[review_round.pk]), data, follow=True)

    review_round.refresh_from_db()
    assert review_round.status == RoundStatus.RETURNED
    assert review_round.opinion_document.number in response.content.decode()


def test_a_malformed_decision_saves_nothing_and_says_why(client, build_case, officer, reviewer, bureau_head):
    review_round = submitted(build_case(), officer, reviewer, bureau_head)
    login_as(client, reviewer)

    response = client.post(
        reverse("legal_review:decide", args=[review_round.pk]), {"decide-outcome": "maybe"}, follow=True
    )

    review_round.refresh_from_db()
    assert review_round.status == RoundStatus.IN_REVIEW
    assert "审核结论" in response.content.decode()


def test_the_unit_submits_through_its_page_and_sees_the_opinion(
    client, build_case, officer, reviewer, bureau_head
):
    case = build_case()
    login_as(client, officer)
    response = client.post(reverse("legal_review:submit", args=[case.pk]), {"submit-note": ""}, follow=True)
    assert "真实、完整" in response.content.decode() and not ReviewRound.objects.exists()

    client.post(reverse("legal_review:submit", args=[case.pk]), {"submit-confirmed": "on"})
    review_round = ReviewRound.objects.get()
    review_round.assign(reviewer, by=bureau_head)
    review_round.decide(
        by=reviewer, outcome=RoundStatus.REFUSED, opinion="不同意。", points=all_pass(p4="定性错误")
    )

    page = client.get(reverse("legal_review:case", args=[case.pk])).content.decode()
    assert "不同意" in page and "定性错误" in page and review_round.opinion_document.number in page
    pdf = client.get(reverse("legal_review:document_pdf", args=[case.pk, review_round.opinion_document.pk]))
    assert pdf.status_code == 200 and b"".join(pdf).startswith(b"%PDF")


def test_an_outsider_cannot_open_the_units_review_view(client, build_case, outsider):
    case = build_case()
    login_as(client, outsider)
    assert client.get(reverse("legal_review:case", args=[case.pk])).status_code == 404


def test_statistics_count_outcomes_pass_rate_problems_and_days(
    client, build_case, officer, reviewer, bureau_head
):
    a = submitted(build_case(), officer, reviewer, bureau_head)
    a.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意", points=all_pass())
    b = submitted(build_case(), officer, reviewer, bureau_head)
    b.decide(by=reviewer, outcome=RoundStatus.RETURNED, opinion="退回", points=all_pass(p3="证据不足"))
    login_as(client, bureau_head)

    page = client.get(reverse("legal_review:stats")).content.decode()

    assert "50.0%" in page and "第3项" in page and "1 次" in page


def _issued_opinion(build_case, officer, reviewer, bureau_head):
    case = build_case()
    review_round = submitted(case, officer, reviewer, bureau_head)
    review_round.decide(by=reviewer, outcome=RoundStatus.APPROVED, opinion="同意。", points=all_pass())
    return case, review_round.opinion_document


def test_a_classified_review_pdf_is_a_404_for_a_bureau_head_who_may_not_see_it_and_is_audited(
    client, build_case, officer, reviewer, bureau_head
):
    from recording.models import Classification, Document
    from wuding_enforcement.audit.models import AuditEvent

    case, opinion = _issued_opinion(build_case, officer, reviewer, bureau_head)
    Document.objects.filter(pk=opinion.pk).update(classification=Classification.COMMERCIAL)
    assert not case.may_see_classified(bureau_head)
    login_as(client, bureau_head)

    response = client.get(reverse("legal_review:document_pdf", args=[case.pk, opinion.pk]))

    assert response.status_code == 404
    denied = AuditEvent.objects.get(action="recording.document.access_denied", actor=bureau_head)
    assert denied.detail["document"] == opinion.pk
    assert not AuditEvent.objects.filter(action="recording.document.downloaded").exists()


def test_a_review_pdf_is_hash_checked_and_its_download_audited(
    client, build_case, officer, reviewer, bureau_head
):
    from wuding_enforcement.audit.models import AuditEvent

    case, opinion = _issued_opinion(build_case, officer, reviewer, bureau_head)
    login_as(client, officer)
    url = reverse("legal_review:document_pdf", args=[case.pk, opinion.pk])
    assert client.get(url).status_code == 200
    assert AuditEvent.objects.get(action="recording.document.downloaded", actor=officer).detail["sha256"] == (
        opinion.pdf_sha256
    )

    with open(opinion.pdf.path, "ab") as handle:
        handle.write(b"% tampered")
    response = client.get(url, follow=True)

    assert "完整性校验失败" in response.content.decode()
    assert AuditEvent.objects.filter(action="recording.document.integrity_failed").exists()
