# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""Data that agrees with itself: one 公示截止日期 on the page, in the open data and in the credit export (民法典
第二百零一、二百零二条); the fine as a number in open data; CSV cells that a spreadsheet would run as a formula
neutralised in every CSV the portal writes; the Atom feed valid to RFC 4287 (jing, the RFC's RELAX NG schema)."""

import csv
import datetime
import io
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.urls import reverse

from disclosure import credit
from disclosure.models import Publication
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from wuding_enforcement.shared import csvsafe

pytestmark = pytest.mark.django_db

D = datetime.date
ATOM = "{http://www.w3.org/2005/Atom}"
SCHEMA = Path(__file__).parent / "schemas" / "atom.rnc"


@pytest.fixture
def published(decided_case, officer, bureau_head):
    case = decided_case()
    decision = issue_decision(
        case, officer, violation_type='=HYPERLINK("http://evil.example","点此")', fine_amount="9000.00"
    )
    serve(decision, officer)
    return Publication.objects.get(document=decision).publish(by=bureau_head)


def csv_rows(response) -> list[dict]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_one_publication_end_date_on_the_page_in_open_data_and_in_the_credit_export(
    client, published, bureau_head
):
    # Published 2026-11-20 for 3 years: the period counts from the next day and ends on 2029-11-20.
    assert published.last_day == D(2029, 11, 20)
    page = client.get(reverse("disclosure:publication_detail", args=[published.pk])).content.decode()
    assert "至2029年11月20日止" in page
    [row] = csv_rows(client.get(reverse("disclosure:publication_open_csv")))
    assert row["公示截止日期"] == "2029-11-20"
    item = credit.export(bureau_head, D(2026, 11, 1), D(2026, 11, 30), "csv")
    [line] = list(item.lines.all())
    assert line.snapshot["publication_ends_on"] == "2029-11-20"


def test_amounts_are_numbers_in_open_data(client, published):
    data = json.loads(b"".join(client.get(reverse("disclosure:publication_open_json")).streaming_content))
    [entry] = data["items"]
    assert entry["fine_amount"] == 9000 and isinstance(entry["fine_amount"], float)
    assert "罚款9000.00元" in entry["penalty_content"]
    [row] = csv_rows(client.get(reverse("disclosure:publication_open_csv")))
    assert row["罚款金额（元）"] == "9000.00"


def test_a_formula_typed_by_an_officer_reaches_no_csv_as_a_formula(client, published, bureau_head):
    [row] = csv_rows(client.get(reverse("disclosure:publication_open_csv")))
    assert row["违法行为类型"].startswith("'=HYPERLINK")
    item = credit.export(bureau_head, D(2026, 11, 1), D(2026, 11, 30), "csv")
    text = bytes(item.files.get(format="csv").content).decode("utf-8-sig")
    cells = [cell for r in csv.reader(io.StringIO(text)) for cell in r]
    assert '\'=HYPERLINK("http://evil.example","点此")' in cells
    assert not any(cell.startswith(csvsafe.FORMULA_STARTS) for cell in cells)


@pytest.mark.parametrize("value", ["=1+1", "+86 123", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csvsafe_neutralises_what_a_spreadsheet_would_run(value):
    assert csvsafe.cell(value) == "'" + value


def test_csvsafe_leaves_numbers_and_plain_text_alone():
    assert csvsafe.cell(-5) == -5 and csvsafe.cell("武定县") == "武定县" and csvsafe.cell(None) is None
    out = io.StringIO()
    csvsafe.writer(out).writerow(["=A1", 3, "文本"])
    assert out.getvalue().strip() == "'=A1,3,文本"


def test_the_atom_feed_names_its_author_and_each_entry_its_id_title_and_updated(client, published):
    feed = ET.fromstring(client.get(reverse("disclosure:publication_feed")).content)  # noqa: S314 - our own feed
    # RFC 4287 §4.1.1: the feed's author stands for every entry that has none.
    assert feed.findtext(f"{ATOM}author/{ATOM}name") == "武定县市场监督管理局"
    assert feed.findtext(f"{ATOM}id") and feed.findtext(f"{ATOM}title") and feed.findtext(f"{ATOM}updated")
    [entry] = feed.findall(f"{ATOM}entry")
    for child in ("id", "title", "updated"):
        assert len(entry.findall(f"{ATOM}{child}")) == 1


@pytest.mark.skipif(
    shutil.which("jing") is None, reason="jing is installed by .ci/run (apt-get install jing)"
)
def test_the_atom_feed_is_valid_against_the_rfc_4287_schema(client, published, tmp_path):
    path = tmp_path / "feed.xml"
    path.write_bytes(client.get(reverse("disclosure:publication_feed")).content)
    result = subprocess.run(  # noqa: S603 - fixed arguments
        ["jing", "-c", str(SCHEMA), str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
