# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""报送信用信息公示系统: published decisions exported once with the public, redacted fields; a withdrawal, an
early end or a correction after export reported once in the next export; files that parse back and download
again byte for byte; who may export; the page's fixed query count; the page in a browser."""

import csv
import datetime
import hashlib
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.urls import reverse

from disclosure import credit, credit_files
from disclosure.models import (
    EARLY_END_CONDITIONS,
    CreditExport,
    CreditExportLine,
    CreditLineKind,
    Publication,
    PublicationStatus,
    Redaction,
)
from disclosure.views import credit as views_credit
from disclosure.views import staff as views_staff
from tests.conftest import PASSWORD, login_as, make_staff
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    ORGANISATION,
    PERSON,
    PERSON_ID,
    TZ,
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import RuleSettings
from wuding_enforcement.roster.models import Role

pytestmark = pytest.mark.django_db

D = datetime.date
# NOW (publication_factories) is Friday 2026-11-20: decisions published that day.
PUBLISHED_ON = D(2026, 11, 20)
NOVEMBER = (D(2026, 11, 1), D(2026, 11, 30))


def at(day, hour=10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False
    )


@pytest.fixture
def publish(decided_case, officer, bureau_head):
    """Issue, serve and publish a decision against `party` (an organisation by default)."""

    def build(party=None, before_publish=None, **overrides):
        case = decided_case(party=party) if party else decided_case()
        pub = Publication.objects.get(document=issue_decision(case, officer, **overrides))
        serve(pub.document, officer, served_at=_after_issue(pub))
        if before_publish:
            before_publish(pub)
        return pub.publish(by=bureau_head)

    return build


def _after_issue(pub) -> str:
    served = pub.document.issued_at.astimezone(TZ) + datetime.timedelta(minutes=1)
    return served.strftime("%Y-%m-%dT%H:%M")


def export(user, period=NOVEMBER, fmt="xlsx"):
    return credit.export(user, *period, fmt)


def lines_of(item):
    return list(item.lines.order_by("position"))


def file_texts(item) -> list[str]:
    """Every byte of the export's stored files as text (the XLSX unzipped entry by entry)."""
    texts = []
    for stored in item.files.all():
        content = bytes(stored.content)
        if stored.format == "xlsx":
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                texts += [archive.read(name).decode("utf-8") for name in archive.namelist()]
        else:
            texts.append(content.decode("utf-8-sig"))
    return texts


# --- The fields -------------------------------------------------------------------------------------------


def test_an_organisations_decision_is_exported_with_the_public_fields(publish, bureau_head):
    pub = publish()
    assert pub.published_on == PUBLISHED_ON and pub.last_day == D(2029, 11, 20)
    item = export(bureau_head)
    [line] = lines_of(item)
    values = line.snapshot
    assert line.kind == CreditLineKind.NEW and line.publication == pub and line.sequence == 1
    assert values["document_number"] == "武市监处罚〔2026〕1号"
    assert values["party_name"] == "武定县某某商贸有限公司"
    assert values["credit_code"] == "91532329MA6K000001" and values["id_type"] == ""
    assert values["legal_representative"] == "陈建国"
    assert values["violation_type"] == "经营超过保质期的食品"
    # 违法事实 as the public reads it: the shop assistant's name masked, phone and health data hidden.
    assert values["facts"].startswith("2026年11月2日，执法人员对当事人经营场所进行检查")
    assert "店员王某（现场负责人）" in values["facts"] and "［电话号码］" in values["facts"]
    for secret in ("王小红", "13987654321", "胃肠炎", "赵大伟"):
        assert secret not in values["facts"]
    assert values["basis"] == "《中华人民共和国食品安全法》第一百二十四条第一款第五项"
    assert values["penalty_categories"] == "罚款、没收非法财物"
    assert values["penalty_content"] == "罚款5000.00元；没收非法财物（超过保质期的“某某牌”牛奶12箱）"
    assert values["fine_amount"] == "5000.00" and values["confiscated_amount"] == ""
    assert values["licence_action"] == ""
    assert values["decided_on"] == "2026-11-19"
    assert values["authority"] == "武定县市场监督管理局"
    # The same 公示截止日期 as the page and the open data (disclosure/periods.py): the last day shown.
    assert values["publication_ends_on"] == "2029-11-20"
    assert line.snapshot_hash == credit.snapshot_hash(values)


