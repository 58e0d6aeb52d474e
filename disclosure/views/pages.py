"""What the public pages share: the layout (a content part shown in disclosure/page.html) and the whole-page
cache (wuding_enforcement/shared/pagecache.py, sections in disclosure/sections.py)."""

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string

from .. import preferences


def page(request, title, content, crumbs=(), status=200):
    """A public page: `content` (HTML, often cached) under the title and the breadcrumbs."""
    return render(
        request, "disclosure/page.html", {"title": title, "content": content, "crumbs": crumbs}, status=status
    )


def part(name, context) -> str:
    """The content part of a public page, the same for every visitor (rendered without the request)."""
    return render_to_string(f"disclosure/parts/{name}.html", context)


def cacheable(request) -> bool:
    """Whole pages are cached for visitors without a session or pending messages: for them the page is the
    same for everyone (the public header shows no account, GET forms carry no CSRF token)."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


def whole_page(
    request,
    section,
    variant: str,
    template: str,
    context,
    content_type="text/html; charset=utf-8",
    obj: str | None = None,
):
    """A page cached whole in `section` for visitors who all see the same (cacheable), built fresh otherwise.
    A page about one object names it (`obj`, e.g. "publication:12"): renewed with that object only. The
    header is part of a whole page, so the visitor's reading preferences (elder mode, font size) are part of
    its key (`preferences.cache_variant`)."""

    def build():
        return render_to_string(template, context(), request=request)

    if not cacheable(request):
        return HttpResponse(build(), content_type=content_type)
    body = section.page(preferences.cache_variant(request, variant), build, obj=obj)
    return HttpResponse(body, content_type=content_type)


def query_variant(request, name: str) -> str:
    """The cache variant of a page: its name and its sorted query string."""
    return name + "?" + "&".join(f"{k}={v}" for k, v in sorted(request.GET.items()))
