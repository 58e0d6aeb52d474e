"""The case workspace and the document pages: the timeline, the deadlines, drafting, issuing, correcting,
the party's signature, the PDF download, classified records, the lead registration, and that every
recording URL of a foreign case is a 404. Time is frozen on 2026年11月25日 (a Wednesday)."""

import datetime
import hashlib
import io
import re
import uuid

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from tests.conftest import file_case, login_as
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import Case, Party, PowerItem
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.roster.models import Certificate

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 2, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def filed_case(make_case, officer, unit_head, bureau_head):
    return file_case(make_case(), unit_head, bureau_head, officer)


def onsite_post(case, officers, **overrides):
    """What an officer types into the 现场笔录 form (the type's fields plus the meta fields)."""
    data = {
        "started_at": "2026-11-25T09:00",
        "ended_at": "2026-11-25T09:40",
        "place": "武定县狮山镇某路1号店内",
        "present_person": "陈某（法定代表人）",
        "certificates_shown": "on",
        "findings": "货架上陈列超过保质期的饼干12袋，生产日期2025年10月1日，保质期12个月。",
        "measures": "",
        "meta-act_date": "2026-11-25",
        "meta-act_place": "武定县狮山镇某路1号",
        "meta-officers": [str(o.pk) for o in officers],
        "meta-party": str(case.parties.first().pk),
        "meta-classification": "general",
        "meta-av_exemption": "现场检查过程简单，现场笔录及照片足以全面记录。",
    }
    data.update(overrides)
    return data


def new_onsite_record(client, case, officers, **overrides):
    url = reverse("recording:document_new", args=[case.pk, "onsite_record"])
    page = client.get(url)
    token = page.context["token"]
    response = client.post(url, {**onsite_post(case, officers, **overrides), "token": token})
    return response, token


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- The workspace ----------------------------------------------------------------------------------------


def test_the_workspace_shows_the_life_of_the_case_in_time_order_and_its_deadlines(
    client, filed_case, officer, colleague
):
    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    response = client.get(reverse("recording:workspace", args=[filed_case.pk]))
    assert response.status_code == 200
    entries = response.context["entries"]
    kinds = [e.kind for e in entries]
    assert kinds[0] == "lead"
    assert {"approval", "opinion", "transition", "document"} <= set(kinds)
    moments = [e.at for e in entries]
    assert moments == sorted(moments)
    # The filing was approved before the record was made: the 立案 transition precedes the document.
    assert kinds.index("transition") < kinds.index("document")
    html = response.content.decode()
    assert "作出处理决定期限" in html and "立案审查期限" in html
    assert "现场笔录" in html and "草稿" in html
    # The types offered are those registered, grouped, the ones of the current stage open.
    offered = [t.key for g in response.context["groups"] for t in g["types"]]
    assert "onsite_record" in offered


def test_the_timeline_costs_the_same_number_of_queries_for_3_and_for_20_documents(
    client, filed_case, officer, colleague, django_assert_num_queries
):
    from recording.models import Document

    def add_documents(n):
        for i in range(n):
            Document.objects.create(
                case=filed_case, doc_type="onsite_record", data={"place": f"地点{i}"}, created_by=officer
            )

    login_as(client, officer)
    url = reverse("recording:workspace", args=[filed_case.pk])
    add_documents(3)
    client.get(url)  # warm the per-process caches (content types, calendar) out of the count
    with CaptureQueriesContext(connection) as three:
        assert client.get(url).status_code == 200
    add_documents(17)
    # Session, user, groups; the case (visible_to); classified check; may_work_on; one query per prefetched
    # relation (parties, assignments + certificates, transitions, approvals + opinions, pauses); documents;
    # evidence; approvals awaiting me; the deadline providers' reads — the same for 20 documents as for 3.
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(url)
    assert sum(1 for e in response.context["entries"] if e.kind == "document") == 20


def test_an_approval_given_from_the_workspace_comes_back_to_the_workspace(
    client, make_case, officer, unit_head
):
    case = make_case()
    approval = case.request_approval("filing", by=officer, reason="有违法事实，符合立案条件。")
    login_as(client, unit_head)
    workspace = reverse("recording:workspace", args=[case.pk])
    page = client.get(workspace)
    assert [a.pk for a in page.context["awaiting"]] == [approval.pk]
    url = reverse("cases:give_opinion", args=[case.pk, approval.pk])
    response = client.post(url, {"agree": "yes", "opinion": "拟同意立案。", "next": workspace})
    assert response.status_code == 302 and response["Location"] == workspace
    approval.refresh_from_db()
    assert approval.status == "bureau_head"


