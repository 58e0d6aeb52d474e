"""Excel (.xlsx) import and export of the staff and certificate rosters, the way the bureau keeps them today.

Imports are all-or-nothing: every row is checked first and every problem is reported with its row number
(ImportErrors); only a clean file is written, inside one transaction, row by row through save() so that
simple-history and the audit receivers see each change (docs/stack.md trap 9: no bulk writes). A row that
matches the database exactly is left alone, so exporting and re-importing the same file changes nothing.

New staff created by an import get an UNUSABLE password (nobody, not even the importer, knows one) and
must_change_password=True: an admin sets a first password in the admin (which keeps the flag) before they
can sign in.

Over 500 lines because the two rosters (staff, certificates) each have an import and an export with the same
column tables and row checks; they change together.
"""

import datetime
import io
import warnings
import zipfile
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome

from .models import STORED_STATUSES, Certificate, CertificateKind, CertificateStatus, Role, Staff, Unit

MAX_FILE_BYTES = 5 * 1024 * 1024
# A county bureau has a few hundred staff; the cap keeps a decompression bomb from filling memory.
MAX_ROWS = 5000
# An .xlsx is a zip. Before openpyxl reads anything, the sizes the zip declares are checked: Python's zipfile
# never inflates a member beyond its declared size, so these bounds hold for what is actually read. A 310 KB
# file declaring a 300 MB cell is refused here, before it can take the memory (issue: 461 → 998 MB).
MAX_UNCOMPRESSED_BYTES = 40 * 1024 * 1024
MAX_ZIP_MEMBERS = 500
# Members this big must not inflate more than MAX_RATIO times; smaller ones (styles, themes) may.
RATIO_CHECKED_FROM = 1024 * 1024
MAX_RATIO = 100
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

STAFF_HEADERS = ["用户名", "姓名", "单位", "联系电话", "角色", "在职"]
CERTIFICATE_HEADERS = [
    "证件编号",
    "证件类型",
    "持证人用户名",
    "持证人姓名",
    "执法单位",
    "执法类别",
    "发证机关",
    "发证日期",
    "有效期至",
    "状态",
    "状态变更日期",
    "考试合格日期",
]
ROLE_SEPARATOR = "、"
YES, NO = "是", "否"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")
# Only these import messages name the file rather than a row.
FILE_LEVEL = 0


class ImportErrors(Exception):
    """Every problem found in an import file, as (row number, message); row 0 means the file as a whole."""

    def __init__(self, errors: list[tuple[int, str]]):
        self.errors = sorted(errors, key=lambda e: e[0])
        super().__init__("；".join(format_error(row, msg) for row, msg in self.errors))


def format_error(row: int, message: str) -> str:
    return message if row == FILE_LEVEL else f"第{row}行：{message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rows: int = 0

    def summary(self, noun: str) -> str:
        return f"导入完成：共{self.rows}行，新增{noun}{self.created}条，更新{self.updated}条，未变化{self.unchanged}条。"


# --- Export --------------------------------------------------------------------------------------------------


def _workbook(title: str, headers: list[str], rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(headers)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                # openpyxl turns any string starting with "=" into a formula; a name typed as
                # "=HYPERLINK(...)" must reach the reader as text, never as a live formula.
                cell.data_type = "s"
            elif isinstance(cell.value, datetime.date):
                cell.number_format = "yyyy-mm-dd"
    for index, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(index)].width = max(12, len(header) * 2 + 4)
    ws.freeze_panes = "A2"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _role_order(name: str) -> int:
    values = [r.value for r in Role]
    return values.index(name) if name in values else len(values)


def export_staff(*, actor=None) -> bytes:
    """The staff roster, one row per account (inactive ones too, marked 在职=否)."""
    staff = (
        Staff.objects.select_related("unit").prefetch_related("groups").order_by("unit__order", "username")
    )
    rows = []
    for person in staff:
        roles = sorted((g.name for g in person.groups.all()), key=_role_order)
        rows.append(
            [
                person.username,
                person.real_name,
                person.unit.name if person.unit else "",
                person.phone,
                ROLE_SEPARATOR.join(roles),
                YES if person.is_active else NO,
            ]
        )
    data = _workbook("工作人员", STAFF_HEADERS, rows)
    record("roster.staff.exported", actor=actor, detail={"rows": len(rows)})
    return data


