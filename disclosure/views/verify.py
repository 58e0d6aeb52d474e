"""事中公示 (docs/domain.md §1): anyone checks an officer's certificate or an issued document.

Certificate: every certificate, whatever its status, has a public page with the photo, name, unit, fields,
status and validity (行政处罚法 第五十五条: officers show their certificate; the public checks it). The
portal's QR codes carry a signature (disclosure/signing.py) that the page checks.

Document: an issued document's verification code confirms its number, type, issuing body, date and the
SHA-256 of the issued PDF — never its content (no party, no facts). Anyone may upload a PDF to compare its
hash; uploads are limited per address (wuding_enforcement/shared/ratelimit.py) and never stored.
"""

import datetime
import hashlib
import logging

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from recording.models import Document, DocumentStatus
from wuding_enforcement.audit.api import client_ip
from wuding_enforcement.roster.models import Certificate, CertificateStatus
from wuding_enforcement.shared.ratelimit import RateLimit
from wuding_enforcement.shared.signing import verify as verify_signature

from .. import preferences
from ..decisions import issued_correction
from ..sections import CERTIFICATE
from ..signing import SIGNATURE_PARAM, qr_data_uri, signature_is_valid, signed_certificate_url
from .pages import cacheable

logger = logging.getLogger("wuding.disclosure")

# --- Certificates -----------------------------------------------------------------------------------------

STATUS_SENTENCES = {
    CertificateStatus.VALID: "本证件有效。持证人可以在上述执法类别范围内从事行政执法活动。",
    CertificateStatus.SUSPENDED: "本证件已被暂扣。持证人当前不具备执法资格，不得从事行政执法活动。",
    CertificateStatus.REVOKED: "本证件已被吊销。持证人不具备执法资格，不得从事行政执法活动。",
    CertificateStatus.CANCELLED: "本证件已被注销。持证人不具备执法资格，不得从事行政执法活动。",
    CertificateStatus.EXPIRED: "本证件已过期。持证人当前不具备执法资格，不得从事行政执法活动。",
}
NOT_YET_VALID = "本证件尚未生效。持证人当前不具备执法资格，不得从事行政执法活动。"


def certificate_status(cert: Certificate, today) -> dict:
    """What the page says about the status: the label, a plain sentence, and whether it entitles today
    (Certificate.is_valid_on, the rule roster/certification.py applies to people)."""
    status = cert.status_on(today)
    entitled = cert.is_valid_on(today)
    if status == CertificateStatus.VALID and not entitled:  # valid, but issued after today
        return {
            "label": "尚未生效",
            "sentence": NOT_YET_VALID,
            "entitled": False,
            "since": cert.issued_on,
            "since_word": "生效",
        }
    since, since_word = None, ""
    if status == CertificateStatus.EXPIRED:
        since, since_word = cert.expires_on, "到期"
    elif status != CertificateStatus.VALID:
        since, since_word = cert.status_since, "起"
    return {
        "label": CertificateStatus(status).label,
        "sentence": STATUS_SENTENCES[CertificateStatus(status)],
        "entitled": entitled,
        "since": since,
        "since_word": since_word,
        "code": status,
    }


def find_certificate(number: str) -> Certificate | None:
    number = (number or "").strip()
    if not number or len(number) > 40:
        return None
    return Certificate.objects.select_related("holder", "unit").filter(number=number).first()


def _signature_state(request, number: str) -> str:
    """'valid', 'invalid' (a signature that is not ours for this number) or 'missing'."""
    signature = request.GET.get(SIGNATURE_PARAM)
    if signature is None:
        return "missing"
    if signature_is_valid(number, signature):
        return "valid"
    logger.warning("certificate %s opened with a signature that is not ours", number)
    return "invalid"


def _certificate_html(cert: Certificate) -> str:
    today = timezone.localdate()

    def build():
        return render_to_string(
            "disclosure/parts/certificate.html",
            {
                "cert": cert,
                "status": certificate_status(cert, today),
                "today": today,
                "qr": qr_data_uri(signed_certificate_url(cert.number)),
            },
        )

    return CERTIFICATE.page(cert.number, build)