def test_a_foreign_next_is_ignored_and_the_case_page_is_used(client, make_case, officer):
    case = make_case()
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_approval", args=[case.pk]),
        {"kind": "filing", "reason": "符合立案条件。", "next": "https://evil.example/steal"},
    )
    assert response["Location"] == reverse("cases:detail", args=[case.pk])


# --- Documents through the pages --------------------------------------------------------------------------


def test_an_officer_drafts_edits_and_issues_an_onsite_record_with_two_officers(
    client, filed_case, officer, colleague
):
    from recording.models import Document

    login_as(client, officer)
    response, _ = new_onsite_record(client, filed_case, [officer, colleague])
    document = Document.objects.get(case=filed_case)
    assert response["Location"] == reverse("recording:document_detail", args=[filed_case.pk, document.pk])
    assert document.status == "draft" and document.created_by == officer
    assert set(document.officers.all()) == {officer, colleague}
    assert document.data["place"] == "武定县狮山镇某路1号店内"

    edit = reverse("recording:document_edit", args=[filed_case.pk, document.pk])
    form_page = client.get(edit)
    assert 'value="2026-11-25T09:00"' in form_page.content.decode()
    client.post(
        edit, onsite_post(filed_case, [officer, colleague], findings="改正后的现场情况：过期饼干12袋。")
    )
    document.refresh_from_db()
    assert document.data["findings"].startswith("改正后的现场情况")

    detail = client.get(reverse("recording:document_detail", args=[filed_case.pk, document.pk]))
    assert detail.context["problems"] == []
    issued = client.post(reverse("recording:document_issue", args=[filed_case.pk, document.pk]), follow=True)
    document.refresh_from_db()
    assert document.status == "issued" and document.issued_by == officer
    assert document.file_seq == 1 and document.number is None
    with document.pdf.open("rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == document.pdf_sha256
    assert any("已签发" in m for m in messages_of(issued))


def test_a_draft_is_not_saved_twice_when_the_form_is_submitted_twice(client, filed_case, officer, colleague):
    from recording.models import Document

    login_as(client, officer)
    url = reverse("recording:document_new", args=[filed_case.pk, "onsite_record"])
    token = client.get(url).context["token"]
    data = {**onsite_post(filed_case, [officer, colleague]), "token": token}
    first = client.post(url, data)
    second = client.post(url, {**data, "findings": "第二次提交"})
    assert Document.objects.filter(case=filed_case).count() == 1
    assert first["Location"] == second["Location"]
    assert Document.objects.get(case=filed_case).data["findings"] == "第二次提交"


def test_issuing_twice_tells_the_second_click_it_is_already_issued(client, filed_case, officer, colleague):
    from recording.models import Document

    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    document = Document.objects.get(case=filed_case)
    url = reverse("recording:document_issue", args=[filed_case.pk, document.pk])
    client.post(url)
    again = client.post(url, follow=True)
    assert "该文书已签发。" in messages_of(again)
    assert Document.objects.filter(case=filed_case, status="issued").count() == 1


def test_it_refuses_to_issue_when_an_officer_present_had_an_expired_certificate(
    client, filed_case, officer, colleague
):
    from recording.models import Document

    Certificate.objects.filter(holder=colleague).update(expires_on=datetime.date(2026, 10, 31))
    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    document = Document.objects.get(case=filed_case)
    detail = client.get(reverse("recording:document_detail", args=[filed_case.pk, document.pk]))
    assert any("王志强" in p and "2026年10月31日过期" in p for p in detail.context["problems"])
    response = client.post(
        reverse("recording:document_issue", args=[filed_case.pk, document.pk]), follow=True
    )
    shown = messages_of(response)
    assert any(m.startswith("王志强：") and "过期" in m for m in shown)
    assert any("目前只有 1 名" in m for m in shown)
    document.refresh_from_db()
    assert document.status == "draft" and not document.pdf


def test_a_draft_with_missing_fields_gets_chinese_errors_and_is_not_saved(client, filed_case, officer):
    from recording.models import Document

    login_as(client, officer)
    response, _ = new_onsite_record(
        client, filed_case, [officer], place="", **{"meta-act_date": "2026-12-01"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "日期不能晚于今天" in html and "这个字段是必填项" in html
    assert not Document.objects.filter(case=filed_case).exists()


def test_an_officer_may_not_be_named_present_unless_assigned_to_the_case(
    client, filed_case, officer, outsider
):
    from recording.models import Document

    login_as(client, officer)
    response, _ = new_onsite_record(client, filed_case, [officer, outsider])
    assert response.status_code == 200 and "在场执法人员" in response.content.decode()
    assert not Document.objects.exists()


def test_a_correction_supersedes_the_issued_document_and_both_are_kept(
    client, filed_case, officer, colleague
):
    from recording.models import Document

    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    original = Document.objects.get(case=filed_case)
    client.post(reverse("recording:document_issue", args=[filed_case.pk, original.pk]))
    refused = client.post(
        reverse("recording:document_correct", args=[filed_case.pk, original.pk]), {"reason": ""}
    )
    assert Document.objects.count() == 1 and refused.status_code == 302
    response = client.post(
        reverse("recording:document_correct", args=[filed_case.pk, original.pk]),
        {"reason": "检查结束时间笔误"},
    )
    correction = Document.objects.get(supersedes=original)
    assert response["Location"] == reverse("recording:document_edit", args=[filed_case.pk, correction.pk])
    client.post(reverse("recording:document_issue", args=[filed_case.pk, correction.pk]))
    page = client.get(reverse("recording:workspace", args=[filed_case.pk]))
    by_pk = {e.obj.pk: e for e in page.context["entries"] if e.kind == "document"}
    assert by_pk[original.pk].struck and by_pk[original.pk].status == "已被更正"
    assert not by_pk[correction.pk].struck and by_pk[correction.pk].status == "已签发"


def _png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "white").save(buffer, format="PNG")
    return buffer.getvalue()


def test_a_refusal_to_sign_needs_a_witness_and_takes_only_a_real_image(
    client, filed_case, officer, colleague
):
    from recording.models import Document

    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    document = Document.objects.get(case=filed_case)
    client.post(reverse("recording:document_issue", args=[filed_case.pk, document.pk]))
    url = reverse("recording:document_signature", args=[filed_case.pk, document.pk])

    no_witness = client.post(url, {"outcome": "refused", "signed_at": "2026-11-25T09:45"}, follow=True)
    assert any("须写明见证人" in m for m in messages_of(no_witness))
    fake = ContentFile(b"%PDF-1.7 not an image", name="signed.png")
    wrong = client.post(
        url,
        {
            "outcome": "refused",
            "signed_at": "2026-11-25T09:45",
            "refusal_witness": "村委会主任刘某",
            "scan": fake,
        },
        follow=True,
    )
    assert any("只能是 JPEG、PNG 或 WebP" in m for m in messages_of(wrong))
    document.refresh_from_db()
    assert document.party_signature == "pending" and not document.signed_scan

    png = _png_bytes()
    client.post(
        url,
        {
            "outcome": "refused",
            "signed_at": "2026-11-25T09:45",
            "refusal_witness": "村委会主任刘某",
            "scan": ContentFile(png, name="anything.exe"),
        },
    )
    document.refresh_from_db()
    assert document.party_signature == "refused" and document.refusal_witness == "村委会主任刘某"
    assert document.signed_scan_sha256 == hashlib.sha256(png).hexdigest()
    assert not document.signed_scan.name.endswith(".exe")
    scan = client.get(reverse("recording:document_scan", args=[filed_case.pk, document.pk]))
    assert (
        scan["Content-Type"] == "image/png"
        and b"".join(scan.streaming_content if scan.streaming else [scan.content]) == png
    )


def test_the_pdf_download_checks_the_stored_hash_and_is_audited(client, filed_case, officer, colleague):
    from recording.models import Document

    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    document = Document.objects.get(case=filed_case)
    client.post(reverse("recording:document_issue", args=[filed_case.pk, document.pk]))
    document.refresh_from_db()
    url = reverse("recording:document_pdf", args=[filed_case.pk, document.pk])

    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert hashlib.sha256(response.content).hexdigest() == document.pdf_sha256
    assert "attachment" in response["Content-Disposition"]
    assert AuditEvent.objects.filter(action="recording.document.downloaded", actor=officer).count() == 1

    path = document.pdf.path
    with open(path, "r+b") as handle:
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 0xFF]))
    tampered = client.get(url, follow=True)
    assert tampered["Content-Type"].startswith("text/html")
    assert any("完整性校验失败" in m for m in messages_of(tampered))
    assert AuditEvent.objects.filter(action="recording.document.integrity_failed", outcome="failure").exists()


