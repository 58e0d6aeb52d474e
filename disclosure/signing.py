"""Signed certificate links: the portal's own QR codes carry an HMAC of the certificate number, so that a QR
code pointing elsewhere on the site (or made by someone else) is recognisable on the page it opens.

The signature proves only that the portal issued a link for this number; the page itself always shows the
certificate's true status, signed or not.
"""

import io
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.core.signing import Signer
from django.urls import reverse
from django.utils.crypto import constant_time_compare

_SIGNER = Signer(salt="disclosure.certificate-link")
SIGNATURE_PARAM = "s"


def certificate_signature(number: str) -> str:
    return _SIGNER.signature(number)


def signature_is_valid(number: str, signature: str | None) -> bool:
    return bool(signature) and constant_time_compare(signature, certificate_signature(number))


def certificate_path(number: str) -> str:
    return reverse("disclosure:verify_certificate", args=[number])


def signed_certificate_path(number: str) -> str:
    """The bureau's own link to a certificate (the 执法人员 list, cards): signed like the QR code, so the page it
    opens does not warn that the link may not be the bureau's."""
    return f"{certificate_path(number)}?{urlencode({SIGNATURE_PARAM: certificate_signature(number)})}"


def signed_certificate_url(number: str) -> str:
    """The absolute link a QR code carries: PUBLIC_BASE_URL + /verify/certificate/<number>/?s=<signature>."""
    query = urlencode({SIGNATURE_PARAM: certificate_signature(number)})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{certificate_path(number)}?{query}"


def qr_svg(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True)
    return out.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=2)
    return out.getvalue()


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)
