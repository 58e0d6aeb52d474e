"""报送国家企业信用信息公示系统: the credit-system export of published penalty decisions.

Penalty information the bureau publishes also goes to the enterprise credit publicity system (《市场监督管理
行政处罚信息公示规定》, 总局令第45号 第二条、第六条). Staff download, for a period, the decisions published
in it as a structured file (XLSX, CSV with a BOM, JSON) with the fields 第六条 publishes. The rules:

- The period is of the PUBLICATION date (``Publication.published_on``), inclusive at both ends: a decision
  becomes exportable when it becomes public, and is exported once (kind 新增) by the first export whose
  period covers that day, whoever makes it. Periods may overlap; a decision left out of an earlier period
  (e.g. another unit's, exported by its unit head) is still pending and the page counts it.
- Every value is the PUBLIC one: the summary fields as the public page shows them (the party's name masked
  when the setting says so) and, for 违法事实, 处罚依据 and 暂扣或吊销证照, the redacted published text. A
  natural person is identified by the type of ID (证件类型), never its number; an organisation or 个体工商户 by
  its 统一社会信用代码. As a last guard, any ID number left in a free-text value is replaced.
- A decision already exported whose publication is since withdrawn (处罚决定被依法变更/撤销/确认违法/无效,
  行政处罚法 第四十八条 第二款, 45号令 第十一条) gives a 撤回 row with the withdrawal date and reason; one whose
  publication ended early on the party's request (45号令 第十四条) a 停止公示 row; one whose public values
  changed (the hash of the current values differs from the last exported row's) a 更正 row with the new
  values. These go into the next export whatever its period, each change once. Withdrawn or stopped is final.
  An exported decision is watched while it is public on the portal; after its period expired nothing more
  is reported for it.
- Expiry of the portal's publication period (45号令 第十三条) is NOT reported: the credit system keeps its
  own period for the information it holds. Likewise a decision that expired before it was ever exported is
  still exported as 新增; one withdrawn or stopped early before it was exported is not exported at all (there
  is nothing to publish and nothing to take back).
- 抽查检查结果 (国发〔2019〕5号; issue 17): a planned inspection's result published on the portal is exported
  once (新增, category 抽查检查结果) by the first export whose period covers the day it was published — exports
  of the whole bureau only (an inspection has no publication a unit head reviews). Its values are the public
  ones: the redacted text (disclosure/inspection_results.py), the enterprise's name and code.
  An exported result withdrawn since (Inspection.withdraw_publication) gives one 撤回 row with the date, kind
  and reason; one corrected since (Inspection.correct_publication: its public values' hash differs from the
  last exported row's) a 更正 row with the new values — into the next export of the whole bureau, each change
  once, as for decisions. A result withdrawn before it was ever exported is not exported at all.
- A 撤回 row names the day the withdrawal was due (3 working days after the decision was changed, 行政处罚法
  第四十八条) and is marked 逾期撤回 when it was withdrawn after that day (credit_files.rows).
- An export with no row is refused with a message and not recorded: an empty file adds nothing to the
  credit system, and a second click on the button would otherwise leave an empty export in the history.
- Exporting is one transaction, serialised (PostgreSQL: an advisory lock; SQLite: IMMEDIATE transactions),
  and the unique (publication, sequence) constraint refuses a second export of the same change if two ever
  race. The rows (with their snapshots) and the three files are stored with the export, so a past file is
  served again byte for byte (through the one file getter, audit/files.py, its hash checked on every download);
  the files are also generated deterministically from the stored rows (disclosure/credit_files.py).
"""

import datetime
import hashlib
import json
import logging
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import OuterRef, Prefetch, Q, Subquery
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.cases.models import IdType, PartyKind
from wuding_enforcement.roster.models import Role, Unit
from wuding_enforcement.shared.penalties import PENALTY_LABELS
from wuding_enforcement.shared.refusals import Refused

