"""The 检查码 ("扫码入企/亮码检查"): each approved inspection gets an unguessable short code (10 characters
from 32, about 50 bits: typed by the enterprise) and a signed link carried by a QR code the officers show on
arrival. The link's signature (HMAC with the site's secret key, django.core.signing) makes a forged or altered
link fail before any lookup; the short code alone is as hard to guess as a 10-character password.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse

from wuding_enforcement.shared.pdf import qr_data_uri

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed on a phone
LENGTH = 10
_SIGNER = signing.Signer(salt="inspection.code", sep=".")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(code: str) -> str:
    return "".join(c for c in (code or "").upper() if c in ALPHABET)


def token_for(code: str) -> str:
    return _SIGNER.sign(code)


def code_from_token(token: str) -> str | None:
    """The code a signed link carries, or None when the signature does not match (forged or altered)."""
    try:
        return _SIGNER.unsign(token)
    except signing.BadSignature:
        return None


def path_for(code: str) -> str:
    return reverse("inspection_public:code", args=[token_for(code)])


def url_for(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path_for(code)}"


def qr_for(code: str) -> str:
    return qr_data_uri(url_for(code))


def grouped(code: str) -> str:
    """ABCD EFGH JK: easier to read out and to type."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))
