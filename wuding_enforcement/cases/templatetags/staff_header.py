"""{% staff_header %}: the staff layout's header (templates/_staff_header.html) from the staff pages' cache.

Every staff page rendered the header through the template engine — the role-dependent links, the unread
count, the user's name and unit (a query) — the same HTML for a user on every page of one kind. It is cached
in the staff pages' section (cases/staff_cache.py: renewed by any change of a person, role or unit) per user,
page kind (the URL's app and name: the current link is marked) and unread count (a key part: the count has its
own version, supervision.models.unread_count); each request fills in its own CSRF token. Signed-out visitors,
requests without a request object and pages built inside a transaction get it rendered as before."""

from django import template
from django.template.loader import get_template

register = template.Library()

FRAGMENT = "_staff_header.html"
# Context values the fragment reads that context processors hand over as callables (evaluated here once).
_LAZY = ("may_inspect", "may_supervise", "may_administer", "unread_notifications")


@register.simple_tag(takes_context=True)
def staff_header(context):
    from wuding_enforcement.cases.staff_cache import CSRF_PLACEHOLDER, STAFF_PAGES, with_token

    request = context.get("request")
    user = context.get("user")
    values = {"user": user, "request": request, "BUREAU_NAME": context.get("BUREAU_NAME")}
    if user is not None and user.is_authenticated:
        for name in _LAZY:
            value = context.get(name)
            values[name] = value() if callable(value) else value
    token = context.get("csrf_token")
    fragment = get_template(FRAGMENT)
    if request is None or user is None or not user.is_authenticated:
        return fragment.render({**values, "csrf_token": token})
    match = request.resolver_match
    variant = (
        f"header|user:{user.pk}|{getattr(match, 'app_name', '')}|{getattr(match, 'url_name', '')}"
        f"|unread:{values['unread_notifications']}"
    )
    html = STAFF_PAGES.page(variant, lambda: fragment.render({**values, "csrf_token": CSRF_PLACEHOLDER}))
    return with_token(html, token)
