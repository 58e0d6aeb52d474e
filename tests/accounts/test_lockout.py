"""django-axes: 5 failures for one username from one address lock that pair for 30 minutes."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.accounts.conftest import is_signed_in, sign_in
from wuding_enforcement.audit.models import AuditEvent

START = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def fail_five_times(client, username, ip="10.0.0.1"):
    return [sign_in(client, username, "Wrong-Password-9", ip=ip) for _ in range(5)]


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_five_failures_lock_the_username_from_that_address_even_with_the_right_password(
    client, officer, clock
):
    responses = fail_five_times(client, "li_officer")

    assert [r.status_code for r in responses[:4]] == [200] * 4
    response = sign_in(client, "li_officer")

    assert response.status_code == 429
    html = response.content.decode()
    assert "登录已暂时锁定" in html
    assert "连续 5 次登录失败" in html
    assert "锁定 30 分钟" in html
    assert not is_signed_in(client)
    assert AuditEvent.objects.filter(action="auth.locked_out", object_repr="li_officer").exists()


def test_the_lock_does_not_reach_another_address(client, officer, clock):
    fail_five_times(client, "li_officer", ip="10.0.0.1")

    response = sign_in(client, "li_officer", ip="10.0.0.2")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_the_lock_does_not_reach_another_username_from_the_same_address(client, officer, colleague, clock):
    fail_five_times(client, "li_officer", ip="10.0.0.1")

    response = sign_in(client, "wang_colleague", ip="10.0.0.1")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_an_unknown_username_is_locked_with_exactly_the_same_page(client, officer, clock):
    fail_five_times(client, "li_officer")
    fail_five_times(client, "no_such_person")

    real = sign_in(client, "li_officer")
    unknown = sign_in(client, "no_such_person")

    assert real.status_code == unknown.status_code == 429
    assert real.content == unknown.content


def test_the_lock_lasts_thirty_minutes_and_retrying_meanwhile_does_not_extend_it(client, officer, clock):
    fail_five_times(client, "li_officer")

    clock.shift(datetime.timedelta(minutes=29))
    still_locked = sign_in(client, "li_officer")
    clock.shift(datetime.timedelta(minutes=2))
    released = sign_in(client, "li_officer")

    assert still_locked.status_code == 429
    assert released.status_code == 302
    assert is_signed_in(client)


def test_a_successful_login_clears_earlier_failures(client, officer, clock):
    for _ in range(4):
        sign_in(client, "li_officer", "Wrong-Password-9")
    sign_in(client, "li_officer")
    client.post("/accounts/logout/")

    for _ in range(4):
        sign_in(client, "li_officer", "Wrong-Password-9")

    assert sign_in(client, "li_officer").status_code == 302
