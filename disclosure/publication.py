"""事后公开: publication of 行政处罚决定书 — the draft opened when a decision is issued, review with redactions,
publication, withdrawal, expiry and early end, and the search index.

The rules (docs/domain.md §1):
- only 普通程序 penalties, not warning-only ones; never against minors, never where the core facts are a state
  secret, a trade secret or privacy (总局令第45号 第六条、第九条). "Core facts secret" is read from the
  decision's own classification (密级 国家秘密 / 商业秘密 / 个人隐私): the officer who issues the decision
  marks it, and that marking already restricts who sees the document inside the bureau;
- publishable once the decision was served (the party was told at service that it will be published,
  45号令 第八条);
- within RuleSettings.publication_working_days working days of the decision (国办发〔2018〕118号: 7);
- the published text is the issued one except for logged redactions (45号令 第七条);
- withdrawal within RuleSettings.withdrawal_working_days when the decision is changed, revoked, confirmed
  illegal or void, with the reason shown (行政处罚法 第四十八条; 45号令 第十一条);
- publication period: RuleSettings.publication_short_months for 通报批评 or a fine below the threshold,
  RuleSettings.publication_long_years otherwise (45号令 第十三条); early end on request (第十四条).
"""

import calendar as pycalendar
import datetime
import hashlib
import html
import re
import uuid
from decimal import Decimal
from html.parser import HTMLParser

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from recording.doctypes.decision import PenaltyDecision
from recording.models import Classification, Document, DocumentStatus
from wuding_enforcement.audit.api import record
from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.deadlines import WORKING_DAYS, make_deadline
from wuding_enforcement.cases.models import PartyKind, RuleSettings
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused
from wuding_enforcement.shared.penalties import PENALTY_LABELS

from . import redaction
from .models import (
    EndKind,
    Publication,
    PublicationStatus,
    Redaction,
    RedactionSource,
    WithdrawalKind,
)

DECISION_TYPE = "penalty_decision"
SERVICE_TYPE = "service_receipt"
SECRET_CLASSIFICATIONS = (Classification.STATE_SECRET, Classification.COMMERCIAL, Classification.PRIVACY)
# Penalty types that a short publication period can apply to (45号令 第十三条: 通报批评 or a lower fine).
SHORT_PERIOD_TYPES = {"warning", "criticism", "fine"}
# 45号令 第十四条: no early end for these.
NO_EARLY_END_TYPES = {"suspend_business", "revoke_licence"}
EARLY_END_CONDITIONS = [
    ("performed", "当事人已履行行政处罚决定（罚款已缴清）"),
    ("remedied", "当事人已主动消除危害后果和不良影响"),
    ("no_repeat", "当事人未因同一类违法行为再次受到市场监督管理部门行政处罚"),
    ("not_untrustworthy", "当事人未被列入严重违法失信名单"),
]
# Public data of the bureau's own that stays in the text: its units' telephones.
_WHITESPACE = re.compile(r"\s+")


# Public pages are cached whole, each entry stored with the version it was built under; one cache round trip
# (get_many) reads the current version and the page together, so a hit costs a single Redis call.
VERSION_KEY = "disclosure:publications:version"
PAGE_KEY = "disclosure:publications:page:{date}:{digest}"
PAGE_SECONDS = 10 * 60


def _bump() -> None:
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def renew_public_pages() -> None:
    """Give the publication pages a new cache version now and again when the transaction commits (a page
    rebuilt in between from not-yet-committed data would otherwise stay cached under the new version)."""
    _bump()
    transaction.on_commit(_bump)


