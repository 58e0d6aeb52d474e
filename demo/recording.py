"""Demo data of recording: issued documents (with their PDFs) at the stages the demo cases have reached, and a
few small real media files (a generated video clip, photos, an audio note) linked to the acts they record.

Everything goes through the domain: drafts validated by their type's own form, Document.issue() (numbers,
PDF, SHA-256, every gate), evidence through recording.evidence.ingest_file. A type that is not registered,
or a gate that refuses (an officer's expired certificate, no passed legal review yet), is skipped with a note:
the demo shows the rules working rather than bending them. Kept small so seeding takes a few seconds.
Called from demo/seeding.py (demo mode only).
"""

import datetime
import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from django import forms
from django.utils import timezone

from recording.doctypes import REGISTRY
from recording.models import Document, PartySignature
from wuding_enforcement.cases.models import Case
from wuding_enforcement.cases.workflow import Procedure, Stage, TransitionRefused

# Cases given documents: at most one per stage, at most this many (PDF rendering is the slow part).
MAX_CASES = 6
MAX_DOCS_PER_CASE = 2

# The milestones a case has passed, in order, and the document each one leaves in the file.
MILESTONES = [
    (Stage.LEAD, "lead_register"),
    (Stage.FILED, "filing_approval"),
    (Stage.INVESTIGATING, "onsite_record"),
    (Stage.INVESTIGATION_CONCLUDED, "investigation_report"),
    (Stage.NOTIFIED, "penalty_notice"),
    (Stage.DECIDED, "penalty_decision"),
    (Stage.SERVED, "service_receipt"),
    (Stage.CLOSED, "closing_approval"),
]
ORDER = [
    Stage.LEAD,
    Stage.VERIFYING,
    Stage.FILED,
    Stage.INVESTIGATING,
    Stage.INVESTIGATION_CONCLUDED,
    Stage.NOTIFIED,
    Stage.STATEMENT,
    Stage.LEGAL_REVIEW,
    Stage.COLLECTIVE,
    Stage.DECIDED,
    Stage.SERVED,
    Stage.EXECUTING,
    Stage.CLOSED,
    Stage.ARCHIVED,
]
AV_EXEMPTION = "现场检查过程简单、当事人无异议，现场笔录及现场照片足以全面、有效记录执法活动。"


def _texts(case, party_name):
    """Readable values for the text fields the demo fills (by field name); other fields get a generic one."""
    return {
        "place": "武定县狮山镇正街"
        + (case.parties.first().address[-4:] if case.parties.exists() else "某号"),
        "present_person": f"{party_name}的现场负责人（店长）",
        "findings": (
            f"执法人员出示执法证件后对{party_name}经营场所进行检查。货架上陈列的部分预包装食品已超过标签标注的"
            "保质期，共计12袋，生产日期2025年9月1日，保质期12个月；现场未见进货查验记录。"
        ),
        "measures": "对超过保质期的食品拍照取证，责令当事人立即下架。",
        "summary": case.lead_summary or f"{case.title}：群众来电反映有关情况。",
        "facts": (
            f"经查，{party_name}于近期在其经营场所销售超过保质期的预包装食品，货值金额较小，"
            "当事人对上述事实无异议。"
        ),
        "evidence": "1. 现场笔录；2. 现场照片及执法记录仪录像；3. 询问笔录；4. 当事人营业执照复印件。",
        "violation_type": "经营超过保质期的食品",
        "basis_violated": "《中华人民共和国食品安全法》第三十四条第（十）项",
        "basis_penalty": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "discretion_reason": "当事人积极配合调查，主动下架涉案食品，属初次违法，依裁量基准予以一般处罚。",
        "performance": "自收到本决定书之日起十五日内，到指定银行缴纳罚款。",
        "handler_opinion": "事实清楚，证据确凿，建议按程序办理。",
        "opinion": "事实清楚，证据确凿，建议按程序办理。",
        "recipient": party_name,
        "reason": "经核查，有证据初步证明当事人涉嫌违反市场监督管理法律法规。",
        "informant_name": "群众（12315热线来电）",
    }


def _choices(field):
    flat = []
    for value, label in field.choices:
        if isinstance(label, list | tuple):
            flat.extend(v for v, _ in label)
        else:
            flat.append(value)
    return [v for v in flat if v not in ("", None)]


