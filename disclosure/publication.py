"""事后公开, the draft (docs/domain.md §1): which issued 行政处罚决定书 are published at all, and the publication
draft opened when one is issued — its summary, the issued text and the automatic redactions. The review that
follows (redactions, publish, withdraw, early end) is on the model (disclosure/models/publication.py), the clocks
in disclosure/periods.py and disclosure/deadlines.py.

The rules:
- only 普通程序 penalties, not warning-only ones; never against minors, never where the core facts are a state
  secret, a trade secret or privacy (总局令第45号 第六条、第九条). "Core facts secret" is read from the
  decision's own classification (密级 国家秘密 / 商业秘密 / 个人隐私): the officer who issues the decision
  marks it, and that marking already restricts who sees the document inside the bureau;
- publishable once the decision was served (the party was told at service that it will be published,
  45号令 第八条);
- within RuleSettings.publication_working_days working days of the decision (国办发〔2018〕118号: 7);
- the published text is the issued one except for logged redactions (45号令 第七条).
"""

import datetime
import logging
import re
from decimal import Decimal
from html.parser import HTMLParser

from django.conf import settings
from django.utils import timezone

from recording.models import Document, DocumentStatus
from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.shared.penalties import PENALTY_LABELS

from . import redaction, rules
from .decisions import service_date
from .models import Publication, Redaction, RedactionSource
from .periods import publication_due

logger = logging.getLogger("wuding.disclosure")

DECISION_TYPE = "penalty_decision"
_WHITESPACE = re.compile(r"\s+")


# --- The issued text ---------------------------------------------------------------------------------------


class _TextExtractor(HTMLParser):
    """HTML of the issued document → its text, one line per block, images and styles dropped."""

    BLOCKS = {"p", "h1", "h2", "h3", "li", "tr", "div", "br", "table", "ol", "ul"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "head", "title"):
            self._skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("　")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "head", "title"):
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)

    def text(self) -> str:
        lines = [_WHITESPACE.sub(" ", line).strip(" 　") for line in "".join(self.parts).split("\n")]
        return "\n".join(line for line in lines if line)


