"""Officers' recording pages: the landing page, the lead registration, the case workspace (the case's whole
life as a timeline, its deadlines and the actions allowed now) and the documents (draft, edit, issue,
correct, the party's signature, the PDF).

Views read input, call the domain (Case.register_lead, Document.issue / correct) and show its Chinese
answer; they never decide whether an act is lawful. Every view takes its case through get_case_for_user
(404 when not visible, write=True for changes); classified records only for Case.may_see_classified (404
and an audit entry otherwise). After a POST they redirect (PRG) with the outcome in the messages framework.

Over 500 lines because these are the pages of one screen family (workspace and its documents) sharing the
same getters and redirects; evidence, approvals and archive pages live in their own view modules.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch, Q, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.files import FileAltered, send_stored_file
from wuding_enforcement.cases import staff_cache
from wuding_enforcement.cases.access import get_case_for_user
from wuding_enforcement.cases.deadlines import case_rows
from wuding_enforcement.cases.forms import (
    AdvanceForm,
    ApprovalRequestForm,
    OpinionForm,
    advance_choices,
    approval_kinds_for,
)
from wuding_enforcement.cases.models import (
    PENDING_APPROVAL,
    Approval,
    ApprovalOpinion,
    Case,
    CaseOfficer,
    CaseTransition,
)
from wuding_enforcement.cases.workflow import FINISHED_STAGES, Stage, TransitionRefused
from wuding_enforcement.roster.certification import entitlement_on
from wuding_enforcement.roster.decorators import role_required
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.form_problems import show_form_problems
from wuding_enforcement.shared.refusals import show_refusal

from . import archive, views_archive
from .access import document_pdf_name, get_document_for_user
from .doctypes import REGISTRY
from .forms import CorrectionForm, DocumentMetaForm, LeadForm, PartyFormSet, SignatureForm
from .models import Classification, Document, DocumentFrozenError, DocumentStatus, Evidence, PartySignature
from .queues import awaiting_archive
from .workspace import display_rows, doctype_groups, evidence_url, timeline, type_initial, url_or_none

RECORDING_ROLES = (Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD, Role.RECORDS_KEEPER)
# Session key prefix of the one-time token of a "new document" form: a second submission of the same form
# (double click, reload after POST) updates the draft the first one created instead of making another.
DRAFT_SESSION_PREFIX = "recording.draft_token."

_url = url_or_none


# --- Landing page ------------------------------------------------------------------------------------------


@require_GET
@login_required
@role_required(*RECORDING_ROLES)
def index(request):
    """My cases needing action: drafts to finish, approvals waiting, deadlines close or passed."""
    user = request.user
    today = timezone.localdate()
    # Queries: the cases with their draft counts, then one per prefetched relation of for_rows().
    cases = list(
        Case.objects.editable_by(user)
        .active()
        .for_rows()
        .annotate(
            drafts=Count("documents", filter=Q(documents__status=DocumentStatus.DRAFT), distinct=True),
        )
        .order_by("-lead_year", "-lead_seq")[:100]
    )
    rows = []
    for case, deadline in case_rows(cases, today):
        pending = [a for a in case.approvals.all() if a.status in PENDING_APPROVAL]
        urgent = deadline is not None and deadline.status in ("amber", "red")
        rows.append(
            {"case": case, "deadline": deadline, "drafts": case.drafts, "pending": pending, "urgent": urgent}
        )
    needing = [r for r in rows if r["drafts"] or r["pending"] or r["urgent"]]
    return render(
        request,
        "recording/index.html",
        {
            "rows": needing,
            "others": [r for r in rows if r not in needing],
            "to_archive": list(awaiting_archive(user)[:100]),
            "today": today,
            "may_register": user.has_role(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD),
        },
    )


# --- Lead registration ---------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@role_required(Role.OFFICER, Role.UNIT_HEAD, Role.BUREAU_HEAD)
def lead_new(request):
    """案件来源登记: a new case with its 案源登记号, its officers, matters and parties, all or nothing."""
    user = request.user
    form = LeadForm(request.POST or None, user=user)
    parties = PartyFormSet(request.POST or None, prefix="party")
    if request.method == "POST" and form.is_valid() & parties.is_valid():
        data = form.cleaned_data
        try:
            case = Case.register_lead(
                by=user,
                handling_unit=data["handling_unit"],
                title=data["title"],
                lead_source=data["lead_source"],
                lead_date=data["lead_date"],
                lead_summary=data["lead_summary"],
                officers=data["officers"],
                matters=data["matters"],
                parties=parties.parties,
            )
        except ValidationError as exc:
            show_refusal(request, exc, form=form)
        else:
            messages.success(request, f"已登记案源，案源登记号 {case.lead_number}。")
            if case.may_work_on(user) or user.has_role(Role.BUREAU_HEAD):
                return redirect("recording:workspace", pk=case.pk)
            return redirect("recording:index")
    return render(request, "recording/lead_form.html", {"form": form, "parties": parties})


# --- The case workspace -----------------------------------------------------------------------------------


def _documents_prefetch():
    """A case's documents as the workspace reads them (with who made, issued and corrected them)."""
    return Prefetch(
        "documents",
        queryset=Document.objects.select_related(
            "created_by", "issued_by", "party", "supersedes", "superseded_by"
        ).order_by("created_at", "pk"),
    )


