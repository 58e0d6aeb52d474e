"""The printable 核验卡 (verification card) of an officer's certificate: the holder's photo, name, unit,
certificate number, its status on the day of printing, and the signed QR code that opens the public verify
page — the same signed link the bureau's own pages and QR downloads carry (disclosure/signing.py).

The card is not the certificate: 行政执法证 are issued by the province (Certificate.issuing_authority), and the
card says so. It lets citizens check the officer in front of them; the verify page, not the card, tells the
status of the day.

Who may have it: Certificate.objects.printable_by — the holder their own, an admin any; anyone else gets a 404
(audited when the certificate exists). Each card shown or printed is audited.
"""

import base64

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from wuding_enforcement.audit.api import record
from wuding_enforcement.roster.models import Certificate
from wuding_enforcement.shared.pdf import render_html_to_pdf

from ..signing import qr_svg, signed_certificate_url
from .staff import get_certificate_for_qr
from .verify import certificate_status, photo_content

DENIED = "disclosure.certificate_card.access_denied"


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def card_context(cert: Certificate) -> dict:
    """What the card shows (the page and the PDF alike). Images are data: URIs: the PDF renderer fetches
    nothing but the project's static files (wuding_enforcement/shared/pdf.py)."""
    today = timezone.localdate()
    url = signed_certificate_url(cert.number)
    return {
        "cert": cert,
        "status": certificate_status(cert, today),
        "printed_on": today,
        "verify_url": url,
        "qr": _data_uri(qr_svg(url), "image/svg+xml"),
        "photo": _data_uri(*photo_content(cert)),
        "bureau": settings.BUREAU_NAME,
    }


def _audit(request, cert: Certificate, fmt: str) -> None:
    record(
        "disclosure.certificate_card.issued",
        obj=cert,
        request=request,
        detail={"number": cert.number, "holder": cert.holder.display_name, "format": fmt},
    )


@require_GET
@never_cache
@login_required
def certificate_card(request, number):
    """The card as a page: the preview at its printed size, the PDF to print, the QR code downloads."""
    cert = get_certificate_for_qr(request, number, action=DENIED)
    _audit(request, cert, "html")
    return render(request, "disclosure/certificate_card.html", card_context(cert))


@require_GET
@never_cache
@login_required
def certificate_card_pdf(request, number):
    """The card as a PDF at ID-1 card size (85.6 × 54 mm), Noto CJK, through the shared PDF service."""
    cert = get_certificate_for_qr(request, number, action=DENIED)
    html = render_to_string("disclosure/certificate_card_pdf.html", card_context(cert))
    pdf = render_html_to_pdf(html)
    _audit(request, cert, "pdf")
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.number}-card.pdf"'
    return response
