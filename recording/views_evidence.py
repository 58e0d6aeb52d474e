"""Staff pages and endpoints of audio-video evidence (音像记录): the upload page and its resumable protocol,
the evidence list and page with the player, byte-range streaming, download, thumbnail and void.

Media is never served from a public URL: every byte goes through these views, which check the case
(get_case_for_user) and the item's classification (Evidence.objects.visible_to). The rules themselves live
in recording/evidence.py; views read input, call it and show its Chinese answer.

The upload protocol (static/js/upload.js speaks it; bench/upload_bench.py too):
  POST  cases/<case_pk>/uploads/   title, document, classification, description, name, size [, sha256]
                                   → 201 {"id", "url", "offset": 0, "size", "chunk_size"}
  HEAD/GET uploads/<id>/           → Upload-Offset header (and JSON): the bytes the server holds
  PATCH (or POST) uploads/<id>/    Upload-Offset: <n>, raw chunk body (application/offset+octet-stream)
                                   → 200 {"offset", "size", "complete", ["sha256", "evidence_url"]}
                                   409 {"error", "offset"} when <n> is not the server's offset
Without JavaScript the same form posts the whole file (multipart) to the start URL.
"""

import time

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.access import get_case_for_user

from . import evidence as domain
from .integrity import MISMATCH, MISSING, Problem, evidence_file, report_problems
from .models import Classification, Document, Evidence, Upload

# A playback is one audit event: further range requests of the same item in the same session within this
# window (seeking, the browser re-reading the start) are the same playback.
PLAYBACK_WINDOW_SECONDS = 10 * 60
_PLAYBACK_SESSION_KEY = "recording_playbacks"


# --- Forms -----------------------------------------------------------------------------------------------


class UploadForm(forms.Form):
    title = forms.CharField(label="名称", max_length=200, help_text="如：现场检查执法记录仪录像")
    document = forms.ModelChoiceField(
        label="所记录的执法活动",
        queryset=Document.objects.none(),
        required=False,
        empty_label="（不关联具体文书）",
        help_text="选择该音像记录所记录的执法活动，如现场笔录、查封扣押决定书。",
    )
    classification = forms.ChoiceField(
        label="密级", choices=Classification.choices, initial=Classification.GENERAL
    )
    description = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    file = forms.FileField(label="文件", required=False)
    # Sent by upload.js instead of the file itself: the bytes follow in chunks.
    name = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    size = forms.IntegerField(required=False, min_value=0, widget=forms.HiddenInput)
    sha256 = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def __init__(self, *args, case, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = Document.objects.visible_to(user, case).current()
        self.fields["document"].label_from_instance = _document_label

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("file") and cleaned.get("size") is None:
            raise forms.ValidationError("请选择要上传的录音、录像或照片文件。")
        return cleaned


def _document_label(document) -> str:
    when = f"（{document.act_date:%Y年%m月%d日}）" if document.act_date else ""
    return f"{document}{when}"


class VoidForm(forms.Form):
    reason = forms.CharField(
        label="作废理由",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明作废原因，如：误传其他案件的录像。文件不会被删除，作废记录与理由永久保留。",
    )


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


def _form_errors(form) -> list[str]:
    problems = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields and name != "__all__" else ""
        problems.extend(f"{label}：{e}" if label else e for e in errors)
    return problems


def _evidence_for(request, case_pk, pk) -> tuple[Evidence, object]:
    """The evidence item if this user may see it: the case must be visible (else get_case_for_user logs
    and 404s) and a classified item is only for Case.may_see_classified(); anyone else gets 404 and the
    attempt is logged as recording.evidence.access_denied."""
    evidence = Evidence.objects.filter(pk=pk, case_id=case_pk).only("pk", "case_id", "classification").first()
    if evidence is None:
        raise Http404("音像记录不存在。")
    case = get_case_for_user(request, evidence.case_id)
    visible = (
        Evidence.objects.visible_to(request.user, case)
        .select_related("document", "uploaded_by", "voided_by")
        .filter(pk=pk)
        .first()
    )
    if visible is None:
        record(
            "recording.evidence.access_denied",
            obj=case,
            outcome=Outcome.DENIED,
            request=request,
            detail={"evidence": pk, "classification": evidence.classification, "path": request.path},
        )
        raise Http404("音像记录不存在或您无权查看。")
    visible.case = case
    return visible, case


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


def _missing_file(request, evidence):
    report_problems([Problem(evidence_file(evidence), MISSING)], source="download", request=request)
    messages.error(request, "该音像记录的文件缺失，已通知档案管理员核查，暂时无法播放或下载。")
    return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)


# --- Upload --------------------------------------------------------------------------------------------


@require_GET
@login_required
def upload_page(request, case_pk):
    case = get_case_for_user(request, case_pk)
    refusal = domain.recording_refusal(case, request.user)
    form = None if refusal else UploadForm(case=case, user=request.user)
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
        problems = _form_errors(form)
        if wants_json:
            return _json_error("；".join(problems), 400)
        for problem in problems:
            messages.error(request, problem)
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
        messages.error(request, refused.message)
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
    upload = Upload.objects.select_related("case").filter(pk=upload_id, user=request.user).first()
    if upload is None:
        raise Http404("上传任务不存在。")
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
        # The request itself is the stream: request.read() in blocks, never request.body or request.POST.
        result = domain.append_chunk(upload, user=request.user, offset=offset, stream=request, length=length)
    except domain.EvidenceRefused as refused:
        return _json_error(refused.message, refused.status, refused.offset)
    payload = {
        "offset": result.upload.received,
        "size": result.upload.declared_size,
        "complete": result.evidence is not None,
    }
    if result.evidence is not None:
        payload["sha256"] = result.evidence.sha256
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
    return render(
        request,
        "recording/evidence_detail.html",
        {
            "case": case,
            "evidence": evidence,
            "metadata_rows": domain.metadata_rows(evidence),
            "metadata_reason": (evidence.metadata or {}).get("reason", ""),
            "probed": bool((evidence.metadata or {}).get("probed")),
            "size_label": domain.human_size(evidence.size),
            "can_void": refusal is None and evidence.voided_at is None,
        },
    )


