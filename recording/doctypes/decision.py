"""Decision documents: 案件调查终结报告, 行政处罚告知书, 听证通知书, 听证笔录, 行政处罚决定审批表, 行政处罚决定书,
不予行政处罚决定书.

The 行政处罚决定书's data is the schema legal_review and disclosure read: field names here are an interface
(the proposed penalty uses the same names in the report, the notice and the decision).

Over 500 lines on purpose: the seven types are one procedure step (调查终结 to 决定, docs/domain.md §6) that share
the penalty fields and their cross-checks; split, the shared schema would be spread over several modules.
"""

import re
from decimal import Decimal

from django import forms
from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import PartyKind, PowerKind, RuleSettings
from wuding_enforcement.shared.chinese import cn_date
from wuding_enforcement.shared.forms import (
    date_field,
    datetime_field,
    format_yuan,
    line_field,
    text_field,
    yuan_field,
    yuan_in_words,
)
from wuding_enforcement.shared.penalties import (  # noqa: F401 - re-exported: the decision schema's vocabulary
    DISCRETION,
    DISCRETION_LABELS,
    HEARING_PENALTIES,
    PENALTY_LABELS,
    PENALTY_TYPES,
)
from wuding_enforcement.shared.registry import Registry

from .base import DocumentType, register

# 总局令第45号 第八条: the written notice, served with the 行政处罚决定书, that it will be published. Whether a
# decision is published is the publication rule's to say (disclosure registers it from its AppConfig.ready());
# an entry takes the document and returns the notice sentences (none: not published).
publication_notice = Registry(
    "recording.publication_notice", "The 第八条 notice a 行政处罚决定书 prints (none: not published)."
)

STATEMENT_RIGHT_TEXT = (
    "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）享有陈述、申辩的权利。"
    "如有陈述、申辩意见，请在收到本告知书之日起五个工作日内向本局提出；逾期未提出的，视为放弃此权利。"
)
HEARING_RIGHT_TEXT = (
    "根据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你（单位）有权要求举行听证。"
    "如要求听证，请在收到本告知书之日起五个工作日内向本局提出；逾期未提出的，视为放弃此权利。"
)
HEARING_NOTICE_DAYS = 7

# 裁量情节 is the officer's judgement: the field starts empty, never on a value that decides for them.
DISCRETION_CHOICES = [("", "请选择裁量情节")] + DISCRETION

# An article of law as documents cite it (第三十四条, 第一百二十四条第一款第（五）项, 第12条).
_ARTICLE = re.compile(r"第[〇零一二三四五六七八九十百千0-9]+条")


def matter_bases(case) -> dict:
    """The 违反的法律规定 and 处罚依据 of the case's 行政处罚 matters, as the powers catalogue keeps them apart
    (PowerItem.violation_basis / penalty_basis; docs/domain.md §6). A 行政强制 or 行政检查 item is never a
    处罚依据, so only penalty items count. Empty strings where the catalogue has nothing to offer: the officer
    writes the articles, the form never fills in a placeholder."""
    if case is None or case.pk is None:
        return {"basis_violated": "", "basis_penalty": ""}
    items = [m for m in case.matters.all() if m.kind == PowerKind.PENALTY]
    violated = [m.violation_basis.strip() for m in items if m.violation_basis.strip()]
    penalty = [m.penalty_basis.strip() for m in items if m.penalty_basis.strip()]
    return {
        "basis_violated": "；".join(dict.fromkeys(violated)),
        "basis_penalty": "；".join(dict.fromkeys(penalty)),
    }


