"""Settings of the gunicorn served by public_pages_bench.py: the project's own production settings (DEBUG off,
read from the environment the bench sets), plus a trivial view for the baseline and plain static storage
(no collectstatic manifest in a throwaway run). PAGECACHE_VERSION_SECONDS comes from the bench's
--version-seconds (wuding_enforcement/shared/pagecache.py; 0, the project's default, unless asked)."""

import os

from wuding_enforcement.settings import *  # noqa: F403

PAGECACHE_VERSION_SECONDS = float(os.environ.get("PAGECACHE_VERSION_SECONDS") or 0)

ROOT_URLCONF = "_bench_urls"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
