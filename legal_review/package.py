"""The submission package (送审材料, docs/domain.md §3): the proposed decision, the 案件调查终结报告, the evidence list, the
legal basis, the discretion reasoning and, where there was a hearing, the 听证笔录. An incomplete package is
refused with a Chinese list of what is missing."""

from dataclasses import dataclass, field

from wuding_enforcement.cases.models import PauseKind

from .criteria import primary_proposal, proposal_documents

CONFIRMATION_TEXT = (
    "本单位承诺：所报送的拟作出的处理决定、案件调查终结报告、证据材料及其他送审材料真实、完整，"
    "并对其真实性、完整性负责。"
)


def act_types() -> set[str]:
    """Registered document types that record an investigative or enforcement act (their records are
    evidence: 现场笔录, 询问笔录, 证据提取单 ...)."""
    from recording.doctypes import REGISTRY

    return {key for key, t in REGISTRY.items() if t.act}


@dataclass
class Package:
    proposal: object = None
    proposals: list = field(default_factory=list)
    report: object = None
    notice: object = None
    hearing_record: object = None
    had_hearing: bool = False
    evidence_documents: list = field(default_factory=list)
    evidence_files: list = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing

    def snapshot(self) -> dict:
        """What the round stores: ids and one-line descriptions, so the round shows what was submitted."""
        data = (self.proposal.data or {}) if self.proposal else {}
        return {
            "proposals": [d.pk for d in self.proposals],
            "report": self.report.pk if self.report else None,
            "notice": self.notice.pk if self.notice else None,
            "hearing_record": self.hearing_record.pk if self.hearing_record else None,
            "evidence_documents": [
                {"id": d.pk, "title": str(d), "date": d.act_date.isoformat() if d.act_date else ""}
                for d in self.evidence_documents
            ],
            "evidence_files": [{"id": e.pk, "title": e.title, "kind": e.kind} for e in self.evidence_files],
            "basis_violated": data.get("basis_violated", ""),
            "basis_penalty": data.get("basis_penalty", ""),
            "discretion": data.get("discretion", ""),
            "discretion_reason": data.get("discretion_reason", ""),
            # The proposals' own data as submitted: a draft may be edited after its round closed.
            "proposal_data": {str(d.pk): d.data for d in self.proposals},
        }


def as_submitted(case, snapshot: dict) -> Package:
    """The package a round stored at submission, for showing a closed round as it was reviewed.

    Documents are read by the ids the snapshot recorded (superseded or not, since an issued document never
    changes); a proposal that was still a draft gets the data it had when submitted. Evidence voided later
    is still listed, as it was before the reviewer."""
    from recording.models import Document, Evidence

    wanted = [
        *snapshot.get("proposals", []),
        *(snapshot.get(key) for key in ("report", "notice", "hearing_record")),
        *(d["id"] for d in snapshot.get("evidence_documents", [])),
    ]
    by_pk = {d.pk: d for d in Document.objects.filter(case=case, pk__in=[pk for pk in wanted if pk])}
    submitted_data = snapshot.get("proposal_data", {})
    pkg = Package()
    for pk in snapshot.get("proposals", []):
        doc = by_pk.get(pk)
        if doc is None:
            continue
        if str(pk) in submitted_data:
            doc.data = submitted_data[str(pk)]
        pkg.proposals.append(doc)
    pkg.proposal = primary_proposal(pkg.proposals)
    pkg.report = by_pk.get(snapshot.get("report"))
    pkg.notice = by_pk.get(snapshot.get("notice"))
    pkg.hearing_record = by_pk.get(snapshot.get("hearing_record"))
    pkg.had_hearing = pkg.hearing_record is not None
    pkg.evidence_documents = [
        by_pk[d["id"]] for d in snapshot.get("evidence_documents", []) if d["id"] in by_pk
    ]
    evidence_ids = [e["id"] for e in snapshot.get("evidence_files", [])]
    pkg.evidence_files = list(Evidence.objects.filter(case=case, pk__in=evidence_ids))
    return pkg


def build(case) -> Package:
    from recording.models import Document, Evidence

    documents = list(
        Document.objects.filter(case=case, superseded_by__isnull=True)
        .select_related("party")
        .order_by("created_at")
    )

    def latest(doc_type):
        found = [d for d in documents if d.doc_type == doc_type]
        issued = [d for d in found if d.is_issued]
        return (issued or found or [None])[-1]

    pkg = Package()
    pkg.proposals = proposal_documents(case)
    pkg.proposal = primary_proposal(pkg.proposals)
    pkg.report = latest("investigation_report")
    pkg.notice = latest("penalty_notice")
    pkg.hearing_record = latest("hearing_record")
    pkg.had_hearing = (
        case.pauses.filter(kind=PauseKind.HEARING).exists()
        or any(d.doc_type == "hearing_notice" for d in documents)
        or pkg.hearing_record is not None
    )
    acts = act_types()
    pkg.evidence_documents = [d for d in documents if d.doc_type in acts]
    pkg.evidence_files = list(Evidence.objects.filter(case=case, voided_at__isnull=True))
    pkg.missing = missing(case, pkg)
    return pkg


def missing(case, pkg: Package) -> list[str]:
    out = []
    if pkg.proposal is None:
        out.append("拟作出的行政处罚决定书（草稿）")
    else:
        from recording.doctypes import REGISTRY

        registered = REGISTRY.get(pkg.proposal.doc_type)
        form = registered.bound_from_json(pkg.proposal.data, case=case) if registered else None
        if form is not None and not form.is_valid():
            labels = [form.fields[n].label if n in form.fields else "内容" for n in form.errors]
            out.append("拟作出的行政处罚决定书内容不完整：" + "、".join(labels))
        data = pkg.proposal.data or {}
        if pkg.proposal.doc_type == "penalty_decision":
            if (
                not (data.get("basis_violated") or "").strip()
                or not (data.get("basis_penalty") or "").strip()
            ):
                out.append("法律依据（违反的法律规定、处罚依据）")
            if not data.get("discretion") or not (data.get("discretion_reason") or "").strip():
                out.append("裁量情节及裁量理由")
    if pkg.report is None:
        out.append("案件调查终结报告")
    if not pkg.evidence_documents and not pkg.evidence_files:
        out.append("证据材料（案件尚无现场笔录、询问笔录、证据提取单等调查取证记录或证据文件）")
    if pkg.had_hearing and pkg.hearing_record is None:
        out.append("听证笔录（本案举行了听证）")
    return out
