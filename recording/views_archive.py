"""The archive's pages: start the case file (records keeper, POST), its progress (JSON or a page fragment the
workspace shows), and the download of the 正卷 / 副卷.

URL names: recording:casefile_start (POST), recording:casefile_progress (GET; JSON with ?format=json or an
Accept: application/json header, the bare HTML fragment with ?fragment=1, else a page around the fragment),
recording:casefile_download (GET; ?volume=main|sub, default main).

Who: the case must be visible to the user (get_case_for_user: 404 otherwise). Starting is for the unit's
records keeper (the domain says why not, in Chinese). The 正卷 may be downloaded by the records keeper, the
case's officers, the unit head and the bureau head; the 副卷 (internal approvals and opinions) by the records
keeper, the unit head and the bureau head only; a case file holding classified records only by those
Case.may_see_classified admits (recording/archive.py may_download). Every download and every refused download
is in the audit log; the file leaves through audit/files.py send_stored_file, which re-hashes it first (a
changed file is refused and reported to the records keepers like any integrity problem).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.files import FileAltered, send_stored_file
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.outbox.models import JobState
from wuding_enforcement.shared.refusals import show_refusal

from . import archive
from .models import CaseFile, CaseFileStatus, Retention


def _back(request, case):
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(reverse("recording:workspace", args=[case.pk]))


@require_POST
@login_required
def casefile_start(request, pk):
    case = get_case_for_user(request, pk)
    retention = request.POST.get("retention") or Retention.LONG
    try:
        case_file = archive.start_archiving(case, by=request.user, retention=retention)
    except TransitionRefused as refused:
        show_refusal(request, refused)
        return _back(request, case)
    case_file.refresh_from_db()
    if case_file.status == CaseFileStatus.DONE:
        messages.success(request, "案卷组卷完成，案件已归档。")
    elif case_file.status == CaseFileStatus.FAILED:
        messages.error(request, f"组卷失败：{case_file.error}")
    else:
        messages.success(request, "已开始组卷，完成后案件自动归档。")
    return _back(request, case)


def casefile_state(case, user) -> dict:
    """What the progress fragment and JSON show; usable by other pages (the workspace) to include the
    fragment "recording/casefile_progress.html" without a second request."""
    case_file = CaseFile.objects.filter(case=case).first()
    label = case_file.get_status_display() if case_file else "尚未组卷"
    if case_file and case_file.status == CaseFileStatus.BUILDING and case_file.job_state == JobState.QUEUED:
        # The task waits in the outbox or the broker's queue (e.g. the broker or the worker is down).
        label = "组卷中（排队等待后台任务）"
    failed = case_file is not None and case_file.status == CaseFileStatus.FAILED
    state = {
        "case": case,
        "case_file": case_file,
        "status": case_file.status if case_file else "none",
        "status_label": label,
        "progress": case_file.progress if case_file else 0,
        "error": case_file.error if case_file else "",
        "downloads": [],
        "volumes": [],
        # The retry button: the records keeper starts the build again (archive.start_archiving decides).
        "retry_url": reverse("recording:casefile_start", args=[case.pk])
        if failed and archive.is_records_keeper_of(user, case)
        else "",
        "retention": case_file.retention if case_file else "",
    }
    if case_file and case_file.status == CaseFileStatus.DONE:
        for volume, label in archive.VOLUMES.items():
            # Both volumes are sealed together when the file is built; files built before signing existed
            # read as unsigned (their stored hash still guards them).
            row = {
                "volume": volume,
                "label": label,
                "pages": getattr(case_file, f"{volume}_pages"),
                "signed": case_file.signed,
                "signature": case_file.signature_note
                if case_file.signed
                else "未加盖电子签章（签章启用前组卷）",
            }
            state["volumes"].append(row)
            if archive.may_download(user, case, volume):
                url = reverse("recording:casefile_download", args=[case.pk]) + f"?volume={volume}"
                state["downloads"].append({**row, "url": url})
    return state


@require_GET
@login_required
def casefile_progress(request, pk):
    case = get_case_for_user(request, pk)
    state = casefile_state(case, request.user)
    wants_json = request.GET.get("format") == "json" or "application/json" in request.headers.get(
        "Accept", ""
    )
    if wants_json:
        return JsonResponse(
            {
                "status": state["status"],
                "status_label": state["status_label"],
                "progress": state["progress"],
                "done": state["status"] == CaseFileStatus.DONE,
                "error": state["error"],
                "retry_url": state["retry_url"],
                "signed": state["case_file"].signed if state["case_file"] else False,
                "downloads": state["downloads"],
            }
        )
    if request.GET.get("fragment"):
        return render(request, "recording/casefile_progress.html", state)
    return render(request, "recording/casefile_progress_page.html", state)


@require_GET
@login_required
def casefile_download(request, pk):
    from . import integrity

    case = get_case_for_user(request, pk)
    volume = request.GET.get("volume", "main")
    if volume not in archive.VOLUMES:
        raise Http404("没有这一卷。")
    case_file = CaseFile.objects.filter(case=case, status=CaseFileStatus.DONE).first()
    if case_file is None:
        raise Http404("本案尚未组卷。")
    if not archive.may_download(request.user, case, volume):
        # The volume is known to exist (every case file has both), so a 403 leaks nothing; the audit row
        # names the volume (the middleware adds auth.permission_denied for the page).
        record(
            "recording.casefile.download_refused",
            obj=case,
            outcome=Outcome.DENIED,
            request=request,
            detail={"volume": volume},
        )
        raise PermissionDenied(f"您无权下载本案的{archive.VOLUMES[volume]}。")
    pdf = getattr(case_file, f"{volume}_pdf")
    expected = getattr(case_file, f"{volume}_sha256")
    label = f"案卷{archive.VOLUMES[volume]}（案件 {case.number}）"
    try:
        return send_stored_file(
            request,
            pdf,
            filename=f"{case.number}-{archive.VOLUMES[volume]}.pdf",
            content_type="application/pdf",
            action="recording.casefile.downloaded",
            obj=case,
            what=label,
            detail={"volume": volume},
            expected_sha256=expected,
        )
    except FileAltered as exc:
        stored = integrity.StoredFile(
            f"casefile_{volume}", label, pdf.name, expected, case.pk, case.handling_unit_id, case_file.pk
        )
        problem = integrity.MISMATCH if exc.actual else integrity.MISSING
        integrity.report_problems(
            [integrity.Problem(stored, problem, exc.actual)], source="download", request=request
        )
        show_refusal(request, exc)
        return redirect(reverse("recording:workspace", args=[case.pk]))
