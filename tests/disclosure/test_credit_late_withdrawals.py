# ruff: noqa: F811  (pytest fixtures imported from the credit export's tests are redefined as arguments)
"""The credit export reports late withdrawals (issue 14 point 3): a 撤回 row names the day the withdrawal was due
(3 working days after the decision was changed, 行政处罚法 第四十八条) and, withdrawn after it, is marked 逾期撤回
with both dates in every file; a withdrawal in time is not marked."""

import csv
import datetime
import io

import pytest

from disclosure import credit_files
from tests.disclosure.publication_factories import (  # noqa: F401  (fixtures)
    decided_case,
    empty_cache,
    fake_pdf,
    now,
)
from tests.disclosure.test_credit_export import at, export, lines_of, publish  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db

D = datetime.date


def _csv_rows(item) -> list[dict]:
    stored = item.files.get(format="csv")
    return list(csv.DictReader(io.StringIO(bytes(stored.content).decode("utf-8-sig"))))


def test_a_withdrawal_after_the_three_working_days_is_marked_late_with_its_dates(publish, bureau_head):
    pub = publish()
    export(bureau_head)
    with at(D(2026, 11, 24)):
        # Revoked on Monday 11.16 (received that day): due Thursday 11.19; withdrawn Tuesday 11.24.
        pub.withdraw(
            by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。", event_on=D(2026, 11, 16)
        )
        item = export(bureau_head, (D(2026, 11, 24), D(2026, 11, 24)))
    [line] = lines_of(item)
    assert line.due_on == D(2026, 11, 19) and line.changed_on == D(2026, 11, 24)
    assert "逾期撤回：应于2026-11-19前撤回，2026-11-24撤回。" in line.note
    [row] = credit_files.rows([line])
    assert (row["late"], row["withdrawal_due"], row["changed_on"]) == ("是", "2026-11-19", "2026-11-24")
    [csv_row] = _csv_rows(item)
    assert (csv_row["逾期撤回"], csv_row["应撤回日期"], csv_row["信息类别"]) == (
        "是",
        "2026-11-19",
        "行政处罚",
    )


def test_a_withdrawal_in_time_is_not_marked(publish, bureau_head):
    pub = publish()
    export(bureau_head)
    with at(D(2026, 11, 23)):
        pub.withdraw(
            by=bureau_head, kind="revoked", reason="经行政复议，原处罚决定被撤销。", event_on=D(2026, 11, 20)
        )
        item = export(bureau_head, (D(2026, 11, 23), D(2026, 11, 23)))
    [line] = lines_of(item)
    assert line.due_on == D(2026, 11, 25) and "逾期" not in line.note
    [csv_row] = _csv_rows(item)
    assert csv_row["逾期撤回"] == "" and csv_row["应撤回日期"] == "2026-11-25"
