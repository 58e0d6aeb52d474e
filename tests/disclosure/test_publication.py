# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""事后公开, the domain: a publication draft opens when a 普通程序 行政处罚决定书 is issued, is published once the
decision was served, with logged redactions; withdrawal, expiry by date, early end, deadlines with holidays."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.cache import cache

from disclosure import publication as domain
from disclosure import redaction
from disclosure.deadlines import deadline_status, publication_deadlines
from disclosure.models import Publication, PublicationStatus, Redaction
from disclosure.sections import PUBLICATIONS
from recording.models import Classification
from tests.conftest import make_staff
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    ORGANISATION,
    PERSON,
    PERSON_ID,
    TZ,
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.cases.models import RuleSettings
from wuding_enforcement.cases.workflow import Procedure
from wuding_enforcement.roster.models import Role
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day, hour=10):
    return time_machine.travel(
        datetime.datetime(day.year, day.month, day.day, hour, 0, tzinfo=TZ), tick=False
    )


@pytest.fixture
def draft(decided_case, officer):
    case = decided_case()
    decision = issue_decision(case, officer)
    return Publication.objects.get(document=decision)


@pytest.fixture
def published(draft, officer, bureau_head):
    serve(draft.document, officer)
    return draft.publish(by=bureau_head)


# --- The draft opens on issue -------------------------------------------------------------------------------


def test_issuing_an_ordinary_decision_opens_a_draft_with_the_summary(draft):
    assert draft.status == PublicationStatus.DRAFT
    assert draft.document_number == "武市监处罚〔2026〕1号"
    assert draft.party_name == "武定县某某商贸有限公司"
    assert draft.credit_code == "91532329MA6K000001"
    assert draft.legal_representative == "陈建国"
    assert draft.violation_type == "经营超过保质期的食品"
    assert draft.penalty_content == "罚款5000.00元；没收非法财物（超过保质期的“某某牌”牛奶12箱）"
    assert draft.authority == "武定县市场监督管理局"
    assert draft.unit_name == "狮山市场监督管理所"
    assert draft.decided_on == D(2026, 11, 19)
    assert AuditEvent.objects.filter(action="disclosure.publication.draft_opened").count() == 1


def test_the_draft_holds_the_issued_text_and_redacts_what_the_case_knows(draft):
    text = draft.original_text
    assert "违法事实" in text and "王小红" in text and "13987654321" in text
    hidden = {(r.kind, r.original) for r in draft.redactions.all()}
    # The shop assistant named in the 现场笔录, the phone number, the consumer's diagnosis.
    assert (redaction.NAME, "王小红") in hidden
    assert (redaction.PHONE, "13987654321") in hidden
    assert any(kind == redaction.HEALTH and "胃肠炎" in original for kind, original in hidden)
    preview = draft.redacted_text()
    for secret in ("王小红", "13987654321", "急性胃肠炎"):
        assert secret not in preview
    # An organisation's name, code, legal representative and registered address are published.
    for public in ("武定县某某商贸有限公司", "91532329MA6K000001", "陈建国", "武定县狮山镇正续路1号"):
        assert public in preview


def test_a_natural_persons_id_address_and_phone_are_redacted_and_the_name_kept_by_default(
    decided_case, officer
):
    case = decided_case(party=PERSON)
    pub = Publication.objects.get(document=issue_decision(case, officer))
    preview = pub.redacted_text()
    for secret in (PERSON_ID, "某某村委会某村12号", "13812345678"):
        assert secret not in pub.published_text and secret not in preview
    assert "张三丰" in preview and pub.party_name == "张三丰"
    assert pub.credit_code == "" and pub.legal_representative == ""


def test_the_person_partys_name_is_masked_when_the_setting_says_so(decided_case, officer):
    rules = RuleSettings.current()
    rules.mask_person_party_name = True
    rules.save()
    case = decided_case(party=PERSON)
    pub = Publication.objects.get(document=issue_decision(case, officer))
    assert pub.party_name == "张某"
    assert "张三丰" not in pub.redacted_text()
    assert "张某" in pub.redacted_text()


def test_a_warning_only_decision_opens_no_draft(decided_case, officer):
    case = decided_case()
    decision = issue_decision(
        case, officer, penalty_types=["warning"], fine_amount=None, confiscated_property=None
    )
    assert not Publication.objects.filter(document=decision).exists()
    event = AuditEvent.objects.get(action="disclosure.publication.not_applicable")
    assert "警告" in event.detail["reason"]


