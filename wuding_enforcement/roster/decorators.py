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

        # The marker the URL walk reads (tests/test_url_registry.py): a function attribute mypy cannot see.
        wrapped.required_roles = roles  # type: ignore[attr-defined]
        return wrapped

    return decorator
