"""Archiving (归档): the records keeper archives a closed case; a background task assembles the 正卷 and 副卷
(cover, catalogue with page ranges, the issued PDFs merged and page-numbered, the evidence list or the
approvals record), stores their SHA-256, and the case becomes read-only for everyone.

Time is frozen on Wednesday 25 November 2026 (no holiday near)."""

import datetime
import hashlib
import io
import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.urls import reverse
from pypdf import PdfReader

from recording import archive
from recording.casefile import volume_of
from recording.evidence import EvidenceRefused, void_evidence
from recording.models import CaseFile, CaseFileStatus, Document, DocumentStatus, Evidence
from recording.models.filing import filing_sorted
from tests.conftest import file_case, issued_row, login_as, served_row
from tests.recording.early_factories import draft, link_video, valid_input
from tests.recording.test_doctypes_decision import DECISION, PROPOSAL
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import ApprovalKind
from wuding_enforcement.cases.workflow import Stage, TransitionRefused

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 11, 25, 10, 0, tzinfo=TZ)
ACT_DAY = datetime.date(2026, 11, 3)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def approve(case, kind, *, by, unit_head, bureau_head):
    approval = case.request_approval(kind, by=by, reason=f"申请{ApprovalKind(kind).label}。")
    approval.give_opinion(unit_head, agree=True, opinion="情况属实，拟同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    case.refresh_from_db()
    return approval


def evidence(case, *, by, kind, title, content, duration=None, document=None):
    return Evidence.objects.create(
        case=case,
        document=document,
        kind=kind,
        title=title,
        file=ContentFile(content, name="x"),
        mime={"photo": "image/jpeg", "audio": "audio/mpeg", "video": "video/mp4"}[kind],
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        duration=duration,
        uploaded_by=by,
    )


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=TZ)


def day(n: int) -> datetime.date:
    return datetime.date(2026, 11, n)


@pytest.fixture
def filed_case(make_case, unit_head, bureau_head, officer):
    """A lead of 11-02, registered (案件来源登记表) and filed that day."""
    with time_machine.travel(at(2, 10), tick=False):
        case = make_case()
        issued_row(case, "lead_register", by=officer, at=at(2, 9), pdf=True)
        case = file_case(case, unit_head, bureau_head, officer)
        issued_row(case, "filing_approval", by=officer, at=at(2, 11), pdf=True)
    return case


@pytest.fixture
def closed_case(filed_case, officer, colleague, unit_head, bureau_head):
    """A closed case walked in the statutory order (docs/domain.md §6), its file complete: three documents
    issued for real (a two-page 现场笔录 and a 行政处罚决定书 in the 正卷, the 案件调查终结报告 in the 副卷), the
    others on file; three evidence files (one voided) and its approvals."""
    case = filed_case
    party = case.parties.first()
    case.advance(Stage.INVESTIGATING, actor=officer, on=day(3))
    data, _ = valid_input("onsite_record", case)
    data["av_recorded"] = "on"
    data["started_at"], data["ended_at"] = "2026-11-03T09:30", "2026-11-03T10:45"
    data["findings"] = "货架上陈列超过保质期的“某某牌”纯牛奶，生产日期为2026年5月12日，保质期六个月。" * 40
    onsite = draft(
        case,
        "onsite_record",
        data,
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY,
        av_exemption="",
    )
    link_video(onsite, by=officer)
    with time_machine.travel(at(ACT_DAY.day, 15), tick=False):
        onsite.issue(by=officer)
    report = draft(
        case,
        "investigation_report",
        {
            **PROPOSAL,
            "nature": "经营超过保质期的食品",
            "discretion": "ordinary",
            "discretion_reason": "无法定从轻从重情节。",
            "major_reason": "罚款数额未达重大执法决定标准。",
            "opinion": "建议罚款12000元。",
            "reported_on": "2026-11-04",
        },
        by=officer,
    )
    with time_machine.travel(at(4, 10), tick=False):
        report.issue(by=officer)
    case.advance(Stage.INVESTIGATION_CONCLUDED, actor=officer, on=day(4))
    notice = issued_row(
        case,
        "penalty_notice",
        by=officer,
        party=party,
        at=at(5),
        pdf=True,
        data={"penalty_types": ["fine", "confiscate_property"], "fine_amount": "12000.00"},
    )
    case.advance(Stage.NOTIFIED, actor=officer, on=day(5))
    served_row(case, notice, by=officer, on=day(6), pdf=True)
    case.advance(Stage.STATEMENT, actor=officer, on=day(6))
    # The five working days of 陈述申辩 ran to 11-13 without a statement.
    issued_row(case, "decision_approval", by=officer, at=at(16), pdf=True)
    case.advance(Stage.DECIDED, actor=officer, on=day(16))
    decision = draft(case, "penalty_decision", DECISION, by=officer)
    decision.party = party
    decision.save(update_fields=["party"])
    with time_machine.travel(at(19, 10), tick=False):
        decision.issue(by=officer)
    served_row(case, decision, by=officer, on=day(20), pdf=True)
    case.advance(Stage.SERVED, actor=officer, on=day(20))
    evidence(case, by=officer, kind="audio", title="询问录音", content=b"ID3 audio note", duration=83.4)
    photo = evidence(case, by=officer, kind="photo", title="货架照片", content=b"\xff\xd8\xff photo")
    void_evidence(photo, by=officer, reason="拍摄对象错误，已重新拍摄。")
    issued_row(case, "closing_approval", by=officer, at=at(24), pdf=True)
    approve(case, ApprovalKind.CLOSING, by=officer, unit_head=unit_head, bureau_head=bureau_head)
    assert case.stage == Stage.CLOSED
    return case


