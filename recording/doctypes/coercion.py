"""Evidence preservation and coercive measures: 先行登记保存通知书, 实施行政强制措施决定书（查封/扣押）with its
场所/设施/财物清单, 延长行政强制措施期限决定书, 解除行政强制措施决定书.

The law gives these measures to the agency's head: 先行登记保存 (行政处罚法 第五十六条), 查封扣押 (行政强制法
第十八条) and the extension of its period (第二十五条) need the bureau head's approval — except an urgent
seizure on the spot, reported within 24 hours and approved afterwards (第十九条); recording/approvals.py holds
those gates and recording/clocks.py the periods (it reads period_days, urgent). A seizure is recorded on video
throughout (mandatory AV).
"""

import datetime

from django import forms

from wuding_enforcement.cases.calendar import add_working_days, calendar_deadline
from wuding_enforcement.cases.models import RuleSettings
from wuding_enforcement.shared.forms import (
    Column,
    RowsField,
    date_field,
    datetime_field,
    days_field,
    line_field,
    text_field,
)

from .base import DocumentType, register

PRESERVATION_MAX_WORKING_DAYS = 7  # 行政处罚法 第五十六条 (七日 = working days, 第八十五条)
SEIZURE_MAX_DAYS = 30  # 行政强制法 第二十五条
SEIZURE_EXTENSION_MAX_DAYS = 30  # 行政强制法 第二十五条: 延长期限不得超过三十日


def coercion_remedy_text(rules: RuleSettings | None = None) -> str:
    """The 复议/诉讼 route and time limits a 查封扣押 decision must state (行政强制法 第二十四条 第四项),
    from the bureau's settings."""
    rules = rules or RuleSettings.current()
    return (
        f"如不服本决定，可以在收到本决定书之日起{rules.remedy_review_days}日内向{rules.remedy_review_body}"
        f"申请行政复议，也可以在{rules.remedy_litigation_months}个月内依法向{rules.remedy_court}提起行政诉讼。"
    )


def _as_date(value):
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(value) if value else None
    except (TypeError, ValueError):
        return None


# --- 先行登记保存 -------------------------------------------------------------------------------------------

PRESERVATION_COLUMNS = [
    Column("name", "物品名称", max_length=100),
    Column("spec", "规格（型号）", required=False, max_length=100),
    Column("quantity", "数量", max_length=30),
]
KEEPING = [
    ("on_site", "就地由当事人保存"),
    ("elsewhere", "异地保存"),
]


