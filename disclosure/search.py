"""The search of published decisions as people type it (a phone keyboard, half- or full-width, any brackets):
the semantics live here, the query in PublicationQuerySet.search() — one query, answered by an index.

Two things are stored per publication when it is published:
- ``search_grams``: tagged 2-character shingles of the normalised search keys (p=party, v=violation,
  n=document number), indexed on PostgreSQL with GIN over string_to_array() (migration 0002): pg_trgm indexes
  nothing under 3 characters, and Chinese searches are often 2 characters (docs/stack.md, trap 5);
- ``number_key`` and ``party_key``: the normalised 文号 and party name, which the grams' hits are checked
  against (order of characters, exact sequence numbers).

A 文号 that names a sequence (12号, [2026]12, 武市监处罚〔2026〕12号) is not looked up by its grams on PostgreSQL:
those of the bureau's prefix and of the year are in nearly every row. It is found by its sequence on a B-tree of
what follows » in ``number_key`` (migration 0013, number_sequence() below), then checked against the whole key.
Row by row (a scan, a bounded count, the newest-first page) each gram is found with strpos() in the stored text,
without building the row's array; a term of two grams or more read on the GIN index is not tested again so
(the index's exact pages answer it). tests/disclosure/test_search_paths_agree.py compares both with the grams'
array for several hundred terms. The columns checked row by row (violation, party and 文号 keys) are kept
inside the row (migration 0014): out of line, each check read a TOAST page.

A 文号 is normalised to ``<prefix>«<year>»<sequence>号``: 武市监处罚〔2026〕12号 → 武市监处罚«2026»12号. A typed
number goes through the same steps — NFKC (full-width digits and brackets), any bracket style or none, with or
without 第/号, with or without the prefix, a year alone, a sequence alone:

    (2026)1号 · [2026]1号 · 2026 1号 · 武市监处罚(2026)1号 · 〔2026〕1号   → «2026»1号  (exactly 1号)
    [2026]1 · 2026 1                                                    → «2026»1    (1号, 10号–19号, 100号…)
    12号 · 第12号                                                        → »12号      (12号 of any year)
    2026 · （2026）                                                      → «2026»
    处罚 · 武市监                                                         → the prefix, anywhere

A party name is matched in full or in part, whitespace and full/half width ignored.
"""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")
# Tag of each searchable field in the grams: p=party, v=violation, n=document number.
FIELD_TAGS = (("p", "party_name"), ("v", "violation_type"), ("n", "document_number"))
KEY_FIELDS = {"party_name": "party_key", "document_number": "number_key"}

_BRACKETS = re.compile(r"[()\[\]{}〔〕【】〈〉《》「」『』«»<>（）［］｛｝〖〗\s·．.,，、/\\\-—_:：#]+")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_SEQUENCE = re.compile(r"^年?第?(\d+)(号?)")


def _norm(value: str) -> str:
    return _WHITESPACE.sub("", unicodedata.normalize("NFKC", value or "")).lower()


def text_key(value: str) -> str:
    """A name or a phrase for matching: NFKC (full-width letters, digits, brackets), no whitespace, lower case."""
    return _norm(value)


def number_key(value: str) -> str:
    """A 文号, issued or typed, in the form ``<prefix>«<year>»<sequence>号`` (parts that are absent are left out;
    a sequence typed without a year is anchored after a year: ``»12号``)."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    year_match = _YEAR.search(text)
    if year_match is None:
        bare = _BRACKETS.sub("", text)
        digits = re.search(r"第?(\d+)(号?)", bare)
        if digits is None:
            return bare.lower()
        prefix = bare[: digits.start()]
        return f"{prefix}»{digits.group(1).lstrip('0') or '0'}{digits.group(2)}".lower()
    prefix = _BRACKETS.sub("", text[: year_match.start()])
    rest = _BRACKETS.sub("", text[year_match.end() :])
    key = f"{prefix}«{year_match.group(1)}»"
    sequence = _SEQUENCE.match(rest)
    if sequence is not None:
        key += (sequence.group(1).lstrip("0") or "0") + sequence.group(2)
    return key.lower()


def number_sequence(key: str) -> str:
    """The part of a typed 文号 key after its » (the sequence: «2026»12号 → 12号, »12 → 12), or '' when it names
    none. A stored key has at most one » (number_key strips every bracket from the text around the ones it
    adds), so a row containing a typed key has its own part after » starting with this — what the B-tree of
    migration 0013 finds."""
    return key.rpartition("»")[2] if "»" in key else ""


def _grams(tag: str, norm: str) -> set[str]:
    return {f"{tag}{norm[i : i + 2]}" for i in range(len(norm) - 1)}


def field_key(field: str, value: str) -> str:
    return number_key(value) if field == "document_number" else text_key(value)


def search_grams(*, party_name: str, violation_type: str, document_number: str) -> str:
    """Tagged 2-character shingles of the search keys, e.g. 'p某某 p商贸 v过期 n«2 …'."""
    values = {"party_name": party_name, "violation_type": violation_type, "document_number": document_number}
    grams: set[str] = set()
    for tag, field in FIELD_TAGS:
        grams |= _grams(tag, field_key(field, values[field]))
    return " ".join(sorted(grams))


def term_grams(tag: str, term: str) -> list[str]:
    """The grams a typed term must find (the term normalised like the field it searches)."""
    field = dict(FIELD_TAGS)[tag]
    return sorted(_grams(tag, field_key(field, term)))


# --- Reading a large result newest first --------------------------------------------------------------------
#
# A common term matches tens of thousands of decisions: the GIN index finds them all, and sorting them to show
# the newest twenty fetched every one of them. The list reads its page instead by walking the listed index
# newest first over a window of the newest decisions, the same search checked row by row, stopping at the
# page's last row; the window being a prefix of the list's order, the rows it yields are exactly the rows the
# full query would show, whenever it holds the whole page. When it does not (a rarer term), the page is read by
# the index as before. A result of at most SMALL_RESULT rows is read by the index at once (sorting it is cheap).

NEWEST_WINDOW = 1000
SMALL_RESULT = 200


def window_start(listed, order):
    """The publication date of the NEWEST_WINDOW-th newest listed decision (the window: that date and after),
    or None when there are fewer: then the window is the whole list."""
    size = NEWEST_WINDOW
    return listed.order_by(*order).values_list(order[0].lstrip("-"), flat=True)[size - 1 : size].first()


def read_newest_first(page, window) -> bool:
    """Fill `page` (a BoundedPaginator page over the indexed search) from `window` — the same search, unindexed,
    over the newest decisions, in the same order — when the window holds the whole page. Returns whether it did;
    otherwise the page keeps its own (indexed) rows."""
    paginator = page.paginator
    bottom = (page.number - 1) * paginator.per_page
    if paginator.capped:
        expected = paginator.per_page
    else:
        if paginator.count <= SMALL_RESULT:
            return False
        expected = max(0, min(paginator.per_page, paginator.count - bottom))
    rows = list(window[bottom : bottom + expected]) if expected else []
    if len(rows) != expected:
        return False
    page.object_list = rows
    return True
