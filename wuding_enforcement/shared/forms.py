"""Form pieces shared by every system's forms (a shared service: no domain model): validators for dates and amounts, common field factories."""

import datetime
import decimal
import re
from typing import NamedTuple

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from .chinese import format_yuan  # noqa: F401 - the form pieces' money format


def not_in_future(value):
    if value is None:
        return
    today = timezone.localdate()
    day = (
        timezone.localtime(value).date()
        if hasattr(value, "hour") and timezone.is_aware(value)
        else (value.date() if hasattr(value, "hour") else value)
    )
    if day > today:
        raise ValidationError("日期不能晚于今天。")


def date_field(label, *, required=True, future_ok=False, help_text=""):
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        validators=[] if future_ok else [not_in_future],
        # ISO format whatever the locale: <input type="date"> accepts nothing else.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class LocalDateTimeInput(forms.DateTimeInput):
    """<input type="datetime-local"> wants "2026-11-25T09:30": drafts store aware ISO strings
    ("2026-11-25T09:30:00+08:00"), which the browser would show as empty."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")

    def format_value(self, value):
        if isinstance(value, str) and value:
            parsed = parse_datetime(value)
            if parsed is None:
                return value
            value = parsed
        if isinstance(value, datetime.datetime) and timezone.is_aware(value):
            value = timezone.localtime(value)
        return super().format_value(value)


def datetime_field(label, *, required=True, future_ok=False, help_text=""):
    return forms.DateTimeField(
        label=label,
        required=required,
        help_text=help_text,
        validators=[] if future_ok else [not_in_future],
        widget=LocalDateTimeInput(),
        input_formats=[
            "%Y-%m-%dT%H:%M",
            "%Y-%m-%d %H:%M",
            "%Y-%m-%dT%H:%M:%S",
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%dT%H:%M:%S%z",
            "%Y-%m-%dT%H:%M:%S.%f%z",
        ],
    )


def text_field(label, *, required=True, rows=4, max_length=20000, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def line_field(label, *, required=True, max_length=200, help_text=""):
    return forms.CharField(label=label, required=required, max_length=max_length, help_text=help_text)


def yuan_field(label, *, required=True, help_text=""):
    """Money in yuan with two decimals, never negative."""
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=decimal.Decimal("0"),
        max_digits=14,
        decimal_places=2,
        help_text=help_text or "单位：元，保留两位小数",
    )


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_POSITIONS = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def yuan_in_words(amount: decimal.Decimal) -> str:
    """An amount in yuan as Chinese capital numerals, the way 决定书 and receipts write it next to the figures:
    12000 -> 壹万贰仟元整, 10010 -> 壹万零壹拾元整, 1000000.07 -> 壹佰万元零柒分, 0.05 -> 伍分 (the rules of
    《正确填写票据和结算凭证的基本规定》: a run of zeros is one 零; 整 after 元 or 角, never after 分)."""
    amount = decimal.Decimal(amount)
    if amount < 0:
        raise ValueError("金额不能为负数。")
    if amount != amount.quantize(decimal.Decimal("0.01")):
        raise ValueError("金额最多保留两位小数。")
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    if yuan >= 10**16:
        raise ValueError("金额过大。")
    words = ""
    pending_zero = False
    digits = str(yuan)
    for index, char in enumerate(digits):
        place = len(digits) - 1 - index
        digit = int(char)
        if digit == 0:
            pending_zero = bool(words)
        else:
            if pending_zero:
                words += "零"
            words += _DIGITS[digit] + _POSITIONS[place % 4]
            pending_zero = False
        # At the end of a non-zero 4-digit group, its unit: 万, 亿 (a group of zeros says nothing).
        if place % 4 == 0 and place and int(digits[max(0, index - 3) : index + 1]):
            words += _GROUPS[place // 4]
    if yuan:
        words += "元"
    if not jiao and not fen:
        return (words or "零元") + "整"
    if jiao:
        words += _DIGITS[jiao] + "角"
    elif yuan:
        words += "零"
    return words + (_DIGITS[fen] + "分" if fen else "整")


# --- List-like fields: one row per line ------------------------------------------------------------------
#
# Documents list things (seized goods, extracted evidence, questions and answers). One clean approach for all:
# a textarea, one row per line, cells separated by "｜" (or "|"), parsed into a list of dicts. The stored JSON
# (a list of dicts) re-binds to the same field, so a draft re-validates before issuing exactly as typed.

ROW_SEPARATOR = "｜"
_CELL_SPLIT = re.compile(r"\s*[｜|]\s*")


class Column(NamedTuple):
    key: str
    label: str
    required: bool = True
    max_length: int = 200


class RowsWidget(forms.Textarea):
    def __init__(self, columns, attrs=None):
        self.columns = columns
        super().__init__({"rows": 6, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list):
            return rows_to_text(value, self.columns)
        return super().format_value(value)


def rows_to_text(rows, columns) -> str:
    lines = []
    for row in rows:
        if not isinstance(row, dict):
            raise ValidationError("清单数据格式不正确。")
        lines.append(ROW_SEPARATOR.join(str(row.get(c.key) or "") for c in columns).rstrip(ROW_SEPARATOR))
    return "\n".join(lines)


class RowsField(forms.Field):
    """A table typed as lines "名称｜规格｜数量｜存放地点"; cleans to [{"name": ..., "spec": ...}, ...].
    Each faulty line is reported with its line number and the column concerned."""

    def __init__(self, columns, *, min_rows=1, max_rows=200, **kwargs):
        self.columns = list(columns)
        self.min_rows = min_rows
        self.max_rows = max_rows
        layout = ROW_SEPARATOR.join(c.label for c in self.columns)
        kwargs.setdefault("widget", RowsWidget(self.columns))
        kwargs.setdefault("help_text", f"每行一项，各栏之间用“｜”分隔：{layout}")
        super().__init__(**kwargs)

    @property
    def layout(self) -> str:
        return ROW_SEPARATOR.join(c.label for c in self.columns)

    def display_value(self, value) -> str:
        """The stored rows as the page shows them: one numbered line per row."""
        if not isinstance(value, list):
            return "" if value is None else str(value)
        return "\n".join(
            f"{n}. " + "｜".join(str(row.get(c.key) or "—") for c in self.columns)
            for n, row in enumerate(value, 1)
            if isinstance(row, dict)
        )

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, list):
            value = rows_to_text(value, self.columns)
        if not isinstance(value, str):
            raise ValidationError("清单数据格式不正确。")
        rows, errors = [], []
        for number, line in enumerate(value.splitlines(), 1):
            if not line.strip():
                continue
            cells = _CELL_SPLIT.split(line.strip())
            if len(cells) > len(self.columns):
                errors.append(
                    f"第{number}行：应为“{self.layout}”共{len(self.columns)}栏，实为{len(cells)}栏。"
                )
                continue
            cells += [""] * (len(self.columns) - len(cells))
            row = {}
            for column, cell in zip(self.columns, cells, strict=True):
                if column.required and not cell:
                    errors.append(f"第{number}行：“{column.label}”不能为空（各栏顺序：{self.layout}）。")
                elif len(cell) > column.max_length:
                    errors.append(f"第{number}行：“{column.label}”不能超过{column.max_length}个字。")
                row[column.key] = cell
            rows.append(row)
        if errors:
            raise ValidationError(errors)
        return rows

    def validate(self, value):
        if not value:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return
        if len(value) < self.min_rows:
            raise ValidationError(f"至少应列明{self.min_rows}项。")
        if len(value) > self.max_rows:
            raise ValidationError(f"最多列明{self.max_rows}项，请分页制作清单。")


_QA_LINE = re.compile(r"^(问|答)\s*[：:]\s*(.*)$")


class QAWidget(forms.Textarea):
    def __init__(self, attrs=None):
        super().__init__({"rows": 16, **(attrs or {})})

    def format_value(self, value):
        if isinstance(value, list):
            return qa_to_text(value)
        return super().format_value(value)


def qa_to_text(pairs) -> str:
    lines = []
    for pair in pairs:
        if not isinstance(pair, dict):
            raise ValidationError("问答数据格式不正确。")
        lines.append(f"问：{pair.get('q') or ''}")
        lines.append(f"答：{pair.get('a') or ''}")
    return "\n".join(lines)


class QAField(forms.Field):
    """The questions and answers of a 笔录, typed as lines "问：…" / "答：…" that alternate, starting with a
    question and ending with its answer; a line with neither prefix continues the line before it. Cleans to
    [{"q": ..., "a": ...}, ...]."""

    widget = QAWidget

    def display_value(self, value) -> str:
        return qa_to_text(value) if isinstance(value, list) else ("" if value is None else str(value))

    def __init__(self, *, max_length=50000, **kwargs):
        self.max_length = max_length
        kwargs.setdefault(
            "help_text",
            "每个问题以“问：”开头，其回答另起一行以“答：”开头；问、答交替，不以“问：”“答：”开头的行接续上一行。",
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return []
        if isinstance(value, list):
            value = qa_to_text(value)
        if not isinstance(value, str):
            raise ValidationError("问答数据格式不正确。")
        if len(value) > self.max_length:
            raise ValidationError(f"问答内容不能超过{self.max_length}字。")
        pairs, errors = [], []
        expected = "问"
        last_number = 0
        for number, raw in enumerate(value.splitlines(), 1):
            line = raw.strip()
            if not line:
                continue
            match = _QA_LINE.match(line)
            if match is None:
                if not pairs:
                    errors.append(f"第{number}行：第一行应以“问：”开头。")
                    break
                key = "q" if expected == "答" else "a"
                pairs[-1][key] = f"{pairs[-1][key]}\n{line}"
                continue
            kind, text = match.groups()
            if kind != expected:
                errors.append(f"第{number}行：此处应以“{expected}：”开头（问、答须交替）。")
                break
            if not text:
                errors.append(f"第{number}行：“{kind}：”后没有内容。")
            if kind == "问":
                pairs.append({"q": text, "a": ""})
                expected = "答"
            else:
                pairs[-1]["a"] = text
                expected = "问"
            last_number = number
        if not errors and pairs and expected == "答":
            errors.append(f"第{last_number}行：该问题没有记录回答（应另起一行以“答：”开头）。")
        if errors:
            raise ValidationError(errors)
        return pairs

    def validate(self, value):
        if not value and self.required:
            raise ValidationError(self.error_messages["required"], code="required")


def days_field(label, *, max_days, law, working_days, initial=None, help_text=""):
    """A period in days with its legal ceiling; the message names the article (e.g. 行政处罚法 第五十六条)."""
    unit = "个工作日" if working_days else "日"
    message = f"{label}不得超过{max_days}{unit}（{law}）。"
    return forms.IntegerField(
        label=label,
        min_value=1,
        max_value=max_days,
        initial=initial,
        help_text=help_text or f"最长{max_days}{unit}（{law}）",
        error_messages={
            "max_value": message,
            "min_value": f"{label}至少为1{unit}。",
        },
    )


_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def resident_id_problem(number: str) -> str:
    """Why an 18-digit 居民身份证号码 is wrong (format or check digit, GB 11643), or "" when it is right."""
    number = (number or "").strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return "居民身份证号码应为18位（最后一位可为X）。"
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != number[17]:
        return "居民身份证号码校验位不正确，请核对。"
    return ""
