"""统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet (no I, O, S, V, Z) —
登记管理部门代码 (1), 机构类别代码 (1), 登记管理机关行政区划码 (6 digits), 主体标识码 (the 组织机构代码 of
GB 11714: 8 characters and its own check character) and the check character of the whole code.

Check character (GB 32100 §4.4): each of the first 17 characters has a value (its position in the alphabet) and
a weight 3^(i) mod 31; C18 = 31 − (Σ value × weight) mod 31, 31 written as 0. The 组织机构代码 part carries its
own GB 11714 check (weights 3 7 9 10 5 8 4 2, C9 = 11 − Σ mod 11; 10 is X, 11 is 0): a code that passes both
was not mistyped by one character or by swapping two neighbours.
"""

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]
ORG_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


def check_character(body: str) -> str:
    """The 18th character for the first 17."""
    total = sum(ALPHABET.index(c) * w for c, w in zip(body, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_check_character(org: str) -> str:
    """The 9th character of a GB 11714 组织机构代码 for its first 8 (letters count 10 for A … 35 for Z)."""
    total = sum((int(c) if c.isdigit() else ord(c) - 55) * w for c, w in zip(org, ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def problem(code: str) -> str:
    """Why `code` is not a valid 统一社会信用代码, in Chinese; "" when it is."""
    code = normalise(code)
    if len(code) != 18:
        return f"统一社会信用代码应为18位，“{code}”为{len(code)}位。"
    wrong = sorted({c for c in code if c not in ALPHABET})
    if wrong:
        return f"统一社会信用代码不能含有“{'、'.join(wrong)}”（GB 32100 不使用 I、O、S、V、Z）。"
    if not code[2:8].isdigit():
        return "统一社会信用代码第3至8位应为行政区划代码（数字）。"
    if org_check_character(code[8:16]) != code[16]:
        return "统一社会信用代码中的组织机构代码校验位不正确（GB 11714），请核对。"
    if check_character(code[:17]) != code[17]:
        return "统一社会信用代码校验位不正确（GB 32100-2015），请核对是否录入有误。"
    return ""


def is_valid(code: str) -> bool:
    return problem(code) == ""


def make(prefix: str, region: str, org8: str) -> str:
    """A code with correct check characters (demo data and tests): prefix "91" enterprise, "92" 个体工商户."""
    org = org8 + org_check_character(org8)
    body = f"{prefix}{region}{org}"
    return body + check_character(body)