def _evidence_for(case, may_see_classified):
    qs = Evidence.objects.filter(case=case).select_related("uploaded_by", "voided_by", "document")
    if not may_see_classified:
        qs = qs.filter(classification=Classification.GENERAL)
    return qs.order_by("uploaded_at", "pk")


@require_GET
@login_required
def workspace(request, pk):
    """The officer's working view of one case: timeline, deadlines, and the actions allowed now.

    The access check runs on every request (a case the user may not open is a 404, audited). The body below
    the header is cached per user and case in the staff pages' section (cases/staff_cache.py: renewed by any
    change of what a staff page shows, keyed by today's date, valid until the first running hours clock ends;
    never kept while the case file is being built or an upload's metadata job runs, states their jobs change
    without a signal); each request fills in its own CSRF token."""
    case = get_case_for_user(request, pk, related=False)  # the access check; the title shows its number
    today = timezone.localdate()

    def build() -> str:
        # The access check just passed: the case again with what the body shows of its unit and creator.
        related = Case.objects.select_related("handling_unit", "handling_unit__head", "created_by")
        return _workspace_body(request, related.filter(pk=case.pk).first() or case, today)

    body = staff_cache.cached_body(request, f"recording:workspace:{case.pk}", today, build)
    return render(request, "recording/workspace.html", {"case": case, "body": body})


