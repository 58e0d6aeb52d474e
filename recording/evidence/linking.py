"""Which act (执法活动, recorded by a document) an audio-video item records: linked at upload or afterwards,
unlinked with a reason, each change logged; and what an act's text says about its audio-video.

音像记录 supplements the text record of the act it records (市场监督管理执法全过程记录 requirements; docs/domain.md
§2): an item uploaded before its act's document existed, or linked to the wrong act, must be linkable later.
Unlinking the only live video or audio of an act re-opens the act's audio-video rule (builtin_gates.audio_video):
the officer is told so, and supervision's count of acts without audio-video sees it at once.
"""

from django.db import transaction

from wuding_enforcement.audit.api import record

from ..models import Document, Evidence, EvidenceKind
from .rules import EvidenceRefused, recording_refusal

AV_KINDS = (EvidenceKind.VIDEO, EvidenceKind.AUDIO)


def linked_av(document: Document) -> list[Evidence]:
    """The live (not voided) video and audio linked to this act, oldest first."""
    return list(
        Evidence.objects.live().filter(document=document, kind__in=AV_KINDS).order_by("uploaded_at", "pk")
    )


def av_statement(document: Document) -> str:
    """What the act's record says about its audio-video, from the items really linked: 已进行音像记录 naming
    them, or 未进行音像记录 with the written reason (or, without one, that no reason was given)."""
    items = linked_av(document)
    if items:
        named = "；".join(f"{item.get_kind_display()}“{item.title}”" for item in items)
        return f"已进行音像记录（{named}）"
    reason = (document.av_exemption or "").strip()
    if reason:
        return f"未进行音像记录。理由：{reason}"
    return "未进行音像记录（未说明理由）"


def av_rule_reopened(document: Document) -> str:
    """The notice shown when `document`'s act is left without the audio-video its rule asks for (or '')."""
    rule = document.doctype.av if document.doctype else None
    if rule is None or linked_av(document):
        return ""
    title = document.type_title
    if rule == "mandatory":
        return f"“{title}”记录的执法活动须全程音像记录，现已没有关联的录像或录音：请关联或上传音像记录。"
    if document.av_exemption.strip():
        return ""
    return (
        f"“{title}”记录的执法活动现已没有关联的录像或录音：请关联音像记录，"
        "或在文书中说明文字记录足以全面有效记录该执法活动的理由。"
    )


def _check(evidence: Evidence, by) -> None:
    refusal = recording_refusal(evidence.case, by)
    if refusal:
        raise EvidenceRefused(refusal, status=403)
    if evidence.voided_at is not None:
        raise EvidenceRefused("该音像记录已作废，不能再关联或取消关联执法活动。", status=409)


def link_evidence(evidence: Evidence, document: Document, *, by) -> Evidence:
    """Link `evidence` to the act `document` records (replacing an earlier link, which is logged)."""
    _check(evidence, by)
    if document.case_id != evidence.case_id:
        raise EvidenceRefused("所选执法活动不属于本案。")
    if not Document.objects.current().filter(pk=document.pk).exists():
        raise EvidenceRefused("所选文书已被更正，请关联更正后的文书。")
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        _check(locked, by)
        if locked.document_id == document.pk:
            raise EvidenceRefused(f"该音像记录已关联“{document}”。", status=409)
        previous = locked.document
        locked.document = document
        locked._change_reason = "recording.evidence.linked"
        locked._history_user = by
        locked.save(update_fields=["document"])
        record(
            "recording.evidence.linked",
            obj=evidence.case,
            actor=by,
            detail={
                "evidence": evidence.pk,
                "title": evidence.title,
                "document": document.pk,
                "document_title": str(document),
                "previous_document": previous.pk if previous else None,
            },
        )
    evidence.document = document
    return evidence


def unlink_evidence(evidence: Evidence, *, by, reason: str) -> str:
    """Remove the link of `evidence` to its act, with a reason. Returns the notice when the act is thereby
    left without the audio-video its rule asks for ('' otherwise)."""
    _check(evidence, by)
    reason = (reason or "").strip()
    if not reason:
        raise EvidenceRefused("请填写取消关联的理由。")
    with transaction.atomic():
        locked = Evidence.objects.select_for_update().get(pk=evidence.pk)
        _check(locked, by)
        document = locked.document
        if document is None:
            raise EvidenceRefused("该音像记录没有关联执法活动。", status=409)
        locked.document = None
        locked._change_reason = "recording.evidence.unlinked"
        locked._history_user = by
        locked.save(update_fields=["document"])
        reopened = av_rule_reopened(document)
        record(
            "recording.evidence.unlinked",
            obj=evidence.case,
            actor=by,
            detail={
                "evidence": evidence.pk,
                "title": evidence.title,
                "document": document.pk,
                "document_title": str(document),
                "reason": reason,
                "av_rule_reopened": bool(reopened),
            },
        )
    evidence.document = None
    return reopened
