"""检查对象名录库 import: CSV (UTF-8 or GB18030) or .xlsx; every credit code checked by its GB 32100 check
characters; bad rows reported by row number and nothing written; limits checked before parsing, including the
declared uncompressed sizes of an .xlsx's zip entries; deregistered entities kept with their end date."""

import csv
import datetime
import io
import zipfile

import pytest
from openpyxl import Workbook

from inspection import importing
from inspection.models import EntityCategory, MarketEntity
from tests.inspection.conftest import code
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.roster.xlsx import ImportErrors

pytestmark = pytest.mark.django_db

HEADERS = importing.HEADERS


def row(n, **overrides):
    values = {
        "统一社会信用代码": code(n),
        "名称": f"武定县演示{n}号食品店",
        "主体类型": "企业",
        "法定代表人（经营者）": "张某",
        "住所": f"武定县狮山镇演示街{n}号",
        "联系电话": "0878-8700000",
        "检查对象类别": "食品经营者",
        "风险等级": "B",
        "信用风险分类": "A",
        "属地监管单位": "狮山市场监督管理所",
        "成立日期": "2020-01-01",
        "注销（吊销）日期": "",
        "注销（吊销）说明": "",
    }
    values.update(overrides)
    return [values[h] for h in HEADERS]


def as_csv(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def as_xlsx(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for values in rows:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def categories(db, units):
    EntityCategory.objects.create(name="食品经营者")
    EntityCategory.objects.create(name="特种设备使用单位")


def test_a_clean_csv_is_imported_in_full_and_a_second_import_changes_nothing(categories, admin_user):
    data = as_csv([row(1), row(2, **{"检查对象类别": "食品经营者、特种设备使用单位", "风险等级": "D级"})])
    result = importing.import_entities(data, by=admin_user)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    second = MarketEntity.objects.get(credit_code=code(2))
    assert second.risk_class == "D" and second.unit.name == "狮山市场监督管理所"
    assert {c.name for c in second.categories.all()} == {"食品经营者", "特种设备使用单位"}
    again = importing.import_entities(data, by=admin_user)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert AuditEvent.objects.filter(action="inspection.entities.imported").count() == 2


def test_an_excel_file_and_a_gb18030_csv_are_read_too(categories, admin_user):
    importing.import_entities(as_xlsx([row(3)]), by=admin_user)
    importing.import_entities(as_csv([row(4)], encoding="gb18030"), by=admin_user)
    assert MarketEntity.objects.filter(credit_code__in=[code(3), code(4)]).count() == 2
    assert MarketEntity.objects.get(credit_code=code(4)).name == "武定县演示4号食品店"


def test_bad_rows_are_reported_by_number_and_nothing_is_half_imported(categories, admin_user):
    bad_code = code(6)[:-1] + ("0" if code(6)[-1] != "0" else "1")
    data = as_csv(
        [
            row(5),
            row(6, **{"统一社会信用代码": bad_code}),
            row(7, **{"风险等级": "E"}),
            row(5, **{"名称": "重复的一行"}),
            row(8, **{"检查对象类别": "烟花爆竹经营者"}),
            row(9, **{"成立日期": "2021-05-01", "注销（吊销）日期": "2020-01-01"}),
        ]
    )
    with pytest.raises(ImportErrors) as refused:
        importing.import_entities(data, by=admin_user)
    by_row = {}
    for number, message in refused.value.errors:
        by_row.setdefault(number, []).append(message)
    assert sorted(by_row) == [3, 4, 5, 6, 7]
    assert "校验位不正确" in by_row[3][0]
    assert "风险等级“E”无效" in by_row[4][0]
    assert "与第2行重复" in by_row[5][0]
    assert "烟花爆竹经营者" in by_row[6][0]
    assert "不能早于成立日期" in by_row[7][0]
    assert MarketEntity.objects.count() == 0  # not even the good first row
    assert AuditEvent.objects.filter(action="inspection.entities.import_refused").exists()


def test_a_deregistered_entity_is_kept_with_its_end_date(categories, admin_user):
    importing.import_entities(as_csv([row(10)]), by=admin_user)
    importing.import_entities(
        as_csv([row(10, **{"注销（吊销）日期": "2026-03-01", "注销（吊销）说明": "申请注销"})]), by=admin_user
    )
    entity = MarketEntity.objects.get(credit_code=code(10))
    assert entity.deregistered_on == datetime.date(2026, 3, 1) and entity.deregistration_note == "申请注销"
    assert not entity.is_active_on(datetime.date(2026, 3, 1)) and entity.is_active_on(
        datetime.date(2026, 2, 28)
    )
    assert entity.history.count() == 2


def test_an_oversized_file_is_refused_before_parsing(categories, admin_user):
    big = as_csv([row(11)]) + b"\n" * importing.MAX_FILE_BYTES
    with pytest.raises(ImportErrors, match="文件超过 5 MB"):
        importing.import_entities(big, by=admin_user)


def test_an_xlsx_declaring_a_huge_uncompressed_size_is_refused_before_parsing(
    categories, admin_user, monkeypatch
):
    # A real zip whose one entry inflates 40 MB of zeros from a few kB: the declared size is checked first.
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))
    bomb = buffer.getvalue()
    assert len(bomb) < 100 * 1024

    def never(*args, **kwargs):
        raise AssertionError("openpyxl must not be reached")

    monkeypatch.setattr(importing, "load_workbook", never)
    with pytest.raises(ImportErrors, match="压缩比异常"):
        importing.import_entities(bomb, by=admin_user)
    monkeypatch.setattr(importing, "MAX_UNCOMPRESSED_BYTES", 10 * 1024 * 1024)
    with pytest.raises(ImportErrors, match="解压后超过 10 MB"):
        importing.import_entities(bomb, by=admin_user)


def test_a_file_that_is_neither_is_refused(categories, admin_user):
    with pytest.raises(ImportErrors, match="不是有效的 Excel"):
        importing.import_entities(b"PK\x03\x04 not really a zip", by=admin_user)
    with pytest.raises(ImportErrors, match="表头缺少列"):
        importing.import_entities("名称,地址\n某店,某路\n".encode(), by=admin_user)


def test_the_row_limit_stops_a_long_file(categories, admin_user, monkeypatch):
    monkeypatch.setattr(importing, "MAX_ROWS", 3)
    with pytest.raises(ImportErrors, match="文件超过 3 行"):
        importing.import_entities(as_csv([row(n) for n in range(20, 26)]), by=admin_user)
