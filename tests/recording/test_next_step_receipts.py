"""The officer's next step (recording/queues.py next_step) counts a 送达回证 against the document it serves: the
告知书's receipt does not serve the 决定书, nor the other way round (the registry's steps name the receipt of a
document type: recording/order.py receipt_of, issued_marks)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from recording.order import issued_marks, procedure_gaps
from recording.queues import next_step
from tests.conftest import file_case, issued_row, served_row, walk_lawfully
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Stage

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
S = Stage
DATES = {
    S.INVESTIGATING: datetime.date(2026, 11, 3),
    S.INVESTIGATION_CONCLUDED: datetime.date(2026, 11, 4),
    S.NOTIFIED: datetime.date(2026, 11, 5),
    S.STATEMENT: datetime.date(2026, 11, 6),
    S.DECIDED: datetime.date(2026, 11, 16),
    S.SERVED: datetime.date(2026, 11, 17),
}
TODAY = datetime.date(2026, 11, 18)


@pytest.fixture
def walked(make_case, officer, unit_head, bureau_head):
    def factory(to):
        with time_machine.travel(datetime.datetime(2026, 11, 2, 10, tzinfo=TZ), tick=False):
            case = file_case(make_case(), unit_head, bureau_head, officer)
        with time_machine.travel(datetime.datetime(2026, 11, 18, 10, tzinfo=TZ), tick=False):
            return walk_lawfully(
                case, to, by=officer, unit_head=unit_head, bureau_head=bureau_head, dates=DATES
            )

    return factory


def _step(case):
    return next_step(Case.objects.for_rows().get(pk=case.pk), TODAY)


def test_the_notices_receipt_does_not_serve_the_decision(walked, officer):
    case = walked(S.DECIDED)  # the 告知书 served on 11-06 by its 送达回证
    issued_row(
        case, "penalty_decision", by=officer, party=case.parties.first(),
        data={"penalty_types": ["fine"], "fine_amount": "3000.00", "decided_on": "2026-11-16"},
    )  # fmt: skip
    step = _step(case)
    assert step.label == "送达"
    assert step.missing == ["决定书的送达回证"]


def test_the_decisions_receipt_is_counted_once_served(walked, officer):
    case = walked(S.DECIDED)
    decision = issued_row(
        case, "penalty_decision", by=officer, party=case.parties.first(),
        data={"penalty_types": ["fine"], "fine_amount": "3000.00", "decided_on": "2026-11-16"},
    )  # fmt: skip
    served_row(case, decision, by=officer, on=DATES[S.SERVED])
    assert _step(case).missing == []


def test_another_documents_receipt_does_not_serve_the_notice(walked, officer):
    case = walked(S.NOTIFIED)
    # A 送达回证 of an earlier document (the 询问通知书), but none of the 告知书.
    inquiry = issued_row(case, "inquiry_notice", by=officer, party=case.parties.first())
    served_row(case, inquiry, by=officer, on=DATES[S.NOTIFIED])
    step = _step(case)
    assert step.label == "陈述申辩/听证"
    assert step.missing == ["行政处罚告知书的送达回证"]


def test_the_marks_name_the_served_type_and_the_case_file_check_reads_them(walked, officer):
    case = walked(S.SERVED)
    marks = issued_marks(case.documents.all())
    assert {"service_receipt:penalty_notice", "service_receipt:penalty_decision"} <= marks
    assert "decision_served" not in {s.key for s in procedure_gaps(case)}
    assert "notice_served" not in {s.key for s in procedure_gaps(case)}
