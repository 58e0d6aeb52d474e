"""Certificates as the public meets them: the status first and in plain words, never a ✔ above an invalid
certificate (a suspended certificate reached by a genuine QR code), and the bureau's own links signed."""

import datetime
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from disclosure.signing import signed_certificate_path, signed_certificate_url
from tests.disclosure.support import empty_cache  # noqa: F401 - autouse fixture
from wuding_enforcement.roster.models import Certificate, CertificateStatus

pytestmark = pytest.mark.django_db


def cert_of(user) -> Certificate:
    return Certificate.objects.filter(holder=user).order_by("-issued_on").first()


def test_a_suspended_certificate_reached_by_a_genuine_qr_shows_the_status_first_and_no_tick(client, officer):
    cert = cert_of(officer)
    Certificate.objects.filter(pk=cert.pk).update(
        status=CertificateStatus.SUSPENDED, status_since=datetime.date(2026, 11, 1)
    )
    parts = urlsplit(signed_certificate_url(cert.number))  # what the printed QR code carries
    url = f"{parts.path}?{parts.query}"
    text = client.get(url).content.decode()
    main = text[text.index("<main") :] if "<main" in text else text
    assert "✔" not in main
    verdict = main.index("cert-verdict is-invalid")
    assert verdict < main.index("二维码签名有效") < main.index("cert-status is-invalid")
    assert "✖ 证件暂扣" in main and "证件状态以上方为准" in main


def test_a_valid_certificate_says_so_first(client, officer):
    cert = cert_of(officer)
    text = client.get(signed_certificate_path(cert.number)).content.decode()
    assert "✔ 证件有效" in text and "✔ 二维码签名有效" in text
    assert text.index("✔ 证件有效") < text.index("✔ 二维码签名有效")


def test_the_bureaus_own_personnel_page_links_carry_the_signature(client, officer):
    cert = cert_of(officer)
    page = client.get(reverse("disclosure:personnel")).content.decode()
    signed = signed_certificate_path(cert.number).replace("&", "&amp;")
    assert f'href="{signed}"' in page
    opened = client.get(signed_certificate_path(cert.number)).content.decode()
    assert "未携带本局签名" not in opened


def _png(width, height) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(out, format="PNG")
    return out.getvalue()


def test_a_certificate_photo_is_a_jpeg_or_png_of_sensible_size():
    import io

    from django.core.exceptions import ValidationError
    from django.core.files.images import ImageFile

    from wuding_enforcement.roster.validators import validate_certificate_photo

    validate_certificate_photo(ImageFile(io.BytesIO(_png(300, 400)), name="ok.png"))
    with pytest.raises(ValidationError, match="像素"):
        validate_certificate_photo(ImageFile(io.BytesIO(_png(60, 80)), name="small.png"))
    with pytest.raises(ValidationError, match="JPEG 或 PNG"):
        validate_certificate_photo(ImageFile(io.BytesIO(b"GIF89a" + b"0" * 100), name="x.png"))
    with pytest.raises(ValidationError, match="2 MB"):
        validate_certificate_photo(
            ImageFile(io.BytesIO(b"\x89PNG\r\n\x1a\n" + b"0" * (3 * 1024 * 1024)), name="big.png")
        )
