"""执法检查人员名录库: who may inspect under an item on a day, and 回避.

Built on roster/certification.py (a certificate valid on the day, at least two officers): an inspector also needs
the item's field (执法类别) on a certificate valid that day. 回避 (行政处罚法 第四十三条): a declared conflict
keeps the officer away from the entity; a draw also never sends the officers of an entity's previous inspection
again (the same officer not twice in a row on one entity).
"""

import datetime
from dataclasses import dataclass

from django.db.models import Prefetch

from wuding_enforcement.roster.certification import MINIMUM_OFFICERS, entitlement_on
from wuding_enforcement.roster.models import Certificate, Role, Staff
from wuding_enforcement.shared.chinese import cn_date


@dataclass(frozen=True)
class Inspector:
    person: object
    certificate: object | None
    reason: str = ""

    @property
    def entitled(self) -> bool:
        return self.certificate is not None

    @property
    def key(self) -> str:
        """The officer's key in a draw: the number of the certificate that entitles them (public anyway)."""
        return self.certificate.number if self.certificate else ""


def inspector_on(person, on: datetime.date, field: str) -> Inspector:
    """May `person` inspect under an item of `field` on `on`? Reads person.certificates.all()."""
    entitlement = entitlement_on(person, on)
    if not entitlement.entitled:
        return Inspector(person, None, entitlement.refusal)
    for certificate in sorted(person.certificates.all(), key=lambda c: c.expires_on, reverse=True):
        if certificate.is_valid_on(on) and field in certificate.field_list:
            return Inspector(person, certificate)
    return Inspector(
        person,
        None,
        f"{person.display_name}：{cn_date(on)}有效的执法证件不含“{field}”执法类别，不能实施该项检查。",
    )


def officer_problems(officers, *, entity, item, on: datetime.date) -> list[str]:
    """Why these officers may not inspect `entity` under `item` on `on` (empty: they may)."""
    from .models import Conflict

    officers = list(officers)
    inspectors = [inspector_on(o, on, item.field) for o in officers]
    problems = [i.reason for i in inspectors if not i.entitled]
    if sum(i.entitled for i in inspectors) < MINIMUM_OFFICERS:
        problems.append(
            f"行政检查须由至少两名在{cn_date(on)}持有有效执法证件（执法类别含“{item.field}”）的执法人员实施"
            f"（行政处罚法 第四十二条），目前只有 {sum(i.entitled for i in inspectors)} 名。"
        )
    conflicts = (
        Conflict.objects.active_on(on).filter(entity=entity, officer__in=officers).select_related("officer")
    )
    for conflict in conflicts:
        problems.append(
            f"{conflict.officer.display_name}已申报回避{entity.name}（{conflict.reason}），不能参加该检查。"
        )
    return problems


def with_certificates(queryset=None):
    """Staff with their certificates prefetched (inspector_on reads them without a query per person)."""
    queryset = queryset if queryset is not None else Staff.objects.all()
    return queryset.prefetch_related(Prefetch("certificates", queryset=Certificate.objects.order_by("pk")))


def inspector_pool(field: str, on: datetime.date) -> list[Inspector]:
    """The 执法检查人员名录库 of an item on a day: active officers entitled for its field, by certificate
    number. Two queries (staff, certificates) whatever the roster's size."""
    people = with_certificates(Staff.objects.with_role(Role.OFFICER).distinct())
    pool = [inspector_on(person, on, field) for person in people]
    return sorted((i for i in pool if i.entitled), key=lambda i: i.key)


def previous_inspectors(entity_ids) -> dict[int, set[int]]:
    """For each entity, the officers of its latest inspection that took place (never twice in a row)."""
    from wuding_enforcement.cases.models import CaseOfficer

    from .models import Inspection

    latest: dict[int, int] = {}
    rows = (
        Inspection.objects.counted()
        .filter(entity_id__in=list(entity_ids), case__isnull=False)
        .order_by("entity_id", "-planned_on", "-pk")
        .values_list("entity_id", "case_id")
    )
    for entity_id, case_id in rows:
        latest.setdefault(entity_id, case_id)
    found: dict[int, set[int]] = {}
    by_case = {case_id: entity_id for entity_id, case_id in latest.items()}
    for case_id, officer_id in CaseOfficer.objects.filter(case_id__in=list(by_case)).values_list(
        "case_id", "officer_id"
    ):
        found.setdefault(by_case[case_id], set()).add(officer_id)
    return found