def _workspace_body(request, case, today) -> str:
    user = request.user
    may_see_classified = case.may_see_classified(user)
    can_write = case.may_work_on(user)
    # Queries (fixed, whatever the number of records): the case relations below, one each (the documents
    # among them); the evidence; the approvals awaiting this user.
    prefetch_related_objects(
        [case],
        "parties",
        Prefetch(
            "assignments",
            queryset=CaseOfficer.objects.select_related("officer").prefetch_related("officer__certificates"),
        ),
        Prefetch("transitions", queryset=CaseTransition.objects.select_related("actor")),
        Prefetch(
            "approvals",
            queryset=Approval.objects.select_related("requested_by").prefetch_related(
                Prefetch("opinions", queryset=ApprovalOpinion.objects.select_related("by"))
            ),
        ),
        "pauses",
        # Every document, once: the timeline shows those this user may see, the deadline providers
        # (recording/clocks.py) read them all through case.documents.all().
        _documents_prefetch(),
    )
    documents = [
        d for d in case.documents.all() if may_see_classified or d.classification == Classification.GENERAL
    ]
    evidence = list(_evidence_for(case, may_see_classified))
    awaiting = set(Approval.objects.awaiting(user).filter(case=case).values_list("pk", flat=True))
    # Whether each officer may enforce today (roster/certification.py: the one certificate rule).
    officers = [(a, entitlement_on(a.officer, today).entitled) for a in case.assignments.all()]
    here = reverse("recording:workspace", args=[case.pk])
    context = {
        "case": case,
        "today": today,
        "entries": timeline(case, documents, evidence),
        "drafts": [d for d in documents if d.status == DocumentStatus.DRAFT],
        "deadlines": case.deadlines(today),
        "officers": officers,
        "awaiting": [a for a in case.approvals.all() if a.pk in awaiting],
        "opinion_form": OpinionForm(auto_id="id_opinion_%s"),
        "can_write": can_write,
        "next": here,
        "evidence_upload_url": _url("recording:evidence_upload", case.pk) if can_write else None,
        "evidence_list_url": _url("recording:evidence_list", case.pk),
        "archived": case.stage == Stage.ARCHIVED,
    }
    if can_write and case.stage != Stage.ARCHIVED:
        direct, by_approval = advance_choices(case)
        context.update(
            groups=doctype_groups(case),
            approval_form=ApprovalRequestForm(kinds=approval_kinds_for(case), auto_id="id_approval_%s"),
            advance_form=AdvanceForm(targets=direct, auto_id="id_advance_%s") if direct else None,
            needs_approval=[Stage(t).label for t in by_approval],
        )
    context.update(_archive_context(case, user))
    html = render_to_string("recording/_workspace_body.html", staff_cache.body_context(context))
    casefile = context.get("casefile")
    moving = any(e.metadata_pending for e in evidence) or (
        casefile is not None and casefile["status"] in ("building", "pending")
    )
    return staff_cache.with_until(
        html, "0" if moving else staff_cache.until(context["deadlines"], timezone.now())
    )


def _archive_context(case, user) -> dict:
    """The records keeper archives a closed case (the case-file pages belong to the archive module)."""
    keeper = archive.is_records_keeper_of(user, case)
    start = _url("recording:casefile_start", case.pk)
    progress = _url("recording:casefile_progress", case.pk)
    download = _url("recording:casefile_download", case.pk)
    return {
        "archive_start_url": start if keeper and case.stage in FINISHED_STAGES - {Stage.ARCHIVED} else None,
        "archive_progress_url": progress,
        "archive_download_url": download if case.stage == Stage.ARCHIVED else None,
        "is_keeper": keeper,
        # The case file's state (signature of each volume, or why the last build failed), once closed.
        "casefile": views_archive.casefile_state(case, user) if case.stage in FINISHED_STAGES else None,
    }


# --- Documents ------------------------------------------------------------------------------------------


def _doctype_or_404(key):
    try:
        return REGISTRY[key]
    except KeyError:
        raise Http404("未知的文书种类。") from None


def _render_form(request, case, doctype, form, meta, document=None, token=""):
    return render(
        request,
        "recording/document_form.html",
        {"case": case, "doctype": doctype, "form": form, "meta": meta, "document": document, "token": token},
    )


@require_http_methods(["GET", "POST"])
@login_required
def document_new(request, pk, doc_type):
    """A new draft of a registered type: the type's own form plus who/when/where. Saving twice with the
    same form (double click, reload) updates the first draft instead of making a second one."""
    case = get_case_for_user(request, pk, write=True)
    doctype = _doctype_or_404(doc_type)
    if request.method == "GET":
        form = doctype.form(initial=doctype.initial(case), case=case)
        meta = DocumentMetaForm(
            case=case, doctype=doctype, prefix="meta", initial=_meta_initial(case, doctype)
        )
        return _render_form(request, case, doctype, form, meta, token=uuid.uuid4().hex)
    token = request.POST.get("token", "")
    existing_pk = request.session.get(DRAFT_SESSION_PREFIX + token) if token else None
    if existing_pk:
        document = Document.objects.filter(pk=existing_pk, case=case).first()
        if document is not None:
            return _save_draft(request, case, doctype, document)
    return _save_draft(request, case, doctype, None, token=token)


def _meta_initial(case, doctype) -> dict:
    initial = {"act_date": timezone.localdate()} if doctype.act else {}
    parties = list(case.parties.all()[:2])
    if len(parties) == 1:
        initial["party"] = parties[0].pk
    if doctype.act:
        initial["officers"] = [a.officer_id for a in case.assignments.all()]
    return initial


