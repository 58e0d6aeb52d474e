"""The redaction hook of published inspection results (Inspection.publish in models/tasks.py calls it).

Redaction as for decisions (总局令第45号 第六条、第七条; 个人信息保护法): the text the officer writes is redacted
at publish() by the rules disclosure registers here (register_redactor — disclosure publishes, this app never
imports it): the names of natural persons the inspection's case records or the text names by role, ID
numbers, phones, home addresses ... Each redaction is logged on the inspection (public_redactions: where, what,
why), so the published text equals the written one apart from logged redactions. The open data, the Atom feed
and the credit export read Inspection.objects.published() through disclosure/inspection_results.py.
"""

# (inspection, text) -> (public text, [{"start", "end", "original", "replacement", "kind", "origin"}, ...]),
# positions in the written text. Registered by disclosure (DisclosureConfig.ready()).
_redactors: list = []


def register_redactor(func) -> None:
    if func not in _redactors:
        _redactors.append(func)


def redact(inspection, text: str) -> tuple[str, list[dict]]:
    """The public text and the redaction log of `text` (unchanged when no redactor is registered)."""
    log: list[dict] = []
    for func in _redactors:
        if log:
            raise RuntimeError("only one redactor may change an inspection's public text")
        text, log = func(inspection, text)
    return text, log
