"""The publication clocks as deadlines (docs/domain.md §1, §4): the case page's publication and withdrawal
clocks (a deadline provider registered from DisclosureConfig.ready()), and the staff lists' flags. The dates
themselves come from disclosure/periods.py and the Publication model, so every page shows the same due date."""

import datetime

from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import WORKING_DAYS, Deadline, make_deadline
from wuding_enforcement.cases.models import RuleSettings
from wuding_enforcement.cases.workflow import Procedure, Stage

from .models import Publication, PublicationStatus

PUBLICATION_BASIS = (
    "国办发〔2018〕118号：行政处罚决定自作出之日起7个工作日内公开（期限见办案规则参数）；"
    "《市场监督管理行政处罚信息公示规定》第八条：送达决定书时书面告知当事人将公示"
)
WITHDRAWAL_BASIS = (
    "《行政处罚法》第四十八条第二款、《市场监督管理行政处罚信息公示规定》第十一条：决定被依法变更、撤销、"
    "确认违法或者确认无效的，在3个工作日内撤回公示信息并说明理由"
)
_DECIDED_STAGES = {Stage.DECIDED, Stage.SERVED, Stage.EXECUTING, Stage.CLOSED, Stage.ARCHIVED}


def deadline_status(publication: Publication, today: datetime.date | None = None) -> Deadline:
    """The publication clock of a draft (the staff list's flag: amber/red), met once published."""
    today = today or timezone.localdate()
    return make_deadline(
        key=f"publication-{publication.pk}",
        name="公示期限",
        basis=PUBLICATION_BASIS,
        start=publication.decided_on,
        due=publication.due_on,
        unit=WORKING_DAYS,
        limit=(publication.due_on - publication.decided_on).days,
        today=today,
        met_on=publication.published_on,
    )


def withdrawal_deadline(
    publication: Publication, today: datetime.date, rules: RuleSettings | None = None
) -> Deadline | None:
    """The withdrawal clock of a published (or withdrawn) decision that was changed or corrected, else None."""
    event = publication.withdrawal_event()
    if event is None or publication.status not in (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN):
        return None
    rules = rules or RuleSettings.current()
    return make_deadline(
        key=f"withdrawal-{publication.pk}",
        name=f"撤回公示（{publication.document_number}）",
        basis=WITHDRAWAL_BASIS,
        start=event,
        due=publication.withdrawal_due(rules),
        unit=WORKING_DAYS,
        limit=rules.withdrawal_working_days,
        today=today,
        met_on=timezone.localdate(publication.withdrawn_at) if publication.withdrawn_at else None,
    )


def publication_deadlines(case, today: datetime.date) -> list[Deadline]:
    """The case page's publication and withdrawal clocks. Cases before their decision have none and cost no
    query (list pages compute every case's deadlines)."""
    if case.procedure != Procedure.ORDINARY or (not case.decided_on and case.stage not in _DECIDED_STAGES):
        return []
    deadlines = []
    rules = calendar.scoped("rule_settings", RuleSettings.current)
    # Reads the prefetched relation (registered in apps.py), so list pages cost no query per case.
    for pub in case.publications.all():
        if pub.status in (PublicationStatus.DRAFT, PublicationStatus.PUBLISHED) or pub.published_on:
            met = pub.published_on if pub.status != PublicationStatus.DRAFT else None
            deadlines.append(
                make_deadline(
                    key=f"publication-{pub.pk}",
                    name=f"处罚决定公示（{pub.document_number}）",
                    basis=PUBLICATION_BASIS,
                    start=pub.decided_on,
                    due=pub.due_on,
                    unit=WORKING_DAYS,
                    limit=rules.publication_working_days,
                    today=today,
                    met_on=met,
                )
            )
        withdrawal = withdrawal_deadline(pub, today, rules)
        if withdrawal is not None:
            deadlines.append(withdrawal)
    return deadlines