from . import redaction
from .credit_files import FIELD_KEYS, FIELDS, FORMATS, INSPECTION_FIELDS, INSPECTION_KEYS, render
from .models import (
    CreditExport,
    CreditExportFile,
    CreditExportFormat,
    CreditExportLine,
    CreditLineKind,
    EndKind,
    Publication,
    PublicationStatus,
    Redaction,
)

logger = logging.getLogger("wuding.disclosure")

# Free-text values that pass the last guard against an ID number (codes and numbers are left alone).
TEXT_KEYS = (
    "party_name",
    "legal_representative",
    "violation_type",
    "facts",
    "basis",
    "penalty_content",
    "licence_action",
)
TERMINAL = {CreditLineKind.WITHDRAWN, CreditLineKind.STOPPED}
KIND_ORDER = {
    CreditLineKind.NEW: 0,
    CreditLineKind.CORRECTED: 1,
    CreditLineKind.WITHDRAWN: 2,
    CreditLineKind.STOPPED: 3,
}
_ADVISORY_LOCK_KEY = 0x43524544  # "CRED": serialises exports on PostgreSQL


class ExportRefused(Refused):
    """An export the rules refuse (nothing to export, a period out of order, a race lost); logged."""

    def __init__(self, message):
        super().__init__(message)
        logger.info("credit export refused: %s", message)


# --- The public values of one publication ------------------------------------------------------------------

_FACTS_HEADING = "一、违法事实"
_EVIDENCE_HEADING = "二、证据"
_BASIS_LINE = re.compile(r"^依据(?P<basis>.+)的规定，本局决定对当事人作出如下行政处罚：$", re.M)
_ID_LINE = re.compile(r"^(?P<type>[^：\n]{2,20}?)号码：", re.M)
_LICENCE_LINE = re.compile(r"^(?:暂扣许可证件|吊销许可证件)：.*$", re.M)
LICENCE_TYPES = {"suspend_licence", "revoke_licence"}


def _yuan(value) -> str:
    if value in (None, ""):
        return ""
    return f"{Decimal(str(value)).quantize(Decimal('0.01')):.2f}"


def _like_public(value: str, redactions) -> str:
    """A value of the decision's data with every active redaction's hidden text replaced as in the
    published text (longest first). Used only where the published text cannot be read by its headings."""
    for item in sorted(redactions, key=lambda r: len(r.original), reverse=True):
        if item.original:
            value = value.replace(item.original, item.replacement)
    return value


def _facts(text: str) -> str | None:
    lines = text.split("\n")
    if _FACTS_HEADING not in lines or _EVIDENCE_HEADING not in lines:
        return None
    start, end = lines.index(_FACTS_HEADING), lines.index(_EVIDENCE_HEADING)
    return "\n".join(lines[start + 1 : end]) if start < end else None


def _id_type(pub: Publication, text: str) -> str:
    """The natural person's 证件类型 as the published decision names it (居民身份证), else from the party."""
    head = text.split(_FACTS_HEADING)[0]
    found = _ID_LINE.search(head)
    if found:
        return found.group("type")
    party = pub.document.party
    if party is not None and party.id_type:
        return IdType(party.id_type).label
    return "身份证件"


def _guard(value: str, party) -> str:
    """The last guard: no ID number in an exported free text, whatever a reviewer left in (the party's own
    number of any format, and any resident ID number with a valid checksum)."""
    if party is not None and party.id_number and len(party.id_number) >= 6:
        value = value.replace(party.id_number, redaction.REPLACEMENTS[redaction.ID_NUMBER])
    spans, _ = redaction.find_id_numbers(value)
    return redaction.apply(value, redaction.merge(spans)) if spans else value