@require_GET
def verify_certificate(request, number):
    """The page a certificate's QR code opens. Cached whole in the certificate section for anonymous visitors
    (the QR image and the status in it), one entry per number and signature state; a number not found is
    answered fresh."""
    signature = _signature_state(request, number)
    if cacheable(request):
        found = CERTIFICATE.page(
            preferences.cache_variant(request, f"page:{number}|{signature}"),
            lambda: _certificate_page(request, number, signature),
        )
        if found:
            return HttpResponse(found)
    cert = find_certificate(number)
    if cert is None:
        return render(request, "disclosure/certificate_not_found.html", {"number": number[:40]}, status=404)
    return render(
        request,
        "disclosure/certificate.html",
        _certificate_context(cert, signature),
    )


def _certificate_context(cert: Certificate, signature: str) -> dict:
    return {
        "content": _certificate_html(cert),
        "signature": signature,
        "cert": cert,
        "status": certificate_status(cert, timezone.localdate()),
    }


def _certificate_page(request, number: str, signature: str) -> str:
    """The whole certificate page, or "" when the number names no certificate (not cached as a page)."""
    cert = find_certificate(number)
    if cert is None:
        return ""
    return render_to_string(
        "disclosure/certificate.html", _certificate_context(cert, signature), request=request
    )


@require_GET
def certificate_lookup(request):
    """按证件编号查询: the result is the certificate's page (reached by number: no signature to check)."""
    number = request.GET.get("number", "").strip()
    if not number:
        return render(request, "disclosure/certificate_lookup.html", {"number": "", "error": ""})
    cert = find_certificate(number)
    if cert is None:
        return render(
            request,
            "disclosure/certificate_lookup.html",
            {"number": number[:40], "error": f"未找到编号为“{number[:40]}”的执法证件，请核对后重新输入。"},
            status=404,
        )
    return render(
        request,
        "disclosure/certificate.html",
        {
            "content": _certificate_html(cert),
            "signature": "lookup",
            "cert": cert,
            "status": certificate_status(cert, timezone.localdate()),
        },
    )


PLACEHOLDER_PHOTO = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 120 160" role="img" aria-label="未上传照片">'
    '<rect width="120" height="160" fill="#e8edf3"/><circle cx="60" cy="60" r="28" fill="#b7c3d2"/>'
    '<path d="M18 150 C22 108 98 108 102 150 Z" fill="#b7c3d2"/></svg>'
)
_IMAGE_MAGIC = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"RIFF": "image/webp"}


def photo_content(cert: Certificate) -> tuple[bytes, str]:
    """The certificate's photo and its type, read from the file's first bytes, never from its name; no photo,
    an unreadable file or not an image: the neutral silhouette (SVG). The verify page and the printed 核验卡
    show the same picture."""
    if cert.photo:
        try:
            with cert.photo.open("rb") as fh:
                data = fh.read(10 * 1024 * 1024)
        except OSError:
            logger.error(
                "certificate %s: photo %s unreadable, placeholder shown", cert.number, cert.photo.name
            )
            data = b""
        for magic, mime in _IMAGE_MAGIC.items():
            if data.startswith(magic):
                return data, mime
        if data:
            logger.warning(
                "certificate %s: photo %s is not an image, placeholder shown", cert.number, cert.photo.name
            )
    return PLACEHOLDER_PHOTO.encode(), "image/svg+xml"


@require_GET
@cache_control(public=True, max_age=600)
def certificate_photo(request, number):
    """The certificate's photo, and only the photo (the card shows it publicly): photo_content.

    Not served through audit/files.py send_stored_file on purpose: the photo is public content (shown on the
    certificate's public page, cached by browsers for 10 minutes), not a record with a recorded hash, and an
    audit row per public view would flood the log."""
    cert = find_certificate(number)
    if cert is None:
        raise Http404("未找到该执法证件。")
    data, mime = photo_content(cert)
    response = HttpResponse(data, content_type=mime)
    if mime != "image/svg+xml":
        response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Documents --------------------------------------------------------------------------------------------

# Uploads for the hash check: at most this size, and this many per address per window.
DOCUMENT_CHECK_MAX_BYTES = getattr(settings, "DOCUMENT_CHECK_MAX_BYTES", 20 * 1024 * 1024)
DOCUMENT_CHECK_LIMIT = 10
DOCUMENT_CHECK_WINDOW = 10 * 60
DOCUMENT_CHECK = RateLimit(
    "disclosure.document_check", limit=DOCUMENT_CHECK_LIMIT, window=DOCUMENT_CHECK_WINDOW
)


