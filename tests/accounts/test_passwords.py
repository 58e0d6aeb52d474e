"""Password rules (≥ 8 characters, 3 of upper/lower/digit/symbol, no common password) and the forced change
of a password an admin set."""

import pytest

from tests.accounts.conftest import alerts
from tests.conftest import PASSWORD, login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import LoginSession
from wuding_enforcement.roster.validators import CharacterClassValidator

CHANGE_URL = "/accounts/password/"
GOOD_NEW_PASSWORD = "Shishan#Market2026"


def change_password(client, new, old=PASSWORD, **data):
    return client.post(CHANGE_URL, {"old_password": old, "new_password1": new, "new_password2": new, **data})


@pytest.mark.parametrize(
    ("new_password", "expected"),
    [
        ("Ws#2026", "密码太短，至少需要 8 个字符。"),
        ("wudingshishan2026", "密码须至少包含大写字母、小写字母、数字、符号中的 3 类。"),
        ("Password123", "这个密码太常见了。"),
    ],
    ids=["too-short", "two-classes", "common"],
)
def test_it_refuses_a_weak_password_with_a_chinese_message(client, officer, new_password, expected):
    login_as(client, officer)

    response = change_password(client, new_password)

    assert response.status_code == 200
    assert expected in alerts(response)
    assert all("password" not in message.lower() for message in alerts(response))
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)


def test_the_common_password_is_refused_for_being_common_not_for_its_character_classes(client, officer):
    # "Password123" has upper, lower and digits: only the list of common passwords can refuse it.
    assert CharacterClassValidator.classes_in("Password123") == 3
    assert len("Password123") >= 8
    login_as(client, officer)

    assert alerts(change_password(client, "Password123")) == ["这个密码太常见了。"]


def test_it_refuses_to_keep_the_same_password(client, officer):
    login_as(client, officer)

    response = change_password(client, PASSWORD)

    assert "新密码不能与原密码相同。" in alerts(response)


def test_it_accepts_a_strong_password_keeps_the_user_signed_in_and_remembers_the_new_session_key(
    client, officer
):
    login_as(client, officer)
    old_key = client.cookies["sessionid"].value

    response = change_password(client, GOOD_NEW_PASSWORD)

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(GOOD_NEW_PASSWORD)
    new_key = client.cookies["sessionid"].value
    assert new_key != old_key
    assert LoginSession.objects.filter(user=officer, session_key=new_key).exists()
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.password_changed", actor=officer).exists()


STAFF_PAGES = ["/staff/", "/staff/cases/", "/staff/recording/", "/staff/review/"]


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_a_user_who_must_change_the_password_is_sent_to_the_change_page_from_any_staff_page(
    client, officer, path
):
    officer.must_change_password = True
    officer.save()
    login_as(client, officer)

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"].startswith(CHANGE_URL)


def test_after_the_forced_change_the_staff_pages_open(client, officer):
    officer.must_change_password = True
    officer.save()
    login_as(client, officer)
    page = client.get(CHANGE_URL)
    assert "请先设置一个只有您本人知道的新密码" in page.content.decode()

    response = change_password(client, GOOD_NEW_PASSWORD, next="/staff/")

    assert response["Location"] == "/staff/"
    officer.refresh_from_db()
    assert officer.must_change_password is False
    assert client.get("/staff/").status_code == 200
