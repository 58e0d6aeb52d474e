"""Anchors hourly and daily, outside the database (file and mirror) and on the public page; after a restore,
a recorded re-baseline opens a new epoch so that verify_audit passes, while a silent rollback is caught."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from wuding_enforcement.audit import chain
from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.models import AuditAnchor, AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchor_dirs(settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = tmp_path / "anchors"
    settings.AUDIT_ANCHOR_MIRROR_DIR = tmp_path / "mirror"
    return settings.AUDIT_ANCHOR_DIR, settings.AUDIT_ANCHOR_MIRROR_DIR


def _events(n):
    return [record("test.event", detail={"i": i}) for i in range(n)]


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _delete_from(seq):
    """What an operator with the power to delete does (the test database's bypass stands in for it)."""
    _raw("DELETE FROM audit_auditevent WHERE seq >= %s", [seq])


def test_an_anchor_goes_to_the_database_the_file_and_the_mirror(anchor_dirs):
    _events(2)
    anchor = chain.anchor_head(period="hourly")
    for directory in anchor_dirs:
        line = json.loads((directory / "anchors.jsonl").read_text().splitlines()[-1])
        assert (line["seq"], line["hash"], line["epoch"], line["period"]) == (
            anchor.seq,
            anchor.hash,
            1,
            "hourly",
        )


def test_the_beat_anchors_hourly_and_daily(settings):
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("anchor_audit_chain")]
    assert len(entries) == 2
    assert {e.get("kwargs", {}).get("period", "hourly") for e in entries} == {"hourly", "daily"}


def test_the_public_page_shows_the_chain_head_and_its_time(client, anchor_dirs):
    _events(1)
    anchor = chain.anchor_head()
    response = client.get("/audit/anchor/")
    assert response.status_code == 200
    body = response.json()
    assert body["head"]["seq"] == anchor.seq and body["head"]["hash"] == anchor.hash
    assert body["head"]["at"] == anchor.created_at.isoformat()
    assert body["epoch"] == 1


def test_deleting_the_tail_after_the_last_anchor_is_caught_by_a_witness_copy(client, anchor_dirs, tmp_path):
    _events(3)
    chain.anchor_head()
    witness = tmp_path / "saved-page.json"
    witness.write_bytes(client.get("/audit/anchor/").content)  # somebody outside saved the public page
    head = AuditEvent.objects.order_by("-seq").first().seq
    _delete_from(head - 1)
    _raw("DELETE FROM audit_auditanchor")
    for directory in anchor_dirs:
        (directory / "anchors.jsonl").unlink()  # even with every copy on the machine destroyed
    call_command("verify_audit")  # the machine alone can no longer tell
    with pytest.raises(CommandError, match=f"记录了第 {head} 条，但日志只到第 {head - 2} 条"):
        call_command("verify_audit", witness=[str(witness)])


def test_deleting_the_tail_is_caught_by_the_mirror(anchor_dirs):
    _events(3)
    chain.anchor_head()
    head = AuditEvent.objects.order_by("-seq").first().seq
    _delete_from(head)
    _raw("DELETE FROM audit_auditanchor")
    (anchor_dirs[0] / "anchors.jsonl").unlink()
    with pytest.raises(CommandError, match="锚点镜像记录了第"):
        call_command("verify_audit")


def _restore_to(seq):
    """What a restore from a backup taken at row `seq` leaves: the rows after it are gone."""
    _delete_from(seq + 1)
    _raw("DELETE FROM audit_auditanchor WHERE seq > %s", [seq])


def test_a_restore_fails_verification_until_it_is_rebaselined_then_passes(anchor_dirs, capsys):
    _events(2)
    backup_head = AuditEvent.objects.order_by("-seq").first().seq
    _events(3)
    chain.anchor_head()  # the hourly anchor after the backup: it names rows the restore loses
    lost_to = AuditEvent.objects.order_by("-seq").first().seq
    _restore_to(backup_head)
    with pytest.raises(CommandError, match="数据库被回滚而没有记录恢复重建"):
        call_command("verify_audit")

    event = chain.rebaseline(backup={"id": "wuding-20261201-013000"})

    assert event.detail["gap"]["last_anchor_seq"] == lost_to
    assert event.detail["gap"]["lost_from_seq"] == backup_head + 1
    assert event.detail["restored_head"]["seq"] == backup_head
    assert (event.detail["previous_epoch"], event.detail["epoch"]) == (1, 2)
    assert AuditAnchor.objects.order_by("-pk").first().epoch == 2
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "审计链完整" in out and "1 次恢复重建" in out
    # The old anchors are kept: in the file, the epoch-1 anchor of the lost rows is still there.
    lines = [json.loads(line) for line in (anchor_dirs[0] / "anchors.jsonl").read_text().splitlines()]
    assert [(a["epoch"], a["seq"]) for a in lines] == [(1, lost_to), (2, event.seq)]


def test_a_silent_rollback_with_the_old_anchors_put_back_is_still_caught_by_the_mirror(anchor_dirs):
    _events(2)
    chain.anchor_head()
    backup_head = AuditEvent.objects.order_by("-seq").first().seq
    old_anchor_file = (anchor_dirs[0] / "anchors.jsonl").read_text()
    _events(3)
    chain.anchor_head()
    _restore_to(backup_head)
    (anchor_dirs[0] / "anchors.jsonl").write_text(old_anchor_file)  # the old anchors restored over the new
    with pytest.raises(CommandError, match="锚点镜像记录了第"):
        call_command("verify_audit")


def test_rolling_back_past_a_rebaseline_is_caught_by_the_newer_epoch(anchor_dirs):
    _events(2)
    chain.rebaseline(backup={"id": "wuding-a"})
    epoch_two = AuditEvent.objects.order_by("-seq").first().seq
    _events(2)
    # Roll the database back to before the re-baseline (its anchors in the files say epoch 2).
    _delete_from(epoch_two)
    _raw("DELETE FROM audit_auditanchor")
    with pytest.raises(CommandError, match="第 2 期锚点"):
        call_command("verify_audit")


def test_an_anchor_beyond_the_recorded_gap_is_still_an_unexplained_loss(anchor_dirs, tmp_path):
    _events(2)
    backup_head = AuditEvent.objects.order_by("-seq").first().seq
    _events(2)
    witness_line = {
        "seq": backup_head + 2,
        "hash": AuditEvent.objects.get(seq=backup_head + 2).hash,
        "epoch": 1,
    }
    _restore_to(backup_head)
    chain.rebaseline(backup={"id": "wuding-b"})  # knew of no anchor beyond the head: gap recorded as none
    call_command("verify_audit")
    witness = tmp_path / "anchors-kept-elsewhere.jsonl"
    witness.write_text(json.dumps(witness_line) + "\n")
    with pytest.raises(CommandError, match="第 1 期|日志只到"):
        call_command("verify_audit", witness=[str(witness)])
