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


def on_registered(case, *, archived: bool):
    """A lead whose file will be archived gets its 案件来源登记表 while it is a lead."""
    if case.procedure == Procedure.ORDINARY and archived:
        issue(case, "lead_register", day=case.lead_date)


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


def today():
    return timezone.localdate()
