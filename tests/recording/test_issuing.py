"""Issuing a document: its 文号 (one gapless sequence per type per year) or its number in the case file, the
frozen PDF, corrections, and the rules checked before issuing (two certified officers, audio-video)."""

import datetime

import pytest
import time_machine

import recording.rendering
from recording.models import Document, DocumentFrozenError, DocumentStatus
from tests.conftest import file_case
from tests.recording.early_factories import (
    ACT_DAY,
    NOW,
    TZ,
    approve,
    draft,
    link_video,
    pdf_text,
    valid_input,
)
from wuding_enforcement.cases.models import ApprovalKind, CasePause, PauseKind
from wuding_enforcement.cases.workflow import TransitionRefused
from wuding_enforcement.roster.models import Certificate
from wuding_enforcement.shared.chinese import cn_date

EXEMPTION = "现场情况简单，文字记录足以全面有效记录执法过程。"


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def case(now, make_case, unit_head, bureau_head, officer):
    return file_case(make_case(), unit_head, bureau_head, officer)


def notice(case, key, by):
    return draft(case, key, valid_input(key, case)[0], by=by)


def onsite(case, by, officers, **extra):
    fields = {"act_date": ACT_DAY, "av_exemption": EXEMPTION, **extra}
    return draft(
        case, "onsite_record", valid_input("onsite_record", case)[0], by=by, officers=officers, **fields
    )


# --- Numbers ----------------------------------------------------------------------------------------------


def test_each_type_has_its_own_gapless_sequence_per_year(case, officer, make_case, unit_head, bureau_head):
    other_case = file_case(make_case(title="涉嫌无照经营案"), unit_head, bureau_head, officer)
    issued = [
        notice(case, "inquiry_notice", officer).issue(by=officer),
        notice(case, "testing_period_notice", officer).issue(by=officer),
        notice(other_case, "inquiry_notice", officer).issue(by=officer),
        notice(case, "testing_commission", officer).issue(by=officer),
        notice(other_case, "testing_period_notice", officer).issue(by=officer),
        notice(case, "inquiry_notice", officer).issue(by=officer),
    ]
    assert [d.number for d in issued] == [
        "武市监询通〔2026〕1号",
        "武市监期告〔2026〕1号",
        "武市监询通〔2026〕2号",
        "武市监检委〔2026〕1号",
        "武市监期告〔2026〕2号",
        "武市监询通〔2026〕3号",
    ]


def test_the_sequence_starts_again_in_a_new_year(case, officer):
    notice(case, "testing_period_notice", officer).issue(by=officer)
    with time_machine.travel(datetime.datetime(2027, 1, 6, 10, 0, tzinfo=TZ), tick=False):
        document = notice(case, "testing_period_notice", officer).issue(by=officer)
    assert document.number == "武市监期告〔2027〕1号"
    assert document.number_year == 2027 and document.number_seq == 1


def test_a_failed_issue_gives_its_number_back(case, officer, monkeypatch):
    first = notice(case, "inquiry_notice", officer)
    real_render = recording.rendering.render_document

    def broken(document):
        raise RuntimeError("渲染失败")

    monkeypatch.setattr(recording.rendering, "render_document", broken)
    with pytest.raises(RuntimeError):
        first.issue(by=officer)
    first.refresh_from_db()
    assert first.status == DocumentStatus.DRAFT
    assert first.number is None and first.pdf_sha256 == "" and not first.pdf

    monkeypatch.setattr(recording.rendering, "render_document", real_render)
    assert first.issue(by=officer).number == "武市监询通〔2026〕1号"
    assert notice(case, "inquiry_notice", officer).issue(by=officer).number == "武市监询通〔2026〕2号"


