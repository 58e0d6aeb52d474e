"""What the legal-review models' methods share: the row lock on the case and the check of a required text."""

import logging

from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import TransitionRefused

logger = logging.getLogger("wuding.legal_review")


def require_text(text: str, message: str) -> str:
    if not (text or "").strip():
        logger.info("legal review refused: %s", message)
        raise TransitionRefused(message)
    return text.strip()


def lock_case(case):
    """The case row, locked for the rest of the transaction: every change of a case's review holds it, so two
    changes of the same case run one after the other."""
    return Case.objects.select_for_update(of=("self",)).select_related("handling_unit").get(pk=case.pk)
