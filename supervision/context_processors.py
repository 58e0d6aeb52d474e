def unread_notifications(request):
    """The staff header's supervision parts: the unread reminders count (one COUNT query per staff page) and
    whether the 监督检查 link shows (supervision.models.is_supervisor, the rule every supervision page is gated
    on). Both are callables, evaluated only when a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import Notification, is_supervisor

    return {
        "unread_notifications": Notification.objects.filter(recipient=user, read_at__isnull=True).count,
        "may_supervise": lambda: is_supervisor(user),
    }
