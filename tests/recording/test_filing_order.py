"""The case file's filing order (卷内文书排列顺序, docs/domain.md §6) is an admin setting: by default the 正卷 puts
the 行政处罚决定书 first, then the documents as the case produced them, each 送达回证 after what it serves; the
副卷 in time order. 组卷 follows the setting; an admin changes it in /admin/ (checked, kept in history, audited)."""

import datetime
import subprocess
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from recording import archive
from recording.models import CaseFile, FilingOrder
from recording.models.filing import DEFAULT_MAIN_ORDER, filing_sorted
from tests.conftest import file_case, issued_row, login_as, served_row
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import ApprovalKind
from wuding_enforcement.cases.workflow import Stage

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 9) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, 0, tzinfo=TZ)


@pytest.fixture(autouse=True)
def _frozen(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(at(25, 10), tick=False):
        yield


def documents_in_issuing_order(case, officer):
    """A 正卷's documents as a case produces them: source, 现场笔录, 询问笔录, 告知书 and its receipt, 听证笔录,
    决定书 and its receipt (issuing order = the order of the list)."""
    party = case.parties.first()
    lead = issued_row(case, "lead_register", by=officer, at=at(2), pdf=True)
    onsite = issued_row(case, "onsite_record", by=officer, at=at(3), pdf=True)
    inquiry = issued_row(case, "inquiry_record", by=officer, at=at(4), pdf=True)
    notice = issued_row(case, "penalty_notice", by=officer, party=party, at=at(5), pdf=True)
    notice_receipt = served_row(case, notice, by=officer, on=datetime.date(2026, 11, 6), pdf=True)
    hearing = issued_row(case, "hearing_record", by=officer, at=at(16), pdf=True)
    decision = issued_row(case, "penalty_decision", by=officer, party=party, at=at(19), pdf=True)
    decision_receipt = served_row(case, decision, by=officer, on=datetime.date(2026, 11, 20), pdf=True)
    return {
        "lead": lead,
        "onsite": onsite,
        "inquiry": inquiry,
        "notice": notice,
        "notice_receipt": notice_receipt,
        "hearing": hearing,
        "decision": decision,
        "decision_receipt": decision_receipt,
    }


def test_the_default_order_puts_the_decision_first_and_each_receipt_after_what_it_serves(make_case, officer):
    docs = documents_in_issuing_order(make_case(), officer)
    issued = sorted(docs.values(), key=lambda d: d.issued_at)
    ordered = [d.pk for d in filing_sorted(issued, "main")]
    expected = [
        "decision",
        "lead",
        "onsite",
        "inquiry",
        "notice",
        "notice_receipt",
        "hearing",
        "decision_receipt",
    ]
    assert ordered == [docs[k].pk for k in expected]
    assert FilingOrder.current().main_order == DEFAULT_MAIN_ORDER
    # The 副卷's default is its time order.
    assert filing_sorted(issued, "sub") == issued


def test_an_unlisted_type_follows_the_listed_ones_in_issuing_order(make_case, officer):
    docs = documents_in_issuing_order(make_case(), officer)
    FilingOrder.objects.filter(pk=FilingOrder.current().pk).update(main_order="询问笔录\n现场笔录")
    issued = sorted(docs.values(), key=lambda d: d.issued_at)
    ordered = filing_sorted(issued, "main")
    assert [d.pk for d in ordered[:2]] == [docs["inquiry"].pk, docs["onsite"].pk]
    assert ordered[2:] == [d for d in issued if d.pk not in (docs["inquiry"].pk, docs["onsite"].pk)]


def closed_with_documents(make_case, officer, unit_head, bureau_head, title):
    with time_machine.travel(at(2, 10), tick=False):
        case = make_case(title=title)
        case = file_case(case, unit_head, bureau_head, officer)
    docs = documents_in_issuing_order(case, officer)
    issued_row(case, "filing_approval", by=officer, at=at(2, 11), pdf=True)
    case.advance(Stage.INVESTIGATING, actor=officer, on=datetime.date(2026, 11, 3))
    case.advance(Stage.TERMINATED, actor=officer, reason="当事人已注销，终止调查。")
    issued_row(case, "closing_approval", by=officer, at=at(24), pdf=True)
    approval = case.request_approval(ApprovalKind.CLOSING, by=officer, reason="申请结案。")
    approval.give_opinion(unit_head, agree=True, opinion="拟同意。")
    approval.give_opinion(bureau_head, agree=True, opinion="同意。")
    case.refresh_from_db()
    return case, docs


def catalogue_titles(case) -> list[str]:
    """The document titles of the 正卷's 卷内目录, in the catalogue's order."""
    with CaseFile.objects.get(case=case).main_pdf.open("rb") as f:
        data = f.read()
    text = subprocess.run(
        ["pdftotext", "-layout", "-f", "2", "-l", "2", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    titles = (
        "行政处罚决定书",
        "案件来源登记表",
        "现场笔录",
        "询问笔录",
        "行政处罚告知书",
        "听证笔录",
        "送达回证",
    )
    found = []
    for line in text.splitlines():
        hit = next((t for t in titles if t in line), None)
        if hit:
            found.append(hit)
    return found


def test_a_changed_order_changes_the_order_of_the_volume(
    make_case, officer, unit_head, bureau_head, records_keeper, django_capture_on_commit_callbacks
):
    first, _ = closed_with_documents(make_case, officer, unit_head, bureau_head, "按默认顺序组卷的案件")
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(first, by=records_keeper)
    assert catalogue_titles(first) == [
        "行政处罚决定书",
        "案件来源登记表",
        "现场笔录",
        "询问笔录",
        "行政处罚告知书",
        "送达回证",
        "听证笔录",
        "送达回证",
    ]

    order = FilingOrder.current()
    order.main_order = (
        "案件来源登记表\n询问笔录\n现场笔录\n行政处罚告知书\n听证笔录\n行政处罚决定书\n送达回证"
    )
    order.full_clean()
    order.save()
    second, _ = closed_with_documents(make_case, officer, unit_head, bureau_head, "按修改后的顺序组卷的案件")
    with django_capture_on_commit_callbacks(execute=True):
        archive.start_archiving(second, by=records_keeper)
    assert catalogue_titles(second) == [
        "案件来源登记表",
        "询问笔录",
        "现场笔录",
        "行政处罚告知书",
        "听证笔录",
        "行政处罚决定书",
        "送达回证",
        "送达回证",
    ]


def test_the_admin_edits_the_order_and_the_change_is_audited(client, admin_user):
    login_as(client, admin_user)
    url = reverse("admin:recording_filingorder_change", args=[FilingOrder.current().pk])
    assert client.get(reverse("admin:recording_filingorder_changelist")).url == url
    page = client.get(url)
    assert page.status_code == 200 and "正卷文书排列顺序" in page.content.decode()

    # An unknown title is refused, line by line, and nothing is saved.
    refused = client.post(url, {"main_order": "行政处罚决定书\n处罚单\n送达回证（罚款单）", "sub_order": ""})
    html = refused.content.decode()
    assert refused.status_code == 200
    assert (
        "第2行“处罚单”：没有这种文书" in html and "第3行“送达回证（罚款单）”：没有名为“罚款单”的文书" in html
    )
    assert FilingOrder.current().main_order == DEFAULT_MAIN_ORDER

    saved = client.post(url, {"main_order": "案件来源登记表\n行政处罚决定书", "sub_order": "结案审批表"})
    assert saved.status_code == 302
    order = FilingOrder.current()
    assert order.main_order == "案件来源登记表\n行政处罚决定书" and order.sub_order == "结案审批表"
    assert order.history.count() >= 1
    event = AuditEvent.objects.filter(action="recording.filing_order.changed").get()
    assert event.actor_id == admin_user.pk
    assert event.detail["before"]["main_order"] == DEFAULT_MAIN_ORDER
    assert event.detail["after"]["main_order"] == "案件来源登记表\n行政处罚决定书"


def test_only_admins_edit_the_order(client, officer):
    login_as(client, officer)
    response = client.get(reverse("admin:recording_filingorder_change", args=[FilingOrder.current().pk]))
    assert response.status_code in (302, 403)
