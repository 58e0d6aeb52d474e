"""Settings of the gunicorn served by public_pages_bench.py: the project's own production settings (DEBUG off,
read from the environment the bench sets), plus a trivial view for the baseline and plain static storage
(no collectstatic manifest in a throwaway run)."""

from wuding_enforcement.settings import *  # noqa: F403

ROOT_URLCONF = "_bench_urls"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
