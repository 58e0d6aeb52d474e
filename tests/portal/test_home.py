"""The staff home page: each role sees its own work, with a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from tests.conftest import file_case, login_as, make_staff
from wuding_enforcement.cases.models import Approval
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role

pytestmark = pytest.mark.django_db

# Queries of GET /staff/ for a unit head, whatever the number of cases and approvals:
#  1 session   2 the user   3 the OTP device   4 the user's role groups
#  5 my active cases (+ handling unit)   6 their parties   7 officer assignments (+ officers)
#  8 approvals   9 pauses   10 transitions (the last four feed the deadlines)   11 the holiday table
# 12 approvals awaiting me (+ case, unit, requester)   13 my certificates
# 14 the user's unit (header) (the 系统管理 link reads the roles of 4: no permission queries)
# +1 the unread notifications count (header)
# +1 my cases' documents (recording's deadline provider, via for_rows())
# +2 my cases' publications and review rounds (disclosure's and legal_review's deadline providers)
HOME_QUERIES_UNIT_HEAD = 18


@pytest.mark.parametrize("count", [2, 12])
def test_the_home_page_costs_the_same_queries_for_2_or_12_cases(
    client, unit_head, bureau_head, officer, make_case, django_assert_num_queries, count
):
    for i in range(count):
        case = make_case(title=f"案件{i}")
        if i % 2:
            file_case(case, unit_head, bureau_head, officer)
        else:
            case.request_approval("filing", by=officer, reason="符合立案条件。")
    login_as(client, unit_head)
    with django_assert_num_queries(HOME_QUERIES_UNIT_HEAD):
        response = client.get(reverse("home"))
    assert len(response.context["my_cases"]) == count
    assert len(response.context["awaiting"]) == (count + 1) // 2


def test_the_officer_sees_her_active_cases_and_her_certificate(client, officer, make_case, gaoqiao_case):
    mine = make_case(title="涉嫌销售过期食品案")
    login_as(client, officer)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert [c.pk for c, _, _ in response.context["my_cases"]] == [mine.pk]
    assert gaoqiao_case.title not in html
    certificate = officer.certificates.get()
    assert certificate.number in html
    assert '<span class="status ok">有效</span>' in html
    # Officers do not give opinions: no 待我审批 block.
    assert "待我审批" not in html
    assert "天内到期的执法证件" not in html


def test_the_officer_is_warned_when_her_certificate_is_no_longer_valid(client, officer):
    certificate = officer.certificates.get()
    certificate.status = CertificateStatus.REVOKED
    certificate.status_since = datetime.date(2026, 11, 1)
    certificate.save()
    login_as(client, officer)
    assert '<span class="status red">吊销</span>' in client.get(reverse("home")).content.decode()


def test_overdue_and_soon_due_deadlines_of_my_cases_are_listed_first(client, officer, make_case):
    # A lead received on 2026-11-02: 15 working days end on 2026-11-23, so it is overdue by 2 working days.
    late = make_case(title="逾期未决定立案的案件", lead_date=datetime.date(2026, 11, 2))
    make_case(title="刚收到的线索", lead_date=datetime.date(2026, 11, 24))
    login_as(client, officer)
    response = client.get(reverse("home"))
    assert [(case.pk, d.key, d.status) for case, d in response.context["urgent"]] == [
        (late.pk, "filing", "red")
    ]
    assert "已逾期2个工作日" in response.content.decode()


def test_a_finished_case_is_not_among_my_cases(client, officer, unit_head, bureau_head, make_case):
    case = make_case()
    case.request_approval("not_filing", by=officer, reason="无违法事实。")
    approval = Approval.objects.get(case=case)
    approval.give_opinion(unit_head, agree=True, opinion="拟同意不予立案。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意不予立案。")
    login_as(client, officer)
    assert client.get(reverse("home")).context["my_cases"] == []


def test_the_admin_sees_certificates_expiring_within_30_days(client, admin_user, units):
    soon = make_staff("soon", "即将到期", units["shishan"], Role.OFFICER)
    later = make_staff("later", "还早", units["shishan"], Role.OFFICER)
    Certificate.objects.filter(holder=soon).update(expires_on=datetime.date(2026, 12, 20))
    Certificate.objects.filter(holder=later).update(expires_on=datetime.date(2026, 12, 26))
    login_as(client, admin_user)
    response = client.get(reverse("home"))
    assert [c.holder for c in response.context["expiring"]] == [soon]
    assert "30天内到期的执法证件" in response.content.decode()


def test_the_bureau_head_is_not_shown_approvals_still_waiting_for_the_unit_head(
    client, officer, bureau_head, make_case
):
    case = make_case()
    case.request_approval("filing", by=officer, reason="符合立案条件。")
    login_as(client, bureau_head)
    assert client.get(reverse("home")).context["awaiting"] == []


def test_a_legal_reviewer_without_cases_gets_a_home_page_that_says_so(client, reviewer):
    login_as(client, reviewer)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "没有分配给您、正在审核的案件。" in html
    assert "目前没有等待分配、您可以承担的审核。" in html


def test_the_officer_reads_why_she_may_not_enforce_today(client, officer):
    # One rule answers "may I enforce today?" (roster/certification.py); the page prints its reason.
    certificate = officer.certificates.get()
    certificate.status = CertificateStatus.SUSPENDED
    certificate.status_since = datetime.date(2026, 11, 1)
    certificate.save()
    login_as(client, officer)
    html = client.get(reverse("home")).content.decode()
    assert f"证件 {certificate.number} 已暂扣（2026年11月1日起），2026年11月25日不具备执法资格。" in html
    certificate.status, certificate.status_since = CertificateStatus.VALID, None
    certificate.save()
    assert "不具备执法资格" not in client.get(reverse("home")).content.decode()
