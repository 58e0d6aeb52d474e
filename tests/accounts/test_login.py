"""Signing in and out through the real login page."""

from django.contrib.sessions.models import Session

from tests.accounts.conftest import LOGIN_URL, alerts, is_signed_in, sign_in
from tests.conftest import PASSWORD
from wuding_enforcement.audit.models import AuditEvent, Outcome
from wuding_enforcement.roster.forms import INVALID_LOGIN_MESSAGE
from wuding_enforcement.roster.models import LoginSession


def test_the_login_page_is_chinese_labelled_and_shows_no_staff_navigation(client, db):
    response = client.get(LOGIN_URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "工作人员登录" in html
    assert '<label for="id_username">用户名</label>' in html
    assert '<label for="id_password">密码</label>' in html
    assert 'aria-label="主导航"' not in html
    assert "退出" not in html


def test_signing_in_issues_a_new_session_key_and_records_the_login(client, officer):
    before = client.session
    before["visited"] = True
    before.save()
    old_key = client.cookies["sessionid"].value

    response = sign_in(client, "li_officer")

    assert response.status_code == 302
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert LoginSession.objects.filter(user=officer, session_key=new_key).exists()
    event = AuditEvent.objects.get(action="auth.login")
    assert event.actor == officer
    assert event.outcome == Outcome.SUCCESS
    assert event.ip == "10.0.0.1"


def test_a_wrong_password_and_an_unknown_user_get_the_identical_message(client, officer):
    wrong_password = sign_in(client, "li_officer", "Not-Her-Password-1")
    unknown_user = sign_in(client, "nobody_here", "Not-Her-Password-1")

    assert wrong_password.status_code == unknown_user.status_code == 200
    assert alerts(wrong_password) == alerts(unknown_user) == [INVALID_LOGIN_MESSAGE]
    assert "用户名或密码不正确" in INVALID_LOGIN_MESSAGE
    assert not is_signed_in(client)
    failures = AuditEvent.objects.filter(action="auth.login_failed", outcome=Outcome.FAILURE)
    assert sorted(failures.values_list("object_repr", flat=True)) == ["li_officer", "nobody_here"]


def test_a_deactivated_account_gets_the_same_message_as_a_wrong_password(client, officer, colleague):
    colleague.is_active = False
    colleague.save()

    deactivated = sign_in(client, "wang_colleague")
    wrong_password = sign_in(client, "li_officer", "Not-Her-Password-1")

    assert alerts(deactivated) == alerts(wrong_password)
    assert not is_signed_in(client)


def test_it_returns_to_the_requested_staff_page_after_signing_in_but_never_to_another_site(client, officer):
    inside = client.post(
        f"{LOGIN_URL}?next=/staff/cases/",
        {"username": "li_officer", "password": PASSWORD, "next": "/staff/cases/"},
    )
    client.post("/accounts/logout/")
    outside = client.post(
        LOGIN_URL, {"username": "li_officer", "password": PASSWORD, "next": "https://evil.example/phish"}
    )

    assert inside["Location"] == "/staff/cases/"
    assert outside["Location"] == "/staff/"


def test_signing_out_needs_a_post_ends_the_session_and_is_recorded(client, officer):
    sign_in(client, "li_officer")
    key = client.cookies["sessionid"].value

    assert client.get("/accounts/logout/").status_code == 405
    response = client.post("/accounts/logout/", follow=True)

    assert response.redirect_chain[-1][0] == LOGIN_URL
    assert "您已安全退出" in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()
    assert not LoginSession.objects.filter(session_key=key).exists()
    assert AuditEvent.objects.filter(action="auth.logout", actor=officer).count() == 1
    assert client.get("/staff/")["Location"].startswith(LOGIN_URL)
