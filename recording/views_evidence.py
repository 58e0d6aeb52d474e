"""Staff pages and endpoints of audio-video evidence (音像记录): the upload page and its resumable protocol,
the evidence list and page with the player, byte-range streaming, download, thumbnail and void.

Media is never served from a public URL: every byte goes through these views, which fetch the case
(get_case_for_user) and the item (recording/access.py get_evidence_for_user: its classification) and send the
file through the one getter, wuding_enforcement/audit/files.py send_stored_file (HTTP Range for playback; the
SHA-256 re-checked per request only for small items — a large recording is checked at ingest, nightly and on
export, never per request). The rules live in recording/evidence/; views read input, call it and show its
Chinese answer.

The upload protocol (static/js/upload.js speaks it; bench/upload_bench.py too):
  POST  cases/<case_pk>/uploads/   title, document, classification, description, name, size [, sha256]
                                   → 201 {"id", "url", "offset": 0, "size", "chunk_size"}
  HEAD/GET uploads/<id>/           → Upload-Offset header (and JSON): the bytes the server holds
  PATCH (or POST) uploads/<id>/    Upload-Offset: <n>, raw chunk body (application/offset+octet-stream)
                                   → 200 {"offset", "size", "complete", ["sha256", "evidence_url"]}
                                   409 {"error", "offset"} when <n> is not the server's offset
Without JavaScript the same form posts the whole file (multipart) to the start URL.
"""

import logging
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.files import FileAltered, send_stored_file
from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.shared.form_problems import form_problems
from wuding_enforcement.shared.refusals import get_visible_or_404, show_refusal

from . import evidence as domain
from .access import get_evidence_for_user
from .forms import LinkForm, UnlinkForm, UploadForm, VoidForm
from .integrity import MISMATCH, MISSING, Problem, evidence_file, report_problems
from .models import Evidence, Upload
from .tasks import retry_metadata

logger = logging.getLogger("wuding.recording")

# A playback is one audit event: further range requests of the same item in the same session within this
# window (seeking, the browser re-reading the start) are the same playback.
PLAYBACK_WINDOW_SECONDS = 10 * 60
_PLAYBACK_SESSION_KEY = "recording_playbacks"


# --- Helpers -----------------------------------------------------------------------------------------------


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _json_error(message: str, status: int, offset: int | None = None) -> JsonResponse:
    payload = {"error": message}
    if offset is not None:
        payload["offset"] = offset
    response = JsonResponse(payload, status=status, json_dumps_params={"ensure_ascii": False})
    if offset is not None:
        response["Upload-Offset"] = str(offset)
    response["Cache-Control"] = "no-store"
    return response


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _evidence_for(request, case_pk, pk):
    case = get_case_for_user(request, case_pk)
    return get_evidence_for_user(request, case, pk), case


def _log_playback_once(request, evidence) -> bool:
    """Write recording.evidence.played once per playback (see PLAYBACK_WINDOW_SECONDS)."""
    now = time.time()
    seen = dict(request.session.get(_PLAYBACK_SESSION_KEY, {}))
    last = seen.get(str(evidence.pk))
    if last is not None and now - last < PLAYBACK_WINDOW_SECONDS:
        return False
    seen = {k: v for k, v in seen.items() if now - v < PLAYBACK_WINDOW_SECONDS}
    seen[str(evidence.pk)] = now
    request.session[_PLAYBACK_SESSION_KEY] = seen
    record(
        "recording.evidence.played",
        obj=evidence.case,
        request=request,
        detail={"evidence": evidence.pk, "title": evidence.title, "kind": evidence.kind},
    )
    return True


def _altered(request, evidence, exc: FileAltered):
    """The file is missing or altered: the records keepers are alerted (recording/integrity.py), the user
    reads why nothing was sent."""
    problem = Problem(evidence_file(evidence), MISMATCH if exc.actual else MISSING, exc.actual)
    report_problems([problem], source="download", request=request)
    show_refusal(request, exc)
    return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)


