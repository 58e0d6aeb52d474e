"""The document-verify page tells the truth about dates and seals: the date the document carries (not the day
it was entered into the system), and an altered file that lost the bureau's seal is a signature failure, not
"未带电子签章"; the annual report's 数据截至 is the end of its year at the latest."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from disclosure import statistics
from disclosure.views.verify import signature_verdict
from tests.disclosure.support import empty_cache, issued_document  # noqa: F401 - autouse fixture
from wuding_enforcement.shared.signing import SignatureReport

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(make_case, officer):
    case = make_case()
    return issued_document(
        case,
        officer,
        code="DATE234567",
        number="武市监处罚〔2026〕9号",
        pdf=b"%PDF-1.7 the signed decision",
        data={"decided_on": "2026-11-17"},
        party=case.parties.first(),
        signed=True,
    )


def test_the_page_gives_the_date_the_decision_carries(client, decision):
    text = client.get(
        reverse("disclosure:verify_document", args=[decision.verification_code])
    ).content.decode()
    # Decided 2026-11-17, entered into the system (issued_at) on 2026-11-20.
    assert "<dt>文书日期</dt><dd>2026年11月17日</dd>" in text


def test_an_altered_copy_of_a_sealed_decision_is_a_signature_failure(client, decision):
    response = client.post(
        reverse("disclosure:verify_document", args=[decision.verification_code]),
        {"pdf": SimpleUploadedFile("d.pdf", b"%PDF-1.7 the signed decisioN", "application/pdf")},
    )
    text = response.content.decode()
    assert "电子签章无效" in text and "未带电子签章" not in text
    assert "✔ 电子签章" not in text


def test_signature_verdicts():
    unsigned = SignatureReport(signed=False)
    assert signature_verdict(unsigned, expected_signed=True)["ok"] is False
    assert "电子签章无效" in signature_verdict(unsigned, expected_signed=True)["text"]
    # A document issued before sealing existed: unsigned is what it always was.
    assert signature_verdict(unsigned, expected_signed=False)["text"] == "该 PDF 未带电子签章。"
    good = SignatureReport(
        signed=True, intact=True, valid=True, by_bureau=True, covers_whole_file=True, signer="本局"
    )
    assert signature_verdict(good, expected_signed=True)["ok"] is True
    broken = SignatureReport(signed=True, intact=False, by_bureau=True, covers_whole_file=True)
    assert signature_verdict(broken, expected_signed=True)["ok"] is False


def test_the_annual_reports_data_run_to_the_end_of_its_year():
    assert statistics.data_as_of(2025, datetime.date(2026, 12, 6)) == datetime.date(2025, 12, 31)
    assert statistics.data_as_of(2026, datetime.date(2026, 12, 6)) == datetime.date(2026, 12, 6)
    frozen = statistics.YearFigures.from_json({"year": 2025, "as_of": "2026-12-06", "figures": []})
    assert frozen.as_of == datetime.date(2025, 12, 31)
