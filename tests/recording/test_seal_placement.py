"""The seal placed as on paper (issue 13 point 8): over the issuing body and the date of an issued document,
on the page where they stand — not alone at the bottom of the last page."""

import datetime
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.recording.test_doctypes_decision import (  # noqa: F401 - fixtures
    DECISION,
    case,
    case_at,
    draft,
    now,
)
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared import signing

pytestmark = pytest.mark.django_db


def seal_widget(pdf: bytes) -> tuple[int, tuple[float, float, float, float]]:
    """(page index, rect) of the signature widget."""
    for number, page in enumerate(PdfReader(io.BytesIO(pdf)).pages):
        for ref in page.get("/Annots") or []:
            annotation = ref.get_object()
            if annotation.get("/FT") == "/Sig" or annotation.get("/Parent", {}).get("/FT") == "/Sig":
                x0, y0, x1, y1 = (float(v) for v in annotation["/Rect"])
                return number, (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
    raise AssertionError("no signature widget")


def words(pdf: bytes, page: int) -> list[tuple[str, float, float, float, float]]:
    """(word, xMin, yMin, xMax, yMax) on a page, y measured from the top (pdftotext -bbox)."""
    html = subprocess.run(
        ["pdftotext", "-bbox", "-f", str(page + 1), "-l", str(page + 1), "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html
    )
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    return [(w, float(a), height - float(d), float(c), height - float(b)) for a, b, c, d, w in found]


def covers(rect, word) -> bool:
    _, x0, y0, x1, y1 = word
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return rect[0] <= cx <= rect[2] and rect[1] <= cy <= rect[3]


def test_the_decisions_seal_covers_the_bureau_name_and_the_decision_date(case, officer):  # noqa: F811
    issued = draft(case, "penalty_decision", DECISION, by=officer).issue(by=officer)
    with issued.pdf.open("rb") as f:
        pdf = f.read()
    page, rect = seal_widget(pdf)
    on_page = words(pdf, page)
    date = [w for w in on_page if "2026年11月19日" in w[0]]
    bureau = [w for w in on_page if w[0].startswith("武定县市场监督管理局")]
    assert date and covers(rect, date[-1]), (rect, date)
    assert bureau and covers(rect, bureau[-1]), (rect, bureau)
    # The seal stands among the text, not alone at the foot of the page.
    assert rect[1] > 100 or any(w[2] < rect[1] for w in on_page)
    assert signing.verify(pdf).valid


def test_a_record_without_an_issuing_block_carries_the_seal_beside_its_verification_code(
    case_at,  # noqa: F811
    officer,
    colleague,
):
    investigating = case_at(Stage.INVESTIGATING)  # an act is recorded while the case is investigated
    data = {
        "started_at": "2026-11-12T09:30",
        "ended_at": "2026-11-12T10:00",
        "place": "狮山镇某路1号店铺",
        "present_person": "陈某（店长）",
        "certificates_shown": "on",
        "findings": "货架上陈列过期牛奶12箱。",
    }
    document = draft(
        investigating,
        "onsite_record",
        data,
        by=officer,
        officers=[officer, colleague],
        act_date=datetime.date(2026, 11, 12),
        av_exemption="现场情况简单，文字记录足以全面记录。",
    )
    issued = document.issue(by=officer)
    with issued.pdf.open("rb") as f:
        pdf = f.read()
    page, rect = seal_widget(pdf)
    on_page = words(pdf, page)
    code = [w for w in on_page if issued.verification_code in w[0]]
    assert code, "the verification code is printed"
    # Beside the verification box, at its height, covering no word of the record.
    assert rect[1] <= code[0][2] <= rect[3]
    assert not [w for w in on_page if covers(rect, w)], [w[0] for w in on_page if covers(rect, w)]
    assert "comment" not in "".join(w[0] for w in on_page)
