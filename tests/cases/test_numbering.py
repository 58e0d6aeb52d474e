"""Gapless numbers per kind per year, allocated under a row lock (two officers at the same instant)."""

import datetime
import threading

import pytest
from django.db import connection, connections, transaction

from wuding_enforcement.cases.models import Case, NumberSequence


@pytest.mark.django_db(transaction=True)
def test_allocation_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside transaction.atomic"):
        NumberSequence.allocate("doc", 2026)


@pytest.mark.django_db
def test_each_kind_and_year_has_its_own_sequence():
    with transaction.atomic():
        numbers = [NumberSequence.allocate("penalty", 2026) for _ in range(3)]
        numbers.append(NumberSequence.allocate("penalty", 2027))
        numbers.append(NumberSequence.allocate("notice", 2026))
    assert numbers == [1, 2, 3, 1, 1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_leads_registered_at_the_same_instant_get_distinct_gapless_numbers(officer, colleague):
    barrier = threading.Barrier(6)
    errors = []

    def register(n):
        try:
            barrier.wait()
            Case.register_lead(
                by=officer,
                handling_unit=officer.unit,
                title=f"并发登记{n}",
                lead_source="inspection",
                lead_date=datetime.date(2026, 11, 20),
            )
        except Exception as exc:  # pragma: no cover - reported by the assertion
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(Case.objects.values_list("lead_seq", flat=True)) == [1, 2, 3, 4, 5, 6]
