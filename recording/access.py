"""recording's public getters: a document or an evidence item of a case the user may see. Classified records
(个人隐私, 商业秘密, 国家秘密) only for `Case.may_see_classified`; anyone else gets a 404 (`Hidden`, audited by the
audit middleware as recording.document.access_denied / recording.evidence.access_denied), so their existence
does not leak. legal_review and disclosure use these getters rather than querying Document themselves."""

from django.http import Http404

from wuding_enforcement.shared.refusals import Hidden

from .models import Classification, Document, Evidence


def get_document_for_user(request, case, doc_pk, **filters) -> Document:
    qs = Document.objects.select_related("case", "party", "created_by", "issued_by", "supersedes")
    document = qs.filter(case=case, pk=doc_pk, **filters).first()
    if document is None:
        raise Http404("文书不存在。")
    if document.classification != Classification.GENERAL and not case.may_see_classified(request.user):
        raise Hidden(
            "文书不存在。",
            what=f"文书#{document.pk}",
            action="recording.document.access_denied",
            detail={"case": case.pk, "document": document.pk, "classification": document.classification},
        )
    return document


def document_pdf_name(document) -> str:
    return f"{document.number or document.type_title + '-' + str(document.file_seq or document.pk)}.pdf"


def get_evidence_for_user(request, case, pk) -> Evidence:
    """An evidence item of `case` (already fetched with get_case_for_user) that the user may see
    (Evidence.objects.visible_to): a classified item only for Case.may_see_classified."""
    visible = (
        Evidence.objects.visible_to(request.user, case)
        .select_related("document", "uploaded_by", "voided_by")
        .filter(pk=pk, case=case)
        .first()
    )
    if visible is not None:
        visible.case = case
        return visible
    classification = (
        Evidence.objects.filter(pk=pk, case=case).values_list("classification", flat=True).first()
    )
    if classification is None:
        raise Http404("音像记录不存在。")
    raise Hidden(
        "音像记录不存在或您无权查看。",
        what=f"音像记录#{pk}",
        action="recording.evidence.access_denied",
        detail={"case": case.pk, "evidence": pk, "classification": classification},
    )
