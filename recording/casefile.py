"""Building the case file's volumes (正卷, 副卷) for recording.archive: cover, catalogue, the issued PDFs merged
and page-numbered, the evidence list, the approvals record (副卷), then the bureau's seal (wuding_enforcement.shared.signing).
See recording/archive.py for the rules of archiving; this module only assembles and seals the files. Over 500 lines
because the two volumes share one assembly pipeline (cover, catalogue, merge, page stamps, PDF/A metadata,
seal) whose steps only make sense together."""

import datetime
import hashlib
import io
import logging
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from wuding_enforcement.cases import calendar
from wuding_enforcement.shared.chinese import cn_date, cn_datetime

from .archive import A4, VOLUMES, ArchiveError
from .models import Document, DocumentStatus, Evidence
from .models.filing import FilingOrder, filing_sorted

logger = logging.getLogger(__name__)


# --- Assembling the volumes -------------------------------------------------------------------------------


@dataclass
class Part:
    """One issued document in a volume, with its place in the volume's page numbering."""

    document: Document
    data: bytes
    pages: int
    first: int = 0  # archive page number of its first page (1-based, the body's numbering)

    @property
    def last(self) -> int:
        return self.first + self.pages - 1

    @property
    def page_range(self) -> str:
        return str(self.first) if self.pages == 1 else f"{self.first}-{self.last}"


@dataclass
class Entry:
    """A line of the catalogue (卷内目录)."""

    seq: int
    title: str
    number: str
    date: datetime.date | None
    page_range: str
    note: str = ""

    @property
    def date_label(self) -> str:
        return cn_date(self.date) if self.date else ""


@dataclass
class Volume:
    key: str  # main / sub
    pdf: bytes = b""
    sha256: str = ""
    pages: int = 0
    entries: list[Entry] = field(default_factory=list)
    # Page counts of the parts, for the record and the tests: cover, catalogue, documents, list.
    cover_pages: int = 0
    catalogue_pages: int = 0
    document_pages: int = 0
    list_pages: int = 0
    signed: bool = False
    signature_note: str = ""

    @property
    def label(self) -> str:
        return VOLUMES[self.key]


def sign_volume(case, volume: Volume, unsigned: bytes, *, seal_at=None) -> None:
    """Seal the merged, page-numbered volume with the bureau's signer (the pluggable backend of
    settings.DOCUMENT_SIGNER); the stored hash will be that of the signed file. Any failure of the signer,
    whatever the backend raises, is an ArchiveError the records keeper reads."""
    from wuding_enforcement.shared.signing import SigningError, get_signer, sign_with

    refused = f"{volume.label}未能加盖电子签章，已停止组卷，案件未归档"
    try:
        signer = get_signer()
        volume.pdf = sign_with(
            signer, unsigned, reason=f"归档{volume.label}（{case.number}）", seal_at=seal_at
        )
    except SigningError as exc:
        raise ArchiveError(f"{refused}：{exc}") from exc
    except Exception as exc:  # noqa: BLE001 — another backend (an e-seal platform) may raise anything
        logger.exception("signing the %s of case %s failed", volume.key, case.pk)
        raise ArchiveError(f"{refused}：签章服务出错（{type(exc).__name__}：{exc}）。") from exc
    volume.signed = True
    volume.signature_note = "演示证书签章（非正式）" if getattr(signer, "demo", False) else "本局电子签章"


def _read_issued_pdf(document) -> bytes:
    """The issued PDF, refused unless it still has the SHA-256 stored when it was issued: a case file never
    carries a changed document (电子签名法 第十四条: later changes must be detectable)."""
    try:
        with document.pdf.open("rb") as f:
            data = f.read()
    except (FileNotFoundError, ValueError, OSError):
        raise ArchiveError(f"文书“{document}”的PDF文件缺失，已停止组卷，请联系管理员核查。") from None
    if hashlib.sha256(data).hexdigest() != document.pdf_sha256:
        raise ArchiveError(f"文书“{document}”的PDF与签发时的SHA-256不一致，已停止组卷，请联系管理员核查。")
    return data