def test_a_decision_against_a_minor_opens_no_draft(decided_case, officer):
    case = decided_case(party={**PERSON, "is_minor": True})
    assert not Publication.objects.filter(document=issue_decision(case, officer)).exists()


def test_a_simple_procedure_decision_opens_no_draft(decided_case, officer, colleague, make_case):
    # 简易程序 decides by its own 当场行政处罚决定书 (the ordinary 决定书 is refused on it: recording/order.py).
    from tests.recording.test_simple_decision import simple_draft

    case = make_case(procedure=Procedure.SIMPLE, parties=[ORGANISATION], lead_date=D(2026, 11, 19))
    decision = simple_draft(case, officer, colleague).issue(by=officer)
    assert not Publication.objects.filter(document=decision).exists()


def _decision_data():
    from tests.disclosure.publication_factories import DECISION

    return dict(DECISION)


@pytest.mark.parametrize(
    "classification", [Classification.STATE_SECRET, Classification.COMMERCIAL, Classification.PRIVACY]
)
def test_a_decision_whose_core_facts_are_secret_opens_no_draft(decided_case, officer, classification):
    from tests.disclosure.publication_factories import issue

    case = decided_case()
    decision = issue(
        case,
        "penalty_decision",
        _decision_data(),
        by=officer,
        party=case.parties.first(),
        classification=classification,
    )
    assert not Publication.objects.filter(document=decision).exists()


# --- Publishing ---------------------------------------------------------------------------------------------


def test_a_draft_is_not_published_before_the_decision_is_served(draft, bureau_head):
    with pytest.raises(Refused) as refused:
        draft.publish(by=bureau_head)
    assert "尚未送达" in refused.value.messages[0]
    draft.refresh_from_db()
    assert draft.status == PublicationStatus.DRAFT and draft.published_text == ""


def test_the_service_receipt_tells_the_draft_and_then_it_publishes(draft, officer, bureau_head):
    serve(draft.document, officer)
    draft.refresh_from_db()
    assert draft.served_on == D(2026, 11, 20)
    pub = draft.publish(by=bureau_head)
    assert pub.status == PublicationStatus.PUBLISHED
    assert pub.published_on == D(2026, 11, 20)
    # Fine and confiscation: not a "lower" penalty, 3 years (总局令第45号 第十三条), the last day 2029-11-20.
    assert pub.last_day == D(2029, 11, 20) and pub.ends_on == D(2029, 11, 21)
    assert AuditEvent.objects.filter(action="disclosure.publication.published", actor=bureau_head).exists()


def test_the_published_text_equals_the_issued_one_apart_from_the_logged_redactions(published):
    log = [
        (r.start, r.end, r.original, r.replacement)
        for r in Redaction.objects.filter(publication=published, removed_at__isnull=True)
    ]
    assert log, "the decision names people: something was redacted"
    assert redaction.restore(published.published_text, log) == published.original_text
    # And the original is the issued decision's text, rendered again from the frozen document now.
    assert published.original_text == domain.issued_text(published.document)


def test_the_reviewer_adds_and_removes_redactions_and_both_are_logged(draft, bureau_head):
    text = draft.original_text
    start = text.index("昆明某某商贸公司")
    added = draft.add_redaction(
        by=bureau_head, start=start, end=start + len("昆明某某商贸公司"), kind="other"
    )
    assert added.original == "昆明某某商贸公司" and added.source == "reviewer"
    with pytest.raises(Refused):
        draft.add_redaction(by=bureau_head, start=start + 2, end=start + 6, kind="other")
    name = draft.redactions.filter(kind=redaction.NAME).first()
    draft.remove_redaction(by=bureau_head, redaction_id=name.pk, reason="系公职人员")
    name.refresh_from_db()
    assert name.removed_at is not None and name.removal_reason == "系公职人员"
    preview = draft.redacted_text()
    assert "昆明某某商贸公司" not in preview
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"disclosure.publication.redaction_added", "disclosure.publication.redaction_removed"} <= actions


def test_hiding_every_occurrence_of_a_typed_name(draft, bureau_head):
    occurrences = draft.original_text.count("牛奶")
    assert occurrences >= 2
    assert draft.add_redactions_of_text(by=bureau_head, needle="牛奶", kind="other") == occurrences
    assert "牛奶" not in draft.redacted_text()
    with pytest.raises(Refused):
        draft.add_redactions_of_text(by=bureau_head, needle="牛奶", kind="other")


