"""Who may open which staff page: anonymous users sign in first; a case one may not see is a 404 (and the
attempt is in the audit log); the error pages are friendly Chinese and leak nothing."""

import re

import pytest
from django.urls import reverse

from tests.conftest import login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Approval

pytestmark = pytest.mark.django_db


def staff_get_urls(case):
    return [reverse("home"), reverse("cases:list"), reverse("cases:detail", args=[case.pk])]


def action_urls(case, approval):
    return [
        reverse("cases:request_approval", args=[case.pk]),
        reverse("cases:give_opinion", args=[case.pk, approval.pk]),
        reverse("cases:advance", args=[case.pk]),
    ]


@pytest.fixture
def shishan_case(make_case, officer):
    case = make_case()
    approval = case.request_approval("filing", by=officer, reason="经核查，符合立案条件。")
    return case, approval


def test_anonymous_users_are_sent_to_sign_in_from_every_staff_page(client, shishan_case):
    case, approval = shishan_case
    login = reverse("roster:login")
    for url in staff_get_urls(case):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.url.startswith(login), url
    for url in action_urls(case, approval):
        response = client.post(url, {"reason": "x"})
        assert response.status_code == 302, url
        assert response.url.startswith(login), url


def test_the_outsider_gets_404_on_another_units_case_page_and_the_attempt_is_logged(
    client, outsider, shishan_case
):
    case, _ = shishan_case
    login_as(client, outsider)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 404
    event = AuditEvent.objects.filter(action="cases.case.access_denied").get()
    assert event.actor == outsider
    assert event.detail["case_id"] == case.pk


def test_the_outsider_gets_404_on_every_action_of_another_units_case_and_nothing_changes(
    client, outsider, shishan_case
):
    case, approval = shishan_case
    login_as(client, outsider)
    posts = {
        "cases:request_approval": {"kind": "not_filing", "reason": "不予立案。"},
        "cases:give_opinion": {"agree": "yes", "opinion": "同意。"},
        "cases:advance": {"target": "verifying", "reason": ""},
    }
    for url, data in zip(action_urls(case, approval), posts.values(), strict=True):
        response = client.post(url, data)
        assert response.status_code == 404, url
    assert AuditEvent.objects.filter(action="cases.case.access_denied", actor=outsider).count() == 3
    case.refresh_from_db()
    approval.refresh_from_db()
    assert case.stage == "lead"
    assert approval.status == "unit_head"
    assert Approval.objects.filter(case=case).count() == 1


def test_the_404_page_is_friendly_chinese_and_does_not_name_the_case(client, outsider, shishan_case):
    case, _ = shishan_case
    login_as(client, outsider)
    html = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "页面不存在" in html
    assert case.title not in html
    assert case.lead_number not in html


def test_the_404_page_looks_the_same_for_a_case_that_does_not_exist(client, outsider, shishan_case):
    case, _ = shishan_case
    login_as(client, outsider)
    hidden = client.get(reverse("cases:detail", args=[case.pk]))
    missing = client.get(reverse("cases:detail", args=[case.pk + 1000]))
    assert missing.status_code == hidden.status_code == 404

    # The CSRF token of the sign-out form is masked afresh on every page: compare everything else.
    def without_token(response):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    assert without_token(missing) == without_token(hidden)


def test_the_403_page_is_friendly_chinese(client, officer):
    login_as(client, officer)
    response = client.get(reverse("legal_review:index"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "您无权访问此页面" in html
    assert "返回工作台" in html


def test_action_urls_refuse_get(client, officer, shishan_case):
    case, approval = shishan_case
    login_as(client, officer)
    for url in action_urls(case, approval):
        assert client.get(url).status_code == 405, url


def test_an_assigned_officer_sees_her_case(client, officer, shishan_case):
    case, _ = shishan_case
    login_as(client, officer)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert response.status_code == 200
    assert case.title in response.content.decode()


def test_the_unit_head_sees_every_case_of_the_unit_even_when_not_assigned(
    client, unit_head, make_case, officer, colleague
):
    case = make_case(officers=[officer, colleague], title="涉嫌虚假宣传案")
    login_as(client, unit_head)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 200
    assert "涉嫌虚假宣传案" in client.get(reverse("cases:list")).content.decode()


def test_the_unit_head_does_not_see_another_units_case(client, unit_head, gaoqiao_case):
    login_as(client, unit_head)
    assert client.get(reverse("cases:detail", args=[gaoqiao_case.pk])).status_code == 404
    assert gaoqiao_case.title not in client.get(reverse("cases:list")).content.decode()


def test_the_bureau_head_sees_the_cases_of_every_unit(client, bureau_head, shishan_case, gaoqiao_case):
    case, _ = shishan_case
    login_as(client, bureau_head)
    html = client.get(reverse("cases:list")).content.decode()
    assert case.title in html
    assert gaoqiao_case.title in html
    assert client.get(reverse("cases:detail", args=[gaoqiao_case.pk])).status_code == 200


def test_the_outsider_does_not_find_another_units_case_in_the_list(
    client, outsider, shishan_case, gaoqiao_case
):
    case, _ = shishan_case
    login_as(client, outsider)
    html = client.get(reverse("cases:list")).content.decode()
    assert gaoqiao_case.title in html
    assert case.lead_number not in html