def snapshot(pub: Publication) -> dict:
    """The exported fields of a publication, all strings (dates ISO, amounts in yuan with two decimals),
    as the public sees them. Needs ``document__party`` and the active ``redactions`` (credit.plan prefetches
    them as ``active_redactions``)."""
    data = pub.document.data or {}
    party = pub.document.party
    text = pub.published_text or ""
    redactions = getattr(pub, "active_redactions", None)
    if redactions is None:
        redactions = list(pub.redactions.filter(removed_at__isnull=True))
    facts = _facts(text)
    if facts is None:
        facts = _like_public(data.get("facts") or "", redactions)
    basis = _BASIS_LINE.search(text)
    basis = basis.group("basis") if basis else _like_public(data.get("basis_penalty") or "", redactions)
    licence = ""
    if LICENCE_TYPES & set(pub.penalty_types):
        lines = _LICENCE_LINE.findall(text)
        licence = "；".join(lines) if lines else _like_public(data.get("licence_action") or "", redactions)
    confiscated = Decimal("0")
    for key in ("confiscated_gains", "confiscated_property_value"):
        if data.get(key):
            confiscated += Decimal(str(data[key]))
    person = pub.party_kind == PartyKind.PERSON
    values = {
        "document_number": pub.document_number,
        "party_name": pub.party_name,
        "credit_code": "" if person else pub.credit_code,
        "id_type": _id_type(pub, text) if person else "",
        "legal_representative": "" if person else pub.legal_representative,
        "violation_type": pub.violation_type,
        "facts": facts,
        "basis": basis,
        "penalty_categories": "、".join(PENALTY_LABELS.get(c, c) for c in pub.penalty_types),
        "penalty_content": pub.penalty_content,
        "fine_amount": _yuan(pub.fine_amount),
        "confiscated_amount": _yuan(confiscated) if confiscated else "",
        "licence_action": licence,
        "decided_on": pub.decided_on.isoformat(),
        "authority": pub.authority,
        # 公示截止日期: the last day shown, the one definition (disclosure/periods.py) the pages print too.
        "publication_ends_on": pub.last_day.isoformat() if pub.last_day else "",
    }
    for key in TEXT_KEYS:
        values[key] = _guard(values[key], party)
    return values


def inspection_snapshot(inspection) -> dict:
    """The exported fields of a published inspection result, all strings, as the public sees them."""
    from inspection.models import EntityKind

    from .inspection_results import shown_name

    entity = inspection.entity
    return {
        "party_name": shown_name(inspection),
        "credit_code": entity.credit_code,
        "legal_representative": entity.representative if entity.kind != EntityKind.INDIVIDUAL else "",
        "authority": settings.BUREAU_NAME,
        "inspection_number": inspection.number,
        "inspection_kind": inspection.get_kind_display(),
        "inspection_item": inspection.item.item,
        "inspected_on": inspection.planned_on.isoformat(),
        "inspection_result": inspection.get_result_display(),
        "inspection_summary": inspection.public_summary,
    }


