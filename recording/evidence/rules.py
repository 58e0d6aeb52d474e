"""Who may record audio-video evidence of a case, and voiding an item (its file and hash are kept)."""

import logging

from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.workflow import Stage
from wuding_enforcement.shared.refusals import Refused

from ..models import Evidence

logger = logging.getLogger("wuding.recording")


class EvidenceRefused(Refused):
    """A refusal the user reads (Chinese). `status` is what an HTTP endpoint of the upload protocol answers;
    `offset` the bytes the server holds, for a client that must resume elsewhere."""

    def __init__(self, message: str, *, status: int = 400, offset: int | None = None):
        super().__init__(message)
        self.status = status
        self.offset = offset
        logger.info("evidence refused (%s): %s", status, message)


def recording_refusal(case, user) -> str | None:
    """Why `user` may not upload or void evidence of `case` now, or None. Those who may work on the case
    (its officers and the unit head) may; nobody may once the case is archived (its file is closed)."""
    if case.stage == Stage.ARCHIVED:
        return "案件已归档，不能再上传或作废音像记录。"
    if not case.may_work_on(user):
        return "只有本案承办人员和承办单位负责人可以上传或作废音像记录。"
    return None


def void_evidence(evidence: Evidence, *, by, reason: str) -> Evidence:
    """Mark an item void with a reason. Nothing is deleted or overwritten: the file and its hash stay."""
    refusal = recording_refusal(evidence.case, by)
    if refusal:
        raise EvidenceRefused(refusal, status=403)
    reason = (reason or "").strip()
    if not reason:
        raise EvidenceRefused("请填写作废理由。")
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        if locked.voided_at is not None:
            raise EvidenceRefused("该音像记录已作废。", status=409)
        locked.voided_at = timezone.now()
        locked.voided_by = by
        locked.void_reason = reason
        locked._change_reason = "recording.evidence.voided"
        locked._history_user = by
        locked.save(update_fields=["voided_at", "voided_by", "void_reason"])
        record(
            "recording.evidence.voided",
            obj=evidence.case,
            actor=by,
            detail={"evidence": evidence.pk, "title": evidence.title, "reason": reason},
        )
    for name in ("voided_at", "voided_by", "void_reason"):
        setattr(evidence, name, getattr(locked, name))
    return evidence
