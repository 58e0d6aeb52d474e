"""No full ID number in the audit log, even written straight after Chinese text (`\\b` sees no boundary
there); django-axes' usernames go through the same helper."""

import pytest

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.masking import mask_id_number, mask_personal
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.views import lockout_username

pytestmark = pytest.mark.django_db

ID = "532328198001011234"


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        (f"当事人张三身份证号码{ID}，", "当事人张三身份证号码532328********1234，"),
        (f"号码{ID}号", "号码532328********1234号"),
        ("证号53232819800101123X。", "证号532328********123X。"),
        (f"{ID}", "532328********1234"),
        (f"张三 {ID}", "张三 532328********1234"),
    ],
)
def test_an_id_number_is_masked_wherever_it_stands(text, masked):
    assert mask_id_number(text) == masked


def test_a_sha256_is_left_alone_even_when_it_holds_eighteen_digits():
    digest = "ab" + "123456789012345678" + "cd" * 22
    assert mask_id_number(digest) == digest


def test_a_longer_number_is_not_an_id_number():
    assert mask_id_number("1234567890123456789012") == "1234567890123456789012"


def test_mobile_numbers_are_masked_in_log_text():
    assert mask_personal("联系电话13812345678，") == "联系电话138****5678，"


def test_the_audit_log_stores_no_id_number_written_after_chinese_text():
    event = record(
        "test.party",
        object_repr=f"当事人张三身份证号码{ID}，",
        detail={"note": f"当事人张三身份证号码{ID}，住址某路1号"},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert ID not in stored.object_repr and ID not in str(stored.detail)
    assert "532328********1234" in stored.object_repr


def test_axes_usernames_are_masked_by_the_same_helper(rf):
    request = rf.post("/accounts/login/", {"username": f"身份证{ID}"})
    assert lockout_username(request) == "身份证532328********1234"