def snapshot_hash(values: dict) -> str:
    keys = INSPECTION_KEYS if "inspection_number" in values else FIELD_KEYS
    canonical = json.dumps({k: values.get(k, "") for k in keys}, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def changed_fields(old: dict, new: dict) -> list[str]:
    return [label for key, label in FIELDS if old.get(key, "") != new.get(key, "")]


# --- What the next export holds ------------------------------------------------------------------------------


@dataclass
class PlannedLine:
    publication: Publication | None
    kind: str
    sequence: int
    snapshot: dict
    snapshot_hash: str
    changed_on: datetime.date | None = None
    note: str = ""
    inspection: object = None  # an inspection.Inspection (抽查检查结果) instead of a publication
    due_on: datetime.date | None = None  # a 撤回 row: the last day it was due

    @property
    def published_on(self) -> datetime.date:
        if self.inspection is not None:
            return timezone.localdate(self.inspection.published_at)  # type: ignore[attr-defined]
        assert self.publication is not None
        return self.publication.published_on

    @property
    def subject_pk(self) -> int:
        return (self.inspection or self.publication).pk  # type: ignore[union-attr]

    @property
    def kind_label(self) -> str:
        return CreditLineKind(self.kind).label


@dataclass
class Plan:
    period_from: datetime.date
    period_to: datetime.date
    lines: list[PlannedLine] = field(default_factory=list)
    # Published before the period, never exported: left out of this export, still pending.
    earlier_pending: int = 0

    def count(self, kind) -> int:
        return sum(1 for line in self.lines if line.kind == kind)

    @property
    def counts(self) -> dict[str, int]:
        return {kind.value: self.count(kind) for kind in CreditLineKind}


def _exportable_new() -> Q:
    """Once published and neither withdrawn nor stopped early: published, or ended by expiry."""
    return Q(status=PublicationStatus.PUBLISHED) | Q(status=PublicationStatus.ENDED, end_kind=EndKind.EXPIRED)


def _followed() -> Q:
    """Exported publications watched for a change: still published (corrections), withdrawn or stopped early
    (one last row). Once the portal's period has expired the public content is frozen and nothing more is
    reported, so the watch list stays as short as what is currently public."""
    return Q(status__in=[PublicationStatus.PUBLISHED, PublicationStatus.WITHDRAWN]) | Q(
        status=PublicationStatus.ENDED, end_kind=EndKind.EARLY
    )


def plan(user, period_from: datetime.date, period_to: datetime.date, today=None) -> Plan:
    """The rows the next export of `user` would hold. Queries: the candidate publications (with document,
    party and their last exported line's kind, sequence and snapshot), their active redactions (skipped when
    there is no candidate)."""
    today = today or timezone.localdate()
    last = CreditExportLine.objects.filter(publication=OuterRef("pk")).order_by("-sequence")
    candidates = (
        Publication.objects.reviewable_by(user)
        .annotate(
            last_sequence=Subquery(last.values("sequence")[:1]),
            last_kind=Subquery(last.values("kind")[:1]),
            last_hash=Subquery(last.values("snapshot_hash")[:1]),
            last_snapshot=Subquery(last.values("snapshot")[:1]),
        )
        .filter(
            Q(last_sequence__isnull=True, published_on__lte=period_to) & _exportable_new()
            | Q(last_sequence__isnull=False) & _followed() & ~Q(last_kind__in=list(TERMINAL))
        )
        .select_related("document", "document__party")
        .defer("original_text", "search_grams")
        .prefetch_related(
            Prefetch(
                "redactions",
                queryset=Redaction.objects.filter(removed_at__isnull=True).only(
                    "publication_id", "original", "replacement"
                ),
                to_attr="active_redactions",
            )
        )
        .order_by("published_on", "pk")
    )
    result = Plan(period_from, period_to)
    for pub in candidates:
        if pub.last_sequence is None:
            if pub.published_on < period_from:
                result.earlier_pending += 1
                continue
            values = snapshot(pub)
            result.lines.append(PlannedLine(pub, CreditLineKind.NEW, 1, values, snapshot_hash(values)))
            continue
        line = _change(pub, today)
        if line is not None:
            result.lines.append(line)
    if user.is_superuser or user.has_role(Role.ADMIN, Role.BUREAU_HEAD):
        _plan_inspections(result, today)
    result.lines.sort(
        key=lambda line: (
            KIND_ORDER[line.kind],
            line.inspection is not None,
            line.published_on,
            line.subject_pk,
        )
    )
    return result


def _plan_inspections(result: Plan, today: datetime.date) -> None:
    """新增 rows for the inspection results published up to the period's end and never exported (one query:
    those before the period only counted as pending), then the 撤回 and 更正 rows of the exported ones (one
    query: the exported results whose last row is not final, with that row's sequence, kind and snapshot)."""
    from inspection.models import Inspection

    last = CreditExportLine.objects.filter(inspection=OuterRef("pk")).order_by("-sequence")
    followed = (
        Inspection.objects.filter(published_at__isnull=False)
        .annotate(
            last_sequence=Subquery(last.values("sequence")[:1]),
            last_kind=Subquery(last.values("kind")[:1]),
            last_hash=Subquery(last.values("snapshot_hash")[:1]),
            last_snapshot=Subquery(last.values("snapshot")[:1]),
        )
        .filter(last_sequence__isnull=False)
        .exclude(last_kind__in=list(TERMINAL))
        .select_related("entity", "item")
        .order_by("published_at", "pk")
    )
    for inspection in followed:
        line = _inspection_change(inspection, today)
        if line is not None:
            result.lines.append(line)

    candidates = (
        Inspection.objects.published()
        .filter(published_at__date__lte=result.period_to, credit_lines__isnull=True)
        .select_related("entity", "item")
        .order_by("published_at", "pk")
    )
    for inspection in candidates:
        if timezone.localdate(inspection.published_at) < result.period_from:
            result.earlier_pending += 1
            continue
        values = inspection_snapshot(inspection)
        result.lines.append(
            PlannedLine(None, CreditLineKind.NEW, 1, values, snapshot_hash(values), inspection=inspection)
        )


def _inspection_change(inspection, today: datetime.date) -> PlannedLine | None:
    """The row reporting what happened to an exported inspection result since its last row, or None."""
    sequence = inspection.last_sequence + 1
    if isinstance(inspection.last_snapshot, str):  # a JSON subquery comes back as text on some backends
        inspection.last_snapshot = json.loads(inspection.last_snapshot)
    if inspection.withdrawn_at:
        note = f"{inspection.get_withdrawal_kind_display()}。{inspection.withdrawal_reason}"
        return PlannedLine(
            None,
            CreditLineKind.WITHDRAWN,
            sequence,
            inspection.last_snapshot,
            inspection.last_hash,
            timezone.localdate(inspection.withdrawn_at),
            note,
            inspection=inspection,
        )
    values = inspection_snapshot(inspection)
    # Compared value by value (the hash covers the inspection columns only, and a correction may change the
    # entity's public name alone).
    changed = [key for key in values if inspection.last_snapshot.get(key, "") != values[key]]
    if not changed:
        return None
    labels = {**dict(FIELDS), **dict(INSPECTION_FIELDS)}
    when = timezone.localdate(inspection.corrected_at) if inspection.corrected_at else today
    return PlannedLine(
        None,
        CreditLineKind.CORRECTED,
        sequence,
        values,
        snapshot_hash(values),
        when,
        "更正：" + "、".join(labels.get(key, key) for key in changed),
        inspection=inspection,
    )


def _change(pub: Publication, today: datetime.date) -> PlannedLine | None:
    """The row reporting what happened to an exported publication since its last row (``last_*``
    annotations), or None."""
    sequence = pub.last_sequence + 1
    if isinstance(pub.last_snapshot, str):  # a JSON subquery comes back as text on some backends
        pub.last_snapshot = json.loads(pub.last_snapshot)
    if pub.status == PublicationStatus.WITHDRAWN:
        note = f"{pub.get_withdrawal_kind_display()}。{pub.withdrawal_reason}"
        if pub.withdrawal_event_on:
            note += f"（决定被变更、撤销或确认违法、无效的日期：{pub.withdrawal_event_on.isoformat()}）"
        when = timezone.localdate(pub.withdrawn_at) if pub.withdrawn_at else today
        due = pub.withdrawal_due()
        if due is not None and when > due:
            note += f"逾期撤回：应于{due.isoformat()}前撤回，{when.isoformat()}撤回。"
        return PlannedLine(
            pub, CreditLineKind.WITHDRAWN, sequence, pub.last_snapshot, pub.last_hash, when, note, due_on=due
        )
    if pub.status == PublicationStatus.ENDED and pub.end_kind == EndKind.EARLY:
        note = f"依当事人申请提前停止公示（总局令第45号 第十四条）。{pub.end_reason}"
        when = timezone.localdate(pub.ended_at) if pub.ended_at else today
        return PlannedLine(
            pub, CreditLineKind.STOPPED, sequence, pub.last_snapshot, pub.last_hash, when, note
        )
    values = snapshot(pub)
    digest = snapshot_hash(values)
    if digest == pub.last_hash:
        return None
    note = "更正：" + "、".join(changed_fields(pub.last_snapshot, values))
    return PlannedLine(pub, CreditLineKind.CORRECTED, sequence, values, digest, today, note)


# --- Exporting ------------------------------------------------------------------------------------------------


def _lock() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ADVISORY_LOCK_KEY])