def export_certificates(*, actor=None) -> bytes:
    """The certificate roster. 状态 is the STORED status (有效/暂扣/吊销/注销): 过期 follows from 有效期至 by
    itself and is never stored, so the file round-trips exactly."""
    certificates = Certificate.objects.select_related("holder", "unit").order_by("unit__order", "number")
    rows = [
        [
            c.number,
            c.get_kind_display(),
            c.holder.username,
            c.holder.real_name,
            c.unit.name,
            c.fields,
            c.issuing_authority,
            c.issued_on,
            c.expires_on,
            c.get_status_display(),
            c.status_since,
            c.exam_passed_on,
        ]
        for c in certificates
    ]
    data = _workbook("执法证件", CERTIFICATE_HEADERS, rows)
    record("roster.certificates.exported", actor=actor, detail={"rows": len(rows)})
    return data


# --- Reading a file --------------------------------------------------------------------------------------------


def _read_bytes(file) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(MAX_FILE_BYTES + 1)


def check_zip_limits(data: bytes) -> None:
    """Refuse a file whose zip declares too much content, too many parts or a suspicious inflation ratio."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportErrors([(FILE_LEVEL, "文件不是有效的 Excel (.xlsx) 文件。")]) from exc
    total = sum(m.file_size for m in members)
    too_inflated = [
        m
        for m in members
        if m.file_size >= RATIO_CHECKED_FROM and m.file_size > MAX_RATIO * max(m.compress_size, 1)
    ]
    if len(members) > MAX_ZIP_MEMBERS or total > MAX_UNCOMPRESSED_BYTES or too_inflated:
        raise ImportErrors(
            [
                (
                    FILE_LEVEL,
                    f"文件解压后超过 {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB 或压缩比异常，已拒绝导入"
                    "（可能是恶意构造的文件）。请用 Excel 另存为普通的 .xlsx 文件后再导入。",
                )
            ]
        )


def _read_rows(file, headers: list[str]) -> list[tuple[int, dict]]:
    """The data rows as (row number, {header: value}), or ImportErrors for a file that cannot be read."""
    data = _read_bytes(file)
    if len(data) > MAX_FILE_BYTES:
        raise ImportErrors(
            [(FILE_LEVEL, f"文件超过 {MAX_FILE_BYTES // (1024 * 1024)} MB，请拆分后分批导入。")]
        )
    check_zip_limits(data)
    try:
        with warnings.catch_warnings():
            # openpyxl warns about harmless oddities of files saved by other programs (styles, validation).
            warnings.simplefilter("ignore")
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            ws = wb.worksheets[0]
            raw = []
            for row in ws.iter_rows(values_only=True):
                raw.append(row)
                if len(raw) > MAX_ROWS + 1:
                    raise ImportErrors([(FILE_LEVEL, f"文件超过 {MAX_ROWS} 行，请拆分后分批导入。")])
            wb.close()
    except ImportErrors:
        raise
    except Exception as exc:  # openpyxl raises many kinds (zip, XML, key errors) for a file that is not xlsx
        raise ImportErrors([(FILE_LEVEL, "文件不是有效的 Excel (.xlsx) 文件。")]) from exc
    if not raw:
        raise ImportErrors([(FILE_LEVEL, "文件是空的：第1行应为表头。")])
    header_row = [_text(v) for v in raw[0]]
    missing = [h for h in headers if h not in header_row]
    if missing:
        raise ImportErrors([(1, f"表头缺少列：{'、'.join(missing)}（应为：{'、'.join(headers)}）。")])
    positions = {h: header_row.index(h) for h in headers}
    rows = []
    for number, values in enumerate(raw[1:], start=2):
        if all(_text(v) == "" for v in values):
            continue
        rows.append((number, {h: (values[i] if i < len(values) else None) for h, i in positions.items()}))
    if not rows:
        raise ImportErrors([(FILE_LEVEL, "文件中没有数据行。")])
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone number or username typed as a number
    if isinstance(value, datetime.datetime):
        value = value.date()
    return str(value).strip()


def _date(value, label: str, errors: list[str]) -> datetime.date | None:
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


def _required(row: dict, label: str, errors: list[str]) -> str:
    value = _text(row[label])
    if not value:
        errors.append(f"{label}不能为空。")
    return value


def _model_errors(instance, exclude=()) -> list[str]:
    """The model's own validation (clean(), field limits, uniqueness) as readable Chinese lines."""
    try:
        instance.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        lines = []
        for name, messages in exc.message_dict.items():
            label = instance._meta.get_field(name).verbose_name if name != "__all__" else ""
            lines += [f"{label}：{m}" if label and not m.startswith(str(label)) else m for m in messages]
        return lines
    return []


def _record_refusal(action: str, exc: ImportErrors, actor) -> None:
    record(
        action,
        actor=actor,
        outcome=Outcome.FAILURE,
        detail={"errors": len(exc.errors), "first": format_error(*exc.errors[0]) if exc.errors else ""},
    )