def test_records_and_forms_are_numbered_within_their_case_file(
    case, officer, colleague, make_case, unit_head, bureau_head
):
    other_case = file_case(make_case(title="涉嫌无照经营案"), unit_head, bureau_head, officer)
    # The 立案审批表 of each case takes its case's first number; the types share one sequence per case.
    first = draft(case, "filing_approval", valid_input("filing_approval", case)[0], by=officer).issue(
        by=officer
    )
    second = onsite(case, officer, [officer, colleague]).issue(by=officer)
    elsewhere = onsite(other_case, officer, [officer, colleague]).issue(by=officer)
    third = draft(
        case,
        "sampling_record",
        valid_input("sampling_record", case)[0],
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY,
        av_exemption=EXEMPTION,
    ).issue(by=officer)
    assert [first.file_seq, second.file_seq, third.file_seq] == [1, 2, 3]
    assert elsewhere.file_seq == 1
    assert all(d.number is None for d in (first, second, third, elsewhere))


# --- Frozen once issued ------------------------------------------------------------------------------------


def test_an_issued_document_cannot_be_changed(case, officer, colleague):
    document = onsite(case, officer, [officer, colleague])
    document.issue(by=officer)
    document.refresh_from_db()

    document.data = {**document.data, "findings": "改写后的现场情况"}
    with pytest.raises(DocumentFrozenError, match="文书已签发，不能修改"):
        document.save()

    document.refresh_from_db()
    document.act_place = "别处"
    with pytest.raises(DocumentFrozenError):
        document.save(update_fields=["act_place"])
    with pytest.raises(DocumentFrozenError):
        document.delete()
    document.refresh_from_db()
    assert document.data["findings"] == "货架上陈列过期牛奶12箱。"


def test_an_issued_document_still_receives_the_partys_signature(case, officer, colleague):
    document = onsite(case, officer, [officer, colleague])
    document.issue(by=officer)
    document.refresh_from_db()
    sha = document.pdf_sha256

    document.party_signature = "refused"
    document.refusal_witness = "社区干部张某"
    document.party_signed_at = datetime.datetime(2026, 11, 25, 9, 50, tzinfo=TZ)
    document.save()

    document.refresh_from_db()
    assert document.party_signature == "refused" and document.refusal_witness == "社区干部张某"
    assert document.pdf_sha256 == sha  # the PDF itself is not re-rendered


SIGNED_AT = datetime.datetime(2026, 11, 25, 9, 50, tzinfo=TZ)


def test_the_partys_signature_is_recorded_on_an_issued_document_locked_and_audited(case, officer, colleague):
    from wuding_enforcement.audit.models import AuditEvent

    document = onsite(case, officer, [officer, colleague])
    document.issue(by=officer)
    sha = Document.objects.get(pk=document.pk).pdf_sha256
    scan = b"\x89PNG\r\n\x1a\n a photo of the signed page"
    document.record_party_signature(
        by=officer, outcome="refused", signed_at=SIGNED_AT, refusal_witness=" 社区干部张某 ", scan=scan
    )
    stored = Document.objects.get(pk=document.pk)
    assert (stored.party_signature, stored.refusal_witness) == ("refused", "社区干部张某")
    with stored.signed_scan.open("rb") as handle:
        assert handle.read() == scan and stored.pdf_sha256 == sha
    event = AuditEvent.objects.get(action="recording.document.party_signature")
    assert event.actor == officer and event.detail["witness"] == "社区干部张某"
    assert stored.history.first().history_change_reason == "recording.document.party_signature"


@pytest.mark.parametrize(
    ("issued", "outcome", "witness", "when", "reason"),
    [
        (False, "signed", "", SIGNED_AT, "文书签发后才能记录当事人签名情况。"),
        (True, "refused", "  ", SIGNED_AT, "当事人拒绝签名的，须写明见证人。"),
        (True, "signed", "", NOW + datetime.timedelta(hours=1), "签名（拒签）时间不能晚于现在。"),
        (True, "pending", "", SIGNED_AT, "请选择当事人已签名或拒绝签名。"),
    ],
)
def test_the_partys_signature_is_refused_where_the_rules_say_no(
    case, officer, colleague, issued, outcome, witness, when, reason
):
    document = onsite(case, officer, [officer, colleague])
    if issued:
        document.issue(by=officer)
    with pytest.raises(TransitionRefused) as refused:
        document.record_party_signature(by=officer, outcome=outcome, signed_at=when, refusal_witness=witness)
    assert reason in refused.value.messages
    assert Document.objects.get(pk=document.pk).party_signature == "pending"