def scope_label(user) -> str:
    if user.is_superuser or user.has_role(Role.ADMIN, Role.BUREAU_HEAD):
        return "本局全部"
    names = Unit.objects.filter(head=user).order_by("order", "pk").values_list("name", flat=True)
    return "、".join(names) or "（无）"


def export(
    user, period_from: datetime.date, period_to: datetime.date, fmt: str, *, today=None
) -> CreditExport:
    """Export what `plan` finds, in one transaction: the rows with their snapshots, the three files, the
    audit entry. Refused (ExportRefused) when there is nothing to export or another export took the same
    rows first."""
    today = today or timezone.localdate()
    if fmt not in CreditExportFormat.values:
        raise ExportRefused("请选择导出格式。")
    if period_from > period_to:
        raise ExportRefused("开始日期不能晚于结束日期。")
    try:
        with transaction.atomic():
            _lock()
            planned = plan(user, period_from, period_to, today)
            if not planned.lines:
                raise ExportRefused(_nothing_message(planned))
            return write(planned, user, fmt)
    except IntegrityError as error:
        logger.warning("credit export lost a race with another export: %s", error)
        raise ExportRefused("这些记录刚刚已由另一次导出报送，请刷新页面，在导出记录中下载。") from error


def _nothing_message(planned: Plan) -> str:
    message = "所选期间没有新公示的处罚决定，也没有需要报送的更正、撤回记录，未生成文件。"
    if planned.earlier_pending:
        message += f"此前尚有{planned.earlier_pending}条公示信息未报送，请调整开始日期。"
    return message


