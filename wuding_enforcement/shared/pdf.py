"""Rendering HTML to PDF with WeasyPrint: A4, Noto Serif CJK SC, PDF/A-3b. Rendering fetches nothing
outside the project's own static files (docs/stack.md trap 4)."""

import mimetypes
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
    from weasyprint import HTML

    return HTML(string=html, base_url=settings.STATIC_URL, url_fetcher=static_only_fetcher()).write_pdf(
        pdf_variant=pdf_variant,
        attachments=attachments or None,
    )


def render_template_to_pdf(template: str, context: dict, **options) -> bytes:
    return render_html_to_pdf(render_to_string(template, context), **options)
