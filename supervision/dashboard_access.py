"""Who may read what in a dashboard drill-down list: classified cases' titles and details, links to case
pages. Bulk versions of Case.may_see_classified and Case.objects.visible_to (one query each)."""

from collections.abc import Iterable

from recording.models import Classification, Document, Evidence
from wuding_enforcement.cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseOfficer,
    CaseUserObjectPermission,
)
from wuding_enforcement.roster.models import Role

# --- Who may read what in a drill-down list ----------------------------------------------------------------


def classified_case_ids(case_ids: Iterable[int]) -> set[int]:
    """Cases holding a classified record (a document or evidence marked 个人隐私, 商业秘密 or 国家秘密):
    their 案由 and classified details are shown only to those Case.may_see_classified admits. One query."""
    ids = sorted(set(case_ids))
    if not ids:
        return set()
    documents = (
        Document.objects.filter(case_id__in=ids)
        .exclude(classification=Classification.GENERAL)
        .values_list("case_id", flat=True)
        .order_by()
    )
    evidence = (
        Evidence.objects.filter(case_id__in=ids)
        .exclude(classification=Classification.GENERAL)
        .values_list("case_id", flat=True)
        .order_by()
    )
    return set(documents.union(evidence))


def may_see_classified_ids(viewer, cases: Iterable[Case]) -> set[int]:
    """The ids among `cases` whose classified records `viewer` may see: Case.may_see_classified for many
    cases at once (its officers, the unit's head, the unit's records keeper, holders of the case's
    cases.view_classified permission, superusers). One query, none when `cases` is empty."""
    by_id = {c.pk: c for c in cases}
    if not by_id or viewer is None or not viewer.is_authenticated or not viewer.is_active:
        return set()
    if viewer.is_superuser:
        return set(by_id)
    allowed = set()
    for case in by_id.values():
        keeper = viewer.has_role(Role.RECORDS_KEEPER) and viewer.unit_id == case.handling_unit_id
        if keeper or viewer.is_head_of(case.handling_unit):
            allowed.add(case.pk)
    ids = sorted(by_id)
    assigned = (
        CaseOfficer.objects.filter(officer=viewer, case_id__in=ids)
        .values_list("case_id", flat=True)
        .order_by()
    )
    granted = CaseUserObjectPermission.objects.filter(
        user=viewer, permission__codename="view_classified", content_object_id__in=ids
    ).values_list("content_object_id", flat=True)
    by_group = CaseGroupObjectPermission.objects.filter(
        group__user=viewer, permission__codename="view_classified", content_object_id__in=ids
    ).values_list("content_object_id", flat=True)
    allowed.update(assigned.union(granted, by_group))
    return allowed


def visible_case_ids(viewer, case_ids: Iterable[int]) -> set[int]:
    """The cases whose page `viewer` may open (Case.objects.visible_to): the others are shown by number
    only, without a link that would answer 404. Bureau heads see all cases (no query)."""
    ids = sorted(set(case_ids))
    if not ids:
        return set()
    if viewer.is_superuser or viewer.has_role(Role.BUREAU_HEAD):
        return set(ids)
    return set(Case.objects.visible_to(viewer).filter(pk__in=ids).values_list("pk", flat=True))
