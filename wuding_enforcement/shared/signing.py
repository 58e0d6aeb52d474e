"""Electronic seal and signature on issued documents (电子签名法 第十三、十四条).

Signing is part of issuing: the issued PDF is signed (PAdES, with pyHanko) and shows the bureau's seal image
on the signature; the stored SHA-256 is that of the signed PDF, so any later change is detectable twice (hash
and signature). The signer is a pluggable backend named by settings.DOCUMENT_SIGNER:

- ``wuding_enforcement.shared.signing.PKCS12Signer`` — the built-in one: the bureau's certificate and key from a PKCS#12 file
  (SIGNING_PKCS12_PATH, password from SIGNING_PKCS12_PASSWORD). Production uses this.
- ``wuding_enforcement.shared.signing.DemoSigner`` — development and the demo: a self-signed demo certificate generated on
  first use under VAR_DIR/signing/; the signature's reason says it is a demo signature.
- A provincial e-seal platform (GB/T 38540, SM2) would be another class with the same two methods.
"""

import datetime
import hashlib
import io
import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

SIGNATURE_FIELD = "BureauSeal"
logger = logging.getLogger("wuding.signing")


class SigningError(Exception):
    """Signing failed: issuing stops and the user sees the message (nothing is issued half-signed)."""


@dataclass
class SignatureReport:
    signed: bool
    intact: bool = False
    valid: bool = False
    by_bureau: bool = False
    signer: str = ""
    signed_at: datetime.datetime | None = None
    reason: str = ""
    covers_whole_file: bool = False
    # Why the file or its signature could not be checked at all ("" when it could).
    error: str = ""

    @property
    def summary(self) -> str:
        if self.error and not self.signed:
            return "无法读取该 PDF，不能核验电子签章。"
        if not self.signed:
            return "该 PDF 未带电子签章。"
        if self.error:
            return "该 PDF 带有电子签章，但无法完成校验，不能认定其有效。"
        if not self.intact:
            return "电子签章校验失败：签章后文件内容被改动。"
        if not self.by_bureau:
            return f"该 PDF 带有电子签章，但签章人（{self.signer}）不是本局的签章证书。"
        if not self.covers_whole_file:
            return "本局电子签章有效，但签章之后文件又被追加了内容。"
        return f"本局电子签章有效：{self.signer}。"


