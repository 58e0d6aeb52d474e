"""The one refusal handler puts every refusal it shows on record (issue 15, point 8; issue 12, point 3):
`show_refusal` writes one audit row (auth.action_refused) for a refusal its domain did not record, and none
for one the domain recorded itself (the exception is marked audited) — never two, never none."""

import pytest
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse

from tests.conftest import login_as
from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import AuditEvent, Outcome
from wuding_enforcement.cases.models import ApprovalKind
from wuding_enforcement.shared.refusals import Refused, is_audited, mark_audited, show_refusal

pytestmark = pytest.mark.django_db


def _refused_rows():
    return AuditEvent.objects.exclude(outcome=Outcome.SUCCESS)


@pytest.fixture
def lead(make_case):
    return make_case()


def test_a_refusal_its_domain_does_not_record_is_recorded_once_by_the_handler(client, lead, officer):
    # Approval.give_opinion refuses an officer who is not the unit head, and writes no audit row itself:
    # before the handler audited, this refusal left no trace.
    approval = lead.request_approval(ApprovalKind.OTHER, by=officer, reason="需要审批的其他事项。")
    before = _refused_rows().count()
    login_as(client, officer)
    response = client.post(
        reverse("cases:give_opinion", args=[lead.pk, approval.pk]),
        {"agree": "yes", "opinion": "同意。"},
        follow=True,
    )
    assert "负责人签署意见" in response.content.decode()
    rows = _refused_rows()
    assert rows.count() == before + 1
    row = AuditEvent.objects.get(action="auth.action_refused")
    assert row.actor == officer and row.outcome == Outcome.FAILURE
    assert row.detail["view"] == "cases:give_opinion" and row.detail["method"] == "POST"
    assert "负责人签署意见" in row.detail["problems"][0]


def test_a_refusal_its_domain_recorded_is_not_recorded_twice(client, lead, officer):
    # Case.request_approval records cases.approval.request_refused itself (a lead may not extend the decision
    # period): the handler shows it and writes nothing more.
    login_as(client, officer)
    response = client.post(
        reverse("cases:request_approval", args=[lead.pk]),
        {"kind": ApprovalKind.DECISION_EXTENSION, "reason": "案情复杂。", "days": "30"},
        follow=True,
    )
    assert "第六十条" in response.content.decode()
    assert AuditEvent.objects.filter(action="cases.approval.request_refused").count() == 1
    assert not AuditEvent.objects.filter(action="auth.action_refused").exists()
    assert _refused_rows().count() == 1


def test_a_form_refused_by_its_own_checks_is_on_record_once(client, lead, officer):
    approval = lead.request_approval(ApprovalKind.OTHER, by=officer, reason="需要审批的其他事项。")
    login_as(client, officer)
    client.post(reverse("cases:give_opinion", args=[lead.pk, approval.pk]), {"agree": "yes", "opinion": ""})
    assert AuditEvent.objects.filter(action="auth.action_refused").count() == 1


def test_a_row_written_while_a_refusal_is_handled_marks_it_audited(officer):
    refused = Refused("不能这样做。")
    assert not is_audited(refused)
    try:
        raise refused
    except Refused:
        record("tests.thing_refused", actor=officer, outcome=Outcome.FAILURE)
    assert is_audited(refused)
    # A success row, or a row written outside any handler, marks nothing.
    other = ValidationError("另一个理由。")
    try:
        raise other
    except ValidationError:
        record("tests.thing_done", actor=officer)
    assert not is_audited(other)


def test_the_handler_writes_once_however_often_it_shows_the_same_refusal(officer):
    request = RequestFactory().post("/somewhere/")
    request.user = officer
    request._messages = _Messages()
    refusal = Refused("不能这样做。")
    show_refusal(request, refusal)
    show_refusal(request, refusal)
    show_refusal(request, mark_audited(Refused("已由领域记录。")))
    assert AuditEvent.objects.filter(action="auth.action_refused").count() == 1


class _Messages(list):
    def add(self, level, message, extra_tags=""):
        self.append(message)
