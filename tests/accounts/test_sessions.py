"""Session lifetime: 30 minutes idle, 12 hours absolute, and deactivation ends every session of the user."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.sessions.models import Session

from tests.accounts.conftest import LOGIN_URL, is_signed_in, sign_in
from tests.conftest import PASSWORD, login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.models import LoginSession

START = datetime.datetime(2026, 11, 2, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_thirty_one_idle_minutes_sign_the_user_out(client, officer, clock):
    login_as(client, officer)
    assert client.get("/staff/").status_code == 200

    clock.shift(datetime.timedelta(minutes=31))
    response = client.get("/staff/cases/")

    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN_URL}?next=%2Fstaff%2Fcases%2F"
    assert not is_signed_in(client)
    assert "您已超过 30 分钟未操作" in client.get(response["Location"]).content.decode()
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.detail == {"reason": "idle"}


def test_twenty_nine_idle_minutes_do_not_and_each_request_restarts_the_idle_clock(client, officer, clock):
    login_as(client, officer)

    for _ in range(3):
        clock.shift(datetime.timedelta(minutes=29))
        assert client.get("/staff/").status_code == 200

    assert is_signed_in(client)


def session_stamp(client) -> int:
    return client.session["last_seen"]


def session_written(client, path="/staff/") -> bool:
    """GET `path`; whether the request wrote the session row back."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return any(
        "django_session" in q["sql"] and q["sql"].startswith("UPDATE") for q in queries.captured_queries
    )


def test_the_activity_stamp_is_written_at_most_once_a_minute(client, officer, clock):
    login_as(client, officer)
    signed_in_at = session_stamp(client)
    client.get("/staff/")  # warm the page's one-off reads
    clock.shift(datetime.timedelta(seconds=59))
    assert not session_written(client)
    assert session_stamp(client) == signed_in_at

    clock.shift(datetime.timedelta(seconds=1))
    assert session_written(client)
    assert session_stamp(client) == signed_in_at + 60


def test_requests_inside_the_step_still_keep_the_user_signed_in(client, officer, clock):
    """Activity that was not written (inside the minute) costs at most that minute of the idle clock: a user
    active every 20 seconds and then idle 29 minutes stays signed in; idle 31 minutes after the last written
    stamp, signed out."""
    login_as(client, officer)
    for _ in range(6):  # two minutes of activity, stamped at 0, 60 and 120 s
        clock.shift(datetime.timedelta(seconds=20))
        assert client.get("/staff/").status_code == 200
    clock.shift(datetime.timedelta(minutes=29))
    assert client.get("/staff/").status_code == 200
    assert is_signed_in(client)
    clock.shift(datetime.timedelta(minutes=31))
    assert client.get("/staff/").status_code == 302
    assert not is_signed_in(client)


def test_twelve_hours_after_login_the_user_is_signed_out_even_when_active(client, officer, clock):
    login_as(client, officer)
    statuses = []
    # Every 25 minutes (never idle) until 12 h 05 min after signing in.
    for _ in range(29):
        clock.shift(datetime.timedelta(minutes=25))
        statuses.append(client.get("/staff/").status_code)

    assert statuses[:28] == [200] * 28  # up to 11 h 40 min
    assert statuses[28] == 302
    assert not is_signed_in(client)
    assert "本次登录已满 12 小时" in client.get(LOGIN_URL).content.decode()
    assert AuditEvent.objects.get(action="auth.session_expired").detail == {"reason": "absolute"}


def test_deactivating_a_user_deletes_all_their_sessions(client, officer):
    other_device = client.__class__()
    sign_in(client, "li_officer", ip="10.0.0.1")
    sign_in(other_device, "li_officer", ip="10.0.0.2")
    keys = [client.cookies["sessionid"].value, other_device.cookies["sessionid"].value]
    assert Session.objects.filter(session_key__in=keys).count() == 2

    officer.is_active = False
    officer.save()

    assert not Session.objects.filter(session_key__in=keys).exists()
    assert not LoginSession.objects.filter(user=officer).exists()
    # Even once reactivated, the old cookies open nothing: the sessions are gone, not merely refused.
    officer.is_active = True
    officer.save()
    for browser in (client, other_device):
        response = browser.get("/staff/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)


def test_deactivation_also_ends_a_session_whose_key_changed_with_the_password(client, officer):
    login_as(client, officer)
    client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Shishan#Market2026",
            "new_password2": "Shishan#Market2026",
        },
    )
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()

    officer.is_active = False
    officer.save()

    assert not Session.objects.filter(session_key=key).exists()


def test_deactivating_one_user_leaves_other_users_signed_in(client, officer, colleague):
    other = client.__class__()
    sign_in(client, "li_officer")
    sign_in(other, "wang_colleague")

    officer.is_active = False
    officer.save()

    assert other.get("/staff/").status_code == 200


def test_deactivating_through_the_admin_ends_the_sessions_at_once(client, officer, admin_user):
    officer_browser = client.__class__()
    sign_in(officer_browser, "li_officer")
    key = officer_browser.cookies["sessionid"].value
    login_as(client, admin_user)

    response = client.post(
        "/admin/roster/staff/", {"action": "deactivate_selected", "_selected_action": [officer.pk]}
    )

    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.is_active is False
    assert not Session.objects.filter(session_key=key).exists()
    assert officer_browser.get("/staff/")["Location"].startswith(LOGIN_URL)