def check_bases(form, cleaned, names=("basis_violated", "basis_penalty")) -> None:
    """Each legal basis names its article (行政处罚法 第四十四条、第五十九条: the 告知书 and 决定书 state the
    basis), and a 处罚依据 never cites the article of one of the case's 行政强制 matters (a 查封扣押 power is not
    a penalty)."""
    for name in names:
        text = (cleaned.get(name) or "").strip()
        if text and not _ARTICLE.search(text):
            form.add_error(
                name, f"“{form.fields[name].label}”须写明法律、法规的名称和条款（如：第三十四条第（十）项）。"
            )
    case = getattr(form, "case", None)
    penalty = cleaned.get("basis_penalty") or ""
    if case is None or case.pk is None or not penalty:
        return
    for item in case.matters.all():
        if item.kind != PowerKind.COERCION:
            continue
        for article in _ARTICLE.findall(item.legal_basis):
            law = item.legal_basis.split("》", 1)[0] + "》" if "》" in item.legal_basis else ""
            if article in penalty and (not law or law in penalty):
                form.add_error(
                    "basis_penalty",
                    f"{law}{article}是行政强制措施“{item.name}”的依据，不能作为处罚依据；"
                    "请写明给予处罚的条款（权责清单中本事项的处罚依据）。",
                )
                return


def remedy_text(rules: RuleSettings | None = None, *, penalty: bool = True) -> str:
    """The 复议/诉讼 route and time limits a 决定书 must state (行政处罚法 第五十九条), from the settings.
    penalty=False words it for a 不予行政处罚决定书 (nothing to execute, so no 不停止执行 sentence)."""
    rules = rules or RuleSettings.current()
    text = (
        f"如不服本{'处罚' if penalty else ''}决定，可以在收到本决定书之日起{rules.remedy_review_days}日内向"
        f"{rules.remedy_review_body}申请行政复议，也可以在{rules.remedy_litigation_months}个月内依法向"
        f"{rules.remedy_court}提起行政诉讼。"
    )
    if penalty:
        text += "申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外。"
    return text


def _penalty_lines(data: dict) -> list[str]:
    """The penalty content as the 决定书 and 告知书 print it: one line per penalty, amounts in figures and
    in capital numerals (罚款人民币12,000.00元（大写：壹万贰仟元整）)."""

    def money(value):
        return f"人民币{format_yuan(value)}元（大写：{yuan_in_words(Decimal(value))}）"

    lines = []
    for code in data.get("penalty_types") or []:
        if code == "fine" and data.get("fine_amount"):
            lines.append(f"罚款{money(data['fine_amount'])}")
        elif code == "confiscate_gains" and data.get("confiscated_gains"):
            lines.append(f"没收违法所得{money(data['confiscated_gains'])}")
        elif code == "confiscate_property":
            value = data.get("confiscated_property_value")
            worth = f"，价值{money(value)}" if value else ""
            lines.append(f"没收非法财物：{data.get('confiscated_property', '')}{worth}")
        elif code in ("suspend_licence", "revoke_licence"):
            lines.append(f"{PENALTY_LABELS[code]}：{data.get('licence_action', '')}")
        elif code == "other":
            lines.append(data.get("other_penalty", ""))
        else:
            lines.append(PENALTY_LABELS.get(code, code))
    return lines


def _penalty_context(document) -> dict:
    data = document.data
    return {
        "penalty_lines": _penalty_lines(data),
        "discretion_label": DISCRETION_LABELS.get(data.get("discretion"), ""),
    }


class FilledDocumentType(DocumentType):
    """A type whose template may print any of its form's fields: data stored without an optional field
    (a draft recorded outside the form, e.g. demo data) prints it as empty instead of failing."""

    def context(self, document) -> dict:
        return {"data": {**dict.fromkeys(self.form_class.base_fields, ""), **document.data}}


def _required_by(article: str, form: forms.Form, names) -> None:
    """Name the article in the message for each content the law makes compulsory."""
    for name in names:
        field = form.fields[name]
        field.error_messages["required"] = f"须载明“{field.label}”（{article}）。"


