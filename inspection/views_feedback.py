"""Supervision's pages for the complaints and 回避 requests enterprises file from the 检查码 page: the list (open
first, filtered by status and kind, 回避 requests past their answer day flagged) and one complaint with the
inspection it is about and the form that records its handling (Complaint.handle — the rule, once).

Anonymity to the inspecting unit (国办发〔2024〕54号: the enterprise may complain without fear): anyone who is
not a supervisor gets a 404 on every page here — not a 403, so the inspecting unit's staff do not even learn
the pages or a complaint exist — and a supervisor does not see complaints about their own unit's inspections
or inspections they take part in (Complaint.objects.visible_to). The refusals are audited by the one
mechanism (Hidden → the audit middleware; the domain's refusals → refusing.audited)."""

import functools

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.shared.refusals import Hidden, get_visible_or_404, show_refusal

from .models import AvoidanceDecision, Complaint, ComplaintKind
from .models.feedback import HANDLERS
from .refusing import InspectionRefused

PAGE_SIZE = 50


def supervisors_only(view):
    """Only the supervisors (HANDLERS) reach these pages; everyone else gets the audited 404."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.has_role(*HANDLERS):
            raise Hidden("页面不存在。", what="投诉与回避申请", action="inspection.complaint.access_denied")
        return view(request, *args, **kwargs)

    # The URL walk's marker (tests/test_url_registry.py): a role-restricted view.
    wrapped.required_roles = HANDLERS  # type: ignore[attr-defined]
    return wrapped


class HandleForm(forms.Form):
    note = forms.CharField(
        label="处理情况",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明核查经过和处理结果。企业留有联系方式的，请按联系方式告知处理结果。",
    )
    decision = forms.ChoiceField(
        label="回避决定",
        required=False,
        choices=AvoidanceDecision.choices,
        widget=forms.RadioSelect,
    )
    decision_reason = forms.CharField(
        label="回避决定理由", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, avoidance: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not avoidance:
            del self.fields["decision"]
            del self.fields["decision_reason"]


def _visible(request):
    return Complaint.objects.visible_to(request.user).select_related(
        "inspection__entity", "inspection__unit", "inspection__item", "officer", "handled_by"
    )


@require_GET
@login_required
@supervisors_only
def complaints(request):
    """投诉与回避申请: open ones first (oldest first), then the handled ones (latest first). Queries: the
    staff page's own, the count and one page of rows with their inspection, unit, item and officer."""
    status = request.GET.get("status", "")
    kind = request.GET.get("kind", "")
    qs = _visible(request)
    if status == "open":
        qs = qs.open()
    elif status == "handled":
        qs = qs.handled()
    else:
        status = ""
    if kind in ComplaintKind.values:
        qs = qs.filter(kind=kind)
    else:
        kind = ""
    qs = qs.order_by(F("handled_at").desc(nulls_first=True), "at", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    return render(
        request,
        "inspection/complaints.html",
        {
            "page": page,
            "rows": [(c, c.is_overdue(today)) for c in page],
            "status": status,
            "kind": kind,
            "kinds": ComplaintKind.choices,
            "statuses": [("", "全部"), ("open", "待处理"), ("handled", "已处理")],
        },
    )


def _get(request, pk):
    return get_visible_or_404(
        _visible(request).select_related("inspection__case__handling_unit"),
        what=f"投诉与回避申请#{pk}",
        action="inspection.complaint.access_denied",
        pk=pk,
    )


def _detail(request, complaint, form, status=200):
    inspection = complaint.inspection
    return render(
        request,
        "inspection/complaint.html",
        {
            "complaint": complaint,
            "inspection": inspection,
            "officers": inspection.officers(),
            "overdue": complaint.is_overdue(),
            "form": form,
        },
        status=status,
    )


@require_GET
@login_required
@supervisors_only
def complaint(request, pk):
    complaint = _get(request, pk)
    form = HandleForm(avoidance=complaint.kind == ComplaintKind.AVOIDANCE) if complaint.is_open else None
    return _detail(request, complaint, form)


@require_POST
@login_required
@supervisors_only
def complaint_handle(request, pk):
    complaint = _get(request, pk)
    form = HandleForm(request.POST, avoidance=complaint.kind == ComplaintKind.AVOIDANCE)
    if form.is_valid():
        data = form.cleaned_data
        try:
            complaint.handle(
                by=request.user,
                note=data["note"],
                decision=data.get("decision", ""),
                decision_reason=data.get("decision_reason", ""),
            )
        except InspectionRefused as refused:
            show_refusal(request, refused, form=form)
        else:
            messages.success(request, "已记录处理情况。")
            return redirect("inspection:complaint", pk=complaint.pk)
    return _detail(request, complaint, form, status=400)
