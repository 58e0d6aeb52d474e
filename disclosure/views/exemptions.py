"""不予公示申请 pages (disclosure/models/exemptions.py holds the rules): an officer of a case asks, before the
决定书 is issued, with a ground from the closed list; a bureau head approves or refuses. A forged POST meets the
same refusals as the page (they are the model's); a case the user may not see is a 404."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.cases.models import Case
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.refusals import Refused, get_visible_or_404, show_refusal

from ..models import ExemptionGround, ExemptionStatus, PublicationExemption


class ExemptionRequestForm(forms.Form):
    case = forms.IntegerField(label="案件编号（系统内编号）", min_value=1)
    ground = forms.ChoiceField(label="法定理由", choices=ExemptionGround.choices)
    reason = forms.CharField(
        label="具体事实和理由", max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ExemptionDecisionForm(forms.Form):
    approve = forms.BooleanField(required=False)
    note = forms.CharField(label="审批意见", max_length=1000, required=False)


def _visible_exemptions(user):
    qs = PublicationExemption.objects.select_related("case", "party", "requested_by", "decided_by")
    if user.is_superuser or user.has_role(Role.BUREAU_HEAD, Role.ADMIN):
        return qs
    return qs.filter(case__in=Case.objects.visible_to(user))


@require_http_methods(["GET", "POST"])
@login_required
def exemption_list(request):
    form = ExemptionRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        case = get_case_for_user(request, form.cleaned_data["case"])
        try:
            PublicationExemption.request(
                case=case,
                ground=form.cleaned_data["ground"],
                reason=form.cleaned_data["reason"],
                by=request.user,
            )
        except Refused as refused:
            show_refusal(request, refused)
        else:
            messages.success(
                request, "已提交不予公示申请，待局负责人审批；审批前本案行政处罚决定书不能签发。"
            )
            return redirect("disclosure:exemption_list")
    items = list(_visible_exemptions(request.user)[:100])
    return render(
        request,
        "disclosure/staff_exemptions.html",
        {
            "form": form,
            "items": items,
            "may_decide": request.user.has_role(Role.BUREAU_HEAD),
            "pending": ExemptionStatus.PENDING,
        },
    )


@require_POST
@login_required
def exemption_decide(request, pk):
    item = get_visible_or_404(
        _visible_exemptions(request.user),
        what=f"不予公示申请#{pk}",
        action="disclosure.exemption.access_denied",
        message="该申请不存在或您无权查看。",
        detail={"exemption": pk, "path": request.path},
        pk=pk,
    )
    form = ExemptionDecisionForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        item.decide(by=request.user, approve=bool(data.get("approve")), note=data.get("note", ""))
    except Refused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已审批。")
    return redirect("disclosure:exemption_list")