class PenaltyFieldsForm(forms.Form):
    """The penalty proposed or decided (行政处罚法 第九条): types and the amounts they need. Shared by the
    调查终结报告, 告知书 and 决定书 so that legal_review reads the same names in all three."""

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

    def clean_penalty(self, cleaned) -> None:
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
        if "confiscate_property" not in types and (
            cleaned.get("confiscated_property") or cleaned.get("confiscated_property_value")
        ):
            self.add_error("confiscated_property", "处罚种类未选“没收非法财物”，不应填写没收的财物。")
        if types & {"suspend_licence", "revoke_licence"} and not cleaned.get("licence_action"):
            self.add_error("licence_action", "请写明暂扣或吊销的许可证件。")
        if "other" in types and not cleaned.get("other_penalty"):
            self.add_error("other_penalty", "请写明其他处罚内容。")


_PENALTY_FIELD_ORDER = [
    "penalty_types",
    "fine_amount",
    "confiscated_gains",
    "confiscated_property",
    "confiscated_property_value",
    "licence_action",
    "other_penalty",
]


# --- 案件调查终结报告 ----------------------------------------------------------------------------------


class InvestigationReportForm(PenaltyFieldsForm):
    """案件调查终结报告: what the investigators found and propose, for the unit head, legal review and the
    bureau head (副卷)."""

    facts = text_field("调查认定的违法事实", rows=8)
    evidence = text_field("证据材料", rows=5, help_text="逐项列明证据及其证明的事实")
    nature = text_field("案件性质", rows=2, max_length=2000, help_text="违法行为的定性")
    basis_violated = text_field("违反的法律规定", rows=2, max_length=2000)
    basis_penalty = text_field("处罚依据", rows=2, max_length=2000)
    discretion = forms.ChoiceField(label="裁量情节", choices=DISCRETION_CHOICES)
    discretion_reason = text_field("裁量理由", rows=3, max_length=5000)
    is_major = forms.BooleanField(label="属于重大行政执法决定（须法制审核）", required=False)
    major_reason = text_field(
        "是否重大的理由", rows=2, max_length=2000, help_text="如：拟罚款数额达到本局重大执法决定标准"
    )
    opinion = text_field("承办人员意见", rows=4, max_length=5000)
    reported_on = date_field("报告日期")

    field_order = [
        "facts",
        "evidence",
        "nature",
        "basis_violated",
        "basis_penalty",
        "discretion",
        "discretion_reason",
        *_PENALTY_FIELD_ORDER,
        "is_major",
        "major_reason",
        "opinion",
        "reported_on",
    ]

    takes_case = True

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["penalty_types"].required = False

    def clean(self):
        cleaned = super().clean()
        self.clean_penalty(cleaned)
        check_bases(self, cleaned)
        types = cleaned.get("penalty_types") or []
        if cleaned.get("discretion") == "none" and types:
            self.add_error("penalty_types", "裁量情节为不予处罚的，不应提出处罚种类。")
        if cleaned.get("discretion") not in (None, "none") and not types:
            self.add_error("penalty_types", "请选择拟处罚种类；不予处罚的，裁量情节选“不予处罚”。")
        return cleaned


@register
class InvestigationReport(FilledDocumentType):
    key = "investigation_report"
    title = "案件调查终结报告"
    form_class = InvestigationReportForm
    volume = "sub"

    def initial(self, case):
        return matter_bases(case)

    def summary(self, data):
        labels = "、".join(PENALTY_LABELS.get(code, code) for code in data.get("penalty_types") or [])
        return f"建议：{labels or DISCRETION_LABELS.get(data.get('discretion'), '')}"

    def context(self, document):
        return {**super().context(document), **_penalty_context(document)}


# --- 行政处罚告知书 ------------------------------------------------------------------------------------