def test_a_draft_has_no_pdf(client, filed_case, officer, colleague):
    from recording.models import Document

    login_as(client, officer)
    new_onsite_record(client, filed_case, [officer, colleague])
    document = Document.objects.get(case=filed_case)
    assert client.get(reverse("recording:document_pdf", args=[filed_case.pk, document.pk])).status_code == 404


# --- Who may see what -------------------------------------------------------------------------------------


def _recording_routes():
    """(route, pattern) of every recording URL that names a case, whoever added it."""

    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + str(p.pattern), p

    for route, pattern in walk(get_resolver().url_patterns):
        if route.startswith("staff/recording/") and ("<int:pk>" in route or "<int:case_pk>" in route):
            yield route, pattern


def test_an_outsider_gets_404_on_every_recording_url_of_a_foreign_case(
    client, filed_case, officer, colleague, outsider
):
    from recording.models import Document, Evidence

    document = Document.objects.create(case=filed_case, doc_type="onsite_record", data={}, created_by=officer)
    png = _png_bytes()
    evidence = Evidence.objects.create(
        case=filed_case,
        document=document,
        kind="photo",
        title="现场照片",
        file=ContentFile(png, name="p"),
        mime="image/png",
        size=len(png),
        sha256=hashlib.sha256(png).hexdigest(),
        uploaded_by=officer,
    )
    login_as(client, outsider)
    checked = []
    for route, pattern in _recording_routes():
        # Evidence URLs name the case as case_pk and the item as pk; the others name the case as pk.
        ids = (
            {"case_pk": filed_case.pk, "pk": evidence.pk}
            if "<int:case_pk>" in route
            else {"pk": filed_case.pk, "doc_pk": document.pk}
        )

        def concrete(match, ids=ids):
            converter, name = match.group(1) or "str", match.group(2)
            if converter == "int":
                return str(ids.get(name, document.pk))
            if converter == "uuid":
                return str(uuid.uuid4())
            return "onsite_record"

        url = "/" + re.sub(r"<(?:(\w+):)?(\w+)>", concrete, route)
        for method in (client.get, client.post):
            response = method(url)
            if response.status_code == 405:
                continue  # the view does not take this method at all: nothing about the case is revealed
            assert response.status_code == 404, f"{url} ({pattern.name}) answered {response.status_code}"
            checked.append((pattern.name, method.__name__))
    names = {name for name, _ in checked}
    assert {
        "workspace",
        "document_new",
        "document_detail",
        "document_edit",
        "document_issue",
        "document_correct",
        "document_signature",
        "document_pdf",
        "document_scan",
    } <= names
    assert AuditEvent.objects.filter(action="cases.case.access_denied", actor=outsider).count() >= len(names)


