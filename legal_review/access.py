"""What a review round lets its reviewer see (issue 15, point 8; docs/domain.md §3).

A reviewer sees a case — its page, its documents and its classified records (cases.view_case,
cases.view_classified through django-guardian) — while a round of that case is theirs and open: from the
moment the bureau head assigns it or they take an unassigned one, until it closes with its outcome (同意,
修改后再报, 不同意) or passes to another reviewer. Then the grant ends; what they saw stays on record (the
audit log's rows of every page and file they opened, the round with their opinion). A later round of the same
case assigned to them grants it again.

`sync(case, reviewer, by=...)` is the one place that grants and ends it: ReviewRound.assign and .decide call
it inside their transaction.
"""

import logging

from guardian.shortcuts import assign_perm, remove_perm

from wuding_enforcement.audit.api import record

logger = logging.getLogger("wuding.legal_review")

PERMISSIONS = ("cases.view_case", "cases.view_classified")


def holds_open_round(case, reviewer) -> bool:
    from .models import ReviewRound

    return ReviewRound.objects.open().filter(case=case, reviewer=reviewer).exists()


def sync(case, reviewer, *, by) -> bool:
    """Grant `reviewer` the case while a round of it is theirs and open; end the grant otherwise. Returns
    whether they hold it now. Audited when it ends (legal_review.round.access_ended)."""
    if reviewer is None:
        return False
    if holds_open_round(case, reviewer):
        for permission in PERMISSIONS:
            assign_perm(permission, reviewer, case)
        return True
    had = reviewer.has_perm("cases.view_case", case)
    for permission in PERMISSIONS:
        remove_perm(permission, reviewer, case)
    if had:
        logger.info("review access of %s to case %s ended", reviewer.pk, case.pk)
        record(
            "legal_review.round.access_ended",
            obj=case,
            actor=by,
            detail={"reviewer": reviewer.display_name, "reviewer_id": reviewer.pk},
        )
    return False
