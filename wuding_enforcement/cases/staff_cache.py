"""The staff pages' section of the one page cache (shared/pagecache.py): the body of a staff page (the part
below the header: no CSRF token, no nonce, no messages — those are rendered per request by the layout),
cached per user and per page.

What a staff page shows comes from nearly every table (cases, parties, officers and their certificates,
units, roles and object permissions, documents, approvals, the deadline table ...), so the section is renewed
by a save, delete or many-to-many change of any model except those no staff page body shows (below); writes
that bypass signals renew it where they are made (cases/deadline_sync.py: the deadline table's bulk writes
and the stale marks). Keys carry the user, the page and today's date; the section is exact (no trusted
versions) and serves only committed state (never from inside a transaction).

Imported by cases/deadline_sync.py, which every process loads at start-up (CasesConfig.ready): a process
that saves anything renews the section even if it never serves a staff page.
"""

import datetime
import re
import time
from collections.abc import Callable

from django.middleware.csrf import get_token
from django.utils.safestring import SafeString, mark_safe

from wuding_enforcement.shared.pagecache import Section

STAFF_PAGES = Section(
    "staff",
    watch_all=True,
    ignores=(
        "admin",  # the admin's log
        "sessions",  # the activity stamp, written every minute of a session
        "axes",
        "otp_static",
        "otp_totp",
        "audit",
        "outbox",
        "roster.loginsession",
        "supervision.notification",  # the header's count has its own version (supervision.models)
        "cases.deadlinestale",  # renewed by mark_stale() and the table's writes (deadline_sync.py)
        "cases.casedeadline",
        "recording.upload",  # chunk progress, shown by the upload's own page
    ),
    exact=True,
    committed_only=True,
)


def user_variant(request, name: str, today: datetime.date) -> str:
    """The cache variant of a staff page: the user, the page, its sorted query string, and the date the view
    computed its figures for (the key's own date is read a moment later: at midnight the two may differ)."""
    query = "&".join(f"{k}={v}" for k, v in sorted(request.GET.lists()))
    return f"user:{request.user.pk}|{today.isoformat()}|{name}?{query}"


# A cached body holds this instead of the CSRF token; each request gets its own token in its place (render
# the body with `body_context()`): a body never carries another request's token.
CSRF_PLACEHOLDER = "csrf-token-of-this-request-8d41c7"
# The moment the body stops being right, as its first line: an hours clock it shows as running turns red
# then (cases/deadlines.py due_at); "" when nothing it shows turns before midnight (the key's date), "0"
# when it must not be served again (a state that changes without a signal: a case file being built).
_UNTIL = re.compile(r"\A<!--until:([0-9.]*)-->\n")


def body_context(context: dict) -> dict:
    return {**context, "csrf_token": CSRF_PLACEHOLDER}


def until(deadlines, now: datetime.datetime) -> str:
    """The first moment an open hours clock among `deadlines` ends, or "" when none is running."""
    ends = [d.due_at for d in deadlines if d is not None and d.due_at is not None and d.met_on is None]
    ends = [end for end in ends if end >= now]
    return f"{min(ends).timestamp()}" if ends else ""


def with_until(html: str, moment: str) -> str:
    return f"<!--until:{moment}-->\n{html}"


def still_valid(body: str) -> bool:
    found = _UNTIL.match(body)
    return found is not None and (not found.group(1) or time.time() < float(found.group(1)))


def with_token(html: str, token) -> SafeString:
    """A cached fragment with this request's CSRF token in place of the placeholder."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, str(token))
    return mark_safe(html)  # noqa: S308 - rendered by our templates (autoescaped); the token is [A-Za-z0-9]


def served(request, body: str) -> SafeString:
    """The body as this request shows it: without its validity line, with this request's CSRF token."""
    return with_token(_UNTIL.sub("", body, count=1), get_token(request))


def cached_body(request, name: str, today: datetime.date, build: Callable[[], str]) -> SafeString:
    """The body of the staff page `name` for this user and query, from the cache while its version holds and
    its validity line says it still does (still_valid), else `build()` (a body starting with with_until's
    line); served as this request shows it."""
    body = STAFF_PAGES.page(user_variant(request, name, today), build, valid=still_valid)
    return served(request, body)
