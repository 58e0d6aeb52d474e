def unread_notifications(request):
    """The staff header's supervision parts: the unread reminders count (models.unread_count: cached per user
    and version, a COUNT only when a reminder of theirs changed) and whether the 监督检查 link shows
    (supervision.models.is_supervisor, the rule every supervision page is gated on). Both are callables,
    evaluated only when a template reads them."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .models import is_supervisor, unread_count

    return {
        "unread_notifications": lambda: unread_count(user),
        "may_supervise": lambda: is_supervisor(user),
    }