def test_only_those_who_work_on_the_case_record_the_signature_of_a_document_that_takes_one(
    case, officer, colleague, outsider
):
    document = onsite(case, officer, [officer, colleague])
    document.issue(by=officer)
    with pytest.raises(TransitionRefused, match="不是本案承办人员"):
        document.record_party_signature(by=outsider, outcome="signed", signed_at=SIGNED_AT)
    internal = notice(case, "inquiry_notice", officer)
    internal.issue(by=officer)
    # An internal form (审批表, 报告) is never signed by the party.
    Document.objects.filter(pk=internal.pk).update(doc_type="investigation_report")
    internal.refresh_from_db()
    assert not internal.takes_party_signature
    with pytest.raises(TransitionRefused, match="无须当事人签名"):
        internal.record_party_signature(by=officer, outcome="signed", signed_at=SIGNED_AT)


def test_a_correction_supersedes_the_issued_document_and_both_are_kept(case, officer, colleague):
    original = notice(case, "inquiry_notice", officer)
    original.issue(by=officer)
    original_sha = Document.objects.get(pk=original.pk).pdf_sha256

    correction = original.correct(by=officer, reason="询问地点写错。")
    correction.data = {**correction.data, "attend_place": "武定县市场监督管理局三楼询问室"}
    correction.save()
    correction.issue(by=officer)

    original.refresh_from_db()
    correction.refresh_from_db()
    assert original.status == correction.status == DocumentStatus.ISSUED
    assert original.pdf_sha256 == original_sha
    assert correction.supersedes == original and original.superseded_by == correction
    assert list(case.documents.issued().current()) == [correction]
    assert correction.number == "武市监询通〔2026〕2号"
    text = pdf_text(correction)
    assert "询问地点写错。" in text and original.number in text and "三楼询问室" in text
    with pytest.raises(TransitionRefused):
        original.correct(by=officer, reason="再次更正。")


# --- Two certified officers (行政处罚法 第四十二条) --------------------------------------------------------


def test_it_refuses_an_act_naming_the_officer_whose_certificate_expired(case, officer, colleague):
    Certificate.objects.filter(holder=colleague).update(expires_on=datetime.date(2026, 11, 20))
    document = onsite(case, officer, [officer, colleague])
    problems = document.issue_problems(officer)
    assert any(p.startswith("王志强：") and "已于2026年11月20日过期" in p for p in problems)
    assert any(
        "执法活动须有至少两名在" in p and "（行政处罚法 第四十二条），目前只有 1 名" in p for p in problems
    )
    with pytest.raises(TransitionRefused):
        document.issue(by=officer)
    document.refresh_from_db()
    assert document.status == DocumentStatus.DRAFT and document.file_seq is None


def test_a_certificate_that_expired_after_the_act_still_counts(case, officer, colleague):
    Certificate.objects.filter(holder=colleague).update(expires_on=ACT_DAY)
    assert onsite(case, officer, [officer, colleague]).issue_problems(officer) == []


def test_it_refuses_an_act_with_a_single_officer(case, officer):
    problems = onsite(case, officer, [officer]).issue_problems(officer)
    assert problems == [
        f"执法活动须有至少两名在{cn_date(ACT_DAY)}持有有效执法证件的执法人员（行政处罚法 第四十二条），"
        "目前只有 1 名。"
    ]


# --- Audio-video -----------------------------------------------------------------------------------------------


def seizure_draft(case, officer, colleague, unit_head, bureau_head):
    approve(case, ApprovalKind.SEIZURE, by=officer, unit_head=unit_head, bureau_head=bureau_head)
    return draft(
        case,
        "coercion_decision",
        valid_input("coercion_decision", case)[0],
        by=officer,
        officers=[officer, colleague],
        act_date=ACT_DAY,
        # A written reason does not replace the video of a seizure.
        av_exemption=EXEMPTION,
    )


