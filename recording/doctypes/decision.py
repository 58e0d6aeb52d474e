"""Decision documents: 案件调查终结报告, 行政处罚告知书, 听证通知书, 听证笔录, 行政处罚决定审批表, 行政处罚决定书.

The 行政处罚决定书's data is the schema legal_review and disclosure read: field names here are an interface.
"""

from decimal import Decimal

from django import forms

from wuding_enforcement.cases.models import RuleSettings

from ..forms_common import date_field, line_field, text_field, yuan_field
from .base import DocumentType, register

# 行政处罚法 第九条 penalty types. Codes are stored in data["penalty_types"].
PENALTY_TYPES = [
    ("warning", "警告"),
    ("criticism", "通报批评"),
    ("fine", "罚款"),
    ("confiscate_gains", "没收违法所得"),
    ("confiscate_property", "没收非法财物"),
    ("suspend_licence", "暂扣许可证件"),
    ("lower_qualification", "降低资质等级"),
    ("revoke_licence", "吊销许可证件"),
    ("restrict_business", "限制开展生产经营活动"),
    ("suspend_business", "责令停产停业"),
    ("close", "责令关闭"),
    ("restrict_employment", "限制从业"),
    ("other", "法律、行政法规规定的其他行政处罚"),
]
PENALTY_LABELS = dict(PENALTY_TYPES)

# 裁量情节 the proposed decision states; legal_review compares them with the benchmark.
DISCRETION = [
    ("none", "不予处罚"),
    ("mitigated", "减轻处罚"),
    ("lenient", "从轻处罚"),
    ("ordinary", "一般处罚"),
    ("severe", "从重处罚"),
]


def remedy_text(rules: RuleSettings | None = None) -> str:
    """The 复议/诉讼 route and time limits a 决定书 must state (行政处罚法 第五十九条), from the settings."""
    rules = rules or RuleSettings.current()
    return (
        f"如不服本处罚决定，可以在收到本决定书之日起{rules.remedy_review_days}日内向{rules.remedy_review_body}"
        f"申请行政复议，也可以在{rules.remedy_litigation_months}个月内依法向{rules.remedy_court}提起行政诉讼。"
        "申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。"
    )


class PenaltyDecisionForm(forms.Form):
    """行政处罚决定书: the contents 行政处罚法 第五十九条 requires, and 总局令第45号 第八条's notice."""

    facts = forms.CharField(label="违法事实", widget=forms.Textarea(attrs={"rows": 8}), max_length=20000)
    evidence = forms.CharField(
        label="证据",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=20000,
        help_text="列明认定违法事实的证据",
    )
    violation_type = line_field("违法行为类型", help_text="如：经营超过保质期的食品")
    basis_violated = text_field("违反的法律规定", rows=2, max_length=2000)
    basis_penalty = text_field("处罚依据", rows=2, max_length=2000)
    discretion = forms.ChoiceField(label="裁量情节", choices=DISCRETION)
    discretion_reason = text_field("裁量理由", rows=3, max_length=5000)
    statements_answer = text_field(
        "当事人陈述申辩（听证）意见及采纳情况", rows=3, required=False, max_length=5000
    )
    penalty_types = forms.MultipleChoiceField(
        label="处罚种类", choices=PENALTY_TYPES, widget=forms.CheckboxSelectMultiple
    )
    fine_amount = yuan_field("罚款金额", required=False)
    confiscated_gains = yuan_field("没收违法所得金额", required=False)
    confiscated_property = text_field(
        "没收非法财物（名称、数量、价值）", rows=2, required=False, max_length=2000
    )
    confiscated_property_value = yuan_field("没收非法财物价值", required=False)
    licence_action = line_field("暂扣或吊销的许可证件（名称、编号）", required=False)
    other_penalty = text_field("其他处罚内容", rows=2, required=False, max_length=2000)
    performance = text_field(
        "履行方式和期限",
        rows=3,
        max_length=2000,
        help_text="如：自收到本决定书之日起十五日内，到指定银行缴纳罚款",
    )
    performance_deadline_days = forms.IntegerField(
        label="履行期限（日）", min_value=1, max_value=365, initial=15
    )
    decided_on = date_field("决定日期")
    will_publish = forms.BooleanField(
        label="本决定将依法向社会公示（总局令第45号 第八条的书面告知）", required=False, initial=True
    )
    publication_notice = text_field(
        "公示告知",
        rows=2,
        required=False,
        max_length=1000,
        help_text="依法公示的，须书面告知当事人将通过国家企业信用信息公示系统等向社会公示。",
    )

    def clean(self):
        cleaned = super().clean()
        types = set(cleaned.get("penalty_types") or [])
        amounts = {
            "fine": ("fine_amount", "罚款"),
            "confiscate_gains": ("confiscated_gains", "没收违法所得"),
        }
        for code, (field, label) in amounts.items():
            value = cleaned.get(field)
            if code in types and not value:
                self.add_error(field, f"处罚种类包含“{label}”，请填写金额。")
            if code not in types and value:
                self.add_error(field, f"处罚种类未选“{label}”，不应填写该金额。")
            if value is not None and value <= Decimal("0") and code in types:
                self.add_error(field, "金额须大于零。")
        if "confiscate_property" in types and not cleaned.get("confiscated_property"):
            self.add_error("confiscated_property", "请列明没收的非法财物。")
        if types & {"suspend_licence", "revoke_licence"} and not cleaned.get("licence_action"):
            self.add_error("licence_action", "请写明暂扣或吊销的许可证件。")
        if "other" in types and not cleaned.get("other_penalty"):
            self.add_error("other_penalty", "请写明其他处罚内容。")
        if cleaned.get("discretion") == "none" and types:
            self.add_error(
                "penalty_types", "裁量情节为不予处罚的，不应选择处罚种类；请制作不予行政处罚决定书。"
            )
        if cleaned.get("will_publish") and not (cleaned.get("publication_notice") or "").strip():
            self.add_error("publication_notice", "依法公示的，须写明向当事人的公示告知。")
        return cleaned


@register
class PenaltyDecision(DocumentType):
    key = "penalty_decision"
    title = "行政处罚决定书"
    form_class = PenaltyDecisionForm
    number_word = "处罚"
    to_party = True

    def initial(self, case):
        return {
            "performance_deadline_days": 15,
            "will_publish": True,
            "publication_notice": "根据《市场监督管理行政处罚信息公示规定》，本决定书将通过国家企业信用信息公示系统"
            "和本局门户网站向社会公示。",
        }

    def summary(self, data):
        labels = "、".join(PENALTY_LABELS.get(code, code) for code in data.get("penalty_types", []))
        fine = f"，罚款{data['fine_amount']}元" if data.get("fine_amount") else ""
        return f"{data.get('violation_type', '')}：{labels}{fine}"

    @staticmethod
    def is_warning_only(data) -> bool:
        return set(data.get("penalty_types") or []) == {"warning"}
