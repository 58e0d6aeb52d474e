from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from wuding_enforcement.shared.refusals import get_visible_or_404

from .models import Notification


@require_GET
@login_required
def notifications(request):
    items = list(Notification.objects.filter(recipient=request.user).select_related("case")[:200])
    return render(request, "supervision/notifications.html", {"items": items})


@require_POST
@login_required
def mark_read(request, pk):
    # Someone else's reminder exists but is not theirs: a 404, audited (shared/refusals.py).
    note = get_visible_or_404(
        Notification.objects.filter(recipient=request.user),
        pk=pk,
        what=f"提醒#{pk}",
        action="supervision.notification.access_denied",
        message="提醒不存在。",
    )
    if note.read_at is None:
        note.read_at = timezone.now()
        note.save(update_fields=["read_at"])
    target = (
        note.url if note.url and url_has_allowed_host_and_scheme(note.url, {request.get_host()}) else None
    )
    return redirect(target or "supervision:notifications")


@require_POST
@login_required
def mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("supervision:notifications")