def cached_page(variant: str, build) -> str:
    """The body of a public page (`variant`: the view and its query string), built by `build()` when the
    cached entry is missing or was built under an older version. Keys carry today's date: an item whose
    publication period ends today leaves every cached page at midnight."""
    digest = hashlib.sha256(variant.encode()).hexdigest()[:24]
    key = PAGE_KEY.format(date=timezone.localdate().isoformat(), digest=digest)
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        version = uuid.uuid4().hex
        if not cache.add(VERSION_KEY, version, timeout=None):  # another process set it first: use theirs
            version = cache.get(VERSION_KEY) or version
    entry = found.get(key)
    if entry is not None and entry[0] == version:
        return entry[1]
    body = build()
    cache.set(key, (version, body), PAGE_SECONDS)
    return body


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
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return html.unescape(parser.text())


def issued_text(document) -> str:
    """The decision's text as issued: its own document template (the one its PDF was rendered from) with
    the frozen data, as plain text."""
    from django.template.loader import render_to_string

    from recording.rendering import document_context

    return html_to_text(render_to_string(document.doctype.template, document_context(document)))


# --- Who and what is published -----------------------------------------------------------------------------


def not_publishable_reason(document) -> str:
    """Why this issued decision is not published at all, or "" when a draft is due."""
    data = document.data or {}
    party = document.party
    if document.doc_type != DECISION_TYPE:
        return "不是行政处罚决定书。"
    if document.case.procedure != Procedure.ORDINARY:
        return "简易程序作出的行政处罚不公示。"
    if PenaltyDecision.is_warning_only(data):
        return "仅给予警告的行政处罚不公示。"
    if party is not None and party.is_minor:
        return "当事人为未成年人，依法不公示。"
    if document.classification in SECRET_CLASSIFICATIONS:
        return f"决定书密级为“{document.get_classification_display()}”，案件主要事实涉及国家秘密、商业秘密或个人隐私，依法不公示。"
    if data.get("will_publish") is False:
        return "决定书载明不予公示。"
    return ""


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


def publication_period_end(published_on: datetime.date, data: dict, rules: RuleSettings) -> datetime.date:
    """The first day the item is no longer shown (总局令第45号 第十三条): publication ends after
    publication_short_months for 通报批评 or a fine below the threshold (nothing heavier), otherwise after
    publication_long_years."""
    types = set(data.get("penalty_types") or [])
    fine = Decimal(str(data.get("fine_amount") or "0"))
    short = types <= SHORT_PERIOD_TYPES and (
        "fine" not in types or fine < rules.publication_low_fine_threshold
    )
    if short:
        return add_months(published_on, rules.publication_short_months)
    return add_months(published_on, 12 * rules.publication_long_years)


def add_months(day: datetime.date, months: int) -> datetime.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return datetime.date(year, month, min(day.day, pycalendar.monthrange(year, month)[1]))


def _decided_on(document) -> datetime.date:
    value = (document.data or {}).get("decided_on")
    if value:
        return datetime.date.fromisoformat(value)
    return timezone.localdate(document.issued_at)


def publication_due(decided_on: datetime.date, rules: RuleSettings | None = None) -> datetime.date:
    """国办发〔2018〕118号: published within publication_working_days working days of the decision (行政处罚法
    第八十五条: working days, the start day not counted)."""
    rules = rules or RuleSettings.current()
    return calendar.add_working_days(decided_on, rules.publication_working_days)


# --- What the case knows about people -----------------------------------------------------------------------

# Keys of document data that hold names of natural persons (witnesses, interviewees, people present,
# recipients, agents): read from every document of the case, whatever its type.
PERSON_NAME_KEYS = (
    "interviewee",
    "interviewee_name",
    "present_person",
    "witness",
    "witnesses",
    "refusal_witness",
    "recipient",
    "signer",
    "agent",
    "agent_name",
    "entrusted_agent",
    "contact_person",
    "complainant",
    "informant",
    "relative",
    "persons_present",
)
PERSON_ADDRESS_KEYS = ("interviewee_address", "home_address", "witness_address", "agent_address")