class PenaltyNoticeForm(PenaltyFieldsForm):
    """行政处罚告知书: the facts, reasons, basis and proposed penalty, and the rights to state and defend
    (行政处罚法 第四十四条、第四十五条) and, where entitled, to request a hearing (第六十三条、第六十四条), each
    within five working days of service (the clock runs from the 送达回证)."""

    takes_case = True

    facts = text_field("违法事实", rows=6)
    evidence = text_field("证据", rows=4)
    basis_violated = text_field("违反的法律规定", rows=2, max_length=2000)
    basis_penalty = text_field("处罚依据", rows=2, max_length=2000)
    hearing_right = forms.BooleanField(
        label="当事人有权要求听证（行政处罚法 第六十三条）",
        required=False,
        help_text="拟作出较大数额罚款、没收较大数额违法所得或较大价值非法财物、降低资质等级、吊销许可证件、"
        "责令停产停业、责令关闭、限制从业等处罚的，应当告知听证权利。",
    )
    contact = line_field("联系人及电话", help_text="如：李桂芬 0878-8712345")
    bureau_address = line_field("本局地址")
    notified_on = date_field("告知日期")

    field_order = [
        "facts",
        "evidence",
        "basis_violated",
        "basis_penalty",
        *_PENALTY_FIELD_ORDER,
        "hearing_right",
        "contact",
        "bureau_address",
        "notified_on",
    ]

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        self.clean_penalty(cleaned)
        check_bases(self, cleaned)
        reason = self.hearing_reason(cleaned)
        if reason and not cleaned.get("hearing_right"):
            self.add_error(
                "hearing_right", f"{reason}，当事人有权要求听证（行政处罚法 第六十三条），须告知听证权利。"
            )
        return cleaned

    def hearing_reason(self, cleaned) -> str:
        """Why the proposed penalty entitles the party to a hearing (行政处罚法 第六十三条), or "". The
        "较大数额" thresholds are settings; where the case has a natural person or 个体工商户 as a party the lower
        (natural-person) threshold applies, so a hearing is never wrongly withheld."""
        types = set(cleaned.get("penalty_types") or [])
        heavy = types & HEARING_PENALTIES
        if heavy:
            return "拟作出" + "、".join(PENALTY_LABELS[c] for c in sorted(heavy)) + "的处罚"
        rules = RuleSettings.current()
        organisations_only = self.case is not None and all(
            p.kind == PartyKind.ORGANISATION for p in self.case.parties.all()
        )
        fine_limit = rules.hearing_fine_organisation if organisations_only else rules.hearing_fine_person
        taking_limit = (
            rules.hearing_confiscation_organisation
            if organisations_only
            else rules.hearing_confiscation_person
        )
        fine = cleaned.get("fine_amount") or Decimal("0")
        if "fine" in types and fine >= fine_limit:
            return f"拟罚款{format_yuan(fine)}元，达到较大数额（{format_yuan(fine_limit)}元）"
        taken = (cleaned.get("confiscated_gains") or Decimal("0")) + (
            cleaned.get("confiscated_property_value") or Decimal("0")
        )
        if types & {"confiscate_gains", "confiscate_property"} and taken >= taking_limit:
            return f"拟没收{format_yuan(taken)}元，达到较大数额（{format_yuan(taking_limit)}元）"
        return ""


@register
class PenaltyNotice(FilledDocumentType):
    key = "penalty_notice"
    title = "行政处罚告知书"
    form_class = PenaltyNoticeForm
    number_word = "告知"
    to_party = True

    def initial(self, case):
        return matter_bases(case)

    def summary(self, data):
        labels = "、".join(PENALTY_LABELS.get(code, code) for code in data.get("penalty_types") or [])
        return f"拟{labels}{'（告知听证权利）' if data.get('hearing_right') else ''}"

    def context(self, document):
        return {
            **super().context(document),
            **_penalty_context(document),
            "statement_right_text": STATEMENT_RIGHT_TEXT,
            "hearing_right_text": HEARING_RIGHT_TEXT,
        }


# --- 听证通知书 ----------------------------------------------------------------------------------------


