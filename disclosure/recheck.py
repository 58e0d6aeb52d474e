"""Re-checking decisions already published under the rules of today (disclosure/rules.py for whether, the
case-aware redaction of disclosure/publication.py for what): run once after the rules changed
(`manage.py recheck_publications`), safe to run again.

- a publication the rules no longer allow (a party under 18 by the ID number, an approved exemption, a secret
  classification) is withdrawn with the reason published (kind 依法不应公示);
- a publication whose text shows a name, number or address the redaction now finds is corrected: the new
  redactions are logged like any other (总局令第45号 第七条) and the published text recomputed; the credit
  export reports the change as a 更正 (its snapshot hash changes).

Each outcome is audited and returned for the report."""

import logging
from dataclasses import dataclass

from django.db import transaction

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import PartyKind, RuleSettings

from . import redaction, rules
from .models import Publication, PublicationStatus, RedactionSource, WithdrawalKind
from .sections import PUBLICATIONS

logger = logging.getLogger("wuding.disclosure")


@dataclass(frozen=True)
class Outcome:
    publication: int
    number: str
    action: str  # "withdrawn" | "corrected"
    detail: str


def new_spans(pub: Publication) -> list[redaction.Span]:
    """Redactions today's rules find in the issued text that no active redaction already covers."""
    from .publication import known_people

    party = pub.document.party
    rules_now = RuleSettings.current()
    names, homes, public_addresses, phones = known_people(pub.case, party)
    mask_party = bool(party and party.kind == PartyKind.PERSON and rules_now.mask_person_party_name)
    suggestion = redaction.suggest(
        pub.original_text,
        person_names=names,
        party_name=party.name if party else "",
        mask_party=mask_party,
        home_addresses=homes,
        public_addresses=public_addresses,
        public_phones=phones,
    )
    taken = [(r.start, r.end) for r in pub.redactions.all() if r.removed_at is None]
    removed = {(r.start, r.end) for r in pub.redactions.all() if r.removed_at is not None}
    # A reviewer who un-hid a span decided it is part of the facts: not proposed again.
    return [
        s
        for s in suggestion.spans
        if (s.start, s.end) not in removed and not any(a < s.end and s.start < b for a, b in taken)
    ]


def recheck(pub: Publication, *, by=None) -> Outcome | None:
    with transaction.atomic():
        locked = (
            Publication.objects.select_for_update(of=("self",))
            .select_related("document", "document__party", "case")
            .get(pk=pub.pk)
        )
        if locked.status != PublicationStatus.PUBLISHED:
            return None
        verdict = rules.verdict(locked.document)
        if not verdict.published:
            locked.withdraw(by=by, kind=WithdrawalKind.EXCLUDED, reason=f"经依法复核：{verdict.reason}")
            record(
                "disclosure.publication.rechecked",
                obj=locked,
                actor=by,
                detail={"action": "withdrawn", "code": verdict.code},
            )
            return Outcome(locked.pk, locked.document_number, "withdrawn", verdict.reason)
        spans = new_spans(locked)
        if not spans:
            return None
        for span in spans:
            locked.redactions.create(
                start=span.start,
                end=span.end,
                kind=span.kind,
                original=span.text(locked.original_text),
                replacement=span.replacement,
                source=RedactionSource.RECHECK,
                origin=span.origin[:120],
                created_by=by,
            )
        locked.published_text = locked.redacted_text()
        locked._change_reason = "disclosure.publication.corrected"
        locked._history_user = by
        locked.save(update_fields=["published_text"])
        kinds = sorted({redaction.KIND_LABELS.get(s.kind, s.kind) for s in spans})
        record(
            "disclosure.publication.rechecked",
            obj=locked,
            actor=by,
            detail={"action": "corrected", "redactions": len(spans), "kinds": kinds},
        )
        PUBLICATIONS.renew()
        return Outcome(
            locked.pk, locked.document_number, "corrected", f"新增隐去{len(spans)}处：{'、'.join(kinds)}"
        )


def recheck_all(*, by=None) -> list[Outcome]:
    outcomes = []
    for pub in Publication.objects.filter(status=PublicationStatus.PUBLISHED).order_by("pk"):
        outcome = recheck(pub, by=by)
        if outcome is not None:
            logger.info(
                "recheck of publication %s: %s (%s)", outcome.publication, outcome.action, outcome.detail
            )
            outcomes.append(outcome)
    return outcomes
