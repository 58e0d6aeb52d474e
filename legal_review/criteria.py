"""Which decisions are major (docs/domain.md §3, "Scope"): the proposed decision read from the case's draft decision documents, the
hearing entitlement of 行政处罚法 第六十三条, and the catalogue's criteria matched against the case's data.

The proposed decision is the set of the case's current (not superseded) decision documents — the draft
行政处罚决定书 (or 不予行政处罚决定书) per party. Its hash is what an approval is bound to (the gate, gates.py).
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from wuding_enforcement.cases.models import PartyKind, RuleSettings

DECISION_TYPES = ("penalty_decision", "no_penalty_decision")

# 行政处罚法 第六十三条: penalties that entitle the party to a hearing whatever the amount (the same list the
# 行政处罚告知书 applies).
HEARING_PENALTIES = {
    "lower_qualification": "降低资质等级",
    "revoke_licence": "吊销许可证件",
    "suspend_business": "责令停产停业",
    "close": "责令关闭",
    "restrict_employment": "限制从业",
}


def yuan(value) -> Decimal | None:
    """A stored amount ("1234.00") as Decimal; None when empty or malformed."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def fmt(amount: Decimal) -> str:
    return f"{amount:,.2f}"


# --- The proposed decision -------------------------------------------------------------------------------


def proposal_documents(case) -> list:
    """The case's current decision documents (draft or issued, not superseded), oldest first."""
    from recording.models import Document

    return list(
        Document.objects.filter(case=case, doc_type__in=DECISION_TYPES, superseded_by__isnull=True)
        .select_related("party")
        .order_by("created_at", "pk")
    )


# Fields of a decision that say when it is made, not what it decides: the 决定日期 is written on the day the
# decision is made, which for a major case is on or after the day its review agrees (第五十八条) — so it must
# not be part of what the review approves, or a review that ends after the day of submission could never be
# followed by a decision (an edited date would be a changed proposal, an unedited one a date before approval).
NOT_REVIEWED_FIELDS = frozenset({"decided_on"})


def hash_documents(documents) -> str:
    """A SHA-256 over what the decision says (type, party and content), not over its status, number or
    date (NOT_REVIEWED_FIELDS), so issuing an approved draft keeps the hash and any edit of its content
    changes it. "" without documents."""
    if not documents:
        return ""
    items = sorted(
        json.dumps(
            {
                "type": d.doc_type,
                "party": d.party_id,
                "data": {k: v for k, v in (d.data or {}).items() if k not in NOT_REVIEWED_FIELDS},
            },
            sort_keys=True,
            ensure_ascii=False,
        )
        for d in documents
    )
    return hashlib.sha256("\n".join(items).encode()).hexdigest()


def proposal_hash(case) -> str:
    return hash_documents(proposal_documents(case))


def primary_proposal(documents):
    """The draft penalty decision the review reads first (the first party's), else any decision document."""
    for doc in documents:
        if doc.doc_type == "penalty_decision":
            return doc
    return documents[0] if documents else None


def party_is_natural(case, document=None) -> bool:
    """Natural persons and 个体工商户 face the lower thresholds; a document addressed to a party decides, else
    any natural party of the case does (so a hearing is never wrongly withheld)."""
    if document is not None and document.party_id:
        return document.party.kind != PartyKind.ORGANISATION
    return any(p.kind != PartyKind.ORGANISATION for p in case.parties.all())


def hearing_reasons(data: dict, natural: bool, rules: RuleSettings) -> list[str]:
    """Why this proposed penalty entitles the party to a hearing (行政处罚法 第六十三条); [] when it does not.
    The "较大数额" thresholds are RuleSettings."""
    types = set(data.get("penalty_types") or [])
    reasons = [f"拟{label}" for code, label in HEARING_PENALTIES.items() if code in types]
    fine = yuan(data.get("fine_amount"))
    fine_limit = rules.hearing_fine_person if natural else rules.hearing_fine_organisation
    if "fine" in types and fine is not None and fine >= fine_limit:
        reasons.append(f"拟罚款{fmt(fine)}元，达到较大数额（{fmt(fine_limit)}元）")
    taken = (yuan(data.get("confiscated_gains")) or Decimal("0")) + (
        yuan(data.get("confiscated_property_value")) or Decimal("0")
    )
    taking_limit = rules.hearing_confiscation_person if natural else rules.hearing_confiscation_organisation
    if types & {"confiscate_gains", "confiscate_property"} and taken >= taking_limit:
        reasons.append(f"拟没收违法所得、非法财物价值{fmt(taken)}元，达到较大数额（{fmt(taking_limit)}元）")
    return reasons


# --- Matching the catalogue ------------------------------------------------------------------------------


