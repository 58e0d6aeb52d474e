from django.conf import settings


def portal(request):
    """The bureau's name, and whether the staff header shows the 系统管理 link: the admin site's own rule
    (roster/admin_site.py: the 管理员 role or a superuser), read from the roles the header already loads —
    not the user's model permissions (two queries on every staff page, and a 系统管理 link that answered
    403 to a bureau head, whose role carries roster.view_staff but does not open the admin). Evaluated only
    when a template reads it."""
    context: dict[str, object] = {"BUREAU_NAME": settings.BUREAU_NAME}
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from .admin_site import holds_admin_role

        context["may_administer"] = lambda: holds_admin_role(user)
    return context