class HearingNoticeForm(forms.Form):
    """听证通知书: served at least seven working days before the hearing (行政处罚法 第六十四条 第二项)."""

    hearing_at = datetime_field("听证时间", future_ok=True)
    hearing_place = line_field("听证地点")
    presiding_officer = line_field("听证主持人", max_length=50)
    clerk = line_field("听证记录员", max_length=50)
    public = forms.BooleanField(
        label="公开举行听证",
        required=False,
        initial=True,
        help_text="涉及国家秘密、商业秘密或者个人隐私的除外",
    )
    contact = line_field("联系人及电话")

    def clean_hearing_at(self):
        """The notice goes out when it is issued, so the hearing must be at least seven working days after
        today (行政处罚法 第六十四条; working days per 第八十五条, holidays skipped). Re-checked at issue."""
        hearing_at = self.cleaned_data["hearing_at"]
        hearing_day = (
            timezone.localtime(hearing_at).date() if timezone.is_aware(hearing_at) else hearing_at.date()
        )
        earliest = calendar.add_working_days(timezone.localdate(), HEARING_NOTICE_DAYS)
        if hearing_day < earliest:
            skipped = calendar.holiday_periods(timezone.localdate(), earliest)
            holidays = f"（其间有{'、'.join(p.label for p in skipped)}）" if skipped else ""
            raise forms.ValidationError(
                f"听证通知书应当在举行听证的七个工作日前送达当事人（行政处罚法 第六十四条），"
                f"今天签发的，听证日期最早为{cn_date(earliest)}{holidays}。"
            )
        return hearing_at


@register
class HearingNotice(FilledDocumentType):
    key = "hearing_notice"
    title = "听证通知书"
    form_class = HearingNoticeForm
    number_word = "听通"
    to_party = True

    def summary(self, data):
        return f"{(data.get('hearing_at') or '')[:16].replace('T', ' ')} {data.get('hearing_place', '')}"


# --- 听证笔录 ------------------------------------------------------------------------------------------


class HearingRecordForm(forms.Form):
    """听证笔录: the hearing as it happened (行政处罚法 第六十四条 第八项: the record is read to the party, who
    signs or seals it; 第六十五条: the decision follows the record)."""

    started_at = datetime_field("听证开始时间")
    ended_at = datetime_field("听证结束时间")
    place = line_field("听证地点")
    presiding_officer = line_field("听证主持人", max_length=50)
    recorder = line_field("记录员", max_length=50)
    participants = text_field(
        "听证参加人", rows=3, max_length=2000, help_text="当事人及其委托代理人、案件调查人员、证人等"
    )
    investigators_statement = text_field("案件调查人员提出的违法事实、证据和处罚建议", rows=6)
    party_statement = text_field("当事人陈述、申辩及提出的证据", rows=6)
    cross_examination = text_field("质证和辩论", rows=6)
    final_statements = text_field("最后陈述", rows=3, max_length=5000)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("started_at"), cleaned.get("ended_at")
        if start and end and end <= start:
            self.add_error("ended_at", "结束时间应晚于开始时间。")
        return cleaned


@register
class HearingRecord(FilledDocumentType):
    key = "hearing_record"
    title = "听证笔录"
    form_class = HearingRecordForm
    act = True
    av = "as_needed"

    def summary(self, data):
        return f"主持人：{data.get('presiding_officer', '')}"


# --- 行政处罚决定审批表 --------------------------------------------------------------------------------


class DecisionApprovalForm(forms.Form):
    """行政处罚决定审批表 (副卷): the proposed decision with the legal review and collective discussion it
    rests on (行政处罚法 第五十七条、第五十八条)."""

    proposed_summary = text_field(
        "拟作出的处罚决定", rows=5, help_text="当事人、违法行为、处罚依据和处罚内容"
    )
    discretion = forms.ChoiceField(label="裁量情节", choices=DISCRETION_CHOICES)
    legal_review_ref = line_field(
        "法制审核意见",
        max_length=300,
        required=False,
        help_text="法制审核意见书编号及结论；不属于重大执法决定的写“不适用”",
    )
    collective_discussion_ref = line_field(
        "集体讨论",
        max_length=300,
        required=False,
        help_text="情节复杂或重大违法行为给予较重处罚的，写明集体讨论记录",
    )
    handler_opinion = text_field("承办人员意见", rows=3, max_length=5000)
    submitted_on = date_field("报批日期")


