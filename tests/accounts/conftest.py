"""Helpers for signing in through the real login page (django-axes, the audit receivers and the session
bookkeeping all run exactly as in production)."""

import re

import pytest

from tests.conftest import PASSWORD

LOGIN_URL = "/accounts/login/"
OTP_VERIFY_URL = "/accounts/otp/verify/"


def sign_in(client, username, password=PASSWORD, ip="10.0.0.1", **extra):
    return client.post(LOGIN_URL, {"username": username, "password": password}, REMOTE_ADDR=ip, **extra)


def alerts(response) -> list[str]:
    """The texts the page announces as errors (role="alert"), tags stripped."""
    html = response.content.decode()
    blocks = re.findall(r'role="alert"[^>]*>(.*?)</(?:div|p)>', html, flags=re.S)
    return [re.sub(r"<[^>]+>", "", block).strip() for block in blocks]


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def staff_officer(units):
    """陈浩, officer of 高桥所 whose account was ticked is_staff by mistake: must still get nothing in /admin/."""
    from tests.conftest import make_staff
    from wuding_enforcement.roster.models import Role

    return make_staff("chen_staffflag", "陈浩", units["gaoqiao"], Role.OFFICER, is_staff=True)