def test_amounts_taken_and_a_licence_action_are_exported_in_yuan_with_two_decimals(publish, bureau_head):
    publish(
        penalty_types=["fine", "confiscate_gains", "suspend_licence"],
        fine_amount="5000",
        confiscated_gains="1200.5",
        confiscated_property=None,
        licence_action="食品经营许可证（JY15323290001234）",
    )
    [line] = lines_of(export(bureau_head))
    assert line.snapshot["fine_amount"] == "5000.00"
    assert line.snapshot["confiscated_amount"] == "1200.50"
    assert line.snapshot["licence_action"] == "暂扣许可证件：食品经营许可证（JY15323290001234）"
    assert line.snapshot["penalty_categories"] == "罚款、没收违法所得、暂扣许可证件"


def test_a_natural_person_is_exported_with_the_id_type_never_the_number(publish, bureau_head):
    rules = RuleSettings.current()
    rules.mask_person_party_name = True
    rules.save()
    publish(party=PERSON)
    item = export(bureau_head)
    [line] = lines_of(item)
    assert line.snapshot["party_name"] == "张某"
    assert line.snapshot["id_type"] == "居民身份证"
    assert line.snapshot["credit_code"] == "" and line.snapshot["legal_representative"] == ""
    texts = file_texts(item) + [json.dumps(line.snapshot, ensure_ascii=False)]
    assert len(texts) > 3  # the XLSX's entries, the CSV, the JSON, the stored snapshot
    for text in texts:
        for secret in (PERSON_ID, "张三丰", "13812345678", "某某村委会某村12号"):
            assert secret not in text


def test_the_id_number_stays_out_even_where_a_reviewer_unhid_it(publish, bureau_head):
    """The last guard: a reviewer removed the ID's redaction (a mistake the public text now carries)."""

    def unhide_id(pub):
        spans = Redaction.objects.filter(publication=pub, kind="id_number")
        assert spans.exists()
        for span in spans:
            pub.remove_redaction(by=bureau_head, redaction_id=span.pk, reason="误操作")

    pub = publish(party=PERSON, before_publish=unhide_id)
    assert PERSON_ID in pub.published_text
    item = export(bureau_head)
    assert all(PERSON_ID not in text for text in file_texts(item))
    assert PERSON_ID not in json.dumps(lines_of(item)[0].snapshot)


# --- Once, and corrections once ------------------------------------------------------------------------------


def test_each_decision_is_exported_once_and_an_empty_export_is_refused(publish, bureau_head):
    first = publish()
    export(bureau_head)
    with pytest.raises(credit.ExportRefused, match="未生成文件"):
        export(bureau_head)
    second = publish()
    item = export(bureau_head)
    assert [line.publication for line in lines_of(item)] == [second]
    assert CreditExportLine.objects.filter(publication=first).count() == 1
    assert CreditExport.objects.count() == 2


def test_a_decision_published_before_the_period_waits_and_is_counted(publish, bureau_head):
    publish()
    planned = credit.plan(bureau_head, D(2026, 11, 21), D(2026, 11, 30))
    assert planned.lines == [] and planned.earlier_pending == 1
    with pytest.raises(credit.ExportRefused, match="此前尚有1条"):
        export(bureau_head, (D(2026, 11, 21), D(2026, 11, 30)))


def test_a_stale_plan_cannot_export_the_same_decisions_again(publish, bureau_head):
    """Two exports racing: the second wrote its plan before the first committed. The unique constraint on
    (publication, sequence) refuses it, and export() turns that into a message."""
    publish()
    stale = credit.plan(bureau_head, *NOVEMBER)
    export(bureau_head)
    with pytest.raises(IntegrityError), transaction.atomic():
        credit.write(stale, bureau_head, "csv")
    assert CreditExportLine.objects.count() == 1


def test_an_export_that_lost_the_race_is_refused_with_a_message(publish, bureau_head, monkeypatch):
    publish()
    stale = credit.plan(bureau_head, *NOVEMBER)
    export(bureau_head)
    monkeypatch.setattr(credit, "plan", lambda *args, **kwargs: stale)
    with pytest.raises(credit.ExportRefused, match="另一次导出"):
        export(bureau_head)
    assert CreditExport.objects.count() == 1 and CreditExportLine.objects.count() == 1