def html_to_text(markup: str) -> str:
    """The parser already decodes character references (convert_charrefs): decoding again would turn the
    issued "&amp;region=" into "®ion=" — a change no redaction log explains (总局令第45号 第七条)."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return parser.text()


def issued_text(document) -> str:
    """The decision's text as issued: its own document template (the one its PDF was rendered from) with
    the frozen data, as plain text."""
    from django.template.loader import render_to_string

    from recording.rendering import document_context

    return html_to_text(render_to_string(document.doctype.template, document_context(document)))


# --- Who and what is published -----------------------------------------------------------------------------


def not_publishable_reason(document) -> str:
    """Why this issued decision is not published at all, or "" when a draft is due (disclosure/rules.py)."""
    return rules.verdict(document).reason


def penalty_content(data: dict) -> str:
    """处罚内容 for the summary: the penalty types with their amounts, money in yuan with two decimals."""
    parts = []
    for code in data.get("penalty_types") or []:
        label = PENALTY_LABELS.get(code, code)
        if code == "fine" and data.get("fine_amount"):
            label = f"罚款{Decimal(str(data['fine_amount'])):.2f}元"
        elif code == "confiscate_gains" and data.get("confiscated_gains"):
            label = f"没收违法所得{Decimal(str(data['confiscated_gains'])):.2f}元"
        elif code == "confiscate_property" and data.get("confiscated_property"):
            label = f"没收非法财物（{data['confiscated_property']}）"
        elif code in ("suspend_licence", "revoke_licence") and data.get("licence_action"):
            label = f"{label}（{data['licence_action']}）"
        elif code == "other" and data.get("other_penalty"):
            label = data["other_penalty"]
        parts.append(label)
    return "；".join(parts)


def _decided_on(document) -> datetime.date:
    value = (document.data or {}).get("decided_on")
    if value:
        return datetime.date.fromisoformat(value)
    return timezone.localdate(document.issued_at)


# --- What the case knows about people -----------------------------------------------------------------------

# Keys of document data that hold names of natural persons (witnesses, interviewees, people present,
# recipients, agents, informants, hearing participants), with the role each records: read from every document
# of the case, whatever its type. Free-text keys (hearing participants) are also read by pattern.
PERSON_NAME_KEYS = {
    "interviewee": "被询问人",
    "interviewee_name": "被询问人",
    "present_person": "现场负责人/在场人",
    "witness": "见证人",
    "witnesses": "证人",
    "refusal_witness": "见证人",
    "recipient": "签收人",
    "signer": "签名人",
    "agent": "委托代理人",
    "agent_name": "委托代理人",
    "entrusted_agent": "委托代理人",
    "contact_person": "联系人",
    "complainant": "投诉人",
    "informant": "举报人",
    "informant_name": "投诉举报人",
    "relative": "亲属",
    "persons_present": "在场人",
    "participants": "听证参加人",
}
PERSON_ADDRESS_KEYS = ("interviewee_address", "home_address", "witness_address", "agent_address")
_FREE_TEXT_PERSON_KEYS = ("participants", "present_person", "recipient", "witness")


def known_people(case, party) -> tuple[dict[str, str], set[str], set[str], set[str]]:
    """({name of a natural person other than the party: where the case records it}, their home addresses,
    public addresses, public phones) as the case knows them: other parties, the people named in any document of
    the case (案源登记表 informants, 询问笔录 interviewees, 现场笔录 people present, 听证笔录 participants,
    refusal witnesses, recipients, agents), minus the party's own published people (an organisation's
    法定代表人, a business's 经营者) and the bureau's staff (public roster)."""
    from wuding_enforcement.roster.models import Staff, Unit

    names: dict[str, str] = {}
    homes: set[str] = set()
    public_addresses: set[str] = set()
    for other in case.parties.all():
        if other.pk == getattr(party, "pk", None):
            continue
        if other.kind == PartyKind.PERSON:
            names.setdefault(other.name, "本案其他当事人")
            if other.address:
                homes.add(other.address)
        for n in (other.legal_representative, other.operator):
            if n:
                names.setdefault(n, "本案其他当事人的法定代表人/经营者")
    for doc in Document.objects.filter(case=case).only("doc_type", "data", "refusal_witness"):
        data = doc.data or {}
        title = doc.type_title
        for key, role in PERSON_NAME_KEYS.items():
            value = data.get(key)
            for item in value if isinstance(value, list) else [value]:
                if not isinstance(item, str):
                    continue
                for n in redaction.names_in(item):
                    names.setdefault(n, f"{title}（{role}）")
                if key in _FREE_TEXT_PERSON_KEYS:
                    for n, found_role in redaction.names_by_role(item).items():
                        names.setdefault(n, f"{title}（{found_role}）")
        for key in PERSON_ADDRESS_KEYS:
            if isinstance(data.get(key), str) and data[key]:
                homes.add(data[key])
        for n in redaction.names_in(doc.refusal_witness):
            names.setdefault(n, f"{title}（拒签见证人）")
    if party is not None:
        if party.kind == PartyKind.PERSON:
            if party.address:
                homes.add(party.address)
        elif party.address:
            public_addresses.add(party.address)
        for own in (party.name, party.legal_representative, party.operator):
            names.pop(own, None)
    staff = set(Staff.objects.filter(real_name__in=list(names)).values_list("real_name", flat=True))
    for n in staff:
        names.pop(n, None)
    phones = set(Unit.objects.exclude(phone="").values_list("phone", flat=True))
    for unit in Unit.objects.exclude(address=""):
        public_addresses.add(unit.address)
    names.pop("", None)
    return names, homes, public_addresses, phones


def published_party_name(party, rules: RuleSettings) -> str:
    if party is None:
        return ""
    if party.kind == PartyKind.PERSON and rules.mask_person_party_name:
        return redaction.mask_name(party.name)
    return party.name


# --- The draft, opened when the decision is issued ---------------------------------------------------------


def open_draft_on_issue(document, user) -> None:
    """recording's after-issue hook for 行政处罚决定书 (runs inside the issuing transaction)."""
    open_draft(document, by=user)


