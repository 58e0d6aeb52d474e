"""The life of a document: draft, issue (number, render, hash, freeze), correct (a new document that
supersedes the issued one). Model methods mixed into Document; models are imported inside the methods."""

import hashlib
import logging
import secrets

from django.db import transaction
from django.utils import timezone

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import Outcome
from wuding_enforcement.cases.workflow import Stage, TransitionRefused
from wuding_enforcement.shared import storedfiles

from . import gates

# Fields an issued document may still receive: the party's signature (or refusal) and the photo of the
# signed paper. Everything else is frozen once issued.
AFTER_ISSUE_FIELDS = {
    "party_signature",
    "party_signed_at",
    "refusal_witness",
    "signed_scan",
    "signed_scan_sha256",
    "updated_at",
}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
logger = logging.getLogger("wuding.recording")


class DocumentFrozenError(Exception):
    """Raised when anything tries to change an issued document."""


def new_verification_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(10))


class DocumentLifecycle:
    def save(self, *args, **kwargs):
        if self.pk is not None and not getattr(self, "_issuing", False):
            from .models import Document, DocumentStatus

            stored = Document.objects.filter(pk=self.pk).values().first()
            if stored and stored["status"] == DocumentStatus.ISSUED:
                update_fields = kwargs.get("update_fields")
                names = (
                    set(update_fields)
                    if update_fields is not None
                    else {f.attname for f in self._meta.concrete_fields}
                )
                for name in names - AFTER_ISSUE_FIELDS:
                    attname = self._meta.get_field(name).attname
                    if stored.get(attname) != getattr(self, attname):
                        raise DocumentFrozenError(
                            f"文书已签发，不能修改（{self._meta.get_field(name).verbose_name}）。"
                            "如需更正，请制作更正文书。"
                        )
        super().save(*args, **kwargs)
        self._issuing = False

    def delete(self, *args, **kwargs):
        raise DocumentFrozenError("文书不能删除；草稿可作废或更正。")

    @property
    def is_issued(self) -> bool:
        return self.status == "issued"

    @property
    def takes_party_signature(self) -> bool:
        """Documents addressed to a party and records of an act are signed (or refused) by the party."""
        from .doctypes import REGISTRY

        doctype = REGISTRY.get(self.doc_type)
        return doctype is not None and bool(doctype.to_party or doctype.act)

    def issue_problems(self, by) -> list[str]:
        """What stops this draft from being issued now (for the page and for issue())."""
        problems = []
        if self.is_issued:
            return ["该文书已签发。"]
        if self.case.stage == Stage.ARCHIVED:
            problems.append("案件已归档，不能再签发文书。")
        form = self.doctype.bound_from_json(self.data, case=self.case)
        if not form.is_valid():
            for field, errors in form.errors.items():
                label = form.fields[field].label if field in form.fields else "内容"
                problems.extend(f"{label}：{e}" for e in errors)
        problems.extend(gates.check(self, by))
        return problems

    def issue(self, *, by):
        """Issue the document: check it and every registered document gate, give it its 文号 (one gapless
        sequence per type per year) or its number in the case file, render its PDF once, store the PDF's
        SHA-256, and freeze it. All in one transaction: a failure leaves the draft as it was."""
        from wuding_enforcement.cases.models import Case, NumberSequence, format_number
        from wuding_enforcement.shared.signing import SigningError, get_signer, sign_with

        from .models import Document, DocumentStatus
        from .rendering import render_document

        try:
            # The signed PDF is written inside the transaction and removed if it rolls back (storedfiles):
            # a refused or failed issue leaves no file carrying a number the next document will take.
            with storedfiles.removing(), transaction.atomic():
                Case.objects.select_for_update().get(pk=self.case_id)
                doc = (
                    Document.objects.select_for_update(of=("self",))
                    .select_related("case", "party")
                    .get(pk=self.pk)
                )
                if doc.case.stage == Stage.ARCHIVED:  # read-only for everyone (recording.archive)
                    raise TransitionRefused("案件已归档，案件及其记录只读，不能再签发文书。")
                if not doc.doctype.may_issue(doc, by):
                    raise TransitionRefused("您不是本案承办人员或承办单位负责人，不能签发文书。")
                problems = doc.issue_problems(by)
                if problems:
                    raise TransitionRefused(problems)
                doctype = doc.doctype
                now = timezone.now()
                year = timezone.localdate(now).year
                if doctype.number_word:
                    doc.number_year = year
                    doc.number_seq = NumberSequence.allocate(f"doc:{doctype.key}", year)
                    doc.number = format_number(doctype.number_word, year, doc.number_seq)
                else:
                    doc.file_seq = NumberSequence.allocate(f"file:{doc.case_id}", 0)
                doc.verification_code = new_verification_code()
                doc.status = DocumentStatus.ISSUED
                doc.issued_at = now
                doc.issued_by = by
                pdf_bytes = render_document(doc)
                seal_at = getattr(doc, "seal_spot", None)
                signer = get_signer()
                try:
                    pdf_bytes = sign_with(signer, pdf_bytes, reason=f"签发{doctype.title}", seal_at=seal_at)
                except SigningError as exc:
                    raise TransitionRefused(str(exc)) from exc
                doc.signed = True
                doc.signature_note = "演示证书签章（非正式）" if signer.demo else "本局电子签章"
                doc.pdf_sha256 = hashlib.sha256(pdf_bytes).hexdigest()
                storedfiles.stage(doc.pdf, f"{doctype.key}.pdf", pdf_bytes)
                doc._issuing = True
                doc._change_reason = "recording.document.issued"
                doc._history_user = by
                doc.save()
                record(
                    "recording.document.issued",
                    obj=doc.case,
                    actor=by,
                    detail={
                        "document": doc.pk,
                        "type": doctype.key,
                        "number": doc.number or "",
                        "file_seq": doc.file_seq,
                        "sha256": doc.pdf_sha256,
                    },
                )
                gates.run_after_issue(doc, by)
        except TransitionRefused as refused:
            record(
                "recording.document.issue_refused",
                obj=self.case,
                actor=by,
                outcome=Outcome.FAILURE,
                detail={"document": self.pk, "type": self.doc_type, "problems": refused.messages},
            )
            raise
        for name in (
            "status",
            "number",
            "number_year",
            "number_seq",
            "file_seq",
            "pdf",
            "pdf_sha256",
            "signed",
            "signature_note",
            "verification_code",
            "issued_at",
            "issued_by",
        ):
            setattr(self, name, getattr(doc, name))
        return doc

    def record_party_signature(self, *, by, outcome: str, signed_at, refusal_witness: str = "", scan=None):
        """The party's signature or refusal to sign (a refusal with its witness), and optionally the photo of
        the signed paper (`scan`: its bytes, already judged an image by the form): the only changes an
        issued document still accepts (AFTER_ISSUE_FIELDS). Refused for a draft, a document the party does
        not sign, an archived case, or anyone who may not work on the case. Locked and audited."""
        from .models import Document, PartySignature

        problems = []
        witness = (refusal_witness or "").strip()
        if outcome not in (PartySignature.SIGNED, PartySignature.REFUSED):
            problems.append("请选择当事人已签名或拒绝签名。")
        if outcome == PartySignature.REFUSED and not witness:
            problems.append("当事人拒绝签名的，须写明见证人。")
        if signed_at is None:
            problems.append("请填写签名（拒签）时间。")
        elif signed_at > timezone.now():
            problems.append("签名（拒签）时间不能晚于现在。")
        with storedfiles.removing(), transaction.atomic():
            locked = Document.objects.select_for_update(of=("self",)).select_related("case").get(pk=self.pk)
            if not locked.is_issued:
                problems.insert(0, "文书签发后才能记录当事人签名情况。")
            elif not locked.takes_party_signature:
                problems.insert(0, "该文书无须当事人签名。")
            elif locked.case.stage == Stage.ARCHIVED:  # read-only for everyone (recording.archive)
                problems.insert(0, "案件已归档，案件及其记录只读，不能再记录当事人签名情况。")
            elif not locked.case.may_work_on(by):
                problems.insert(0, "您不是本案承办人员或承办单位负责人，不能记录当事人签名情况。")
            if problems:
                logger.info("party signature refused on document %s: %s", self.pk, "; ".join(problems))
                raise TransitionRefused(problems)
            locked.party_signature = outcome
            locked.party_signed_at = signed_at
            locked.refusal_witness = witness if outcome == PartySignature.REFUSED else ""
            fields = ["party_signature", "party_signed_at", "refusal_witness", "updated_at"]
            scan_sha256 = ""
            if scan:
                scan_sha256 = hashlib.sha256(scan).hexdigest()
                storedfiles.stage(locked.signed_scan, "scan", scan)
                locked.signed_scan_sha256 = scan_sha256
                fields += ["signed_scan", "signed_scan_sha256"]
            locked._change_reason = "recording.document.party_signature"
            locked._history_user = by
            locked.save(update_fields=fields)
            record(
                "recording.document.party_signature",
                obj=locked.case,
                actor=by,
                detail={
                    "document": locked.pk,
                    "outcome": outcome,
                    "witness": locked.refusal_witness,
                    "scan_sha256": scan_sha256,
                },
            )
        for name in (
            "party_signature",
            "party_signed_at",
            "refusal_witness",
            "signed_scan",
            "signed_scan_sha256",
        ):
            setattr(self, name, getattr(locked, name))
        return locked

    def correct(self, *, by, reason: str):
        """A correction: a new draft with the same content that will supersede this issued document once
        issued. Both are kept (an issued document never changes)."""
        from .models import Document

        if not self.is_issued:
            raise TransitionRefused("只有已签发的文书可以更正；草稿可直接修改。")
        if not reason.strip():
            raise TransitionRefused("请写明更正理由。")
        with transaction.atomic():
            original = Document.objects.select_for_update().get(pk=self.pk)
            if Document.objects.filter(supersedes=original).exists():
                raise TransitionRefused("该文书已有更正文书。")
            if original.case.stage == Stage.ARCHIVED:  # read-only for everyone (recording.archive)
                raise TransitionRefused("案件已归档，案件及其记录只读，不能再更正文书。")
            if not original.case.may_work_on(by):
                raise TransitionRefused("您不是本案承办人员或承办单位负责人，不能更正文书。")
            draft = Document.objects.create(
                case=original.case,
                doc_type=original.doc_type,
                data=dict(original.data),
                party=original.party,
                act_date=original.act_date,
                act_place=original.act_place,
                classification=original.classification,
                av_exemption=original.av_exemption,
                supersedes=original,
                correction_reason=reason,
                party_signature=original.party_signature if original.party_signature == "na" else "pending",
                created_by=by,
            )
            draft.officers.set(original.officers.all())
            record(
                "recording.document.correction_started",
                obj=original.case,
                actor=by,
                detail={"document": original.pk, "correction": draft.pk, "reason": reason},
            )
        return draft