def close(case, *, officer, unit_head, bureau_head):
    """Terminate a filed case during its investigation (the party deregistered) and close it, its file
    complete for the path it took: 案件来源登记表, 立案审批表 and 结案审批表 (docs/domain.md §6)."""
    on_file = set(case.documents.filter(status=DocumentStatus.ISSUED).values_list("doc_type", flat=True))
    for doc_type in ("lead_register", "filing_approval"):
        if doc_type not in on_file:
            issued_row(case, doc_type, by=officer, pdf=True)
    case.advance(Stage.INVESTIGATING, actor=officer)
    case.advance(Stage.TERMINATED, actor=officer, reason="当事人已注销，终止调查。")
    issued_row(case, "closing_approval", by=officer, pdf=True)
    approve(case, ApprovalKind.CLOSING, by=officer, unit_head=unit_head, bureau_head=bureau_head)
    assert case.stage == Stage.CLOSED
    return case


@pytest.fixture
def plain_closed_case(filed_case, officer, unit_head, bureau_head):
    """A case terminated during its investigation and closed: no documents of its own beyond the 案件来源登记表,
    立案审批表 and 结案审批表 (quick to build), and one photo."""
    evidence(filed_case, by=officer, kind="photo", title="现场照片", content=b"\xff\xd8\xff plain")
    return close(filed_case, officer=officer, unit_head=unit_head, bureau_head=bureau_head)


