"""Real-browser journeys: Playwright drives Debian's chromium (never a downloaded browser) against
pytest-django's live server. Screenshots land in test-artifacts/ for a human to look at. The `browser` and
`new_page` fixtures live in tests/conftest.py so that journeys in any folder share one browser."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make between page
# steps are synchronous and safe here (docs/stack.md trap 6).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

pytestmark = pytest.mark.e2e


def screenshot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def sign_in(page, username, password, otp_code=None):
    """Sign in through the real login page (and the OTP page where the role requires it)."""
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    if otp_code is not None:
        page.wait_for_url("**/accounts/otp/verify/**")
        page.get_by_label("动态验证码或备用码").fill(otp_code)
        page.get_by_role("button", name="验证").click()
    page.wait_for_load_state()