# --- Staff import ----------------------------------------------------------------------------------------------


def _parse_active(value, errors: list[str]) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value)
    if text in ("", YES, "在职"):
        return True
    if text in (NO, "离职", "停用"):
        return False
    errors.append(f"在职“{text}”无法识别（应填“是”或“否”）。")
    return True


def _parse_roles(value, groups: dict[str, Group], errors: list[str]) -> set[str]:
    text = _text(value)
    for sep in ("，", ",", "；", ";", "/", " "):
        text = text.replace(sep, ROLE_SEPARATOR)
    names = {n.strip() for n in text.split(ROLE_SEPARATOR) if n.strip()}
    unknown = sorted(n for n in names if n not in groups)
    if unknown:
        errors.append(f"角色“{'、'.join(unknown)}”不存在（可选：{'、'.join(r.value for r in Role)}）。")
    return names - set(unknown)


def _run_import(kind: str, importer, file, actor) -> ImportResult:
    """Run one importer atomically: the rows and their audit event commit together, or neither does."""
    try:
        with transaction.atomic():
            result = importer(file, actor)
            record(
                f"roster.{kind}.imported",
                actor=actor,
                detail={
                    "rows": result.rows,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except ImportErrors as exc:
        _record_refusal(f"roster.{kind}.import_refused", exc, actor)
        raise
    return result


def import_staff(file, *, actor=None) -> ImportResult:
    """Create or update staff by 用户名; roles are set to exactly those listed; 在职=否 deactivates (which
    also ends the person's sessions, see receivers.py). Accounts are never deleted."""
    return _run_import("staff", _import_staff, file, actor)


def _import_staff(file, actor=None) -> ImportResult:
    rows = _read_rows(file, STAFF_HEADERS)
    units = {u.name: u for u in Unit.objects.all()}
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in Role])}
    existing = {s.username: s for s in Staff.objects.prefetch_related("groups")}
    lowered = {name.lower(): name for name in existing}
    errors: list[tuple[int, str]] = []
    plans = []
    seen: dict[str, int] = {}
    for number, row in rows:
        problems: list[str] = []
        username = _required(row, "用户名", problems)
        if username in seen:
            problems.append(f"用户名“{username}”与第{seen[username]}行重复。")
        elif username:
            seen[username] = number
        person = existing.get(username)
        if person is None and username.lower() in lowered:
            # Sign-in is case-sensitive: two accounts differing only in case are a typo waiting to happen.
            problems.append(f"用户名“{username}”与已有账号“{lowered[username.lower()]}”仅大小写不同。")
        real_name = _text(row["姓名"])
        unit_name = _text(row["单位"])
        # An account that already lacks a name or unit (e.g. a superuser from createsuperuser) may keep it blank.
        if not real_name and (person is None or person.real_name):
            problems.append("姓名不能为空。")
        unit = None
        if unit_name:
            unit = units.get(unit_name)
            if unit is None:
                problems.append(f"单位“{unit_name}”不存在，请先在“单位（股室队所）”中添加。")
        elif person is None or person.unit_id:
            problems.append("单位不能为空。")
        roles = _parse_roles(row["角色"], groups, problems)
        active = _parse_active(row["在职"], problems)
        if not active and actor is not None and person is not None and person.pk == actor.pk:
            problems.append("不能通过导入停用自己的账号。")
        target = person or Staff(username=username, must_change_password=True)
        if person is None:
            target.set_unusable_password()
        before = _staff_state(target) if person else None
        target.real_name, target.unit, target.phone, target.is_active = (
            real_name,
            unit,
            _text(row["联系电话"]),
            active,
        )
        if username and not problems:
            # A blank name was accepted above only for an account that never had one.
            problems += _model_errors(target, exclude=["password"] + ([] if real_name else ["real_name"]))
        errors += [(number, p) for p in problems]
        if not problems:
            changed = person is None or before != _staff_state(target)
            roles_changed = person is None or roles != {g.name for g in person.groups.all()}
            plans.append((target, changed, roles_changed, [groups[n] for n in sorted(roles)]))
    if errors:
        raise ImportErrors(errors)

    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        for target, changed, roles_changed, role_groups in plans:
            created = target.pk is None
            if changed:
                target._change_reason = "roster.staff.imported"
                target.save()
            if roles_changed:
                target.groups.set(role_groups)
            if created:
                result.created += 1
            elif changed or roles_changed:
                result.updated += 1
            else:
                result.unchanged += 1
    return result