def _page_count(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _render(template: str, context: dict, *, pdf_variant: str | None = None) -> bytes:
    from wuding_enforcement.shared.pdf import render_html_to_pdf

    # Parts are merged into the volume, which make_pdfa then declares PDF/A-3b as a whole: the fonts they
    # embed and their sRGB colours are what PDF/A asks; rendering them as plain PDF is faster.
    return render_html_to_pdf(render_to_string(template, context), pdf_variant=pdf_variant)


# --- PDF/A-3b: the volume like the documents inside it ---------------------------------------------------

PRODUCER = "pypdf"  # the signer then names itself as the last producer (shared/signing.py)
CREATOR = "武定县市场监督管理局 执法全过程记录"


def _pdf_date(moment: datetime.datetime) -> str:
    """D:YYYYMMDDHHmmSS+08'00' (PDF 32000 §7.9.4)."""
    offset = moment.strftime("%z") or "+0000"
    return moment.strftime("D:%Y%m%d%H%M%S") + f"{offset[:3]}'{offset[3:]}'"


def _xmp(*, title: str, author: str, subject: str, when: datetime.datetime) -> bytes:
    from xml.sax.saxutils import escape

    stamp = when.isoformat(timespec="seconds")
    return f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/">
   <pdfaid:part>3</pdfaid:part>
   <pdfaid:conformance>B</pdfaid:conformance>
   <dc:format>application/pdf</dc:format>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{escape(title)}</rdf:li></rdf:Alt></dc:title>
   <dc:creator><rdf:Seq><rdf:li>{escape(author)}</rdf:li></rdf:Seq></dc:creator>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{escape(subject)}</rdf:li></rdf:Alt></dc:description>
   <pdf:Producer>{escape(PRODUCER)}</pdf:Producer>
   <xmp:CreatorTool>{escape(CREATOR)}</xmp:CreatorTool>
   <xmp:CreateDate>{stamp}</xmp:CreateDate>
   <xmp:ModifyDate>{stamp}</xmp:ModifyDate>
   <xmp:MetadataDate>{stamp}</xmp:MetadataDate>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>""".encode()


def make_pdfa(writer, *, attachments, output_intents_from: bytes, title: str, subject: str) -> None:
    """Declare the merged volume PDF/A-3b, like the issued documents inside it (ISO 19005-3): an XMP packet
    with pdfaid part 3 / conformance B whose title, author, subject, producer, creator tool and dates are
    those of the document information dictionary; the sRGB output intent (taken from a page rendered as
    PDF/A); each attached original PDF as an associated file (AFRelationship Source, its MIME type). The
    fonts are those the parts embed. The bureau's signature, added after, updates both dates alike."""
    from pypdf import PdfReader
    from pypdf.generic import ArrayObject, NameObject, create_string_object

    when = timezone.localtime().replace(microsecond=0)
    author = settings.BUREAU_NAME
    writer.add_metadata(
        {
            "/Title": title,
            "/Author": author,
            "/Subject": subject,
            "/Creator": CREATOR,
            "/Producer": PRODUCER,
            "/CreationDate": _pdf_date(when),
            "/ModDate": _pdf_date(when),
        }
    )
    writer.xmp_metadata = _xmp(title=title, author=author, subject=subject, when=when)
    metadata = writer.root_object["/Metadata"].get_object()
    metadata[NameObject("/Type")] = NameObject("/Metadata")
    metadata[NameObject("/Subtype")] = NameObject("/XML")
    intents = PdfReader(io.BytesIO(output_intents_from)).trailer["/Root"].get("/OutputIntents")
    if intents is None:
        raise ArchiveError("组卷失败：封面缺少 PDF/A 输出意图（OutputIntent），请联系管理员核查。")
    writer.root_object[NameObject("/OutputIntents")] = intents.get_object().clone(writer)
    associated = ArrayObject()
    for embedded, document in attachments:
        embedded.subtype = NameObject("/application/pdf")  # written as /application#2Fpdf
        embedded.associated_file_relationship = NameObject("/Source")
        embedded.alternative_name = create_string_object(embedded.name)
        embedded.description = create_string_object(f"{document.type_title}（签发原件）")
        associated.append(embedded.pdf_object.indirect_reference)
    if associated:
        writer.root_object[NameObject("/AF")] = associated


def volume_of(document) -> str:
    """A registered type says its volume; an unknown type goes to the internal 副卷 (never shown to the
    party by mistake)."""
    from .doctypes import REGISTRY

    doctype = REGISTRY.get(document.doc_type)
    return doctype.volume if doctype is not None and doctype.volume in VOLUMES else "sub"


def issued_documents(case) -> list[Document]:
    """Every issued document of the case in issuing order, corrected ones included (both are kept)."""
    return list(
        Document.objects.filter(case=case, status=DocumentStatus.ISSUED)
        .select_related("party", "issued_by", "superseded_by")
        .order_by("issued_at", "pk")
    )


def _note(document) -> str:
    notes = []
    if document.supersedes_id:
        notes.append("更正文书")
    superseded = getattr(document, "superseded_by", None)
    if superseded is not None and superseded.is_issued:
        notes.append("已被更正")
    if document.classification != "general":
        notes.append(document.get_classification_display())
    return "；".join(notes)


def _moment_label(moment) -> str:
    return cn_datetime(moment)


def _document_label(document) -> str:
    number = document.number or (f"卷内第{document.file_seq}号" if document.file_seq else "草稿")
    return f"{document.type_title}（{number}）"


def _size_label(size: int) -> str:
    for unit, factor in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= factor:
            return f"{size / factor:.2f} {unit}"
    return f"{size} B"


def _duration_label(seconds) -> str:
    if seconds is None:
        return "——"
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}"


