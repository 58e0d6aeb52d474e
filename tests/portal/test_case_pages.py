"""The case list (filters, pagination, a fixed number of queries) and the case page (parties with masked
ID numbers, officers and their certificates, deadlines, history)."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import file_case, login_as, make_staff
from tests.portal.conftest import PERSON_ID, PERSON_ID_MASKED
from wuding_enforcement.cases.models import CasePause, PauseKind, PowerItem, PowerKind
from wuding_enforcement.cases.workflow import Procedure
from wuding_enforcement.roster.models import CertificateStatus, Role

pytestmark = pytest.mark.django_db


def listed_titles(response):
    return [case.title for case, _ in response.context["rows"]]


# --- The list: one fixed number of queries ------------------------------------------------------------

# Queries of GET /staff/cases/ for a signed-in unit head, whatever the number of cases:
#  1 session                     2 the user                       3 the OTP device of the session
#  4 the user's role groups      5 the units (filter choices)     6 COUNT for the paginator
#  7 the page of cases (+ handling unit)                          8 parties of the page's cases
#  9 officer assignments (+ officers)
# 10 the page's open clocks from the deadline table (cases/deadline_rows.next_open_deadlines), after the
#    table is brought up to date: with cases changed since it was last read (here: all just made) the
#    refresh (tests/supervision/test_dashboard.py REFRESH_QUERIES: 20, the holiday table included)
# 11 the user's unit (header)   +1 the unread notifications count (header)
# (The 系统管理 link reads the roles of 4, no longer the model permissions: 2 queries fewer.)
# With nothing changed since the last read, the refresh is 1 (an unlocked EXISTS on the stale marks) and the
# holiday table 1: 12 queries. These are the counts inside a transaction (every test here): outside one
# the page's body comes from the staff pages' cache while nothing it shows changed (the session, the user,
# the roles, the header's unit: tests/portal/test_staff_page_cache.py), the holiday table is each process's
# copy and the unread count is cached per user.
CASE_LIST_QUERIES = 10 + 20


@pytest.fixture
def cases_of_the_unit(make_case, officer, unit_head, bureau_head):
    def build(count):
        for i in range(count):
            case = make_case(title=f"涉嫌违法经营案{i:02d}")
            # Some filed cases, so the 90-day clock and its transitions are on the page too.
            if i % 3 == 0:
                file_case(case, unit_head, bureau_head, officer)
            if i % 5 == 0:
                CasePause.objects.create(
                    case=case, kind=PauseKind.TESTING, start=datetime.date(2026, 11, 20), created_by=officer
                )

    return build


@pytest.mark.parametrize("count", [3, 30])
def test_the_case_list_costs_the_same_queries_for_3_or_30_cases(
    client, unit_head, cases_of_the_unit, django_assert_num_queries, count
):
    cases_of_the_unit(count)
    login_as(client, unit_head)
    with django_assert_num_queries(CASE_LIST_QUERIES):
        response = client.get(reverse("cases:list"))
    assert len(response.context["rows"]) == min(count, 25)


def test_the_unbound_filters_follow_the_units_and_a_bound_filter_shows_its_values(client, unit_head, units):
    # The unbound filters' HTML is rendered once per set of units (cases/views.py filters_html): a unit
    # renamed or added shows at once; a filter chosen is rendered with its values.
    from wuding_enforcement.roster.models import Unit, UnitKind

    login_as(client, unit_head)
    assert "勐仑市场监督管理所" not in client.get(reverse("cases:list")).content.decode()
    unit = Unit.objects.create(name="勐仑市场监督管理所", kind=UnitKind.STATION, order=99)
    assert (
        f'<option value="{unit.pk}">勐仑市场监督管理所</option>'
        in client.get(reverse("cases:list")).content.decode()
    )
    Unit.objects.filter(pk=unit.pk).update(name="勐腊市场监督管理所")
    html = client.get(reverse("cases:list")).content.decode()
    assert "勐腊市场监督管理所" in html and "勐仑市场监督管理所" not in html
    html = client.get(reverse("cases:list"), {"q": "超市", "unit": unit.pk}).content.decode()
    assert 'value="超市"' in html and f'<option value="{unit.pk}" selected>' in html
    assert 'value="超市"' not in client.get(reverse("cases:list")).content.decode()


def test_the_case_list_shows_25_cases_a_page(client, unit_head, cases_of_the_unit):
    cases_of_the_unit(27)
    login_as(client, unit_head)
    first = client.get(reverse("cases:list"))
    second = client.get(reverse("cases:list"), {"page": 2})
    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert set(listed_titles(first)).isdisjoint(listed_titles(second))
    assert "?page=2" in first.content.decode()


def test_each_row_shows_number_parties_unit_officers_stage_and_next_deadline(
    client, officer, unit_head, bureau_head, make_case
):
    case = file_case(make_case(), unit_head, bureau_head, officer)
    login_as(client, officer)
    response = client.get(reverse("cases:list"))
    html = response.content.decode()
    assert case.case_number in html
    assert "武定县某某商贸有限公司" in html
    assert "狮山市场监督管理所" in html
    assert "李桂芬、王志强" in html
    assert "立案" in html
    ((_, deadline),) = response.context["rows"]
    # Filed today (2026-11-25): the 90-day clock runs to 2027-02-23, a Tuesday.
    assert deadline.key == "decision"
    assert '<span class="status ok" title="作出处理决定期限">剩余90天</span>' in html
    assert "2027年2月23日" in html


# --- The list: filters ---------------------------------------------------------------------------------


@pytest.fixture
def varied_cases(make_case, officer, colleague, unit_head, bureau_head, person_party):
    lead = make_case(title="涉嫌销售过期食品案")
    filed = file_case(
        make_case(title="涉嫌虚假宣传案", parties=[person_party]), unit_head, bureau_head, officer
    )
    simple = make_case(title="未明码标价", procedure=Procedure.SIMPLE)
    colleagues = make_case(title="涉嫌无证生产案", by=colleague, officers=[colleague, unit_head])
    last_year = make_case(title="去年的案件", lead_date=datetime.date(2025, 12, 1))
    return {"lead": lead, "filed": filed, "simple": simple, "colleagues": colleagues, "last_year": last_year}


def test_the_unit_head_lists_every_case_of_the_unit(client, unit_head, varied_cases):
    login_as(client, unit_head)
    assert sorted(listed_titles(client.get(reverse("cases:list")))) == sorted(
        c.title for c in varied_cases.values()
    )


def test_it_filters_by_stage(client, unit_head, varied_cases):
    login_as(client, unit_head)
    assert listed_titles(client.get(reverse("cases:list"), {"stage": "filed"})) == ["涉嫌虚假宣传案"]


def test_it_filters_by_procedure(client, unit_head, varied_cases):
    login_as(client, unit_head)
    assert listed_titles(client.get(reverse("cases:list"), {"procedure": "simple"})) == ["未明码标价"]


def test_it_filters_by_year(client, unit_head, varied_cases):
    login_as(client, unit_head)
    assert listed_titles(client.get(reverse("cases:list"), {"year": 2025})) == ["去年的案件"]


def test_it_filters_by_handling_unit(client, bureau_head, varied_cases, gaoqiao_case):
    login_as(client, bureau_head)
    gaoqiao = gaoqiao_case.handling_unit
    assert listed_titles(client.get(reverse("cases:list"), {"unit": gaoqiao.pk})) == ["涉嫌无照经营案"]


def test_it_searches_numbers_titles_and_party_names(client, unit_head, varied_cases):
    login_as(client, unit_head)
    filed = varied_cases["filed"]

    def search(q):
        return listed_titles(client.get(reverse("cases:list"), {"q": q}))

    assert search("张某某") == ["涉嫌虚假宣传案"]
    assert search(filed.case_number) == ["涉嫌虚假宣传案"]
    assert search("无证生产") == ["涉嫌无证生产案"]
    assert search(varied_cases["lead"].lead_number) == ["涉嫌销售过期食品案"]


def test_a_party_name_matching_twice_lists_the_case_once(client, officer, make_case):
    make_case(
        title="两名当事人的案件",
        parties=[
            {
                "kind": "organisation",
                "name": "武定县甲商贸有限公司",
                "credit_code": "91532329MA6K000002",
                "legal_representative": "甲某",
            },
            {
                "kind": "organisation",
                "name": "武定县乙商贸有限公司",
                "credit_code": "91532329MA6K000003",
                "legal_representative": "乙某",
            },
        ],
    )
    login_as(client, officer)
    assert listed_titles(client.get(reverse("cases:list"), {"q": "商贸有限公司"})) == ["两名当事人的案件"]


def test_only_mine_keeps_the_cases_i_am_assigned_to(client, unit_head, varied_cases):
    login_as(client, unit_head)
    assert listed_titles(client.get(reverse("cases:list"), {"mine": "on"})) == ["涉嫌无证生产案"]


def test_an_invalid_filter_value_is_ignored_not_an_error(client, unit_head, varied_cases):
    login_as(client, unit_head)
    response = client.get(reverse("cases:list"), {"stage": "nonsense"})
    assert response.status_code == 200
    assert len(response.context["rows"]) == len(varied_cases)


# --- The case page -------------------------------------------------------------------------------------


def test_the_case_page_shows_a_persons_id_number_masked_never_in_full(
    client, officer, make_case, person_party
):
    case = make_case(parties=[person_party])
    login_as(client, officer)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert PERSON_ID_MASKED in html
    assert PERSON_ID not in html
    assert "张某某" in html


def test_the_case_page_shows_officers_with_their_certificate_status_today(
    client, officer, colleague, make_case
):
    case = make_case()
    certificate = colleague.certificates.get()
    certificate.status = CertificateStatus.SUSPENDED
    certificate.status_since = datetime.date(2026, 11, 20)
    certificate.save()
    login_as(client, officer)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert officer.certificates.get().number in html
    assert certificate.number in html
    assert '<span class="status red">暂扣</span>' in html
    assert '<span class="status ok">有效</span>' in html


def test_the_case_page_shows_matters_with_their_legal_basis(client, officer, make_case):
    item = PowerItem.objects.create(
        code="330217001000",
        kind=PowerKind.PENALTY,
        field="食品安全",
        name="对经营超过保质期食品的行政处罚",
        legal_basis="《中华人民共和国食品安全法》第一百二十四条",
    )
    case = make_case(matters=[item])
    login_as(client, officer)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "对经营超过保质期食品的行政处罚" in html
    assert "《中华人民共和国食品安全法》第一百二十四条" in html


def test_the_case_page_shows_deadlines_history_and_approval_opinions(
    client, officer, unit_head, bureau_head, make_case
):
    case = file_case(make_case(), unit_head, bureau_head, officer)
    login_as(client, officer)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    html = response.content.decode()
    assert [d.key for d in response.context["deadlines"]] == ["filing", "decision"]
    assert "作出处理决定期限" in html
    assert "线索登记 → <strong>立案</strong>" in html
    assert "拟同意立案。" in html and "周建华" in html
    assert "同意立案。" in html and "孙卫东" in html
    assert "2026年11月25日" in html


def test_the_case_page_offers_only_moves_without_approval_and_names_the_others(client, officer, make_case):
    case = make_case()
    login_as(client, officer)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    offered = [value for value, _ in response.context["advance_form"].fields["target"].widget.choices]
    assert offered == ["verifying", "transferred"]
    assert "转入“立案”、“不予立案”需审批" in response.content.decode()


def test_the_case_page_shows_no_action_forms_to_a_reader_who_may_not_work_on_the_case(
    client, bureau_head, make_case
):
    case = make_case()
    login_as(client, bureau_head)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert reverse("cases:advance", args=[case.pk]) not in html
    assert reverse("cases:request_approval", args=[case.pk]) not in html


def test_a_certificate_less_officer_is_flagged_on_the_case_page(client, officer, units, make_case):
    trainee = make_staff("trainee", "新同事", units["shishan"], Role.OFFICER, certificate=False)
    case = make_case(officers=[officer, trainee])
    login_as(client, officer)
    assert "未持有执法证件" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
