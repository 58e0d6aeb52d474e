"""Both volumes of the case file are PDF/A-3b like the documents inside them (issue 13 point 6), checked by what
can be checked without veraPDF: the XMP pdfaid part and conformance, an OutputIntent, every font embedded
(pdffonts), the document information dictionary and the XMP agreeing, and the bureau's seal still valid
(pdfsig) — on the sealed file as stored."""

import datetime
import io
import re
import subprocess

import pytest
from pypdf import PdfReader

from tests.recording.test_archive import (  # noqa: F401 - fixtures
    _frozen,
    _media,
    build,
    closed_case,
    filed_case,
    pdf_bytes,
)
from tests.recording.test_seal_placement import covers, seal_widget, words

pytestmark = pytest.mark.django_db


def _pdf_date(value: str) -> datetime.datetime:
    """A PDF date (ISO 32000 7.9.4): D:YYYYMMDDHHmmSS then an offset, +HH'mm' / -HH'mm', or Z for UTC
    (written whenever the clock's offset is zero, as on a UTC machine)."""
    match = re.match(r"D:(\d{14})(?:Z(?:00'?00'?)?|([+-]\d{2})'?(\d{2})'?)", value)
    assert match, value
    offset = match.group(2) + match.group(3) if match.group(2) else "+0000"
    return datetime.datetime.strptime(match.group(1) + offset, "%Y%m%d%H%M%S%z")


def _xmp_value(xmp: str, name: str) -> str:
    """A simple XMP property as element (<ns:Name>v</ns:Name>, or in an rdf:Alt/Seq) or attribute (ns:Name="v")."""
    element = re.search(rf"<{name}(?:\s[^>]*)?>(.*?)</{name}>", xmp, re.S)
    if element:
        inner = element.group(1)
        item = re.search(r"<rdf:li[^>]*>(.*?)</rdf:li>", inner, re.S)
        return (item.group(1) if item else inner).strip()
    attribute = re.search(rf'{name}="([^"]*)"', xmp)
    return attribute.group(1) if attribute else ""


def pdfa_problems(pdf: bytes, tmp_path) -> list[str]:
    """Why `pdf` is not (as far as these checks see) a signed PDF/A-3b."""
    problems = []
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    if "/Metadata" not in root:
        return ["no XMP metadata"]
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    if _xmp_value(xmp, "pdfaid:part") != "3" or _xmp_value(xmp, "pdfaid:conformance") != "B":
        problems.append("XMP does not declare PDF/A-3b")
    intents = root.get("/OutputIntents")
    if not intents or not any(
        i.get_object().get("/S") == "/GTS_PDFA1" and "/DestOutputProfile" in i.get_object() for i in intents
    ):
        problems.append("no PDF/A output intent")
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    if not rows:
        problems.append("no fonts")
    for row in rows:
        # name type encoding emb sub uni object ID: "emb" is the fourth column from the right end.
        if row.split()[-5] != "yes":
            problems.append(f"font not embedded: {row}")
    info = reader.metadata
    pairs = [
        ("/Title", "dc:title"),
        ("/Author", "dc:creator"),
        ("/Subject", "dc:description"),
        ("/Creator", "xmp:CreatorTool"),
        ("/Producer", "pdf:Producer"),
    ]
    for key, name in pairs:
        if key in info and info[key] != _xmp_value(xmp, name):
            problems.append(f"Info {key} {info[key]!r} ≠ XMP {name} {_xmp_value(xmp, name)!r}")
    for key, name in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
        if key in info and _pdf_date(info[key]) != datetime.datetime.fromisoformat(_xmp_value(xmp, name)):
            problems.append(f"Info {key} {info[key]} ≠ XMP {name} {_xmp_value(xmp, name)}")
    signature = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True).stdout
    if "Signature Validation: Signature is Valid." not in signature:
        problems.append("the seal does not validate: " + signature[-300:])
    return problems


def test_both_volumes_are_pdfa_3b_like_the_documents_inside(
    closed_case,  # noqa: F811
    records_keeper,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    case_file = build(closed_case, records_keeper, django_capture_on_commit_callbacks)
    main, sub = pdf_bytes(case_file.main_pdf), pdf_bytes(case_file.sub_pdf)
    decision = closed_case.documents.get(doc_type="penalty_decision")
    assert pdfa_problems(pdf_bytes(decision.pdf), tmp_path) == []
    assert pdfa_problems(main, tmp_path) == []
    assert pdfa_problems(sub, tmp_path) == []
    # Each volume's seal stands over its closing 组卷 block (the bureau, the keeper, the date) on its last page.
    for volume in (main, sub):
        page, rect = seal_widget(volume)
        assert page == len(PdfReader(io.BytesIO(volume)).pages) - 1
        date = [w for w in words(volume, page) if "2026年11月25日" in w[0]]
        assert date and covers(rect, date[-1]), (rect, date)
    # The originals ride along as associated files of the volume (PDF/A-3: AFRelationship, MIME type).
    root = PdfReader(io.BytesIO(main)).trailer["/Root"]
    associated = [spec.get_object() for spec in root["/AF"]]
    assert associated and all(spec["/AFRelationship"] == "/Source" for spec in associated)
    assert all(spec["/EF"]["/F"].get_object()["/Subtype"] == "/application/pdf" for spec in associated)


def test_the_check_catches_a_volume_without_its_pdfa_declaration(tmp_path):
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    assert pdfa_problems(out.getvalue(), tmp_path) == ["no XMP metadata"]
