"""recording's public getters: a document of a case the user may see. Classified documents (个人隐私, 商业秘密,
国家秘密) only for `Case.may_see_classified`; anyone else gets a 404 (`Hidden`, audited as
recording.document.access_denied), so their existence does not leak. legal_review and disclosure use these
getters rather than querying Document themselves."""

from django.http import Http404

from wuding_enforcement.shared.refusals import Hidden

from .models import Classification, Document


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
