"""recording's own rules, registered into the shared case and into document issuing."""

import logging

from wuding_enforcement.roster.certification import certified_officers

from .gates import register_after_issue, register_document_gate

logger = logging.getLogger("wuding.recording")


def officers_present(document, user):
    """行政处罚法 第四十二条: an investigative or enforcement act is done by at least two officers holding
    certificates valid on the date of the act."""
    if not document.doctype.act:
        return
    if document.act_date is None:
        yield "请填写执法活动日期。"
        return
    check = certified_officers(document.officers.prefetch_related("certificates"), document.act_date)
    yield from check.problems("执法活动")


def party_named(document, user):
    if document.doctype.to_party and document.party_id is None:
        yield "请选择文书送达的当事人。"


AV_LINKED, AV_EXEMPT, AV_MISSING_MANDATORY, AV_MISSING = "linked", "exempt", "missing_mandatory", "missing"


def av_state(document, items=None) -> str | None:
    """The one audio-video rule (docs/domain.md §2), read by the issuing gate below and by legal review's
    pre-check: mandatory AV for 查封扣押 and acts in the 执法办案场所; for 现场执法, 调查取证, 听证, 留置送达,
    公告送达 either linked AV or a written reason why text alone records the act fully. `items`: the
    document's evidence when the caller prefetched it (else one query). None: the type has no AV rule."""
    rule = document.doctype.av
    if rule is None:
        return None
    if items is None:
        has_av = document.evidence.filter(voided_at__isnull=True, kind__in=["video", "audio"]).exists()
    else:
        has_av = any(e.kind in ("video", "audio") and e.voided_at is None for e in items)
    if has_av:
        return AV_LINKED
    if rule == "mandatory":
        return AV_MISSING_MANDATORY
    return AV_EXEMPT if document.av_exemption.strip() else AV_MISSING


def audio_video(document, user):
    state = av_state(document)
    if state == AV_MISSING_MANDATORY:
        yield f"“{document.doctype.title}”记录的执法活动须全程音像记录：请先上传并关联录像或录音。"
    elif state == AV_MISSING:
        yield "请关联音像记录，或在“未录音录像的理由”中说明文字记录足以全面有效记录该执法活动的理由。"


def register_builtin_gates():
    register_document_gate(officers_present, name="recording.officers_present")
    register_document_gate(party_named, name="recording.party_named")
    register_document_gate(audio_video, name="recording.audio_video")
    # The statutory order (docs/domain.md §6): recording's steps, issuing stages and the gates that hold them.
    from .order import register as register_order

    register_order()
    register_after_issue(
        pause_for_testing, doc_types=["testing_period_notice"], name="recording.testing_pause"
    )


def pause_for_testing(document, user):
    """检测、检验、检疫、鉴定期间不计入办案期限 (行政处罚法 第六十条; 总局令 第六十四条): issuing the 期间告知书
    records the period the party was told of as a pause of the case clock. A correction of the notice
    replaces the period it recorded."""
    from wuding_enforcement.cases.models import CasePause, PauseKind

    start = _as_date(document.data.get("start_on"))
    end = _as_date(document.data.get("expected_end_on"))
    if start is None:
        return
    note = f"期间告知书 卷内第{document.file_seq or '—'}号/{document.number or ''}".rstrip("/")
    if document.supersedes_id:
        # The correction replaces the period the superseded notice recorded: found by the notice's id.
        replaced = CasePause.objects.filter(
            case=document.case, kind=PauseKind.TESTING, source_document_id=document.supersedes_id
        ).update(end=start)
        if not replaced:
            logger.warning(
                "correction %s found no testing pause of document %s", document.pk, document.supersedes_id
            )
    CasePause.objects.create(
        case=document.case,
        kind=PauseKind.TESTING,
        start=start,
        end=end,
        note=note,
        source_document_id=document.pk,
        created_by=user,
    )


def _as_date(value):
    import datetime

    if not value:
        return None
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])
