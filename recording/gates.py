"""Document gates: rules checked before a document is issued. recording registers its own (officers present,
audio-video); legal_review registers "no major decision without a passed review" on the decision types.
A gate takes (document, user) and returns or yields problems in Chinese; none means it may be issued.
Both hooks are Registries (the one hook mechanism, wuding_enforcement/shared/registry.py) keyed by doc_type."""

from collections.abc import Callable, Iterable

from wuding_enforcement.shared.registry import Registry

DocumentGate = Callable[[object, object], Iterable[str] | None]
document_gates = Registry("recording.document_gates", "May this document be issued?")
after_issue = Registry(
    "recording.after_issue", "Run inside the issuing transaction (e.g. a publication draft)."
)


def register_document_gate(func=None, *, doc_types: Iterable[str] | None = None, name: str | None = None):
    return document_gates.register(func, keys=doc_types, name=name)


def register_after_issue(func=None, *, doc_types: Iterable[str] | None = None, name: str | None = None):
    """Hooks run inside the issuing transaction (e.g. disclosure opens a publication draft)."""
    return after_issue.register(func, keys=doc_types, name=name)


def check(document, user) -> list[str]:
    return document_gates.collect(document.doc_type, document, user)


def run_after_issue(document, user) -> None:
    after_issue.run(document.doc_type, document, user)
