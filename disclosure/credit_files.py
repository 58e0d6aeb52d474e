"""The credit-system export's files (disclosure/credit.py decides what an export holds): the same rows as XLSX,
CSV with a BOM, and JSON, with the fields 总局令第45号 第六条 publishes. Each file is a function of the stored
export and its lines only — same input, same bytes — so a past file can be generated again and compared."""

import datetime
import io
import json
import zipfile
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

from wuding_enforcement.shared import csvsafe

from .models import CreditExport, CreditExportFormat, CreditLineKind

# The exported fields (总局令第45号 第六条), in file order: key (JSON and snapshot), column label.
FIELDS = [
    ("document_number", "决定书文号"),
    ("party_name", "当事人名称"),
    ("credit_code", "统一社会信用代码"),
    ("id_type", "证件类型"),
    ("legal_representative", "法定代表人（负责人/经营者）"),
    ("violation_type", "违法行为类型"),
    ("facts", "违法事实"),
    ("basis", "处罚依据"),
    ("penalty_categories", "处罚类别"),
    ("penalty_content", "处罚内容"),
    ("fine_amount", "罚款金额（元）"),
    ("confiscated_amount", "没收金额（元）"),
    ("licence_action", "暂扣或吊销证照"),
    ("decided_on", "处罚决定日期"),
    ("authority", "处罚机关"),
    ("publication_ends_on", "公示截止日期"),
]
FIELD_KEYS = [key for key, _ in FIELDS]
# The results of planned inspections (抽查检查结果, 国发〔2019〕5号) go in the same file, a row of category
# 抽查检查结果 filling the party columns (检查对象, its code and representative, 检查机关) and these.
INSPECTION_FIELDS = [
    ("inspection_number", "检查编号"),
    ("inspection_kind", "检查类型"),
    ("inspection_item", "检查事项"),
    ("inspected_on", "检查日期"),
    ("inspection_result", "检查结果"),
    ("inspection_summary", "检查结果公示内容"),
]
INSPECTION_KEYS = [key for key, _ in INSPECTION_FIELDS]
CATEGORY_PENALTY, CATEGORY_INSPECTION = "行政处罚", "抽查检查结果"
COLUMNS = [
    ("kind", "记录类型"),
    ("category", "信息类别"),
    *FIELDS,
    *INSPECTION_FIELDS,
    ("changed_on", "变动日期"),
    ("withdrawal_due", "应撤回日期"),
    ("late", "逾期撤回"),
    ("note", "变动说明"),
]
DATE_KEYS = {"decided_on", "publication_ends_on", "changed_on", "inspected_on", "withdrawal_due"}
AMOUNT_KEYS = {"fine_amount", "confiscated_amount"}
FORMATS = [CreditExportFormat.XLSX, CreditExportFormat.CSV, CreditExportFormat.JSON]
CONTENT_TYPES = {
    CreditExportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CreditExportFormat.CSV: "text/csv; charset=utf-8",
    CreditExportFormat.JSON: "application/json; charset=utf-8",
}
BASIS = "《市场监督管理行政处罚信息公示规定》（国家市场监督管理总局令第45号）"
SHEET_TITLE = "行政处罚信息"


def filename(item: CreditExport, fmt: str) -> str:
    return f"credit-penalties-{item.pk:04d}-{item.period_from:%Y%m%d}-{item.period_to:%Y%m%d}.{fmt}"


# --- The files ------------------------------------------------------------------------------------------------


def rows(lines) -> list[dict]:
    """The rows of a file from the stored lines, in order: one dict per row keyed like COLUMNS, dates ISO,
    amounts as strings with two decimals, empty values "". A 撤回 row after its 3 working days is marked
    逾期撤回 “是” beside the day it was due (行政处罚法 第四十八条; the dates in 变动日期 and 应撤回日期)."""
    out = []
    for line in sorted(lines, key=lambda item: item.position):
        row = {
            "kind": CreditLineKind(line.kind).label,
            "category": CATEGORY_INSPECTION if line.inspection_id else CATEGORY_PENALTY,
        }
        row.update({key: line.snapshot.get(key, "") for key in (*FIELD_KEYS, *INSPECTION_KEYS)})
        row["changed_on"] = line.changed_on.isoformat() if line.changed_on else ""
        row["withdrawal_due"] = line.due_on.isoformat() if line.due_on else ""
        row["late"] = "是" if line.due_on and line.changed_on and line.changed_on > line.due_on else ""
        row["note"] = line.note
        out.append(row)
    return out


