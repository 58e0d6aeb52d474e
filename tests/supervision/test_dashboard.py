"""The 监督检查 dashboard: each figure counts what it should and nothing else, drills down to the list behind
it (filterable by unit and officer), hides classified case titles from supervisors the case's classified
records are closed to, is for supervisors only, and costs a fixed number of queries whatever the data."""

import datetime
import hashlib
import itertools
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.utils import timezone
from guardian.shortcuts import assign_perm

from inspection.models import InspectionSettings
from legal_review.models import ChecklistItem, ReviewRound, RoundStatus
from recording.models import Document, Evidence
from supervision import dashboard
from supervision.models import ItemStatus, NoticeItem, SupervisionNotice
from tests.conftest import file_case, login_as, make_staff
from wuding_enforcement.cases import deadline_sync
from wuding_enforcement.cases.models import Case, RuleSettings
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import (
    Certificate,
    Role,
    TrainingAttendance,
    TrainingRequirement,
    TrainingSession,
)

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
# Wednesday 25 November 2026: no holiday near.
TODAY = datetime.date(2026, 11, 25)
YESTERDAY = TODAY - datetime.timedelta(days=1)
_seq = itertools.count(1)


def at(day):
    return time_machine.travel(datetime.datetime.combine(day, datetime.time(10, 0), tzinfo=TZ), tick=False)


@pytest.fixture(autouse=True)
def frozen():
    with at(TODAY):
        yield


def slugs(items):
    return {(i.cases[0].pk if i.cases else None, i.subject) for i in items}


def case_ids(items):
    return {c.pk for i in items for c in i.cases}


# --- Factories: rows stored directly (issuing, publishing and reviewing are their systems' concern) -----------


def document(case, doc_type, *, by, status="issued", act_date=YESTERDAY, officers=(), **fields):
    n = next(_seq)
    if status == "issued":
        fields.update(
            number=f"测试{doc_type}〔2026〕{n}号",
            number_year=2026,
            number_seq=n,
            pdf_sha256=hashlib.sha256(str(n).encode()).hexdigest(),
            issued_by=by,
            issued_at=timezone.now(),
        )
    doc = Document.objects.create(
        case=case, doc_type=doc_type, status=status, act_date=act_date, created_by=by, **fields
    )
    doc.officers.set(officers)
    return doc


def video(doc, *, by, voided=False):
    n = next(_seq)
    return Evidence.objects.create(
        case=doc.case,
        document=doc,
        kind="video",
        title="现场录像",
        file=f"evidence/{doc.case_id}/{n}",
        mime="video/mp4",
        size=1000,
        sha256=hashlib.sha256(f"v{n}".encode()).hexdigest(),
        uploaded_by=by,
        voided_at=timezone.now() if voided else None,
        voided_by=by if voided else None,
        void_reason="误传" if voided else "",
    )


def publication(case, *, by, due_on, status="draft"):
    from disclosure.models import Publication

    decision = document(case, "penalty_decision", by=by, act_date=None)
    fields = {}
    if status == "published":
        fields = {"published_at": timezone.now(), "published_on": TODAY, "ends_on": TODAY.replace(year=2029)}
    return Publication.objects.create(
        document=decision,
        case=case,
        status=status,
        document_number=decision.number,
        party_name="武定县某某商贸有限公司",
        party_kind="organisation",
        violation_type="经营超过保质期的食品",
        penalty_content="罚款5000元",
        authority="武定县市场监督管理局",
        unit=case.handling_unit,
        unit_name=case.handling_unit.name,
        decided_on=due_on - datetime.timedelta(days=9),
        original_text="决定书原文",
        due_on=due_on,
        created_by=by,
        **fields,
    )


def review_round(case, *, by, number=1, status=RoundStatus.SUBMITTED, submitted_on, due_on, **fields):
    return ReviewRound.objects.create(
        case=case,
        number=number,
        status=status,
        proposal_hash="0" * 64,
        confirmation="承办单位对送审材料的真实性、完整性负责。",
        submitted_by=by,
        submitted_on=submitted_on,
        due_on=due_on,
        **fields,
    )


