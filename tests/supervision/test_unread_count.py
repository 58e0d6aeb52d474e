"""The header's unread-reminder count (supervision.models.unread_count) is cached per user and renewed by every
change of that user's reminders: a new reminder, one read, all read (a QuerySet UPDATE), one deleted. Outside a
transaction, as in production."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from supervision.models import Notification, unread_count
from tests.conftest import make_staff
from wuding_enforcement.roster.models import Role, Unit, UnitKind

pytestmark = pytest.mark.django_db(transaction=True)


def remind(user, key):
    return Notification.objects.create(recipient=user, key=key, level="amber", title="期限即将届满", body="-")


def counted(user):
    with CaptureQueriesContext(connection) as ctx:
        n = unread_count(user)
    return n, sum("supervision_notification" in q["sql"] for q in ctx)


def test_the_count_is_cached_and_follows_every_change():
    cache.clear()
    unit = Unit.objects.create(name="狮山市场监督管理所", kind=UnitKind.STATION, order=10)
    user = make_staff("li_unread", "李桂芬", unit, Role.OFFICER, certificate=False)
    other = make_staff("wang_unread", "王志强", unit, Role.OFFICER, certificate=False)
    assert counted(user) == (0, 1)
    assert counted(user) == (0, 0)  # from the cache
    first = remind(user, "a")
    remind(user, "b")
    remind(other, "c")
    assert counted(user) == (2, 1)
    assert counted(user) == (2, 0)
    assert counted(other)[0] == 1  # each user's own
    first.read_at = timezone.now()
    first.save(update_fields=["read_at"])
    assert counted(user)[0] == 1
    Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    assert counted(user)[0] == 0
    assert counted(other) == (1, 0)  # not renewed by another user's reminders
    Notification.objects.filter(recipient=other).delete()
    assert counted(other)[0] == 0
    cache.clear()


def test_a_cache_failure_counts(monkeypatch):
    unit = Unit.objects.create(name="狮山市场监督管理所", kind=UnitKind.STATION, order=10)
    user = make_staff("li_unread2", "李桂芬", unit, Role.OFFICER, certificate=False)
    remind(user, "a")

    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(cache, "get_many", broken)
    assert counted(user) == (1, 1)
    assert counted(user) == (1, 1)