def test_a_withdrawal_after_export_is_reported_once_in_the_next_export(publish, bureau_head):
    pub = publish()
    first = lines_of(export(bureau_head))[0]
    with at(D(2026, 11, 23)):
        pub.withdraw(by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。")
        # The next export's period holds no new decision: the withdrawal goes in whatever the period.
        item = export(bureau_head, (D(2026, 11, 23), D(2026, 11, 23)))
        [line] = lines_of(item)
        assert line.kind == CreditLineKind.WITHDRAWN and line.sequence == 2
        assert line.snapshot == first.snapshot
        assert line.changed_on == D(2026, 11, 23)
        assert line.note.startswith("处罚决定被依法撤销。经行政复议，原处罚决定被撤销。")
        assert (item.new_count, item.withdrawn_count) == (0, 1)
        with pytest.raises(credit.ExportRefused):
            export(bureau_head, (D(2026, 11, 23), D(2026, 11, 23)))


def test_a_correction_after_export_is_reported_once_with_the_new_values(publish, bureau_head):
    pub = publish()
    export(bureau_head)
    Publication.objects.filter(pk=pub.pk).update(penalty_content="罚款4000.00元", fine_amount=Decimal("4000"))
    with at(D(2026, 11, 24)):
        item = export(bureau_head)
        [line] = lines_of(item)
        assert line.kind == CreditLineKind.CORRECTED and line.sequence == 2
        assert line.snapshot["penalty_content"] == "罚款4000.00元"
        assert line.snapshot["fine_amount"] == "4000.00"
        assert line.note == "更正：处罚内容、罚款金额（元）"
        assert line.changed_on == D(2026, 11, 24)
        with pytest.raises(credit.ExportRefused):
            export(bureau_head)
        # Withdrawn after the correction: one more row, with the corrected values.
        pub.withdraw(by=bureau_head, kind="changed", reason="原处罚决定被依法变更。")
        [withdrawn] = lines_of(export(bureau_head))
        assert withdrawn.kind == CreditLineKind.WITHDRAWN and withdrawn.sequence == 3
        assert withdrawn.snapshot["penalty_content"] == "罚款4000.00元"


def test_an_early_end_after_export_is_reported_as_stopped(publish, bureau_head):
    pub = publish()
    export(bureau_head)
    confirmations = {key: True for key, _ in EARLY_END_CONDITIONS}
    with at(D(2026, 11, 25)):
        pub.end_early(by=bureau_head, confirmations=confirmations, request_on=D(2026, 11, 25))
        [line] = lines_of(export(bureau_head))
    assert line.kind == CreditLineKind.STOPPED and line.changed_on == D(2026, 11, 25)
    assert "提前停止公示" in line.note


def test_expiry_is_not_reported_and_a_decision_withdrawn_before_export_is_never_exported(
    publish, bureau_head
):
    exported, later, withdrawn = publish(), publish(), publish()
    lines_of(credit.write(credit.Plan(*NOVEMBER, [_new(exported)]), bureau_head, "csv"))
    withdrawn.withdraw(by=bureau_head, kind="void", reason="处罚决定被确认无效。")
    with at(D(2029, 11, 22)):
        assert Publication.objects.record_expiries() == 2
        assert Publication.objects.get(pk=exported.pk).status == PublicationStatus.ENDED
        # The expired one never exported still goes (the credit system keeps its own period); the expired
        # one already exported gives no row; the withdrawn one was never public in the credit system.
        [line] = lines_of(export(bureau_head, (D(2026, 11, 1), D(2029, 11, 22))))
    assert line.publication == later and line.kind == CreditLineKind.NEW


def _new(pub):
    values = credit.snapshot(pub)
    return credit.PlannedLine(pub, CreditLineKind.NEW, 1, values, credit.snapshot_hash(values))


def test_the_export_is_audited_with_its_counts_and_hashes(publish, bureau_head):
    pub = publish()
    item = export(bureau_head)
    event = AuditEvent.objects.get(action="disclosure.credit.exported")
    assert event.actor == bureau_head and event.object_id == str(item.pk)
    assert event.detail["counts"]["new"] == 1 and event.detail["publications"] == [pub.pk]
    assert event.detail["sha256"] == item.file_hashes and set(item.file_hashes) == {"xlsx", "csv", "json"}


# --- The files --------------------------------------------------------------------------------------------


@pytest.fixture
def mixed_export(publish, bureau_head):
    """A second export with a correction (the person) and a withdrawal (the organisation)."""
    organisation, person = publish(), publish(party=PERSON)
    export(bureau_head)
    Publication.objects.filter(pk=person.pk).update(
        penalty_content="罚款3000.00元", fine_amount=Decimal("3000")
    )
    with at(D(2026, 11, 23)):
        organisation.withdraw(by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。")
        organisation.refresh_from_db()
        third = publish(penalty_types=["fine"], fine_amount="800", confiscated_property=None)
        item = export(bureau_head, (D(2026, 11, 21), D(2026, 11, 23)))
    return item, {"organisation": organisation, "person": person, "new": third}


def test_the_three_files_parse_back_to_the_same_rows(mixed_export):
    item, _ = mixed_export
    expected = credit_files.rows(lines_of(item))
    assert [row["kind"] for row in expected] == ["新增", "更正", "撤回"]
    labels = [label for _, label in credit_files.COLUMNS]
    keys = [key for key, _ in credit_files.COLUMNS]
    files = {f.format: bytes(f.content) for f in item.files.all()}

    assert files["csv"].startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(files["csv"].decode("utf-8-sig"))))
    assert table[0] == labels
    assert [dict(zip(keys, row, strict=True)) for row in table[1:]] == expected

    document = json.loads(files["json"])
    assert document["fields"] == dict(credit_files.COLUMNS)
    assert document["period"] == {"from": "2026-11-21", "to": "2026-11-23", "of": "公示日期"}
    assert document["counts"] == {"new": 1, "corrected": 1, "withdrawn": 1, "stopped": 0}
    assert [{k: (v or "") for k, v in rec.items()} for rec in document["records"]] == expected

    sheet = openpyxl.load_workbook(io.BytesIO(files["xlsx"]))[credit_files.SHEET_TITLE]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == labels
    parsed = []
    for row in values[1:]:
        record = {}
        for key, value in zip(keys, row, strict=True):
            if isinstance(value, datetime.datetime):  # a real date cell
                value = value.date().isoformat()
            elif isinstance(value, float | int):  # a number cell: yuan
                value = f"{value:.2f}"
            record[key] = value if value is not None else ""
        parsed.append(record)
    assert parsed == expected
    assert sheet.cell(row=2, column=keys.index("decided_on") + 1).is_date
    assert sheet.cell(row=2, column=keys.index("fine_amount") + 1).value == 800


