"""Forms of the inspection pages: they read input; the domain (the models' methods, drawing, plans) decides."""

from django import forms
from django.utils import timezone

from wuding_enforcement.roster.models import Role, Staff
from wuding_enforcement.shared.forms import date_field, line_field, text_field

from .models import (
    CASE_SOURCES,
    ApprovalBody,
    InspectionItem,
    InspectionKind,
    InspectionPlan,
    MarketEntity,
    PlanEntry,
    Result,
    WithdrawalKind,
)

# The kinds an officer registers by hand (双随机 tasks come from draws only).
REGISTERED_KINDS = [
    (k.value, k.label) for k in InspectionKind if k not in (InspectionKind.RANDOM, InspectionKind.FOLLOW_UP)
]


class EntityChoiceField(forms.CharField):
    """The entity by its 统一社会信用代码 (typed or scanned from the licence)."""

    def clean(self, value):
        value = super().clean(value)
        entity = MarketEntity.objects.filter(credit_code=(value or "").strip().upper()).first()
        if entity is None:
            raise forms.ValidationError("名录库中没有该统一社会信用代码的市场主体。")
        return entity


class RegisterForm(forms.Form):
    kind = forms.ChoiceField(label="检查类型", choices=REGISTERED_KINDS)
    entity = EntityChoiceField(label="检查对象（统一社会信用代码）", max_length=18)
    item = forms.ModelChoiceField(label="检查事项", queryset=InspectionItem.objects.none())
    plan = forms.ModelChoiceField(
        label="检查计划（重点、专项检查）", queryset=InspectionPlan.objects.none(), required=False
    )
    source = forms.ChoiceField(
        label="任务来源（个案检查）", choices=[("", "——")] + CASE_SOURCES, required=False
    )
    source_note = line_field("来源说明", required=False, help_text="投诉举报编号、转办单位或许可受理编号")
    officers = forms.ModelMultipleChoiceField(
        label="检查人员（至少两名）", queryset=Staff.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    planned_on = date_field("检查日期", future_ok=True)
    reason = text_field("检查事由", rows=3, max_length=2000)
    over_cap_reason = text_field(
        "超出频次上限的理由",
        rows=2,
        required=False,
        max_length=2000,
        help_text="已达年度检查频次上限时填写（将被标记）",
    )
    emergency_reason = text_field(
        "紧急情况说明",
        rows=2,
        required=False,
        max_length=2000,
        help_text="情况紧急、须立即检查的，填写后按紧急检查登记：当日登记、事后补办审批（将被标记）。",
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = InspectionItem.objects.public().filter(power_item__isnull=False)
        self.fields["plan"].queryset = InspectionPlan.objects.current()
        officers = (
            Staff.objects.with_role(Role.OFFICER).select_related("unit").order_by("unit__order", "real_name")
        )
        if user is not None and user.unit_id and not user.has_role(Role.BUREAU_HEAD):
            officers = officers.filter(unit_id=user.unit_id)
        self.fields["officers"].queryset = officers.distinct()
        self.fields["officers"].label_from_instance = lambda s: f"{s.display_name}（{s.unit or ''}）"
        if user is not None and not self.is_bound:
            self.fields["planned_on"].initial = timezone.localdate()
            self.fields["officers"].initial = [user.pk]


class OpinionForm(forms.Form):
    opinion = text_field("审批意见", rows=2, max_length=2000)


class ReasonForm(forms.Form):
    reason = text_field("理由", rows=2, max_length=2000)


class ResultForm(forms.Form):
    result = forms.ChoiceField(label="检查结果", choices=Result.choices, widget=forms.RadioSelect)
    result_on = date_field("结果形成日期")
    summary = text_field("检查情况", rows=3, max_length=4000)
    rectify_by = date_field("整改期限（责令整改）", required=False, future_ok=True)
    samples_taken = forms.BooleanField(label="抽样检验（检验报告出具后公示）", required=False)
    test_report_on = date_field("检验报告出具日期", required=False)
    lead_title = line_field("案由（移交立案）", required=False, help_text="如：涉嫌销售超过保质期食品案")


class DateForm(forms.Form):
    on = date_field("日期")


class PublishForm(forms.Form):
    public_summary = text_field(
        "公示内容",
        rows=3,
        max_length=2000,
        help_text="公众看到的检查结果：不写自然人身份证号、住址、电话等个人信息。",
    )


class CorrectForm(PublishForm):
    """更正: the new text (redacted and previewed as at publish) and why."""

    reason = text_field("更正理由", rows=2, max_length=2000, help_text="记入公示历史和审计日志。")


class ConfirmForm(forms.Form):
    """The confirmation of a preview: the text exactly as previewed and the preview's digest."""

    public_summary = forms.CharField(max_length=2000, widget=forms.HiddenInput)
    reason = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)
    preview_digest = forms.CharField(max_length=64, widget=forms.HiddenInput)


class WithdrawForm(forms.Form):
    kind = forms.ChoiceField(label="撤回原因类别", choices=WithdrawalKind.choices)
    reason = text_field("撤回理由", rows=2, max_length=2000, help_text="撤回理由将向社会公开。")


class FollowUpForm(forms.Form):
    planned_on = date_field("复查日期", future_ok=True)


class PlanForm(forms.ModelForm):
    class Meta:
        model = InspectionPlan
        fields = ["kind", "year", "title", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}


class EntryForm(forms.ModelForm):
    class Meta:
        model = PlanEntry
        fields = ["item", "period", "share_a", "share_b", "share_c", "share_d", "officers_per_entity", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].queryset = InspectionItem.objects.public()


class ApproveForm(forms.Form):
    on = date_field("批准日期")
    body = forms.ChoiceField(label="批准机关", choices=ApprovalBody.choices)
    ref = line_field("批准文号", required=False, help_text="专项检查计划填写县人民政府或上级机关的批准文号")


class FilingForm(forms.Form):
    justice_on = date_field("报县司法局备案日期")
    superior_on = date_field("报上级市场监管部门备案日期")


class ImportForm(forms.Form):
    file = forms.FileField(label="名录库文件（.xlsx 或 .csv）", help_text="不超过 5 MB；第1行为表头。")


class ConflictForm(forms.Form):
    officer = forms.ModelChoiceField(label="执法人员", queryset=Staff.objects.none())
    reason = line_field("回避事由")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = (
            Staff.objects.with_role(Role.OFFICER).order_by("real_name").distinct()
        )


class CommitForm(forms.Form):
    entry = forms.ModelChoiceField(label="计划检查事项", queryset=PlanEntry.objects.none())
    round = forms.IntegerField(label="批次", min_value=1, initial=1)
    draw_on = date_field("抽取日期", future_ok=True)
    public_source = line_field(
        "公开随机值",
        max_length=300,
        help_text="承诺时尚未产生、任何人无法控制的值，如：2026年5月12日中国福利彩票双色球开奖号码",
    )
    max_per_officer = forms.IntegerField(label="每名执法人员最多检查（户）", min_value=1, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = (
            PlanEntry.objects.filter(plan__in=InspectionPlan.objects.current(), item__mode="random")
            .select_related("plan", "item")
            .order_by("plan__year", "item__code")
        )
        self.fields["entry"].label_from_instance = lambda e: f"{e.plan.title}：{e.item.item}"


class RunForm(forms.Form):
    public_value = line_field("公开随机值", max_length=200)
    note = line_field("出处", max_length=300, help_text="发布机构、期号、网址")


class RateForm(forms.Form):
    score = forms.TypedChoiceField(
        label="评分",
        choices=[(n, f"{n}星") for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label="评价意见（选填）", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ComplaintForm(forms.Form):
    kind = forms.ChoiceField(
        label="类型", choices=[("complaint", "投诉"), ("avoidance", "申请回避")], widget=forms.RadioSelect
    )
    officer = forms.TypedChoiceField(label="申请回避的执法人员", coerce=int, required=False, choices=())
    text = forms.CharField(label="内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    contact = forms.CharField(label="联系方式（选填）", required=False, max_length=100)

    def __init__(self, *args, officers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["officer"].choices = [("", "——")] + [(o.pk, o.display_name) for o in officers]
