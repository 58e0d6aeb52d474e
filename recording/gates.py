"""Document gates: rules checked before a document is issued. recording registers its own (officers present,
audio-video); legal_review registers "no major decision without a passed review" on the decision types.
A gate takes (document, user) and returns or yields problems in Chinese; none means it may be issued."""

from collections.abc import Callable, Iterable

DocumentGate = Callable[[object, object], Iterable[str] | None]
_gates: list[tuple[frozenset | None, str, DocumentGate]] = []
_after_issue: list[tuple[frozenset | None, str, Callable]] = []


def _register(registry, func, doc_types, name):
    key = name or f"{func.__module__}.{func.__qualname__}"
    if all(existing != key for _, existing, _ in registry):
        registry.append((frozenset(doc_types) if doc_types else None, key, func))
    return func


def register_document_gate(func=None, *, doc_types: Iterable[str] | None = None, name: str | None = None):
    if func is None:
        return lambda f: _register(_gates, f, doc_types, name)
    return _register(_gates, func, doc_types, name)


def register_after_issue(func=None, *, doc_types: Iterable[str] | None = None, name: str | None = None):
    """Hooks run inside the issuing transaction (e.g. disclosure opens a publication draft)."""
    if func is None:
        return lambda f: _register(_after_issue, f, doc_types, name)
    return _register(_after_issue, func, doc_types, name)


def check(document, user) -> list[str]:
    problems: list[str] = []
    for doc_types, _, gate in _gates:
        if doc_types is None or document.doc_type in doc_types:
            problems.extend(gate(document, user) or ())
    return problems


def run_after_issue(document, user) -> None:
    for doc_types, _, hook in _after_issue:
        if doc_types is None or document.doc_type in doc_types:
            hook(document, user)
