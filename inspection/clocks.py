"""The publication clock of an inspection's result (国发〔2019〕5号: within 20 working days of the result being
formed — of the test report where samples were taken), shown on the case page beside the other clocks
(cases.deadlines provider) and on the inspection's pages.

The deadline table (cases/deadline_rows.py) holds the clock as a row like every provider's — the dashboard's
overdue counts, the reminders and `rebuild_deadlines --check` read it there; cases/deadline_sync.py watches the
inspection (the case's one-to-one companion) and rewrites the row when it changes. Computing it reads the
inspection of a case at the 检查结果 stage (one query each; every other case, and every inspection before or
after that stage, costs none).
"""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from wuding_enforcement.cases.deadlines import WORKING_DAYS, make_deadline
from wuding_enforcement.cases.workflow import Procedure, Stage

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
    """Shown while it matters: from the result until 结案 (a planned inspection closes only once published, so
    a closed one's clock is met). Other cases — and inspections before their result — cost no query."""
    if case.procedure != Procedure.INSPECTION or case.stage != Stage.INSPECTION_RESULT:
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