def test_a_classified_document_is_hidden_from_the_bureau_head_and_the_attempt_is_logged(
    client, filed_case, officer, colleague, bureau_head
):
    from recording.models import Document

    secret = Document.objects.create(
        case=filed_case,
        doc_type="onsite_record",
        data={"place": "配方车间"},
        classification="commercial",
        created_by=officer,
    )
    plain = Document.objects.create(case=filed_case, doc_type="onsite_record", data={}, created_by=officer)
    login_as(client, bureau_head)
    page = client.get(reverse("recording:workspace", args=[filed_case.pk]))
    assert page.status_code == 200
    shown = {e.obj.pk for e in page.context["entries"] if e.kind == "document"}
    assert shown == {plain.pk}
    for name in ("document_detail", "document_pdf"):
        assert client.get(reverse(f"recording:{name}", args=[filed_case.pk, secret.pk])).status_code == 404
    denied = AuditEvent.objects.filter(action="recording.document.access_denied", actor=bureau_head)
    assert denied.count() == 2 and denied.first().outcome == "denied"
    # The case's own officer sees it.
    login_as(client, officer)
    assert (
        client.get(reverse("recording:document_detail", args=[filed_case.pk, secret.pk])).status_code == 200
    )


# --- Lead registration ------------------------------------------------------------------------------------


