"""The search index of published decisions: tagged 2-character shingles ("grams") of the searchable summary
fields, stored in Publication.search_grams and matched by PublicationQuerySet.search().

PostgreSQL indexes string_to_array(search_grams) with GIN (migration 0002 of the publication models): pg_trgm
indexes nothing under 3 characters, and Chinese searches are often 2 characters (docs/stack.md, trap 5).
"""

import re

_WHITESPACE = re.compile(r"\s+")
# Tag of each searchable field in the grams: p=party, v=violation, n=document number.
FIELD_TAGS = (("p", "party_name"), ("v", "violation_type"), ("n", "document_number"))


def _norm(value: str) -> str:
    return _WHITESPACE.sub("", value or "").lower()


def search_grams(*, party_name: str, violation_type: str, document_number: str) -> str:
    """Tagged 2-character shingles of the searchable fields, e.g. 'p某某 p商贸 v过期 …'."""
    grams: set[str] = set()
    for tag, value in (("p", party_name), ("v", violation_type), ("n", document_number)):
        norm = _norm(value)
        for i in range(len(norm) - 1):
            grams.add(f"{tag}{norm[i : i + 2]}")
    return " ".join(sorted(grams))


def term_grams(tag: str, term: str) -> list[str]:
    norm = _norm(term)
    return sorted({f"{tag}{norm[i : i + 2]}" for i in range(len(norm) - 1)})