def known_people(case, party) -> tuple[set[str], set[str], set[str], set[str]]:
    """(names of natural persons other than the party, their home addresses, public addresses, public
    phones) as the case knows them: other parties, the people named in the case's documents (询问笔录
    interviewees, 现场笔录 people present, refusal witnesses, recipients), minus the party's own published
    people (an organisation's 法定代表人, a business's 经营者) and the bureau's staff (public roster)."""
    from wuding_enforcement.roster.models import Staff, Unit

    names: set[str] = set()
    homes: set[str] = set()
    public_addresses: set[str] = set()
    for other in case.parties.all():
        if other.pk == getattr(party, "pk", None):
            continue
        if other.kind == PartyKind.PERSON:
            names.add(other.name)
            if other.address:
                homes.add(other.address)
        names.update(n for n in (other.legal_representative, other.operator) if n)
    for doc in Document.objects.filter(case=case).only("data", "refusal_witness"):
        data = doc.data or {}
        for key in PERSON_NAME_KEYS:
            value = data.get(key)
            for item in value if isinstance(value, list) else [value]:
                names.update(redaction.names_in(item) if isinstance(item, str) else ())
        for key in PERSON_ADDRESS_KEYS:
            if isinstance(data.get(key), str) and data[key]:
                homes.add(data[key])
        names.update(redaction.names_in(doc.refusal_witness))
    if party is not None:
        if party.kind == PartyKind.PERSON:
            if party.address:
                homes.add(party.address)
        elif party.address:
            public_addresses.add(party.address)
        names.discard(party.name)
        names.discard(party.legal_representative)
        names.discard(party.operator)
    staff = set(Staff.objects.filter(real_name__in=names).values_list("real_name", flat=True))
    names -= staff
    phones = set(Unit.objects.exclude(phone="").values_list("phone", flat=True))
    for unit in Unit.objects.exclude(address=""):
        public_addresses.add(unit.address)
    names.discard("")
    return names, homes, public_addresses, phones


def published_party_name(party, rules: RuleSettings) -> str:
    if party is None:
        return ""
    if party.kind == PartyKind.PERSON and rules.mask_person_party_name:
        return redaction.mask_name(party.name)
    return party.name


def search_grams(*, party_name: str, violation_type: str, document_number: str) -> str:
    """Tagged 2-character shingles of the searchable fields, e.g. 'p某某 p商贸 v过期 …'."""
    grams: set[str] = set()
    for tag, value in (("p", party_name), ("v", violation_type), ("n", document_number)):
        norm = _WHITESPACE.sub("", value or "").lower()
        for i in range(len(norm) - 1):
            grams.add(f"{tag}{norm[i : i + 2]}")
    return " ".join(sorted(grams))


def term_grams(tag: str, term: str) -> list[str]:
    norm = _WHITESPACE.sub("", term or "").lower()
    return sorted({f"{tag}{norm[i : i + 2]}" for i in range(len(norm) - 1)})


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


def service_receipts(document):
    """Issued 送达回证 of this decision (the receipt's data names the served document)."""
    return Document.objects.filter(
        case_id=document.case_id, doc_type=SERVICE_TYPE, status=DocumentStatus.ISSUED
    ).filter(Q(data__served_document=document.pk) | Q(data__document=document.pk))


def service_date(document) -> datetime.date | None:
    dates = []
    for receipt in service_receipts(document).only("data", "issued_at"):
        served_at = (receipt.data or {}).get("served_at")
        try:
            moment = datetime.datetime.fromisoformat(served_at) if served_at else receipt.issued_at
        except ValueError:
            moment = receipt.issued_at
        dates.append(timezone.localdate(moment) if timezone.is_aware(moment) else moment.date())
    return min(dates) if dates else None


def note_service_on_issue(receipt, user) -> None:
    """recording's after-issue hook for 送达回证: the draft of the served decision learns its service date."""
    served = (receipt.data or {}).get("served_document") or (receipt.data or {}).get("document")
    if not served:
        return
    publication = Publication.objects.filter(document_id=served, served_on__isnull=True).first()
    if publication is not None:
        publication.served_on = service_date(publication.document)
        publication.save(update_fields=["served_on"])


