"""The holiday table (cases/calendar.py) is kept in each process while its version holds: a request outside a
transaction reads no row of it, and a saved or deleted row is seen by the next request (the version renewed
now and at commit). Inside a transaction the table is read as before (a rollback renews nothing)."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from wuding_enforcement.cases import calendar
from wuding_enforcement.cases.models import CalendarDay

SATURDAY = datetime.date(2031, 3, 8)  # beyond chinesecalendar's years: the table decides


def reads_of_the_table(ctx):
    return sum("cases_calendarday" in q["sql"] and q["sql"].lstrip().startswith("SELECT") for q in ctx)


@pytest.mark.django_db(transaction=True)
def test_the_process_copy_is_used_until_a_row_changes():
    cache.clear()
    calendar._process = None
    with CaptureQueriesContext(connection) as ctx:
        assert calendar.is_working_day(SATURDAY) is False
        assert calendar.is_working_day(SATURDAY) is False
    assert reads_of_the_table(ctx) == 1  # read once, then this process's copy
    version = cache.get(calendar.VERSION_KEY)
    CalendarDay.objects.create(date=SATURDAY, is_working_day=True, name="调休上班")
    # The save renews the shared version: every other process drops its copy too.
    assert cache.get(calendar.VERSION_KEY) not in (None, version)
    with CaptureQueriesContext(connection) as ctx:
        assert calendar.is_working_day(SATURDAY) is True  # seen at once
        assert calendar.is_working_day(SATURDAY) is True
    assert reads_of_the_table(ctx) == 1
    # Another process's save: the row changes without this process's signal, and the shared version
    # is renewed (as that process's save does: pagecache.renew_versions): this process reads the table again.
    CalendarDay.objects.filter(date=SATURDAY).update(is_working_day=False)
    assert calendar.is_working_day(SATURDAY) is True  # its copy, while the version holds
    cache.set(calendar.VERSION_KEY, "renewed-by-another-process", timeout=None)
    assert calendar.is_working_day(SATURDAY) is False
    CalendarDay.objects.filter(date=SATURDAY).delete()
    assert calendar.is_working_day(SATURDAY) is False
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_inside_a_transaction_the_table_is_read_and_no_copy_is_kept():
    cache.clear()
    calendar._process = None
    with transaction.atomic():
        CalendarDay.objects.create(date=SATURDAY, is_working_day=True, name="调休上班")
        assert calendar.is_working_day(SATURDAY) is True
        transaction.set_rollback(True)
    assert calendar._process is None
    assert calendar.is_working_day(SATURDAY) is False  # the rolled-back row is not in any copy
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_a_cache_failure_reads_the_table(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get", broken)  # the shared cache the version is read from
    calendar._process = None
    with CaptureQueriesContext(connection) as ctx:
        assert calendar.is_working_day(SATURDAY) is False
        assert calendar.is_working_day(SATURDAY) is False
    assert reads_of_the_table(ctx) == 2
