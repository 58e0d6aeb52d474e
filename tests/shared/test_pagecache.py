"""The one page cache (wuding_enforcement/shared/pagecache.py): a page is served from the cache until its
section is renewed — by a save of a model it watches, or by an action — or the day changes; a cache that fails
is a miss, never a 500."""

import datetime
import logging

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from disclosure.models import ServiceGuide
from wuding_enforcement.shared import pagecache
from wuding_enforcement.shared.pagecache import Section

pytestmark = pytest.mark.django_db

# Declared once per process, like the systems' sections (a second declaration of a name is refused).
GUIDES = Section("test-pagecache-guides", watches={"disclosure.ServiceGuide"})
OTHER = Section("test-pagecache-other")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    pagecache._local.clear()
    pagecache._versions.clear()
    yield
    cache.clear()


class Builder:
    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return f"page #{self.calls}"


def test_a_page_is_built_once_and_served_until_its_section_is_renewed():
    build = Builder()
    assert GUIDES.page("list", build) == "page #1"
    assert GUIDES.page("list", build) == "page #1"
    assert GUIDES.page("list?q=x", build) == "page #2"  # another variant, another entry
    GUIDES.renew()
    assert GUIDES.page("list", build) == "page #3"
    assert build.calls == 3


def test_renewing_one_section_leaves_the_others_cached():
    mine, theirs = Builder(), Builder()
    GUIDES.page("list", mine)
    OTHER.page("list", theirs)
    GUIDES.renew()
    GUIDES.page("list", mine)
    OTHER.page("list", theirs)
    assert (mine.calls, theirs.calls) == (2, 1)


def test_renewing_one_object_renews_its_pages_and_the_lists_but_not_the_other_objects():
    lists, first, second = Builder(), Builder(), Builder()
    OTHER.page("list", lists)
    OTHER.page("detail", first, obj="item:1")
    OTHER.page("detail", second, obj="item:2")
    OTHER.renew("item:1")
    OTHER.page("list", lists)
    OTHER.page("detail", first, obj="item:1")
    OTHER.page("detail", second, obj="item:2")
    assert (lists.calls, first.calls, second.calls) == (2, 2, 1)
    # A renewal of the whole section (a save of a watched model, an action on many) renews the objects too.
    OTHER.renew()
    OTHER.page("detail", second, obj="item:2")
    assert second.calls == 2


def test_a_save_or_delete_of_a_watched_model_renews_the_section(django_capture_on_commit_callbacks):
    assert GUIDES in pagecache.sections_watching("disclosure.serviceguide")
    build = Builder()
    GUIDES.page("list", build)
    with django_capture_on_commit_callbacks(execute=True):
        guide = ServiceGuide.objects.create(
            name="测试指南",
            accepting_body="x",
            basis="x",
            conditions="x",
            materials="x",
            time_limit="x",
            place="x",
            phone="x",
        )
    assert GUIDES.page("list", build) == "page #2"
    with django_capture_on_commit_callbacks(execute=True):
        guide.delete()
    assert GUIDES.page("list", build) == "page #3"
    OTHER.page("list", build)
    with django_capture_on_commit_callbacks(execute=True):
        ServiceGuide.objects.create(
            name="另一指南",
            accepting_body="x",
            basis="x",
            conditions="x",
            materials="x",
            time_limit="x",
            place="x",
            phone="x",
        )
    assert OTHER.page("list", build) == "page #4", "an unwatched section is not renewed"


def test_a_page_rebuilt_inside_the_transaction_is_renewed_again_at_commit(django_capture_on_commit_callbacks):
    build = Builder()
    GUIDES.page("list", build)
    with django_capture_on_commit_callbacks(execute=True):
        GUIDES.renew()
        # A visitor between the renewal and the commit would cache the not-yet-committed state...
        assert GUIDES.page("list", build) == "page #2"
    # ... which the renewal at commit throws away.
    assert GUIDES.page("list", build) == "page #3"


def test_a_new_day_gives_new_pages_without_any_save():
    """23:55 and 00:01 local time (Asia/Shanghai): within the entry's 10 minutes, but another day."""
    build = Builder()
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, 55, tzinfo=datetime.UTC), tick=False):
        GUIDES.page("list", build)
        GUIDES.page("list", build)
    with time_machine.travel(datetime.datetime(2026, 11, 25, 15, 59, tzinfo=datetime.UTC), tick=False):
        GUIDES.page("list", build)
    assert build.calls == 1
    with time_machine.travel(datetime.datetime(2026, 11, 25, 16, 1, tzinfo=datetime.UTC), tick=False):
        GUIDES.page("list", build)
    assert build.calls == 2


def test_a_section_name_is_declared_once():
    with pytest.raises(ValueError, match="declared twice"):
        Section("test-pagecache-guides")


class BrokenCache:
    """A cache whose server is down: every call raises, as django-redis does when Redis is unreachable."""

    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        return fail


def test_a_cache_that_fails_is_a_miss_and_the_page_is_still_built(monkeypatch, caplog):
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    build = Builder()
    with caplog.at_level(logging.WARNING, logger="wuding.pagecache"):
        assert GUIDES.page("list", build) == "page #1"
        assert GUIDES.page("list", build) == "page #2"
    assert "page cache unavailable" in caplog.text