def _staff_state(person: Staff) -> tuple:
    return person.real_name, person.unit_id, person.phone, person.is_active


# --- Certificate import ----------------------------------------------------------------------------------------


def _parse_choice(value, label: str, choices, errors: list[str], hint: str = ""):
    text = _text(value)
    by_label = {c.label: c.value for c in choices}
    if not text:
        errors.append(f"{label}不能为空。")
        return None
    if text in by_label:
        return by_label[text]
    errors.append(f"{label}“{text}”无法识别（应为：{'、'.join(by_label)}）。{hint}")
    return None


def import_certificates(file, *, actor=None) -> ImportResult:
    """Create or update certificates by 证件编号; the holder must already be on the staff roster."""
    return _run_import("certificates", _import_certificates, file, actor)


_CERT_FIELDS = [
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
]


def _import_certificates(file, actor=None) -> ImportResult:
    rows = _read_rows(file, CERTIFICATE_HEADERS)
    units = {u.name: u for u in Unit.objects.all()}
    staff = {s.username: s for s in Staff.objects.all()}
    existing = {c.number: c for c in Certificate.objects.all()}
    errors: list[tuple[int, str]] = []
    plans = []
    seen: dict[str, int] = {}
    for number, row in rows:
        problems: list[str] = []
        cert_number = _required(row, "证件编号", problems)
        if cert_number in seen:
            problems.append(f"证件编号“{cert_number}”与第{seen[cert_number]}行重复。")
        elif cert_number:
            seen[cert_number] = number
        kind = _parse_choice(row["证件类型"], "证件类型", CertificateKind, problems)
        holder = None
        username = _required(row, "持证人用户名", problems)
        if username:
            holder = staff.get(username)
            if holder is None:
                problems.append(f"持证人用户名“{username}”不在工作人员名册中，请先导入或添加该人员。")
            elif _text(row["持证人姓名"]) and _text(row["持证人姓名"]) != holder.real_name:
                problems.append(
                    f"持证人姓名“{_text(row['持证人姓名'])}”与用户名“{username}”登记的姓名“{holder.real_name}”不一致。"
                )
        unit = None
        unit_name = _required(row, "执法单位", problems)
        if unit_name:
            unit = units.get(unit_name)
            if unit is None:
                problems.append(f"执法单位“{unit_name}”不存在，请先在“单位（股室队所）”中添加。")
        fields = _required(row, "执法类别", problems)
        status = _parse_choice(
            row["状态"],
            "状态",
            STORED_STATUSES,
            problems,
            hint="“过期”无需填写：有效期至已过的证件自动显示为过期。" if _text(row["状态"]) == "过期" else "",
        )
        issued_on = _date(row["发证日期"], "发证日期", problems)
        expires_on = _date(row["有效期至"], "有效期至", problems)
        if _text(row["发证日期"]) == "":
            problems.append("发证日期不能为空。")
        if _text(row["有效期至"]) == "":
            problems.append("有效期至不能为空。")
        status_since = _date(row["状态变更日期"], "状态变更日期", problems)
        exam_passed_on = _date(row["考试合格日期"], "考试合格日期", problems)

        if problems or holder is None or unit is None or issued_on is None or expires_on is None:
            # An incomplete row is reported, never built into a certificate (each missing value has its
            # problem above; the last line only guards against a row dropped without one).
            errors += [(number, p) for p in problems or ["本行信息不完整。"]]
            continue
        cert = existing.get(cert_number)
        before = [getattr(cert, f) for f in _CERT_FIELDS] if cert else None
        target = cert or Certificate(number=cert_number)
        target.kind = kind or target.kind
        target.holder, target.unit = holder, unit
        target.fields = fields
        target.issuing_authority = (
            _text(row["发证机关"]) or Certificate._meta.get_field("issuing_authority").default
        )
        target.issued_on, target.expires_on = issued_on, expires_on
        target.status = status or CertificateStatus.VALID
        target.status_since, target.exam_passed_on = status_since, exam_passed_on
        # clean() carries the certificate rules: expiry after issue, a dated status change.
        problems += _model_errors(target, exclude=["photo"])
        errors += [(number, p) for p in problems]
        if not problems:
            changed = cert is None or before != [getattr(target, f) for f in _CERT_FIELDS]
            plans.append((target, changed))
    if errors:
        raise ImportErrors(errors)

    result = ImportResult(rows=len(rows))
    with transaction.atomic():
        for target, changed in plans:
            if target.pk is None:
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
                continue
            target._change_reason = "roster.certificate.imported"
            target.save()
    return result


def today_stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")