def render(item: CreditExport, lines, fmt: str) -> bytes:
    """The export's file in `fmt`, a function of the stored export and lines only (same input, same bytes)."""
    table = rows(lines)
    if fmt == CreditExportFormat.CSV:
        return _csv(table)
    if fmt == CreditExportFormat.JSON:
        return _json(item, table)
    if fmt == CreditExportFormat.XLSX:
        return _xlsx(item, table)
    raise ValueError(fmt)


def _csv(table: list[dict]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csvsafe.writer(buffer)
    writer.writerow([label for _, label in COLUMNS])
    for row in table:
        writer.writerow([row[key] for key, _ in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _meta(item: CreditExport) -> dict:
    return {
        "publisher": settings.BUREAU_NAME,
        "basis": BASIS,
        "export": item.pk,
        "created_at": timezone.localtime(item.created_at).isoformat(),
        "period": {"from": item.period_from.isoformat(), "to": item.period_to.isoformat(), "of": "公示日期"},
        "scope": item.scope,
        "counts": {
            "new": item.new_count,
            "corrected": item.corrected_count,
            "withdrawn": item.withdrawn_count,
            "stopped": item.stopped_count,
        },
        # Of the 新增 rows, the 抽查检查结果 (category column 信息类别).
        "inspection_results": item.inspection_count,
    }


def _json(item: CreditExport, table: list[dict]) -> bytes:
    records = [{key: (row[key] or None) for key, _ in COLUMNS} for row in table]
    document = {**_meta(item), "fields": dict(COLUMNS), "records": records}
    return (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def _xlsx(item: CreditExport, table: list[dict]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.writer.excel import ExcelWriter

    created = timezone.localtime(item.created_at).replace(tzinfo=None)
    workbook = Workbook()
    workbook.properties.creator = settings.BUREAU_NAME
    workbook.properties.title = f"行政处罚信息报送 第{item.pk}批"
    # Fixed document times (openpyxl would stamp "now"): the same export always gives the same bytes.
    workbook.properties.created = workbook.properties.modified = created
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table:
        sheet.append([_cell(key, row[key]) for key, _ in COLUMNS])
    for cells in sheet.iter_rows(min_row=2):
        for (key, _), cell in zip(COLUMNS, cells, strict=True):
            if key in DATE_KEYS and cell.value is not None:
                cell.number_format = "yyyy-mm-dd"
            elif key in AMOUNT_KEYS and cell.value is not None:
                cell.number_format = "0.00"
            elif isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever the text starts with
    widths = {"facts": 60, "basis": 40, "penalty_content": 36, "note": 36, "party_name": 24}
    for index, (key, label) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = widths.get(key, max(12, len(label) * 2 + 2))
    sheet.freeze_panes = "B2"
    about = workbook.create_sheet("说明")
    meta = _meta(item)
    for label, value in (
        ("报送机关", meta["publisher"]),
        ("依据", meta["basis"]),
        ("批次", item.pk),
        ("导出时间", created),
        ("公示日期从", item.period_from),
        ("公示日期至", item.period_to),
        ("报送范围", item.scope),
        ("新增", item.new_count),
        ("更正", item.corrected_count),
        ("撤回", item.withdrawn_count),
        ("停止公示", item.stopped_count),
        ("其中抽查检查结果", item.inspection_count),
    ):
        about.append([label, value])
    for (cell,) in about.iter_rows(min_col=2, max_col=2):
        if isinstance(cell.value, datetime.datetime):
            cell.number_format = "yyyy-mm-dd hh:mm:ss"
        elif isinstance(cell.value, datetime.date):
            cell.number_format = "yyyy-mm-dd"
        elif isinstance(cell.value, str):
            cell.data_type = "s"
    about.column_dimensions["A"].width = 14
    about.column_dimensions["B"].width = 60
    raw = io.BytesIO()
    archive = zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)
    ExcelWriter(workbook, archive).save()
    return _fixed_zip(raw.getvalue(), created)


def _cell(key: str, value: str):
    if value == "":
        return None
    if key in DATE_KEYS:
        return datetime.date.fromisoformat(value)
    if key in AMOUNT_KEYS:
        return Decimal(value)
    return value


def _fixed_zip(data: bytes, when: datetime.datetime) -> bytes:
    """The same archive with every entry's time set to `when` (zipfile stamps the current time)."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()
