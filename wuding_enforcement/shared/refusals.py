"""One way to say no (docs/architecture.md, "Refusals").

- A rule of the domain that refuses an action raises `Refused` (a ValidationError): its `.messages` are the
  reasons, each a Chinese sentence naming what is missing and, where the law says so, the article. Model
  methods, gates and domain functions raise it; every path (view, form, admin, task, API) gets the same reasons.
- A page the user's role may not open raises PermissionDenied (403) — `roster.decorators.role_required`.
- An object the user may not see is a 404 so that its existence does not leak: the object getters raise
  `Hidden` (an Http404) when the object exists but is not the user's to see, plain Http404 otherwise.
- The audit middleware (wuding_enforcement/audit/middleware.py) writes one audit row for every
  PermissionDenied and every `Hidden`: no view records refusals itself.
- A view that catches a `Refused` (or a form's ValidationError) shows it with `show_refusal(request, exc)`,
  which also writes its audit row (`auth.action_refused`, through the `refusal_recorders` hook the audit app
  fills) — unless the domain already wrote one for this refusal: whoever records a refusal marks the exception
  (`mark_audited`; audit.api.record does it by itself for the exception being handled), so each refusal is
  on record exactly once.
"""

import logging
from typing import TypeVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404

from .registry import Registry

logger = logging.getLogger("wuding.refusals")

E = TypeVar("E", bound=ValidationError)

# Writes the audit row of a refusal the handler shows: func(request, exc). The audit app registers the one
# recorder (AuditConfig.ready()); this floor may not import it.
refusal_recorders = Registry(
    "shared.refusal_recorders", "Write the audit row of a refusal shown to the user (the audit app)."
)


class Refused(ValidationError):
    """The domain refuses the action; `.messages` say why, in Chinese, for the user."""


class Hidden(Http404):
    """The object exists but the user may not see it: answered as a 404, audited as a refusal.

    `what` names the object for the audit log ("案件#12"), `action` is the audit verb
    ("cases.case.access_denied"), `detail` adds what the auditor needs."""

    def __init__(
        self, message: str, *, what: str, action: str = "auth.object_hidden", detail: dict | None = None
    ):
        super().__init__(message)
        self.what = what
        self.action = action
        self.detail = detail or {}


def mark_audited(exc: E) -> E:
    """Say that this refusal's audit row is written (by the domain that raised it): show_refusal writes none."""
    exc.audited = True  # type: ignore[attr-defined]  # a plain ValidationError carries the flag too
    return exc


def is_audited(exc: BaseException) -> bool:
    return bool(getattr(exc, "audited", False))


def show_refusal(request, exc: ValidationError, *, form=None) -> None:
    """Put each reason of a refusal where the user reads it — on the form (non-field errors) or as messages —
    and put the refusal on record: one audit row, unless the domain wrote it already (`mark_audited`)."""
    logger.info("refused %s %s: %s", request.method, request.path, "; ".join(exc.messages))
    if not is_audited(exc):
        refusal_recorders.run(None, request, exc)
        mark_audited(exc)
    for message in exc.messages:
        if form is not None:
            form.add_error(None, message)
        else:
            messages.error(request, message)


def get_visible_or_404(
    visible,
    *,
    what: str,
    action: str = "auth.object_hidden",
    message: str = "对象不存在或您无权查看。",
    detail: dict | None = None,
    **lookup,
):
    """The object matching `lookup` among those the user may see (`visible`, a QuerySet already scoped to
    the user). Not there: `Hidden` (audited) when it exists at all, a plain 404 when it does not."""
    obj = visible.filter(**lookup).first()
    if obj is not None:
        return obj
    if visible.model._base_manager.filter(**lookup).exists():
        raise Hidden(
            message, what=what, action=action, detail=detail or {k: str(v) for k, v in lookup.items()}
        )
    raise Http404(message)
