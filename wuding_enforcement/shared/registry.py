"""The one hook mechanism (docs/architecture.md, "Hooks").

The shared domain offers hooks; the systems register into them from their AppConfig.ready(), so the lower
floor never imports the upper one. Each hook is a `Registry`: named entries, each for some keys (target stages,
document types, approval kinds) or for all, registered once even when ready() runs twice. The registries are:

- cases.workflow: `gates` (may a case enter a stage?) and `after` (run after a transition, same transaction);
- cases.models.approvals: `approval_effects` (what an approved request does to its case) and `approval_rules`
  (may the case ask for this kind of approval at its stage and procedure?);
- cases.annual: `annual_counts` (a system's count of a figure of the annual statistics);
- recording.gates: `document_gates` (may a document be issued?) and `after_issue` (same transaction);
- shared.refusals: `refusal_recorders` (the audit app writes the row of each refusal the handler shows).
"""

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    name: str
    keys: frozenset | None  # None: every key
    func: Callable


class Registry:
    def __init__(self, name: str, doc: str = ""):
        self.name = name
        self.__doc__ = doc
        self._entries: list[Entry] = []

    def register(
        self, func: Callable | None = None, *, keys: Iterable | None = None, name: str | None = None
    ):
        """Register `func` for `keys` (every key when None); usable as a decorator with or without arguments.
        Registering the same name again is a no-op."""

        def add(f):
            key = name or f"{f.__module__}.{f.__qualname__}"
            if all(entry.name != key for entry in self._entries):
                self._entries.append(Entry(key, frozenset(keys) if keys else None, f))
            return f

        return add if func is None else add(func)

    def for_key(self, key) -> Iterator[Callable]:
        for entry in self._entries:
            if entry.keys is None or key in entry.keys:
                yield entry.func

    def collect(self, key, *args, **kwargs) -> list:
        """Call every entry for `key` and gather what each returns or yields (a gate's problems)."""
        found: list = []
        for func in self.for_key(key):
            found.extend(func(*args, **kwargs) or ())
        return found

    def run(self, key, *args, **kwargs) -> None:
        for func in self.for_key(key):
            func(*args, **kwargs)

    def names(self) -> list[str]:
        return [entry.name for entry in self._entries]

    def __repr__(self):
        return f"<Registry {self.name}: {len(self._entries)} entries>"
