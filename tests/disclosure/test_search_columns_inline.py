"""PostgreSQL: the columns the public search checks row by row stay inside the row (migration 0014).

With toast_tuple_target = 256 (migration 0003) the toaster moved even a 30-byte violation out of line whenever
the rest of the row was wide; every candidate of a violation search then read the TOAST index and a TOAST page
to be checked. Here a decision with long texts is stored, and its searched columns must be found inline: the
stored size of an inline short value is its length plus a one-byte header, that of an out-of-line value (a TOAST
pointer's raw size) is its length."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from disclosure.models import Publication, PublicationStatus
from tests.disclosure.support import issued_document

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="TOAST is PostgreSQL's"),
]
# Made by hand (no decision text behind it): conftest's published-equals-issued check skips it.
FABRICATED_PUBLICATIONS = True

SEARCHED = ("violation_type", "party_key", "number_key", "search_grams")


def test_searched_columns_are_kept_inline(make_case, officer):
    case = make_case()
    today = timezone.localdate()
    # A text that does not compress (a repeated one would stay inline, compressed).
    long_text = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(3000))
    document = issued_document(case, officer, code="INLINE0001", number="武市监处罚〔2026〕77号")
    pub = Publication(
        document=document,
        case=case,
        status=PublicationStatus.PUBLISHED,
        document_number="武市监处罚〔2026〕77号",
        party_name="武定县狮山镇某某商贸有限公司第一分公司",
        party_kind="organisation",
        violation_type="经营超过保质期的食品",
        penalty_content="警告；没收违法所得；罚款10000.00元" * 3,
        authority="武定县市场监督管理局",
        unit=case.handling_unit,
        unit_name=case.handling_unit.name,
        decided_on=today - datetime.timedelta(days=3),
        original_text=long_text,
        published_text=long_text,
        due_on=today,
        created_by=officer,
        published_at=timezone.now(),
        published_on=today,
        ends_on=today + datetime.timedelta(days=30),
    )
    pub.index_for_search()
    pub.save()
    sizes = ", ".join(f"pg_column_size({c}) - octet_length({c})" for c in SEARCHED)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {sizes}, pg_column_size(published_text) - octet_length(published_text) FROM disclosure_publication WHERE id = %s",
            [pub.pk],
        )
        *headers, published = cursor.fetchone()
        cursor.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = 'disclosure_publication'::regclass"
            " AND attname = ANY(%s)",
            [list(SEARCHED)],
        )
        storage = dict(cursor.fetchall())
    assert published == 0  # the text itself left the row (out of line, uncompressed: its raw size)
    # One-byte header (inline, short); four for search_grams (inline, longer than 126 bytes).
    assert dict(zip(SEARCHED, headers, strict=True)) == {
        "violation_type": 1,
        "party_key": 1,
        "number_key": 1,
        "search_grams": 4,
    }
    assert storage == dict.fromkeys(SEARCHED, "m")