@register
class DecisionApproval(FilledDocumentType):
    key = "decision_approval"
    title = "行政处罚决定审批表"
    form_class = DecisionApprovalForm
    volume = "sub"

    def summary(self, data):
        return (data.get("proposed_summary") or "")[:40]

    def context(self, document):
        return {
            **super().context(document),
            "discretion_label": DISCRETION_LABELS.get(document.data.get("discretion"), ""),
        }


# --- 行政处罚决定书 ------------------------------------------------------------------------------------


class RemedyMixin:
    """The 复议/诉讼 route comes from RuleSettings, not from the officer, and is stored in data["remedy"] so
    the issued PDF and the stored data say the same thing. A draft saved before the settings changed is
    refused at issue until it is saved again (then it carries the current text)."""

    remedy_for_penalty = True

    def clean_remedy_text(self, cleaned) -> None:
        current = remedy_text(penalty=self.remedy_for_penalty)
        stored = self.data.get("remedy") if self.is_bound else None
        if stored and stored != current:
            self.add_error(
                None,
                f"复议、诉讼告知内容已按现行办案规则参数更新，请重新保存草稿后再签发（现为：{current}）。",
            )
        cleaned["remedy"] = current


class PenaltyDecisionForm(RemedyMixin, PenaltyFieldsForm):
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
    discretion = forms.ChoiceField(label="裁量情节", choices=DISCRETION_CHOICES)
    discretion_reason = text_field("裁量理由", rows=3, max_length=5000)
    statements_answer = text_field(
        "当事人陈述申辩（听证）意见及采纳情况", rows=3, required=False, max_length=5000
    )
    performance = text_field(
        "履行方式和期限",
        rows=3,
        max_length=2000,
        help_text="如：自收到本决定书之日起十五日内，到指定银行缴纳罚款",
    )
    performance_deadline_days = forms.IntegerField(
        label="履行期限（日）", min_value=1, max_value=365, initial=15
    )
    remedy = forms.CharField(
        label="申请行政复议或者提起行政诉讼的途径和期限",
        required=False,
        disabled=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="按办案规则参数自动生成，管理员可在后台修改。",
    )
    decided_on = date_field(
        "决定日期",
        help_text="是否公示及公示告知（总局令第45号 第八条）由系统依法确定并印在决定书上；"
        "确有法定理由不予公示的，须在签发前提出不予公示申请并经局负责人批准。",
    )

    field_order = [
        "facts",
        "evidence",
        "violation_type",
        "basis_violated",
        "basis_penalty",
        "discretion",
        "discretion_reason",
        "statements_answer",
        *_PENALTY_FIELD_ORDER,
        "performance",
        "performance_deadline_days",
        "remedy",
        "decided_on",
    ]

    takes_case = True

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        _required_by(
            "行政处罚法 第五十九条",
            self,
            [
                "facts",
                "evidence",
                "violation_type",
                "basis_violated",
                "basis_penalty",
                "penalty_types",
                "performance",
                "performance_deadline_days",
                "decided_on",
            ],
        )
        self.fields["remedy"].initial = remedy_text()

    def clean(self):
        cleaned = super().clean()
        self.clean_penalty(cleaned)
        check_bases(self, cleaned)
        types = set(cleaned.get("penalty_types") or [])
        if cleaned.get("discretion") == "none" and types:
            self.add_error(
                "penalty_types", "裁量情节为不予处罚的，不应选择处罚种类；请制作不予行政处罚决定书。"
            )
        self.clean_remedy_text(cleaned)
        return cleaned


