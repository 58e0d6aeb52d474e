"""Backups: encrypted at rest, written 0600 in a 0700 folder, database first then media then anchors, with a
signed manifest of SHA-256 hashes; tampering, truncation, a wrong key and a non-empty target are refused."""

import io
import json
import os
import stat

import pytest
from django.core.management import CommandError, call_command

from wuding_enforcement.audit.api import record
from wuding_enforcement.ops import backup
from wuding_enforcement.ops.crypto import BackupCorrupt, DecryptingReader, EncryptingWriter, load_key

pytestmark = pytest.mark.django_db

KEY = load_key("dGVzdC1vbmx5LWJhY2t1cC1rZXktMzItYnl0ZXMhISE=")


def _encrypt(data: bytes, label="x") -> bytes:
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, KEY, label)
    writer.write(data)
    writer.close()
    return raw.getvalue()


def _decrypt(blob: bytes, label="x", key=KEY) -> bytes:
    return DecryptingReader(io.BytesIO(blob), key, label).read()


@pytest.mark.parametrize("size", [0, 10, 1024 * 1024, 3 * 1024 * 1024 + 17])
def test_encryption_round_trips_in_chunks(size):
    data = os.urandom(size)
    blob = _encrypt(data)
    assert data[:64] not in blob or size == 0
    assert _decrypt(blob) == data


def test_a_changed_byte_a_cut_end_another_label_or_key_is_refused():
    blob = _encrypt(os.urandom(2 * 1024 * 1024 + 5))
    flipped = bytearray(blob)
    flipped[len(blob) // 2] ^= 1
    with pytest.raises(BackupCorrupt, match="校验失败"):
        _decrypt(bytes(flipped))
    cut = blob[: len(blob) - (1024 + 40)]
    with pytest.raises(BackupCorrupt):
        _decrypt(cut)
    # Dropping the last chunk entirely leaves a file ending on a non-final chunk.
    with pytest.raises(BackupCorrupt, match="截断"):
        _decrypt(blob[: 16 + 4 + 1024 * 1024 + 16])
    with pytest.raises(BackupCorrupt):
        _decrypt(blob, label="another-file")
    with pytest.raises(BackupCorrupt):
        _decrypt(blob, key=os.urandom(32))


@pytest.fixture
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    settings.AUDIT_ANCHOR_MIRROR_DIR = None
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "clip.mp4").write_bytes(b"video bytes")
    settings.AUDIT_ANCHOR_DIR.mkdir()
    (settings.AUDIT_ANCHOR_DIR / "anchors.jsonl").write_text('{"seq": 1, "hash": "ab", "epoch": 1}\n')
    return tmp_path


# A dump reads committed data only (and SQLite's backup API waits for an open transaction).
@pytest.mark.django_db(transaction=True)
def test_a_backup_is_encrypted_private_ordered_and_hashed(storage):
    record("test.before_backup")
    call_command("backup", output=str(storage / "backups"), keep=0)
    (folder,) = (storage / "backups").iterdir()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for path in folder.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    manifest = json.loads((folder / "manifest.json").read_text())
    assert [f["part"] for f in sorted(manifest["files"], key=lambda f: f["order"])] == [
        "database",
        "media",
        "anchors",
    ]
    assert manifest["files"][1]["files"] == 1 and manifest["files"][2]["files"] == 1
    for entry in manifest["files"]:
        assert len(entry["sha256"]) == 64 and entry["sha256"] != entry["plain_sha256"]
    assert b"video bytes" not in (folder / "media.tar.enc").read_bytes()
    assert backup.read_manifest(folder)["id"] == manifest["id"]


# A dump reads committed data only (and SQLite's backup API waits for an open transaction).
@pytest.mark.django_db(transaction=True)
def test_a_tampered_manifest_or_file_is_refused_before_anything_is_restored(storage):
    manifest = backup.make_backup(storage / "backups")
    folder = storage / "backups" / manifest["id"]
    media = folder / "media.tar.enc"
    media.write_bytes(media.read_bytes()[:-1] + b"\x00")
    with pytest.raises(backup.BackupError, match="media.tar.enc 的 SHA-256 与清单不符"):
        backup.read_manifest(folder)
    body = json.loads((folder / "manifest.json").read_text())
    body["files"][1]["sha256"] = backup._sha256_of(media)  # an attacker fixes the hash in the manifest ...
    os.chmod(folder / "manifest.json", 0o600)
    (folder / "manifest.json").write_text(json.dumps(body))
    with pytest.raises(backup.BackupError, match="清单签名不符"):  # ... but cannot sign it
        backup.read_manifest(folder)


def test_no_backup_without_an_encryption_key(storage, settings):
    settings.BACKUP_ENCRYPTION_KEY = ""
    with pytest.raises(CommandError, match="未设置 BACKUP_ENCRYPTION_KEY"):
        call_command("backup", output=str(storage / "backups"))


# A dump reads committed data only (and SQLite's backup API waits for an open transaction).
@pytest.mark.django_db(transaction=True)
def test_a_restore_refuses_storage_that_is_not_empty(storage):
    record("test.something")
    manifest = backup.make_backup(storage / "backups")
    with pytest.raises(CommandError, match="只能恢复到空的存储中：数据库 .* 不是空的；媒体文件目录"):
        call_command("restore", str(storage / "backups" / manifest["id"]))


def test_old_backups_beyond_the_kept_number_are_removed(storage):
    for name in ("wuding-20260101-013000", "wuding-20260102-013000", "wuding-20260103-013000"):
        (storage / "backups" / name).mkdir(parents=True)
        (storage / "backups" / name / "manifest.json").write_text("{}")
    assert backup.prune_backups(storage / "backups", keep=2) == ["wuding-20260101-013000"]


def test_clean_old_history_is_refused():
    with pytest.raises(CommandError, match="变更历史是执法记录的一部分"):
        call_command("clean_old_history", days=0, auto=True)
    with pytest.raises(CommandError, match="变更历史是执法记录的一部分"):
        call_command("clean_duplicate_history", auto=True)
