"""双随机 and other planned inspections' results on the public site's machine channels (国发〔2019〕5号: results
published within 20 working days; issue 17 point 6): the redaction of the officer's text at publish() (the
rules of decisions, registered into inspection), the open data rows, the Atom entries and the credit export's
rows of a published result.

Reads inspection's public API only (Inspection.objects.published(), the model's fields and public URL);
inspection never imports this module — it calls the redactor registered in DisclosureConfig.ready().
"""

import datetime

from django.urls import reverse

from inspection.models import EntityKind, Inspection, InspectionKind, Result

from . import redaction


def public_name(entity) -> str:
    """The entity's published name: a 个体工商户's 字号/名称 with its operator's name masked (武定县张某小吃店; the
    one rule, redaction.business_public_name); an organisation's as registered."""
    if entity.kind == EntityKind.INDIVIDUAL:
        return redaction.business_public_name(entity.name, entity.representative)
    return entity.name


def redact(inspection: Inspection, text: str) -> tuple[str, list[dict]]:
    """The officer's text with the personal data a decision's text loses (总局令第45号 第六条、第七条): the
    names of natural persons the inspection's case records (people present, interviewees, witnesses,
    recipients ... as known_people reads a penalty case) or the text names by role ("在场人王小明"), ID numbers,
    phones, bank accounts, home addresses, health data. The enterprise's own published people (法定代表人,
    and the bureau's officers stay, as in decisions — but a 个体工商户's operator is a natural person: their name
    is masked wherever the text has it (the entity's name written in the text included, as public_name masks it).
    Returns the public text and the log."""
    from .publication import known_people

    case = inspection.case
    names: dict[str, str] = {}
    homes: set[str] = set()
    public_addresses: set[str] = {inspection.entity.address} if inspection.entity.address else set()
    phones: set[str] = set()
    party_name = inspection.entity.name
    if case is not None:
        party = case.parties.first()
        names, homes, more_addresses, phones = known_people(case, party)
        public_addresses |= more_addresses
    entity = inspection.entity
    for own in (entity.name, entity.representative):
        names.pop(own, None)
    individual = entity.kind == EntityKind.INDIVIDUAL and bool(entity.representative)
    suggestion = redaction.suggest(
        text,
        person_names=names,
        party_name=entity.representative if individual else party_name,
        mask_party=individual,
        home_addresses=homes,
        public_addresses=public_addresses,
        public_phones=phones,
    )
    log = [
        {
            "start": span.start,
            "end": span.end,
            "original": span.text(text),
            "replacement": span.replacement,
            "kind": span.kind,
            "label": redaction.KIND_LABELS.get(span.kind, ""),
            "origin": span.origin[:120],
        }
        for span in suggestion.spans
    ]
    return redaction.apply(text, suggestion.spans), log


def written_text(inspection: Inspection) -> str:
    """The officer's text, restored from the public one and the log (proves they differ only there)."""
    return redaction.restore(
        inspection.public_summary,
        [(r["start"], r["end"], r["original"], r["replacement"]) for r in inspection.public_redactions],
    )


# --- The published results as data ----------------------------------------------------------------------------


def published():
    return Inspection.objects.published().select_related("entity", "item", "unit")


def public_url(inspection: Inspection) -> str:
    return reverse("inspection_public:result", args=[inspection.pk])


def inspected_on(inspection: Inspection) -> datetime.date:
    """The day of the visit as the public reads it (the planned day the task was carried out on)."""
    return inspection.planned_on


def title(inspection: Inspection) -> str:
    return f"{inspection.number} {shown_name(inspection)} {inspection.get_result_display()}"


def shown_name(inspection: Inspection) -> str:
    """The entity's name as published with the result (fixed at publish/correct)."""
    return inspection.public_entity_name or public_name(inspection.entity)


OPEN_DATA_FIELDS = [
    ("number", "检查编号"),
    ("entity_name", "检查对象"),
    ("credit_code", "统一社会信用代码"),
    ("kind", "检查类型"),
    ("item", "检查事项"),
    ("inspected_on", "检查日期"),
    ("result", "检查结果"),
    ("result_on", "结果形成日期"),
    ("summary", "检查结果公示内容"),
    ("authority", "检查机关"),
    ("unit_name", "实施单位"),
    ("published_on", "公示日期"),
    ("draw", "双随机抽取批次"),
]


def open_rows(authority: str):
    """The open data rows of the published results, newest first: dates ISO, the public (redacted) text."""
    from django.utils import timezone

    rows = (
        published()
        .select_related("draw_pick__draw")
        .order_by("-published_at", "-pk")
        .iterator(chunk_size=2000)
    )
    for inspection in rows:
        draw = inspection.draw_pick.draw if inspection.draw_pick_id else None
        yield {
            "number": inspection.number,
            "entity_name": shown_name(inspection),
            "credit_code": inspection.entity.credit_code,
            "kind": InspectionKind(inspection.kind).label,
            "item": inspection.item.item,
            "inspected_on": inspected_on(inspection).isoformat(),
            "result": Result(inspection.result).label if inspection.result else "",
            "result_on": inspection.result_on.isoformat() if inspection.result_on else "",
            "summary": inspection.public_summary,
            "authority": authority,
            "unit_name": inspection.unit.name,
            "published_on": timezone.localdate(inspection.published_at).isoformat(),
            "draw": str(draw) if draw is not None else "",
        }