def lead_post(officer, colleague, **overrides):
    data = {
        "title": "涉嫌销售超过保质期的食品案",
        "lead_source": "complaint",
        "lead_date": "2026-11-24",
        "lead_summary": "群众投诉某超市销售过期饼干。",
        "handling_unit": str(officer.unit_id),
        "officers": [str(officer.pk), str(colleague.pk)],
        "party-TOTAL_FORMS": "3",
        "party-INITIAL_FORMS": "0",
        "party-MIN_NUM_FORMS": "0",
        "party-MAX_NUM_FORMS": "3",
        "party-0-kind": "organisation",
        "party-0-name": "武定县某某超市有限公司",
        "party-0-credit_code": "91532329MA6K000002",
        "party-0-legal_representative": "陈某",
        "party-0-address": "武定县狮山镇某路2号",
    }
    data.update(overrides)
    return data


def test_registering_a_lead_creates_a_case_with_its_lead_number_and_opens_the_workspace(
    client, officer, colleague
):
    item = PowerItem.objects.create(
        code="CF-SP-001",
        kind="penalty",
        field="食品安全",
        name="对经营超过保质期食品的处罚",
        legal_basis="食品安全法 第一百二十四条",
    )
    login_as(client, officer)
    form = client.get(reverse("recording:lead_new"))
    assert form.status_code == 200 and "登记案源" in form.content.decode()
    response = client.post(
        reverse("recording:lead_new"), lead_post(officer, colleague, matters=[str(item.pk)])
    )
    case = Case.objects.get()
    assert response["Location"] == reverse("recording:workspace", args=[case.pk])
    assert case.lead_number == "武市监案源〔2026〕1号"
    assert case.stage == Stage.LEAD and case.created_by == officer
    assert [a.officer for a in case.assignments.all()] == [officer, colleague]
    assert list(case.matters.all()) == [item]
    assert case.parties.get().credit_code == "91532329MA6K000002"


def test_bad_lead_input_gives_chinese_errors_and_creates_nothing(client, officer, colleague):
    login_as(client, officer)
    response = client.post(
        reverse("recording:lead_new"),
        lead_post(officer, colleague, lead_date="2026-11-26", officers=[], **{"party-0-credit_code": ""}),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "日期不能晚于今天" in html
    assert "请至少选择一名承办人员" in html
    assert "法人或其他组织须填写统一社会信用代码" in html
    assert Case.objects.count() == 0 and Party.objects.count() == 0


def test_a_lead_needs_at_least_one_party(client, officer, colleague):
    login_as(client, officer)
    data = lead_post(officer, colleague)
    for key in [k for k in data if k.startswith("party-0-")]:
        del data[key]
    response = client.post(reverse("recording:lead_new"), data)
    assert "请至少登记一名当事人" in response.content.decode()
    assert Case.objects.count() == 0


def test_an_officer_cannot_register_a_lead_for_another_unit(client, officer, outsider):
    login_as(client, officer)
    response = client.post(
        reverse("recording:lead_new"),
        lead_post(
            officer,
            outsider,
            officers=[str(officer.pk), str(outsider.pk)],
            handling_unit=str(outsider.unit_id),
        ),
    )
    assert response.status_code == 200 and Case.objects.count() == 0


# --- The landing page -------------------------------------------------------------------------------------


def test_the_landing_page_lists_my_cases_needing_action(client, make_case, filed_case, officer):
    from recording.models import Document

    quiet = make_case(title="另一件线索")
    Document.objects.create(case=filed_case, doc_type="onsite_record", data={}, created_by=officer)
    login_as(client, officer)
    response = client.get(reverse("recording:index"))
    rows = {r["case"].pk: r for r in response.context["rows"]}
    assert rows[filed_case.pk]["drafts"] == 1
    assert quiet.pk in rows or quiet.pk in {r["case"].pk for r in response.context["others"]}
    assert reverse("recording:lead_new") in response.content.decode()