def build(case, keeper, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(case, by=keeper)
    case.refresh_from_db()
    return CaseFile.objects.get(case=case)


def pdf_bytes(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def page_text(data: bytes, page: int, *, crop=None, layout=True) -> str:
    args = ["pdftotext", *(["-layout"] if layout else []), "-f", str(page), "-l", str(page)]
    if crop:
        x, y, w, h = crop
        args += ["-x", str(x), "-y", str(y), "-W", str(w), "-H", str(h)]
    result = subprocess.run([*args, "-", "-"], input=data, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def pages_of(document) -> int:
    return len(PdfReader(io.BytesIO(pdf_bytes(document.pdf))).pages)


def page_range_of(row: str) -> str:
    """The 页号 column of a catalogue row: the cell after the date."""
    return re.search(r"\d{4}年\d{1,2}月\d{1,2}日\s+(\S+)", row).group(1)


def stamped_number(data: bytes, page: int) -> str:
    """The archive page number in the top right corner (72 dpi: the corner of an A4 page)."""
    return page_text(data, page, crop=(495, 0, 100, 60)).strip()


def test_the_records_keeper_archives_a_closed_case_into_two_volumes(
    closed_case, records_keeper, django_capture_on_commit_callbacks
):
    case_file = build(closed_case, records_keeper, django_capture_on_commit_callbacks)
    assert case_file.status == CaseFileStatus.DONE and case_file.progress == 100
    assert closed_case.stage == Stage.ARCHIVED and closed_case.archived_on == NOW.date()

    # Every issued document in its volume, in the filing order (the 现场笔录 and 决定书 among the 正卷's; the
    # default order puts the 决定书 first: recording.models.filing).
    issued = list(
        Document.objects.filter(case=closed_case, status=DocumentStatus.ISSUED).order_by("issued_at", "pk")
    )
    main_docs = filing_sorted([d for d in issued if volume_of(d) == "main"], "main")
    assert main_docs[0].doc_type == "penalty_decision"
    sub_docs = [d for d in issued if volume_of(d) == "sub"]
    assert {"onsite_record", "penalty_decision"} <= {d.doc_type for d in main_docs}
    assert "investigation_report" in {d.doc_type for d in sub_docs}
    main = pdf_bytes(case_file.main_pdf)
    sub = pdf_bytes(case_file.sub_pdf)

    # Hashes stored and matching the stored files.
    assert case_file.main_sha256 == hashlib.sha256(main).hexdigest()
    assert case_file.sub_sha256 == hashlib.sha256(sub).hexdigest()

    # 正卷: cover (1) + catalogue (1) + the documents' own pages + the evidence list (1).
    doc_pages = [pages_of(d) for d in main_docs]
    onsite = next(d for d in main_docs if d.doc_type == "onsite_record")
    assert pages_of(onsite) >= 2, "the 现场笔录 was meant to run over two pages"
    assert case_file.main_pages == len(PdfReader(io.BytesIO(main)).pages) == 1 + 1 + sum(doc_pages) + 1
    assert "行政处罚案卷" in page_text(main, 1) and "正卷" in page_text(main, 1)
    catalogue = page_text(main, 2)
    assert "卷内目录" in catalogue
    # The catalogue's page ranges follow the documents' own page counts: the body is numbered from 1.
    first = 1
    rows = catalogue.splitlines()
    for document in main_docs:
        last = first + pages_of(document) - 1
        expected = str(first) if first == last else f"{first}-{last}"
        # Two 送达回证 have two rows: each document takes the next row bearing its title.
        row = next(line for line in rows if document.type_title in line)
        rows = rows[rows.index(row) + 1 :]
        assert page_range_of(row) == expected, row
        # Its first page in the volume is the document's own first page, stamped with that number.
        assert stamped_number(main, 2 + first) == str(first)
        assert document.type_title in "".join(page_text(main, 2 + first).split())
        first = last + 1
    evidence_row = next(line for line in catalogue.splitlines() if "音像证据清单" in line)
    assert page_range_of(evidence_row) == str(first)
    # Reading order (not layout: the cells of a row would interleave), without the wraps inside cells.
    evidence_page = "".join(page_text(main, 2 + first, layout=False).split())
    assert "音像证据清单" in evidence_page and stamped_number(main, 2 + first) == str(first)
    for item in Evidence.objects.filter(case=closed_case):
        assert item.sha256 in evidence_page
    assert "00:01:23" in evidence_page  # the audio note's 83.4 seconds
    assert "已作废" in evidence_page and "拍摄对象错误" in evidence_page

    # 副卷: cover + catalogue + the report + the approvals record (立案 and 结案, with the bureau head's opinion).
    report_pages = sum(pages_of(d) for d in sub_docs)
    approvals_pages = case_file.sub_pages - 2 - report_pages
    assert approvals_pages >= 1
    assert case_file.sub_pages == len(PdfReader(io.BytesIO(sub)).pages)
    assert "副卷" in page_text(sub, 1)
    sub_catalogue = page_text(sub, 2)
    assert "案件调查终结报告" in sub_catalogue and "审批记录" in sub_catalogue
    assert "案件调查终结报告" not in catalogue  # internal: never in what the party inspects
    approvals_text = page_text(sub, 3 + report_pages)
    assert "立案审批" in approvals_text and "结案审批" in approvals_text and "孙卫东" in approvals_text

    # The originals ride along byte for byte.
    attached = PdfReader(io.BytesIO(main)).attachments
    originals = {hashlib.sha256(content[0]).hexdigest() for content in attached.values()}
    assert originals == {d.pdf_sha256 for d in main_docs}
    actions = set(AuditEvent.objects.filter(object_id=str(closed_case.pk)).values_list("action", flat=True))
    assert {"recording.casefile.requested", "recording.casefile.built", "cases.case.archived"} <= actions


def test_archiving_is_refused_before_the_case_is_closed(filed_case, records_keeper, officer, unit_head):
    with pytest.raises(TransitionRefused) as refused:
        archive.start_archiving(filed_case, by=records_keeper)
    assert any("结案" in m and "后才能归档" in m for m in refused.value.messages)
    assert not CaseFile.objects.filter(case=filed_case).exists()


def test_only_the_units_records_keeper_may_archive(
    plain_closed_case, officer, unit_head, bureau_head, records_keeper, django_capture_on_commit_callbacks
):
    for user in (officer, unit_head, bureau_head):
        with pytest.raises(TransitionRefused) as refused:
            archive.start_archiving(plain_closed_case, by=user)
        assert any("档案管理员" in m for m in refused.value.messages)
    assert not CaseFile.objects.filter(case=plain_closed_case).exists()
    # Nor can anyone move the case to 归档 without the built case file.
    with pytest.raises(TransitionRefused) as refused:
        plain_closed_case.advance(Stage.ARCHIVED, actor=bureau_head)
    assert any("案卷尚未组卷完成" in m for m in refused.value.messages)
    plain_closed_case.refresh_from_db()
    assert plain_closed_case.stage == Stage.CLOSED


def test_a_changed_document_pdf_stops_the_build_and_the_case_stays_closed(
    closed_case, records_keeper, django_capture_on_commit_callbacks
):
    document = Document.objects.filter(case=closed_case, doc_type="onsite_record").get()
    path = document.pdf.path
    with open(path, "r+b") as f:
        f.seek(200)
        byte = f.read(1)
        f.seek(200)
        f.write(bytes([byte[0] ^ 0xFF]))
    case_file = build(closed_case, records_keeper, django_capture_on_commit_callbacks)
    assert case_file.status == CaseFileStatus.FAILED
    assert "SHA-256不一致" in case_file.error and "现场笔录" in case_file.error
    assert closed_case.stage == Stage.CLOSED
    # The records keeper may start again once the file is restored.
    with open(path, "r+b") as f:
        f.seek(200)
        f.write(byte)
    assert (
        build(closed_case, records_keeper, django_capture_on_commit_callbacks).status == CaseFileStatus.DONE
    )


def test_after_archiving_nothing_of_the_case_can_change(
    closed_case, officer, unit_head, records_keeper, django_capture_on_commit_callbacks
):
    # A draft left over from before (drafts are never deleted).
    data, _ = valid_input("onsite_record", closed_case)
    leftover = draft(closed_case, "onsite_record", data, by=officer, officers=[officer], act_date=ACT_DAY)
    video = Evidence.objects.filter(case=closed_case, kind="video").get()
    build(closed_case, records_keeper, django_capture_on_commit_callbacks)
    assert closed_case.stage == Stage.ARCHIVED

    for user in (officer, unit_head):
        with pytest.raises(TransitionRefused) as refused:
            leftover.issue(by=user)
        assert any("案件已归档" in m for m in refused.value.messages)
    issued = Document.objects.filter(case=closed_case, status=DocumentStatus.ISSUED).first()
    with pytest.raises(TransitionRefused) as refused:
        issued.correct(by=officer, reason="更正笔误。")
    assert any("案件已归档" in m for m in refused.value.messages)
    leftover.data = {**leftover.data, "place": "改动"}
    with pytest.raises(archive.ArchivedReadOnly, match="案件已归档"):
        leftover.save()
    with pytest.raises(archive.ArchivedReadOnly):
        Document.objects.create(case=closed_case, doc_type="onsite_record", created_by=officer)

    # Evidence: neither a new upload nor voiding, through the evidence module or the model.
    with pytest.raises(EvidenceRefused, match="案件已归档"):
        void_evidence(video, by=officer, reason="误传。")
    with pytest.raises(archive.ArchivedReadOnly):
        evidence(closed_case, by=officer, kind="photo", title="补拍", content=b"\xff\xd8\xff later")
    video.refresh_from_db()
    video.voided_at, video.void_reason = NOW, "绕过界面作废"
    with pytest.raises(archive.ArchivedReadOnly):
        video.save()
    assert Evidence.objects.get(pk=video.pk).voided_at is None


def test_a_double_request_starts_one_build(plain_closed_case, records_keeper):
    # Without running the on-commit task, the first request leaves the file building; the second is refused.
    archive.start_archiving(plain_closed_case, by=records_keeper)
    with pytest.raises(TransitionRefused, match="正在组卷"):
        archive.start_archiving(plain_closed_case, by=records_keeper)
    assert CaseFile.objects.filter(case=plain_closed_case).count() == 1


# --- The pages -------------------------------------------------------------------------------------------


def test_the_start_button_archives_and_the_progress_answers_in_json(
    client, plain_closed_case, records_keeper, django_capture_on_commit_callbacks
):
    login_as(client, records_keeper)
    url = reverse("recording:casefile_start", args=[plain_closed_case.pk])
    assert client.get(url).status_code == 405
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"retention": "permanent"}, follow=True)
    # The build runs once the request's transaction commits (here: as the capture block ends).
    assert "已开始组卷" in response.content.decode()
    progress = client.get(
        reverse("recording:casefile_progress", args=[plain_closed_case.pk]), {"format": "json"}
    )
    state = progress.json()
    assert state["status"] == "done" and state["progress"] == 100 and state["done"] is True
    assert [d["volume"] for d in state["downloads"]] == ["main", "sub"]
    progress_url = reverse("recording:casefile_progress", args=[plain_closed_case.pk])
    fragment = client.get(progress_url, {"fragment": "1"}).content.decode()
    assert "下载正卷" in fragment and "下载副卷" in fragment and "<html" not in fragment
    page = client.get(progress_url).content.decode()
    assert "案卷组卷与归档" in page and "永久" in page and "下载副卷" in page
    assert CaseFile.objects.get(case=plain_closed_case).retention == "permanent"


def test_an_officer_is_told_why_she_cannot_archive(client, plain_closed_case, officer):
    login_as(client, officer)
    response = client.post(reverse("recording:casefile_start", args=[plain_closed_case.pk]), follow=True)
    assert "档案管理员可以组卷归档" in response.content.decode()
    assert not CaseFile.objects.filter(case=plain_closed_case).exists()


def test_downloads_follow_the_volume_rules_and_are_audited(
    client,
    plain_closed_case,
    records_keeper,
    officer,
    unit_head,
    bureau_head,
    outsider,
    django_capture_on_commit_callbacks,
):
    case_file = build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    url = reverse("recording:casefile_download", args=[plain_closed_case.pk])
    expected = {
        (records_keeper, "main"): 200,
        (records_keeper, "sub"): 200,
        (unit_head, "main"): 200,
        (unit_head, "sub"): 200,
        (bureau_head, "main"): 200,
        (bureau_head, "sub"): 200,
        (officer, "main"): 200,
        (officer, "sub"): 403,  # 副卷: internal approvals and opinions
        (outsider, "main"): 404,  # another unit's case does not exist for her
    }
    for (user, volume), status in expected.items():
        client.logout()
        login_as(client, user)
        response = client.get(url, {"volume": volume})
        assert response.status_code == status, (user.username, volume)
        if status == 200:
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert hashlib.sha256(body).hexdigest() == getattr(case_file, f"{volume}_sha256")
    downloads = AuditEvent.objects.filter(
        action="recording.casefile.downloaded", object_id=str(plain_closed_case.pk)
    )
    assert downloads.count() == 7
    assert AuditEvent.objects.filter(action="recording.casefile.download_refused").count() == 1


def test_a_changed_case_file_is_not_downloaded_and_is_reported(
    client, plain_closed_case, records_keeper, django_capture_on_commit_callbacks
):
    case_file = build(plain_closed_case, records_keeper, django_capture_on_commit_callbacks)
    with open(case_file.main_pdf.path, "ab") as f:
        f.write(b"%tampered")
    login_as(client, records_keeper)
    response = client.get(
        reverse("recording:casefile_download", args=[plain_closed_case.pk]), {"volume": "main"}
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="recording.integrity.failed").exists()