# --- Review actions (all audited, all in one transaction each) ----------------------------------------------


def _locked(publication) -> Publication:
    return (
        Publication.objects.select_for_update(of=("self",))
        .select_related("document", "case")
        .get(pk=publication.pk)
    )


def active_spans(publication) -> list[redaction.Span]:
    return [
        redaction.Span(r.start, r.end, r.kind, r.replacement)
        for r in publication.redactions.all()
        if r.removed_at is None
    ]


def redacted_text(publication) -> str:
    return redaction.apply(publication.original_text, active_spans(publication))


def review_flags(publication) -> list[redaction.Flag]:
    """The reviewer's flags, recomputed from the issued text (pure, no stored state to go stale)."""
    return redaction.suggest(publication.original_text).flags


def _require_draft(publication):
    if publication.status != PublicationStatus.DRAFT:
        raise TransitionRefused("该公示已发布或已结束，隐去内容不能再修改。")


def add_redaction(publication, *, by, start: int, end: int, kind: str) -> Redaction:
    """The reviewer hides one more span of the issued text; it must not overlap an active redaction."""
    with transaction.atomic():
        pub = _locked(publication)
        _require_draft(pub)
        text = pub.original_text
        if not (0 <= start < end <= len(text)):
            raise TransitionRefused("所选位置超出决定书原文范围。")
        if kind not in redaction.KIND_LABELS:
            raise TransitionRefused("请选择隐去的信息类别。")
        for other in pub.redactions.filter(removed_at__isnull=True):
            if other.start < end and start < other.end:
                raise TransitionRefused("所选文字与已隐去的内容重叠。")
        original = text[start:end]
        if kind in (redaction.NAME, redaction.PARTY_NAME):
            replacement = redaction.mask_name(original)
        else:
            replacement = redaction.REPLACEMENTS.get(kind, redaction.REPLACEMENTS[redaction.OTHER])
        item = Redaction.objects.create(
            publication=pub,
            start=start,
            end=end,
            kind=kind,
            original=original,
            replacement=replacement,
            source=RedactionSource.REVIEWER,
            created_by=by,
        )
        record(
            "disclosure.publication.redaction_added",
            obj=pub,
            actor=by,
            detail={"redaction": item.pk, "start": start, "end": end, "kind": kind},
        )
    return item


def add_redactions_of_text(publication, *, by, needle: str, kind: str) -> int:
    """Hide every occurrence of `needle` not already hidden (the reviewer types a name seen in the text)."""
    needle = needle.strip()
    if not needle:
        raise TransitionRefused("请填写要隐去的文字。")
    added = 0
    with transaction.atomic():
        pub = _locked(publication)
        _require_draft(pub)
        taken = [(r.start, r.end) for r in pub.redactions.filter(removed_at__isnull=True)]
        start = pub.original_text.find(needle)
        while start != -1:
            end = start + len(needle)
            if not any(s < end and start < e for s, e in taken):
                add_redaction(pub, by=by, start=start, end=end, kind=kind)
                taken.append((start, end))
                added += 1
            start = pub.original_text.find(needle, end)
    if not added:
        raise TransitionRefused("原文中没有找到该文字，或该文字已全部隐去。")
    return added


def remove_redaction(publication, *, by, redaction_id: int, reason: str) -> None:
    """The reviewer un-hides a span (e.g. a shop address that is part of the facts). Kept, marked removed."""
    with transaction.atomic():
        pub = _locked(publication)
        _require_draft(pub)
        item = pub.redactions.filter(pk=redaction_id, removed_at__isnull=True).first()
        if item is None:
            raise TransitionRefused("该隐去记录不存在或已取消。")
        item.removed_at = timezone.now()
        item.removed_by = by
        item.removal_reason = reason.strip()[:200]
        item.save(update_fields=["removed_at", "removed_by", "removal_reason"])
        record(
            "disclosure.publication.redaction_removed",
            obj=pub,
            actor=by,
            detail={"redaction": item.pk, "kind": item.kind, "reason": item.removal_reason},
        )