def _evidence_rows(case) -> list[dict]:
    rows = []
    items = (
        Evidence.objects.filter(case=case)
        .select_related("document", "uploaded_by")
        .order_by("uploaded_at", "pk")
    )
    for seq, item in enumerate(items, start=1):
        rows.append(
            {
                "seq": seq,
                "item": item,
                "act": _document_label(item.document) if item.document_id else "——",
                "recorded": f"录制：{_moment_label(item.recorded_at)}；" if item.recorded_at else "",
                "duration": _duration_label(item.duration) if item.kind != "photo" else "——",
                "size": _size_label(item.size),
                "status": (
                    f"已作废（{_moment_label(item.voided_at)}：{item.void_reason}）"
                    if item.voided_at
                    else "有效"
                ),
            }
        )
    return rows


def _approval_rows(case) -> list:
    return list(
        case.approvals.select_related("requested_by")
        .prefetch_related("opinions__by")
        .order_by("requested_at", "pk")
    )


def _stamp_overlay(count: int) -> bytes:
    """`count` A4 pages, each carrying its archive page number in the top right corner."""
    html = render_to_string("documents/casefile_pagenumbers.html", {"pages": range(1, count + 1)})
    from wuding_enforcement.shared.pdf import render_html_to_pdf

    return render_html_to_pdf(html, pdf_variant=None)


def _context(case, case_file, volume: Volume, **extra) -> dict:
    officers = [a.officer.display_name for a in case.assignments.select_related("officer")]
    return {
        "bureau": settings.BUREAU_NAME,
        "case": case,
        "case_file": case_file,
        "volume": volume,
        "parties": list(case.parties.all()),
        "officers": officers,
        "keeper": case_file.requested_by.display_name,
        "archived_on": timezone.localdate(),
        **extra,
    }


def _is_signature_widget(annotation) -> bool:
    node = annotation
    for _ in range(16):  # a field's /FT may sit on an ancestor in the field tree
        if node.get("/FT") == "/Sig":
            return True
        parent = node.get("/Parent")
        if parent is None:
            return False
        node = parent.get_object()
    return False


