"""The one rate limiter (wuding_enforcement/shared/ratelimit.py): a fixed window per client address, counted in
the cache under a keyed hash of the address; a cache that fails lets the attempt through."""

import logging
import time

import pytest
from django.core.cache import cache

from wuding_enforcement.shared import ratelimit
from wuding_enforcement.shared.ratelimit import RateLimit, address_digest

LIMIT = RateLimit("test.limit", limit=3, window=600)


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_attempt_over_the_limit_is_refused_per_address():
    assert [LIMIT.exceeded("10.0.0.1") for _ in range(4)] == [False, False, False, True]
    assert LIMIT.exceeded("10.0.0.2") is False
    assert RateLimit("test.other", limit=3, window=600).exceeded("10.0.0.1") is False


def test_a_new_window_opens_when_the_old_one_expires():
    """The window is the counter's lifetime in the cache (Redis expires it server-side: a real second here)."""
    short = RateLimit("test.short", limit=1, window=1)
    assert [short.exceeded("10.0.0.1") for _ in range(3)] == [False, True, True]
    time.sleep(1.2)
    assert short.exceeded("10.0.0.1") is False


def test_the_cache_never_holds_the_address_itself():
    LIMIT.exceeded("10.0.0.1")
    key = LIMIT.key("10.0.0.1")
    assert "10.0.0.1" not in key and address_digest("10.0.0.1") in key
    assert cache.get(key) == 1
    assert address_digest("10.0.0.1") != address_digest("10.0.0.2") and address_digest(None) == ""


def test_a_cache_that_fails_lets_the_attempt_through_and_logs_it(monkeypatch, caplog):
    def down(*args, **kwargs):
        raise ConnectionError("Connection refused")

    monkeypatch.setattr(ratelimit.cache, "add", down)
    with caplog.at_level(logging.ERROR, logger="wuding.ratelimit"):
        assert [LIMIT.exceeded("10.0.0.1") for _ in range(5)] == [False] * 5
    assert "cache unavailable" in caplog.text