def test_redactions_cannot_change_after_publication(published, bureau_head):
    with pytest.raises(Refused):
        published.add_redaction(by=bureau_head, start=0, end=2, kind="other")


# --- Deadlines ----------------------------------------------------------------------------------------------


def test_the_publication_deadline_skips_national_day_and_counts_the_adjusted_saturday(
    make_case, unit_head, bureau_head, officer
):
    from tests.conftest import file_case, walk_lawfully
    from wuding_enforcement.cases.workflow import Stage

    with at(D(2026, 9, 8)):
        case = file_case(
            make_case(parties=[ORGANISATION], lead_date=D(2026, 9, 1)), unit_head, bureau_head, officer
        )
    with at(D(2026, 9, 29)):
        # The statutory order: notified and served in September, decided after the five working days.
        days = {
            Stage.INVESTIGATING: 9,
            Stage.INVESTIGATION_CONCLUDED: 10,
            Stage.NOTIFIED: 11,
            Stage.STATEMENT: 14,
        }
        walk_lawfully(
            case,
            Stage.DECIDED,
            by=officer,
            unit_head=unit_head,
            bureau_head=bureau_head,
            dates={**{s: D(2026, 9, d) for s, d in days.items()}, Stage.DECIDED: D(2026, 9, 29)},
            notice={"penalty_types": ["fine", "confiscate_property"], "fine_amount": "1000000.00"},
        )
        pub = Publication.objects.get(document=issue_decision(case, officer, decided_on="2026-09-29"))
    # 9/30, 10/8, 10/9, 10/10 (调休上班), 10/12, 10/13, 10/14: the 7th working day.
    assert pub.due_on == D(2026, 10, 14)
    flag = deadline_status(pub, D(2026, 10, 12))
    assert flag.status == "amber"
    assert [p.name for p in flag.skipped] == ["国庆节"]
    late = deadline_status(pub, D(2026, 10, 15))
    assert late.status == "red" and late.overdue_by == 1


def test_the_case_page_deadlines_include_the_publication_once_decided(draft):
    case = draft.case
    case.decided_on = D(2026, 11, 19)  # as advance() to 决定 records it
    keys = {d.key: d for d in case.deadlines(D(2026, 11, 20))}
    assert keys[f"publication-{draft.pk}"].due == draft.due_on == D(2026, 11, 30)


def test_a_case_before_its_decision_has_no_publication_deadline_and_costs_no_query(
    make_case, django_assert_num_queries
):
    case = make_case()
    with django_assert_num_queries(0):
        assert publication_deadlines(case, D(2026, 11, 20)) == []


# --- Withdrawal ---------------------------------------------------------------------------------------------


def test_withdrawal_keeps_the_entry_listed_with_its_reason_and_hides_the_content(published, bureau_head):
    pub = published.withdraw(by=bureau_head, kind="revoked", reason="经行政复议，处罚决定被撤销。")
    assert pub.status == PublicationStatus.WITHDRAWN
    assert Publication.objects.listed().filter(pk=pub.pk).exists()
    assert not Publication.objects.current().filter(pk=pub.pk).exists()
    assert pub.published_text, "nothing is deleted"
    event = AuditEvent.objects.get(action="disclosure.publication.withdrawn")
    assert event.detail["reason"] == "经行政复议，处罚决定被撤销。"


def test_withdrawal_needs_a_reason(published, bureau_head):
    with pytest.raises(Refused):
        published.withdraw(by=bureau_head, kind="revoked", reason="  ")
    published.refresh_from_db()
    assert published.status == PublicationStatus.PUBLISHED


def test_a_corrected_decision_must_be_withdrawn_within_three_working_days(published, officer):
    with at(D(2026, 11, 23)):
        correction = published.document.correct(by=officer, reason="罚款金额计算错误")
        correction.issue(by=officer)
    published.refresh_from_db()
    # Corrected Monday 23 November: 24, 25, 26 → due Thursday 26 November.
    assert published.withdrawal_due() == D(2026, 11, 26)
    # The correction itself opens a new draft.
    assert Publication.objects.filter(document=correction, status=PublicationStatus.DRAFT).exists()


# --- Expiry -------------------------------------------------------------------------------------------------


