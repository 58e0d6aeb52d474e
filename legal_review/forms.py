"""Forms of the legal-review pages: they read input only; the rules are in the domain methods."""

from django import forms

from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.forms import date_field

from .models import (
    AdviserKind,
    CheckPoint,
    CheckResult,
    CollectiveConclusion,
    CoordinationOutcome,
    MajorCriterion,
    RoundStatus,
)


def _text(label, rows=3, required=True, max_length=5000):
    return forms.CharField(
        label=label, required=required, max_length=max_length, widget=forms.Textarea(attrs={"rows": rows})
    )


class FlagForm(forms.Form):
    criterion = forms.ModelChoiceField(
        label="认定标准", queryset=MajorCriterion.objects.filter(is_active=True)
    )
    reason = _text("理由")


class ReasonForm(forms.Form):
    reason = _text("理由", rows=2)


class SubmitForm(forms.Form):
    base_amount = forms.DecimalField(
        label="计算基数（货值金额、违法所得、广告费用等，元）",
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        help_text="按倍数处罚的，填写该基数以便与裁量基准比对。",
    )
    note = _text("送审说明", rows=2, required=False, max_length=2000)
    confirmed = forms.BooleanField(
        label="本单位承诺送审材料真实、完整，并对其真实性、完整性负责", required=False
    )


class AssignForm(forms.Form):
    reviewer = forms.ModelChoiceField(label="审核人员", queryset=Staff.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reviewer"].queryset = Staff.objects.with_role(Role.LEGAL_REVIEWER).order_by("username")


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(
        label="审核结论",
        choices=[
            (s.value, s.label) for s in (RoundStatus.APPROVED, RoundStatus.RETURNED, RoundStatus.REFUSED)
        ],
        widget=forms.RadioSelect,
    )
    opinion = _text("审核意见", rows=5, max_length=20000)
    crime_suspected = forms.BooleanField(label="涉嫌犯罪，建议移送司法机关", required=False)
    confirm_overrides = forms.BooleanField(
        label="系统预审发现问题的要点，我已逐项审查并写明认定通过的理由，确认仍作出同意的结论",
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for point in CheckPoint:
            self.fields[f"point_{point.value}"] = forms.ChoiceField(
                label=f"{point.value}. {point.label}", choices=CheckResult.choices, widget=forms.RadioSelect
            )
            self.fields[f"comment_{point.value}"] = _text(f"第{point.value}项意见", rows=2, required=False)
            self.fields[f"override_{point.value}"] = _text(
                f"第{point.value}项：系统预审发现问题，审核人员仍予认可的理由", rows=2, required=False
            )

    def point_fields(self):
        return [(self[f"point_{p.value}"], self[f"comment_{p.value}"]) for p in CheckPoint]

    def point_rows(self, flagged: dict) -> list:
        """(result, comment, override reason, the pre-check's problems) per point, for the page: the reason
        field is shown only where the pre-check found a problem."""
        return [
            (
                self[f"point_{p.value}"],
                self[f"comment_{p.value}"],
                self[f"override_{p.value}"],
                flagged.get(p.value, []),
            )
            for p in CheckPoint
        ]

    def override_reasons(self) -> dict:
        return {p.value: self.cleaned_data.get(f"override_{p.value}", "") for p in CheckPoint}

    def points(self) -> dict:
        return {
            p.value: (
                self.cleaned_data.get(f"point_{p.value}"),
                self.cleaned_data.get(f"comment_{p.value}", ""),
            )
            for p in CheckPoint
        }


class AdviserAskForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=AdviserKind.choices)
    adviser = forms.CharField(label="姓名及单位", max_length=100)
    question = _text("咨询事项", rows=2)


class AdviserOpinionForm(forms.Form):
    opinion = _text("书面意见", rows=4)
    received_on = date_field("收到意见日期")


class ObjectionForm(forms.Form):
    text = _text("异议理由", rows=4)


class CoordinationForm(forms.Form):
    held_on = date_field("协调日期")
    participants = _text("参加人员", rows=2, max_length=1000)
    discussion = _text("协调情况", rows=4)
    conclusion = _text("协调结论", rows=2)
    outcome = forms.ChoiceField(
        label="处理方式", choices=CoordinationOutcome.choices, widget=forms.RadioSelect
    )


class CollectiveForm(forms.Form):
    held_on = date_field("讨论日期")
    place = forms.CharField(label="地点", max_length=100, required=False)
    participants = forms.ModelMultipleChoiceField(
        label="参加的局负责人", queryset=Staff.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    attendees = _text("列席人员", rows=2, required=False, max_length=1000)
    opinions = _text("讨论意见", rows=5, max_length=20000)
    conclusion = forms.ChoiceField(
        label="结论", choices=CollectiveConclusion.choices, widget=forms.RadioSelect
    )
    conclusion_text = _text("结论性意见", rows=3)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = Staff.objects.with_role(Role.BUREAU_HEAD).order_by("username")
