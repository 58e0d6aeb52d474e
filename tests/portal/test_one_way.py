"""One way of doing each thing in recording, legal_review and cases (issue "The house"): these read the source
so that a copy of a shared rule creeping back in fails here, naming the file."""

import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CODE = [ROOT / "recording", ROOT / "legal_review", ROOT / "wuding_enforcement" / "cases"]
TEMPLATES = [ROOT / "templates" / name for name in ("recording", "legal_review", "cases", "documents")]


def sources(folders, pattern):
    for folder in folders:
        for path in sorted(folder.rglob(pattern)):
            if "migrations" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("what", "copy"),
    [
        ("a strftime date format of its own (use shared/chinese.py cn_date)", re.compile(r"%Y年|%m月|%d日")),
        ("a hand-made Chinese date (use shared/chinese.py cn_date)", re.compile(r"\.year\}年\{")),
        ("a local cn_date (use shared/chinese.py)", re.compile(r"def _?cn(_date)?\(")),
        (
            "a refusal shown message by message (use show_refusal)",
            re.compile(r"for message in \w+\.messages"),
        ),
        (
            "an inline certificate check (use roster/certification.py)",
            re.compile(r"any\(\s*\w+\.is_valid_on\("),
        ),
        ("a free-text key (use a real key)", re.compile(r"note__contains")),
        ("a swallowed exception", re.compile(r"except Exception:\s*\n\s*(pass|return)")),
    ],
)
def test_code_has_no_copy_of_a_shared_rule(what, copy):
    found = [str(path.relative_to(ROOT)) for path, text in sources(CODE, "*.py") if copy.search(text)]
    assert found == [], f"{what}: {found}"


def test_templates_format_dates_with_the_shared_filters():
    found = [
        str(path.relative_to(ROOT))
        for path, text in sources(TEMPLATES, "*.html")
        if re.search(r"\|date:[\"']Y年", text)
    ]
    assert found == [], f"use |cn_date or |cn_datetime: {found}"


def test_the_only_file_responses_are_in_the_one_getter():
    """Every stored file leaves through wuding_enforcement/audit/files.py send_stored_file."""
    found = [
        str(path.relative_to(ROOT))
        for path, text in sources(CODE, "*.py")
        if re.search(r"\b(FileResponse|StreamingHttpResponse)\(", text)
    ]
    assert found == [], found
