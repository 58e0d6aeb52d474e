"""Two-factor (django-otp): required for admins and legal reviewers, optional for others; backup codes work
once; demo codes exist only in demo mode."""

import base64
import datetime
import io
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.test import override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.conftest import OTP_VERIFY_URL, alerts, sign_in
from tests.conftest import otp_static_device
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.otp import DEMO_DEVICE_NAME, issue_demo_backup_codes

NOW = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
SETUP_URL = "/accounts/otp/setup/"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def current_code(device) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):0{device.digits}d}"


def verify(client, token, next_url="/staff/"):
    return client.post(OTP_VERIFY_URL, {"token": token, "next": next_url})


@pytest.mark.parametrize("persona", ["admin_user", "reviewer"])
def test_admins_and_legal_reviewers_are_sent_to_two_factor_after_signing_in(client, request, persona):
    user = request.getfixturevalue(persona)
    otp_static_device(user)

    sign_in(client, user.username)
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"] == f"{OTP_VERIFY_URL}?next=%2Fstaff%2F"


@pytest.mark.parametrize("persona", ["officer", "unit_head", "bureau_head", "records_keeper"])
def test_other_roles_are_not_forced_to_two_factor(client, request, persona):
    user = request.getfixturevalue(persona)

    sign_in(client, user.username)

    assert client.get("/staff/").status_code == 200


def test_an_officer_who_enrolled_a_device_is_asked_for_it_too(client, officer):
    otp_static_device(officer)

    sign_in(client, "li_officer")

    assert client.get("/staff/")["Location"].startswith(OTP_VERIFY_URL)


def test_a_backup_code_works_once_only(client, reviewer, clock):
    otp_static_device(reviewer, tokens=("48151623",))
    sign_in(client, "qian_reviewer")

    first = verify(client, "4815 1623")

    assert first["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_verified", actor=reviewer).exists()

    client.post("/accounts/logout/")
    sign_in(client, "qian_reviewer")
    second = verify(client, "48151623")

    assert second.status_code == 200
    assert alerts(second) == ["验证码不正确或已使用，请重试。"]
    assert client.get("/staff/")["Location"].startswith(OTP_VERIFY_URL)
    assert AuditEvent.objects.filter(action="auth.otp_failed", actor=reviewer).exists()


def test_a_current_totp_code_verifies_and_a_wrong_one_does_not(client, admin_user, clock):
    device = TOTPDevice.objects.create(user=admin_user, name="手机", confirmed=True)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    sign_in(client, "zheng_admin")

    refused = verify(client, wrong)
    clock.shift(datetime.timedelta(seconds=5))  # past the one-second throttle after a failure
    accepted = verify(client, current_code(device))

    assert alerts(refused) == ["验证码不正确或已使用，请重试。"]
    assert accepted["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200


def test_repeated_wrong_codes_are_throttled(client, admin_user, clock):
    device = TOTPDevice.objects.create(user=admin_user, name="手机", confirmed=True)
    sign_in(client, "zheng_admin")
    verify(client, "000000" if current_code(device) != "000000" else "111111")

    immediately = verify(client, current_code(device))

    assert alerts(immediately) == ["验证失败次数过多，请稍等片刻再试。"]
    assert client.get("/staff/")["Location"].startswith(OTP_VERIFY_URL)


def test_a_user_without_a_device_enrols_an_authenticator_app_with_the_base32_key(client, admin_user, clock):
    sign_in(client, "zheng_admin")
    verify_page = client.get(OTP_VERIFY_URL + "?next=/staff/")
    assert verify_page["Location"].startswith(SETUP_URL)

    page = client.get(verify_page["Location"])

    device = TOTPDevice.objects.get(user=admin_user, confirmed=False)
    shown = re.search(r'<code class="otp-secret">([A-Z2-7 ]+)</code>', page.content.decode()).group(1)
    assert shown.replace(" ", "") == base64.b32encode(device.bin_key).decode().rstrip("=")
    assert "<svg" in page.content.decode()

    response = client.post(SETUP_URL, {"token": current_code(device), "next": "/staff/"})

    assert response["Location"] == "/staff/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/staff/").status_code == 200
    assert AuditEvent.objects.filter(action="auth.otp_enrolled", actor=admin_user).exists()


def test_a_password_alone_cannot_enrol_a_new_device_when_backup_codes_exist(client, admin_user):
    otp_static_device(admin_user)
    sign_in(client, "zheng_admin")

    response = client.get(SETUP_URL)

    assert response["Location"].startswith(OTP_VERIFY_URL)
    assert not TOTPDevice.objects.filter(user=admin_user).exists()


def test_a_reviewer_must_pass_two_factor_before_changing_the_password(client, reviewer):
    otp_static_device(reviewer)
    sign_in(client, "qian_reviewer")

    assert client.get("/accounts/password/")["Location"].startswith(OTP_VERIFY_URL)


# --- Demo backup codes ---------------------------------------------------------------------------------------


def test_demo_backup_codes_are_fresh_one_time_codes_that_replace_the_previous_set(client, admin_user):
    old_codes = issue_demo_backup_codes(admin_user, count=3)
    codes = issue_demo_backup_codes(admin_user)

    assert len(codes) == len(set(codes)) == 10
    device = StaticDevice.objects.get(user=admin_user, name=DEMO_DEVICE_NAME)
    assert sorted(device.token_set.values_list("token", flat=True)) == sorted(codes)
    assert not set(old_codes) & set(codes)

    sign_in(client, "zheng_admin")
    assert verify(client, codes[0])["Location"] == "/staff/"
    event = AuditEvent.objects.filter(action="auth.demo_backup_codes_issued").order_by("seq").last()
    assert event.detail == {"count": 10}
    assert not any(code in str(event.detail) + event.object_repr for code in codes)


@override_settings(DEMO_MODE=False)
def test_demo_backup_codes_are_refused_outside_demo_mode(admin_user):
    with pytest.raises(ImproperlyConfigured, match="演示模式"):
        issue_demo_backup_codes(admin_user)

    assert not StaticDevice.objects.filter(user=admin_user).exists()


def test_the_demo_otp_codes_command_prints_codes_that_work(client, reviewer):
    out = io.StringIO()

    call_command("demo_otp_codes", "qian_reviewer", "--count", "4", stdout=out)

    printed = re.findall(r"^\s+([a-z2-7]{8})$", out.getvalue(), flags=re.M)
    assert len(printed) == 4
    device = StaticDevice.objects.get(user=reviewer, name=DEMO_DEVICE_NAME)
    assert sorted(device.token_set.values_list("token", flat=True)) == sorted(printed)
    sign_in(client, "qian_reviewer")
    assert verify(client, printed[0])["Location"] == "/staff/"


@override_settings(DEMO_MODE=False)
def test_the_demo_otp_codes_command_refuses_in_production(reviewer):
    with pytest.raises(CommandError, match="演示模式"):
        call_command("demo_otp_codes", "qian_reviewer", stdout=io.StringIO())

    assert not StaticDevice.objects.filter(user=reviewer).exists()


def test_the_demo_otp_codes_command_names_an_unknown_user(db):
    with pytest.raises(CommandError, match="没有用户名为 ghost 的账号"):
        call_command("demo_otp_codes", "ghost", stdout=io.StringIO())
