"""统一社会信用代码 (GB 32100-2015): the check characters catch a mistyped or swapped character."""

import pytest

from inspection import creditcode
from tests.inspection.conftest import code


def test_a_code_with_both_check_characters_right_is_valid():
    # Worked by hand. GB 11714 on MA6K0000: 22·3 + 10·7 + 6·9 + 20·10 = 390, 390 mod 11 = 5, 11 − 5 = 6.
    # GB 32100 on 91532329MA6K00006 (values from the 31-character alphabet, weights 3^i mod 31): Σ = 1714,
    # 1714 mod 31 = 9, 31 − 9 = 22, the 22nd character is N.
    assert creditcode.org_check_character("MA6K0000") == "6"
    assert creditcode.check_character("91532329MA6K00006") == "N"
    assert creditcode.is_valid("91532329MA6K00006N")
    assert creditcode.problem(" 91532329ma6k00006n ") == ""  # typed in lower case, with spaces


@pytest.mark.parametrize("n", range(1, 40))
def test_every_generated_code_passes(n):
    assert creditcode.is_valid(code(n))
    assert creditcode.is_valid(code(n, "92"))


def test_it_refuses_a_wrong_check_character():
    valid = code(7)
    wrong = valid[:-1] + ("0" if valid[-1] != "0" else "1")
    assert "校验位不正确（GB 32100-2015）" in creditcode.problem(wrong)


def test_it_catches_two_swapped_neighbours():
    valid = code(12)
    swapped = valid[:10] + valid[11] + valid[10] + valid[12:]
    assert swapped != valid
    assert not creditcode.is_valid(swapped)


def test_it_refuses_the_letters_gb_32100_leaves_out_and_a_wrong_length():
    assert "不能含有“O”" in creditcode.problem("91532329MA6K0000O6")
    assert "应为18位" in creditcode.problem("91532329MA6K")


def test_it_checks_the_organisation_code_part_too():
    valid = code(3)
    body = valid[:16] + ("0" if valid[16] != "0" else "1")
    forged = body + creditcode.check_character(body)  # the last character recomputed, the 9th part broken
    assert "组织机构代码校验位不正确" in creditcode.problem(forged)