def _lift_seals(page):
    """Take an issued document's signature widgets off its page (call before the page is copied) and return
    a page-sized overlay that draws their appearance (the seal image) where they were, or None.

    Copied into the volume, the widgets would be signature fields whose byte ranges no longer match anything
    (viewers report them as broken), beside the volume's own seal."""
    from pypdf import PageObject
    from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

    annotations = page.get("/Annots")
    if not annotations:
        return None
    kept, operators, forms = ArrayObject(), [], DictionaryObject()
    for ref in annotations.get_object():
        annotation = ref.get_object()
        if annotation.get("/Subtype") != "/Widget" or not _is_signature_widget(annotation):
            kept.append(ref)
            continue
        appearance = annotation.get("/AP")
        normal = appearance.get_object().raw_get("/N") if appearance and "/N" in appearance else None
        if normal is None:
            continue
        form = normal.get_object()
        bx0, by0, bx1, by1 = (float(v) for v in form["/BBox"])
        rx0, ry0, rx1, ry1 = (float(v) for v in annotation["/Rect"])
        bx0, bx1, by0, by1 = min(bx0, bx1), max(bx0, bx1), min(by0, by1), max(by0, by1)
        rx0, rx1, ry0, ry1 = min(rx0, rx1), max(rx0, rx1), min(ry0, ry1), max(ry0, ry1)
        if bx1 <= bx0 or by1 <= by0:
            continue
        # Map the appearance's box onto the widget's rectangle, as a viewer does (PDF 32000 §12.5.5).
        sx, sy = (rx1 - rx0) / (bx1 - bx0), (ry1 - ry0) / (by1 - by0)
        name = f"/ArchivedSeal{len(operators)}"
        forms[NameObject(name)] = normal
        operators.append(f"q {sx:.6f} 0 0 {sy:.6f} {rx0 - bx0 * sx:.4f} {ry0 - by0 * sy:.4f} cm {name} Do Q")
    if kept:
        page[NameObject("/Annots")] = kept
    else:
        del page["/Annots"]
    if not operators:
        return None
    box = page.mediabox
    overlay = PageObject.create_blank_page(width=float(box.width), height=float(box.height))
    overlay[NameObject("/Resources")] = DictionaryObject({NameObject("/XObject"): forms})
    content = DecodedStreamObject()
    content.set_data("\n".join(operators).encode("ascii"))
    overlay.replace_contents(content)
    return overlay


