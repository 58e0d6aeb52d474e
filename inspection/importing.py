"""检查对象名录库 import from the registration system's export: Excel (.xlsx) or CSV (UTF-8 or GB18030, as Excel
saves it in China).

All or nothing: every row is checked first — the 统一社会信用代码 by its GB 32100 check characters, the risk
class, the categories, the dates — and every problem is reported with its row number; only a clean file is
written, in one transaction, row by row through save() so that simple-history keeps each change (docs/stack.md
trap 9). A row identical to the stored entity is left alone.

Limits before parsing (a file is untrusted input): the upload's size; for .xlsx, the zip's entries as declared
in its central directory (count, total uncompressed size, compression ratio — Python's zipfile never inflates a
member beyond its declared size, so a bomb that lies about its sizes fails its CRC instead); and the number of
rows while reading.
"""

import csv
import datetime
import io
import warnings
import zipfile

from django.db import transaction
from openpyxl import load_workbook

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.roster.models import Unit
from wuding_enforcement.roster.xlsx import FILE_LEVEL, ImportErrors, ImportResult

from . import creditcode
from .models import CreditClass, EntityCategory, EntityKind, MarketEntity, RiskClass

MAX_FILE_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
MAX_ZIP_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 60 * 1024 * 1024
MAX_RATIO = 200  # a worksheet's XML compresses well, but not a thousandfold

HEADERS = [
    "统一社会信用代码",
    "名称",
    "主体类型",
    "法定代表人（经营者）",
    "住所",
    "联系电话",
    "检查对象类别",
    "风险等级",
    "信用风险分类",
    "属地监管单位",
    "成立日期",
    "注销（吊销）日期",
    "注销（吊销）说明",
]
REQUIRED = ["统一社会信用代码", "名称", "主体类型", "法定代表人（经营者）", "住所", "风险等级"]
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
SEPARATORS = ("、", ",", "，", ";", "；")


def _file_error(message: str):
    raise ImportErrors([(FILE_LEVEL, message)])


