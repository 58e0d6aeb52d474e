def inspection_nav(request):
    """Whether the staff header shows the 行政检查 link: the same roles the inspection pages admit
    (inspection.views.STAFF_ROLES), evaluated only when a template reads it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from .views import STAFF_ROLES

    return {"may_inspect": lambda: user.has_role(*STAFF_ROLES)}