def notice_item(unit, *, by, due_on, status=ItemStatus.OPEN, issued=True):
    n = next(_seq)
    notice = SupervisionNotice.objects.create(title="专项督查通报", summary="见附件", created_by=by)
    # Items are listed on the draft; the number comes with issuing (an issued notice takes no new item).
    item = NoticeItem.objects.create(
        notice=notice, unit=unit, problem="案卷缺少送达回证", due_on=due_on, status=status
    )
    if issued:
        SupervisionNotice.objects.filter(pk=notice.pk).update(
            number=f"武市监督通〔2026〕{n}号", number_year=2026, number_seq=n
        )
        item.notice.refresh_from_db()
    return item


@pytest.fixture
def gaoqiao_pair(units, outsider):
    """高桥所's two officers: 赵敏 (outsider) and 孙丽."""
    return outsider, make_staff("sun_gaoqiao", "孙丽", units["gaoqiao"], Role.OFFICER)


@pytest.fixture
def cases(make_case, units, officer, colleague, unit_head, bureau_head, gaoqiao_pair):
    """Five leads of 2026: overdue, soon due (amber), fresh, not filed (finished), and 高桥所's overdue one."""
    overdue = make_case(title="逾期未决定是否立案案", lead_date=datetime.date(2026, 10, 12))
    # 15 working days from Mon 9 Nov end on Mon 30 Nov: three working days left on the 25th.
    soon = make_case(title="即将到期案", lead_date=datetime.date(2026, 11, 9))
    fresh = make_case(title="新登记案", lead_date=datetime.date(2026, 11, 24))
    finished = make_case(title="不予立案案", lead_date=datetime.date(2026, 9, 1))
    approval = finished.request_approval("not_filing", by=officer, reason="违法事实不能成立。")
    approval.give_opinion(unit_head, agree=True, opinion="同意不予立案。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    finished.refresh_from_db()
    assert finished.stage == Stage.NOT_FILED
    gaoqiao = make_case(
        title="高桥逾期案",
        by=gaoqiao_pair[0],
        handling_unit=units["gaoqiao"],
        officers=list(gaoqiao_pair),
        lead_date=datetime.date(2026, 10, 12),
    )
    return {"overdue": overdue, "soon": soon, "fresh": fresh, "finished": finished, "gaoqiao": gaoqiao}


# --- 1. Deadlines -------------------------------------------------------------------------------------------


def test_overdue_and_soon_due_deadlines_of_active_cases_only(cases):
    items = dashboard.collect(TODAY, panels=["deadlines"])
    assert case_ids(items["overdue"]) == {cases["overdue"].pk, cases["gaoqiao"].pk}
    assert case_ids(items["due-soon"]) == {cases["soon"].pk}
    soon = items["due-soon"][0]
    assert soon.subject == "立案审查期限" and soon.due == datetime.date(2026, 11, 30)
    assert soon.timing == "剩余3个工作日"
    late = next(i for i in items["overdue"] if i.cases[0] == cases["overdue"])
    assert late.timing.startswith("已逾期") and late.level == "red"


def test_deadlines_break_down_by_unit_and_by_officer(cases, units, officer, colleague, gaoqiao_pair):
    items = dashboard.collect(TODAY, panels=["deadlines"])["overdue"]
    assert dashboard.by_unit(items) == {units["shishan"].pk: 1, units["gaoqiao"].pk: 1}
    counts, people = dashboard.by_officer(items)
    assert counts == {officer.pk: 1, colleague.pk: 1, gaoqiao_pair[0].pk: 1, gaoqiao_pair[1].pk: 1}
    only_gaoqiao = dashboard.filter_items(items, unit=units["gaoqiao"])
    assert case_ids(only_gaoqiao) == {cases["gaoqiao"].pk}
    assert case_ids(dashboard.filter_items(items, officer=colleague)) == {cases["overdue"].pk}
    assert dashboard.filter_items(items, unit=units["gaoqiao"], officer=colleague) == []


def test_a_deadline_across_national_day_turns_amber_then_red(make_case):
    # Lead received Tue 2025-09-23: 15 working days, skipping 国庆 2025-10-01..08 and counting the adjusted
    # working Sunday 09-28 and Saturday 10-11 -> due Mon 2025-10-20 (tests/cases/test_deadlines.py).
    with at(datetime.date(2025, 9, 23)):
        case = make_case(lead_date=datetime.date(2025, 9, 23))
    for day, figure in [
        (datetime.date(2025, 10, 9), None),  # 7 working days left
        (datetime.date(2025, 10, 16), "due-soon"),
        (datetime.date(2025, 10, 21), "overdue"),
    ]:
        with at(day):
            items = dashboard.collect(day, panels=["deadlines"])
        found = [f for f, rows in items.items() if case.pk in case_ids(rows)]
        assert found == ([figure] if figure else []), day
    assert items["overdue"][0].timing == "已逾期1个工作日"


# --- 2. Audio-video ---------------------------------------------------------------------------------------


@pytest.fixture
def filed(make_case, officer, unit_head, bureau_head):
    with at(datetime.date(2026, 11, 2)):
        case = make_case(title="现场检查案", lead_date=datetime.date(2026, 11, 2))
        return file_case(case, unit_head, bureau_head, officer)


def test_acts_without_av_are_exempted_with_their_reason_or_missing(
    filed, make_case, officer, colleague, unit_head, bureau_head
):
    by = {"by": officer, "officers": [officer, colleague]}
    exempted = document(filed, "onsite_record", av_exemption="现场检查过程简单，文字和照片足以记录。", **by)
    with_video = document(filed, "onsite_record", av_exemption="理由", **by)
    video(with_video, by=officer)
    seizure = document(filed, "coercion_decision", **by)
    video(seizure, by=officer, voided=True)  # the only video was voided after issuing
    blank_reason = document(filed, "onsite_record", av_exemption="   ", **by)
    draft_done = document(filed, "inquiry_record", status="draft", **by)
    draft_today = document(filed, "inquiry_record", status="draft", act_date=TODAY, **by)
    draft_with_reason = document(filed, "onsite_record", status="draft", av_exemption="文字足以记录", **by)
    left = document(
        filed, "service_receipt", data={"method": "left"}, av_exemption="当事人拒签，见证人在场", **by
    )
    direct = document(filed, "service_receipt", data={"method": "direct"}, **by)
    old = document(filed, "onsite_record", act_date=TODAY - datetime.timedelta(days=400), **by)
    no_av_rule = document(filed, "investigation_report", **by)

    items = dashboard.collect(TODAY, panels=["av"])
    found = {i.ref: i for i in items["av-exempted"] + items["av-missing"]}

    def refs(*docs):
        return {f"document:{d.pk}" for d in docs}

    assert {i.ref for i in items["av-exempted"]} == refs(exempted, left)
    assert {i.ref for i in items["av-missing"]} == refs(seizure, blank_reason, draft_done)
    assert not refs(with_video, draft_today, draft_with_reason, direct, old, no_av_rule) & set(found)
    first = found[f"document:{exempted.pk}"]
    assert first.detail == "现场检查过程简单，文字和照片足以记录。"
    assert first.subject == f"现场笔录 {exempted.number}"
    assert {p.pk for p in first.people} == {officer.pk, colleague.pk}
    assert "全程音像记录" in found[f"document:{seizure.pk}"].detail


def test_drafts_of_finished_cases_do_not_count_as_missing_av(cases, officer):
    document(cases["finished"], "inquiry_record", status="draft", by=officer, officers=[officer])
    assert dashboard.collect(TODAY, panels=["av"])["av-missing"] == []


def test_a_correction_replaces_the_act_it_corrects(filed, officer, colleague):
    original = document(filed, "onsite_record", av_exemption="理由一", by=officer)
    document(filed, "onsite_record", av_exemption="更正后的理由", supersedes=original, by=officer)
    items = dashboard.collect(TODAY, panels=["av"])["av-exempted"]
    assert [i.detail for i in items] == ["更正后的理由"]


# --- 3. Publication -------------------------------------------------------------------------------------


def test_only_drafts_past_their_publication_deadline_count(cases, officer):
    RuleSettings.current()
    late = publication(cases["overdue"], by=officer, due_on=datetime.date(2026, 11, 20))
    publication(cases["soon"], by=officer, due_on=datetime.date(2026, 11, 26))
    publication(cases["fresh"], by=officer, due_on=datetime.date(2026, 11, 20), status="published")
    items = dashboard.collect(TODAY, panels=["publication"])["unpublished"]
    assert [i.cases[0].pk for i in items] == [late.case_id]
    # Fri 20 Nov -> Wed 25 Nov: Mon, Tue, Wed are three working days late.
    assert items[0].timing == "已逾期3个工作日"
    assert late.document_number in items[0].subject


# --- 4. Legal review --------------------------------------------------------------------------------------


def test_review_backlog_flags_late_rounds_and_returned_rounds_list_their_problems(cases, officer, reviewer):
    late = review_round(
        cases["overdue"],
        by=officer,
        submitted_on=datetime.date(2026, 11, 2),
        due_on=datetime.date(2026, 11, 16),
    )
    review_round(
        cases["soon"],
        by=officer,
        status=RoundStatus.IN_REVIEW,
        reviewer=reviewer,
        submitted_on=datetime.date(2026, 11, 20),
        due_on=datetime.date(2026, 12, 4),
    )
    returned = review_round(
        cases["fresh"],
        by=officer,
        status=RoundStatus.RETURNED,
        reviewer=reviewer,
        submitted_on=datetime.date(2026, 10, 1),
        due_on=datetime.date(2026, 10, 20),
        decided_on=datetime.date(2026, 10, 15),
        opinion="修改后再报",
    )
    ChecklistItem.objects.create(round=returned, point=3, result="problem", comment="缺少进货凭证")
    ChecklistItem.objects.create(round=returned, point=1, result="pass")
    review_round(
        cases["fresh"],
        number=2,
        by=officer,
        status=RoundStatus.APPROVED,
        approved_hash="1" * 64,
        submitted_on=datetime.date(2026, 10, 20),
        due_on=datetime.date(2026, 11, 3),
        decided_on=datetime.date(2026, 10, 30),
    )
    review_round(  # returned more than a year ago: out of the window
        cases["gaoqiao"],
        by=officer,
        status=RoundStatus.RETURNED,
        submitted_on=datetime.date(2025, 9, 1),
        due_on=datetime.date(2025, 9, 15),
        decided_on=datetime.date(2025, 9, 10),
    )

    items = dashboard.collect(TODAY, panels=["review"])
    assert case_ids(items["review-backlog"]) == {cases["overdue"].pk, cases["soon"].pk}
    assert case_ids(items["review-overdue"]) == {late.case_id}
    assert items["review-overdue"][0].detail == "待分配审核人员（待分配审核人员）"
    assert [i.cases[0].pk for i in items["review-returned"]] == [returned.case_id]
    back = items["review-returned"][0]
    assert "缺少进货凭证" in back.detail and "执法程序" not in back.detail
    assert back.timing == "已重新送审"
    # The reviewer is who a round is about, besides the case's officers.
    about_reviewer = dashboard.filter_items(items["review-backlog"], officer=reviewer)
    assert case_ids(about_reviewer) == {cases["soon"].pk}


# --- 5. Certificates ---------------------------------------------------------------------------------------


def test_certificates_of_officers_on_open_cases_expiring_or_invalid(
    cases, units, officer, colleague, gaoqiao_pair, make_case
):
    soon = colleague.certificates.get()
    soon.expires_on = datetime.date(2026, 12, 10)
    soon.save()
    zhao, sun = gaoqiao_pair
    suspended = zhao.certificates.get()
    suspended.status, suspended.status_since, suspended.status_reason = (
        "suspended",
        datetime.date(2026, 11, 1),
        "违纪",
    )
    suspended.save()
    # 孙丽's old certificate expired, but she holds a newer valid one: fine.
    Certificate.objects.create(
        number="53230OLD001",
        holder=sun,
        unit=units["gaoqiao"],
        fields="食品安全",
        issued_on=datetime.date(2018, 1, 1),
        expires_on=datetime.date(2023, 12, 31),
    )
    # An officer with an expired certificate on a finished case only: not counted.
    retired = make_staff("old_officer", "钱老", units["shishan"], Role.OFFICER)
    expired = retired.certificates.get()
    expired.expires_on = datetime.date(2026, 10, 1)
    expired.save()
    cases["finished"].assign_officers([retired], by=officer, lead=officer)

    items = dashboard.collect(TODAY, panels=["certificates"])
    assert [i.people[0] for i in items["cert-expiring"]] == [colleague]
    assert items["cert-expiring"][0].timing == "15天后到期"
    assert case_ids(items["cert-expiring"]) == {cases["overdue"].pk, cases["soon"].pk, cases["fresh"].pk}
    assert [i.people[0] for i in items["cert-invalid"]] == [zhao]
    assert items["cert-invalid"][0].timing == "暂扣（2026年11月1日起）"
    assert officer not in {p for i in items["cert-expiring"] + items["cert-invalid"] for p in i.people}


# --- 6. Training ---------------------------------------------------------------------------------------------


def test_people_behind_their_training_minimum_this_year(officer, colleague, reviewer, admin_user):
    TrainingRequirement.objects.update_or_create(
        pk=1, defaults={"officer_min_hours": Decimal("40"), "reviewer_min_hours": Decimal("30")}
    )
    full = TrainingSession.objects.create(
        date=datetime.date(2026, 3, 1), topic="行政处罚法", kind="law", hours=40
    )
    last_year = TrainingSession.objects.create(
        date=datetime.date(2025, 3, 1), topic="去年的培训", kind="law", hours=40
    )
    TrainingAttendance.objects.create(session=full, staff=officer)
    TrainingAttendance.objects.create(session=full, staff=colleague, hours=Decimal("10"))
    TrainingAttendance.objects.create(session=last_year, staff=reviewer)
    items = dashboard.collect(TODAY, panels=["training"])["training-behind"]
    people = {i.people[0]: i for i in items}
    assert colleague in people and reviewer in people
    assert officer not in people and admin_user not in people
    assert people[colleague].detail == "30.0学时"
    assert people[reviewer].timing == "0.0学时 / 最低30.0学时"


# --- 7. Notices ----------------------------------------------------------------------------------------------


def test_overdue_open_notice_items_only(units, bureau_head):
    late = notice_item(units["shishan"], by=bureau_head, due_on=datetime.date(2026, 11, 20))
    answered = notice_item(
        units["gaoqiao"], by=bureau_head, due_on=datetime.date(2026, 11, 1), status=ItemStatus.ANSWERED
    )
    notice_item(units["shishan"], by=bureau_head, due_on=datetime.date(2026, 11, 1), status=ItemStatus.CLOSED)
    notice_item(units["shishan"], by=bureau_head, due_on=datetime.date(2026, 11, 30))
    notice_item(units["shishan"], by=bureau_head, due_on=datetime.date(2026, 11, 1), issued=False)
    items = dashboard.collect(TODAY, panels=["notices"])["notices-overdue"]
    assert [i.subject for i in items] == [answered.notice.number, late.notice.number]
    assert items[1].timing == "已逾期5天（待整改）"


# --- Pages ---------------------------------------------------------------------------------------------------


DASHBOARD = "/staff/supervision/"


def figure_count(html, slug):
    match = re.search(rf'data-figure="{slug}"><span class="sv-count">(\d+)</span>', html)
    assert match, f"figure {slug} not on the page"
    return int(match.group(1))


def test_the_dashboard_shows_each_figure_with_a_link_to_its_list(client, cases, bureau_head, units):
    login_as(client, bureau_head)
    html = client.get(DASHBOARD).content.decode()
    assert figure_count(html, "overdue") == 2
    assert figure_count(html, "due-soon") == 1
    assert figure_count(html, "unpublished") == 0
    for figure in dashboard.FIGURES.values():
        assert f'href="/staff/supervision/dashboard/{figure.slug}/"' in html
        assert figure.definition in html
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<title>各单位已逾期和即将到期" in html
    assert f"/staff/supervision/dashboard/overdue/?unit={units['gaoqiao'].pk}" in html
    assert 'action="/staff/supervision/notices/new/"' in html and "发出督查通报" in html
    # Filtered by unit, the figures count that unit's items only, and the links keep the filter.
    html = client.get(DASHBOARD, {"unit": units["gaoqiao"].pk}).content.decode()
    assert figure_count(html, "overdue") == 1 and figure_count(html, "due-soon") == 0
    assert f'href="/staff/supervision/dashboard/overdue/?unit={units["gaoqiao"].pk}"' in html


def test_the_overdue_list_links_each_case_and_filters_by_unit_and_officer(
    client, cases, bureau_head, units, colleague, gaoqiao_pair
):
    login_as(client, bureau_head)
    url = "/staff/supervision/dashboard/overdue/"
    html = client.get(url).content.decode()
    for key in ("overdue", "gaoqiao"):
        assert f'href="/staff/cases/{cases[key].pk}/"' in html
        assert cases[key].title in html
    assert cases["soon"].lead_number not in html and cases["finished"].lead_number not in html
    html = client.get(url, {"unit": units["gaoqiao"].pk}).content.decode()
    assert cases["gaoqiao"].lead_number in html and cases["overdue"].lead_number not in html
    html = client.get(url, {"officer": colleague.pk}).content.decode()
    assert cases["overdue"].lead_number in html and cases["gaoqiao"].lead_number not in html
    # The draft notice under the list names the cases by number, not by title.
    response = client.get(url, {"unit": units["gaoqiao"].pk})
    summary = response.context["notice_form"].initial["summary"]
    assert cases["gaoqiao"].lead_number in summary and cases["gaoqiao"].title not in summary


@pytest.mark.parametrize(
    "params",
    [{"unit": "abc"}, {"unit": "999999"}, {"officer": "-1"}, {"officer": "1' or 1=1"}, {"page": "zz"}],
)
def test_forged_filters_are_ignored_with_a_message(client, cases, bureau_head, params):
    login_as(client, bureau_head)
    for url in (DASHBOARD, "/staff/supervision/dashboard/overdue/"):
        response = client.get(url, params)
        assert response.status_code == 200
        html = response.content.decode()
        assert cases["overdue"].lead_number in html or figure_count(html, "overdue") == 2
        if "page" not in params:
            assert "筛选条件无效" in html


def test_an_unknown_figure_is_404(client, bureau_head):
    login_as(client, bureau_head)
    assert client.get("/staff/supervision/dashboard/nothing/").status_code == 404


def test_classified_case_titles_and_reasons_are_masked_for_supervisors_without_access(
    client, filed, officer, colleague, bureau_head, reviewer
):
    document(
        filed,
        "onsite_record",
        by=officer,
        officers=[officer, colleague],
        classification="commercial",
        av_exemption="涉及商业秘密的理由",
    )
    url = "/staff/supervision/dashboard/av-exempted/"
    login_as(client, bureau_head)
    html = client.get(url).content.decode()
    assert filed.number in html
    assert filed.title not in html and "涉及商业秘密的理由" not in html
    assert "涉密案件，案由不予显示" in html and "涉密记录，无权查看" in html
    # A reviewer of this case holds its classified permission and sees both; a case page she may not open
    # is shown by number without a link.
    assign_perm("cases.view_classified", reviewer, filed)
    login_as(client, reviewer)
    html = client.get(url).content.decode()
    assert filed.title in html and "涉及商业秘密的理由" in html
    assert f'href="/staff/cases/{filed.pk}/"' not in html
    assign_perm("cases.view_case", reviewer, filed)
    assert f'href="/staff/cases/{filed.pk}/"' in client.get(url).content.decode()


def test_bulk_classified_access_agrees_with_case_may_see_classified(
    filed, officer, unit_head, bureau_head, reviewer, records_keeper, outsider
):
    assign_perm("cases.view_classified", reviewer, filed)
    for person in (officer, unit_head, bureau_head, reviewer, records_keeper, outsider):
        expected = filed.may_see_classified(person)
        assert (filed.pk in dashboard.may_see_classified_ids(person, [filed])) == expected, person


def test_only_supervisors_open_the_dashboard(client, cases, officer, unit_head, reviewer, bureau_head):
    urls = [DASHBOARD] + [f"/staff/supervision/dashboard/{slug}/" for slug in dashboard.FIGURES]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    for person in (officer, unit_head):
        login_as(client, person)
        for url in urls:
            assert client.get(url).status_code == 403, (person, url)
    for person in (reviewer, bureau_head):
        login_as(client, person)
        for url in urls:
            assert client.get(url).status_code == 200, (person, url)


def test_the_nav_links_supervisors_to_the_dashboard(client, officer, bureau_head):
    login_as(client, bureau_head)
    assert 'href="/staff/supervision/">监督检查</a>' in client.get("/staff/").content.decode()
    assert 'aria-current="page">监督检查' in client.get(DASHBOARD).content.decode()
    login_as(client, officer)
    assert "监督检查</a>" not in client.get("/staff/").content.decode()


# --- Query count --------------------------------------------------------------------------------------------

# Every staff page: session, user, OTP device, roles (4); the header's unread notifications (1) and the user's
# unit (1) -> 6 (the 系统管理 link reads the roles: no permission queries) (the session's activity stamp is written at most once a minute:
# roster/middleware.py LAST_SEEN_STEP).
PAGE_QUERIES = 6
# Bringing the deadline table up to date (cases/deadline_sync.refresh_stale) when cases changed since it was
# last read: whether any case is marked stale (an unlocked EXISTS, 1); savepoint, the stale marks; the changed cases with what the clocks read — approvals, pauses,
# transitions, documents (recording's clocks), review rounds (legal_review's), publications with their
# decision documents and the corrections superseding those (disclosure's) — and the working-day calendar
# table (10); savepoint, the upsert, the removal of clocks that are gone, release (4); the marks removed
# (select, delete), release (3): 20, whatever the number of changed cases. A system that registers a
# deadline provider with a new relation adds one query here.
REFRESH_QUERIES = 20
# Nothing changed since the last read: the unlocked EXISTS on the stale marks (no savepoint, no locking read,
# no release: cases/deadline_sync.refresh_stale); the working-day calendar table (the due-soon threshold; the
# refresh reads it otherwise; outside a transaction each process keeps it while its version holds): 2.
FRESH_QUERIES = 2
# The deadlines panel itself, in SQL on the deadline table: the table's marks (its last write, the next clock
# in hours to turn late: the key of the cached counts, dashboard_deadlines.cached_counts) (1), then, when
# the counts are not cached for these filters yet, the counts of both figures (overdue, due soon) by unit,
# and by officer (2), whatever the number of cases. The marks query is new (+1 on a miss, -1 on a hit).
DEADLINE_QUERIES = 1 + 2
DEADLINE_HIT_QUERIES = 1
# The dashboard for a bureau head: the page's 8; the filter's units and staff (2); the deadlines panel;
# audio-video: documents, officers present, case officers (3); publication: drafts, case officers, the rule
# settings, changed decisions still shown (withdrawals), approved exemptions (5; +1 for the cases of overdue
# withdrawals, none here); 行政检查 (inspection/oversight.py): the flagged ones (over the cap, emergencies,
# awaiting approval: one query), results due for publication, the settings, the year's inspections for
# repeats, open complaints, low ratings (6; +1 for the cases of listed inspections, none here); review: rounds,
# problem points, case officers, points passed over a pre-check's finding (4); certificates: the officers of
# the active cases, their certificates (2; +1 for the cases of the people flagged, none here); training:
# requirement, people with hours, roles and whether they hold a certificate (2); notices: overdue items (1);
# 程序补救 (1); the year's inspections per unit, ratings (count and average, by unit: 2), per officer, caps and
# per entity, frequent entities (7).
# (training's roles and certificates are subqueries on PostgreSQL; SQLite, for development, prefetches them: +2)
TRAINING_QUERIES = 2 if connection.vendor == "postgresql" else 4
DASHBOARD_QUERIES = PAGE_QUERIES + 2 + DEADLINE_QUERIES + 3 + 5 + 6 + 4 + 2 + TRAINING_QUERIES + 1 + 1 + 7
# The same dashboard again with nothing changed: the panels other than the deadlines and the inspection
# summary come from the supervision figure cache (figure_cache.py; tests/supervision/test_figure_cache.py
# shows every kind of change renews them): the page's, units and staff (2), the deadlines panel, 程序补救 (1).
DASHBOARD_HIT_QUERIES = PAGE_QUERIES + 2 + DEADLINE_HIT_QUERIES + 1
# A drill-down list (overdue deadlines) for a bureau head: the page's 6; units and staff (2); the figure's
# counts by unit and by officer (DEADLINE_QUERIES: the marks and, not cached yet for this figure, 2); the
# page's rows and their cases' officers (2); on the page shown:
# classified cases (1), the viewer's classified access (1); the cases she may open (none: a bureau head
# opens every case).
LIST_QUERIES = PAGE_QUERIES + 2 + DEADLINE_QUERIES + 2 + 2


def populate(n, *, make_case, officer, colleague, reviewer, bureau_head, units):
    """n overdue cases, each with an exempted act, a late publication draft, a late review round and a
    late notice item; n people behind on training."""
    for i in range(n):
        case = make_case(title=f"案件{i}", lead_date=datetime.date(2026, 10, 12))
        document(case, "onsite_record", by=officer, officers=[officer, colleague], av_exemption=f"理由{i}")
        publication(case, by=officer, due_on=datetime.date(2026, 11, 20))
        review_round(
            case,
            by=officer,
            status=RoundStatus.IN_REVIEW,
            reviewer=reviewer,
            submitted_on=datetime.date(2026, 11, 2),
            due_on=datetime.date(2026, 11, 16),
        )
        notice_item(units["shishan"], by=bureau_head, due_on=datetime.date(2026, 11, 20))
        make_staff(f"trainee{n}_{i}", f"学员{i}", units["gaoqiao"], Role.OFFICER)


def test_the_dashboard_and_a_list_run_a_fixed_number_of_queries(
    client,
    make_case,
    officer,
    colleague,
    reviewer,
    bureau_head,
    units,
    django_assert_num_queries,
    monkeypatch,
):
    # The deadline counts' section keeps nothing inside a transaction (committed_only), and the test is one.
    monkeypatch.setattr(deadline_sync.DEADLINES, "committed_only", False)
    RuleSettings.current()
    TrainingRequirement.current()
    InspectionSettings.current()
    login_as(client, bureau_head)
    args = {
        "make_case": make_case,
        "officer": officer,
        "colleague": colleague,
        "reviewer": reviewer,
        "bureau_head": bureau_head,
        "units": units,
    }
    for size in (2, 6):
        populate(size - len(Case.objects.all()), **args)
        assert Case.objects.count() == size
        with django_assert_num_queries(DASHBOARD_QUERIES + REFRESH_QUERIES):
            html = client.get(DASHBOARD).content.decode()
        assert figure_count(html, "overdue") == size and figure_count(html, "unpublished") == size
        assert figure_count(html, "review-overdue") == size and figure_count(html, "av-exempted") == size
        # (the working-day table of FRESH_QUERIES is not read: the due-soon threshold is in the cached counts)
        with django_assert_num_queries(DASHBOARD_HIT_QUERIES + FRESH_QUERIES - 1):
            assert client.get(DASHBOARD).content.decode().count("sv-count") == html.count("sv-count")
        with django_assert_num_queries(LIST_QUERIES + FRESH_QUERIES):
            html = client.get("/staff/supervision/dashboard/overdue/").content.decode()
        assert len(re.findall(r'href="/staff/cases/\d+/"', html)) == size


# --- In a real browser: look at it, on a desk and on a phone; drill into a late case; draft a notice ------------


@pytest.fixture
def rich_data(cases, units, officer, colleague, reviewer, bureau_head, gaoqiao_pair):
    RuleSettings.current()
    TrainingRequirement.current()
    by = {"by": officer, "officers": [officer, colleague]}
    document(cases["overdue"], "onsite_record", av_exemption="现场检查过程简单，文字和照片足以记录。", **by)
    seizure = document(cases["soon"], "coercion_decision", **by)
    video(seizure, by=officer, voided=True)
    publication(cases["overdue"], by=officer, due_on=datetime.date(2026, 11, 20))
    review_round(
        cases["gaoqiao"],
        by=gaoqiao_pair[0],
        submitted_on=datetime.date(2026, 11, 2),
        due_on=datetime.date(2026, 11, 16),
    )
    soon = colleague.certificates.get()
    soon.expires_on = datetime.date(2026, 12, 10)
    soon.save()
    notice_item(units["gaoqiao"], by=bureau_head, due_on=datetime.date(2026, 11, 20))
    returned = review_round(
        cases["fresh"],
        by=officer,
        status=RoundStatus.RETURNED,
        reviewer=reviewer,
        submitted_on=datetime.date(2026, 11, 2),
        due_on=datetime.date(2026, 11, 16),
        decided_on=datetime.date(2026, 11, 12),
    )
    ChecklistItem.objects.create(round=returned, point=3, result="problem", comment="缺少进货凭证")
    # The reviewer passed point 2 although the pre-check had flagged it, with her reason (legal_review).
    ChecklistItem.objects.create(
        round=returned, point=2, result="pass", precheck_found=True, override_reason="已当面告知听证权利。"
    )
    suspended = gaoqiao_pair[1].certificates.get()
    suspended.status, suspended.status_since = "suspended", datetime.date(2026, 11, 1)
    suspended.save()
    return cases


# Figures rich_data has no rows for: their lists are tested with their own data (tests/inspection/
# test_supervision_dashboard.py, tests/supervision/test_dashboard_publication.py).
OWN_DATA = {
    "withdrawal-overdue",
    "publication-exempt",
    "inspection-unpublished",
    "inspection-over-cap",
    "inspection-repeated",
    "inspection-emergency",
    "inspection-complaints",
    "inspection-low-rating",
}


def test_every_list_shows_its_rows(client, rich_data, bureau_head):
    login_as(client, bureau_head)
    for slug, figure in dashboard.FIGURES.items():
        if slug in OWN_DATA:
            continue
        response = client.get(f"/staff/supervision/dashboard/{slug}/")
        html = response.content.decode()
        assert response.context["total"] > 0, slug
        assert html.count('<tr class="sv-row-') == response.context["total"], slug
        assert figure.definition in html
