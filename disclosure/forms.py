"""The public site's forms: they read and type the input; the rules are on the models (a form never decides
whether an action is allowed — the model method does, for the page and a forged POST alike)."""

from django import forms
from django.utils import timezone

from wuding_enforcement.roster.models import Unit
from wuding_enforcement.shared.forms import date_field

from . import redaction
from .models import CHANGE_KINDS, EARLY_END_CONDITIONS, ChangeSource, CreditExportFormat, WithdrawalKind

# --- Public -------------------------------------------------------------------------------------------------


class SearchForm(forms.Form):
    """The public search of published decisions (PublicationQuerySet.search)."""

    party = forms.CharField(label="当事人", max_length=50, required=False)
    number = forms.CharField(label="决定书文号", max_length=60, required=False)
    violation = forms.CharField(label="违法行为类型", max_length=50, required=False)
    unit = forms.ModelChoiceField(
        label="承办单位", queryset=Unit.objects.none(), required=False, empty_label="全部"
    )
    date_from = date_field("决定日期从", required=False, future_ok=True)
    date_to = date_field("至", required=False, future_ok=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).only("pk", "name")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return cleaned

    def search(self, qs, *, indexed=True):
        """`qs` narrowed to what the visitor asked for; nothing when the input is invalid."""
        if not self.is_valid():
            return qs.none()
        data = self.cleaned_data
        return qs.search(
            party=data["party"],
            number=data["number"],
            violation=data["violation"],
            unit=data["unit"],
            date_from=data["date_from"],
            date_to=data["date_to"],
            indexed=indexed,
        )


class ErrorReportForm(forms.Form):
    name = forms.CharField(label="称呼（选填）", max_length=50, required=False)
    contact = forms.CharField(
        label="联系方式（选填）", max_length=100, required=False, help_text="便于我们核实和答复"
    )
    content = forms.CharField(
        label="您发现的问题",
        min_length=5,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": "请写明您发现的问题。",
            "min_length": "请把问题写得具体一些（至少5个字）。",
        },
    )
    # A field people do not see (hidden by CSS, skipped by keyboard): bots fill it in.
    website = forms.CharField(label="网址", required=False)

    @property
    def filled_by_a_bot(self) -> bool:
        return bool(self.is_valid() and self.cleaned_data["website"])


# --- Staff: the review of a publication ----------------------------------------------------------------------


class RedactionForm(forms.Form):
    start = forms.IntegerField(min_value=0)
    end = forms.IntegerField(min_value=1)
    kind = forms.ChoiceField(label="类别", choices=redaction.KIND_CHOICES)


class RedactTextForm(forms.Form):
    needle = forms.CharField(label="要隐去的文字", max_length=200)
    kind = forms.ChoiceField(label="类别", choices=redaction.KIND_CHOICES, initial=redaction.NAME)


class RemoveRedactionForm(forms.Form):
    reason = forms.CharField(label="取消理由", max_length=200)


class WithdrawForm(forms.Form):
    kind = forms.ChoiceField(label="撤回原因", choices=WithdrawalKind.choices)
    reason = forms.CharField(
        label="撤回理由（向社会公开）", max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )
    event_on = date_field("决定被变更、撤销或确认违法、无效的日期", required=False, future_ok=True)


class DecisionChangeForm(forms.Form):
    """行政处罚法 第四十八条 第二款: what changed the decision, and when it reached the bureau."""

    source = forms.ChoiceField(label="来源", choices=ChangeSource.choices)
    kind = forms.ChoiceField(label="结果", choices=CHANGE_KINDS)
    instrument = forms.CharField(label="文书名称及文号", max_length=200)
    effective_on = date_field("生效日期（人民法院裁判）", required=False, future_ok=True)
    received_on = date_field("送达本局日期", future_ok=True)
    note = forms.CharField(
        label="说明", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class EarlyEndForm(forms.Form):
    """总局令第45号 第十四条: each condition is a box the reviewer ticks (Publication.end_early checks them)."""

    request_on = date_field("当事人申请日期", future_ok=True)
    note = forms.CharField(
        label="审核意见", max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for key, label in EARLY_END_CONDITIONS:
            self.fields[key] = forms.BooleanField(label=label, required=False)

    @property
    def condition_fields(self):
        return [self[key] for key, _ in EARLY_END_CONDITIONS]


class CloseForm(forms.Form):
    reason = forms.CharField(
        label="不予公示的理由", max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(label="答复", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    corrected = forms.BooleanField(label="已据此更正公示信息", required=False)


# --- Staff: the credit-system export -----------------------------------------------------------------------


class PeriodForm(forms.Form):
    """A period of publication dates to preview or export. It ends today at the latest, so that an exported
    period is closed: a decision published later on a day it covers would otherwise wait outside both."""

    period_from = date_field("公示日期从", future_ok=True)
    period_to = date_field("至", future_ok=True)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("period_from"), cleaned.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", "结束日期不能早于开始日期。")
        if end and end > timezone.localdate():
            self.add_error("period_to", "结束日期不能晚于今天。")
        return cleaned


class ExportForm(PeriodForm):
    format = forms.ChoiceField(choices=CreditExportFormat.choices)
