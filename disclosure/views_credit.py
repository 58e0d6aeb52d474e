"""报送国家企业信用信息公示系统: the staff page that exports published penalty decisions for the credit system
(the rules are in disclosure/credit.py). Staff who manage publication (admins, bureau heads, unit heads: the
staff publication pages' roles) export what they review; anyone else gets 404."""

import datetime
from functools import wraps
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.audit.api import record

from . import credit
from .models import CreditExport, CreditExportFormat
from .views_publication import REVIEWER_ROLES

HISTORY_ROWS = 50
DOWNLOAD_SESSION_KEY = "disclosure_credit_download"


def _refuse_others(request) -> None:
    """Only staff who manage publication (the staff publication pages' roles, REVIEWER_ROLES); others get
    404 (the page's existence does not leak). What each may export is what they review
    (Publication.reviewable_by)."""
    if not request.user.has_role(*REVIEWER_ROLES):
        raise Http404("页面不存在。")


def credit_staff(view):
    """_refuse_others as a decorator, marked with the roles like roster's role_required (the URL registry
    test walks marked views)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        _refuse_others(request)
        return view(request, *args, **kwargs)

    wrapped.required_roles = REVIEWER_ROLES
    return wrapped


class PeriodForm(forms.Form):
    period_from = forms.DateField(
        label="公示日期从", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    period_to = forms.DateField(label="至", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

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


def _page_url(period_from=None, period_to=None) -> str:
    url = reverse("disclosure:staff_credit_export")
    if period_from and period_to:
        url += "?" + urlencode({"period_from": period_from, "period_to": period_to})
    return url


@require_GET
@login_required
@credit_staff
def staff_credit_export(request):
    """Choose the period, preview the rows, export; the history with re-download. Queries: the history
    (+ who exported), the candidate publications (+ document, party, last exported line), their active
    redactions."""
    today = timezone.localdate()
    history = list(CreditExport.objects.visible_to(request.user).select_related("created_by")[:HISTORY_ROWS])
    if request.GET:
        form = PeriodForm(request.GET)
    else:
        start = (
            history[0].period_to + datetime.timedelta(days=1) if history else today.replace(month=1, day=1)
        )
        form = PeriodForm({"period_from": min(start, today).isoformat(), "period_to": today.isoformat()})
    planned = None
    if form.is_valid():
        planned = credit.plan(
            request.user, form.cleaned_data["period_from"], form.cleaned_data["period_to"], today
        )
    download = request.session.pop(DOWNLOAD_SESSION_KEY, None)
    context = {
        "form": form,
        "plan": planned,
        "history": history,
        "formats": credit.FORMATS,
        "download_url": reverse("disclosure:staff_credit_download", args=download) if download else "",
        "history_rows": HISTORY_ROWS,
    }
    return render(request, "disclosure/staff_credit_export.html", context)


@require_POST
@login_required
@credit_staff
def staff_credit_export_create(request):
    """Export now: one transaction (credit.export); then back to the page, which starts the download."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_page_url(request.POST.get("period_from"), request.POST.get("period_to")))
    data = form.cleaned_data
    try:
        item = credit.export(request.user, data["period_from"], data["period_to"], data["format"])
    except credit.ExportRefused as refused:
        messages.error(request, str(refused))
        return redirect(_page_url(data["period_from"], data["period_to"]))
    messages.success(
        request,
        f"已生成第{item.pk}批报送文件：新增{item.new_count}条、更正{item.corrected_count}条、"
        f"撤回{item.withdrawn_count}条、停止公示{item.stopped_count}条。下载将自动开始；"
        "也可在下方导出记录中重新下载。",
    )
    request.session[DOWNLOAD_SESSION_KEY] = [item.pk, data["format"]]
    return redirect(_page_url(data["period_from"], data["period_to"]))


@require_GET
@login_required
def staff_credit_download(request, pk, fmt):
    """A past export's file, the same bytes as when it was generated (hash checked). Not marked with the
    roles: a holder of the role may still get 404 for an export outside what they review."""
    _refuse_others(request)
    item = CreditExport.objects.visible_to(request.user).filter(pk=pk).first()
    if item is None or fmt not in CreditExportFormat.values:
        raise Http404("导出记录不存在。")
    try:
        stored = credit.stored_file(item, fmt)
    except credit.ExportRefused as refused:
        record("disclosure.credit.hash_mismatch", obj=item, request=request, detail={"format": fmt})
        messages.error(request, str(refused))
        return redirect("disclosure:staff_credit_export")
    record(
        "disclosure.credit.downloaded",
        obj=item,
        request=request,
        detail={"format": fmt, "sha256": stored.sha256},
    )
    response = HttpResponse(stored.content, content_type=credit.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{credit.filename(item, fmt)}"'
    response["Cache-Control"] = "no-store"
    return response
