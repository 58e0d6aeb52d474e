"""Files written for a row that has not committed yet (docs/DESIGN "files are written after their row
commits, or removed on rollback"; issue 15: a rolled-back issue left a signed PDF carrying a number later
given to another document, and a full disk left 0-byte files).

`stage(field_file, name, data)` writes the file inside the transaction that saves its row (so the row can be
checked against it before it commits) and:

- never leaves a partial or 0-byte file: a write that fails (ENOSPC, EDQUOT, any error) removes what it
  wrote before the error goes on;
- removes the file when the transaction rolls back: at once when the rollback passes through `removing()`
  (the block that stages it), and otherwise — an enclosing transaction that rolls back after the block
  succeeded — when `discard_rolled_back()` runs, at the end of each request and of each Celery task. A file
  is known to be rolled back when the on-commit marker registered with it has neither run nor is still
  waiting in the connection's list (Django drops the callbacks of a rolled-back savepoint or transaction).

On the object store (shared/objectstore.py) the same holds: the object is written inside the transaction and
every version of it removed on rollback.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.fields.files import FieldFile

from . import objectstore

logger = logging.getLogger("wuding.files")

_pending = threading.local()


class _Staged:
    """One file written inside a transaction; `kept` once that transaction committed."""

    def __init__(self, storage: Storage, name: str, using: str):
        self.storage = storage
        self.name = name
        self.using = using
        self.kept = False

    def keep(self) -> None:
        self.kept = True

    def remove(self, why: str) -> None:
        _remove(self.storage, self.name, why)


def _remove(storage: Storage, name: str, why: str) -> None:
    try:
        if objectstore.is_store(storage):
            # Every version: a bucket with object lock is versioned, and a plain delete would only hide the
            # bytes behind a delete marker.
            objectstore.remove(name)
        else:
            storage.delete(name)
    except Exception:  # noqa: BLE001 - OSError on disk; the store's errors are botocore's own
        logger.error("could not remove %s (%s): verify_evidence lists it as an orphan", name, why)
    else:
        logger.info("removed %s: %s", name, why)


def _pending_list() -> list[_Staged]:
    if not hasattr(_pending, "files"):
        _pending.files = []
    return _pending.files


def stage(field_file: FieldFile, name: str, data: bytes, *, using: str = DEFAULT_DB_ALIAS) -> str:
    """Write `data` for `field_file` (as `FieldFile.save(name, ContentFile(data), save=False)` would) and
    remove it again if the transaction does not commit. Returns the stored name."""
    storage = field_file.storage
    target = field_file.field.generate_filename(field_file.instance, name)
    target = storage.get_available_name(target, max_length=field_file.field.max_length)
    try:
        stored = storage.save(target, ContentFile(data), max_length=field_file.field.max_length)
    except BaseException:
        # Whatever the storage managed to write before the error (a full disk: 0 bytes or part of the
        # file) goes: nothing half-stored stays behind.
        try:
            written = storage.exists(target)
        except Exception:  # noqa: BLE001 - the store itself is unreachable: the write's own error goes on
            written = False
        if written:
            _remove(storage, target, "its write failed")
        raise
    field_file.name = stored
    setattr(field_file.instance, field_file.field.attname, stored)
    track(storage, stored, using=using)
    return stored


def track(storage: Storage, name: str, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """A file already written (an evidence upload completed on the object store) that must go if the open
    transaction does not commit, as `stage` would have written it."""
    staged = _Staged(storage, name, using)
    if connections[using].in_atomic_block:
        transaction.on_commit(staged.keep, using=using)
        pending = _pending_list()
        pending[:] = [item for item in pending if not item.kept]  # a long process without requests
        pending.append(staged)
    else:
        staged.kept = True  # autocommit: there is no transaction to roll back


@contextmanager
def removing() -> Iterator[None]:
    """Around a transaction that stages files: if it raises, the files staged inside it go at once."""
    before = {id(item) for item in _pending_list()}
    try:
        yield
    except BaseException:
        staged = [item for item in _pending_list() if id(item) not in before]
        _pending.files = [item for item in _pending_list() if id(item) in before]
        for item in staged:
            if not item.kept:
                item.remove("its transaction rolled back")
        raise


def _waiting(item: _Staged) -> bool:
    # Entries are (savepoint ids, callback, robust); those of a rolled-back savepoint are dropped.
    waiting = connections[item.using].run_on_commit
    return any(getattr(entry[1], "__self__", None) is item for entry in waiting)


@contextmanager
def deferred() -> Iterator[None]:
    """Around work run from a commit hook (the outbox running a task in-process, with no broker): the files
    staged by the transaction that just committed are not known to be kept yet — Django takes the pending
    hooks off the connection before it runs them, so their `keep` hooks, still to run, are nowhere to be
    seen — and a `discard_rolled_back` inside would take them for rolled back. Inside this block it removes
    nothing; the next one (the end of the request or of the task) decides."""
    _pending.deferred = getattr(_pending, "deferred", 0) + 1
    try:
        yield
    finally:
        _pending.deferred -= 1


def discard_rolled_back(**_: Any) -> int:
    """Remove the staged files whose transaction rolled back; forget those committed. Files of a transaction
    still open stay pending. Runs at the end of every request and Celery task; returns how many went."""
    if getattr(_pending, "deferred", 0):
        return 0
    removed = 0
    still = []
    for item in _pending_list():
        if item.kept:
            continue
        if _waiting(item):
            still.append(item)
            continue
        item.remove("its transaction rolled back")
        removed += 1
    _pending.files = still
    return removed
