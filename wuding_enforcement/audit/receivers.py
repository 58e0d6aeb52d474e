"""Authentication events go to the audit log (never the password, never the session key), and so does every
refusal the one refusal handler shows (shared.refusals.show_refusal) that its domain did not record itself."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from simple_history.signals import pre_create_historical_record

from wuding_enforcement.shared.refusals import refusal_recorders

from .api import mask_id_number, record
from .models import Outcome

logger = logging.getLogger("wuding.audit")


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    record("auth.login", actor=user, obj=user, request=request)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        record("auth.logout", actor=user, obj=user, request=request)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    logger.warning("sign-in failed for %r", mask_id_number(username))
    record(
        "auth.login_failed",
        outcome=Outcome.FAILURE,
        request=request,
        object_repr=username,
        detail={"username": username},
    )


@receiver(pre_create_historical_record, dispatch_uid="audit_default_history_reason")
def _default_history_reason(sender, instance, history_instance, **kwargs):
    """Every history row says what happened: domain methods set a namespaced verb themselves
    (cases.case.filed); edits through the admin or plain saves get '<app>.<model>.created/changed/deleted'."""
    if not history_instance.history_change_reason:
        verb = {"+": "created", "~": "changed", "-": "deleted"}.get(history_instance.history_type, "changed")
        history_instance.history_change_reason = f"{instance._meta.label_lower}.{verb}"


@refusal_recorders.register(name="audit.action_refused")
def _refusal_shown(request, exc) -> None:
    """One row for a refusal shown to the user: the page (view name), the method and the reasons."""
    match = getattr(request, "resolver_match", None)
    record(
        "auth.action_refused",
        outcome=Outcome.FAILURE,
        request=request,
        object_repr=request.path[:200],
        detail={
            "method": request.method,
            "path": request.path,
            "view": match.view_name if match is not None else "",
            "problems": list(exc.messages)[:20],
        },
    )
