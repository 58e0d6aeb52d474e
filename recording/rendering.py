"""A document's PDF: its type's template filled with the document, the bureau and the verification QR code."""

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from wuding_enforcement.shared.pdf import (
    qr_data_uri,
    render_html_to_pdf_and_seal_spot,
    verification_url,
)


def document_context(document) -> dict:
    doctype = document.doctype
    verify = verification_url(document.verification_code) if document.verification_code else ""
    context = {
        "document": document,
        "doctype": doctype,
        "case": document.case,
        "party": document.party,
        "data": document.data,
        "officers": list(document.officers.all()) if document.pk else [],
        "bureau": settings.BUREAU_NAME,
        "verify_url": verify,
        "verify_qr": qr_data_uri(verify) if verify else "",
        "rendered_at": timezone.localtime(),
    }
    context.update(doctype.context(document))
    return context


def render_document(document) -> bytes:
    """The PDF of the document. Also notes on the instance (`document.seal_spot`) where the bureau's seal
    goes: over the issuing body and date (the element with id="seal" in templates/documents/), as paper
    documents are stamped — Document.issue hands it to the signer."""
    pdf, document.seal_spot = render_html_to_pdf_and_seal_spot(
        render_to_string(document.doctype.template, document_context(document))
    )
    return pdf