def _fill(doctype, case, day: datetime.date, party_name: str) -> dict:
    """Form data for a draft of `doctype`: the type's own initial values, readable texts where the field
    name is known, and a plain value of the right kind elsewhere."""
    form = doctype.form(case=case)
    texts = _texts(case, party_name)
    initial = doctype.initial(case) or {}
    start = datetime.datetime.combine(day, datetime.time(9, 30))
    data = {}
    for name, field in form.fields.items():
        if name in initial and initial[name] not in (None, ""):
            value = initial[name]
            data[name] = value.isoformat() if hasattr(value, "isoformat") else value
            continue
        if isinstance(field, forms.BooleanField):
            data[name] = "on" if field.required or name in ("certificates_shown", "rights_notice") else ""
        elif isinstance(field, forms.MultipleChoiceField):
            data[name] = _choices(field)[:1]
        elif isinstance(field, forms.ChoiceField):
            options = _choices(field)
            data[name] = options[0] if options else ""
        elif isinstance(field, forms.DateTimeField):
            moment = start + datetime.timedelta(minutes=40 if "end" in name else 0)
            if name.startswith("served"):
                # After the served document was issued (a minute later: the form keeps minutes only).
                moment = timezone.localtime().replace(tzinfo=None) + datetime.timedelta(minutes=1)
            elif name.startswith("attend"):
                # A week ahead of the notice, which is served now (never a time already past).
                ahead = max(day, timezone.localdate()) + datetime.timedelta(days=7)
                moment = datetime.datetime.combine(ahead, datetime.time(9, 30))
            data[name] = moment.strftime("%Y-%m-%dT%H:%M")
        elif isinstance(field, forms.DateField):
            data[name] = day.isoformat() if field.required else ""
        elif isinstance(field, forms.DecimalField):
            data[name] = "3000.00" if field.required else ""
        elif isinstance(field, forms.IntegerField):
            data[name] = str(field.initial or max(field.min_value or 1, 15))
        elif isinstance(field, forms.CharField):
            data[name] = texts.get(name, f"{field.label}：详见案卷（演示数据）。" if field.required else "")
        else:
            data[name] = ""
    if "discretion" in data:
        data["discretion"] = "ordinary"
    if "penalty_types" in data:
        data.update(penalty_types=["warning", "fine"])
        if "fine_amount" in data:
            data["fine_amount"] = "3000.00"
    return data


def _reached(case) -> list[str]:
    """The document keys of the milestones this case has passed (by its stage and its history)."""
    stages = {case.stage} | {t.to_stage for t in case.transitions.all()}
    furthest = max((ORDER.index(s) for s in stages if s in ORDER), default=0)
    return [key for stage, key in MILESTONES if ORDER.index(stage) <= furthest]


def _day_for(case, key) -> datetime.date:
    if key == "lead_register":
        return case.lead_date
    return case.filed_on or case.lead_date


