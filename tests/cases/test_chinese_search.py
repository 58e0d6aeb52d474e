"""Chinese search depends on a UTF-8 LC_CTYPE in PostgreSQL (docs/stack.md traps 5 and 17): with LC_CTYPE C,
pg_trgm makes no trigrams of Chinese text and finds nothing. This test makes that failure visible."""

import pytest
from django.db import connection

from wuding_enforcement.cases.models import Case

pytestmark = pytest.mark.django_db


def test_a_case_is_found_by_two_chinese_characters_of_its_party_name(make_case):
    make_case(title="涉嫌销售过期食品案")
    make_case(
        title="涉嫌无照经营案",
        parties=[{"kind": "person", "name": "段小丽", "id_number": "532328199001011234"}],
    )
    found = Case.objects.filter(parties__name__icontains="小丽")
    assert [c.title for c in found] == ["涉嫌无照经营案"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm and LC_CTYPE are PostgreSQL matters")
def test_the_test_database_makes_trigrams_of_chinese_text():
    with connection.cursor() as cursor:
        cursor.execute("SELECT datctype FROM pg_database WHERE datname = current_database()")
        ctype = cursor.fetchone()[0]
        cursor.execute("SELECT show_trgm('销售过期食品'), similarity('销售过期食品', '销售过期的食品')")
        trigrams, similarity = cursor.fetchone()
    assert "UTF" in ctype.upper(), f"LC_CTYPE is {ctype}: Chinese search will find nothing"
    assert trigrams, "pg_trgm made no trigrams of Chinese text"
    assert similarity > 0.3
