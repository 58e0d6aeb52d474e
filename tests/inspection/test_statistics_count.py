"""The annual statistics and the Jan-31 report count 行政检查 from the inspection system's records (issue 17
point 7): an inspection that became a case is counted once as an inspection (its lead case's own 现场笔录 is not
a second inspection) and the case once as a penalty; a penalty case's own on-site inspection still counts."""

import datetime
import hashlib

import pytest
from django.utils import timezone

from disclosure import statistics
from inspection.models import Result
from recording.models import Document, DocumentStatus
from tests.inspection.conftest import approved, register_case_inspection, walk_to_inspected
from wuding_enforcement.cases.models import Case, PowerItem, PowerKind

pytestmark = pytest.mark.django_db


def _onsite_record(case, officer, day):
    """An issued 现场笔录 of a penalty case (the statistics read issued documents only)."""
    return Document.objects.create(
        case=case,
        doc_type="onsite_record",
        data={},
        status=DocumentStatus.ISSUED,
        act_date=day,
        created_by=officer,
        number=f"现场笔录{case.pk}",
        number_year=2026,
        number_seq=case.pk,
        pdf_sha256=hashlib.sha256(str(case.pk).encode()).hexdigest(),
        issued_by=officer,
        issued_at=timezone.now(),
    )


def _decided_penalty(case, day):
    power = PowerItem.objects.create(
        code=f"CF-{case.pk}", kind=PowerKind.PENALTY, field="食品安全", name="处罚"
    )
    case.matters.add(power)
    Case.objects.filter(pk=case.pk).update(decided_on=day)


def test_an_inspection_that_became_a_case_counts_once_as_inspection_and_once_as_penalty(
    frozen, entity, item, officers, officer, bureau_head, make_case
):
    task = register_case_inspection(entity, item, officers, by=officer)
    approved(task, bureau_head)
    walk_to_inspected(task, officers)
    task.form_result(
        by=officer, result=Result.REFER, summary="货架上有过期食品12袋。", lead_title="涉嫌销售过期食品案"
    )
    lead = task.lead_case
    day = datetime.date(2026, 5, 12)
    _onsite_record(lead, officer, day)  # the lead case's investigation: not another inspection
    _decided_penalty(lead, day)
    other = make_case(lead_date=day)  # a complaint case of its own, inspected on site
    _onsite_record(other, officer, day)

    figures = statistics.compute_year(2026, today=datetime.date(2026, 12, 31))
    inspection = figures.get("inspection")
    assert inspection.value == "2"  # the inspection (个案检查) + the other case's on-site inspection
    assert "行政检查系统记录的检查 1 次（个案检查 1 次）" in inspection.note
    assert "处罚案件中的现场检查 1 次" in inspection.note
    assert figures.get("penalty").value == "1"  # the lead case, once, as a penalty


def test_entered_inspections_are_added_and_other_years_are_apart(
    frozen, entity, item, officers, officer, bureau_head
):
    from disclosure.models import AnnualReport

    task = register_case_inspection(entity, item, officers, by=officer)
    approved(task, bureau_head)
    walk_to_inspected(task, officers)
    task.form_result(by=officer, result=Result.NONE_FOUND, summary="未发现问题。")
    report = AnnualReport.objects.create(year=2026, inspections_outside_cases=5)
    assert statistics.compute_year(2026, report=report).get("inspection").value == "6"
    assert statistics.compute_year(2025).get("inspection").value == "0"
