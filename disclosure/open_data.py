"""The open data (CSV, JSON) of current publications as prebuilt files: built by a task after each batch of
changes (a publication published, withdrawn, ended or expired enqueues one build through the outbox; builds
still waiting coalesce under one dedupe key) and served as files with an ETag, so a download costs what a
static file costs instead of a query over every current publication per request (24 s at 1M rows).

The files live in the default storage (the one every web host shares), under versioned names; meta.json names
the current ones with their ETag and the day they were built. The content is the view's own (feeds.py
writes the rows: one format, one place). A day's files are served only on that day (items expire at
midnight); without files of today the view streams as before and enqueues a build.
"""

import hashlib
import json
import logging
import tempfile

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger("wuding.disclosure")

FOLDER = "open-data"
META = f"{FOLDER}/meta.json"
TASK = "disclosure.tasks.build_open_data"


def request_build() -> None:
    """Enqueue a build in the current transaction (after commit it runs; waiting builds coalesce)."""
    from wuding_enforcement.outbox.api import enqueue

    enqueue(TASK, dedupe_key="disclosure:open_data")


def current(fmt: str) -> dict | None:
    """{"name", "etag", "size"} of today's prebuilt file in `fmt` ("csv" or "json"; "inspections-csv",
    "inspections-json" for the published inspection results), or None."""
    try:
        with default_storage.open(META, "rb") as f:
            meta = json.load(f)
    except (OSError, ValueError):
        return None
    entry = meta.get(fmt)
    if meta.get("built_on") != timezone.localdate().isoformat() or not entry:
        return None
    return entry


def build() -> dict:
    """Write both files from the views' own generators, then point meta.json at them; older files removed."""
    from .views.feeds import csv_lines, inspection_csv_lines, inspection_json_chunks, json_chunks

    today = timezone.localdate().isoformat()
    meta: dict = {"built_on": today}
    for fmt, chunks in (
        ("csv", csv_lines()),
        ("json", json_chunks()),
        # The published inspection results (disclosure/inspection_results.py), their own two files.
        ("inspections-csv", inspection_csv_lines()),
        ("inspections-json", inspection_json_chunks()),
    ):
        digest = hashlib.sha256()
        size = 0
        with tempfile.TemporaryFile() as tmp:
            for chunk in chunks:
                data = chunk.encode("utf-8")
                digest.update(data)
                size += len(data)
                tmp.write(data)
            tmp.seek(0)
            etag = digest.hexdigest()[:32]
            base, _, ext = fmt.rpartition("-")
            name = f"{FOLDER}/{base or 'publications'}-{etag}.{ext}"
            if not default_storage.exists(name):
                default_storage.save(name, File(tmp))
        meta[fmt] = {"name": name, "etag": etag, "size": size}
    if default_storage.exists(META):
        default_storage.delete(META)
    default_storage.save(META, ContentFile(json.dumps(meta).encode()))
    keep = {entry["name"] for key, entry in meta.items() if key != "built_on"} | {META}
    try:
        _, files = default_storage.listdir(FOLDER)
    except (OSError, NotImplementedError):
        files = []
    for leftover in files:
        name = f"{FOLDER}/{leftover}"
        if name not in keep:
            default_storage.delete(name)
    logger.info("open data built: csv %s bytes, json %s bytes", meta["csv"]["size"], meta["json"]["size"])
    return meta