def write(planned: Plan, user, fmt: str) -> CreditExport:
    """Record a plan as an export (inside the caller's transaction): the unique constraints refuse a plan
    gone stale because another export took its rows."""
    counts = planned.counts
    item = CreditExport.objects.create(
        created_at=timezone.now().replace(microsecond=0),
        created_by=user,
        period_from=planned.period_from,
        period_to=planned.period_to,
        scope=scope_label(user),
        format=fmt,
        new_count=counts[CreditLineKind.NEW],
        corrected_count=counts[CreditLineKind.CORRECTED],
        withdrawn_count=counts[CreditLineKind.WITHDRAWN],
        stopped_count=counts[CreditLineKind.STOPPED],
        inspection_count=sum(1 for line in planned.lines if line.inspection is not None),
    )
    lines = CreditExportLine.objects.bulk_create(
        CreditExportLine(
            export=item,
            publication=line.publication,
            inspection=line.inspection,
            position=position,
            sequence=line.sequence,
            kind=line.kind,
            snapshot=line.snapshot,
            snapshot_hash=line.snapshot_hash,
            changed_on=line.changed_on,
            due_on=line.due_on,
            note=line.note,
        )
        for position, line in enumerate(planned.lines, start=1)
    )
    hashes = {}
    for each in FORMATS:
        content = render(item, lines, each)
        digest = hashlib.sha256(content).hexdigest()
        CreditExportFile.objects.create(
            export=item, format=each, content=content, sha256=digest, size=len(content)
        )
        hashes[each.value] = digest
    item.file_hashes = hashes
    item.save(update_fields=["file_hashes"])
    record(
        "disclosure.credit.exported",
        obj=item,
        actor=user,
        detail={
            "period_from": item.period_from.isoformat(),
            "period_to": item.period_to.isoformat(),
            "scope": item.scope,
            "format": fmt,
            "counts": counts,
            "publications": [line.publication.pk for line in planned.lines if line.publication is not None],
            "inspections": [line.subject_pk for line in planned.lines if line.inspection is not None],
            "sha256": hashes,
        },
    )
    return item