def test_a_lower_fine_leaves_the_public_lists_after_three_months_without_any_scheduler(
    decided_case, officer, bureau_head
):
    case = decided_case()
    decision = issue_decision(case, officer, penalty_types=["fine"], confiscated_property="")
    serve(decision, officer)
    pub = Publication.objects.get(document=decision).publish(by=bureau_head)
    # 民法典 第二百零一、二百零二条: published 2026-11-20 for 3 months → shown until 2027-02-20 inclusive.
    assert pub.last_day == D(2027, 2, 20) and pub.ends_on == D(2027, 2, 21)
    with at(D(2027, 2, 20)):
        assert Publication.objects.listed().filter(pk=pub.pk).exists()
    with at(D(2027, 2, 21)):
        assert not Publication.objects.listed().filter(pk=pub.pk).exists()
        assert not Publication.objects.current().filter(pk=pub.pk).exists()
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.PUBLISHED, "no task ran: the queries alone hid it"
    with at(D(2027, 2, 22)):
        from disclosure.tasks import record_publication_expiries

        assert record_publication_expiries.delay().get() == {"date": "2027-02-22", "ended": 1}
    pub.refresh_from_db()
    assert pub.status == PublicationStatus.ENDED and pub.end_kind == "expired"


def test_the_fine_threshold_is_a_setting(decided_case, officer, bureau_head):
    rules = RuleSettings.current()
    rules.publication_low_fine_threshold = Decimal("3000.00")
    rules.save()
    case = decided_case()
    decision = issue_decision(case, officer, penalty_types=["fine"], confiscated_property="")
    serve(decision, officer)
    pub = Publication.objects.get(document=decision).publish(by=bureau_head)
    assert pub.last_day == D(2029, 11, 20)


# --- Early end ---------------------------------------------------------------------------------------------

ALL_CONFIRMED = {"performed": True, "remedied": True, "no_repeat": True, "not_untrustworthy": True}


def test_early_end_needs_every_condition_confirmed(published, bureau_head):
    with pytest.raises(Refused) as refused:
        published.end_early(
            by=bureau_head,
            confirmations={**ALL_CONFIRMED, "remedied": False},
            request_on=D(2026, 11, 20),
        )
    assert any("消除危害后果" in m for m in refused.value.messages)
    pub = published.end_early(by=bureau_head, confirmations=ALL_CONFIRMED, request_on=D(2026, 11, 20))
    assert pub.status == PublicationStatus.ENDED and pub.end_kind == "early"
    assert pub.early_end_confirmations["request_on"] == "2026-11-20"
    assert not Publication.objects.listed().filter(pk=pub.pk).exists()


def test_early_end_is_refused_for_a_suspension_of_business(published, bureau_head):
    # A 责令停产停业 decision needs a passed legal review to be issued (legal_review's gate); the rule read
    # here is the publication's own record of the penalty types.
    Publication.objects.filter(pk=published.pk).update(penalty_types=["fine", "suspend_business"])
    published.refresh_from_db()
    with pytest.raises(Refused) as refused:
        published.end_early(by=bureau_head, confirmations=ALL_CONFIRMED, request_on=D(2026, 11, 20))
    assert "责令停产停业" in refused.value.messages[0]
    published.refresh_from_db()
    assert published.status == PublicationStatus.PUBLISHED


# --- Who reviews --------------------------------------------------------------------------------------------


def test_reviewers_are_admins_bureau_heads_and_the_handling_units_head(
    draft, officer, unit_head, bureau_head, admin_user, units
):
    other_head = make_staff("gao_head", "高主任", units["gaoqiao"], Role.UNIT_HEAD)
    units["gaoqiao"].head = other_head
    units["gaoqiao"].save()
    for user, sees in (
        (bureau_head, True),
        (admin_user, True),
        (unit_head, True),
        (officer, False),
        (other_head, False),
    ):
        assert Publication.objects.reviewable_by(user).filter(pk=draft.pk).exists() is sees, user


def test_publishing_renews_the_public_pages(draft, officer, bureau_head):
    assert PUBLICATIONS.page("test", lambda: "built") == "built"
    assert PUBLICATIONS.page("test", lambda: "rebuilt") == "built"
    serve(draft.document, officer)
    draft.publish(by=bureau_head)
    assert PUBLICATIONS.page("test", lambda: "rebuilt") == "rebuilt"
    cache.clear()
