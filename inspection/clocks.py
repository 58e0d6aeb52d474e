"""The publication clock of an inspection's result (国发〔2019〕5号: within 20 working days of the result being
formed — of the test report where samples were taken), shown on the case page beside the other clocks
(cases.deadlines provider) and on the inspection's pages.

The deadline table (cases/deadline_rows.py) holds the clock as a row like every provider's — the dashboard's
overdue counts, the reminders and `rebuild_deadlines --check` read it there; cases/deadline_sync.py watches the
inspection (the case's one-to-one companion) and rewrites the row when it changes. Computing it reads the
inspection of a case from the 检查结果 stage on — 检查结果, 结案 and 归档 (one query each); every other case, and
every inspection before its result, costs none.

The clock stays after 结案 and 归档: the publication is part of the record, so a closed inspection shows its
clock as met on the day the result was published (late if that day was after the due date — the statistics'
逾期环节 and supervision's 逾期未公示/公示逾期 read the met date against the due date), like every met clock of a
case. A met clock is not open, so it never counts as overdue on the dashboard.
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from wuding_enforcement.cases.deadlines import WORKING_DAYS, make_deadline
from wuding_enforcement.cases.workflow import Procedure

# 检查结果, 结案, 归档: the stages a result exists at. (Loaded by ready(), once the models are.)
from .models import RESULT_STAGES

BASIS = (
    "《国务院关于在市场监管领域全面推行部门联合“双随机、一公开”监管的意见》（国发〔2019〕5号）：抽查检查结果"
    "自形成之日起20个工作日内向社会公示；抽样检验的，自检验报告出具之日起计算"
)


def publication_deadline(inspection, today: datetime.date):
    from .models import InspectionSettings

    due = inspection.publication_due()
    if due is None:
        return None
    published = inspection.published_at
    return make_deadline(
        key=f"inspection_publication:{inspection.pk}",
        name="检查结果公示期限",
        basis=BASIS,
        start=inspection.publication_start,
        due=due,
        unit=WORKING_DAYS,
        limit=InspectionSettings.current().result_working_days,
        today=today,
        met_on=timezone.localdate(published) if published else None,
    )


def inspection_deadlines(case, today: datetime.date):
    """From the result on, 结案 and 归档 included (a planned inspection closes only once published, so a closed
    one's clock is met — on time or late). Other cases — and inspections before their result, or terminated
    before the visit — cost no query."""
    if case.procedure != Procedure.INSPECTION or case.stage not in RESULT_STAGES:
        return []
    try:
        inspection = case.inspection
    except ObjectDoesNotExist:
        return []
    deadline = publication_deadline(inspection, today)
    return [deadline] if deadline else []


def register():
    from wuding_enforcement.cases.deadlines import register_deadline_provider

    register_deadline_provider(inspection_deadlines, name="inspection.publication")
