"""The backup-and-restore drill CI runs on PostgreSQL: back up a portal with audit events, anchors and an
evidence file; go on working (rows and an hourly anchor the backup does not have); restore into a NEW database
and NEW folders with `manage.py restore`; then both chains verify — the audit chain (with the recorded
re-baseline naming the backup and the gap) and the evidence hashes. A silent rollback (the same dump put back
by hand with the backup's own anchors, no re-baseline) is still caught by the anchor mirror.

Every command runs in a fresh process with production-shaped settings (no test bypass of the audit trigger).
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from recording import evidence as recording_evidence
from wuding_enforcement.audit import chain
from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import AuditEvent
from wuding_enforcement.ops.crypto import decrypt_chunks, load_key

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the restore drill runs on PostgreSQL (CI)"),
    pytest.mark.django_db(transaction=True),
]

ROOT = Path(__file__).resolve().parents[2]
# An AMR recording's real header: recognised as audio/amr by content (tests/recording/test_evidence.py).
AMR = b"#!AMR\n" + b"\x3c\x48\xf5\x1f" * 4096


def _server_params():
    params = connection.get_connection_params()
    return {k: params[k] for k in ("host", "port", "user", "password") if params.get(k)}


def _admin(sql):
    with psycopg.connect(dbname="postgres", autocommit=True, **_server_params()) as conn:
        conn.execute(sql)


def _database_url(name):
    p = _server_params()
    password = f":{p['password']}" if p.get("password") else ""
    return f"postgres://{p.get('user', 'postgres')}{password}@{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{name}"


@pytest.fixture
def drill_databases():
    """Two empty databases named after this test database without its test_ prefix (wuding_h15_…, wuding_ci_…)."""
    base = connection.settings_dict["NAME"].removeprefix("test_")
    names = [f"{base}_restored", f"{base}_rolledback"]
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        _admin(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    yield names
    for name in names:
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(tmp_path, *args, database, media, anchors, mirror, check=True):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "wuding_enforcement.settings",
        "VAR_DIR": str(tmp_path / "var"),
        "DEMO_MODE": "false",
        "DATABASE_URL": database,
        "MEDIA_ROOT": str(media),
        "AUDIT_ANCHOR_DIR": str(anchors),
        "AUDIT_ANCHOR_MIRROR_DIR": str(mirror),
        "BACKUP_ENCRYPTION_KEY": settings.BACKUP_ENCRYPTION_KEY,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    if check:
        assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
    return result


def test_backup_restore_into_a_new_database_and_folder_and_both_chains_verify(
    tmp_path, settings, drill_databases, make_case, officer
):
    live = {
        "media": tmp_path / "live-media",
        "anchors": tmp_path / "live-anchors",
        "mirror": tmp_path / "mirror",
    }
    settings.MEDIA_ROOT, settings.AUDIT_ANCHOR_DIR, settings.AUDIT_ANCHOR_MIRROR_DIR = (
        live["media"],
        live["anchors"],
        live["mirror"],
    )
    case = make_case()
    evidence = recording_evidence.ingest_file(
        case, officer, io.BytesIO(AMR), len(AMR), title="现场询问录音", original_name="询问.amr"
    )
    chain.anchor_head(period="hourly")
    source_url = _database_url(connection.settings_dict["NAME"])

    manage(tmp_path, "backup", "--output", str(tmp_path / "backups"), database=source_url, **live)
    (backup_dir,) = (tmp_path / "backups").iterdir()
    backup_head = AuditEvent.objects.order_by("-seq").first().seq

    # Work goes on after the backup: rows and an hourly anchor the backup does not have.
    for i in range(3):
        record("drill.after_backup", detail={"i": i})
    lost_anchor = chain.anchor_head(period="hourly")
    assert lost_anchor.seq > backup_head

    # Disaster: database, media and anchor folder lost. The mirror (another machine) survives.
    restored = {
        "media": tmp_path / "new-media",
        "anchors": tmp_path / "new-anchors",
        "mirror": live["mirror"],
    }
    restored_url = _database_url(drill_databases[0])
    before = manage(tmp_path, "verify_audit", database=restored_url, check=False, **restored)
    assert before.returncode != 0  # an empty database is no portal

    result = manage(tmp_path, "restore", str(backup_dir), database=restored_url, **restored)
    assert f"从第 {backup_head + 1} 条起，锚点至少记到第 {lost_anchor.seq} 条" in result.stdout
    assert "审计链完整" in result.stdout

    audit = manage(tmp_path, "verify_audit", database=restored_url, **restored)
    assert "审计链完整" in audit.stdout and "1 次恢复重建" in audit.stdout
    files = manage(tmp_path, "verify_evidence", database=restored_url, **restored)
    assert "完整性校验通过" in files.stdout
    assert (restored["media"] / evidence.file.name).read_bytes() == AMR

    # The re-baseline is an audit event naming the backup and the gap.
    with psycopg.connect(dbname=drill_databases[0], **_server_params()) as conn:
        detail = conn.execute(
            "SELECT detail FROM audit_auditevent WHERE action = 'audit.chain.rebaselined'"
        ).fetchone()[0]
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert detail["backup"]["id"] == manifest["id"]
    assert detail["gap"]["last_anchor_seq"] == lost_anchor.seq
    assert detail["gap"]["lost_from_seq"] == backup_head + 1
    assert (detail["previous_epoch"], detail["epoch"]) == (1, 2)


def test_a_silent_rollback_to_a_backup_is_caught(tmp_path, settings, drill_databases):
    live = {
        "media": tmp_path / "live-media",
        "anchors": tmp_path / "live-anchors",
        "mirror": tmp_path / "mirror",
    }
    settings.MEDIA_ROOT, settings.AUDIT_ANCHOR_DIR, settings.AUDIT_ANCHOR_MIRROR_DIR = (
        live["media"],
        live["anchors"],
        live["mirror"],
    )
    record("drill.before_backup")
    chain.anchor_head(period="hourly")
    source_url = _database_url(connection.settings_dict["NAME"])
    manage(tmp_path, "backup", "--output", str(tmp_path / "backups"), database=source_url, **live)
    (backup_dir,) = (tmp_path / "backups").iterdir()
    old_anchors = (live["anchors"] / "anchors.jsonl").read_text()
    for i in range(3):
        record("drill.to_be_erased", detail={"i": i})
    chain.anchor_head(period="hourly")

    # The rollback: the dump put back by hand (no `manage.py restore`, so no re-baseline) and the backup's own
    # anchor file restored over the newer one.
    key = load_key(settings.BACKUP_ENCRYPTION_KEY)
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    entry = next(f for f in manifest["files"] if f["part"] == "database")
    dump = tmp_path / "plain.dump"
    with open(backup_dir / entry["name"], "rb") as raw, open(dump, "wb") as out:
        for block in decrypt_chunks(raw, key, f"{manifest['id']}/{entry['name']}"):
            out.write(block)
    p = _server_params()
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "-h", p.get("host", "127.0.0.1"), "-p", str(p.get("port", 5432)),
         "-U", p.get("user", "postgres"), "-d", drill_databases[1], str(dump)],
        check=True, capture_output=True, env={**os.environ, "PGPASSWORD": str(p.get("password", ""))},
    )  # fmt: skip
    rolled = {"media": live["media"], "anchors": tmp_path / "rolled-anchors", "mirror": live["mirror"]}
    rolled["anchors"].mkdir()
    (rolled["anchors"] / "anchors.jsonl").write_text(old_anchors)

    result = manage(
        tmp_path, "verify_audit", database=_database_url(drill_databases[1]), check=False, **rolled
    )
    assert result.returncode != 0
    assert "锚点镜像记录了第" in result.stderr and "没有记录恢复重建" in result.stderr
