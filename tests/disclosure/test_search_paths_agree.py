"""The search on PostgreSQL reads other indexes and other row tests than it first did, and must find exactly
the same rows. Two changes: a 文号 naming a sequence is found by that sequence on a B-tree (migration 0013,
PublicationQuerySet._with_number) instead of by the number's 2-character grams; row by row, each gram is looked
for with strpos() in the stored text before (indexed) or instead of (newest-first scan) building the row's
array (_with_grams). Here the first query — the grams' array on the GIN index, then the key or the field
checked — is the oracle, compared with the search as it is, indexed and row by row, for several hundred typed
numbers over a hundred stored ones (prefixes, years, sequences, odd characters, LIKE wildcards in the number)
and for every 2- to 4-character part of the stored party names and violations."""

import datetime
import random

import pytest
from django.db import connection
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from disclosure.models import Publication, PublicationStatus
from disclosure.search import FIELD_TAGS, KEY_FIELDS, field_key, number_key, number_sequence, term_grams
from tests.disclosure.support import issued_document

pytestmark = pytest.mark.django_db
# The rows are made by hand (no decision text behind them): conftest's published-equals-issued check skips them.
FABRICATED_PUBLICATIONS = True

PREFIXES = ["武市监处罚", "武市监检处", "禄市监罚", "", "武市%监"]
SEQUENCES = [1, 2, 10, 12, 21, 101, 112, 1200]
STORED = sorted(
    {f"{prefix}〔{year}〕{n}号" for prefix in PREFIXES[:3] for year in (2025, 2026) for n in SEQUENCES}
    | {f"{prefix}第{n}号" for prefix in PREFIXES[:2] for n in (1, 12, 112)}  # no year
    | {
        "武市监处罚〔2026〕12号-1",  # text after the sequence (dropped by the key)
        "武市监处罚〔2026〕",  # no sequence
        "武市监处罚",  # no digits at all
        "武市%监〔2026〕5号",  # a LIKE wildcard in the number
        "武市_监〔2026〕5号",
        "(2026)7号",  # no prefix
        "武市监处罚〔2026〕007号",  # leading zeros
    }
)


def typed_forms(number: str) -> set[str]:
    """What people type for a stored number: itself, other brackets, parts of it."""
    forms = {number, number.replace("〔", "(").replace("〕", ")"), number.replace("号", "")}
    key = number_key(number)
    if "«" in key and "»" in key:
        prefix, rest = key.split("«", 1)
        year, sequence = rest.split("»", 1)
        forms |= {
            f"({year}){sequence}",
            f"{year} {sequence}",
            f"[{year}]第{sequence}",
            f"{prefix[-2:]}({year}){sequence}",
            f"{year}",
        }
        if sequence:
            forms |= {sequence, f"第{sequence}", sequence[:1], sequence[:2], f"({year}){sequence[:-1]}"}
    return forms


TYPED = sorted(
    set().union(*(typed_forms(n) for n in STORED))
    | {
        "武市监处罚〔2026〕1号",
        "处罚(2026)001号",
        "（２０２６）１２号",
        "(2026)999号",
        "2027 1号",
        "»",
        "«",
        "号",
        "1",
        "12",
        "2026",
        "处罚",
        "市%监(2026)5号",
        "%(2026)5号",
        "_(2026)5号",
        "监(2026)5号",
        "1%",
        "1_",
    }
)


PARTIES = [
    "武定县某某商贸有限公司",
    "狮山镇张记 小吃店",
    "ＡＢＣ食品有限公司",
    "高桥某某药店",
    "万德%超市",
    "云岭彝乡_农资店",
]
VIOLATIONS = [
    "经营超过保质期的食品",
    "销售不合格药品",
    "未按规定明码标价",
    "使用未经检验的特种设备",
    "发布虚假广告",
]


def parts(values, lengths=(2, 3, 4)) -> set[str]:
    return {v[i : i + n] for v in values for n in lengths for i in range(len(v) - n + 1)}


TEXT_TERMS = {
    "party": sorted(
        parts(PARTIES) | {"某某超市", "abc", "ＡＢＣ食品", "张记小吃", "%超", "_农", "彝乡农资店"}
    ),
    "violation": sorted(parts(VIOLATIONS) | {"过期药品", "特种", "不存在的违法行为"}),
}