def publish_problems(publication) -> list[str]:
    problems = []
    if publication.status != PublicationStatus.DRAFT:
        problems.append("该公示不是待审核状态。")
    if not publication.served_on and service_date(publication.document) is None:
        problems.append(
            "处罚决定书尚未送达：送达当事人（并告知将依法公示）后方可公示（总局令第45号 第八条）。"
        )
    if correction_date(publication) is not None:
        problems.append("该决定书已被更正，请公示更正后的决定书。")
    return problems


def publish(publication, *, by, today: datetime.date | None = None) -> Publication:
    """Publish the reviewed draft: the redacted text is fixed, the period starts today."""
    today = today or timezone.localdate()
    with transaction.atomic():
        pub = _locked(publication)
        problems = publish_problems(pub)
        if problems:
            raise TransitionRefused(problems)
        rules = RuleSettings.current()
        pub.served_on = pub.served_on or service_date(pub.document)
        pub.published_text = redacted_text(pub)
        pub.published_at = timezone.now()
        pub.published_on = today
        pub.published_by = by
        pub.ends_on = publication_period_end(today, pub.document.data or {}, rules)
        pub.status = PublicationStatus.PUBLISHED
        pub.search_grams = search_grams(
            party_name=pub.party_name, violation_type=pub.violation_type, document_number=pub.document_number
        )
        pub._change_reason = "disclosure.publication.published"
        pub._history_user = by
        pub.save()
        record(
            "disclosure.publication.published",
            obj=pub,
            actor=by,
            detail={
                "number": pub.document_number,
                "late": today > pub.due_on,
                "ends_on": pub.ends_on.isoformat(),
                "redactions": pub.redactions.filter(removed_at__isnull=True).count(),
            },
        )
        renew_public_pages()
    return pub


def withdraw(
    publication, *, by, kind: str, reason: str, event_on: datetime.date | None = None
) -> Publication:
    """Withdraw a published decision (行政处罚法 第四十八条 第二款; 总局令第45号 第十一条): the entry stays in
    the list marked 已撤回 with the reason; its content is no longer shown."""
    reason = (reason or "").strip()
    if kind not in WithdrawalKind.values:
        raise TransitionRefused("请选择撤回的原因类别。")
    if not reason:
        raise TransitionRefused("请写明撤回理由，理由将向社会公开。")
    if event_on and event_on > timezone.localdate():
        raise TransitionRefused("决定被变更、撤销或确认违法、无效的日期不能晚于今天。")
    with transaction.atomic():
        pub = _locked(publication)
        if pub.status != PublicationStatus.PUBLISHED:
            raise TransitionRefused("只有公示中的信息可以撤回。")
        pub.status = PublicationStatus.WITHDRAWN
        pub.withdrawn_at = timezone.now()
        pub.withdrawn_by = by
        pub.withdrawal_kind = kind
        pub.withdrawal_reason = reason
        pub.withdrawal_event_on = event_on or correction_date(pub)
        pub._change_reason = "disclosure.publication.withdrawn"
        pub._history_user = by
        pub.save()
        due = withdrawal_due(pub)
        record(
            "disclosure.publication.withdrawn",
            obj=pub,
            actor=by,
            detail={
                "kind": kind,
                "reason": reason,
                "event_on": pub.withdrawal_event_on.isoformat() if pub.withdrawal_event_on else "",
                "late": bool(due and timezone.localdate() > due),
            },
        )
        renew_public_pages()
    return pub


