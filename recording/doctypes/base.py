"""What every document type declares. A type is a class with a form (its own fields and validation) and a
template (its own layout); the Document row stores the form's cleaned data as JSON."""

import datetime
import decimal

from django import forms
from django.utils import timezone

REGISTRY: dict[str, "DocumentType"] = {}


class DocumentType:
    key: str = ""
    title: str = ""
    form_class: type[forms.Form]
    # 文号 word (武市监<word>〔2026〕12号) for documents addressed to a party or another body; None: the
    # document is numbered within the case file instead (笔录, 审批表, 报告).
    number_word: str | None = None
    # 'main' 正卷 (the party may inspect) or 'sub' 副卷 (internal approvals, discussion, review opinions).
    volume: str = "main"
    # An investigative or enforcement act: at least two officers with certificates valid on the act's date
    # are present (行政处罚法 第四十二条).
    act: bool = False
    # Audio-video rule: 'mandatory' (查封扣押, acts in the 执法办案场所), 'as_needed' (现场执法, 调查取证, 听证,
    # 留置送达, 公告送达: link AV or say why text suffices), or None.
    av: str | None = None
    # Addressed to a party: a party must be chosen, and the PDF carries the party's signature block.
    to_party: bool = False
    # The approval this 审批表 documents (cases.ApprovalKind value), if any.
    approval_kind: str | None = None

    @property
    def place_field(self) -> str | None:
        """The form's own place field (现场笔录's 检查地点, 询问笔录's 询问地点 ...), if it has one: then the form
        asks for the place once, and the document's act_place is taken from it."""
        return "place" if "place" in self.form_class.base_fields else None

    def place_of(self, data: dict, current: str = "") -> str:
        """The act's place for Document.act_place: the type's own place field where it has one."""
        name = self.place_field
        return str((data or {}).get(name) or "").strip() if name else current

    @property
    def template(self) -> str:
        return f"documents/{self.key}.html"

    def initial(self, case) -> dict:
        """Values to prefill a new draft from the case."""
        return {}

    def summary(self, data: dict) -> str:
        """One line for the timeline."""
        return ""

    def may_issue(self, document, user) -> bool:
        """Who may issue a document of this type: the case's officers and unit head. Types written by someone
        else (legal_review's 法制审核意见书 by the case's reviewer) override this."""
        return document.case.may_work_on(user)

    def context(self, document) -> dict:
        """Extra template values this type's PDF needs (amounts in words, a served document's title ...),
        derived from the stored data at render time."""
        return {}

    # --- JSON <-> form values ---

    def to_json(self, cleaned: dict) -> dict:
        return {name: _json_value(value) for name, value in cleaned.items()}

    def form(self, data=None, *, initial=None, case=None):
        return (
            self.form_class(data=data, initial=initial, case=case)
            if _takes_case(self.form_class)
            else self.form_class(data=data, initial=initial)
        )

    def bound_from_json(self, data: dict, *, case=None):
        """A bound form over the stored JSON, to re-validate a draft before issuing it."""
        values = {}
        for name, value in data.items():
            if isinstance(value, list):
                values[name] = value
            elif value is None:
                values[name] = ""
            else:
                values[name] = value
        return self.form(values, case=case)


def _takes_case(form_class) -> bool:
    return getattr(form_class, "takes_case", False)


def _json_value(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return f"{value:.2f}"
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if hasattr(value, "pk"):
        return value.pk
    return value


def register(cls):
    instance = cls()
    if not instance.key or instance.key in REGISTRY:
        raise ValueError(f"document type key missing or registered twice: {instance.key!r}")
    REGISTRY[instance.key] = instance
    return cls


def get_type(key: str) -> DocumentType:
    try:
        return REGISTRY[key]
    except KeyError:
        raise LookupError(f"未知的文书种类：{key}") from None
