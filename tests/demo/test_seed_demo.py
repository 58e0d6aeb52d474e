"""seed_demo loads a demo bureau that exercises every stage, every certificate status and the powers
catalogue, once, only in demo mode; demo_accounts tells a presenter how to sign in."""

import datetime
import re
import zoneinfo
from io import StringIO

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice

from wuding_enforcement.audit.chain import verify_chain
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import (
    Approval,
    ApprovalKind,
    ApprovalStatus,
    Case,
    CasePause,
    Party,
    PartyKind,
    PauseKind,
    PowerItem,
    PowerKind,
)
from wuding_enforcement.cases.workflow import ORDINARY_TRANSITIONS, SIMPLE_TRANSITIONS, Procedure, Stage
from wuding_enforcement.roster.models import Certificate, CertificateStatus, Role, Staff, Unit
from wuding_enforcement.roster.otp import DEMO_DEVICE_NAME

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 25)
DEMO_PASSWORD = "Wuding@2026"
# Every username the demo hands out, by role (the presenter's cheat sheet).
ROLE_ACCOUNTS = {
    Role.OFFICER: "officer",
    Role.UNIT_HEAD: "unit_head",
    Role.LEGAL_REVIEWER: "reviewer",
    Role.BUREAU_HEAD: "bureau_head",
    Role.RECORDS_KEEPER: "records",
    Role.ADMIN: "admin",
}


@pytest.fixture
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))):
        yield