def test_a_past_export_downloads_again_with_identical_bytes(client, mixed_export, bureau_head):
    item, pubs = mixed_export
    stored = {f.format: bytes(f.content) for f in item.files.all()}
    # Later changes: another correction and a withdrawal, days later.
    Publication.objects.filter(pk=pubs["new"].pk).update(penalty_content="罚款700.00元")
    with at(D(2026, 12, 7)):
        pubs["person"].withdraw(by=bureau_head, kind="illegal", reason="处罚决定被确认违法。")
        export(bureau_head, (D(2026, 12, 1), D(2026, 12, 7)))
        login_as(client, bureau_head)
        for fmt, content in stored.items():
            response = client.get(reverse("disclosure:staff_credit_download", args=[item.pk, fmt]))
            assert response.status_code == 200
            assert response.content == content
            assert hashlib.sha256(response.content).hexdigest() == item.file_hashes[fmt]
            assert (
                f"credit-penalties-{item.pk:04d}-20261121-20261123.{fmt}" in response["Content-Disposition"]
            )
            # Generated again from the stored rows, the file is the same to the byte.
            assert credit_files.render(item, lines_of(item), fmt) == content
    assert AuditEvent.objects.filter(action="disclosure.credit.downloaded").count() == 3


def test_a_stored_file_that_no_longer_matches_its_hash_is_not_served(client, publish, bureau_head):
    publish()
    item = export(bureau_head)
    item.files.filter(format="csv").update(content=b"\xef\xbb\xbftampered")
    login_as(client, bureau_head)
    response = client.get(reverse("disclosure:staff_credit_download", args=[item.pk, "csv"]), follow=True)
    # The one file getter (audit/files.py) refuses it, audits and logs the failure.
    assert "完整性校验失败" in response.content.decode() and "SHA-256 不一致" in response.content.decode()
    assert AuditEvent.objects.filter(action="disclosure.credit.integrity_failed", outcome="failure").exists()
    assert not AuditEvent.objects.filter(action="disclosure.credit.downloaded").exists()
    ok = client.get(reverse("disclosure:staff_credit_download", args=[item.pk, "json"]))
    assert hashlib.sha256(ok.content).hexdigest() == item.file_hashes["json"]