def correction_date(publication) -> datetime.date | None:
    """When the published decision was changed by an issued correction (recording's supersede)."""
    corrected = getattr(publication.document, "superseded_by", None)
    if corrected is not None and corrected.issued_at:
        return timezone.localdate(corrected.issued_at)
    return None


def withdrawal_due(publication) -> datetime.date | None:
    event = publication.withdrawal_event_on or correction_date(publication)
    if event is None:
        return None
    return calendar.add_working_days(event, RuleSettings.current().withdrawal_working_days)


def end_early(
    publication, *, by, confirmations: dict, request_on: datetime.date, note: str = ""
) -> Publication:
    """Early end of publication on the party's request (总局令第45号 第十四条): only when the party performed
    the decision (fine paid), removed the harm, did not repeat the violation and is not on the list of
    seriously untrustworthy entities; never for 责令停产停业 or 吊销许可证件."""
    with transaction.atomic():
        pub = _locked(publication)
        if pub.status != PublicationStatus.PUBLISHED:
            raise TransitionRefused("只有公示中的信息可以提前停止公示。")
        blocked = set(pub.penalty_types) & NO_EARLY_END_TYPES
        if blocked:
            labels = "、".join(PENALTY_LABELS[c] for c in sorted(blocked))
            raise TransitionRefused(f"处罚种类含“{labels}”的，不得提前停止公示（总局令第45号 第十四条）。")
        missing = [label for key, label in EARLY_END_CONDITIONS if not confirmations.get(key)]
        if missing:
            raise TransitionRefused([f"未确认：{label}。" for label in missing])
        if request_on > timezone.localdate():
            raise TransitionRefused("申请日期不能晚于今天。")
        pub.status = PublicationStatus.ENDED
        pub.ended_at = timezone.now()
        pub.ended_by = by
        pub.end_kind = EndKind.EARLY
        pub.end_reason = (note or "").strip() or "当事人申请提前停止公示，经审核符合条件。"
        pub.early_end_confirmations = {
            **{key: True for key, _ in EARLY_END_CONDITIONS},
            "request_on": request_on.isoformat(),
        }
        pub._change_reason = "disclosure.publication.ended_early"
        pub._history_user = by
        pub.save()
        record(
            "disclosure.publication.ended_early",
            obj=pub,
            actor=by,
            detail={"confirmations": pub.early_end_confirmations, "note": pub.end_reason},
        )
        renew_public_pages()
    return pub


def record_expiries(today: datetime.date | None = None) -> int:
    """Mark published items whose period is over as ended (the public queries already hide them by date;
    this records the end in the data and the audit log)."""
    today = today or timezone.localdate()
    count = 0
    for pub in Publication.objects.expired_unrecorded(today).only("pk"):
        with transaction.atomic():
            locked = Publication.objects.select_for_update().get(pk=pub.pk)
            if locked.status != PublicationStatus.PUBLISHED or locked.ends_on > today:
                continue
            locked.status = PublicationStatus.ENDED
            locked.ended_at = timezone.now()
            locked.end_kind = EndKind.EXPIRED
            locked.end_reason = "公示期满（总局令第45号 第十三条）。"
            locked._change_reason = "disclosure.publication.expired"
            locked.save()
            record(
                "disclosure.publication.expired",
                obj=locked,
                detail={"ends_on": locked.ends_on.isoformat()},
            )
            count += 1
    if count:
        renew_public_pages()
    return count


def close_without_publishing(publication, *, by, reason: str) -> Publication:
    """A draft that must not be published after all (e.g. the decision was corrected before publication,
    or the reviewer found the case's core facts secret): closed with the reason, kept."""
    reason = (reason or "").strip()
    if not reason:
        raise TransitionRefused("请写明不予公示的理由。")
    with transaction.atomic():
        pub = _locked(publication)
        _require_draft(pub)
        pub.status = PublicationStatus.NOT_PUBLISHED
        pub.not_published_reason = reason
        pub._change_reason = "disclosure.publication.not_published"
        pub._history_user = by
        pub.save()
        record("disclosure.publication.not_published", obj=pub, actor=by, detail={"reason": reason})
    return pub