def _outside_event_loop(func, *args, **kwargs):
    """pyHanko signs and validates with asyncio.run(), which refuses to start inside a running event loop
    (an ASGI worker, or Playwright's sync API in the same thread during browser tests): run it in a short
    worker thread of its own then."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args, **kwargs).result()


def _seal_image() -> Path:
    """The seal image drawn on the signature (static/img/seal.png, generated once if missing)."""
    path = Path(settings.BASE_DIR) / "static" / "img" / "seal.png"
    if not path.exists():
        _draw_seal(path)
    return path


@lru_cache(maxsize=1)
def _seal_pil():
    from PIL import Image

    with Image.open(_seal_image()) as image:
        image.load()
        return image.copy()


def _draw_seal(path: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    size = 360
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 16, 26, 235)
    draw.ellipse((8, 8, size - 8, size - 8), outline=red, width=14)
    # A five-pointed star in the centre.
    import math

    cx, cy, r_out, r_in = size / 2, size / 2, 62, 25
    points = []
    for i in range(10):
        radius = r_out if i % 2 == 0 else r_in
        angle = math.pi / 2 + i * math.pi / 5
        points.append((cx + radius * math.cos(angle), cy - radius * math.sin(angle)))
    draw.polygon(points, fill=red)
    font_path = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Bold.ttc"
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    small: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(font_path, 36)
        small = ImageFont.truetype(font_path, 30)
    except OSError as exc:
        # The seal still gets drawn, with a plainer font: the machine lacks fonts-noto-cjk (docs/stack.md).
        logger.warning(
            "seal font %s unavailable (%s): drawing the seal with the default font", font_path, exc
        )
        font = small = ImageFont.load_default()
    name = settings.BUREAU_NAME
    # The name along the upper arc, one character at a time.
    for i, char in enumerate(name):
        angle = math.radians(210 - i * (240 / max(len(name) - 1, 1)))
        x, y = cx + 128 * math.cos(angle), cy - 128 * math.sin(angle)
        glyph = Image.new("RGBA", (48, 48), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((24, 24), char, font=font, fill=red, anchor="mm")
        glyph = glyph.rotate(math.degrees(angle) - 90, resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - 24), int(y - 24)))
    draw.text((cx, cy + 100), "电子签章", font=small, fill=red, anchor="mm")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)


class _PyHankoSigner:
    demo = False

    def _signer(self):
        raise NotImplementedError

    def certificate(self):
        return self._signer().signing_cert

    def fingerprint(self) -> str:
        from cryptography.hazmat.primitives import serialization

        der = self.certificate().dump()
        return hashlib.sha256(
            der if isinstance(der, bytes) else der.public_bytes(serialization.Encoding.DER)
        ).hexdigest()

    def sign(self, pdf_bytes: bytes, *, reason: str, seal_at=None) -> bytes:
        """Sign the PDF; the seal image is drawn at `seal_at` (a shared.pdf.SealSpot: over the issuing body and
        date, as on paper), or at the bottom right of the last page when the document marks no place."""
        from pyhanko import stamp
        from pyhanko.pdf_utils import images
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign import fields, signers

        try:
            writer = IncrementalPdfFileWriter(io.BytesIO(pdf_bytes))
            _producer_as_xmp_will_say(writer)
            if seal_at is not None:
                page, box = seal_at.page, tuple(round(v, 2) for v in seal_at.box)
            else:
                page = int(PdfFileReader(io.BytesIO(pdf_bytes)).root["/Pages"]["/Count"]) - 1
                box = (410, 70, 530, 190)  # bottom right of the last page (A4 = 595 x 842 pt)
            fields.append_signature_field(writer, fields.SigFieldSpec(SIGNATURE_FIELD, on_page=page, box=box))
            style = stamp.StaticStampStyle(
                background=images.PdfImage(_seal_pil()), border_width=0, background_opacity=1
            )
            meta = signers.PdfSignatureMetadata(
                field_name=SIGNATURE_FIELD,
                reason=("【演示证书，非正式签章】" if self.demo else "") + reason,
                location=settings.BUREAU_NAME,
                subfilter=fields.SigSeedSubFilter.PADES,
                md_algorithm="sha256",
            )
            pdf_signer = signers.PdfSigner(meta, signer=self._signer(), stamp_style=style)
            return _outside_event_loop(pdf_signer.sign_pdf, writer).getvalue()
        except Exception as exc:  # pyHanko raises many kinds; the user needs one clear message
            logger.error("signing failed: %s", exc, exc_info=True)
            raise SigningError(f"电子签章失败：{exc}") from exc


def _producer_as_xmp_will_say(writer) -> None:
    """PDF/A (ISO 19005-3 §6.6.2.3.1) wants the document information dictionary and the XMP packet to agree.
    Signing rewrites both: pyHanko sets the XMP pdf:Producer to its own name but appends its name to the Info
    /Producer ("WeasyPrint 70.0; pyHanko 0.38.0"), so they would disagree. The signed file's last producer
    is pyHanko: the Info says so too, and pyHanko then leaves it as it is."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    try:
        current = writer.trailer["/Info"]
    except KeyError:
        return
    info = generic.DictionaryObject(dict(current.items()))
    info[generic.NameObject("/Producer")] = generic.TextStringObject(VENDOR)
    writer.set_info(info)


class PKCS12Signer(_PyHankoSigner):
    def _signer(self):
        path = getattr(settings, "SIGNING_PKCS12_PATH", "")
        if not path:
            raise SigningError("电子签章证书未配置（SIGNING_PKCS12_PATH）。")
        return _load_pkcs12(str(path), (getattr(settings, "SIGNING_PKCS12_PASSWORD", "") or "").encode())


class DemoSigner(_PyHankoSigner):
    demo = True

    def _signer(self):
        if not settings.DEMO_MODE:
            raise SigningError("演示签章证书只能在开发和演示环境使用；生产环境须配置本局的签章证书。")
        path = Path(settings.VAR_DIR) / "signing" / "demo-signing.p12"
        if not path.exists():
            _make_demo_pkcs12(path, b"demo")
        return _load_pkcs12(str(path), b"demo")


