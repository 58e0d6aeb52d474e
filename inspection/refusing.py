"""Refusals of the inspection domain, audited once the refused transaction has rolled back (a row written
inside it would be rolled back with it): the domain raises with `refuse()`, and the public method is wrapped
by `audited`, which records `inspection.<action>_refused` with the reasons and re-raises."""

import functools
import logging

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.shared.refusals import Refused, is_audited, mark_audited

logger = logging.getLogger("wuding.inspection")


class InspectionRefused(Refused):
    def __init__(self, messages, *, action: str, obj=None):
        super().__init__(messages)
        self.action = action
        self.obj = obj


def refuse(action: str, obj, problems: list[str]):
    """Refuse `action` (e.g. "inspection.approve") on `obj` for these reasons."""
    logger.info("%s refused: %s", action, "; ".join(problems))
    raise InspectionRefused(problems, action=action, obj=obj)


def audited(func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InspectionRefused as refused:
            if not is_audited(refused):  # an inner audited call recorded it already
                record(
                    f"{refused.action}_refused",
                    obj=refused.obj,
                    actor=kwargs.get("by"),
                    outcome=Outcome.FAILURE,
                    detail={"problems": refused.messages},
                )
                mark_audited(refused)
            raise

    return wrapper