@dataclass
class Match:
    criterion: object
    values: list[str]


@dataclass
class MajorStatus:
    matches: list[Match] = field(default_factory=list)
    flags: list = field(default_factory=list)  # active manual MajorFlag rows
    referrals: list = field(default_factory=list)  # CollectiveReferral rows
    has_rounds: bool = False

    @property
    def is_major(self) -> bool:
        """Major when a criterion matches or the unit flagged it; once submitted, the review governs whatever
        the data say now (a proposal lowered after submission still needs its review to pass)."""
        return bool(self.matches or self.flags or self.has_rounds)

    @property
    def requires_collective(self) -> bool:
        """集体讨论 is mandatory for 情节复杂或者重大违法行为 (行政处罚法 第五十七条): criteria marked so in the
        catalogue, and any case the bureau head sends."""
        return bool(
            self.referrals
            or any(m.criterion.requires_collective for m in self.matches)
            or any(f.criterion.requires_collective for f in self.flags)
        )

    @property
    def collective_reasons(self) -> list[str]:
        reasons = [m.criterion.name for m in self.matches if m.criterion.requires_collective]
        reasons += [f.criterion.name for f in self.flags if f.criterion.requires_collective]
        reasons += [f"局负责人提交集体讨论：{r.reason}" for r in self.referrals]
        return reasons


def automatic_matches(case, documents=None, rules=None, benchmark_deviation=None) -> list[Match]:
    """The active criteria the case's data match, each with the values that matched."""
    from .benchmarks import compare_case
    from .models import CriterionRule, MajorCriterion

    rules = rules or RuleSettings.current()
    documents = proposal_documents(case) if documents is None else documents
    criteria = [c for c in MajorCriterion.objects.filter(is_active=True) if c.rule != CriterionRule.MANUAL]
    if not criteria:
        return []
    values: dict[str, list[str]] = {rule: [] for rule in CriterionRule.values}
    for doc in documents:
        data = doc.data or {}
        types = set(data.get("penalty_types") or [])
        who = f"{doc.party.name}：" if doc.party_id else ""
        natural = party_is_natural(case, doc)
        fine = yuan(data.get("fine_amount"))
        if "fine" in types and fine is not None:
            if natural and fine >= rules.major_fine_person:
                values[CriterionRule.FINE_PERSON].append(
                    f"{who}拟对自然人（个体工商户）罚款{fmt(fine)}元（标准：{fmt(rules.major_fine_person)}元以上）"
                )
            if not natural and fine >= rules.major_fine_organisation:
                values[CriterionRule.FINE_ORGANISATION].append(
                    f"{who}拟对单位罚款{fmt(fine)}元（标准：{fmt(rules.major_fine_organisation)}元以上）"
                )
        if types & {"suspend_business", "close"}:
            values[CriterionRule.SUSPEND_BUSINESS].append(
                who
                + "拟"
                + "、".join(HEARING_PENALTIES[c] for c in ("suspend_business", "close") if c in types)
            )
        if "revoke_licence" in types:
            values[CriterionRule.REVOKE_LICENCE].append(
                f"{who}拟吊销许可证件：{data.get('licence_action', '')}"
            )
        values[CriterionRule.HEARING] += [who + r for r in hearing_reasons(data, natural, rules)]
    values[CriterionRule.HEARING] += hearing_documents_values(case)
    if benchmark_deviation is None:
        benchmark_deviation = [d for c in compare_case(case, documents) for d in c.deviations]
    values[CriterionRule.OUTSIDE_BENCHMARK] += benchmark_deviation
    return [Match(c, values[c.rule]) for c in criteria if values[c.rule]]


def hearing_documents_values(case) -> list[str]:
    """The 告知书 told the party of a hearing right, or a hearing took place (经过听证程序)."""
    from recording.models import Document

    found = []
    for doc_type, data_hearing, number in Document.objects.filter(
        case=case, doc_type__in=("penalty_notice", "hearing_record"), superseded_by__isnull=True
    ).values_list("doc_type", "data__hearing_right", "number"):
        if doc_type == "penalty_notice" and data_hearing:
            found.append(f"行政处罚告知书{number or '（草稿）'}已告知听证权利")
        elif doc_type == "hearing_record":
            found.append("本案经过听证程序")
    return found


def major_status(case, documents=None) -> MajorStatus:
    from .models import CollectiveReferral, MajorFlag, ReviewRound

    return MajorStatus(
        matches=automatic_matches(case, documents),
        flags=list(MajorFlag.objects.filter(case=case, removed_at__isnull=True).select_related("criterion")),
        referrals=list(CollectiveReferral.objects.filter(case=case)),
        has_rounds=ReviewRound.objects.filter(case=case).exists(),
    )