# --- Search -------------------------------------------------------------------------------------------------


def _grams_filter(qs, grams: list[str]):
    """PostgreSQL: the tagged bigrams must all be in the row's GIN-indexed array (fast for 2-character
    terms, which pg_trgm cannot index). Other databases scan."""
    if connection.vendor != "postgresql" or not grams:
        return qs
    table = Publication._meta.db_table
    return qs.filter(
        RawSQL(  # noqa: S611 - the table name is ours; the grams are a bound parameter
            f"string_to_array({table}.search_grams, ' ') @> %s::text[]",
            (grams,),
            output_field=BooleanField(),
        )
    )


def search(qs, *, party="", number="", violation="", unit=None, date_from=None, date_to=None):
    for tag, field, term in (
        ("p", "party_name", party),
        ("v", "violation_type", violation),
        ("n", "document_number", number),
    ):
        term = (term or "").strip()
        if not term:
            continue
        grams = term_grams(tag, term)
        qs = _grams_filter(qs, grams)
        if connection.vendor != "postgresql" or len(grams) != 1 or len(term) != 2:
            # One 2-character gram is the term itself: the index answers exactly. Longer terms need the
            # order of their grams checked (and other databases scan).
            qs = qs.filter(**{f"{field}__icontains": term})
    if unit is not None:
        qs = qs.filter(unit=unit)
    if date_from:
        qs = qs.filter(decided_on__gte=date_from)
    if date_to:
        qs = qs.filter(decided_on__lte=date_to)
    return qs


# --- Deadlines on the case page -----------------------------------------------------------------------------

PUBLICATION_BASIS = (
    "国办发〔2018〕118号：行政处罚决定自作出之日起7个工作日内公开（期限见办案规则参数）；"
    "《市场监督管理行政处罚信息公示规定》第八条：送达决定书时书面告知当事人将公示"
)
WITHDRAWAL_BASIS = (
    "《行政处罚法》第四十八条第二款、《市场监督管理行政处罚信息公示规定》第十一条：决定被依法变更、撤销、"
    "确认违法或者确认无效的，在3个工作日内撤回公示信息并说明理由"
)
_DECIDED_STAGES = {Stage.DECIDED, Stage.SERVED, Stage.EXECUTING, Stage.CLOSED, Stage.ARCHIVED}


def publication_deadlines(case, today: datetime.date):
    """The case page's publication and withdrawal clocks. Cases before their decision have none and cost no
    query (list pages compute every case's deadlines)."""
    if case.procedure != Procedure.ORDINARY or (not case.decided_on and case.stage not in _DECIDED_STAGES):
        return []
    deadlines = []
    rules = calendar.scoped("rule_settings", RuleSettings.current)
    # Reads the prefetched relation (registered below in apps.py), so list pages cost no query per case.
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
        event = pub.withdrawal_event_on or correction_date(pub)
        if event and pub.status in (PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN):
            deadlines.append(
                make_deadline(
                    key=f"withdrawal-{pub.pk}",
                    name=f"撤回公示（{pub.document_number}）",
                    basis=WITHDRAWAL_BASIS,
                    start=event,
                    due=calendar.add_working_days(event, rules.withdrawal_working_days),
                    unit=WORKING_DAYS,
                    limit=rules.withdrawal_working_days,
                    today=today,
                    met_on=timezone.localdate(pub.withdrawn_at) if pub.withdrawn_at else None,
                )
            )
    return deadlines


def deadline_status(publication, today: datetime.date | None = None):
    """The staff list's flag for a draft: its publication deadline with status (amber/red)."""
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


# --- Error reports -----------------------------------------------------------------------------------------


def ip_hash(ip: str | None) -> str:
    if not ip:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest()
