"""What the case's models share: the log of refused actions."""

import functools
import logging

from .. import workflow

logger = logging.getLogger("wuding.cases")


def logs_refusals(method):
    """Log each refusal of a case's action (the audit log keeps the ones the law cares about)."""

    @functools.wraps(method)
    def logged(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except workflow.TransitionRefused as refused:
            logger.info(
                "%s refused on %s %s: %s",
                method.__name__,
                type(self).__name__,
                self.pk,
                "; ".join(refused.messages),
            )
            raise

    return logged
