"""The search people actually type (disclosure/search.py): 文号 in any bracket style, half- or full-width, with
or without 第/号 or the prefix, partial numbers; party names in full or in part; one query. The results are
pinned here so that a faster index (or another database) cannot change what a search finds."""

import datetime

import pytest
from django.utils import timezone

from disclosure.models import Publication, PublicationStatus
from disclosure.search import number_key, text_key
from tests.disclosure.support import issued_document

pytestmark = pytest.mark.django_db
# The rows are made by hand (no decision text behind them): conftest's published-equals-issued check skips them.
FABRICATED_PUBLICATIONS = True

NUMBERS = {
    "a": ("武市监处罚〔2026〕1号", "武定县某某商贸有限公司"),
    "b": ("武市监处罚〔2026〕12号", "武定县狮山镇张记 小吃店"),
    "c": ("武市监处罚〔2026〕2号", "武定县ＡＢＣ食品有限公司"),
    "d": ("武市监处罚〔2025〕1号", "武定县高桥某某药店"),
}


@pytest.fixture
def items(make_case, officer):
    case = make_case()
    made = {}
    for i, (name, (number, party)) in enumerate(NUMBERS.items()):
        document = issued_document(case, officer, code=f"SEARCH{i:04d}", number=number)
        pub = Publication(
            document=document,
            case=case,
            status=PublicationStatus.PUBLISHED,
            document_number=number,
            party_name=party,
            party_kind="organisation",
            violation_type="经营超过保质期的食品",
            penalty_content="罚款1000.00元",
            authority="武定县市场监督管理局",
            unit=case.handling_unit,
            unit_name=case.handling_unit.name,
            decided_on=datetime.date(2026, 11, 19),
            original_text="x",
            published_text="x",
            due_on=datetime.date(2026, 11, 30),
            created_by=officer,
            published_at=timezone.now(),
            published_on=datetime.date(2026, 11, 20),
            ends_on=datetime.date(2029, 11, 21),
        )
        pub.index_for_search()
        pub.save()
        made[name] = pub.pk
    return made


def found(items, **terms) -> set[str]:
    pks = set(Publication.objects.search(**terms).values_list("pk", flat=True))
    return {name for name, pk in items.items() if pk in pks}


@pytest.mark.parametrize(
    "typed",
    [
        "武市监处罚〔2026〕1号",
        "(2026)1号",
        "（2026）1号",
        "[2026]1号",
        "【2026】1号",
        "2026 1号",
        "2026年第1号",
        "武市监处罚(2026)1号",
        "武市监处罚［２０２６］１号",
        "处罚(2026)001号",
    ],
)
def test_a_full_number_in_any_bracket_style_finds_exactly_that_decision(items, typed):
    assert found(items, number=typed) == {"a"}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("[2026]1", {"a", "b"}),  # no 号: a partial sequence (1, 10–19, …)
        ("2026 1", {"a", "b"}),
        ("1号", {"a", "d"}),  # any year
        ("12", {"b"}),
        ("2025", {"d"}),
        ("（2026）", {"a", "b", "c"}),
        ("处罚", {"a", "b", "c", "d"}),
        ("武市监", {"a", "b", "c", "d"}),
        ("(2026)3号", set()),
        ("2027 1号", set()),
    ],
)
def test_partial_numbers(items, typed, expected):
    assert found(items, number=typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("武定县某某商贸有限公司", {"a"}),
        ("某某", {"a", "d"}),
        ("张记小吃", {"b"}),  # the stored name has a space in it
        ("abc食品", {"c"}),  # full-width letters stored, half-width typed
        ("ＡＢＣ", {"c"}),
        ("药店", {"d"}),
        ("某某超市", set()),
    ],
)
def test_party_names_in_full_or_in_part(items, typed, expected):
    assert found(items, party=typed) == expected


def test_terms_combine_and_the_search_is_one_query(items, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert found(items, number="(2026)1", party="某某") == {"a"}


def test_the_keys():
    assert number_key("武市监处罚〔2026〕12号") == "武市监处罚«2026»12号"
    assert number_key("第12号") == "»12号"
    assert text_key("ＡＢＣ 食品") == "abc食品"