class _RecordingSeeder:
    def __init__(self, out):
        self.out = out
        self.issued = 0
        self.drafts = 0
        self.media = 0
        self.notes: list[str] = []

    def run(self):
        cases = self._pick_cases()
        plans = [(case, [k for k in _reached(case) if k in REGISTRY][-MAX_DOCS_PER_CASE:]) for case in cases]
        media_case = next((case for case, keys in plans if "onsite_record" in keys), None)
        for case, keys in plans:
            for key in keys:
                with_media = case is media_case and key == "onsite_record"
                self._document(case, REGISTRY[key], with_media=with_media)
        # One unfinished draft, so the workspace shows a record waiting to be issued.
        draft_case = next((c for c in cases if c.stage == Stage.INVESTIGATING), None)
        if draft_case is not None and "inquiry_notice" in REGISTRY:
            self._document(draft_case, REGISTRY["inquiry_notice"], issue=False)
        return self

    def _pick_cases(self) -> list[Case]:
        seen, picked = set(), []
        for case in (
            Case.objects.filter(procedure=Procedure.ORDINARY)
            .exclude(stage=Stage.ARCHIVED)
            .select_related("handling_unit")
            .prefetch_related("transitions", "assignments__officer", "parties")
            .order_by("lead_year", "lead_seq")
        ):
            if case.stage not in seen and len(picked) < MAX_CASES:
                seen.add(case.stage)
                picked.append(case)
        return picked

    def _document(self, case, doctype, *, issue=True, with_media=False, overrides=None, day=None):
        if Document.objects.filter(case=case, doc_type=doctype.key, status="issued").exists() and (
            doctype.key != "service_receipt" or not overrides
        ):
            return None  # already on file (the lawful walk issued it: demo/procedure.py)
        if (
            doctype.key in ("penalty_decision", "no_penalty_decision")
            and Document.objects.filter(
                case=case,
                doc_type__in=("penalty_decision", "no_penalty_decision"),
                superseded_by__isnull=True,
            ).exists()
        ):
            # legal_review's demo already made the reviewed decision: a second one would undo its approval.
            return None
        if (
            doctype.key == "service_receipt"
            and not Document.objects.filter(case=case, status="issued").exists()
        ):
            return None  # nothing issued in this demo case yet, so nothing to serve
        officers = [a.officer for a in case.assignments.all()]
        parties = list(case.parties.all())
        party = parties[0] if parties else None
        day = day or _day_for(case, doctype.key)
        filled = _fill(doctype, case, day, party.name if party else "当事人")
        filled.update(overrides or {})
        form = doctype.form(filled, case=case)
        if not form.is_valid():
            errors = "；".join(f"{k}: {v[0]}" for k, v in form.errors.items())
            self.notes.append(f"{doctype.title}：演示内容未通过校验，未生成（{errors}）")
            return None
        document = Document.objects.create(
            case=case,
            doc_type=doctype.key,
            data=doctype.to_json(form.cleaned_data),
            party=party if doctype.to_party else None,
            act_date=day if doctype.act else None,
            act_place=form.cleaned_data.get("place", "") if doctype.act else "",
            av_exemption="" if with_media or not doctype.av else AV_EXEMPTION,
            party_signature=PartySignature.PENDING
            if Document(doc_type=doctype.key).takes_party_signature
            else PartySignature.NOT_APPLICABLE,
            created_by=officers[0],
        )
        if doctype.act:
            document.officers.set(officers)
        if with_media:
            self._media(case, document, officers[0])
        if not issue:
            self.drafts += 1
            return document
        try:
            document.issue(by=officers[0])
        except TransitionRefused as refused:
            # The draft stays, as it would for an officer: the workspace shows why it cannot be issued yet.
            self.drafts += 1
            self.notes.append(f"{case.number} {doctype.title}保留为草稿：{refused.messages[0]}")
            return document
        self.issued += 1
        if document.takes_party_signature:
            # The same domain method as the page (Document.record_party_signature): locked, audited.
            signed_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 20)))
            document.record_party_signature(
                by=officers[0], outcome=PartySignature.SIGNED, signed_at=min(signed_at, timezone.now())
            )
        return document

    # --- media ---

    def _media(self, case, document, officer):
        try:
            from recording.evidence import EvidenceRefused, ingest_file
        except ImportError:
            self.notes.append("音像证据模块尚未就绪，未生成演示音像记录。")
            return
        files = [("photo", "现场照片：货架全景", _photo("货架全景", (46, 94, 160)), "shelf.jpg")]
        files.append(
            ("photo", "现场照片：过期食品标签", _photo("生产日期 2025-09-01", (160, 70, 46)), "label.jpg")
        )
        ffmpeg = shutil.which("ffmpeg")
        if ffmpeg:
            with tempfile.TemporaryDirectory() as tmp:
                video = _ffmpeg_video(ffmpeg, Path(tmp) / "clip.mp4")
                audio = _ffmpeg_audio(ffmpeg, Path(tmp) / "note.m4a")
            if video:
                files.append(("video", "执法记录仪录像：现场检查", video, "DSJ_0001.mp4"))
            if audio:
                files.append(("audio", "录音：现场告知当事人权利", audio, "note.m4a"))
        else:
            self.notes.append("未安装 ffmpeg：演示数据只含照片，未生成录像和录音（apt-get install ffmpeg）。")
        for _kind, title, content, name in files:
            try:
                ingest_file(
                    case,
                    officer,
                    io.BytesIO(content),
                    len(content),
                    title=title,
                    document=document,
                    original_name=name,
                )
            except EvidenceRefused as refused:
                self.notes.append(f"{title}未上传：{refused.message}")
            else:
                self.media += 1


def _photo(caption: str, colour) -> bytes:
    """A small JPEG that looks like a labelled photo (Pillow; no font needed for the shapes)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 320), (236, 239, 243))
    draw = ImageDraw.Draw(image)
    for i in range(4):
        draw.rectangle([30, 40 + 65 * i, 450, 90 + 65 * i], outline=(80, 80, 80), width=3)
        for j in range(6):
            draw.rectangle([45 + 68 * j, 50 + 65 * i, 95 + 68 * j, 85 + 65 * i], fill=colour)
    draw.text((12, 298), caption.encode("ascii", "ignore").decode() or "photo", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return buffer.getvalue()


def _run(args) -> bool:
    try:
        return subprocess.run(args, capture_output=True, timeout=30, check=False).returncode == 0  # noqa: S603
    except (OSError, subprocess.TimeoutExpired):
        return False


def _ffmpeg_video(ffmpeg, path: Path) -> bytes | None:
    """A 3-second test pattern with a timestamp-like counter: small (tens of kB) and playable in a browser."""
    base = [ffmpeg, "-v", "error", "-y", "-f", "lavfi", "-i", "testsrc=duration=3:size=320x240:rate=10"]
    for codec in (["-c:v", "libx264", "-pix_fmt", "yuv420p"], ["-c:v", "mpeg4"]):
        if _run([*base, *codec, "-movflags", "+faststart", str(path)]) and path.exists():
            return path.read_bytes()
    return None


def _ffmpeg_audio(ffmpeg, path: Path) -> bytes | None:
    if _run(
        [
            ffmpeg,
            "-v",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-c:a",
            "aac",
            str(path),
        ]
    ):
        return path.read_bytes() if path.exists() else None
    return None


def seed_recording_demo(out=None) -> _RecordingSeeder:
    """Add recording's demo data to the demo cases already seeded. Returns what was made and any notes."""
    return _RecordingSeeder(out).run()