# --- Who may export ----------------------------------------------------------------------------------------

PAGES = [
    ("disclosure:staff_credit_export", []),
    ("disclosure:staff_credit_export_create", []),
    ("disclosure:staff_credit_download", ["{export}", "xlsx"]),
]


def _request(client, name, args, export=None):
    url = reverse(name, args=[a.format(export=getattr(export, "pk", 1)) for a in args])
    if name.endswith("_create"):
        return client.post(url, {"period_from": "2026-11-01", "period_to": "2026-11-20", "format": "csv"})
    return client.get(url)


def test_an_officer_gets_403_and_an_anonymous_visitor_is_sent_to_sign_in(
    client, publish, bureau_head, officer, records_keeper, reviewer, admin_user
):
    publish()
    item = export(bureau_head)
    for name, args in PAGES:
        response = _request(client, name, args, item)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], name
    # The pages are role pages: 403 for a role that may not open them (roster/decorators.py); a past export
    # is an object: 404 for whom it is not visible to. Both audited by the audit middleware.
    for user in (officer, records_keeper, reviewer):
        login_as(client, user)
        for name, args in PAGES:
            expected = 404 if name.endswith("_download") else 403
            assert _request(client, name, args, item).status_code == expected, (user, name)
    assert AuditEvent.objects.filter(action="auth.permission_denied", actor=officer).exists()
    assert AuditEvent.objects.filter(action="disclosure.credit.access_denied", actor=officer).exists()
    assert CreditExport.objects.count() == 1
    # The roles are the staff publication pages' (and marked for the URL registry's walk).
    assert views_credit.staff_credit_export.required_roles == views_staff.REVIEWER_ROLES
    login_as(client, admin_user)
    assert client.get(reverse("disclosure:staff_credit_export")).status_code == 200


def test_a_unit_head_exports_and_sees_only_the_units_decisions(
    client, publish, bureau_head, unit_head, units
):
    pub = publish()
    other_head = make_staff("gao_head", "高建明", units["gaoqiao"], Role.UNIT_HEAD, Role.OFFICER)
    units["gaoqiao"].head = other_head
    units["gaoqiao"].save()
    assert credit.plan(other_head, *NOVEMBER).lines == []
    item = export(unit_head)
    assert item.scope == "狮山市场监督管理所" and [line.publication for line in lines_of(item)] == [pub]
    assert list(CreditExport.objects.visible_to(unit_head)) == [item]
    assert list(CreditExport.objects.visible_to(other_head)) == []
    assert list(CreditExport.objects.visible_to(bureau_head)) == [item]
    login_as(client, other_head)
    response = client.get(reverse("disclosure:staff_credit_download", args=[item.pk, "csv"]))
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="disclosure.credit.access_denied", actor=other_head).exists()


# --- The page ------------------------------------------------------------------------------------------------


def test_the_page_previews_exports_and_starts_the_download(client, publish, bureau_head):
    pub = publish()
    login_as(client, bureau_head)
    page = client.get(
        reverse("disclosure:staff_credit_export"), {"period_from": "2026-11-01", "period_to": "2026-11-20"}
    )
    body = page.content.decode()
    assert page.context["plan"].counts["new"] == 1
    assert pub.document_number in body and "导出并下载 Excel（XLSX）" in body and "尚未导出过" in body

    response = client.post(
        reverse("disclosure:staff_credit_export_create"),
        {"period_from": "2026-11-01", "period_to": "2026-11-20", "format": "json"},
    )
    item = CreditExport.objects.get()
    assert response.status_code == 302 and item.format == "json"
    body = client.get(response["Location"]).content.decode()
    download = reverse("disclosure:staff_credit_download", args=[item.pk, "json"])
    assert f'http-equiv="refresh" content="1;url={download}"' in body
    assert "已生成第" in body and "新增1条" in body and item.file_hashes["xlsx"] in body
    # The download starts once: the page shown again does not repeat it.
    assert "http-equiv" not in client.get(response["Location"]).content.decode()


