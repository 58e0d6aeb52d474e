"""The case workspace's reading side: the timeline of a case (every stage change, approval, opinion,
document and evidence item, in time order), the document types offered per stage, and a document's stored
values shown with their labels. Pure functions over rows the view has fetched: no query per record."""

import datetime
from dataclasses import dataclass

from django import forms
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared.chinese import cn_date, cn_datetime
from wuding_enforcement.shared.forms import QAField, RowsField

from .doctypes import REGISTRY


def url_or_none(name, *args):
    """The URL of a page another part of recording provides, or None while it does not exist yet."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# Document types grouped as the workspace offers them. A type may name its own group (`group`) and the
# stages it belongs to (`stages`); otherwise its module decides.
MODULE_GROUPS = {
    "filing": "案件来源与立案",
    "investigation": "调查取证",
    "coercion": "行政强制措施",
    "decision": "告知、听证与决定",
    "service": "送达、执行与结案",
}
S = Stage
MODULE_STAGES = {
    "filing": {S.LEAD, S.VERIFYING, S.CLOSED, S.EXECUTING, S.SERVED},
    "investigation": {S.FILED, S.INVESTIGATING},
    "coercion": {S.FILED, S.INVESTIGATING},
    "decision": {
        S.INVESTIGATING,
        S.INVESTIGATION_CONCLUDED,
        S.NOTIFIED,
        S.STATEMENT,
        S.LEGAL_REVIEW,
        S.COLLECTIVE,
        S.DECIDED,
    },
    "service": {S.COLLECTIVE, S.DECIDED, S.SERVED, S.EXECUTING, S.CLOSED, S.TRANSFERRED},
}


def _module_of(doctype) -> str:
    return type(doctype).__module__.rsplit(".", 1)[-1]


def doctype_groups(case) -> list[dict]:
    """All registered document types grouped (registry order), the groups relevant to the case's stage
    first and marked; the domain still decides whether a document may be issued."""
    groups: dict[str, dict] = {}
    for doctype in REGISTRY.values():
        module = _module_of(doctype)
        label = getattr(doctype, "group", None) or MODULE_GROUPS.get(module, "其他文书")
        stages = getattr(doctype, "stages", None) or MODULE_STAGES.get(module, ())
        group = groups.setdefault(label, {"label": label, "types": [], "current": False})
        group["types"].append(doctype)
        group["current"] = group["current"] or case.stage in stages
    return sorted(groups.values(), key=lambda g: not g["current"])


@dataclass
class Entry:
    """One line of the timeline."""

    at: object
    kind: str  # lead, transition, approval, opinion, document, evidence, pause
    title: str
    who: str = ""
    detail: str = ""
    url: str | None = None
    status: str = ""
    struck: bool = False
    number: str = ""
    css: str = ""
    on: object = None
    obj: object = None


def evidence_url(evidence):
    for name in ("recording:evidence_detail", "recording:evidence_play", "recording:evidence"):
        url = url_or_none(name, evidence.case_id, evidence.pk)
        if url:
            return url
    return None


def timeline(case, documents, evidence) -> list[Entry]:
    """The case's life in time order: the lead, every stage change, approval and opinion, document and
    evidence item. Reads prefetched relations and the lists given: no query per record."""
    entries = [
        Entry(
            case.created_at,
            "lead",
            "登记案源",
            case.created_by.display_name,
            f"{case.lead_number}　{case.get_lead_source_display()}",
        )
    ]
    for t in case.transitions.all():
        entries.append(
            Entry(
                t.at,
                "transition",
                f"{t.get_from_stage_display()} → {t.get_to_stage_display()}",
                t.actor.display_name,
                t.reason,
                on=t.on,
            )
        )
    for a in case.approvals.all():
        days = f"（{a.days}天）" if a.days else ""
        entries.append(
            Entry(
                a.requested_at,
                "approval",
                f"提请{a.get_kind_display()}{days}",
                a.requested_by.display_name,
                a.reason,
                status=a.get_status_display(),
            )
        )
        for op in a.opinions.all():
            entries.append(
                Entry(
                    op.at,
                    "opinion",
                    f"{op.get_step_display()}（{a.get_kind_display()}）：{'同意' if op.agree else '不同意'}",
                    op.by.display_name,
                    op.opinion,
                )
            )
    for doc in documents:
        superseded = hasattr(doc, "superseded_by")
        status = "已被更正" if superseded else doc.get_status_display()
        doctype = REGISTRY.get(doc.doc_type)
        summary = doctype.summary(doc.data) if doctype else ""
        who = doc.created_by.display_name + " 制作"
        if doc.is_issued and doc.issued_by_id:
            who += f"，{doc.issued_by.display_name} 签发"
        entries.append(
            Entry(
                doc.issued_at or doc.created_at,
                "document",
                doc.type_title,
                who,
                summary,
                url=reverse("recording:document_detail", args=[case.pk, doc.pk]),
                status=status,
                struck=superseded,
                number=doc.number or (f"卷内第{doc.file_seq}号" if doc.file_seq else ""),
                css="superseded" if superseded else doc.status,
                obj=doc,
            )
        )
    for item in evidence:
        entries.append(
            Entry(
                item.uploaded_at,
                "evidence",
                f"{item.get_kind_display()}：{item.title}",
                item.uploaded_by.display_name + " 上传",
                (f"记录“{item.document.type_title}”" if item.document_id else "")
                + (f"；作废理由：{item.void_reason}" if item.voided_at else ""),
                url=evidence_url(item),
                status="已作废" if item.voided_at else "",
                struck=item.voided_at is not None,
                css="voided" if item.voided_at else "",
                obj=item,
            )
        )
    entries.sort(key=lambda e: e.at)
    return entries


def type_initial(doctype, data: dict) -> dict:
    """Stored JSON back to form initial values: datetimes as the datetime-local input expects them."""
    initial = dict(data)
    for name, f in doctype.form_class.base_fields.items():
        value = initial.get(name)
        if isinstance(f, forms.DateTimeField) and isinstance(value, str) and value:
            try:
                moment = datetime.datetime.fromisoformat(value)
            except ValueError:
                continue
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            initial[name] = moment.strftime("%Y-%m-%dT%H:%M")
    return initial


@dataclass
class Row:
    """One stored value of a document with its label, as the page shows it: text, or the structure the paper
    form prints (a 笔录's questions and answers, a list's table)."""

    label: str
    text: str = ""
    qa: list[dict] | None = None
    columns: list[str] | None = None
    table: list[list[tuple[str, str]]] | None = None  # rows of (column label, cell)


def display_rows(doctype, data: dict, case=None) -> list[Row]:
    """The stored values with their labels, for the page (choices shown by label, booleans as 是/否, question
    and answer pairs as 问/答, lists as tables) — never the stored JSON."""
    rows = []
    form = doctype.form(case=case)
    for name, f in form.fields.items():
        if name not in data:
            continue
        value = data[name]
        label = str(f.label)
        if isinstance(f, QAField):
            pairs = [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []
            if pairs or not value:
                rows.append(Row(label, qa=[{"q": p.get("q") or "", "a": p.get("a") or ""} for p in pairs]))
            else:
                rows.append(Row(label, str(value)))
            continue
        if isinstance(f, RowsField):
            items = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
            if items or not value:
                rows.append(
                    Row(
                        label,
                        columns=[c.label for c in f.columns],
                        table=[[(c.label, str(r.get(c.key) or "")) for c in f.columns] for r in items],
                    )
                )
            else:
                rows.append(Row(label, str(value)))
            continue
        if isinstance(f, forms.BooleanField):
            shown = "是" if value else "否"
        elif isinstance(f, forms.MultipleChoiceField) and isinstance(value, list):
            labels = {str(k): v for k, v in f.choices}
            shown = "、".join(str(labels.get(str(v), v)) for v in value)
        elif isinstance(f, forms.ChoiceField):
            labels = {str(k): v for k, v in f.choices}
            shown = str(labels.get(str(value), value if value is not None else ""))
        elif isinstance(f, forms.DateTimeField) and isinstance(value, str) and value:
            shown = cn_datetime(value) or value
        elif isinstance(f, forms.DateField) and isinstance(value, str) and value:
            shown = cn_date(value) or value
        elif isinstance(f, forms.DecimalField) and value not in (None, ""):
            shown = f"{value} 元" if "元" in (f.help_text or "") or "金额" in str(f.label) else str(value)
        elif isinstance(value, list | dict):
            # A structure no field type above knows: its display_value if it has one, never the JSON.
            display = getattr(f, "display_value", None)
            shown = display(value) if display else "、".join(str(v) for v in value)
        else:
            shown = "" if value is None else str(value)
        rows.append(Row(label, shown))
    return rows
