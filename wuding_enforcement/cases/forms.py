"""Forms of the staff case pages: the list filters and the three actions of the case page.

The forms only read and shape the input; whether an action is allowed is decided by the domain
(Case.request_approval, Approval.give_opinion, Case.advance), which answers in Chinese.
"""

from typing import cast

from django import forms
from django.db.models import Q
from django.utils import timezone

from wuding_enforcement.roster.certification import choice_label
from wuding_enforcement.roster.models import Unit

from .gates import STAGES_NEEDING_APPROVAL as TARGETS_NEEDING_APPROVAL
from .models import ApprovalKind
from .workflow import Procedure, Stage

# The approvals an officer asks for from the case page. 先行登记保存 and 查封扣押 are asked for from the
# recording pages, beside the evidence they concern.
CASE_PAGE_APPROVAL_KINDS = (
    ApprovalKind.FILING,
    ApprovalKind.NOT_FILING,
    ApprovalKind.FILING_EXTENSION,
    ApprovalKind.DECISION_EXTENSION,
    ApprovalKind.CLOSING,
    ApprovalKind.OTHER,
)
EXTENSION_KINDS = (ApprovalKind.FILING_EXTENSION, ApprovalKind.DECISION_EXTENSION)


def _blank(label):
    return [("", label)]


class CaseFilterForm(forms.Form):
    """GET filters of the case list; every field is optional and an invalid value is simply ignored."""

    q = forms.CharField(
        label="关键词",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": "编号、案由或当事人名称", "type": "search"}),
    )
    stage = forms.ChoiceField(label="阶段", required=False, choices=_blank("全部阶段") + list(Stage.choices))
    procedure = forms.ChoiceField(
        label="程序", required=False, choices=_blank("全部程序") + list(Procedure.choices)
    )
    unit = forms.ChoiceField(label="承办单位", required=False, choices=_blank("全部单位"))
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)
    mine = forms.BooleanField(label="只看我承办的", required=False)

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        # The units are read once by the view and serve both the choices and the chosen value, so the
        # filter costs the same number of queries whether a unit is chosen or not.
        units = list(units if units is not None else Unit.objects.filter(is_active=True))
        self._units = {str(u.pk): u for u in units}
        cast(forms.ChoiceField, self.fields["unit"]).choices = _blank("全部单位") + [
            (str(u.pk), u.name) for u in units
        ]

    def clean_unit(self):
        raw = self.cleaned_data["unit"]
        return self._units[raw] if raw else None

    def filter(self, queryset, user):
        """Apply the valid filters to `queryset` (already scoped to what `user` may see)."""
        if not self.is_valid():
            return queryset
        from .models import CaseOfficer, Party

        data = self.cleaned_data
        if data["stage"]:
            queryset = queryset.filter(stage=data["stage"])
        if data["procedure"]:
            queryset = queryset.filter(procedure=data["procedure"])
        if data["unit"]:
            queryset = queryset.filter(handling_unit=data["unit"])
        if data["year"]:
            queryset = queryset.filter(lead_year=data["year"])
        if data["mine"]:
            queryset = queryset.filter(pk__in=CaseOfficer.objects.filter(officer=user).values("case_id"))
        q = data["q"].strip()
        if q:
            # Party names through a subquery: a join would repeat a case once per matching party.
            queryset = queryset.filter(
                Q(lead_number__icontains=q)
                | Q(case_number__icontains=q)
                | Q(title__icontains=q)
                | Q(pk__in=Party.objects.filter(name__icontains=q).values("case_id"))
            )
        return queryset


class ApprovalRequestForm(forms.Form):
    kind = forms.ChoiceField(label="审批事项", choices=[(k.value, k.label) for k in CASE_PAGE_APPROVAL_KINDS])
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    days = forms.IntegerField(
        label="延长天数", required=False, min_value=1, max_value=365, help_text="仅延长期限的申请填写。"
    )

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if kinds is not None:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [(k.value, k.label) for k in kinds]


class OpinionForm(forms.Form):
    agree = forms.TypedChoiceField(
        label="审批结论",
        choices=[("yes", "同意"), ("no", "不同意")],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class AdvanceForm(forms.Form):
    """Any stage may be posted: the domain, not the form, says why a move is refused."""

    target = forms.ChoiceField(label="转入阶段", choices=Stage.choices)
    on = forms.DateField(
        label="日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="不填则为今天。",
    )
    reason = forms.CharField(
        label="说明",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="中止、终止、移送须写明理由。",
    )

    def __init__(self, *args, targets=None, **kwargs):
        super().__init__(*args, **kwargs)
        if targets is not None:
            self.fields["target"].widget.choices = [(t, Stage(t).label) for t in targets]

    def clean_on(self):
        on = self.cleaned_data["on"] or timezone.localdate()
        if on > timezone.localdate():
            raise forms.ValidationError("日期不能晚于今天：只能记录已经发生的事。")
        return on


def advance_choices(case) -> tuple[list[str], list[str]]:
    """Split the case's next stages into those the officer may move to directly and those that happen
    only when their approval (立案、不予立案、结案审批) is approved."""
    direct: list[str] = []
    by_approval: list[str] = []
    for target in case.allowed_targets():
        (
            by_approval
            if target in TARGETS_NEEDING_APPROVAL and case.procedure == Procedure.ORDINARY
            else direct
        ).append(target)
    return direct, by_approval


def approval_kinds_for(case) -> list[ApprovalKind]:
    """The approvals the case page offers: those of CASE_PAGE_APPROVAL_KINDS the domain admits now
    (Case.requestable_approval_kinds, the same rules that refuse a forged request)."""
    return case.requestable_approval_kinds(CASE_PAGE_APPROVAL_KINDS)


class OfficerChangeForm(forms.Form):
    """变更承办人员: the officers of the handling unit, each marked when no certificate is valid today and why
    (roster/certification.py choice_label); whether the change may be asked for and approved is the domain's."""

    lead = forms.ChoiceField(label="主办人")
    officers = forms.MultipleChoiceField(
        label="协办人员",
        widget=forms.CheckboxSelectMultiple,
        help_text="变更后须有至少两名持有效执法证件的执法人员（行政处罚法 第四十二条）；经局负责人批准后生效。",
        error_messages={"required": "请至少选择一名协办人员。"},
    )
    reason = forms.CharField(label="变更理由", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)

    def __init__(self, *args, case, **kwargs):
        super().__init__(*args, **kwargs)
        from wuding_enforcement.roster.models import Role, Staff

        people = list(
            Staff.objects.with_role(Role.OFFICER)
            .filter(unit_id=case.handling_unit_id, is_active=True)
            .prefetch_related("certificates")
            .order_by("real_name")
            .distinct()
        )
        self._people = {str(p.pk): p for p in people}
        today = timezone.localdate()
        choices = [(str(p.pk), choice_label(p, today)) for p in people]
        cast(forms.ChoiceField, self.fields["lead"]).choices = [("", "请选择")] + choices
        cast(forms.ChoiceField, self.fields["officers"]).choices = choices

    def team(self) -> list:
        """The proposed officers, the lead first (valid only after is_valid())."""
        lead = self._people[self.cleaned_data["lead"]]
        return [lead] + [self._people[pk] for pk in self.cleaned_data["officers"] if pk != str(lead.pk)]
