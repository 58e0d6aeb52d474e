"""Top-floor views: the staff home page per role, error pages (health probes: ops/health.py)."""

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .cases.deadlines import case_rows, urgent_deadlines
from .cases.models import Approval, Case
from .roster.certification import entitlement_on
from .roster.models import Certificate, Role

# Admins see certificates whose expiry falls within this many days, to renew them in time.
EXPIRY_WINDOW_DAYS = 30


# The home page lists at most this many of my cases and approvals; the full lists are one click away.
HOME_LIMIT = 50


@require_GET
@login_required
def home(request):
    """Each role sees its own work: my cases and their urgent deadlines, approvals awaiting me, my
    certificate, and (admins) the certificates expiring within 30 days."""
    user = request.user
    today = timezone.localdate()
    my_cases = list(
        Case.objects.editable_by(user).active().for_rows().order_by("-lead_year", "-lead_seq")[:HOME_LIMIT]
    )
    context = {
        "today": today,
        "my_cases": case_rows(my_cases, today),
        "urgent": urgent_deadlines(my_cases, today),
        "is_head": user.has_role(Role.UNIT_HEAD, Role.BUREAU_HEAD),
        "is_admin": user.has_role(Role.ADMIN),
        "is_officer": user.has_role(Role.OFFICER),
        "expiry_window": EXPIRY_WINDOW_DAYS,
    }
    if context["is_head"]:
        context["awaiting"] = list(
            Approval.objects.awaiting(user)
            .select_related("case", "case__handling_unit", "requested_by")
            .order_by("requested_at")[:HOME_LIMIT]
        )
    if context["is_admin"]:
        context["expiring"] = list(
            Certificate.objects.expiring_within(EXPIRY_WINDOW_DAYS, today)
            .select_related("holder", "unit")
            .order_by("expires_on")
        )
    # Whether I may enforce today, and on which certificate, is the one rule of roster/certification.py; each
    # certificate row shows its own status (Certificate.status_label_on). One query for both.
    prefetch_related_objects([user], "certificates")
    certificates = sorted(user.certificates.all(), key=lambda c: c.expires_on, reverse=True)
    context["entitlement"] = entitlement_on(user, today)
    context["my_certificates"] = [(c, c.status_label_on(today), c.is_valid_on(today)) for c in certificates]
    return render(request, "home.html", context)


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
