"""阅读设置 (issue 14 §6): the elder mode and the font size of the public site, chosen without JavaScript.

Every public page's header links here with the wanted value and the page to go back to (`next`); the view
writes the preference cookie (disclosure/preferences.py) and sends the visitor back, where the page (cached or
not) comes in the chosen mode. Without a value it shows the settings as a page of its own. The cookie is not
the session: nothing here makes a visitor's pages uncacheable.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .. import preferences


def _back_to(request) -> str:
    """Where to send the visitor back: a path on this site only (never another host: an open redirect).

    The header's links name the page's path only (`next`): they are part of pages cached for every visitor,
    whose query strings differ. The query string of the page the visitor came from (a search, a certificate
    link's signature) comes from the Referer when it names that same page of this site (the site sends
    same-origin Referers, SECURE_REFERRER_POLICY); without it the visitor lands on the path."""
    target = request.GET.get("next", "")
    if not (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    ):
        return "/"
    came_from = urlsplit(request.META.get("HTTP_REFERER", ""))
    if came_from.netloc == request.get_host() and came_from.path == target and came_from.query:
        return f"{came_from.path}?{came_from.query}"
    return target


@require_GET
@never_cache
def view_settings(request):
    current = preferences.read(request)
    if "elder" not in request.GET and "size" not in request.GET:
        return render(request, "disclosure/view_settings.html", {"prefs": current, "back": _back_to(request)})
    chosen = current.changed(elder=request.GET.get("elder"), size=request.GET.get("size"))
    response = HttpResponseRedirect(_back_to(request), status=303)
    response.set_cookie(
        preferences.COOKIE,
        chosen.key,
        max_age=preferences.COOKIE_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response
