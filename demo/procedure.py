"""The demo's cases walk the statutory order (docs/domain.md §6; wuding_enforcement/cases/procedure.py): before
each step, the documents that make it are issued through Document.issue (real PDFs, every gate), the 告知书 and
the decision are served with their 送达回证, and the party's answer to the 告知 is recorded. Called from
demo/seeding.py before each Case.advance(); a gate that still refuses stops the case where it is, with a note."""

from django.utils import timezone

from recording.doctypes import REGISTRY
from recording.models import Document
from wuding_enforcement.cases.models import PartyResponse, ResponseKind
from wuding_enforcement.cases.workflow import Procedure, Stage

S = Stage
_seeder = None


def _docs():
    global _seeder
    if _seeder is None:
        from demo.recording import _RecordingSeeder

        _seeder = _RecordingSeeder(out=None)
    return _seeder


def issue(case, key, *, day=None, **overrides):
    return _docs()._document(case, REGISTRY[key], overrides=overrides or None, day=day)


def serve(case, document, day):
    if document is None:
        return None
    return issue(case, "service_receipt", day=day, served_document=str(document.pk), method="direct")


def latest(case, key):
    return (
        Document.objects.filter(case=case, doc_type=key, status="issued", superseded_by__isnull=True)
        .order_by("-issued_at")
        .first()
    )


def on_registered(case, *, archived: bool, on_spot: dict | None = None):
    """A lead whose file will be archived gets its 案件来源登记表 while it is a lead; a 简易程序 case its
    当场行政处罚决定书, decided, issued and handed to the party on the spot (on_the_spot)."""
    if case.procedure == Procedure.ORDINARY and archived:
        issue(case, "lead_register", day=case.lead_date)
    if case.procedure == Procedure.SIMPLE:
        on_the_spot(case, **(on_spot or {}))


# The bank a fine decided on the spot is paid at (fictitious), within 15 days (行政处罚法 第六十七条).
DEMO_BANK = "武定县农村信用合作联社各营业网点（演示）"


def on_the_spot(case, *, fine_amount="100.00", payment="bank", **contents):
    """The 当场行政处罚决定书 (行政处罚法 第五十一条、第五十二条) on the day decided on the spot: a fine within the
    limits, the oral 告知 recorded, signed by the party (demo/recording.py records the signature)."""
    party = case.parties.first()
    return issue(
        case,
        "simple_decision",
        day=case.decided_on,
        penalty_types=["fine"],
        fine_amount=fine_amount,
        payment=payment,
        payment_bank=DEMO_BANK if payment == "bank" else "",
        place=f"{party.address}（当事人经营场所）" if party else "当事人经营场所",
        evidence="现场照片、执法记录仪录像、当事人陈述。",
        **contents,
    )


def before(case, target, actor, day, *, fine="3000.00"):
    """Issue what makes `target` (the documents, their service, the party's answer) on `day`."""
    if case.procedure != Procedure.ORDINARY:
        return
    if target == S.INVESTIGATING:
        issue(case, "filing_approval", day=day)
        issue(case, "onsite_record", day=day)
    elif target == S.INVESTIGATION_CONCLUDED:
        issue(case, "investigation_report", day=day)
    elif target == S.NOTIFIED:
        # The notice tells the party the penalty the decision will impose (never a heavier one: 第四十五条).
        heard = (
            "on" if float(fine) >= 10000 else ""
        )  # 第六十三条: a larger fine entitles the party to a hearing
        issue(case, "penalty_notice", day=day, penalty_types=["fine"], fine_amount=fine, hearing_right=heard)
    elif target == S.STATEMENT:
        serve(case, latest(case, "penalty_notice"), day)
    elif target in (S.DECIDED, S.LEGAL_REVIEW):
        if not case.party_responses.exists():
            # The party waived its rights to state, defend and be heard in writing (行政处罚法 第六十二条).
            PartyResponse.record_for(
                case,
                kind=ResponseKind.WAIVER,
                received_on=day,
                content="当事人书面表示对告知的违法事实和拟处罚无异议，放弃陈述、申辩和听证权利。",
                by=actor,
            )
        issue(case, "decision_approval", day=day)
    elif target == S.SERVED and latest(case, "no_penalty_decision") is not None:
        serve(case, latest(case, "no_penalty_decision"), day)
    elif target == S.SERVED:
        decision = latest(case, "penalty_decision") or issue(
            case,
            "penalty_decision",
            day=day,
            decided_on=(case.decided_on or day).isoformat(),
            penalty_types=["fine"],
            fine_amount=fine,
        )
        serve(case, decision, day)
    elif target == S.TRANSFERRED:
        issue(
            case,
            "crime_transfer",
            day=day,
            report_received_on=day.isoformat(),
            approved_on=day.isoformat(),
        )
    elif target == S.ARCHIVED:
        if case.stage == S.NOT_FILED:
            issue(case, "not_filing_approval", day=day)
        else:
            issue(case, "closing_approval", day=day)


def no_penalty(case, actor, day):
    """不予行政处罚 (行政处罚法 第三十三条 first violation, slight and corrected in time): decided on the report,
    by a 不予行政处罚决定书 issued before the case is decided."""
    issue(case, "decision_approval", day=day)
    return issue(
        case,
        "no_penalty_decision",
        day=day,
        basis_no_penalty="《中华人民共和国行政处罚法》第三十三条第一款",
        reason="当事人初次违法，危害后果轻微并已及时改正，依法不予行政处罚。",
        education="执法人员当场对当事人进行了法治宣传教育，当事人已立即改正。",
    )


def hearing_requested(case, actor, day):
    """The party asks for a hearing in writing and states its case; the statement is answered (复核)."""
    PartyResponse.record_for(
        case, kind=ResponseKind.HEARING_REQUEST, received_on=day, content="当事人书面要求举行听证。", by=actor
    )
    statement = PartyResponse.record_for(
        case,
        kind=ResponseKind.STATEMENT,
        received_on=day,
        content="当事人称系初次违法，已主动停止违法行为，请求从轻处罚。",
        by=actor,
    )
    statement.record_answer(
        answer="经复核，当事人主动停止违法行为属实，在告知的处罚幅度内从轻考虑，不加重处罚。",
        on=day,
        by=actor,
    )


def hearing_notified(case, actor, day, held):
    """The 听证通知书, served the day it is signed, at least seven working days before the hearing."""
    notice = issue(case, "hearing_notice", day=day, hearing_at=f"{held.isoformat()}T09:30")
    serve(case, notice, day)


def hearing_held(case, actor, day):
    issue(case, "hearing_record", day=day)
    issue(case, "hearing_report", day=day)


def today():
    return timezone.localdate()
