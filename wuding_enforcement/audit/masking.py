"""Masking of personal data before it is written to the audit log or to a log line.

Python's `\\b` is Unicode-aware: Chinese characters are word characters, so `\\b` sees no boundary between
`号码` and the digits that follow (`身份证号码532328198001011234，`) and an ID number written straight after
Chinese text slipped through. The patterns below delimit numbers by "no ASCII letter or digit before or
after" instead: that holds next to Chinese text, punctuation and the ends of the string, and still leaves
alone a run of digits inside a hexadecimal SHA-256 (which the audit log records for every stored file).
"""

import re

# An 18-character resident ID number (GB 11643): 17 digits and a digit or X check character.
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
# A mainland mobile number: 1[3-9] and 9 more digits (11 in all), not part of a longer number.
_MOBILE = re.compile(r"(?<![0-9A-Za-z])(1[3-9]\d)\d{4}(\d{4})(?![0-9A-Za-z])")


def mask_id_number(text: str) -> str:
    """Keep the first 6 and last 4 characters of an 18-character ID number (no full ID ever lands in a log)."""
    return _ID_NUMBER.sub(lambda m: m.group(1) + "********" + m.group(2), text or "")


def mask_personal(text: str) -> str:
    """ID numbers and mobile numbers masked: what every log line goes through (ops/logging.py)."""
    return _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), mask_id_number(text))
