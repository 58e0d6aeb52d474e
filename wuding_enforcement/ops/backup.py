"""`manage.py backup` and `manage.py restore` (README "运维": the runbook, recovery point and time).

A backup is a folder BACKUP_DIR/<id>/ (0700) of files written 0600, each encrypted (crypto.py):

1. the database first — `pg_dump --format=custom` (SQLite in development: its online backup API);
2. then the media files (tar): every file a row of the dump refers to was written before the dump began, so
   it is there (files are written before or with their row's commit; a few newer files are harmless). With
   an object store configured, every object of its bucket, streamed into the same tar layout; a restore
   puts them into the configured bucket (which must be empty) and locks evidence again (object lock);
3. then the audit anchors (tar), last: they may name rows newer than the dump — the restore's re-baseline
   records exactly that gap;
4. manifest.json: the order, each file's SHA-256 (encrypted and plain) and size, the chain head when the dump
   began, signed with an HMAC under the backup key.

`restore` checks the manifest and every hash before it touches anything, refuses storage that is not empty,
restores the database, the media, the anchors (only into an empty anchor folder: anchors that survived are
kept), then records the re-baseline (audit/chain.py `rebaseline`) so that `verify_audit` passes again and
names the backup and the gap.
"""

import datetime
import hashlib
import hmac
import json
import logging
import os
import posixpath
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path
from typing import IO, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.utils import timezone

from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.shared import objectstore

from .crypto import CHUNK, DecryptingReader, EncryptingWriter, decrypt_chunks, load_key

logger = logging.getLogger("wuding.backup")