def run(command, *args):
    out = StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seeding takes tens of seconds: seed once for this module, inside a transaction rolled back at its end.
    Each test runs in a savepoint inside it (pytest-django's db fixture), so what one test changes is undone
    before the next."""
    at = datetime.datetime(2026, 11, 25, 10, tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(at):
            output = run("seed_demo")
        yield output
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, frozen, db):
    return _seeded_once


def stages_in_tables() -> set[str]:
    stages = set()
    for table in (ORDINARY_TRANSITIONS, SIMPLE_TRANSITIONS):
        for source, targets in table.items():
            stages.add(source)
            stages.update(targets)
    return stages


def test_it_leaves_a_case_in_every_stage_of_the_workflow(seeded):
    stages = set(Case.objects.values_list("stage", flat=True))
    assert stages_in_tables() - stages == set()
    assert "注意" not in seeded  # no step was refused by a gate
    assert Case.objects.filter(procedure=Procedure.SIMPLE).count() >= 2


def test_it_loads_a_powers_catalogue_citing_an_article_for_every_item(seeded):
    items = list(PowerItem.objects.select_related("responsible_unit"))
    assert len(items) >= 40
    article = re.compile(r"第[一二三四五六七八九十百零]+条")
    assert [i.code for i in items if not article.search(i.legal_basis)] == []
    assert {PowerKind.PENALTY, PowerKind.COERCION, PowerKind.INSPECTION, PowerKind.LICENSING} <= {
        i.kind for i in items
    }
    assert [i.code for i in items if i.responsible_unit is None] == []


def test_every_demo_decision_cites_its_matters_own_articles_never_a_placeholder(seeded):
    # Issue 13: a published demo decision read "违反了见权责清单事项所列法律规定的规定" and cited a 查封扣押
    # article as its 处罚依据. The 违法依据 and 处罚依据 come from the matter's own entries in the catalogue.
    from recording.models import Document

    article = re.compile(r"第[〇零一二三四五六七八九十百千0-9]+条")
    decisions = list(Document.objects.filter(doc_type="penalty_decision").select_related("case"))
    assert decisions
    for decision in decisions:
        data = decision.data
        for key in ("basis_violated", "basis_penalty"):
            assert article.search(data.get(key) or ""), (decision.case.number, key, data.get(key))
            assert "见权责清单" not in data[key]
        for item in decision.case.matters.filter(kind=PowerKind.COERCION):
            assert item.legal_basis not in data["basis_penalty"], (decision.case.number, item.code)


def test_it_issues_certificates_in_every_status(seeded):
    certificates = list(Certificate.objects.all())
    assert len({c.holder_id for c in certificates}) >= 20
    statuses = {c.status_on(TODAY) for c in certificates}
    assert statuses >= {
        CertificateStatus.VALID,
        CertificateStatus.EXPIRED,
        CertificateStatus.SUSPENDED,
        CertificateStatus.REVOKED,
        CertificateStatus.CANCELLED,
    }
    assert Certificate.objects.expiring_within(30, TODAY).count() == 3


def test_every_assigned_officer_held_a_valid_certificate_when_the_case_was_filed(seeded):
    for case in Case.objects.filter(filed_on__isnull=False).prefetch_related("officers__certificates"):
        holders = [o for o in case.officers.all() if o.valid_certificate_on(case.filed_on)]
        assert len(holders) >= 2, case.title


def test_a_second_run_changes_nothing_and_says_so(seeded):
    counts = (Unit.objects.count(), Staff.objects.count(), Case.objects.count(), AuditEvent.objects.count())

    again = run("seed_demo")

    assert "未做任何改动" in again
    assert (
        Unit.objects.count(),
        Staff.objects.count(),
        Case.objects.count(),
        AuditEvent.objects.count(),
    ) == counts


def test_the_audit_chain_verifies_after_seeding(seeded):
    report = verify_chain()
    assert report.ok, report.message
    assert AuditEvent.objects.filter(action="demo.seeded").exists()


def test_demo_accounts_refuses_when_demo_mode_is_off(seeded, settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="演示模式"):
        run("demo_accounts")


def test_each_demo_account_signs_in_with_the_demo_password_without_a_forced_change(seeded):
    for role, username in ROLE_ACCOUNTS.items():
        user = Staff.objects.get(username=username)
        assert user.has_role(role)
        assert user.check_password(DEMO_PASSWORD)
        assert not user.must_change_password
        validate_password(DEMO_PASSWORD, user)
    assert Staff.objects.get(username="admin").is_staff


def test_both_legal_reviewers_may_review_under_the_2021_cutoff(seeded):
    reviewer = Staff.objects.get(username="reviewer")
    senior = Staff.objects.get(username="reviewer_senior")
    assert reviewer.legal_review_started_on > datetime.date(2021, 7, 15)
    assert reviewer.legal_qualifications.exists()
    assert senior.legal_review_started_on < datetime.date(2021, 7, 15)
    assert not senior.legal_qualifications.exists()
    assert reviewer.review_eligibility_on(TODAY)[0]
    assert senior.review_eligibility_on(TODAY)[0]


def test_home_pages_have_approvals_waiting_at_both_steps(seeded):
    statuses = set(Approval.objects.values_list("status", flat=True))
    assert {ApprovalStatus.AWAITING_UNIT_HEAD, ApprovalStatus.AWAITING_BUREAU_HEAD} <= statuses
    assert Approval.objects.approved(ApprovalKind.FILING_EXTENSION).exists()
    assert Approval.objects.approved(ApprovalKind.DECISION_EXTENSION).exists()
    assert CasePause.objects.filter(kind=PauseKind.TESTING).exists()
    unit_head = Staff.objects.get(username="unit_head")
    bureau_head = Staff.objects.get(username="bureau_head")
    assert Approval.objects.awaiting(bureau_head).exists()
    assert Case.objects.visible_to(Staff.objects.get(username="officer")).count() >= 5
    assert Case.objects.visible_to(unit_head).count() >= 5


def test_filing_deadlines_include_one_overdue_and_one_due_soon(seeded):
    statuses = set()
    for case in Case.objects.filter(stage__in=[Stage.LEAD, Stage.VERIFYING]):
        statuses.update(d.status for d in case.deadlines(TODAY) if d.key == "filing")
    assert {"red", "amber"} <= statuses


def _id_checksum_ok(number: str) -> bool:
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return (
        "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], weights, strict=True)) % 11] == number[17]
    )


def test_parties_of_every_kind_with_well_formed_identifiers_and_one_minor(seeded):
    parties = list(Party.objects.all())
    assert {p.kind for p in parties} == set(PartyKind.values)
    people = [p for p in parties if p.kind == PartyKind.PERSON]
    assert all(len(p.id_number) == 18 and _id_checksum_ok(p.id_number) for p in people)
    assert all(len(p.credit_code) == 18 for p in parties if p.kind != PartyKind.PERSON)
    minors = [p for p in people if p.is_minor]
    assert len(minors) == 1
    birth = datetime.date(
        int(minors[0].id_number[6:10]), int(minors[0].id_number[10:12]), int(minors[0].id_number[12:14])
    )
    assert birth > TODAY.replace(year=TODAY.year - 18)


def test_demo_accounts_lists_every_role_and_only_unused_backup_codes(seeded, settings):
    # `make run HOST=... PORT=8201` sets PUBLIC_BASE_URL; the printed links are the address actually served.
    settings.PUBLIC_BASE_URL = "http://192.0.2.7:8201"
    device = StaticDevice.objects.get(user__username="admin", name=DEMO_DEVICE_NAME)
    used = device.token_set.order_by("token").first().token
    assert device.verify_token(used)
    unused = list(device.token_set.values_list("token", flat=True))

    out = run("demo_accounts")

    for role, username in ROLE_ACCOUNTS.items():
        assert role.label in out and username in out
    assert DEMO_PASSWORD in out
    assert all(token in out for token in unused)
    assert used not in out
    assert "demo_otp_codes" in out and "http://192.0.2.7:8201/admin/" in out
    assert ":8000" not in out


def test_published_decisions_include_a_live_a_withdrawn_and_an_expired_one(seeded, client):
    from disclosure.models import Publication

    by_status = {p.status: p for p in Publication.objects.select_related("document")}
    assert {"published", "withdrawn", "ended"} <= set(by_status)
    assert by_status["withdrawn"].withdrawal_reason
    listing = client.get("/publications/").content.decode()
    assert by_status["published"].document.number in listing
    assert "已撤回" in listing
    assert by_status["ended"].document.number not in listing


def test_supervision_is_alive_a_finished_round_an_open_notice_and_late_items_reminded(seeded):
    """One seed for the three (each seed costs tens of seconds)."""
    from supervision import evaluation
    from supervision.models import EvaluationRound, Notification, SupervisionNotice

    # A finished 案卷评查 round over archived files, reproducible from its seed, with deductions to roll up.
    round_ = EvaluationRound.objects.get()
    evaluations = list(round_.evaluations.select_related("case"))
    assert evaluations, "the round sampled no archived case file"
    assert all(e.scored_at is not None and e.total is not None for e in evaluations)
    assert {e.case.stage for e in evaluations} == {Stage.ARCHIVED}
    assert sorted(pk for ids in evaluation.sample(round_).values() for pk in ids) == sorted(
        e.case_id for e in evaluations
    )
    rolled = evaluation.rollup(round_)
    assert rolled["units"] and rolled["officers"]
    assert any(e.total < e.max_total for e in evaluations), "no deduction to show in the roll-up"

    # An open 通报 with items at each step of rectification.
    notice = SupervisionNotice.objects.get()
    assert notice.number and notice.pdf_sha256
    assert notice.is_open
    assert {item.status for item in notice.items.all()} == {"open", "answered", "closed"}

    # Overdue and soon-due deadlines in several units, and the reminders sent for them.
    late_units, soon_units = set(), set()
    for case in Case.objects.active().for_rows().select_related("handling_unit"):
        for deadline in case.deadlines(TODAY):
            if deadline.status == "red":
                late_units.add(case.handling_unit.name)
            elif deadline.status == "amber":
                soon_units.add(case.handling_unit.name)
    assert len(late_units) >= 2 and soon_units
    assert Notification.objects.filter(level="red").exists()
    assert Notification.objects.filter(level="amber").exists()


def test_the_demo_reviewer_sees_no_case_whose_round_is_not_theirs(seeded):
    """issue 15: the demo granted `reviewer` view on cases under review whose rounds nobody had taken."""
    from guardian.models import UserObjectPermission

    from legal_review.models import ReviewRound
    from wuding_enforcement.roster.models import Staff

    reviewer = Staff.objects.get(username="reviewer")
    granted = set(
        UserObjectPermission.objects.filter(user=reviewer, permission__codename="view_case").values_list(
            "object_pk", flat=True
        )
    )
    theirs = {
        str(pk) for pk in ReviewRound.objects.filter(reviewer=reviewer).values_list("case_id", flat=True)
    }
    assert granted <= theirs, f"view_case on cases without a round of theirs: {sorted(granted - theirs)}"


def test_every_demo_publication_is_the_issued_text_apart_from_logged_redactions(seeded):
    # 总局令第45号 第七条, over every decision the demo issues (the same check runs after each disclosure test).
    from disclosure.models import Publication
    from tests.disclosure.conftest import publication_text_problems

    assert Publication.objects.exclude(published_text="").exists()
    assert publication_text_problems() == []


# --- Each step on its own day (issue 13 point 10) ---------------------------------------------------------


def test_demo_cases_are_spread_over_the_past_months_each_step_on_its_own_working_day(seeded):
    from wuding_enforcement.cases import calendar

    cases = list(Case.objects.filter(procedure=Procedure.ORDINARY).prefetch_related("transitions"))
    leads = sorted(c.lead_date for c in cases)
    # Months, not days: the oldest lead more than two months before the seeding day.
    assert (TODAY - leads[0]).days > 60
    for case in cases:
        days = [t.on for t in sorted(case.transitions.all(), key=lambda t: t.pk)]
        # Dates never run backwards along a path, and every step falls on a working day.
        assert days == sorted(days), case.title
        assert all(calendar.is_working_day(day) for day in days if day != TODAY), case.title
    # Not everything happened on the seeding day: most steps of finished cases lie in the past.
    finished = [c for c in cases if c.stage in (Stage.CLOSED, Stage.ARCHIVED)]
    assert finished and all(c.filed_on is None or c.filed_on < TODAY for c in finished)
    assert all(c.decided_on is None or c.decided_on < TODAY for c in finished)


def test_the_hearing_case_is_archived_with_a_complete_case_file_in_its_statutory_order(seeded):
    from recording.archive import completeness_problems
    from recording.models import CaseFile, Document
    from wuding_enforcement.cases import calendar
    from wuding_enforcement.cases.models import ResponseKind

    case = Case.objects.get(title="涉嫌生产经营标签不符合规定的预包装食品案")
    assert case.stage == Stage.ARCHIVED
    assert CaseFile.objects.get(case=case).status == "done"
    assert completeness_problems(case) == []
    issued = {
        d.doc_type: d for d in Document.objects.filter(case=case, status="issued").order_by("issued_at")
    }
    assert {
        "hearing_notice",
        "hearing_record",
        "hearing_report",
        "review_opinion",
        "penalty_decision",
    } <= set(issued)
    kinds = set(case.party_responses.values_list("kind", flat=True))
    assert {ResponseKind.HEARING_REQUEST, ResponseKind.STATEMENT} <= kinds
    # The hearing was notified 7 working days ahead, the review came after the hearing report, the decision
    # after the review and after the five working days of 陈述申辩.
    hearing_day = issued["hearing_record"].issued_at.date()
    assert calendar.working_days_between(issued["hearing_notice"].issued_at.date(), hearing_day) >= 7
    assert issued["review_opinion"].issued_at > issued["hearing_report"].issued_at
    assert case.decided_on >= issued["review_opinion"].issued_at.date()
    assert case.decided_on < case.closed_on < case.archived_on <= TODAY


def test_a_no_penalty_case_a_transferred_case_and_a_simple_case_are_there(seeded):
    from recording.models import Document

    no_penalty = Case.objects.get(title="涉嫌销售标签瑕疵食品案")
    assert no_penalty.stage == Stage.CLOSED
    assert Document.objects.filter(case=no_penalty, doc_type="no_penalty_decision", status="issued").exists()
    assert not Document.objects.filter(case=no_penalty, doc_type="penalty_decision").exists()
    assert Case.objects.filter(stage=Stage.TRANSFERRED).exists()
    assert Case.objects.filter(procedure=Procedure.SIMPLE, stage=Stage.ARCHIVED).exists()


def test_no_decided_demo_case_shows_a_running_statement_clock(seeded):
    from wuding_enforcement.cases.deadlines import case_deadlines

    decided = Case.objects.filter(decided_on__isnull=False, procedure=Procedure.ORDINARY)
    assert decided.exists()
    for case in decided:
        running = [d for d in case_deadlines(case, TODAY) if d.key.startswith("statement:") and not d.is_met]
        assert running == [], case.title


def test_every_simple_case_carries_its_signed_on_the_spot_decision_within_the_limits(seeded):
    """简易程序 (行政处罚法 第五十一条、第五十二条): each demo case decided on the spot carries an issued 当场行政处罚决定书
    with a fine within the limit for its party, dated the day it was decided and signed by the party that day."""
    from recording.doctypes.simple import fine_limit, penalty_problems
    from recording.models import Document

    simple = Case.objects.filter(procedure=Procedure.SIMPLE)
    assert simple.count() >= 5
    for case in simple:
        decision = Document.objects.get(case=case, doc_type="simple_decision", status="issued")
        assert decision.number.startswith("武市监当罚〔"), case.title
        fine = decision.data["fine_amount"]
        assert "fine" in decision.data["penalty_types"] and fine
        assert float(fine) <= float(fine_limit(decision.party)[0]), case.title
        assert penalty_problems(decision.data, decision.party) == []
        assert decision.act_date == case.decided_on == case.lead_date
        assert decision.issued_at.astimezone(datetime.UTC).date() <= case.decided_on + datetime.timedelta(
            days=1
        )
        assert decision.party_signature == "signed"
        assert decision.party_signed_at.date() <= case.decided_on + datetime.timedelta(days=1)
        assert decision.pdf and decision.pdf_sha256
        if case.served_on:
            assert case.served_on == case.decided_on
    assert not Document.objects.filter(case__procedure=Procedure.SIMPLE, status="draft").exists()
    assert not Document.objects.filter(case__procedure=Procedure.SIMPLE, doc_type="penalty_decision").exists()


def test_each_dashboard_panel_reads_only_what_its_cache_section_watches(seeded):
    """supervision/figure_cache.py PANELS: a panel kept in the cache is renewed by the saves of the models it
    reads, and by no others. Its queries on the demo bureau (where every panel has items, so the prefetches
    run too) name the tables it reads: each must be watched by its section, else a change there would leave
    the panel stale."""
    import re

    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from supervision import dashboard as board
    from supervision import figure_cache
    from supervision.views_dashboard import _inspection_summary

    models = {m._meta.db_table: m for m in apps.get_models(include_auto_created=True)}
    sources = {part: source for part, (_, source) in board.PARTS.items()}
    sources["inspection-summary"] = lambda today: _inspection_summary(today, None)
    assert set(sources) == set(figure_cache.PANELS)
    read_by = {}
    for name, source in sources.items():
        with CaptureQueriesContext(connection) as ctx:
            result = source(TODAY)
        # the demo gives every part something to show but the notices (one query, no prefetch) and the late
        # withdrawals (none in the demo: its cases' query, cases and officers, is not run — watched anyway)
        assert result or name in ("notices", "withdrawal"), name
        tables = {t for q in ctx.captured_queries for t in re.findall(r'(?:FROM|JOIN)\s+"(\w+)"', q["sql"])}
        read_by[name] = {models[t]._meta.label_lower for t in tables}
        unwatched = [
            models[t]._meta.label_lower for t in tables if not figure_cache.panel_watches(name, models[t])
        ]
        assert unwatched == [], name
    # and the busiest writes of the cases app (approvals, parties) are read by none of them
    assert not any(
        label.startswith(("cases.approval", "cases.party")) for labels in read_by.values() for label in labels
    )
