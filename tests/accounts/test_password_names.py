"""A password built from the username or the surname's pinyin plus digits and symbols is refused
(UserAttributeSimilarityValidator scores `yangl2026!` 0.667, under its 0.7 threshold, and let it pass)."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.accounts.conftest import alerts
from tests.conftest import PASSWORD, login_as, make_staff
from wuding_enforcement.roster.models import Role
from wuding_enforcement.roster.validators import PersonalNamePasswordValidator, surname_pinyin

pytestmark = pytest.mark.django_db


@pytest.fixture
def yang(units):
    """杨磊, username yangl: the issue's example."""
    return make_staff("yangl", "杨磊", units["shishan"], Role.OFFICER)


@pytest.mark.parametrize(
    "password", ["yangl2026!", "Yangl@2026", "2026#YANGL", "lgnay2026!", "Yang@2026", "yangl-2026-!"]
)
def test_passwords_built_from_the_name_are_refused(yang, password):
    with pytest.raises(ValidationError):
        validate_password(password, user=yang)


@pytest.mark.parametrize("password", ["Shishan#Market2026", "Yangtze-River-88", "Wuding@2026"])
def test_other_strong_passwords_pass(yang, password):
    validate_password(password, user=yang)


def test_the_refusal_is_said_in_chinese_on_the_password_page(client, yang):
    login_as(client, yang)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "yangl2026!", "new_password2": "yangl2026!"},
    )
    assert "密码不能由用户名加数字或符号组成。" in alerts(response)


def test_a_username_unlike_the_name_is_checked_too(units):
    user = make_staff("shishan_zhou", "周建华", units["shishan"], Role.OFFICER)
    with pytest.raises(ValidationError, match="用户名"):
        PersonalNamePasswordValidator().validate("Shishan_Zhou#1", user)
    with pytest.raises(ValidationError, match="拼音"):
        PersonalNamePasswordValidator().validate("Zhoujh@2026", user)


def test_compound_and_polyphonic_surnames():
    assert surname_pinyin("欧阳娜娜") == "ouyang"
    assert surname_pinyin("单雄信") == "shan"
    assert surname_pinyin("曾国藩") == "zeng"
    assert surname_pinyin("") == ""
