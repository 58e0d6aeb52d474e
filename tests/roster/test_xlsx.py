"""Excel import and export of the staff and certificate rosters (roster/xlsx.py)."""

import datetime
import io

import pytest
from openpyxl import Workbook, load_workbook

from tests.conftest import make_staff
from wuding_enforcement.audit.models import AuditEvent, Outcome
from wuding_enforcement.roster import xlsx
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role, Staff


def workbook_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def read_rows(data: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True))


def staff_snapshot():
    return sorted(
        (
            s.username,
            s.real_name,
            s.unit_id,
            s.phone,
            s.is_active,
            s.password,
            tuple(sorted(s.groups.values_list("name", flat=True))),
        )
        for s in Staff.objects.all()
    )


def certificate_snapshot():
    return sorted(
        Certificate.objects.values_list(
            "number",
            "kind",
            "holder_id",
            "unit_id",
            "fields",
            "issuing_authority",
            "issued_on",
            "expires_on",
            "status",
            "status_since",
            "exam_passed_on",
        )
    )


def history_count():
    return Staff.history.count() + Certificate.history.count()


@pytest.fixture
def roster(officer, colleague, outsider, unit_head, reviewer, admin_user):
    """The personas, plus a suspended certificate so that status and its date travel through the file."""
    cert = colleague.certificates.get()
    cert.status, cert.status_since, cert.status_reason = (
        CertificateStatus.SUSPENDED,
        datetime.date(2026, 3, 1),
        "调岗",
    )
    cert.save()
    return {"officer": officer, "colleague": colleague, "outsider": outsider}


# --- Round trips -----------------------------------------------------------------------------------------------


def test_exporting_and_reimporting_the_staff_roster_changes_nothing(roster):
    before, history_before = staff_snapshot(), history_count()
    events_before = (
        AuditEvent.objects.exclude(action__endswith="exported").exclude(action__endswith="imported").count()
    )

    result = xlsx.import_staff(io.BytesIO(xlsx.export_staff()))

    assert (result.created, result.updated, result.unchanged) == (0, 0, Staff.objects.count())
    assert staff_snapshot() == before
    assert history_count() == history_before
    # No role or account event was written either: only the export and import themselves.
    assert (
        AuditEvent.objects.exclude(action__endswith="exported").exclude(action__endswith="imported").count()
        == events_before
    )


def test_exporting_and_reimporting_the_certificate_roster_changes_nothing(roster):
    before, history_before = certificate_snapshot(), history_count()

    result = xlsx.import_certificates(xlsx.export_certificates())

    assert (result.created, result.updated, result.unchanged) == (0, 0, Certificate.objects.count())
    assert certificate_snapshot() == before
    assert history_count() == history_before


def test_the_staff_export_lists_every_account_with_its_roles_and_chinese_headers(roster, units):
    roster["outsider"].is_active = False
    roster["outsider"].save()

    rows = read_rows(xlsx.export_staff())

    assert list(rows[0]) == ["用户名", "姓名", "单位", "联系电话", "角色", "在职"]
    by_username = {r[0]: r for r in rows[1:]}
    assert by_username["zhou_head"][1:3] == ("周建华", "狮山市场监督管理所")
    assert set(by_username["zhou_head"][4].split("、")) == {"负责人", "执法人员"}
    assert by_username["zhao_outsider"][5] == "否"
    assert len(rows) - 1 == Staff.objects.count()


def test_the_certificate_export_carries_the_stored_status_and_real_dates(roster):
    rows = read_rows(xlsx.export_certificates())

    assert rows[0][:4] == ("证件编号", "证件类型", "持证人用户名", "持证人姓名")
    suspended = next(r for r in rows[1:] if r[2] == "wang_colleague")
    assert suspended[9] == "暂扣"
    assert suspended[10] == datetime.datetime(2026, 3, 1)
    assert suspended[7] == datetime.datetime(2024, 1, 1)


def test_a_value_that_looks_like_a_formula_is_exported_as_text(officer):
    officer.real_name = '=HYPERLINK("http://evil.example","点我")'
    officer.save()

    cell = next(
        c
        for c in load_workbook(io.BytesIO(xlsx.export_staff())).active["B"]
        if c.row > 1 and "HYPERLINK" in str(c.value)
    )

    assert cell.data_type == "s"


# --- Importing changes -------------------------------------------------------------------------------------------