def test_a_cache_that_fails_to_store_still_serves_the_page(monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise ConnectionError("read only replica")

    monkeypatch.setattr(cache, "set", refuse)
    with caplog.at_level(logging.WARNING, logger="wuding.pagecache"):
        assert GUIDES.page("list", Builder()) == "page #1"
    assert "not stored" in caplog.text


def test_a_renewal_that_fails_is_logged_and_the_action_goes_on(
    monkeypatch, caplog, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    with (
        caplog.at_level(logging.ERROR, logger="wuding.pagecache"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        GUIDES.renew()
    assert "not renewed" in caplog.text


def test_a_public_page_answers_while_the_cache_is_down(client, monkeypatch):
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    for name in (
        "disclosure:guides",
        "disclosure:publication_list",
        "public_benchmarks",
        "disclosure:personnel",
    ):
        assert client.get(reverse(name)).status_code == 200, name


# --- The pages each process keeps (pagecache._local) ---------------------------------------------------------


class CountingCache:
    """The real cache, recording the keys each get_many and get asks for."""

    def __init__(self):
        self.reads: list[list[str]] = []

    def get_many(self, keys):
        self.reads.append(list(keys))
        return cache.get_many(keys)

    def get(self, key, *args, **kwargs):
        self.reads.append([key])
        return cache.get(key, *args, **kwargs)

    def __getattr__(self, name):
        return getattr(cache, name)


def test_a_page_this_process_holds_is_served_after_reading_only_the_versions(monkeypatch):
    build = Builder()
    GUIDES.page("list", build)
    counting = CountingCache()
    monkeypatch.setattr(pagecache, "cache", counting)
    assert GUIDES.page("list", build) == "page #1"
    assert counting.reads == [[GUIDES.version_key]]  # the version, not the page's tens of kilobytes
    assert build.calls == 1


def test_a_page_this_process_holds_is_not_served_once_another_process_renewed_the_section():
    build = Builder()
    GUIDES.page("list", build)
    # Another process renews the section: only the shared version changes, this process's copy stays.
    cache.set(GUIDES.version_key, "renewed-elsewhere", timeout=None)
    assert GUIDES.page("list", build) == "page #2"
    # ... and a page another process built under the current version is taken from the shared cache.
    cache.set(GUIDES.version_key, "renewed-again", timeout=None)
    cache.set(GUIDES.page_key("list"), ("renewed-again", "built elsewhere"), 60)
    assert GUIDES.page("list", build) == "built elsewhere"
    assert build.calls == 2


def test_the_pages_kept_per_process_are_bounded(monkeypatch):
    monkeypatch.setattr(pagecache, "LOCAL_PAGES", 3)
    for i in range(10):
        OTHER.page(f"list?page={i}", Builder())
    assert len(pagecache._local) <= 3


def test_trusted_versions_spare_the_round_trip_and_an_own_renewal_is_seen_at_once(monkeypatch, settings):
    settings.PAGECACHE_VERSION_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: clock[0])
    build = Builder()
    GUIDES.page("list", build)
    counting = CountingCache()
    monkeypatch.setattr(pagecache, "cache", counting)
    assert GUIDES.page("list", build) == "page #1" and counting.reads == []
    GUIDES.renew()  # this process: at once
    assert GUIDES.page("list", build) == "page #2"
    # Another process's renewal: seen once the trusted versions are PAGECACHE_VERSION_SECONDS old.
    cache.set(GUIDES.version_key, "renewed-elsewhere", timeout=None)
    assert GUIDES.page("list", build) == "page #2"
    clock[0] += 1
    assert GUIDES.page("list", build) == "page #3"


def test_several_values_are_read_in_one_round_trip_and_rebuilt_only_where_renewed(monkeypatch):
    """pagecache.values(): the values of several sections (the dashboard's panels) read together; renewing one
    section rebuilds its value only."""
    mine, theirs = Builder(), Builder()
    wanted = [(GUIDES, "count", mine), (OTHER, "count", theirs)]
    assert pagecache.values(wanted) == ["page #1", "page #1"]
    reads = []
    get_many = cache.get_many
    monkeypatch.setattr(cache, "get_many", lambda keys: reads.append(keys) or get_many(keys))
    assert pagecache.values(wanted) == ["page #1", "page #1"]
    assert len(reads) == 1 and (mine.calls, theirs.calls) == (1, 1)
    GUIDES.renew()
    assert pagecache.values(wanted) == ["page #2", "page #1"]
    assert (mine.calls, theirs.calls) == (2, 1)
    # The same entries as value() keeps: either reads what the other stored.
    assert GUIDES.value("count", mine) == "page #2" and mine.calls == 2
    pagecache.values([(OTHER, "other", theirs)])
    assert OTHER.value("other", theirs) == "page #2" and theirs.calls == 2


def test_several_values_are_built_when_the_cache_fails(monkeypatch, caplog):
    monkeypatch.setattr(pagecache, "cache", BrokenCache())
    mine, theirs = Builder(), Builder()
    with caplog.at_level(logging.WARNING, logger="wuding.pagecache"):
        assert pagecache.values([(GUIDES, "count", mine), (OTHER, "count", theirs)]) == ["page #1", "page #1"]
    assert "cache unavailable" in caplog.text