def _send(request, evidence, **options):
    return send_stored_file(
        request,
        evidence.file,
        filename=domain.safe_download_name(evidence),
        content_type=evidence.mime,
        obj=evidence.case,
        what="音像记录",
        **options,
    )


# --- Upload --------------------------------------------------------------------------------------------


@require_GET
@login_required
def upload_page(request, case_pk):
    case = get_case_for_user(request, case_pk)
    refusal = domain.recording_refusal(case, request.user)
    form = None
    if not refusal:
        form = UploadForm(case=case, user=request.user)
        # Opened from an act ("上传并关联音像记录"): that act is chosen already, if the user may see it.
        act = form.fields["document"].queryset.filter(pk=_int_or_none(request.GET.get("document"))).first()
        if act is not None:
            form.initial["document"] = act.pk
    return render(
        request,
        "recording/evidence_upload.html",
        {
            "case": case,
            "form": form,
            "refusal": refusal or "",
            "allowed": domain.ALLOWED_SUMMARY,
            "max_size": domain.human_size(settings.EVIDENCE_MAX_BYTES),
            "max_bytes": settings.EVIDENCE_MAX_BYTES,
        },
    )


@require_POST
@login_required
def upload_start(request, case_pk):
    """Open a resumable upload (JSON, from upload.js) or take a whole file posted without JavaScript."""
    case = get_case_for_user(request, case_pk)
    wants_json = _wants_json(request)
    form = UploadForm(request.POST, request.FILES, case=case, user=request.user)
    if not form.is_valid():
        problems = form_problems(form)
        if wants_json:
            return _json_error("；".join(problems), 400)
        show_refusal(request, ValidationError(problems))
        return redirect("recording:evidence_upload", case_pk=case.pk)
    data = form.cleaned_data
    fields = {
        "title": data["title"],
        "document": data["document"],
        "classification": data["classification"],
        "description": data["description"],
    }
    try:
        if data.get("file"):
            upload_file = data["file"]
            evidence = domain.ingest_file(
                case, request.user, upload_file, upload_file.size, original_name=upload_file.name, **fields
            )
            messages.success(request, f"已上传“{evidence.title}”，SHA-256：{evidence.sha256}。")
            notice = domain.reupload_notice(evidence)
            if notice:
                messages.info(request, notice)
            return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
        upload = domain.start_upload(
            case,
            request.user,
            declared_size=data["size"],
            original_name=data["name"],
            declared_sha256=data["sha256"],
            **fields,
        )
    except domain.EvidenceRefused as refused:
        if wants_json:
            return _json_error(refused.message, refused.status)
        show_refusal(request, refused)
        return redirect("recording:evidence_upload", case_pk=case.pk)
    url = reverse("recording:upload", kwargs={"upload_id": upload.pk})
    response = JsonResponse(
        {
            "id": str(upload.pk),
            "url": url,
            "offset": 0,
            "size": upload.declared_size,
            "chunk_size": settings.UPLOAD_CHUNK_BYTES,
        },
        status=201,
    )
    response["Location"] = url
    return response


