# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""Revocation and change events (行政处罚法 第四十八条 第二款; 总局令第45号 第十一条): a 复议决定, an effective
judgment, a self-correction or a superior's order is recorded with its instrument and the day it reached the
bureau; the publication is withdrawn within 3 working days of that day (holidays skipped), else flagged."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from disclosure import periods
from disclosure.deadlines import withdrawal_deadline
from disclosure.models import ChangeSource, DecisionChange, Publication, PublicationStatus
from tests.conftest import login_as
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    TZ,
    decided_case,
    empty_cache,
    fake_pdf,
    issue_decision,
    now,
    serve,
)
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.shared.refusals import Refused

pytestmark = pytest.mark.django_db
D = datetime.date


def at(day):
    return time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=TZ), tick=False)


@pytest.fixture
def published(decided_case, officer, bureau_head):
    decision = issue_decision(decided_case(), officer)
    serve(decision, officer)
    return Publication.objects.get(document=decision).publish(by=bureau_head)


def test_three_working_days_skip_national_day_and_count_the_adjusted_saturday():
    # Reached the bureau on Tue 2026-09-29: 09-30, (10-01…10-07 国庆), 10-08, 10-09.
    assert periods.withdrawal_due(D(2026, 9, 29)) == D(2026, 10, 9)
    # On Fri 2026-10-09: 10-10 is an adjusted working Saturday, then Mon 10-12 and Tue 10-13.
    assert periods.withdrawal_due(D(2026, 10, 9)) == D(2026, 10, 13)


def test_a_reconsideration_revoking_the_decision_starts_the_clock_and_late_is_flagged(published, bureau_head):
    DecisionChange.record_change(
        published,
        source=ChangeSource.RECONSIDERATION,
        kind="revoked",
        instrument="武定县人民政府行政复议决定书 武政复决〔2026〕3号",
        received_on=D(2026, 11, 20),
        by=bureau_head,
    )
    published.refresh_from_db()
    # Fri 11-20 → Mon 23, Tue 24, Wed 25.
    assert published.withdrawal_due() == D(2026, 11, 25)
    with at(D(2026, 11, 25)):
        assert Publication.objects.withdrawal_overdue() == []
        clock = withdrawal_deadline(published, D(2026, 11, 25))
        assert clock.due == D(2026, 11, 25) and "第四十八条" in clock.basis
    with at(D(2026, 11, 26)):
        assert Publication.objects.withdrawal_overdue() == [published]
        change = published.changes.get()
        published.withdraw(by=bureau_head, kind=change.kind, reason=change.public_reason)
    published.refresh_from_db()
    assert published.status == PublicationStatus.WITHDRAWN
    assert published.withdrawal_event_on == D(2026, 11, 20), "the withdrawal keeps the recorded event date"
    assert "行政复议决定" in published.withdrawal_reason and "撤销" in published.withdrawal_reason
    event = AuditEvent.objects.get(action="disclosure.publication.withdrawn")
    assert event.detail["late"] is True
    assert AuditEvent.objects.filter(action="disclosure.decision_change.recorded").exists()


def test_a_judgment_counts_only_once_effective_and_dates_are_not_in_the_future(published, bureau_head):
    with pytest.raises(Refused, match="发生法律效力"):
        DecisionChange.record_change(
            published,
            source=ChangeSource.JUDGMENT,
            kind="illegal",
            instrument="武定县人民法院行政判决书 （2026）云2329行初5号",
            received_on=D(2026, 11, 20),
            by=bureau_head,
        )
    with pytest.raises(Refused, match="不能晚于今天"):
        DecisionChange.record_change(
            published,
            source=ChangeSource.SELF,
            kind="changed",
            instrument="自行纠错决定",
            received_on=D(2026, 12, 1),
            by=bureau_head,
        )
    assert AuditEvent.objects.filter(action="disclosure.decision_change.refused").count() == 2
    published.refresh_from_db()
    assert published.withdrawal_event_on is None


def test_the_staff_page_records_a_change(client, published, bureau_head):
    login_as(client, bureau_head)
    response = client.post(
        reverse("disclosure:staff_publication_change", args=[published.pk]),
        {
            "change-source": "superior",
            "change-kind": "changed",
            "change-instrument": "楚雄州市场监督管理局责令纠正通知书",
            "change-received_on": "2026-11-19",
        },
    )
    assert response.status_code == 302
    published.refresh_from_db()
    assert published.withdrawal_event_on == D(2026, 11, 19)
    page = client.get(reverse("disclosure:staff_publication_detail", args=[published.pk])).content.decode()
    assert "楚雄州市场监督管理局责令纠正通知书" in page and "须于2026年11月24日前（含当日）撤回" in page