def read_bytes(file) -> bytes:
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        _file_error(f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请拆分后分批导入。")
    if not data:
        _file_error("文件是空的。")
    return data


def check_zip(data: bytes) -> None:
    """Refuse an .xlsx whose zip entries declare more than a worksheet could need (before any inflating)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except zipfile.BadZipFile:
        _file_error("文件不是有效的 Excel (.xlsx) 文件。")
    if len(entries) > MAX_ZIP_ENTRIES:
        _file_error("Excel 文件内部结构异常（条目过多），已拒绝。")
    total = sum(e.file_size for e in entries)
    if total > MAX_UNCOMPRESSED_BYTES:
        _file_error(
            f"Excel 文件解压后超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB，已拒绝（可能是压缩炸弹）。"
        )
    for entry in entries:
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            _file_error("Excel 文件压缩比异常，已拒绝（可能是压缩炸弹）。")


def _xlsx_rows(data: bytes) -> list[tuple]:
    check_zip(data)
    raw = []
    try:
        with warnings.catch_warnings():
            # openpyxl warns about harmless oddities of files saved by other programs (styles, validation).
            warnings.simplefilter("ignore")
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                for row in workbook.worksheets[0].iter_rows(values_only=True):
                    raw.append(row)
                    if len(raw) > MAX_ROWS + 1:
                        _file_error(f"文件超过 {MAX_ROWS} 行，请拆分后分批导入。")
            finally:
                workbook.close()
    except ImportErrors:
        raise
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a file that is not xlsx
        raise ImportErrors([(FILE_LEVEL, "文件不是有效的 Excel (.xlsx) 文件。")]) from exc
    return raw


def _csv_rows(data: bytes) -> list[tuple]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        _file_error("CSV 文件的编码无法识别（应为 UTF-8 或 GB18030）。")
    if "\x00" in text:
        _file_error("文件不是有效的 CSV 文本文件。")
    rows = []
    for row in csv.reader(io.StringIO(text)):
        rows.append(tuple(row))
        if len(rows) > MAX_ROWS + 1:
            _file_error(f"文件超过 {MAX_ROWS} 行，请拆分后分批导入。")
    return rows


def read_rows(file) -> list[tuple[int, dict]]:
    """(row number, {header: value}) for every data row of an .xlsx or .csv file."""
    data = read_bytes(file)
    raw = _xlsx_rows(data) if data[:4] == b"PK\x03\x04" else _csv_rows(data)
    if not raw:
        _file_error("文件是空的：第1行应为表头。")
    header = [_text(v) for v in raw[0]]
    missing = [h for h in REQUIRED if h not in header]
    if missing:
        raise ImportErrors([(1, f"表头缺少列：{'、'.join(missing)}（模板列：{'、'.join(HEADERS)}）。")])
    positions = {h: header.index(h) for h in HEADERS if h in header}
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if all(_text(v) == "" for v in values):
            continue
        rows.append((number, {h: (values[i] if i < len(values) else None) for h, i in positions.items()}))
    if not rows:
        _file_error("文件中没有数据行。")
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def _date(value, label, errors) -> datetime.date | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(f"{label}“{text}”不是有效日期（应为 2024-01-01 格式）。")
    return None


def _choice(value, choices, label, errors, *, required=True) -> str:
    text = _text(value).upper().removesuffix("级").removesuffix("类")
    if not text:
        if required:
            errors.append(f"{label}不能为空。")
        return ""
    by_label = {c.label: c.value for c in choices}
    if text in choices.values:
        return text
    if _text(value) in by_label:
        return by_label[_text(value)]
    errors.append(f"{label}“{_text(value)}”无效（应为：{'、'.join(choices.values)}）。")
    return ""


def _split(text: str) -> list[str]:
    for sep in SEPARATORS[1:]:
        text = text.replace(sep, SEPARATORS[0])
    return [part.strip() for part in text.split(SEPARATORS[0]) if part.strip()]


def import_entities(file, *, by) -> ImportResult:
    """Check every row, then write all of them in one transaction (or nothing: ImportErrors)."""
    try:
        rows = read_rows(file)
    except ImportErrors as exc:
        record(
            "inspection.entities.import_refused",
            actor=by,
            outcome=Outcome.FAILURE,
            detail={"errors": exc.errors[:20]},
        )
        raise
    categories = {c.name: c for c in EntityCategory.objects.all()}
    units = {u.name: u for u in Unit.objects.all()}
    kinds = {k.label: k.value for k in EntityKind}
    errors: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    parsed = []
    for number, row in rows:
        problems: list[str] = []
        values = {h: _text(row.get(h)) for h in HEADERS}
        for header in REQUIRED:
            if not values[header]:
                problems.append(f"{header}不能为空。")
        code = creditcode.normalise(values["统一社会信用代码"])
        if code:
            problem = creditcode.problem(code)
            if problem:
                problems.append(problem)
            elif code in seen:
                problems.append(f"统一社会信用代码与第{seen[code]}行重复。")
            else:
                seen[code] = number
        kind = kinds.get(
            values["主体类型"], values["主体类型"] if values["主体类型"] in EntityKind.values else ""
        )
        if values["主体类型"] and not kind:
            problems.append(f"主体类型“{values['主体类型']}”无效（应为：{'、'.join(kinds)}）。")
        risk = _choice(row.get("风险等级"), RiskClass, "风险等级", problems)
        credit = _choice(row.get("信用风险分类"), CreditClass, "信用风险分类", problems, required=False)
        wanted = _split(values["检查对象类别"])
        unknown = [name for name in wanted if name not in categories]
        if unknown:
            problems.append(f"检查对象类别“{'、'.join(unknown)}”不存在（请管理员先在检查对象类别中添加）。")
        unit = None
        if values["属地监管单位"]:
            unit = units.get(values["属地监管单位"])
            if unit is None:
                problems.append(f"属地监管单位“{values['属地监管单位']}”不存在。")
        registered = _date(row.get("成立日期"), "成立日期", problems)
        ended = _date(row.get("注销（吊销）日期"), "注销（吊销）日期", problems)
        if registered and ended and ended < registered:
            problems.append("注销（吊销）日期不能早于成立日期。")
        if len(values["名称"]) > 200 or len(values["住所"]) > 200:
            problems.append("名称、住所不能超过200字。")
        errors += [(number, p) for p in problems]
        parsed.append(
            (
                code,
                {
                    "name": values["名称"],
                    "kind": kind,
                    "representative": values["法定代表人（经营者）"][:50],
                    "address": values["住所"],
                    "phone": values["联系电话"][:40],
                    "risk_class": risk,
                    "credit_class": credit,
                    "unit": unit,
                    "registered_on": registered,
                    "deregistered_on": ended,
                    "deregistration_note": values["注销（吊销）说明"][:200],
                },
                [categories[name] for name in wanted if name in categories],
            )
        )
    if errors:
        record(
            "inspection.entities.import_refused",
            actor=by,
            outcome=Outcome.FAILURE,
            detail={"rows": len(rows), "errors": errors[:20]},
        )
        raise ImportErrors(errors)
    result = ImportResult(rows=len(parsed))
    with transaction.atomic():
        existing = {e.credit_code: e for e in MarketEntity.objects.prefetch_related("categories")}
        for code, fields, wanted in parsed:
            entity = existing.get(code)
            if entity is None:
                entity = MarketEntity(credit_code=code, **fields)
                entity._history_user = by
                entity._change_reason = "inspection.entities.imported"
                entity.save()
                entity.categories.set(wanted)
                result.created += 1
                continue
            changed = [name for name, value in fields.items() if getattr(entity, name) != value]
            same_categories = {c.pk for c in entity.categories.all()} == {c.pk for c in wanted}
            if not changed and same_categories:
                result.unchanged += 1
                continue
            for name in changed:
                setattr(entity, name, fields[name])
            entity._history_user = by
            entity._change_reason = "inspection.entities.imported"
            entity.save()
            entity.categories.set(wanted)
            result.updated += 1
        record(
            "inspection.entities.imported",
            actor=by,
            detail={"rows": result.rows, "created": result.created, "updated": result.updated},
        )
    return result
