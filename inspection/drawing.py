"""Who plans and draws, and the inputs a 双随机 draw commits to (the draw's steps are the methods of
inspection.models.Draw; the algorithm is wuding_enforcement/shared/draws.py)."""

from wuding_enforcement.roster.models import Role

PLANNER_ROLES = (Role.LEGAL_REVIEWER, Role.ADMIN, Role.BUREAU_HEAD)


def is_planner(user) -> bool:
    """政策法规股 (its staff hold 法制审核人员), the 办公室's admins and the bureau heads plan and draw."""
    return user is not None and user.is_authenticated and user.has_role(*PLANNER_ROLES)


def draw_inputs(entry, day):
    """(entities, inspectors, exclusions, counts) the commitment freezes for `entry` on `day`."""
    from .models import Conflict, Inspection, MarketEntity
    from .officers import inspector_pool, previous_inspectors

    item = entry.item
    caps = {cap.risk_class: cap.per_year for cap in item.caps.all()}
    done = {
        row["entity_id"]: row["in_cap"] for row in Inspection.objects.filter(item=item).cap_counts(day.year)
    }
    candidates = list(
        MarketEntity.objects.active_on(day)
        .filter(categories=item.category)
        .order_by("credit_code")
        .distinct()
    )
    entities, at_cap, no_cap = [], 0, 0
    for entity in candidates:
        cap = caps.get(entity.risk_class)
        if cap is None:
            no_cap += 1
        elif done.get(entity.pk, 0) >= cap:
            at_cap += 1
        else:
            entities.append(entity)
    pool = inspector_pool(item.field, day)
    key_of = {i.person.pk: i.key for i in pool}
    entity_ids = [e.pk for e in entities]
    code_of = {e.pk: e.credit_code for e in entities}
    pairs = set()
    for entity_id, officer_id in (
        Conflict.objects.active_on(day)
        .filter(entity_id__in=entity_ids, officer_id__in=list(key_of))
        .values_list("entity_id", "officer_id")
    ):
        pairs.add((code_of[entity_id], key_of[officer_id]))
    for entity_id, officers in previous_inspectors(entity_ids).items():
        for officer_id in officers:
            if officer_id in key_of:
                pairs.add((code_of[entity_id], key_of[officer_id]))
    counts = {"candidates": len(candidates), "at_cap": at_cap, "no_cap": no_cap}
    return entities, pool, pairs, counts
