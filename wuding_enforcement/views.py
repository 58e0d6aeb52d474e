"""Top-floor views: the staff home page per role, health check, error pages."""

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from .cases.models import Approval, Case
from .roster.models import Certificate, Role


@login_required
def home(request):
    """Each role sees its own work: my cases, approvals awaiting me, certificates expiring soon."""
    user = request.user
    today = timezone.localdate()
    context = {"today": today}
    context["my_cases"] = (
        Case.objects.editable_by(user).active().select_related("handling_unit").order_by("-lead_year", "-lead_seq")[:20]
    )
    if user.has_role(Role.UNIT_HEAD, Role.BUREAU_HEAD):
        context["awaiting"] = (
            Approval.objects.awaiting(user).select_related("case", "case__handling_unit", "requested_by")
            .order_by("requested_at")[:50]
        )
    if user.has_role(Role.ADMIN):
        context["expiring"] = (
            Certificate.objects.expiring_within(30, today).select_related("holder", "unit").order_by("expires_on")
        )
    my_certificates = list(user.certificates.all())
    context["my_certificates"] = my_certificates
    return render(request, "home.html", context)


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