@register
class PenaltyDecision(FilledDocumentType):
    key = "penalty_decision"
    title = "行政处罚决定书"
    form_class = PenaltyDecisionForm
    number_word = "处罚"
    to_party = True

    def initial(self, case):
        return {
            **matter_bases(case),
            "performance_deadline_days": 15,
            "remedy": remedy_text(),
        }

    def summary(self, data):
        labels = "、".join(PENALTY_LABELS.get(code, code) for code in data.get("penalty_types", []))
        fine = f"，罚款{data['fine_amount']}元" if data.get("fine_amount") else ""
        return f"{data.get('violation_type', '')}：{labels}{fine}"

    def context(self, document):
        context = {**super().context(document), **_penalty_context(document)}
        # Drafts recorded outside the form (demo data) carry no remedy: print the current one.
        context["data"]["remedy"] = context["data"]["remedy"] or remedy_text()
        # 总局令第45号 第八条: the written notice of publication, from the publication rule itself (disclosure
        # registers it); never an officer's tick.
        context["publication_notices"] = publication_notice.collect(self.key, document)
        return context

    @staticmethod
    def is_warning_only(data) -> bool:
        return set(data.get("penalty_types") or []) == {"warning"}


# --- 不予行政处罚决定书 --------------------------------------------------------------------------------


class NoPenaltyDecisionForm(RemedyMixin, forms.Form):
    """不予行政处罚决定书 (行政处罚法 第三十条、第三十一条、第三十三条): facts, evidence, the legal ground for
    not penalising, the education given (第三十三条 第三款), the remedy route, agency and date."""

    facts = text_field("违法事实", rows=6)
    evidence = text_field("证据", rows=4)
    basis_violated = text_field("违反的法律规定", rows=2, max_length=2000)
    basis_no_penalty = text_field(
        "不予处罚的依据", rows=2, max_length=2000, help_text="如：行政处罚法 第三十三条第一款"
    )
    reason = text_field("不予处罚的理由", rows=3, max_length=5000)
    education = text_field("对当事人的教育、责令改正情况", rows=3, max_length=5000)
    remedy = forms.CharField(
        label="申请行政复议或者提起行政诉讼的途径和期限",
        required=False,
        disabled=True,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    decided_on = date_field("决定日期")

    remedy_for_penalty = False
    takes_case = True

    def __init__(self, *args, case=None, **kwargs):
        self.case = case
        super().__init__(*args, **kwargs)
        self.fields["remedy"].initial = remedy_text(penalty=False)

    def clean(self):
        cleaned = super().clean()
        check_bases(self, cleaned, names=("basis_violated", "basis_no_penalty"))
        # The same code the 决定书 carries, so legal_review and disclosure read both alike.
        cleaned["discretion"] = "none"
        self.clean_remedy_text(cleaned)
        return cleaned


@register
class NoPenaltyDecision(FilledDocumentType):
    key = "no_penalty_decision"
    title = "不予行政处罚决定书"
    form_class = NoPenaltyDecisionForm
    number_word = "不罚"
    to_party = True

    def initial(self, case):
        return {"basis_violated": matter_bases(case)["basis_violated"], "remedy": remedy_text(penalty=False)}

    def summary(self, data):
        return f"不予处罚：{(data.get('reason') or '')[:30]}"

    def context(self, document):
        context = super().context(document)
        context["data"]["remedy"] = context["data"]["remedy"] or remedy_text(penalty=False)
        return context


# --- 听证报告 ------------------------------------------------------------------------------------------


class HearingReportForm(forms.Form):
    """听证报告: the presiding officer's report after the hearing, with an opinion on the case; the decision
    follows the 听证笔录 (行政处罚法 第六十五条) and a major case's legal review follows this report (第五十八条)."""

    hearing_on = date_field("听证日期")
    presiding_officer = line_field("听证主持人", max_length=50)
    summary = text_field("听证基本情况", rows=4)
    disputed = text_field("争议的事实、证据和法律适用", rows=5)
    opinion = text_field("听证主持人意见", rows=4)
    reported_on = date_field("报告日期")

    def clean(self):
        cleaned = super().clean()
        held, reported = cleaned.get("hearing_on"), cleaned.get("reported_on")
        if held and reported and reported < held:
            self.add_error("reported_on", "报告日期不能早于听证日期。")
        return cleaned


@register
class HearingReport(FilledDocumentType):
    key = "hearing_report"
    title = "听证报告"
    form_class = HearingReportForm
    volume = "sub"

    def summary(self, data):
        return f"主持人：{data.get('presiding_officer', '')}"