@require_http_methods(["GET", "HEAD", "PATCH", "POST"])
@login_required
def upload_resource(request, upload_id):
    """The offset of an upload (HEAD/GET) or one chunk at Upload-Offset (PATCH/POST). Only the user who
    started the upload may see or continue it."""
    # Someone else's upload exists but is not theirs: a 404, audited (shared/refusals.py).
    upload = get_visible_or_404(
        Upload.objects.select_related("case").filter(user=request.user),
        pk=upload_id,
        what=f"上传任务{upload_id}",
        action="recording.upload.access_denied",
        message="上传任务不存在。",
    )
    if request.method in ("GET", "HEAD"):
        response = JsonResponse(
            {
                "offset": upload.received,
                "size": upload.declared_size,
                "status": upload.status,
                "error": upload.error,
            },
            json_dumps_params={"ensure_ascii": False},
        )
        response["Upload-Offset"] = str(upload.received)
        response["Upload-Length"] = str(upload.declared_size)
        response["Cache-Control"] = "no-store"
        return response
    try:
        offset = int(request.headers.get("Upload-Offset", ""))
    except ValueError:
        return _json_error("请求缺少 Upload-Offset（数据块在文件中的位置）。", 400, upload.received)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or "")
    except ValueError:
        length = None
    try:
        # Read in blocks, never request.body or request.POST: straight from gunicorn's socket where that is
        # safe, else request.read() (recording/evidence/body.py).
        stream = domain.chunk_stream(request, length)
        result = domain.append_chunk(upload, user=request.user, offset=offset, stream=stream, length=length)
    except domain.EvidenceRefused as refused:
        return _json_error(refused.message, refused.status, refused.offset)
    payload = {
        "offset": result.upload.received,
        "size": result.upload.declared_size,
        "complete": result.evidence is not None,
        "chunk_size": settings.UPLOAD_CHUNK_BYTES,
    }
    if result.evidence is not None:
        payload["sha256"] = result.evidence.sha256
        payload["notice"] = domain.reupload_notice(result.evidence)
        payload["evidence_url"] = reverse(
            "recording:evidence_detail", kwargs={"case_pk": result.evidence.case_id, "pk": result.evidence.pk}
        )
    response = JsonResponse(payload)
    response["Upload-Offset"] = str(result.upload.received)
    response["Cache-Control"] = "no-store"
    return response


# --- Evidence pages --------------------------------------------------------------------------------------


@require_GET
@login_required
def evidence_list(request, case_pk):
    case = get_case_for_user(request, case_pk)
    items = list(
        Evidence.objects.visible_to(request.user, case)
        .select_related("document", "uploaded_by", "voided_by")
        .order_by("uploaded_at", "pk")
    )
    return render(
        request,
        "recording/evidence_list.html",
        {
            "case": case,
            "items": [(item, domain.format_duration(item.duration)) for item in items],
            "can_upload": domain.recording_refusal(case, request.user) is None,
        },
    )


@require_GET
@login_required
def evidence_detail(request, case_pk, pk):
    evidence, case = _evidence_for(request, case_pk, pk)
    record(
        "recording.evidence.viewed",
        obj=case,
        request=request,
        detail={"evidence": evidence.pk, "title": evidence.title},
    )
    refusal = domain.recording_refusal(case, request.user)
    can_link = refusal is None and evidence.voided_at is None
    return render(
        request,
        "recording/evidence_detail.html",
        {
            "case": case,
            "evidence": evidence,
            "metadata_rows": domain.metadata_rows(evidence),
            "metadata_reason": (evidence.metadata or {}).get("reason", ""),
            "probed": bool((evidence.metadata or {}).get("probed")),
            # The metadata job (recording/tasks.py): 处理中, or 失败 with the reason and the retry button.
            "can_retry_metadata": evidence.metadata_failed and refusal is None,
            "size_label": domain.human_size(evidence.size),
            "can_void": refusal is None and evidence.voided_at is None,
            "link_form": LinkForm(case=case, user=request.user) if can_link else None,
            "unlink_form": UnlinkForm() if can_link and evidence.document_id else None,
        },
    )


@require_POST
@login_required
def evidence_link(request, case_pk, pk):
    """Link the item to an act of the case (after upload, or to another act)."""
    evidence, case = _evidence_for(request, case_pk, pk)
    form = LinkForm(request.POST, case=case, user=request.user)
    if not form.is_valid():
        show_refusal(request, ValidationError(form_problems(form)))
    else:
        document = form.cleaned_data["document"]
        try:
            domain.link_evidence(evidence, document, by=request.user)
        except domain.EvidenceRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, f"已将“{evidence.title}”关联到“{document}”。")
    return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)