@lru_cache(maxsize=4)
def _load_pkcs12(path: str, password: bytes):
    from pyhanko.sign import signers

    signer = signers.SimpleSigner.load_pkcs12(pfx_file=path, passphrase=password or None)
    if signer is None:
        raise SigningError("无法读取电子签章证书（PKCS#12 文件或密码不正确）。")
    return signer


def _make_demo_pkcs12(path: Path, password: bytes) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, settings.BUREAU_NAME),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{settings.BUREAU_NAME}（演示签章证书）"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    data = pkcs12.serialize_key_and_certificates(
        b"demo", key, cert, None, serialization.BestAvailableEncryption(password)
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    path.chmod(0o600)


def get_signer():
    backend = getattr(settings, "DOCUMENT_SIGNER", "")
    if not backend:
        backend = (
            "wuding_enforcement.shared.signing.PKCS12Signer"
            if getattr(settings, "SIGNING_PKCS12_PATH", "")
            else "wuding_enforcement.shared.signing.DemoSigner"
        )
    try:
        return import_string(backend)()
    except ImportError as exc:
        raise ImproperlyConfigured(f"DOCUMENT_SIGNER {backend!r} cannot be imported") from exc


def sign_pdf(pdf_bytes: bytes, *, reason: str, seal_at=None) -> bytes:
    return sign_with(get_signer(), pdf_bytes, reason=reason, seal_at=seal_at)


def sign_with(signer, pdf_bytes: bytes, *, reason: str, seal_at=None) -> bytes:
    """Sign with `signer`, telling it where the seal goes when the document marks a place; a backend that
    takes no `seal_at` (an older e-seal platform adapter) is called as before."""
    import inspect

    takes_place = "seal_at" in inspect.signature(signer.sign).parameters
    if seal_at is None or not takes_place:
        return signer.sign(pdf_bytes, reason=reason)
    return signer.sign(pdf_bytes, reason=reason, seal_at=seal_at)


def verify(pdf_bytes: bytes) -> SignatureReport:
    """Check the PDF's signatures: intact, valid, and made with the bureau's configured certificate."""
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        reader = PdfFileReader(io.BytesIO(pdf_bytes), strict=False)
        signatures = reader.embedded_signatures
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        # Not a PDF we can read (a truncated upload, another file type): nothing to verify, and said so.
        logger.warning("signature check: unreadable PDF (%s: %s)", type(exc).__name__, exc)
        return SignatureReport(signed=False, error=f"{type(exc).__name__}: {exc}")
    if not signatures:
        return SignatureReport(signed=False)
    signature = signatures[-1]
    try:
        bureau_cert = get_signer().certificate()
    except (SigningError, ImproperlyConfigured) as exc:
        # Without the bureau's certificate a signature can still be checked for integrity, never as ours.
        logger.error("signature check without the bureau's certificate: %s", exc)
        bureau_cert = None
    context = ValidationContext(
        trust_roots=[bureau_cert] if bureau_cert is not None else [], allow_fetching=False
    )
    try:
        status = _outside_event_loop(validate_pdf_signature, signature, context)
    except (PdfError, ValueError, KeyError, TypeError) as exc:
        # pyHanko's SignatureValidationError is a ValueError. A signature that cannot be validated is reported
        # as such (neither intact nor valid), and logged: it may be a forgery or a pyHanko limit.
        logger.warning("signature could not be validated (%s: %s)", type(exc).__name__, exc, exc_info=True)
        return SignatureReport(signed=True, error=f"{type(exc).__name__}: {exc}")
    signer_cert = status.signing_cert
    by_bureau = (
        bureau_cert is not None and signer_cert is not None and signer_cert.dump() == bureau_cert.dump()
    )
    return SignatureReport(
        signed=True,
        intact=bool(status.intact),
        valid=bool(status.valid) and bool(status.trusted),
        by_bureau=by_bureau,
        signer=signer_cert.subject.human_friendly if signer_cert is not None else "",
        signed_at=getattr(status, "signer_reported_dt", None),
        reason=str(signature.sig_object.get("/Reason", "")),
        covers_whole_file=str(status.coverage).endswith("ENTIRE_FILE"),
    )