def open_draft(document, *, by) -> Publication | None:
    """A publication draft for an issued 行政处罚决定书 with its summary, the issued text and the automatic
    redactions; None (and an audit entry saying why) where the decision is not published."""
    if document.status != DocumentStatus.ISSUED or document.doc_type != DECISION_TYPE:
        return None
    existing = Publication.objects.filter(document=document).first()
    if existing is not None:
        return existing
    reason = not_publishable_reason(document)
    if reason:
        logger.info("decision %s (%s) opens no publication draft: %s", document.pk, document.number, reason)
        record(
            "disclosure.publication.not_applicable",
            obj=document.case,
            actor=by,
            detail={"document": document.pk, "number": document.number or "", "reason": reason},
        )
        return None
    rules = RuleSettings.current()
    party = document.party
    data = document.data or {}
    case = document.case
    text = issued_text(document)
    names, homes, public_addresses, phones = known_people(case, party)
    mask_party = bool(party and party.kind == PartyKind.PERSON and rules.mask_person_party_name)
    suggestion = redaction.suggest(
        text,
        person_names=names,
        party_name=party.name if party else "",
        mask_party=mask_party,
        home_addresses=homes,
        public_addresses=public_addresses,
        public_phones=phones,
    )
    decided_on = _decided_on(document)
    shown_name = published_party_name(party, rules)
    representative = ""
    if party is not None and party.kind != PartyKind.PERSON:
        representative = party.legal_representative or party.operator
    publication = Publication.objects.create(
        document=document,
        case=case,
        document_number=document.number or "",
        party_name=shown_name,
        party_kind=party.kind if party else "",
        credit_code=party.credit_code if party and party.kind != PartyKind.PERSON else "",
        legal_representative=representative,
        violation_type=data.get("violation_type", ""),
        penalty_content=penalty_content(data),
        penalty_types=list(data.get("penalty_types") or []),
        fine_amount=Decimal(str(data["fine_amount"])) if data.get("fine_amount") else None,
        authority=settings.BUREAU_NAME,
        unit=case.handling_unit,
        unit_name=case.handling_unit.name,
        decided_on=decided_on,
        original_text=text,
        due_on=publication_due(decided_on, rules),
        served_on=service_date(document),
        created_by=by,
    )
    Redaction.objects.bulk_create(
        Redaction(
            publication=publication,
            start=span.start,
            end=span.end,
            kind=span.kind,
            original=span.text(text),
            replacement=span.replacement,
            source=RedactionSource.AUTO,
            origin=span.origin[:120],
        )
        for span in suggestion.spans
    )
    record(
        "disclosure.publication.draft_opened",
        obj=publication,
        actor=by,
        detail={
            "document": document.pk,
            "number": publication.document_number,
            "redactions": len(suggestion.spans),
            "flags": len(suggestion.flags),
            "due_on": publication.due_on.isoformat(),
        },
    )
    return publication


# --- Service -------------------------------------------------------------------------------------------------


def note_service_on_issue(receipt, user) -> None:
    """recording's after-issue hook for 送达回证: the draft of the served decision learns its service date."""
    served = (receipt.data or {}).get("served_document") or (receipt.data or {}).get("document")
    if not served:
        return
    publication = Publication.objects.filter(document_id=served, served_on__isnull=True).first()
    if publication is not None:
        publication.served_on = service_date(publication.document)
        publication.save(update_fields=["served_on"])