@pytest.fixture
def stored(make_case, officer):
    case = make_case()
    today = timezone.localdate()
    for i, number in enumerate(STORED):
        document = issued_document(case, officer, code=f"NUMIDX{i:04d}", number=f"{number}#{i}")
        pub = Publication(
            document=document,
            case=case,
            # Every fifth withdrawn (listed too), every seventh ended (not listed).
            status=PublicationStatus.ENDED
            if i % 7 == 0
            else PublicationStatus.WITHDRAWN
            if i % 5 == 0
            else PublicationStatus.PUBLISHED,
            withdrawal_reason="撤回" if i % 5 == 0 else "",
            document_number=number,
            party_name=PARTIES[i % len(PARTIES)],
            party_kind="organisation",
            violation_type=VIOLATIONS[i % len(VIOLATIONS)],
            penalty_content="罚款1000.00元",
            authority="武定县市场监督管理局",
            unit=case.handling_unit,
            unit_name=case.handling_unit.name,
            decided_on=today - datetime.timedelta(days=3 + i),
            original_text="x",
            published_text="x",
            due_on=today,
            created_by=officer,
            published_at=timezone.now(),
            published_on=today - datetime.timedelta(days=i),
            ends_on=today + datetime.timedelta(days=30 if i % 11 else -1),  # every eleventh expired
        )
        pub.index_for_search()
        pub.save()
    return STORED


def old_search(qs, field: str, typed: str):
    """The search of one field as it was first written: every gram in the row's array (on the GIN index), then
    — unless the term is one 2-character gram, which the index answers exactly — the key or the field."""
    term = typed.strip()
    key = field_key(field, term)
    if not key:
        return qs
    grams = term_grams({f: t for t, f in FIELD_TAGS}[field], term)
    qs = qs.filter(
        RawSQL(
            "string_to_array(disclosure_publication.search_grams, ' ') @> %s::text[]",
            (grams,),
            output_field=BooleanField(),
        )
    )
    if len(grams) != 1 or len(key) != 2:
        if field in KEY_FIELDS:
            qs = qs.filter(**{f"{KEY_FIELDS[field]}__contains": key})
        else:
            qs = qs.filter(**{f"{field}__icontains": term})
    return qs


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the grams and the B-tree are PostgreSQL's"
)


@postgresql_only
def test_every_typed_number_finds_what_the_grams_found(stored):
    assert len(TYPED) > 300
    compared = with_sequence = 0
    for base in (Publication.objects.all(), Publication.objects.listed()):
        for typed in TYPED:
            expected = set(old_search(base, "document_number", typed).values_list("pk", flat=True))
            for indexed in (True, False):
                got = set(base.search(number=typed, indexed=indexed).values_list("pk", flat=True))
                assert got == expected, (typed, indexed)
            compared += 1
            with_sequence += bool(number_sequence(number_key(typed)))
            if typed == "武市监处罚〔2026〕12号":
                assert len(expected) == 2  # the stored one and the one with text after its sequence
    # Most comparisons went through the new path, and some found rows with a wildcard in their number.
    assert compared == 2 * len(TYPED) and with_sequence > compared / 2
    assert set(
        Publication.objects.search(number="市%监(2026)5号").values_list("document_number", flat=True)
    ) == {"武市%监〔2026〕5号"}


@postgresql_only
def test_every_part_of_a_name_or_a_violation_finds_what_the_array_found(stored):
    fields = {"party": "party_name", "violation": "violation_type"}
    found_some = 0
    for base in (Publication.objects.all(), Publication.objects.listed()):
        for name, terms in TEXT_TERMS.items():
            for typed in terms:
                expected = set(old_search(base, fields[name], typed).values_list("pk", flat=True))
                for indexed in (True, False):
                    got = set(base.search(**{name: typed}, indexed=indexed).values_list("pk", flat=True))
                    assert got == expected, (name, typed, indexed)
                found_some += bool(expected)
    assert found_some > 200


@postgresql_only
def test_a_full_number_is_read_on_the_sequence_index(stored):
    qs = Publication.objects.filter(status__in=["published", "withdrawn"]).search(
        number="武市监处罚〔2026〕12号"
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE disclosure_publication")
        cursor.execute("SET LOCAL enable_seqscan = off")  # a hundred rows: only to see the index can serve it
        sql, params = qs.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("SET LOCAL enable_seqscan = on")
    # The same expression as the index's (a different one would leave the index unused, silently).
    assert "disclosure_pub_number_seq_idx" in plan, plan
    assert "disclosure_pub_grams_gin" not in plan, plan


def test_a_stored_key_has_at_most_one_sequence_mark():
    """What the B-tree's prefix relies on: number_key writes one » at most, whatever the text."""
    rng = random.Random(16)
    alphabet = "武市监处罚〔〕()（）[]【】«»<>第号年 0123456789２０-_%.·"
    for _ in range(5000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 16)))
        key = number_key(text)
        assert key.count("»") <= 1 and key.count("«") <= 1, (text, key)
        if number_sequence(key):
            assert key.rpartition("»")[2] == number_sequence(key)