def test_an_import_creates_new_staff_who_cannot_sign_in_until_an_admin_sets_a_password(units):
    data = workbook_bytes(
        [
            xlsx.STAFF_HEADERS,
            ["chen_new", "陈晓燕", "高桥市场监督管理所", 13800000000, "执法人员、档案管理员", "是"],
        ]
    )

    result = xlsx.import_staff(data)

    person = Staff.objects.get(username="chen_new")
    assert result.created == 1
    assert (person.real_name, person.unit, person.phone) == ("陈晓燕", units["gaoqiao"], "13800000000")
    assert person.role_names == {Role.OFFICER, Role.RECORDS_KEEPER}
    assert not person.has_usable_password()
    assert person.must_change_password


def test_an_import_updates_roles_and_deactivates_by_username(roster):
    rows = [list(r) for r in read_rows(xlsx.export_staff())]
    row = next(r for r in rows if r[0] == "li_officer")
    row[3], row[4], row[5] = "0878-8888888", "执法人员、法制审核人员", "否"

    result = xlsx.import_staff(workbook_bytes(rows))

    officer = Staff.objects.get(username="li_officer")
    assert (result.created, result.updated) == (0, 1)
    assert officer.phone == "0878-8888888"
    assert not officer.is_active
    assert set(officer.groups.values_list("name", flat=True)) == {Role.OFFICER, Role.LEGAL_REVIEWER}


def test_an_import_creates_and_updates_certificates_by_number(roster, units):
    rows = [list(r) for r in read_rows(xlsx.export_certificates())]
    existing = next(r for r in rows if r[2] == "li_officer")
    existing[8] = datetime.date(2030, 12, 31)
    rows.append(
        [
            "53230099999",
            "行政委托执法证",
            "zhao_outsider",
            "赵敏",
            "高桥市场监督管理所",
            "价格",
            "",
            "2025-06-01",
            "2027年5月31日",
            "有效",
            None,
            None,
        ]
    )

    result = xlsx.import_certificates(workbook_bytes(rows))

    assert (result.created, result.updated) == (1, 1)
    assert Certificate.objects.get(number=existing[0]).expires_on == datetime.date(2030, 12, 31)
    new = Certificate.objects.get(number="53230099999")
    assert (new.kind, new.holder, new.issuing_authority) == (
        "entrusted",
        roster["outsider"],
        "云南省人民政府",
    )
    assert new.expires_on == datetime.date(2027, 5, 31)


# --- Refusals: every bad row reported, nothing saved -----------------------------------------------------------


def test_a_staff_file_with_two_bad_rows_reports_both_with_their_row_numbers_and_saves_nothing(units, officer):
    data = workbook_bytes(
        [
            xlsx.STAFF_HEADERS,
            ["good_one", "张三", "狮山市场监督管理所", "", "执法人员", "是"],
            ["bad_unit", "李四", "不存在的所", "", "执法人员", "是"],
            ["li_officer", "李桂芬", "狮山市场监督管理所", "13900000000", "执法人员", "是"],
            ["bad_role", "王五", "高桥市场监督管理所", "", "所长", "是"],
        ]
    )
    before, count = staff_snapshot(), Staff.objects.count()

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(data)

    rows = [row for row, _ in refused.value.errors]
    assert rows == [3, 5]
    assert "不存在的所" in refused.value.errors[0][1]
    assert "所长" in refused.value.errors[1][1]
    assert Staff.objects.count() == count
    assert staff_snapshot() == before  # the good rows (new and changed) were not written either


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (["", "张三", "狮山市场监督管理所", "", "执法人员", "是"], "用户名不能为空"),
        (["zhang", "", "狮山市场监督管理所", "", "执法人员", "是"], "姓名不能为空"),
        (["zhang", "张三", "", "", "执法人员", "是"], "单位不能为空"),
        (["zhang", "张三", "狮山市场监督管理所", "", "执法人员", "也许"], "在职“也许”无法识别"),
        (["bad name!", "张三", "狮山市场监督管理所", "", "执法人员", "是"], "用户名"),
    ],
)
def test_each_kind_of_bad_staff_row_is_explained(units, row, expected):
    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(workbook_bytes([xlsx.STAFF_HEADERS, row]))

    assert refused.value.errors[0][0] == 2
    assert expected in refused.value.errors[0][1]


def test_a_username_differing_only_in_case_from_an_account_is_refused(officer):
    row = ["Li_Officer", "李桂芬", "狮山市场监督管理所", "", "执法人员", "是"]

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(workbook_bytes([xlsx.STAFF_HEADERS, row]))

    assert "仅大小写不同" in refused.value.errors[0][1]


