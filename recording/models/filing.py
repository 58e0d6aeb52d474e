"""The filing order of the case file (卷内文书排列顺序, docs/domain.md §6): an admin setting, one row (pk=1), like
the bureau's other rule parameters (cases.RuleSettings, inspection.InspectionSettings). 组卷 (recording.casefile)
orders each volume's documents by it; every change is kept in history and in the audit log (recording/admin.py).

Each volume's order is a list of document titles, one a line, as a records keeper reads them. A line
"送达回证（行政处罚告知书）" places the 送达回证 that serve that document; a bare "送达回证" every other one.
Documents of a type the list does not name follow the listed ones; within a line, and for the unlisted ones,
the order is the order of issuing. An empty list files the volume in issuing order (the 副卷's default: its
internal deliberations in time order).
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

RECEIPT = "service_receipt"

# The usual filing order of the 正卷 (docs/domain.md §6): the decision first, then the others in the order the
# case produced them — source, evidence by kind, 告知书 and its 送达回证, hearing records, the decision's
# 送达回证, then what is left.
DEFAULT_MAIN_ORDER = "\n".join(
    [
        "行政处罚决定书",
        "不予行政处罚决定书",
        "案件来源登记表",
        "送达地址确认书",
        "现场笔录",
        "询问通知书",
        "询问笔录",
        "证据提取单",
        "抽样记录",
        "检测鉴定委托书",
        "检测检验鉴定期间告知书",
        "先行登记保存通知书",
        "实施行政强制措施决定书",
        "延长行政强制措施期限决定书",
        "解除行政强制措施决定书",
        "行政处罚告知书",
        "送达回证（行政处罚告知书）",
        "听证通知书",
        "送达回证（听证通知书）",
        "听证笔录",
        "送达回证（行政处罚决定书）",
        "送达回证（不予行政处罚决定书）",
        "涉嫌犯罪案件移送书",
        "送达回证",
    ]
)

ORDER_HELP = (
    "每行一种文书，写文书名称（如“行政处罚决定书”）；“送达回证（行政处罚告知书）”表示送达该文书的送达回证，"
    "单独一行“送达回证”表示其余的送达回证。未列出的文书排在已列出的之后；同一行内按签发时间排列。"
    "留空则按签发时间排列。"
)


def _titles() -> dict[str, str]:
    """Document title → type key, of every registered document type."""
    from ..doctypes import REGISTRY

    return {doctype.title: key for key, doctype in REGISTRY.items()}


def parse_order(text: str) -> list[tuple[str, str | None]]:
    """The order as (doc_type, served_type) keys: served_type names the served document's type for a
    送达回证 line ("" for the bare 送达回证 line), None for every other type. Raises ValidationError naming
    each unknown or repeated line, with its line number."""
    titles = _titles()
    receipt_title = next((t for t, k in titles.items() if k == RECEIPT), "送达回证")
    keys: list[tuple[str, str | None]] = []
    problems = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("(", "（").replace(")", "）")
        if not line:
            continue
        if line == receipt_title:
            key: tuple[str, str | None] = (RECEIPT, "")
        elif line.startswith(receipt_title + "（") and line.endswith("）"):
            served = line[len(receipt_title) + 1 : -1]
            if served not in titles:
                problems.append(f"第{number}行“{line}”：没有名为“{served}”的文书。")
                continue
            key = (RECEIPT, titles[served])
        elif line in titles:
            key = (titles[line], None)
        else:
            problems.append(f"第{number}行“{line}”：没有这种文书（请写文书名称，如“行政处罚决定书”）。")
            continue
        if key in keys:
            problems.append(f"第{number}行“{line}”重复。")
            continue
        keys.append(key)
    if problems:
        raise ValidationError(problems)
    return keys


class FilingOrder(models.Model):
    """卷内文书排列顺序: one row (pk=1); defaults from docs/domain.md §6."""

    main_order = models.TextField(
        "正卷文书排列顺序", default=DEFAULT_MAIN_ORDER, blank=True, help_text=ORDER_HELP
    )
    sub_order = models.TextField(
        "副卷文书排列顺序",
        default="",
        blank=True,
        help_text=ORDER_HELP + "副卷默认按形成时间排列（审批表、法制审核意见书、集体讨论记录等）。",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "卷内文书排列顺序"
        verbose_name_plural = "卷内文书排列顺序"
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="recording_filingorder_single_row")]

    def __str__(self):
        return "卷内文书排列顺序"

    @classmethod
    def current(cls) -> "FilingOrder":
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj

    def clean(self):
        problems = {}
        for name in ("main_order", "sub_order"):
            try:
                parse_order(getattr(self, name))
            except ValidationError as exc:
                problems[name] = exc.messages
        if problems:
            raise ValidationError(problems)

    def keys_for(self, volume: str) -> list[tuple[str, str | None]]:
        return parse_order(self.main_order if volume == "main" else self.sub_order)


def filing_sorted(documents: list, volume: str, order: FilingOrder | None = None) -> list:
    """`documents` (issued, in issuing order) in the volume's filing order: by the first line of the order
    that names them, then in issuing order; documents no line names last, in issuing order."""
    keys = (order or FilingOrder.current()).keys_for(volume)
    if not keys:
        return list(documents)
    by_pk = {d.pk: d for d in documents}
    position = {key: i for i, key in enumerate(keys)}
    rest = len(keys)

    def rank(document) -> int:
        if document.doc_type == RECEIPT:
            served = by_pk.get(_as_int((document.data or {}).get("served_document")))
            served_type = served.doc_type if served is not None else _served_type(document)
            for key in ((RECEIPT, served_type), (RECEIPT, "")):
                if key in position:
                    return position[key]
            return rest
        return position.get((document.doc_type, None), rest)

    # sorted() is stable: within a rank, the issuing order stays.
    return sorted(documents, key=rank)


def _as_int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _served_type(receipt) -> str | None:
    """The type of the document a receipt serves when it lies outside this volume (a lookup, rare)."""
    from .documents import Document

    pk = _as_int((receipt.data or {}).get("served_document"))
    if pk is None:
        return None
    return Document.objects.filter(pk=pk).values_list("doc_type", flat=True).first()