FORMAT = 1
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore that cannot go on, with a Chinese reason."""


def _key() -> bytes:
    value = getattr(settings, "BACKUP_ENCRYPTION_KEY", "")
    if not value:
        raise BackupError(
            "未设置 BACKUP_ENCRYPTION_KEY：备份必须加密保存，请先生成并妥善保管密钥（README“运维”）。"
        )
    try:
        return load_key(value)
    except ImproperlyConfigured as exc:
        raise BackupError(str(exc)) from exc


def _private_file(path: Path):
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env_and_args() -> tuple[dict, list[str]]:
    params = connection.settings_dict
    env = {**os.environ}
    if params.get("PASSWORD"):
        env["PGPASSWORD"] = str(params["PASSWORD"])
    args = []
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", str(params["USER"])]
    return env, args


def _dump_database(writer: EncryptingWriter) -> None:
    if connection.in_atomic_block:
        # The dump would miss this transaction's work (and SQLite's backup API would wait on its lock).
        raise BackupError("备份不能在数据库事务中进行。")
    if connection.vendor == "postgresql":
        env, args = _pg_env_and_args()
        command = [
            "pg_dump",
            "--format=custom",
            "--no-owner",
            "--no-privileges",
            *args,
            connection.settings_dict["NAME"],
        ]
        with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as proc:  # noqa: S603
            out, err = proc.stdout, proc.stderr
            assert out is not None and err is not None  # both are pipes (PIPE above)
            for block in iter(lambda: out.read(CHUNK), b""):
                writer.write(block)
            stderr = err.read().decode(errors="replace")
        if proc.returncode != 0:
            raise BackupError(f"pg_dump 失败（退出码 {proc.returncode}）：{stderr.strip()}")
    elif connection.vendor == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "db.sqlite3"
            connection.ensure_connection()
            target = sqlite3.connect(copy)
            with target:
                connection.connection.backup(target)
            target.close()
            with open(copy, "rb") as fh:
                for block in iter(lambda: fh.read(CHUNK), b""):
                    writer.write(block)
    else:
        raise BackupError(f"不支持备份 {connection.vendor} 数据库。")


def _tar_folder(writer: EncryptingWriter, folder: Path) -> int:
    count = 0
    # A stream ("w|") only writes and closes: the writer is file enough for it, not the whole IO type.
    with tarfile.open(fileobj=cast(IO[bytes], writer), mode="w|") as tar:
        if folder.exists():
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.is_symlink():
                    tar.add(path, arcname=str(path.relative_to(folder)), recursive=False)
                    count += 1
    return count


def _tar_media(writer: EncryptingWriter) -> int:
    """The media files: MEDIA_ROOT, or every object of the store's bucket (same tar layout: a backup of
    either restores into either, which is also how files move from local disk to a store)."""
    if not objectstore.configured():
        return _tar_folder(writer, Path(settings.MEDIA_ROOT))
    count = 0
    with tarfile.open(fileobj=cast(IO[bytes], writer), mode="w|") as tar:
        for name, size, modified in objectstore.iter_objects():
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = size, int(modified.timestamp()), 0o640
            body = objectstore.client().get_object(Bucket=objectstore.bucket(), Key=objectstore.key(name))[
                "Body"
            ]
            try:
                tar.addfile(info, fileobj=body)  # streamed: reads exactly `size` bytes in blocks
            finally:
                body.close()
            count += 1
    return count


def _seal_manifest(body: dict, key: bytes) -> dict:
    payload = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    return {**body, "hmac": hmac.new(key, b"manifest:" + payload, hashlib.sha256).hexdigest()}


def _check_manifest(manifest: dict, key: bytes) -> None:
    body = {k: v for k, v in manifest.items() if k != "hmac"}
    expected = _seal_manifest(body, key)["hmac"]
    if not hmac.compare_digest(expected, str(manifest.get("hmac", ""))):
        raise BackupError("清单签名不符：密钥不对，或清单被改动。")


def make_backup(target_dir: Path) -> dict:
    """Write one backup under target_dir and return its manifest."""
    key = _key()
    started = timezone.now()
    backup_id = "wuding-" + timezone.localtime(started).strftime("%Y%m%d-%H%M%S")
    target_dir = Path(target_dir)
    target_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder = target_dir / backup_id
    folder.mkdir(mode=0o700)
    head = AuditEvent.objects.order_by("-seq").only("seq", "hash").first()
    files = []
    steps = [
        ("database", "database.enc", _dump_database),
        ("media", "media.tar.enc", _tar_media),
        ("anchors", "anchors.tar.enc", lambda w: _tar_folder(w, Path(settings.AUDIT_ANCHOR_DIR))),
    ]
    try:
        for order, (part, name, write) in enumerate(steps, start=1):
            began = time.monotonic()
            with _private_file(folder / name) as raw:
                writer = EncryptingWriter(raw, key, label=f"{backup_id}/{name}")
                result = write(writer)
                writer.close()
            files.append(
                {
                    "order": order,
                    "part": part,
                    "name": name,
                    "sha256": _sha256_of(folder / name),
                    "plain_sha256": writer.plain.hexdigest(),
                    "plain_bytes": writer.size,
                    "files": result if isinstance(result, int) else None,
                    "seconds": round(time.monotonic() - began, 2),
                    "finished_at": timezone.now().isoformat(),
                }
            )
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    manifest = _seal_manifest(
        {
            "format": FORMAT,
            "id": backup_id,
            "created_at": started.isoformat(),
            "finished_at": timezone.now().isoformat(),
            "database": {
                "vendor": connection.vendor,
                "name": str(connection.settings_dict.get("NAME")),
                "head_seq_at_start": head.seq if head else 0,
                "head_hash_at_start": head.hash if head else "",
            },
            "files": files,
        },
        key,
    )
    with _private_file(folder / MANIFEST) as fh:
        fh.write(json.dumps(manifest, ensure_ascii=False, indent=1).encode())
    logger.warning("backup %s written to %s", backup_id, folder)
    return manifest


def prune_backups(target_dir: Path, keep: int) -> list[str]:
    backups = sorted(p for p in Path(target_dir).glob("wuding-*") if (p / MANIFEST).exists())
    removed = []
    for old in backups[:-keep] if keep > 0 else []:
        shutil.rmtree(old)
        removed.append(old.name)
    return removed


# --- Restore ------------------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict:
    key = _key()
    path = Path(folder) / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} 中没有 {MANIFEST}：不是一份备份。")
    manifest = json.loads(path.read_text(encoding="utf-8"))
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式 {manifest.get('format')!r}。")
    _check_manifest(manifest, key)
    for entry in manifest["files"]:
        actual = _sha256_of(Path(folder) / entry["name"])
        if actual != entry["sha256"]:
            raise BackupError(f"{entry['name']} 的 SHA-256 与清单不符：备份文件已损坏或被改动。")
    return manifest


def _empty_folder(path: Path) -> bool:
    return not path.exists() or not any(path.iterdir())


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_database(folder: Path, entry: dict, label: str, key: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "database"
        digest = hashlib.sha256()
        with open(folder / entry["name"], "rb") as raw, _private_file(plain) as out:
            for block in decrypt_chunks(raw, key, label):
                digest.update(block)
                out.write(block)
        if digest.hexdigest() != entry["plain_sha256"]:
            raise BackupError("数据库备份解密后的 SHA-256 与清单不符。")
        if connection.vendor == "postgresql":
            env, args = _pg_env_and_args()
            command = [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *args,
                "--dbname",
                connection.settings_dict["NAME"],
                str(plain),
            ]
            connection.close()
            result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)  # noqa: S603
            if result.returncode != 0:
                raise BackupError(f"pg_restore 失败（退出码 {result.returncode}）：{result.stderr.strip()}")
        elif connection.vendor == "sqlite":
            target = Path(connection.settings_dict["NAME"])
            connection.close()
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(plain, target)
        else:
            raise BackupError(f"不支持恢复到 {connection.vendor} 数据库。")


def _restore_tar(folder: Path, entry: dict, label: str, key: bytes, destination: Path) -> None:
    destination.mkdir(parents=True, exist_ok=True)
    with open(folder / entry["name"], "rb") as raw:
        reader = DecryptingReader(raw, key, label)
        # A stream ("r|") only reads: the reader is file enough for it, not the whole IO type.
        with tarfile.open(fileobj=cast(IO[bytes], reader), mode="r|") as tar:
            # The "data" filter refuses absolute paths, "..", links out of the folder and special files.
            tar.extractall(destination, filter="data")


def _safe_member_name(name: str) -> str:
    clean = posixpath.normpath(name)
    if clean.startswith(("/", "../")) or clean in (".", "..") or "/../" in f"/{clean}/":
        raise BackupError(f"备份中的文件名 {name!r} 不安全，已停止恢复。")
    return clean


def _restore_tar_to_store(folder: Path, entry: dict, label: str, key: bytes) -> int:
    """The media tar into the object store's (empty) bucket, each file under its own name; evidence files
    are put under object lock again (retention from today)."""
    count = 0
    with open(folder / entry["name"], "rb") as raw:
        reader = DecryptingReader(raw, key, label)
        with tarfile.open(fileobj=cast(IO[bytes], reader), mode="r|") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"备份中的 {member.name!r} 不是普通文件，已停止恢复。")
                name = _safe_member_name(member.name)
                source = tar.extractfile(member)
                assert source is not None  # a regular file
                with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
                    shutil.copyfileobj(source, spool, CHUNK)
                    spool.seek(0)
                    objectstore.put(name, cast(IO[bytes], spool))
                if name.startswith("evidence/") and not name.startswith("evidence/thumbs/"):
                    objectstore.retain(name)
                count += 1
    return count


def restore_media(folder: Path, entry: dict, label: str, key: bytes) -> None:
    """The media files of a backup into MEDIA_ROOT or, with a store configured, into its bucket."""
    if objectstore.configured():
        _restore_tar_to_store(folder, entry, label, key)
    else:
        _restore_tar(folder, entry, label, key, Path(settings.MEDIA_ROOT))


def _media_problem() -> str:
    if objectstore.configured():
        if next(iter(objectstore.iter_objects()), None) is not None:
            return f"对象存储桶 {objectstore.bucket()} 不是空的"
        return ""
    media = Path(settings.MEDIA_ROOT)
    return "" if _empty_folder(media) else f"媒体文件目录 {media} 不是空的"


def restore(folder: Path, *, actor=None) -> dict:
    """Restore a backup into empty storage and re-baseline the audit chain. Returns a summary."""
    from wuding_enforcement.audit.chain import rebaseline, verify_chain

    folder = Path(folder)
    key = _key()
    manifest = read_manifest(folder)
    anchors_dir = Path(settings.AUDIT_ANCHOR_DIR)
    problems = []
    if not _database_is_empty():
        problems.append(f"数据库 {connection.settings_dict.get('NAME')} 不是空的")
    media_problem = _media_problem()
    if media_problem:
        problems.append(media_problem)
    if problems:
        raise BackupError("只能恢复到空的存储中：" + "；".join(problems) + "。")
    entries = {entry["part"]: entry for entry in manifest["files"]}
    started = time.monotonic()
    _restore_database(folder, entries["database"], f"{manifest['id']}/{entries['database']['name']}", key)
    restore_media(folder, entries["media"], f"{manifest['id']}/{entries['media']['name']}", key)
    anchors_restored = _empty_folder(anchors_dir)
    if anchors_restored:
        _restore_tar(
            folder, entries["anchors"], f"{manifest['id']}/{entries['anchors']['name']}", key, anchors_dir
        )
    else:
        logger.warning(
            "anchor folder %s not empty: its anchors are kept, the backup's are not restored", anchors_dir
        )
    manifest_sha256 = _sha256_of(folder / MANIFEST)
    event = rebaseline(
        backup={
            "id": manifest["id"],
            "created_at": manifest["created_at"],
            "manifest_sha256": manifest_sha256,
            "head_seq_at_start": manifest["database"]["head_seq_at_start"],
            "anchors_restored_from_backup": anchors_restored,
        },
        actor=actor,
    )
    report = verify_chain()
    return {
        "id": manifest["id"],
        "seconds": round(time.monotonic() - started, 1),
        "rebaseline_seq": event.seq,
        "gap": event.detail.get("gap"),
        "verify_ok": report.ok,
        "verify_message": report.message,
        "anchors_restored": anchors_restored,
        "restored_at": datetime.datetime.now(datetime.UTC).isoformat(),
    }
