"""Rendering HTML to PDF with WeasyPrint: A4, Noto Serif CJK SC, PDF/A-3b. Rendering fetches nothing
outside the project's own static files (docs/stack.md trap 4)."""

import mimetypes
from dataclasses import dataclass
from pathlib import Path

import segno
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string


class FetchRefused(Exception):
    pass


def _static_fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serve data: URIs and the project's own static files (/static/...); refuse everything else, so a
        document can never make the server fetch a URL (docs/stack.md trap 4)."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            for prefix in ("file://" + settings.STATIC_URL, settings.STATIC_URL, "static:"):
                if url.startswith(prefix):
                    found = finders.find(url[len(prefix) :].lstrip("/"))
                    if found:
                        path = Path(found)
                        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})
            raise FetchRefused(f"PDF rendering may only load the project's static files, not {url!r}")

    return StaticOnlyFetcher


def static_only_fetcher():
    return _static_fetcher_class()(fail_on_errors=True)


def verification_url(code: str) -> str:
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}/verify/document/{code}/"


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=3, border=1)


def render_html_to_pdf(html: str, *, pdf_variant: str | None = "pdf/a-3b", attachments=None) -> bytes:
    return render_html_to_pdf_and_seal_spot(html, pdf_variant=pdf_variant, attachments=attachments)[0]


# The seal as on paper: about 42 mm across (A4 = 595 x 842 pt; 42 mm = 119 pt).
SEAL_SIZE_PT = 120.0
# WeasyPrint lays out in CSS pixels (96 per inch); PDF user space is in points (72 per inch).
_PT_PER_PX = 0.75
SEAL_ANCHOR = "seal"


@dataclass(frozen=True)
class SealSpot:
    """Where the bureau's seal goes: over the element with id="seal" (the issuing body and date, as the paper
    forms are stamped). `box` is (x0, y0, x1, y1) in PDF points, origin at the bottom left of page `page`."""

    page: int  # 0-based
    box: tuple[float, float, float, float]


def _seal_spot(document, anchor: str = SEAL_ANCHOR) -> SealSpot | None:
    """The seal's square, centred on the laid-out element whose id is `anchor`, kept inside the page."""
    for number, page in enumerate(document.pages):
        if anchor not in page.anchors:
            continue
        # The element's border box in CSS pixels, origin at the top left of the page.
        x1, y1, x2, y2 = page.anchors[anchor]
        cx = (x1 + x2) / 2 * _PT_PER_PX
        cy = (page.height - (y1 + y2) / 2) * _PT_PER_PX
        half = SEAL_SIZE_PT / 2
        page_width, page_height = page.width * _PT_PER_PX, page.height * _PT_PER_PX
        cx = min(max(cx, half), page_width - half)
        cy = min(max(cy, half), page_height - half)
        return SealSpot(number, (cx - half, cy - half, cx + half, cy + half))
    return None


def render_html_to_pdf_and_seal_spot(
    html: str, *, pdf_variant: str | None = "pdf/a-3b", attachments=None
) -> tuple[bytes, SealSpot | None]:
    """The PDF and where its seal goes (None when the page has no id="seal" element)."""
    from weasyprint import DEFAULT_OPTIONS, HTML

    options = {**DEFAULT_OPTIONS, "pdf_variant": pdf_variant, "attachments": attachments or None}
    document = HTML(string=html, base_url=settings.STATIC_URL, url_fetcher=static_only_fetcher()).render(
        **options
    )
    return document.write_pdf(**options), _seal_spot(document)


def render_template_to_pdf(template: str, context: dict, **options) -> bytes:
    return render_html_to_pdf(render_to_string(template, context), **options)