def test_two_clicks_on_export_record_one_export(client, publish, bureau_head):
    publish()
    login_as(client, bureau_head)
    data = {"period_from": "2026-11-01", "period_to": "2026-11-20", "format": "xlsx"}
    client.post(reverse("disclosure:staff_credit_export_create"), data)
    second = client.post(reverse("disclosure:staff_credit_export_create"), data, follow=True)
    assert "未生成文件" in second.content.decode()
    assert CreditExport.objects.count() == 1 and CreditExportLine.objects.count() == 1


def test_the_page_refuses_a_period_ending_after_today(client, bureau_head):
    login_as(client, bureau_head)
    page = client.get(
        reverse("disclosure:staff_credit_export"), {"period_from": "2026-11-01", "period_to": "2099-01-01"}
    )
    assert page.status_code == 200 and page.context["plan"] is None
    assert "结束日期不能晚于今天。" in page.content.decode()


# Queries of the page: 1 session, 2 user, 3 the session's OTP device, 4 the user's groups (roles),
# 5 the history (+ who exported), 6 the candidate publications (+ document, party, last exported line),
# 7 their active redactions, 8 the published inspection results never exported and 9 the exported ones
# followed for a 更正 or 撤回 (bureau-wide exports only), 10 unread notifications (header), 11 the user's unit
# (header) (the 系统管理 link reads the roles of 4: no permission queries). (The session's activity stamp is
# written at most once a minute: no write here.)
CREDIT_PAGE_QUERIES = 11


@pytest.mark.parametrize("count", [1, 5])
def test_the_page_costs_a_fixed_number_of_queries(
    client, publish, bureau_head, django_assert_num_queries, count
):
    exported = publish()
    export(bureau_head)
    Publication.objects.filter(pk=exported.pk).update(penalty_content="罚款1.00元")
    for _ in range(count):
        publish()
    login_as(client, bureau_head)
    with django_assert_num_queries(CREDIT_PAGE_QUERIES):
        response = client.get(reverse("disclosure:staff_credit_export"))
    assert response.context["plan"].counts == {"new": count, "corrected": 1, "withdrawn": 0, "stopped": 0}
    assert len(response.context["history"]) == 1


# --- In a browser ----------------------------------------------------------------------------------------------


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_the_page_in_a_browser(new_page, make_case, unit_head, bureau_head, officer):
    from tests.disclosure.publication_factories import lawful_decided_case

    for party in (ORGANISATION, PERSON):
        # Decided in the statutory order before its 决定书 is issued (docs/domain.md §6).
        case = lawful_decided_case(make_case, unit_head, bureau_head, officer, party=party)
        pub = Publication.objects.get(document=issue_decision(case, officer))
        serve(pub.document, officer, served_at=_after_issue(pub))
        pub.publish(by=bureau_head)
    page = new_page()
    page.goto("/accounts/login/")
    page.get_by_label("用户名").fill(bureau_head.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    page.goto(reverse("disclosure:staff_credit_export"))
    page.get_by_role("heading", name="报送国家企业信用信息公示系统").wait_for()
    assert page.get_by_role("cell", name="新增").count() == 2
    page.screenshot(path="/tmp/h/credit_export_preview.png", full_page=True)
    with page.expect_download() as download_info:
        page.get_by_role("button", name="导出并下载 Excel（XLSX）").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    page.get_by_text("已生成第").wait_for()
    page.locator("summary", has_text="SHA-256").first.click()
    page.screenshot(path="/tmp/h/credit_export.png", full_page=True)
    item = CreditExport.objects.get()
    assert item.new_count == 2
    workbook = openpyxl.load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    assert workbook[credit_files.SHEET_TITLE].max_row == 3
