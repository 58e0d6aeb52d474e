# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""事后公开, the pages: the public list and search, detail, print view, feed, embed, open data, error reports;
the staff review; an anonymous visitor guessing ids; fixed query counts; the cache renewed on change."""

import csv
import datetime
import io
import json

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from disclosure.models import ErrorReport, Publication, PublicationStatus
from disclosure.search import search_grams
from tests.conftest import login_as, make_staff
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    PERSON,
    TZ,
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def publications(decided_case, officer, bureau_head):
    """Three decisions of one case: one published, one withdrawn, one still a draft."""
    case = decided_case()
    made = []
    for violation in ("经营超过保质期的食品", "销售不合格药品", "未明码标价"):
        decision = issue_decision(case, officer, violation_type=violation)
        made.append(Publication.objects.get(document=decision))
    for pub in made[:2]:
        serve(pub.document, officer)
        pub.publish(by=bureau_head)
    made[1].withdraw(by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。")
    cache.clear()
    return {"published": made[0], "withdrawn": made[1], "draft": made[2]}


def html(response):
    return response.content.decode()


# --- The public list and search -----------------------------------------------------------------------------


def test_the_list_shows_published_and_withdrawn_entries_but_never_a_draft(client, publications):
    page = html(client.get(reverse("disclosure:publication_list")))
    assert "经营超过保质期的食品" in page
    assert "已撤回" in page and "经行政复议，原处罚决定被撤销。" in page
    # The withdrawn entry keeps its number and reason, not its content.
    assert "销售不合格药品" not in page
    assert "未明码标价" not in page and publications["draft"].document_number not in page


def test_a_two_character_chinese_search_finds_the_decision(client, publications):
    found = html(client.get(reverse("disclosure:publication_list"), {"violation": "食品"}))
    assert "经营超过保质期的食品" in found and "找到 1 条" in found
    none = html(client.get(reverse("disclosure:publication_list"), {"violation": "药店"}))
    assert "找到 0 条" in none and "没有符合条件的公示信息" in none
    by_party = html(client.get(reverse("disclosure:publication_list"), {"party": "某某商贸"}))
    assert "找到 2 条" in by_party


def test_search_by_number_unit_and_date_range(client, publications, units):
    number = publications["published"].document_number
    assert "找到 1 条" in html(client.get(reverse("disclosure:publication_list"), {"number": number}))
    other_unit = html(client.get(reverse("disclosure:publication_list"), {"unit": units["gaoqiao"].pk}))
    assert "找到 0 条" in other_unit
    in_range = {"date_from": "2026-11-01", "date_to": "2026-11-30"}
    assert "找到 2 条" in html(client.get(reverse("disclosure:publication_list"), in_range))
    reversed_range = {"date_from": "2026-11-30", "date_to": "2026-11-01"}
    assert "结束日期不能早于开始日期" in html(
        client.get(reverse("disclosure:publication_list"), reversed_range)
    )


def test_the_search_grams_name_the_field_they_come_from():
    grams = search_grams(
        party_name="某某 商贸", violation_type="食品", document_number="武市监处罚〔2026〕1号"
    )
    assert "p某某" in grams.split() and "p某商" in grams.split() and "v食品" in grams.split()
    assert "v某某" not in grams.split()


# Queries of GET /publications/ for an anonymous visitor on a cache miss, whatever the number of items:
#  1 the units (the search form's select)   2 COUNT for the paginator   3 the page of publications
LIST_QUERIES = 3


@pytest.mark.parametrize("count", [1, 8])
def test_the_list_costs_a_fixed_number_of_queries_and_none_when_cached(
    client, decided_case, officer, bureau_head, django_assert_num_queries, count
):
    case = decided_case()
    for _ in range(count):
        pub = Publication.objects.get(document=issue_decision(case, officer))
        serve(pub.document, officer)
        pub.publish(by=bureau_head)
    cache.clear()
    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("disclosure:publication_list"), {"violation": "食品"})
    with django_assert_num_queries(0):  # the same page again, from the cache
        client.get(reverse("disclosure:publication_list"), {"violation": "食品"})


def test_a_new_publication_appears_in_a_cached_list_at_once(client, decided_case, officer, bureau_head):
    case = decided_case()
    pub = Publication.objects.get(document=issue_decision(case, officer))
    assert "共 0 条" in html(client.get(reverse("disclosure:publication_list")))
    serve(pub.document, officer)
    pub.publish(by=bureau_head)
    assert "共 1 条" in html(client.get(reverse("disclosure:publication_list")))


# --- Detail, print ------------------------------------------------------------------------------------------


def test_the_detail_shows_the_summary_and_the_redacted_text_only(
    client, publications, django_assert_num_queries
):
    pub = publications["published"]
    with django_assert_num_queries(1):  # the publication
        page = html(client.get(reverse("disclosure:publication_detail", args=[pub.pk])))
    assert pub.document_number in page and "罚款5000.00元" in page and "2026年11月19日" in page
    assert "王小红" not in page and "13987654321" not in page and "王某" in page
    assert "决定书全文" in page


def test_a_stale_link_to_a_withdrawn_decision_says_withdrawn_without_content(client, publications):
    pub = publications["withdrawn"]
    page = html(client.get(reverse("disclosure:publication_detail", args=[pub.pk])))
    assert "该公示信息已撤回" in page and "经行政复议，原处罚决定被撤销。" in page
    assert "销售不合格药品" not in page and "决定书全文" not in page
    assert client.get(reverse("disclosure:publication_print", args=[pub.pk])).status_code == 404


def test_a_stale_link_to_an_expired_decision_says_so(client, publications):
    pub = publications["published"]
    with time_machine.travel(datetime.datetime(2029, 11, 22, 9, tzinfo=TZ), tick=False):
        page = html(client.get(reverse("disclosure:publication_detail", args=[pub.pk])))
        listed = html(client.get(reverse("disclosure:publication_list")))
    assert "公示期已结束" in page and "决定书全文" not in page
    assert pub.document_number not in listed


def test_the_print_view_carries_the_summary_and_text(client, publications):
    pub = publications["published"]
    page = html(client.get(reverse("disclosure:publication_print", args=[pub.pk])))
    assert pub.document_number in page and "打印日期：2026年11月20日" in page and "王小红" not in page


# --- Security: an anonymous visitor guessing ids finds nothing unpublished ----------------------------------


def test_an_anonymous_walk_over_guessed_ids_finds_no_draft_and_no_staff_page(client, publications):
    draft = publications["draft"]
    once = {publications["published"].pk, publications["withdrawn"].pk}
    for pk in range(1, draft.pk + 5):
        for name in ("publication_detail", "publication_print", "publication_report"):
            response = client.get(reverse(f"disclosure:{name}", args=[pk]))
            if pk not in once:
                assert response.status_code == 404, (name, pk)
        staff = client.get(reverse("disclosure:staff_publication_detail", args=[pk]))
        assert staff.status_code == 302 and "/accounts/login/" in staff["Location"]
    for page in (
        client.get(reverse("disclosure:publication_list")),
        client.get(reverse("disclosure:publication_feed")),
        client.get(reverse("disclosure:publication_embed")),
        client.get(reverse("disclosure:publication_open_json")),
    ):
        body = b"".join(page.streaming_content) if page.streaming else page.content
        assert draft.document_number.encode() not in body
        assert "王小红".encode() not in body


def test_a_staff_member_without_the_reviewer_role_gets_404_on_a_publication(client, publications, officer):
    login_as(client, officer)
    response = client.get(reverse("disclosure:staff_publication_detail", args=[publications["draft"].pk]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="disclosure.publication.access_denied").exists()


# --- Feed, embed, open data --------------------------------------------------------------------------------


def test_the_atom_feed_lists_current_publications_only(client, publications):
    response = client.get(reverse("disclosure:publication_feed"))
    assert response["Content-Type"].startswith("application/atom+xml")
    body = html(response)
    assert publications["published"].document_number in body
    assert publications["withdrawn"].document_number not in body
    assert publications["draft"].document_number not in body


def test_the_embed_view_may_be_framed_only_by_the_configured_origins(client, publications):
    with override_settings(EMBED_ALLOWED_ORIGINS=["https://www.wuding.gov.cn"]):
        response = client.get(reverse("disclosure:publication_embed"))
    assert "frame-ancestors https://www.wuding.gov.cn" in response["Content-Security-Policy"]
    assert "X-Frame-Options" not in response
    assert publications["published"].document_number in html(response)
    other = client.get(reverse("disclosure:publication_list"))
    assert "frame-ancestors 'none'" in other["Content-Security-Policy"] and other["X-Frame-Options"] == "DENY"
    with override_settings(EMBED_ALLOWED_ORIGINS=[]):
        closed = client.get(reverse("disclosure:publication_embed"))
    assert (
        "frame-ancestors 'none'" in closed["Content-Security-Policy"] and closed["X-Frame-Options"] == "DENY"
    )


def test_open_data_holds_current_summaries_only(client, publications):
    rows = list(
        csv.DictReader(
            io.StringIO(
                b"".join(client.get(reverse("disclosure:publication_open_csv")).streaming_content).decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [r["决定书文号"] for r in rows] == [publications["published"].document_number]
    assert rows[0]["当事人"] == "武定县某某商贸有限公司" and rows[0]["公示截止日期"] == "2029-11-20"
    # The fine as a number beside the text (published 2026-11-20 for 3 years: shown until 2029-11-20).
    assert rows[0]["罚款金额（元）"] == "5000.00"
    data = json.loads(b"".join(client.get(reverse("disclosure:publication_open_json")).streaming_content))
    assert [i["document_number"] for i in data["items"]] == [publications["published"].document_number]
    assert data["items"][0]["fine_amount"] == 5000 and data["items"][0]["last_day"] == "2029-11-20"
    with time_machine.travel(datetime.datetime(2029, 11, 21, 9, tzinfo=TZ), tick=False):
        expired = json.loads(
            b"".join(client.get(reverse("disclosure:publication_open_json")).streaming_content)
        )
    assert expired["items"] == []


# --- Error reports (纠错) ---------------------------------------------------------------------------------


def test_anyone_reports_an_error_and_follows_the_reply_by_code(client, publications, bureau_head):
    pub = publications["published"]
    url = reverse("disclosure:publication_report", args=[pub.pk])
    response = client.post(
        url, {"content": "当事人名称有误，应为某某商贸有限责任公司。", "contact": "邮箱 a@example.com"}
    )
    report = ErrorReport.objects.get()
    assert response.status_code == 302 and report.code in response["Location"]
    assert "待处理" in html(client.get(response["Location"]))
    login_as(client, bureau_head)
    client.post(reverse("disclosure:staff_report_reply", args=[report.pk]), {"reply": "经核实，名称无误。"})
    client.logout()
    assert "经核实，名称无误。" in html(
        client.get(reverse("disclosure:publication_report_status", args=[report.code]))
    )
    assert AuditEvent.objects.filter(action="disclosure.error_report.answered", actor=bureau_head).exists()


def test_a_report_is_answered_once_and_a_second_answer_is_refused_also_by_a_forged_post(
    client, publications, bureau_head, unit_head
):
    """国办发〔2018〕118号 纠错机制: a report gets one answer. A second one — the model method called again, or
    a POST forged past the page (which offers no form once answered) — is refused and changes nothing."""
    report = ErrorReport.receive(publications["published"], content="处罚内容与决定书不一致。")
    report.answer(by=bureau_head, reply="经核实，已更正。", corrected=True)
    with pytest.raises(Refused, match="不能重复答复"):
        report.answer(by=bureau_head, reply="第二次答复")
    login_as(client, unit_head)
    url = reverse("disclosure:staff_report_reply", args=[report.pk])
    page = html(client.post(url, {"reply": "伪造的第二次答复", "corrected": ""}, follow=True))
    assert "已于" in page and "不能重复答复" in page
    report.refresh_from_db()
    assert (report.reply, report.corrected, report.replied_by) == ("经核实，已更正。", True, bureau_head)
    assert AuditEvent.objects.filter(action="disclosure.error_report.answered").count() == 1


def test_only_a_reviewer_of_the_publication_answers_a_report(client, publications, units, officer):
    report = ErrorReport.receive(publications["published"], content="当事人名称有误。")
    other_head = make_staff("gao_head", "高主任", units["gaoqiao"], Role.UNIT_HEAD)
    units["gaoqiao"].head = other_head
    units["gaoqiao"].save()
    with pytest.raises(Refused, match="无权答复"):
        report.answer(by=officer, reply="我来答复")
    with pytest.raises(Refused, match="请填写答复内容"):
        report.answer(by=other_head, reply="  ")
    login_as(client, other_head)
    response = client.post(reverse("disclosure:staff_report_reply", args=[report.pk]), {"reply": "越权答复"})
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="disclosure.error_report.access_denied", actor=other_head
    ).exists()
    report.refresh_from_db()
    assert report.is_open and report.reply == ""


def test_a_report_on_a_draft_is_refused_by_the_model_too(publications):
    with pytest.raises(Refused, match="未公示"):
        ErrorReport.receive(publications["draft"], content="试图向草稿提交纠错。")
    assert not ErrorReport.objects.exists()


def test_error_reports_are_rate_limited_per_address_in_chinese(client, publications):
    url = reverse("disclosure:publication_report", args=[publications["published"].pk])
    for i in range(5):
        assert client.post(url, {"content": f"第{i}次反映：处罚内容有误。"}).status_code == 302
    refused = client.post(url, {"content": "第6次反映：处罚内容有误。"})
    assert refused.status_code == 429 and "提交过于频繁" in html(refused)
    assert ErrorReport.objects.count() == 5
    other = client.post(url, {"content": "另一位市民反映：处罚内容有误。"}, REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_the_honeypot_and_an_empty_report_are_refused_and_nothing_is_saved(client, publications):
    url = reverse("disclosure:publication_report", args=[publications["published"].pk])
    bot = client.post(url, {"content": "广告内容广告内容", "website": "http://spam.example"})
    assert bot.status_code == 400 and "提交失败" in html(bot)
    empty = client.post(url, {"content": ""})
    assert empty.status_code == 400 and "请写明您发现的问题" in html(empty)
    assert not ErrorReport.objects.exists()


def test_a_draft_cannot_receive_an_error_report(client, publications):
    url = reverse("disclosure:publication_report", args=[publications["draft"].pk])
    assert client.post(url, {"content": "试图向草稿提交纠错。"}).status_code == 404


# --- The staff review -------------------------------------------------------------------------------------


def test_the_reviewer_sees_original_and_redacted_side_by_side(client, publications, unit_head):
    login_as(client, unit_head)
    page = html(client.get(reverse("disclosure:staff_publication_detail", args=[publications["draft"].pk])))
    assert "决定书原文（仅内部可见）" in page and "公示文本预览" in page
    assert '<mark class="redacted"' in page and "王小红" in page and "王某" in page
    assert "尚未送达" in page


def test_the_staff_actions_publish_and_withdraw_through_the_pages(client, publications, unit_head, officer):
    draft = publications["draft"]
    login_as(client, unit_head)
    refused = client.post(reverse("disclosure:staff_publication_publish", args=[draft.pk]), follow=True)
    assert "尚未送达" in html(refused)
    serve(draft.document, officer)
    client.post(reverse("disclosure:staff_publication_publish", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.status == PublicationStatus.PUBLISHED
    bad = client.post(
        reverse("disclosure:staff_publication_withdraw", args=[draft.pk]), {"kind": "void"}, follow=True
    )
    assert "这个字段是必填项" in html(bad) or "必填" in html(bad)
    client.post(
        reverse("disclosure:staff_publication_withdraw", args=[draft.pk]),
        {"kind": "void", "reason": "处罚决定被确认无效。"},
    )
    draft.refresh_from_db()
    assert draft.status == PublicationStatus.WITHDRAWN


def test_the_reviewer_redacts_a_selected_span_through_the_page(client, publications, bureau_head):
    draft = publications["draft"]
    start = draft.original_text.index("昆明某某商贸公司")
    login_as(client, bureau_head)
    client.post(
        reverse("disclosure:staff_redaction_add", args=[draft.pk]),
        {"start": start, "end": start + 8, "kind": "other"},
    )
    assert draft.redactions.filter(original="昆明某某商贸公司", created_by=bureau_head).exists()
    forged = client.post(
        reverse("disclosure:staff_redaction_add", args=[draft.pk]),
        {"start": 10**6, "end": 10**6 + 2, "kind": "other"},
        follow=True,
    )
    assert "超出决定书原文范围" in html(forged)


# Queries of GET /staff/disclosure/publications/ for the bureau head, whatever the number of drafts:
#  1 session  2 the user  3 the OTP device  4 the user's role groups  5 COUNT  6 the page of publications
#  (+ decision and its correction)  7 the holiday table (deadline flags)  8 open error reports
#  9 unread notifications (header)  10 the user's unit (header) (the 系统管理 link reads the roles of 4)
# (the session's last_seen is written at most once a minute: LAST_SEEN_STEP)
STAFF_LIST_QUERIES = 10


@pytest.mark.parametrize("count", [1, 6])
def test_the_staff_list_costs_a_fixed_number_of_queries(
    client, decided_case, officer, bureau_head, django_assert_num_queries, count
):
    case = decided_case()
    for _ in range(count):
        issue_decision(case, officer)
    login_as(client, bureau_head)
    with django_assert_num_queries(STAFF_LIST_QUERIES):
        response = client.get(reverse("disclosure:staff_publication_list"))
    assert len(response.context["rows"]) == count


# Queries of GET /staff/disclosure/error-reports/ for the bureau head, whatever the number of reports:
#  1 session  2 the user  3 the OTP device  4 the user's role groups  5 COUNT  6 the page of reports
#  (+ publication and who answered)  7 unread notifications (header)  8 the user's unit (header) (the
#  系统管理 link reads the roles of 4: no permission queries)
REPORT_LIST_QUERIES = 8


@pytest.mark.parametrize("count", [1, 6])
def test_the_error_report_list_costs_a_fixed_number_of_queries(
    client, publications, bureau_head, django_assert_num_queries, count
):
    for i in range(count):
        report = ErrorReport.receive(publications["published"], content=f"第{i}条：处罚内容有误。")
        if i % 2:
            report.answer(by=bureau_head, reply="已核实。")
    login_as(client, bureau_head)
    with django_assert_num_queries(REPORT_LIST_QUERIES):
        response = client.get(reverse("disclosure:staff_report_list"))
    assert len(response.context["page"].object_list) == count


def test_the_staff_list_flags_a_draft_past_its_deadline(client, decided_case, officer, bureau_head):
    issue_decision(decided_case(), officer)
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, tzinfo=TZ), tick=False):
        login_as(client, bureau_head)
        page = html(client.get(reverse("disclosure:staff_publication_list")))
    assert "已逾期" in page and "2026年11月30日前" in page and "待送达" in page


def test_the_staff_list_flags_a_corrected_decision_to_withdraw_amber_then_red(
    client, publications, officer, bureau_head
):
    """The withdrawal clock (行政处罚法 第四十八条 第二款: 3 working days) is one deadline (disclosure/deadlines.py),
    the same on the case page and here; the template only shows its status."""
    pub = publications["published"]
    with time_machine.travel(datetime.datetime(2026, 11, 23, 9, tzinfo=TZ), tick=False):
        pub.document.correct(by=officer, reason="罚款金额计算错误").issue(by=officer)
    flag = "决定书已于2026年11月23日更正，须于2026年11月26日前撤回"
    with time_machine.travel(datetime.datetime(2026, 11, 25, 9, tzinfo=TZ), tick=False):
        login_as(client, bureau_head)
        assert f'<span class="status amber">{flag}' in html(
            client.get(reverse("disclosure:staff_publication_list"), {"tab": "published"})
        )
    with time_machine.travel(datetime.datetime(2026, 11, 27, 9, tzinfo=TZ), tick=False):
        login_as(client, bureau_head)
        assert f'<span class="status red">{flag}' in html(
            client.get(reverse("disclosure:staff_publication_list"), {"tab": "published"})
        )


def test_the_representative_is_named_by_the_partys_kind(client, publications):
    pub = publications["published"]
    url = reverse("disclosure:publication_detail", args=[pub.pk])
    assert "<dt>法定代表人（负责人）</dt><dd>陈建国</dd>" in html(client.get(url))
    Publication.objects.filter(pk=pub.pk).update(party_kind="individual")
    cache.clear()
    assert "<dt>经营者</dt><dd>陈建国</dd>" in html(client.get(url))
    printed = html(client.get(reverse("disclosure:publication_print", args=[pub.pk])))
    assert "<th>经营者</th><td>陈建国</td>" in printed


def test_the_review_page_says_why_an_early_end_is_not_possible(client, publications, bureau_head):
    pub = publications["published"]
    url = reverse("disclosure:staff_publication_detail", args=[pub.pk])
    login_as(client, bureau_head)
    end_early = reverse("disclosure:staff_publication_end_early", args=[pub.pk])
    assert end_early in html(client.get(url))
    Publication.objects.filter(pk=pub.pk).update(penalty_types=["fine", "suspend_business"])
    page = html(client.get(url))
    assert "处罚种类含“责令停产停业”，不得提前停止公示" in page and end_early not in page
    forged = html(
        client.post(
            end_early,
            {
                **dict.fromkeys(("performed", "remedied", "no_repeat", "not_untrustworthy"), "on"),
                "request_on": "2026-11-20",
            },
            follow=True,
        )
    )
    assert "不得提前停止公示（总局令第45号 第十四条）" in forged
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.PUBLISHED


def test_a_person_partys_page_never_shows_the_id_number(client, decided_case, officer, bureau_head):
    from tests.disclosure.publication_factories import PERSON_ID

    pub = Publication.objects.get(document=issue_decision(decided_case(party=PERSON), officer))
    serve(pub.document, officer)
    pub.publish(by=bureau_head)
    page = html(client.get(reverse("disclosure:publication_detail", args=[pub.pk])))
    assert PERSON_ID not in page and "［身份证号码］" in page and "13812345678" not in page


def test_a_search_with_very_many_results_counts_up_to_the_cap(client, publications, monkeypatch):
    from disclosure.views import publications as views

    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 1)
    page = html(client.get(reverse("disclosure:publication_list"), {"party": "某某商贸"}))
    assert "找到 1 余 条" in page and "缩小范围" in page
