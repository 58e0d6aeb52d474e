"""报送国家企业信用信息公示系统: the staff page that exports published penalty decisions for the credit system
(the rules are in disclosure/credit.py). A page for the staff who manage publication (the staff publication
pages' roles: a role page, 403 for anyone else); what each may export, and download again, is what they review
(CreditExport.objects.visible_to: an export outside it is a 404, audited)."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.audit.files import send_stored_file
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.shared.refusals import Refused, get_visible_or_404, show_refusal

from .. import credit, credit_files
from ..forms import ExportForm, PeriodForm
from ..models import CreditExport, CreditExportFormat
from .staff import REVIEWER_ROLES

HISTORY_ROWS = 50
DOWNLOAD_SESSION_KEY = "disclosure_credit_download"


def _page_url(period_from=None, period_to=None) -> str:
    url = reverse("disclosure:staff_credit_export")
    if period_from and period_to:
        url += "?" + urlencode({"period_from": period_from, "period_to": period_to})
    return url


def get_export_for_user(request, pk) -> CreditExport:
    """An export the user may download again; else 404 (Hidden, audited, when it exists)."""
    return get_visible_or_404(
        CreditExport.objects.visible_to(request.user),
        what=f"信用信息报送#{pk}",
        action="disclosure.credit.access_denied",
        message="导出记录不存在。",
        detail={"export": pk, "path": request.path},
        pk=pk,
    )


@require_GET
@login_required
@role_required(*REVIEWER_ROLES)
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
        "formats": credit_files.FORMATS,
        "download_url": reverse("disclosure:staff_credit_download", args=download) if download else "",
        "history_rows": HISTORY_ROWS,
    }
    return render(request, "disclosure/staff_credit_export.html", context)


@require_POST
@login_required
@role_required(*REVIEWER_ROLES)
def staff_credit_export_create(request):
    """Export now: one transaction (credit.export); then back to the page, which starts the download."""
    form = ExportForm(request.POST)
    if not form.is_valid():
        show_refusal(request, ValidationError(form.errors.as_data()))
        return redirect(_page_url(request.POST.get("period_from"), request.POST.get("period_to")))
    data = form.cleaned_data
    try:
        item = credit.export(request.user, data["period_from"], data["period_to"], data["format"])
    except Refused as refused:
        show_refusal(request, refused)
        return redirect(_page_url(data["period_from"], data["period_to"]))
    messages.success(
        request,
        f"已生成第{item.pk}批报送文件：新增{item.new_count}条（其中抽查检查结果{item.inspection_count}条）、更正{item.corrected_count}条、"
        f"撤回{item.withdrawn_count}条、停止公示{item.stopped_count}条。下载将自动开始；"
        "也可在下方导出记录中重新下载。",
    )
    request.session[DOWNLOAD_SESSION_KEY] = [item.pk, data["format"]]
    return redirect(_page_url(data["period_from"], data["period_to"]))


@require_GET
@login_required
def staff_credit_download(request, pk, fmt):
    """A past export's file, the same bytes as when it was generated, through the one file getter: hash
    checked against the one recorded at export time, audited, private. An object, not a role page: the export
    getter answers 404 (audited) to anyone it is not visible to, a role holder outside its scope included."""
    if fmt not in CreditExportFormat.values:
        raise Http404("导出记录不存在。")
    item = get_export_for_user(request, pk)
    stored = item.files.filter(format=fmt).first()
    if stored is None:
        raise Http404("导出记录不存在。")
    try:
        return send_stored_file(
            request,
            stored.as_file(),
            filename=credit_files.filename(item, fmt),
            content_type=credit_files.CONTENT_TYPES[fmt],
            action="disclosure.credit.downloaded",
            obj=item,
            what="信用信息报送文件",
            detail={"format": fmt},
            expected_sha256=item.file_hashes.get(fmt, ""),
        )
    except Refused as refused:
        show_refusal(request, refused)
        return redirect("disclosure:staff_credit_export")