def test_an_admin_cannot_deactivate_herself_by_import(admin_user):
    row = ["zheng_admin", "郑丽", "办公室", "", "管理员", "否"]

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(workbook_bytes([xlsx.STAFF_HEADERS, row]), actor=admin_user)

    assert refused.value.errors == [(2, "不能通过导入停用自己的账号。")]
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_a_username_twice_in_one_file_is_reported_on_the_second_row(units):
    row = ["zhang", "张三", "狮山市场监督管理所", "", "执法人员", "是"]

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(workbook_bytes([xlsx.STAFF_HEADERS, row, row]))

    assert refused.value.errors == [(3, "用户名“zhang”与第2行重复。")]
    assert not Staff.objects.filter(username="zhang").exists()


def test_a_certificate_file_reports_every_bad_row_and_saves_nothing(roster):
    good = [
        "53230088888",
        "行政执法证",
        "li_officer",
        "李桂芬",
        "狮山市场监督管理所",
        "食品安全",
        "云南省人民政府",
        "2025-01-01",
        "2029-12-31",
        "有效",
        None,
        None,
    ]
    data = workbook_bytes(
        [
            xlsx.CERTIFICATE_HEADERS,
            good,
            ["53230088895", *good[1:7], "2025-01-01", "2024-12-31", "有效", None, None],
            ["53230088889", *good[1:2], "nobody", *good[3:]],
            ["53230088890", *good[1:9], "作废", None, None],
            ["53230088891", *good[1:7], "2025-13-45", *good[8:]],
            ["53230088892", *good[1:9], "暂扣", None, None],
            ["53230088893", *good[1:3], "钱立新", *good[4:]],
            ["53230088894", *good[1:9], "过期", None, None],
            good,
        ]
    )
    before = certificate_snapshot()

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_certificates(data)

    messages = {}
    for row, message in refused.value.errors:
        messages[row] = messages.get(row, "") + message
    assert sorted(messages) == [3, 4, 5, 6, 7, 8, 9, 10]
    assert "有效期至必须晚于发证日期" in messages[3]
    assert "nobody" in messages[4]
    assert "作废" in messages[5]
    assert "2025-13-45" in messages[6]
    assert "状态变更日期" in messages[7]
    assert "不一致" in messages[8]
    assert "自动显示为过期" in messages[9]
    assert "与第2行重复" in messages[10]
    assert certificate_snapshot() == before


def test_a_file_that_is_not_an_xlsx_workbook_is_refused_with_a_clear_message(units):
    csv = "用户名,姓名,单位\nzhang,张三,狮山市场监督管理所\n".encode()

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(io.BytesIO(csv))

    assert refused.value.errors == [(0, "文件不是有效的 Excel (.xlsx) 文件。")]


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(units, monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_FILE_BYTES", 1024)
    data = workbook_bytes(
        [xlsx.STAFF_HEADERS, *[[f"u{i}", "张三", "办公室", "", "", "是"] for i in range(200)]]
    )

    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(data)

    assert "文件超过" in refused.value.errors[0][1]


def test_a_file_without_the_expected_columns_is_refused_on_its_header_row(units):
    with pytest.raises(xlsx.ImportErrors) as refused:
        xlsx.import_staff(workbook_bytes([["用户名", "姓名"], ["zhang", "张三"]]))

    assert refused.value.errors[0][0] == 1
    assert "单位" in refused.value.errors[0][1]


# --- Audit -------------------------------------------------------------------------------------------------------


def test_exports_imports_and_refused_imports_are_audit_events(roster, admin_user):
    actor = admin_user

    data = xlsx.export_certificates(actor=actor)
    xlsx.import_certificates(data, actor=actor)
    with pytest.raises(xlsx.ImportErrors):
        xlsx.import_staff(b"not a workbook", actor=actor)

    events = list(AuditEvent.objects.filter(actor=actor, action__startswith="roster.").order_by("seq"))
    assert [e.action for e in events][-3:] == [
        "roster.certificates.exported",
        "roster.certificates.imported",
        "roster.staff.import_refused",
    ]
    assert events[-3].detail["rows"] == Certificate.objects.count()
    assert events[-2].detail["unchanged"] == Certificate.objects.count()
    assert events[-1].outcome == Outcome.FAILURE


def test_a_superuser_without_name_or_unit_still_round_trips(units):
    Staff.objects.create_superuser(username="root", password="Root-Pass-2026!", email="")
    make_staff("li_officer", "李桂芬", units["shishan"], Role.OFFICER)
    before = staff_snapshot()

    result = xlsx.import_staff(xlsx.export_staff())

    assert result.unchanged == 2
    assert staff_snapshot() == before
