"""Test settings: the production settings plus the switches only tests may turn on."""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403
from .settings import DEBUG

if not DEBUG:
    # The audit trigger bypass must never be reachable with production settings.
    raise ImproperlyConfigured("settings_test is for the test suite only and refuses DEBUG=False")

# pytest-django flushes tables with TRUNCATE between live-server tests; the audit trigger lets that
# through only on connections opened under these settings (docs/stack.md trap 16).
AUDIT_TRIGGER_BYPASS = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
AUDIT_ANCHOR_DIR = VAR_DIR / "test-audit-anchors"  # noqa: F405
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# WhiteNoise warns (an error under filterwarnings=error) when STATIC_ROOT does not exist yet.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405
# Tasks run in-process in tests; the worker tests (tests/test_celery_worker.py) switch a real broker on.
CELERY_TASK_ALWAYS_EAGER = True
# Tests read every renewal at once (tests/shared/test_pagecache.py turns the trust window on where it is tested).
PAGECACHE_VERSION_SECONDS = 0
# Parallel test processes share CI's Redis: give each its own Redis database (tests call cache.clear(),
# which flushes a whole database) and keep the keys apart from a developer's.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
CACHES["default"]["KEY_PREFIX"] = "test-" + _worker  # noqa: F405
if CACHES["default"]["BACKEND"].endswith("RedisCache"):  # noqa: F405
    from urllib.parse import urlparse as _urlparse

    _url = _urlparse(CACHES["default"]["LOCATION"])  # noqa: F405
    _index = int(_worker[2:]) if _worker[2:].isdigit() else 0
    # Two checkouts testing against one Redis at once each set their own TEST_REDIS_DB_BASE.
    _base = int(os.environ.get("TEST_REDIS_DB_BASE", "8"))
    CACHES["default"]["LOCATION"] = _url._replace(path=f"/{_base + _index}").geturl()  # noqa: F405
# Threads in tests (live server, Celery worker, concurrency tests) must not keep connections open, or
# PostgreSQL refuses to drop the test database at the end of the run.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# Backups in tests are encrypted with a fixed key (never used anywhere else).
BACKUP_ENCRYPTION_KEY = "dGVzdC1vbmx5LWJhY2t1cC1rZXktMzItYnl0ZXMhISE="
# Readable log lines in tests (the JSON formatter has tests of its own).
LOGGING["handlers"]["console"]["formatter"] = "text"  # type: ignore[index]  # noqa: F405 - a dict literal