def test_it_refuses_a_seizure_without_linked_video(case, officer, colleague, unit_head, bureau_head):
    document = seizure_draft(case, officer, colleague, unit_head, bureau_head)
    assert document.issue_problems(officer) == [
        "“实施行政强制措施决定书”记录的执法活动须全程音像记录：请先上传并关联录像或录音。"
    ]
    with pytest.raises(TransitionRefused):
        document.issue(by=officer)


def test_a_voided_video_does_not_count(case, officer, colleague, unit_head, bureau_head):
    document = seizure_draft(case, officer, colleague, unit_head, bureau_head)
    video = link_video(document, by=officer)
    video.voided_at = NOW
    video.voided_by = officer
    video.void_reason = "误传"
    video.save()
    assert len(document.issue_problems(officer)) == 1


def test_a_seizure_with_linked_video_issues(case, officer, colleague, unit_head, bureau_head):
    document = seizure_draft(case, officer, colleague, unit_head, bureau_head)
    link_video(document, by=officer)
    issued = document.issue(by=officer)
    assert issued.number == "武市监强制〔2026〕1号"


def test_as_needed_audio_video_is_satisfied_by_a_written_reason(case, officer, colleague):
    without = onsite(case, officer, [officer, colleague], av_exemption="")
    assert without.issue_problems(officer) == [
        "请关联音像记录，或在“未录音录像的理由”中说明文字记录足以全面有效记录该执法活动的理由。"
    ]
    with_reason = onsite(case, officer, [officer, colleague])
    assert with_reason.issue_problems(officer) == []
    with_video = onsite(case, officer, [officer, colleague], av_exemption="")
    link_video(with_video, by=officer, content=b"\x00\x00\x00\x18ftypmp42 another clip")
    assert with_video.issue_problems(officer) == []


def test_a_testing_period_notice_pauses_the_decision_clock_and_its_correction_replaces_the_period(
    case, officer
):
    later = datetime.date(2026, 12, 1)  # paused days accrue as the period runs
    before = next(d for d in case.deadlines(later) if d.key == "decision")
    first = notice(case, "testing_period_notice", officer)
    first.data = {**first.data, "start_on": case.filed_on.isoformat()}  # testing began the day of filing
    first.save()
    first.issue(by=officer)
    pause = CasePause.objects.get(case=case, kind=PauseKind.TESTING)
    assert (pause.start, pause.end) == (case.filed_on, datetime.date(2026, 12, 10))
    case.refresh_from_db()
    after = next(d for d in case.deadlines(later) if d.key == "decision")
    assert after.due > before.due and after.paused_days > 0
    correction = first.correct(by=officer, reason="检验机构延长检验周期")
    correction.data = {**correction.data, "expected_end_on": "2026-12-20"}
    correction.save()
    correction.issue(by=officer)
    periods = sorted(CasePause.objects.filter(case=case, kind=PauseKind.TESTING).values_list("start", "end"))
    assert periods == [(case.filed_on, case.filed_on), (case.filed_on, datetime.date(2026, 12, 20))]
    assert CasePause.objects.get(source_document_id=correction.pk).end == datetime.date(2026, 12, 20)


def test_a_correction_replaces_only_its_own_notices_period_not_one_whose_id_starts_the_same(case, officer):
    """The pause to replace is found by the notice's id, not by searching notes: notice #1's correction
    leaves the period of notice #12 alone (the note search `#1` matched `#12`)."""
    first = notice(case, "testing_period_notice", officer)
    first.issue(by=officer)
    look_alike = int(f"{first.pk}2")  # #1 -> #12, #7 -> #72
    other = CasePause.objects.create(
        case=case,
        kind=PauseKind.TESTING,
        start=datetime.date(2026, 11, 26),
        end=datetime.date(2026, 12, 30),
        note=f"期间告知书 卷内第9号 #{look_alike}",  # as notes were written before the key existed
        source_document_id=look_alike,
        created_by=officer,
    )
    correction = first.correct(by=officer, reason="检验机构变更")
    correction.issue(by=officer)
    other.refresh_from_db()
    assert other.end == datetime.date(2026, 12, 30)
    # The notice's own period ends where the corrected one starts.
    assert CasePause.objects.get(source_document_id=first.pk).end == datetime.date(2026, 11, 24)
