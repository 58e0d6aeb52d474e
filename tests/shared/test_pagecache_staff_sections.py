"""The page cache's staff options (wuding_enforcement/shared/pagecache.py): a `watch_all` section is renewed
by a save, delete or many-to-many change of any model but those it ignores (history copies included among the
ignored); a `committed_only` one never stores or serves a page inside a transaction; `exact` ignores
PAGECACHE_VERSION_SECONDS; a page `valid` rejects is rebuilt."""

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import transaction

from disclosure.models import ServiceGuide
from tests.shared.test_pagecache import Builder, empty_cache  # noqa: F401 - the autouse cache reset
from wuding_enforcement.roster.models import Unit, UnitKind
from wuding_enforcement.shared import pagecache
from wuding_enforcement.shared.pagecache import Section

pytestmark = pytest.mark.django_db

ALL = Section("test-staff-all", watch_all=True, ignores=("disclosure",), exact=True)
COMMITTED = Section("test-staff-committed", committed_only=True)


def test_any_model_renews_a_watch_all_section_but_the_ignored_ones():
    build = Builder()
    ALL.page("p", build)
    ALL.page("p", build)
    assert build.calls == 1
    unit = Unit.objects.create(name="狮山市场监督管理所", kind=UnitKind.STATION, order=10)
    ALL.page("p", build)
    assert build.calls == 2  # a save of any model (and its history copy, ignored, renews nothing more)
    ALL.page("p", build)
    assert build.calls == 2
    unit.delete()
    ALL.page("p", build)
    assert build.calls == 3


def test_a_many_to_many_change_renews_it(officer):
    build = Builder()
    ALL.page("p", build)
    officer.groups.add(Group.objects.create(name="临时角色"))
    ALL.page("p", build)
    assert build.calls == 2
    officer.groups.clear()
    ALL.page("p", build)
    assert build.calls == 3


def test_an_ignored_app_does_not_renew_it():
    assert ALL.ignored(ServiceGuide) and not ALL.ignored(Unit)
    assert ALL.ignored(Unit.history.model)  # simple-history's copy of a unit


def test_an_exact_section_never_trusts_versions_read_earlier(settings):
    settings.PAGECACHE_VERSION_SECONDS = 60
    build = Builder()
    ALL.page("p", build)
    # Another process renews: only the shared version changes.
    cache.set(ALL.version_key, "renewed-elsewhere", timeout=None)
    ALL.page("p", build)
    assert build.calls == 2


def test_a_committed_only_section_builds_inside_a_transaction_and_stores_nothing():
    build = Builder()
    with transaction.atomic():  # (the test's own transaction is one already)
        COMMITTED.page("p", build)
        COMMITTED.page("p", build)
    assert build.calls == 2 and not pagecache._local


def test_a_page_the_check_rejects_is_rebuilt():
    build = Builder()
    assert ALL.page("p", build, valid=lambda body: True) == "page #1"
    assert ALL.page("p", build, valid=lambda body: True) == "page #1"
    assert ALL.page("p", build, valid=lambda body: body != "page #1") == "page #2"
    assert ALL.page("p", build, valid=lambda body: True) == "page #2"