class PreservationNoticeForm(forms.Form):
    """先行登记保存通知书: the evidence that may be lost, where and how it is kept, and for how long — at most
    seven working days, within which the agency decides what to do with it (行政处罚法 第五十六条)."""

    reason = text_field(
        "先行登记保存的理由",
        rows=3,
        max_length=2000,
        help_text="证据可能灭失或者以后难以取得的情形",
    )
    basis = text_field("法律依据", rows=2, max_length=1000)
    items = RowsField(PRESERVATION_COLUMNS, label="先行登记保存的物品")
    keeping = forms.ChoiceField(label="保存方式", choices=KEEPING)
    kept_place = line_field("保存地点", max_length=200)
    start_on = date_field("保存起始日期")
    period_days = days_field(
        "保存期限",
        max_days=PRESERVATION_MAX_WORKING_DAYS,
        law="行政处罚法 第五十六条",
        working_days=True,
        initial=PRESERVATION_MAX_WORKING_DAYS,
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_on") and cleaned.get("period_days"):
            cleaned["ends_on"] = add_working_days(cleaned["start_on"], cleaned["period_days"])
        return cleaned


@register
class PreservationNotice(DocumentType):
    key = "preservation_notice"
    title = "先行登记保存通知书"
    form_class = PreservationNoticeForm
    number_word = "先保"
    to_party = True
    act = True
    av = "as_needed"

    def initial(self, case):
        return {
            "basis": "《中华人民共和国行政处罚法》第五十六条",
            "period_days": PRESERVATION_MAX_WORKING_DAYS,
            "keeping": "on_site",
        }

    def summary(self, data):
        return f"先行登记保存物品{len(data.get('items') or [])}项，至{data.get('ends_on', '')}"


# --- 查封扣押 -----------------------------------------------------------------------------------------------

MEASURES = [("seal", "查封"), ("seize", "扣押")]
SEIZURE_COLUMNS = [
    Column("name", "名称", max_length=100),
    Column("spec", "规格（型号）", required=False, max_length=100),
    Column("quantity", "数量", max_length=30),
    Column("place", "存放地点", max_length=200),
]


class CoercionDecisionForm(forms.Form):
    """实施行政强制措施决定书: the contents 行政强制法 第二十四条 requires — the reason, basis and period (at most
    30 days, 第二十五条), the list of premises, facilities or goods with their quantities, the remedy route —
    and whether the measure was taken on the spot in an emergency (第十九条)."""

    measure = forms.ChoiceField(label="强制措施", choices=MEASURES)
    reason = text_field("理由", rows=4, max_length=3000, help_text="查封、扣押的事实和理由")
    basis = text_field("法律依据", rows=2, max_length=2000)
    items = RowsField(SEIZURE_COLUMNS, label="场所、设施、财物清单")
    implemented_at = datetime_field("实施时间")
    start_on = date_field("期限起始日期")
    period_days = days_field(
        "期限", max_days=SEIZURE_MAX_DAYS, law="行政强制法 第二十五条", working_days=False, initial=30
    )
    urgent = forms.BooleanField(
        label="情况紧急，当场实施（须在24小时内向局负责人报告并补办批准手续，行政强制法 第十九条）",
        required=False,
    )
    reported_at = datetime_field("向局负责人报告时间", required=False)
    remedy = text_field("救济途径和期限", rows=3, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_on") and cleaned.get("period_days"):
            cleaned["ends_on"] = calendar_deadline(cleaned["start_on"], cleaned["period_days"])
        done, reported = cleaned.get("implemented_at"), cleaned.get("reported_at")
        if reported and not cleaned.get("urgent"):
            self.add_error("reported_at", "只有情况紧急当场实施的，才填写向局负责人报告的时间。")
        if done and reported:
            if reported < done:
                self.add_error("reported_at", "报告时间不能早于实施时间。")
            elif reported - done > datetime.timedelta(hours=24):
                self.add_error(
                    "reported_at",
                    "当场实施的行政强制措施，应当在二十四小时内向行政机关负责人报告（行政强制法 第十九条）。",
                )
        return cleaned


@register
class CoercionDecision(DocumentType):
    key = "coercion_decision"
    title = "实施行政强制措施决定书"
    form_class = CoercionDecisionForm
    number_word = "强制"
    to_party = True
    act = True
    av = "mandatory"

    def initial(self, case):
        return {
            "basis": "《中华人民共和国行政强制法》第九条、第二十二条、第二十三条",
            "period_days": SEIZURE_MAX_DAYS,
            "remedy": coercion_remedy_text(),
        }

    def summary(self, data):
        measure = dict(MEASURES).get(data.get("measure"), "")
        return f"{measure}财物{len(data.get('items') or [])}项，至{data.get('ends_on', '')}"


def _issued_decisions(case):
    from ..models import Document, DocumentStatus

    if case is None:
        return []
    return list(
        Document.objects.filter(case=case, doc_type="coercion_decision", status=DocumentStatus.ISSUED)
        .current()
        .order_by("issued_at", "pk")
    )


def _decision_choices(case):
    return [
        (d.number, f"{d.number}（{dict(MEASURES).get(d.data.get('measure'), '')}）")
        for d in _issued_decisions(case)
    ]


class _OnDecisionForm(forms.Form):
    """A form about an issued 查封扣押 decision of the case, chosen by its 文号."""

    takes_case = True

    decision_number = forms.ChoiceField(label="原实施行政强制措施决定书", choices=())

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.case = case
        choices = _decision_choices(case)
        self.fields["decision_number"].choices = [("", "请选择")] + choices
        if not choices:
            self.fields["decision_number"].help_text = "本案尚无已签发的实施行政强制措施决定书。"

    def decision(self):
        number = self.cleaned_data.get("decision_number")
        return next((d for d in _issued_decisions(self.case) if d.number == number), None)


class CoercionExtensionForm(_OnDecisionForm):
    """延长行政强制措施期限决定书: a complex case may extend the seizure once by at most 30 days, with the
    bureau head's approval, and the party is told in writing with the reason (行政强制法 第二十五条)."""

    days = days_field(
        "延长期限", max_days=SEIZURE_EXTENSION_MAX_DAYS, law="行政强制法 第二十五条", working_days=False
    )
    reason = text_field("延长理由", rows=4, max_length=3000, help_text="情况复杂需要延长的具体理由")
    remedy = text_field("救济途径和期限", rows=3, max_length=2000)

    def clean(self):
        from ..models import Document, DocumentStatus

        cleaned = super().clean()
        decision = self.decision() if cleaned.get("decision_number") else None
        days = cleaned.get("days")
        if decision is None or not days:
            return cleaned
        earlier = (
            Document.objects.filter(
                case=self.case, doc_type="coercion_extension", status=DocumentStatus.ISSUED
            )
            .current()
            .filter(data__decision_number=decision.number)
        )
        already = sum(int(d.data.get("days") or 0) for d in earlier)
        if already + days > SEIZURE_EXTENSION_MAX_DAYS:
            self.add_error(
                "days",
                f"该决定已延长{already}日，延长期限合计不得超过{SEIZURE_EXTENSION_MAX_DAYS}日（行政强制法 第二十五条）。",
            )
            return cleaned
        # The PDF states both ends: the original one and the one after this extension.
        original_end = _as_date(decision.data.get("ends_on"))
        cleaned["original_ends_on"] = original_end
        cleaned["ends_on"] = None
        if original_end:
            base = calendar_deadline(original_end, already) if already else original_end
            cleaned["ends_on"] = calendar_deadline(base, days)
        return cleaned


@register
class CoercionExtension(DocumentType):
    key = "coercion_extension"
    title = "延长行政强制措施期限决定书"
    form_class = CoercionExtensionForm
    number_word = "延强"
    to_party = True

    def initial(self, case):
        choices = _decision_choices(case)
        return {"decision_number": choices[-1][0] if choices else "", "remedy": coercion_remedy_text()}

    def summary(self, data):
        return f"{data.get('decision_number', '')}延长{data.get('days', '')}日"


# 行政强制法 第二十八条: when a seizure must be lifted.
RELEASE_REASONS = [
    ("no_violation", "当事人没有违法行为"),
    ("unrelated", "查封、扣押的场所、设施或者财物与违法行为无关"),
    ("decided", "对违法行为已经作出处理决定，不再需要查封、扣押"),
    ("expired", "查封、扣押期限已经届满"),
    ("other", "其他不再需要采取查封、扣押措施的情形"),
]
RELEASE_COLUMNS = [
    Column("name", "名称", max_length=100),
    Column("spec", "规格（型号）", required=False, max_length=100),
    Column("quantity", "数量", max_length=30),
]


class CoercionReleaseForm(_OnDecisionForm):
    """解除行政强制措施决定书 (行政强制法 第二十八条): the items released and why."""

    reason_category = forms.ChoiceField(label="解除情形", choices=RELEASE_REASONS)
    reason = text_field("解除理由", rows=3, max_length=3000)
    items = RowsField(RELEASE_COLUMNS, label="解除查封、扣押的场所、设施、财物")
    released_on = date_field("解除日期")


@register
class CoercionRelease(DocumentType):
    key = "coercion_release"
    title = "解除行政强制措施决定书"
    form_class = CoercionReleaseForm
    number_word = "解强"
    to_party = True

    def initial(self, case):
        decisions = _issued_decisions(case)
        if not decisions:
            return {}
        latest = decisions[-1]
        return {
            "decision_number": latest.number,
            "items": [
                {"name": i.get("name", ""), "spec": i.get("spec", ""), "quantity": i.get("quantity", "")}
                for i in latest.data.get("items") or []
            ],
        }

    def summary(self, data):
        return f"解除{data.get('decision_number', '')}，物品{len(data.get('items') or [])}项"
