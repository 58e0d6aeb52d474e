# ruff: noqa: F811  (pytest fixtures imported from publication_factories are redefined as arguments)
"""The dashboard's publication panel (issue 14 points 1 and 3): a decision changed or revoked and still shown
after its 3 working days is an overdue withdrawal — also when the case is long closed, and the reminders say so
—; a 不公示 request approved by the bureau head is listed for supervision."""

import datetime
import re

import pytest

from disclosure.models import ChangeSource, DecisionChange, ExemptionGround, PublicationExemption
from supervision import dashboard
from supervision.models import Notification
from supervision.reminders import scan
from tests.conftest import login_as
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    now,
)
from tests.disclosure.test_decision_changes import at, published  # noqa: F401 (fixture)
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage

pytestmark = pytest.mark.django_db
D = datetime.date
DASHBOARD = "/staff/supervision/"


def figure_count(html, slug):
    match = re.search(rf'data-figure="{slug}"><span class="sv-count">(\d+)</span>', html)
    return int(match.group(1)) if match else None


def _revoked(publication, by):
    DecisionChange.record_change(
        publication,
        source=ChangeSource.RECONSIDERATION,
        kind="revoked",
        instrument="武定县人民政府行政复议决定书 武政复决〔2026〕3号",
        received_on=D(2026, 11, 20),
        by=by,
    )  # Fri 11-20: due Wed 11-25


def test_an_overdue_withdrawal_is_on_the_dashboard_the_day_after_its_three_working_days(
    client, published, bureau_head
):
    _revoked(published, bureau_head)
    assert dashboard.withdrawal_items(D(2026, 11, 25)) == []
    [item] = dashboard.withdrawal_items(D(2026, 11, 26))
    assert item.subject == published.document_number and item.due == D(2026, 11, 25)
    assert "武政复决〔2026〕3号" in item.detail and item.timing
    with at(D(2026, 11, 26)):
        login_as(client, bureau_head)
        html = client.get(DASHBOARD).content.decode()
        assert figure_count(html, "withdrawal-overdue") == 1
        listed = client.get("/staff/supervision/dashboard/withdrawal-overdue/").content.decode()
        assert published.document_number in listed and "武政复决〔2026〕3号" in listed
        # The 行政检查 filter leaves the decisions' publication panel out.
        assert (
            figure_count(
                client.get(DASHBOARD, {"procedure": "inspection"}).content.decode(), "withdrawal-overdue"
            )
            is None
        )
        published.withdraw(by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。")
        assert figure_count(client.get(DASHBOARD).content.decode(), "withdrawal-overdue") == 0


def test_the_reminders_flag_an_overdue_withdrawal_of_a_closed_case(published, bureau_head, officer):
    case = Case.objects.get(pk=published.case_id)
    case._stage_write_allowed = True  # a case closed long ago (its path is not what is tested here)
    case.stage = Stage.CLOSED
    case.save(update_fields=["stage"])
    _revoked(published, bureau_head)
    scan(D(2026, 11, 25))
    assert not Notification.objects.filter(title__contains="撤回公示").exists()
    scan(D(2026, 11, 26))
    titles = set(Notification.objects.filter(recipient=officer).values_list("title", flat=True))
    assert any("撤回公示" in t and t.startswith("已逾期") for t in titles)
    assert Notification.objects.filter(recipient=bureau_head, title__contains="撤回公示").exists()
    before = Notification.objects.count()
    scan(D(2026, 11, 27))
    assert Notification.objects.count() == before  # once per threshold


def test_an_approved_exemption_is_listed_for_supervision(client, decided_case, officer, bureau_head):
    case = decided_case()
    request = PublicationExemption.request(
        case=case, ground=ExemptionGround.PRIVACY, reason="案件主要事实涉及消费者的个人隐私。", by=officer
    )
    assert dashboard.exemption_items(D(2026, 11, 20)) == []  # pending: not yet an exemption
    request.decide(by=bureau_head, approve=True, note="同意不予公示。")
    [item] = dashboard.exemption_items(D(2026, 11, 20))
    assert item.subject == case.number and item.timing == bureau_head.display_name
    assert "个人隐私" in item.detail
    login_as(client, bureau_head)
    html = client.get(DASHBOARD).content.decode()
    assert figure_count(html, "publication-exempt") == 1
    listed = client.get("/staff/supervision/dashboard/publication-exempt/").content.decode()
    assert case.number in listed