def _save_draft(request, case, doctype, document, token=""):
    form = doctype.form(request.POST, case=case)
    meta = DocumentMetaForm(
        request.POST, case=case, doctype=doctype, prefix="meta", instance=document or Document(case=case)
    )
    if document is not None and document.is_issued:
        messages.error(request, "该文书已签发，不能修改。如需更正，请制作更正文书。")
        return redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)
    if not (form.is_valid() & meta.is_valid()):
        return _render_form(request, case, doctype, form, meta, document, token=token)
    with transaction.atomic():
        draft = meta.save(commit=False)
        draft.case = case
        draft.doc_type = doctype.key
        draft.data = doctype.to_json(form.cleaned_data)
        draft.act_place = doctype.place_of(draft.data, draft.act_place)
        created = draft.pk is None
        if created:
            draft.created_by = request.user
            if draft.takes_party_signature:
                draft.party_signature = PartySignature.PENDING
        draft._change_reason = "recording.document.drafted" if created else "recording.document.edited"
        draft._history_user = request.user
        try:
            draft.save()
        except DocumentFrozenError as exc:
            messages.error(request, str(exc))
            return redirect("recording:document_detail", pk=case.pk, doc_pk=draft.pk)
        meta.save_m2m()
        record(
            "recording.document.drafted" if created else "recording.document.edited",
            obj=case,
            actor=request.user,
            detail={"document": draft.pk, "type": doctype.key},
        )
    if token:
        request.session[DRAFT_SESSION_PREFIX + token] = draft.pk
    messages.success(request, f"“{doctype.title}”草稿已保存。")
    return redirect("recording:document_detail", pk=case.pk, doc_pk=draft.pk)


@require_http_methods(["GET", "POST"])
@login_required
def document_edit(request, pk, doc_pk):
    case = get_case_for_user(request, pk, write=True)
    document = get_document_for_user(request, case, doc_pk)
    doctype = _doctype_or_404(document.doc_type)
    if document.is_issued:
        messages.error(request, "该文书已签发，不能修改。如需更正，请制作更正文书。")
        return redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)
    if request.method == "POST":
        return _save_draft(request, case, doctype, document)
    form = doctype.form(initial=type_initial(doctype, document.data), case=case)
    meta = DocumentMetaForm(case=case, doctype=doctype, prefix="meta", instance=document)
    return _render_form(request, case, doctype, form, meta, document)


@require_GET
@login_required
def document_detail(request, pk, doc_pk):
    user = request.user
    case = get_case_for_user(request, pk)
    document = get_document_for_user(request, case, doc_pk)
    doctype = REGISTRY.get(document.doc_type)
    can_write = case.may_work_on(user) and case.stage != Stage.ARCHIVED
    may_see_classified = case.may_see_classified(user)
    evidence = document.evidence.select_related("uploaded_by").order_by("uploaded_at", "pk")
    if not may_see_classified:
        evidence = evidence.filter(classification=Classification.GENERAL)
    correction = Document.objects.filter(supersedes=document).first()
    if (
        correction is not None
        and correction.classification != Classification.GENERAL
        and not may_see_classified
    ):
        correction = None
    signable = document.is_issued and document.takes_party_signature
    context = {
        "case": case,
        "document": document,
        "doctype": doctype,
        "rows": display_rows(doctype, document.data, case) if doctype else [],
        "officers": list(document.officers.all()),
        "evidence": [(e, evidence_url(e)) for e in evidence],
        "correction": correction,
        "can_write": can_write,
        "problems": document.issue_problems(user) if can_write and not document.is_issued and doctype else [],
        "correction_form": CorrectionForm(auto_id="id_correction_%s")
        if can_write and document.is_issued and correction is None
        else None,
        "signature_form": SignatureForm(auto_id="id_signature_%s") if can_write and signable else None,
        "evidence_upload_url": _url("recording:evidence_upload", case.pk) if can_write else None,
    }
    return render(request, "recording/document_detail.html", context)


