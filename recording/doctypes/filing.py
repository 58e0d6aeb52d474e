"""Documents of the start of a case: 案件来源登记表, 立案审批表, 不予立案审批表, 有关事项审批表.

The three 审批表 print the opinions of the case's Approval records (the unit head's opinion and the bureau
head's approval, with names and times): the Approval is the request and its decision, the 审批表 its paper
form. A 审批表 is therefore issued only once its approval has been decided, so the frozen PDF carries them.
"""

from django import forms

from wuding_enforcement.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    LeadSource,
    OpinionStep,
)
from wuding_enforcement.shared.forms import date_field, line_field, text_field

from ..gates import register_document_gate
from .base import DocumentType, register

# Sources where someone outside the bureau brought the lead: name them unless the informant is anonymous.
SOURCES_WITH_INFORMANT = {
    LeadSource.COMPLAINT,
    LeadSource.REFERRAL,
    LeadSource.ASSIGNED,
    LeadSource.REPORTED,
}

LEAD_PROPOSALS = [
    ("file", "建议立案"),
    ("not_file", "建议不予立案"),
    ("transfer", "建议移送有管辖权的机关"),
]


def case_officer_choices(case):
    if case is None:
        return []
    return [
        (a.officer_id, a.officer.display_name)
        for a in case.assignments.select_related("officer").order_by("-is_lead", "assigned_at")
    ]


class LeadRegisterForm(forms.Form):
    """案件来源登记表: where the lead came from, who brought it (may be anonymous), what it says, and the
    officer's 核查意见 on it."""

    source = forms.ChoiceField(label="案件来源", choices=LeadSource.choices)
    received_on = date_field("线索收到日期")
    informant_anonymous = forms.BooleanField(label="匿名投诉举报", required=False)
    informant_name = line_field(
        "投诉举报人/移送、交办单位", required=False, max_length=100, help_text="匿名举报的不填"
    )
    informant_contact = line_field("联系方式", required=False, max_length=100)
    content = text_field("线索内容", rows=6, max_length=5000)
    check_opinion = text_field("核查意见", rows=4, max_length=5000, help_text="核查的过程和发现")
    proposal = forms.ChoiceField(label="处理建议", choices=LEAD_PROPOSALS)

    def clean(self):
        cleaned = super().clean()
        anonymous = cleaned.get("informant_anonymous")
        name = (cleaned.get("informant_name") or "").strip()
        if anonymous and (name or (cleaned.get("informant_contact") or "").strip()):
            self.add_error("informant_name", "已勾选匿名投诉举报，不应填写举报人姓名或联系方式。")
        if not anonymous and not name and cleaned.get("source") in SOURCES_WITH_INFORMANT:
            self.add_error(
                "informant_name", "请填写投诉举报人或移送、交办、报请单位；匿名举报请勾选“匿名投诉举报”。"
            )
        return cleaned


@register
class LeadRegister(DocumentType):
    key = "lead_register"
    title = "案件来源登记表"
    form_class = LeadRegisterForm
    volume = "main"

    def initial(self, case):
        return {
            "source": case.lead_source,
            "received_on": case.lead_date,
            "content": case.lead_summary,
        }

    def summary(self, data):
        return f"{dict(LeadSource.choices).get(data.get('source'), '')}：{(data.get('content') or '')[:40]}"


# --- 审批表 -----------------------------------------------------------------------------------------------


def approval_record(document, kind: str | None):
    """The case's latest approval of `kind` that was not withdrawn, with its opinions, or None."""
    if not kind:
        return None
    approval = (
        Approval.objects.filter(case_id=document.case_id, kind=kind)
        .exclude(status=ApprovalStatus.WITHDRAWN)
        .select_related("requested_by")
        .order_by("-requested_at", "-pk")
        .first()
    )
    if approval is None:
        return None
    opinions = {o.step: o for o in approval.opinions.select_related("by")}
    approval.unit_opinion = opinions.get(OpinionStep.UNIT_HEAD)
    approval.bureau_opinion = opinions.get(OpinionStep.BUREAU_HEAD)
    return approval


class ApprovalFormType(DocumentType):
    """A 审批表 printing its Approval's opinions."""

    volume = "sub"

    def approval_kind_for(self, data) -> str | None:
        return self.approval_kind

    def context(self, document):
        return {"approval": approval_record(document, self.approval_kind_for(document.data))}


def approval_decided(document, user):
    """A 审批表 is issued once its approval is decided: the frozen PDF must carry the unit head's opinion and
    the bureau head's decision (an issued document never changes)."""
    doctype = document.doctype
    kind = doctype.approval_kind_for(document.data or {})
    if not kind:
        return
    approval = (
        Approval.objects.filter(case_id=document.case_id, kind=kind)
        .exclude(status=ApprovalStatus.WITHDRAWN)
        .order_by("-requested_at", "-pk")
        .first()
    )
    label = ApprovalKind(kind).label
    if approval is None:
        yield f"尚未提请“{label}”：请先提请审批，审批完成后再签发{doctype.title}。"
    elif approval.status not in (ApprovalStatus.APPROVED, ApprovalStatus.REJECTED):
        yield f"“{label}”尚在审批中（{approval.get_status_display()}）：审批完成后再签发{doctype.title}。"


