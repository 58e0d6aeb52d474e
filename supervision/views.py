from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from .models import Notification


@require_GET
@login_required
def notifications(request):
    items = list(Notification.objects.filter(recipient=request.user).select_related("case")[:200])
    return render(request, "supervision/notifications.html", {"items": items})


@require_POST
@login_required
def mark_read(request, pk):
    note = get_object_or_404(Notification, pk=pk, recipient=request.user)
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
