"""Embeddable views for the county government's portal (国办发〔2017〕47号: a county department publishes as a
column of the county portal). Minimal chrome — no site header or footer, the government-site metadata kept —
and links open the bureau's own site in a new window.

Only these views may be framed, and only by the configured origins (EMBED_ALLOWED_ORIGINS → CSP
frame-ancestors, X-Frame-Options dropped for them alone); every other page keeps frame-ancestors 'none' and
X-Frame-Options DENY. They are cached whole like the other public pages (disclosure/sections.py)."""

from functools import wraps

from csp.constants import NONE
from csp.decorators import csp_replace
from django.conf import settings
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from inspection.models import Inspection

from ..models import Publication
from ..sections import INSPECTION_RESULTS, PUBLICATIONS, publication_key
from .pages import whole_page
from .publications import SUMMARY_FIELDS, get_public_publication

EMBED_ITEMS = 10


def embeddable(view):
    """Let the county government's portal frame this view: CSP frame-ancestors names the allowed origins
    (EMBED_ALLOWED_ORIGINS, read at request time) and X-Frame-Options is dropped for this view only. With no
    origins configured the page stays unframeable like every other."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        origins = list(settings.EMBED_ALLOWED_ORIGINS)
        if not origins:
            return csp_replace({"frame-ancestors": [NONE]})(view)(request, *args, **kwargs)
        return csp_replace({"frame-ancestors": origins})(xframe_options_exempt(view))(
            request, *args, **kwargs
        )

    return wrapped


@require_GET
@embeddable
def publication_embed(request):
    """The newest publications in a compact list for an iframe on the county government's portal."""

    def context():
        rows = list(
            Publication.objects.listed().only(*SUMMARY_FIELDS).order_by("-published_on", "-pk")[:EMBED_ITEMS]
        )
        return {"rows": rows}

    return whole_page(request, PUBLICATIONS, "embed", "embed/publications.html", context)


@require_GET
@embeddable
def publication_embed_detail(request, pk):
    """One published decision inside the portal's column: the summary and the redacted text; withdrawn or
    ended items say so without content (the same rule as the bureau's own page, Publication.is_shown)."""

    def context():
        item = get_public_publication(pk)
        today = timezone.localdate()
        return {"item": item, "shown": item.is_shown(today), "today": today}

    return whole_page(
        request,
        PUBLICATIONS,
        "embed-detail",
        "embed/publication_detail.html",
        context,
        obj=publication_key(pk),
    )


@require_GET
@embeddable
def inspection_results_embed(request):
    """The newest published results of 行政检查 (双随机、一公开) for the portal's column."""

    def context():
        rows = list(
            Inspection.objects.published()
            .select_related("entity", "item")
            .order_by("-published_at", "-pk")[:EMBED_ITEMS]
        )
        return {"rows": rows}

    return whole_page(request, INSPECTION_RESULTS, "embed", "embed/inspection_results.html", context)
