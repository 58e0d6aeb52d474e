"""The redaction hooks of published inspection results and the preview the officer confirms.

Redaction as for decisions (总局令第45号 第六条、第七条; 个人信息保护法): the text the officer writes is redacted
by the rules disclosure registers here (register_redactor — disclosure publishes, this app never imports it):
the names of natural persons the inspection's case records or the text names by role, ID numbers, phones, home
addresses ... and, for a 个体工商户, its operator's name (register_public_name: the entity's published name, e.g.
武定县张某小吃店). Each redaction is logged on the inspection (public_redactions: where, what, why), so the
published text equals the written one apart from logged redactions.

The preview (preview()) is what the officer sees before publishing or correcting: the public name, the public
text cut into pieces with each redaction marked, and a digest of all of it. Inspection.publish() and
Inspection.correct_publication() take the digest the officer confirmed and refuse when the preview computed
again under the row lock differs (the text was changed, or a rule or the case's records changed since): what
is stored is exactly what was seen. The open data, the Atom feed and the credit export read Inspection.objects.published()
through disclosure/inspection_results.py.
"""

import hashlib
import json
from dataclasses import dataclass, field

from .refusing import InspectionRefused

# (inspection, text) -> (public text, [{"start", "end", "original", "replacement", "kind", "label", "origin"}]),
# positions in the written text. Registered by disclosure (DisclosureConfig.ready()).
_redactors: list = []
# (entity) -> its published name (a 个体工商户's operator masked). Registered by disclosure.
_namers: list = []


def register_redactor(func) -> None:
    if func not in _redactors:
        _redactors.append(func)


def register_public_name(func) -> None:
    if func not in _namers:
        _namers.append(func)


def redact(inspection, text: str) -> tuple[str, list[dict]]:
    """The public text and the redaction log of `text` (unchanged when no redactor is registered)."""
    log: list[dict] = []
    for func in _redactors:
        if log:
            raise RuntimeError("only one redactor may change an inspection's public text")
        text, log = func(inspection, text)
    return text, log


def public_entity_name(entity) -> str:
    """The entity's name as the public site shows it (any object with name, kind, representative)."""
    name = entity.name
    for func in _namers:
        name = func(entity)
    return name


@dataclass
class Preview:
    """The public text of a written one, exactly as publish()/correct() would store it."""

    written: str
    text: str
    entity_name: str
    real_name: str
    redactions: list[dict]
    digest: str = ""
    # (piece of the public text, the redaction it replaces or None)
    pieces: list[tuple[str, dict | None]] = field(default_factory=list)

    @property
    def name_masked(self) -> bool:
        return self.entity_name != self.real_name


def preview(inspection, text: str) -> Preview:
    written = (text or "").strip()
    public_text, log = redact(inspection, written)
    name = public_entity_name(inspection.entity)
    canonical = json.dumps(
        {"written": written, "text": public_text, "name": name, "redactions": log},
        ensure_ascii=False,
        sort_keys=True,
    )
    return Preview(
        written=written,
        text=public_text,
        entity_name=name,
        real_name=inspection.entity.name,
        redactions=log,
        digest=hashlib.sha256(canonical.encode()).hexdigest(),
        pieces=_pieces(written, log),
    )


def _pieces(written: str, log: list[dict]) -> list[tuple[str, dict | None]]:
    """The public text as pieces: unchanged written text, and each redaction's replacement with its entry."""
    out: list[tuple[str, dict | None]] = []
    pos = 0
    for entry in sorted(log, key=lambda r: r["start"]):
        if entry["start"] > pos:
            out.append((written[pos : entry["start"]], None))
        out.append((entry["replacement"], entry))
        pos = entry["end"]
    if pos < len(written):
        out.append((written[pos:], None))
    return out


class PreviewChanged(InspectionRefused):
    """The confirmed preview is not what publishing would store now: the page shows `preview` instead."""

    def __init__(self, messages, *, action: str, obj=None, preview: Preview):
        super().__init__(messages, action=action, obj=obj)
        self.preview = preview