def find_document(code: str):
    """The issued document with this verification code (recording's Document, read-only: only the fields the
    page shows), else None."""
    code = (code or "").strip().upper()
    if not code or len(code) > 16 or not code.isalnum():
        return None
    return (
        Document.objects.filter(verification_code=code, status=DocumentStatus.ISSUED)
        .select_related("superseded_by")
        .only(
            "pk",
            "doc_type",
            "number",
            "status",
            "issued_at",
            "act_date",
            "data",
            "signed",
            "pdf_sha256",
            "verification_code",
            "superseded_by__number",
            "superseded_by__status",
            "superseded_by__doc_type",
            "superseded_by__verification_code",
            "superseded_by__issued_at",
        )
        .first()
    )


# Keys of document data that hold the date the document itself carries (its 落款日期), in order of preference.
DOCUMENT_DATE_KEYS = ("decided_on", "document_date", "dated_on", "served_at", "date")


def document_date(document) -> datetime.date | None:
    """The date printed on the document (a 决定书's 决定日期, a record's act date), not the day the system
    issued the file: a decision dated 11月17日 and issued into the system on 12月6日 reads 11月17日."""
    data = document.data or {}
    for key in DOCUMENT_DATE_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            try:
                return datetime.date.fromisoformat(value[:10])
            except ValueError:
                logger.warning("document %s: unreadable %s %r", document.pk, key, value)
    if document.act_date:
        return document.act_date
    return timezone.localdate(document.issued_at) if document.issued_at else None


def signature_verdict(signature, *, expected_signed: bool) -> dict:
    """What the page says about the uploaded file's seal: {"ok": bool, "text": str}. A file that should carry
    the bureau's seal but in which no intact seal can be found was altered (电子签名法 第十三条): reported as an
    invalid signature, never as "未带电子签章"."""
    ok = signature.signed and signature.intact and signature.by_bureau and signature.covers_whole_file
    ok = ok and not signature.error
    if expected_signed and not signature.signed:
        return {
            "ok": False,
            "text": "电子签章无效：本局签发的该文书带有电子签章，您上传的文件中找不到完整的签章，文件已被改动或不是本局签发的文件。",
        }
    return {"ok": bool(ok), "text": signature.summary}


def _check_upload(request, document) -> dict:
    upload = request.FILES.get("pdf")
    if upload is None:
        return {"error": "请选择要核对的 PDF 文件。"}
    if DOCUMENT_CHECK.exceeded(client_ip(request)):
        return {
            "error": f"核对过于频繁：同一网络每{DOCUMENT_CHECK_WINDOW // 60}分钟最多核对{DOCUMENT_CHECK_LIMIT}次，请稍后再试。"
        }
    if upload.size > DOCUMENT_CHECK_MAX_BYTES:
        return {
            "error": f"文件过大：请上传不超过{DOCUMENT_CHECK_MAX_BYTES // (1024 * 1024)} MB 的 PDF 文件。"
        }
    data = upload.read()
    if not data:
        return {"error": "文件为空，请重新选择。"}
    if not data.startswith(b"%PDF-"):
        return {"error": "该文件不是 PDF 文件，请上传本局签发的 PDF 文书。"}
    sha = hashlib.sha256(data).hexdigest()
    # 电子签名法 第十三条: besides the hash, report whether the file carries an intact signature of the
    # bureau's signing certificate (documents issued before signing existed read as unsigned).
    signature = signature_verdict(verify_signature(data), expected_signed=document.signed)
    return {"uploaded_sha256": sha, "match": sha == document.pdf_sha256, "signature": signature}


@require_http_methods(["GET", "POST"])
def verify_document(request, code):
    document = find_document(code)
    if document is None:
        return render(request, "disclosure/document_not_found.html", {"code": code[:16]}, status=404)
    context = {
        "document": document,
        "correction": issued_correction(document),
        "document_date": document_date(document),
        "check": None,
        "max_mb": DOCUMENT_CHECK_MAX_BYTES // (1024 * 1024),
    }
    status = 200
    if request.method == "POST":
        context["check"] = _check_upload(request, document)
        if "error" in context["check"]:
            logger.info(
                "document check %s refused: %s", document.verification_code, context["check"]["error"]
            )
            status = 400
    return render(request, "disclosure/document.html", context, status=status)


@require_GET
def document_lookup(request):
    code = request.GET.get("code", "").strip().upper()
    if not code:
        return render(request, "disclosure/document_lookup.html", {"code": "", "error": ""})
    if find_document(code) is None:
        return render(
            request,
            "disclosure/document_lookup.html",
            {"code": code[:16], "error": f"未找到核验码为“{code[:16]}”的文书，请核对后重新输入。"},
            status=404,
        )
    return redirect("disclosure:verify_document", code=code)