@require_POST
@login_required
def document_issue(request, pk, doc_pk):
    """签发: number, render, hash and freeze (Document.issue); a second click gets "该文书已签发"."""
    case = get_case_for_user(request, pk, write=True)
    document = get_document_for_user(request, case, doc_pk)
    try:
        issued = document.issue(by=request.user)
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        number = issued.number or (f"卷内第{issued.file_seq}号" if issued.file_seq else "")
        messages.success(request, f"“{issued.type_title}”已签发{('，' + number) if number else ''}。")
    return redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)


@require_POST
@login_required
def document_correct(request, pk, doc_pk):
    """更正: a new draft that will supersede the issued document once issued; both are kept."""
    case = get_case_for_user(request, pk, write=True)
    document = get_document_for_user(request, case, doc_pk)
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请写明更正理由。")
        return redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)
    try:
        draft = document.correct(by=request.user, reason=form.cleaned_data["reason"])
    except TransitionRefused as refused:
        show_refusal(request, refused)
        return redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)
    messages.success(request, "已制作更正文书草稿；签发后原文书标记为已被更正，两份均保留。")
    return redirect("recording:document_edit", pk=case.pk, doc_pk=draft.pk)


@require_POST
@login_required
def document_signature(request, pk, doc_pk):
    """The party's signature or refusal to sign (with witness) on an issued document, and a photo of the
    signed paper (Document.record_party_signature decides whether it may be recorded)."""
    case = get_case_for_user(request, pk, write=True)
    document = get_document_for_user(request, case, doc_pk)
    back = redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)
    form = SignatureForm(request.POST, request.FILES)
    if not form.is_valid():
        show_form_problems(request, form)
        return back
    data = form.cleaned_data
    try:
        document.record_party_signature(
            by=request.user,
            outcome=data["outcome"],
            signed_at=data["signed_at"],
            refusal_witness=data["refusal_witness"],
            scan=data["scan"]["content"] if data.get("scan") else None,
        )
    except TransitionRefused as refused:
        show_refusal(request, refused)
    else:
        messages.success(request, f"已记录：{PartySignature(data['outcome']).label}。")
    return back


def _stream_verified(request, case, document, *, file_field, expected, content_type, filename, what):
    """Serve a stored file only if its SHA-256 still matches the one stored when it was made (电子签名法
    第十四条: later changes must be detectable); a mismatch or missing file is refused and audited."""
    try:
        return send_stored_file(
            request,
            file_field,
            filename=filename,
            content_type=content_type,
            action="recording.document.downloaded",
            obj=case,
            what=what,
            detail={"document": document.pk},
            expected_sha256=expected,
        )
    except FileAltered as exc:
        show_refusal(request, exc)
        return redirect("recording:document_detail", pk=case.pk, doc_pk=document.pk)


@require_GET
@login_required
def document_pdf(request, pk, doc_pk):
    case = get_case_for_user(request, pk)
    document = get_document_for_user(request, case, doc_pk)
    if not document.is_issued or not document.pdf:
        raise Http404("文书尚未签发，没有 PDF。")
    return _stream_verified(
        request,
        case,
        document,
        file_field=document.pdf,
        expected=document.pdf_sha256,
        content_type="application/pdf",
        filename=document_pdf_name(document),
        what="文书 PDF",
    )


@require_GET
@login_required
def document_scan(request, pk, doc_pk):
    case = get_case_for_user(request, pk)
    document = get_document_for_user(request, case, doc_pk)
    if not document.signed_scan:
        raise Http404("没有签字页照片。")
    from .forms import detect_image

    with document.signed_scan.open("rb") as handle:
        mime = detect_image(handle.read(4096)) or "application/octet-stream"
    extension = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}.get(mime, "bin")
    return _stream_verified(
        request,
        case,
        document,
        file_field=document.signed_scan,
        expected=document.signed_scan_sha256,
        content_type=mime,
        filename=f"signed-{document.pk}.{extension}",
        what="签字页照片",
    )