class FilingApprovalForm(forms.Form):
    """立案审批表: the case summary, the proposed officers (at least two, 行政处罚法 第四十二条) and the basis."""

    takes_case = True

    case_summary = text_field("案情摘要", rows=6, max_length=5000)
    violated_provision = text_field("涉嫌违反的法律规定", rows=2, max_length=2000)
    basis = text_field(
        "立案依据",
        rows=2,
        max_length=2000,
        help_text="如：《市场监督管理行政处罚程序规定》第十九条",
    )
    proposed_officers = forms.TypedMultipleChoiceField(
        label="拟承办人员", coerce=int, widget=forms.CheckboxSelectMultiple, choices=()
    )
    handler_opinion = text_field("承办人意见", rows=2, max_length=2000)

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["proposed_officers"].choices = case_officer_choices(case)

    def clean_proposed_officers(self):
        chosen = self.cleaned_data["proposed_officers"]
        if len(chosen) < 2:
            raise forms.ValidationError("拟承办人员至少为两名执法人员（行政处罚法 第四十二条）。")
        return chosen


@register
class FilingApproval(ApprovalFormType):
    key = "filing_approval"
    title = "立案审批表"
    form_class = FilingApprovalForm
    approval_kind = ApprovalKind.FILING

    def initial(self, case):
        return {
            "case_summary": case.lead_summary,
            "basis": "《市场监督管理行政处罚程序规定》第十九条",
            "proposed_officers": [pk for pk, _ in case_officer_choices(case)],
            "handler_opinion": "经核查，有证据初步证明当事人涉嫌违法，依法应当给予行政处罚，建议立案调查。",
        }

    def summary(self, data):
        return (data.get("case_summary") or "")[:40]

    def context(self, document):
        from wuding_enforcement.roster.models import Staff

        chosen = document.data.get("proposed_officers") or []
        staff = {s.pk: s for s in Staff.objects.filter(pk__in=chosen)}
        return {
            **super().context(document),
            "proposed_officers": [staff[pk] for pk in chosen if pk in staff],
        }


NOT_FILING_REASONS = [
    ("facts_not_established", "违法事实不能成立"),
    ("minor_corrected", "违法行为轻微并及时改正，没有造成危害后果"),
    ("first_minor", "初次违法且危害后果轻微并及时改正"),
    ("no_fault", "当事人有证据足以证明没有主观过错"),
    ("not_jurisdiction", "不属于本部门管辖"),
    ("time_barred", "违法行为已超过追责时效"),
    ("other", "其他依法不予立案的情形"),
]


class NotFilingApprovalForm(forms.Form):
    """不予立案审批表 (《市场监督管理行政处罚程序规定》第十九条、第二十条)."""

    case_summary = text_field("案情摘要", rows=5, max_length=5000)
    reason_category = forms.ChoiceField(label="不予立案的情形", choices=NOT_FILING_REASONS)
    reason = text_field("不予立案的理由", rows=4, max_length=5000)
    transfer_to = line_field(
        "移送机关", required=False, max_length=100, help_text="不属于本部门管辖的，写明移送的机关"
    )
    handler_opinion = text_field("承办人意见", rows=2, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason_category") == "not_jurisdiction"
            and not (cleaned.get("transfer_to") or "").strip()
        ):
            self.add_error("transfer_to", "不属于本部门管辖的，请写明移送的有管辖权的机关。")
        return cleaned


@register
class NotFilingApproval(ApprovalFormType):
    key = "not_filing_approval"
    title = "不予立案审批表"
    form_class = NotFilingApprovalForm
    approval_kind = ApprovalKind.NOT_FILING

    def initial(self, case):
        return {"case_summary": case.lead_summary}

    def summary(self, data):
        return dict(NOT_FILING_REASONS).get(data.get("reason_category"), "")


# 有关事项审批表 covers the approvals that have no form of their own.
MATTER_KINDS = [
    (k.value, k.label)
    for k in ApprovalKind
    if k not in (ApprovalKind.FILING, ApprovalKind.NOT_FILING, ApprovalKind.CLOSING)
]
# The ceiling of each extension and the rule that sets it.
EXTENSION_LIMITS = {
    ApprovalKind.FILING_EXTENSION: (15, "个工作日", "《市场监督管理行政处罚程序规定》第十八条"),
    ApprovalKind.DECISION_EXTENSION: (30, "日", "《市场监督管理行政处罚程序规定》第六十四条"),
    ApprovalKind.SEIZURE_EXTENSION: (30, "日", "行政强制法 第二十五条"),
}


class MatterApprovalForm(forms.Form):
    """有关事项审批表: extensions of the statutory periods and other matters needing approval."""

    kind = forms.ChoiceField(label="审批事项类别", choices=MATTER_KINDS)
    matter = line_field("审批事项", max_length=200, help_text="如：延长案件办理期限")
    days = forms.IntegerField(label="延长天数", required=False, min_value=1, max_value=365)
    reason = text_field("申请理由", rows=5, max_length=5000)
    handler_opinion = text_field("承办人意见", rows=2, max_length=2000)

    def clean(self):
        cleaned = super().clean()
        kind, days = cleaned.get("kind"), cleaned.get("days")
        limit = EXTENSION_LIMITS.get(kind)
        if limit:
            most, unit, law = limit
            if days is None:
                self.add_error("days", "延长期限的审批须填写延长天数。")
            elif days > most:
                self.add_error("days", f"{ApprovalKind(kind).label}不得超过{most}{unit}（{law}）。")
        elif days is not None:
            self.add_error("days", "只有延长期限的审批填写延长天数。")
        return cleaned


@register
class MatterApproval(ApprovalFormType):
    key = "matter_approval"
    title = "有关事项审批表"
    form_class = MatterApprovalForm

    def approval_kind_for(self, data):
        kind = (data or {}).get("kind")
        return kind if kind in dict(MATTER_KINDS) else None

    def summary(self, data):
        days = f"（{data['days']}日）" if data.get("days") else ""
        return f"{data.get('matter', '')}{days}"


register_document_gate(
    approval_decided,
    doc_types=["filing_approval", "not_filing_approval", "matter_approval"],
    name="recording.approval_form_decided",
)
