"""Asking for the bureau head's approval of 先行登记保存, 查封扣押 (also afterwards, for an urgent seizure) and
the extension of a seizure, from the recording pages beside the acts they concern (the case page offers
the other approvals). The approval itself — the unit head's opinion, then the bureau head's, each with
opinion and time — is the shared case's Approval; recording/approvals.py holds the gates that read it.

URL name: recording:coercion_approval_request (POST: kind = preservation | seizure | seizure_ext, reason,
days for an extension, next).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.cases.models import ApprovalKind
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.refusals import show_refusal

KINDS = (ApprovalKind.PRESERVATION, ApprovalKind.SEIZURE, ApprovalKind.SEIZURE_EXTENSION)


class CoercionApprovalForm(forms.Form):
    kind = forms.ChoiceField(label="审批事项", choices=[(k.value, k.label) for k in KINDS])
    reason = forms.CharField(label="申请理由", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    days = forms.IntegerField(
        label="延长天数",
        required=False,
        min_value=1,
        max_value=30,
        help_text="延长查封扣押期限不得超过30日。",
    )


@require_POST
@login_required
def coercion_approval_request(request, pk):
    case = get_case_for_user(request, pk, write=True)
    form = CoercionApprovalForm(request.POST)
    if form.is_valid():
        kind = form.cleaned_data["kind"]
        days = form.cleaned_data["days"] if kind == ApprovalKind.SEIZURE_EXTENSION else None
        try:
            case.request_approval(kind, by=request.user, reason=form.cleaned_data["reason"], days=days)
        except TransitionRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(
                request, f"已提交“{ApprovalKind(kind).label}”，待承办单位负责人签署意见后报局负责人审批。"
            )
    else:
        show_form_problems(request, form)
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(reverse("recording:workspace", args=[case.pk]))
