"""Top-floor views: the staff home page per role, error pages (health probes: ops/health.py)."""

from django.contrib.auth.decorators import login_required
from django.db.models import prefetch_related_objects
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from legal_review.models import ReviewRound, RoundStatus
from recording.queues import awaiting_archive, next_step
from wuding_enforcement.cases import calendar

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
    # Each case's next statutory step and the clock that bounds it; for the cases I handle, also the
    # documents still missing for it (the assignments are prefetched by for_rows()).
    with calendar.cached():
        context["my_cases"] = [
            (case, d, next_step(case, today, with_documents=_handles(user, case)))
            for case, d in context["my_cases"]
        ]
    if context["is_head"]:
        context["awaiting"] = list(
            Approval.objects.awaiting(user)
            .select_related("case", "case__handling_unit", "requested_by")
            .order_by("requested_at")[:HOME_LIMIT]
        )
    context.update(_review_queues(user, today))
    context["is_keeper"] = user.has_role(Role.RECORDS_KEEPER)
    context["to_archive"] = list(awaiting_archive(user)[:HOME_LIMIT]) if context["is_keeper"] else []
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


def _handles(user, case) -> bool:
    return any(a.officer_id == user.pk for a in case.assignments.all())


def _review_queues(user, today) -> dict:
    """法制审核 work: for a reviewer, the rounds waiting for a reviewer that they may take on and their own
    rounds under review; for a bureau head, the rounds waiting to be assigned. One query each."""
    queues: dict = {
        "is_reviewer": False,
        "review_assigner": False,
        "review_ineligible": "",
        "review_takeable": [],
        "review_mine": [],
        "review_unassigned": [],
    }
    if user.has_role(Role.LEGAL_REVIEWER):
        eligible, why = user.review_eligibility_on(today)
        queues["is_reviewer"] = True
        queues["review_ineligible"] = "" if eligible else why
        takeable = ReviewRound.objects.takeable_by(user) if eligible else ReviewRound.objects.none()
        queues["review_takeable"] = list(takeable.for_rows().order_by("due_on", "pk")[:HOME_LIMIT])
        queues["review_mine"] = list(
            ReviewRound.objects.for_rows()
            .filter(reviewer=user, status=RoundStatus.IN_REVIEW)
            .order_by("due_on", "pk")[:HOME_LIMIT]
        )
    elif user.has_role(Role.BUREAU_HEAD):
        queues["review_assigner"] = True
        queues["review_unassigned"] = list(
            ReviewRound.objects.for_rows()
            .filter(status=RoundStatus.SUBMITTED)
            .order_by("due_on", "pk")[:HOME_LIMIT]
        )
    rounds = [*queues["review_takeable"], *queues["review_mine"], *queues["review_unassigned"]]
    queues["review_count"] = len(rounds)
    with calendar.cached():
        for review_round in rounds:
            review_round.due_text, review_round.due_class = review_round.due_label(today)
    return queues


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