@require_POST
@login_required
def evidence_unlink(request, case_pk, pk):
    """Remove the item's link to its act, with a reason; says so when the act's AV rule is open again."""
    evidence, case = _evidence_for(request, case_pk, pk)
    form = UnlinkForm(request.POST)
    if not form.is_valid():
        show_refusal(request, ValidationError(form_problems(form)))
        return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
    document = evidence.document
    try:
        reopened = domain.unlink_evidence(evidence, by=request.user, reason=form.cleaned_data["reason"])
    except domain.EvidenceRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"已取消“{evidence.title}”与“{document}”的关联。")
        if reopened:
            messages.warning(request, reopened)
    return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)


@require_safe
@login_required
def evidence_stream(request, case_pk, pk):
    """Inline playback with HTTP Range (RFC 9110): 206 with Content-Range for one range, 416 for a range
    past the end, the whole file otherwise. Never re-hashed per request; audited once per playback, not once
    per range request."""
    evidence, _case = _evidence_for(request, case_pk, pk)
    try:
        response = _send(
            request, evidence, action="recording.evidence.played", inline=True, ranges=True, audited=False
        )
    except FileAltered as exc:
        return _altered(request, evidence, exc)
    if request.method == "GET":
        _log_playback_once(request, evidence)
    return response


@require_GET
@login_required
def evidence_download(request, case_pk, pk):
    """Download the original file (attachment, a safe name). An item up to EVIDENCE_VERIFY_BEFORE_SEND_BYTES
    (a photo, a short recording) is re-hashed first and refused when altered; a larger recording is not
    re-hashed per request (it is checked at ingest, nightly and on export: docs/architecture.md, "Files")."""
    evidence, _case = _evidence_for(request, case_pk, pk)
    verify = evidence.size <= settings.EVIDENCE_VERIFY_BEFORE_SEND_BYTES
    try:
        return _send(
            request,
            evidence,
            action="recording.evidence.downloaded",
            detail={
                "evidence": evidence.pk,
                "title": evidence.title,
                "verified": "before_send" if verify else "at_ingest_and_nightly",
            },
            expected_sha256=evidence.sha256 if verify else None,
        )
    except FileAltered as exc:
        return _altered(request, evidence, exc)


@require_safe
@login_required
def evidence_thumbnail(request, case_pk, pk):
    """The poster frame shown on the evidence page: part of viewing the page, which is audited, so not
    audited again per image."""
    evidence, _case = _evidence_for(request, case_pk, pk)
    if not evidence.thumbnail:
        raise Http404("没有缩略图。")
    try:
        return send_stored_file(
            request,
            evidence.thumbnail,
            filename=f"thumbnail-{evidence.pk}.jpg",
            content_type="image/jpeg",
            action="recording.evidence.thumbnail",
            obj=evidence.case,
            what="缩略图",
            inline=True,
            audited=False,
        )
    except FileAltered:
        logger.warning("thumbnail of evidence %s missing: %s", evidence.pk, evidence.thumbnail.name)
        raise Http404("没有缩略图。") from None


@require_POST
@login_required
def evidence_metadata_retry(request, case_pk, pk):
    """The 重试 button of a failed metadata job (who may: recording.tasks.retry_metadata; audited)."""
    evidence, case = _evidence_for(request, case_pk, pk)
    try:
        retry_metadata(evidence, by=request.user)
    except domain.EvidenceRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, "已重新开始读取元数据，请稍后刷新本页。")
    return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)


@require_http_methods(["GET", "POST"])
@login_required
def evidence_void(request, case_pk, pk):
    evidence, case = _evidence_for(request, case_pk, pk)
    refusal = domain.recording_refusal(case, request.user)
    if refusal or evidence.voided_at is not None:
        show_refusal(request, domain.EvidenceRefused(refusal or "该音像记录已作废。"))
        return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.void_evidence(evidence, by=request.user, reason=form.cleaned_data["reason"])
        except domain.EvidenceRefused as refused:
            show_refusal(request, refused)
        else:
            messages.success(request, f"已作废“{evidence.title}”。文件及其校验值仍予保留。")
        return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
    return render(request, "recording/evidence_void.html", {"case": case, "evidence": evidence, "form": form})
