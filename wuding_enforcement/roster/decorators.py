from functools import wraps

from django.core.exceptions import PermissionDenied


def role_required(*roles):
    """Allow the view only to active staff holding one of `roles` (use under @login_required)."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.has_role(*roles):
                raise PermissionDenied("您的角色无权访问此页面。")
            return view(request, *args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