@require_safe
@login_required
def evidence_stream(request, case_pk, pk):
    """Inline playback with HTTP Range (RFC 9110): 206 with Content-Range for one range, 416 for a range
    past the end, the whole file otherwise. Audited once per playback, not once per range request."""
    evidence, case = _evidence_for(request, case_pk, pk)
    path = settings.MEDIA_ROOT / evidence.file.name
    if not path.is_file():
        return _missing_file(request, evidence)
    size = path.stat().st_size
    try:
        byte_range = domain.parse_range(request.headers.get("Range"), size)
    except domain.RangeNotSatisfiable:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        response["Accept-Ranges"] = "bytes"
        return response
    if request.method == "GET" and (byte_range is None or byte_range[0] == 0):
        _log_playback_once(request, evidence)
    if byte_range is None:
        response = StreamingHttpResponse(domain.iter_file(path), content_type=evidence.mime)
        response["Content-Length"] = str(size)
    else:
        start, end = byte_range
        length = end - start + 1
        response = StreamingHttpResponse(
            domain.iter_file(path, start, length), content_type=evidence.mime, status=206
        )
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(length)
    response["Accept-Ranges"] = "bytes"
    response["Content-Disposition"] = content_disposition_header(False, domain.safe_download_name(evidence))
    response["Cache-Control"] = "private, no-store"
    return response


def _verifying_stream(path, evidence, request, actor):
    """Stream the whole file while re-hashing it; when the last byte is out, compare with the stored hash
    and raise the integrity alert on a mismatch (the headers are long gone by then, so alert and log)."""
    import hashlib

    hasher = hashlib.sha256()
    for block in domain.iter_file(path):
        hasher.update(block)
        yield block
    actual = hasher.hexdigest()
    if actual != evidence.sha256:
        report_problems(
            [Problem(evidence_file(evidence), MISMATCH, actual)],
            source="download",
            actor=actor,
            request=request,
        )


@require_GET
@login_required
def evidence_download(request, case_pk, pk):
    """Download the original file (attachment, a safe name). Small files are verified before sending and
    refused when altered; large ones are verified while they stream."""
    evidence, case = _evidence_for(request, case_pk, pk)
    path = settings.MEDIA_ROOT / evidence.file.name
    if not path.is_file():
        return _missing_file(request, evidence)
    name = domain.safe_download_name(evidence)
    verify_first = evidence.size <= settings.EVIDENCE_VERIFY_BEFORE_SEND_BYTES
    if verify_first:
        actual = domain.file_sha256(path)
        if actual != evidence.sha256:
            report_problems(
                [Problem(evidence_file(evidence), MISMATCH, actual)], source="download", request=request
            )
            messages.error(
                request,
                "该文件的 SHA-256 与上传时记录的不一致，文件可能已被改动或损坏。为保证证据可靠，暂不提供下载，"
                "已通知档案管理员核查。",
            )
            return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
    record(
        "recording.evidence.downloaded",
        obj=case,
        request=request,
        detail={
            "evidence": evidence.pk,
            "title": evidence.title,
            "sha256": evidence.sha256,
            "verified": "before_send" if verify_first else "while_streaming",
        },
    )
    if verify_first:
        handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it when the response ends
        response = FileResponse(handle, as_attachment=True, filename=name, content_type=evidence.mime)
    else:
        response = StreamingHttpResponse(
            _verifying_stream(path, evidence, request, request.user), content_type=evidence.mime
        )
        response["Content-Length"] = str(evidence.size)
        response["Content-Disposition"] = content_disposition_header(True, name)
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
@login_required
def evidence_thumbnail(request, case_pk, pk):
    """The poster frame shown on the evidence page (part of viewing the page, which is audited)."""
    evidence, _case = _evidence_for(request, case_pk, pk)
    if not evidence.thumbnail:
        raise Http404("没有缩略图。")
    path = settings.MEDIA_ROOT / evidence.thumbnail.name
    if not path.is_file():
        raise Http404("没有缩略图。")
    response = FileResponse(open(path, "rb"), content_type="image/jpeg")  # noqa: SIM115
    response["Cache-Control"] = "private, no-store"
    return response


@require_http_methods(["GET", "POST"])
@login_required
def evidence_void(request, case_pk, pk):
    evidence, case = _evidence_for(request, case_pk, pk)
    refusal = domain.recording_refusal(case, request.user)
    if refusal or evidence.voided_at is not None:
        messages.error(request, refusal or "该音像记录已作废。")
        return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
    form = VoidForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            domain.void_evidence(evidence, by=request.user, reason=form.cleaned_data["reason"])
        except domain.EvidenceRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, f"已作废“{evidence.title}”。文件及其校验值仍予保留。")
        return redirect("recording:evidence_detail", case_pk=evidence.case_id, pk=evidence.pk)
    return render(request, "recording/evidence_void.html", {"case": case, "evidence": evidence, "form": form})