def build_volume(
    case, case_file, key: str, documents: list[Document], progress: Callable[[float], None]
) -> Volume:
    """One volume: the documents' PDFs (hash-checked), the list closing it (evidence or approvals), then the
    catalogue and cover that describe them, merged and page-numbered into one PDF, then signed."""
    from pypdf import PdfReader, PdfWriter, Transformation

    volume = Volume(key=key)
    parts: list[Part] = []
    next_page = 1
    for i, document in enumerate(documents):
        data = _read_issued_pdf(document)
        part = Part(document=document, data=data, pages=_page_count(data), first=next_page)
        next_page += part.pages
        parts.append(part)
        progress(0.6 * (i + 1) / max(1, len(documents)))
    volume.document_pages = next_page - 1

    from wuding_enforcement.shared.pdf import render_html_to_pdf_and_seal_spot

    if key == "main":
        list_title = "音像证据清单"
        list_html = render_to_string(
            "documents/casefile_evidence.html",
            _context(case, case_file, volume, rows=_evidence_rows(case), title=list_title),
        )
    else:
        list_title = "审批记录"
        list_html = render_to_string(
            "documents/casefile_approvals.html",
            _context(case, case_file, volume, approvals=_approval_rows(case), title=list_title),
        )
    # The list closes the volume: the seal goes over its 组卷 block (the keeper, the bureau, the date).
    list_pdf, list_seal = render_html_to_pdf_and_seal_spot(list_html, pdf_variant=None)
    volume.list_pages = _page_count(list_pdf)
    progress(0.7)

    for seq, part in enumerate(parts, start=1):
        doc = part.document
        volume.entries.append(
            Entry(
                seq=seq,
                title=doc.type_title,
                number=doc.number or (f"卷内第{doc.file_seq}号" if doc.file_seq else ""),
                date=doc.act_date or timezone.localdate(doc.issued_at),
                page_range=part.page_range,
                note=_note(doc),
            )
        )
    list_first = next_page
    list_last = list_first + volume.list_pages - 1
    volume.entries.append(
        Entry(
            seq=len(parts) + 1,
            title=list_title,
            number="",
            date=timezone.localdate(),
            page_range=str(list_first) if list_first == list_last else f"{list_first}-{list_last}",
        )
    )
    body_pages = list_last
    catalogue_pdf = _render(
        "documents/casefile_catalogue.html", _context(case, case_file, volume, entries=volume.entries)
    )
    volume.catalogue_pages = _page_count(catalogue_pdf)
    cover_pdf = _render(
        "documents/casefile_cover.html",
        _context(case, case_file, volume, items=len(volume.entries), body_pages=body_pages),
        # PDF/A: the cover brings the sRGB output intent the volume declares (make_pdfa).
        pdf_variant="pdf/a-3b",
    )
    volume.cover_pages = _page_count(cover_pdf)
    progress(0.8)

    writer = PdfWriter()
    for front in (cover_pdf, catalogue_pdf):
        writer.append(PdfReader(io.BytesIO(front)))
    overlay = PdfReader(io.BytesIO(_stamp_overlay(body_pages)))
    body = [PdfReader(io.BytesIO(part.data)) for part in parts] + [PdfReader(io.BytesIO(list_pdf))]
    number = 0
    for reader in body:
        for page in reader.pages:
            seals = _lift_seals(page)
            stamp = overlay.pages[number]
            box = page.mediabox
            # Move the A4 overlay so its top right corner meets this page's top right corner.
            dx = float(box.right) - A4[0]
            dy = float(box.top) - A4[1]
            added = writer.add_page(page)  # merge onto the writer's copy (pypdf 7 refuses reader pages)
            if seals is not None:
                added.merge_page(seals)
            added.merge_transformed_page(stamp, Transformation().translate(dx, dy))
            number += 1
    attachments = []
    for part in parts:
        doc = part.document
        name = f"{part.first:04d}-{doc.doc_type}-{doc.pk}.pdf"
        attachments.append((writer.add_attachment(name, part.data), doc))
    make_pdfa(
        writer,
        attachments=attachments,
        output_intents_from=cover_pdf,
        title=f"{case.number} {case.title}（{volume.label}）",
        subject=f"行政处罚案卷{volume.label}",
    )
    out = io.BytesIO()
    writer.write(out)
    volume.pages = len(writer.pages)
    progress(0.9)
    seal_at = None
    if list_seal is not None:
        # The list's pages follow the cover, the catalogue and the documents in the merged volume.
        offset = volume.cover_pages + volume.catalogue_pages + volume.document_pages
        seal_at = replace(list_seal, page=offset + list_seal.page)
    sign_volume(case, volume, out.getvalue(), seal_at=seal_at)
    volume.sha256 = hashlib.sha256(volume.pdf).hexdigest()
    progress(1.0)
    return volume


def assemble(case_file, progress: Callable[[int], None] | None = None) -> dict[str, Volume]:
    """Both volumes of the case file. `progress` receives a percentage (0–100) as the work advances."""
    report = progress or (lambda pct: None)
    case = case_file.case
    documents = issued_documents(case)
    # Each volume in the bureau's filing order (an admin setting, recording.models.filing; docs/domain.md §6).
    filing = FilingOrder.current()
    by_volume = {
        key: filing_sorted([d for d in documents if volume_of(d) == key], key, filing) for key in VOLUMES
    }
    volumes = {}
    # The 正卷 carries most pages: give it most of the bar (5–70 %), the 副卷 70–95 %.
    spans = {"main": (5, 70), "sub": (70, 95)}
    with calendar.cached():
        for key in VOLUMES:
            low, high = spans[key]
            volumes[key] = build_volume(
                case,
                case_file,
                key,
                by_volume[key],
                lambda share, low=low, high=high: report(int(low + (high - low) * share)),
            )
    return volumes
