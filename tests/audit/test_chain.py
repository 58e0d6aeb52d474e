"""The audit log is append-only and hash-chained; verify_audit names the first broken row."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from wuding_enforcement.audit import chain
from wuding_enforcement.audit.api import mask_id_number, record
from wuding_enforcement.audit.models import AuditAnchor, AuditEvent, AuditImmutableError

pytestmark = pytest.mark.django_db


def _head():
    """Rows already in the log (migrations record the role groups' permissions)."""
    last = AuditEvent.objects.order_by("-seq").first()
    return last.seq if last else 0


def _events(n):
    return [record("test.event", object_repr=f"事件{i}", detail={"i": i}) for i in range(n)]


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_each_event_links_to_the_previous_one():
    base = _head()
    first, second, third = _events(3)
    assert (first.seq, second.seq, third.seq) == (base + 1, base + 2, base + 3)
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert chain.verify_chain().ok


def test_the_orm_cannot_change_or_remove_an_event():
    event = _events(1)[0]
    event.action = "forged"
    with pytest.raises(AuditImmutableError):
        event.save()
    with pytest.raises(AuditImmutableError):
        event.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_verify_audit_names_a_row_altered_with_raw_sql(caplog):
    base = _head()
    _events(5)
    _raw("UPDATE audit_auditevent SET object_repr = %s WHERE seq = %s", ["被改过", base + 3])
    with pytest.raises(CommandError, match=f"第 {base + 3} 条：内容与哈希不符"):
        call_command("verify_audit")
    # A broken chain is also an error in the log, where the operators' alerting reads it.
    assert any(
        r.name == "wuding.audit" and r.levelname == "ERROR" and f"broken at {base + 3}" in r.getMessage()
        for r in caplog.records
    )


def test_verify_audit_names_a_row_removed_from_the_middle():
    base = _head()
    _events(5)
    _raw("DELETE FROM audit_auditevent WHERE seq = %s", [base + 2])
    with pytest.raises(CommandError, match=f"第 {base + 3} 条：序号不连续"):
        call_command("verify_audit")


def test_verify_audit_detects_a_row_inserted_out_of_order():
    events = _events(3)
    seq = events[-1].seq + 1
    forged = AuditEvent(
        seq=seq,
        occurred_at=events[0].occurred_at,
        action="test.forged",
        outcome="success",
        prev_hash=events[0].hash,
    )  # links to the first new row instead of the last
    forged.hash = forged.compute_hash()
    forged.save()
    with pytest.raises(CommandError, match=f"第 {seq} 条：上一条哈希不符"):
        call_command("verify_audit")


def test_removing_the_newest_rows_is_caught_by_the_anchor(settings, tmp_path):
    settings.AUDIT_ANCHOR_DIR = tmp_path
    base = _head()
    _events(4)
    anchor = chain.anchor_head()
    assert anchor.seq == base + 4
    assert f'"seq": {base + 4}' in (tmp_path / "anchors.jsonl").read_text()
    _raw("DELETE FROM audit_auditevent WHERE seq >= %s", [base + 3])
    # The file anchor still knows the newest row even when the database anchor row is removed too.
    _raw("DELETE FROM audit_auditanchor")
    with pytest.raises(CommandError, match=f"记录了第 {base + 4} 条，但日志只到第 {base + 2} 条"):
        call_command("verify_audit")


def test_an_intact_chain_with_anchors_verifies(settings, tmp_path, capsys):
    settings.AUDIT_ANCHOR_DIR = tmp_path
    base = _head()
    _events(3)
    call_command("anchor_audit")
    _events(2)
    call_command("verify_audit")
    assert f"审计链完整：{base + 5} 条记录，2 个锚点核对一致" in capsys.readouterr().out
    assert AuditAnchor.objects.count() == 1


def test_no_full_id_number_and_no_secret_lands_in_the_log():
    event = record(
        "test.party",
        object_repr="张三 532328198001011234",
        detail={"note": "身份证 53232819800101123X", "password": "Secret-123", "session_key": "abc"},
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert "532328198001011234" not in stored.object_repr
    assert stored.object_repr == "张三 532328********1234"
    assert "19800101123X" not in str(stored.detail)
    assert "Secret-123" not in str(stored.detail) and "abc" not in str(stored.detail)
    assert mask_id_number("53232819800101123X") == "532328********123X"


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the append-only trigger exists on PostgreSQL only"
)
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_update_delete_truncate_without_the_test_switch():
    import psycopg

    _events(2)
    rows = AuditEvent.objects.count()
    params = connection.get_connection_params()
    raw = psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}},
        autocommit=True,
    )
    try:
        for sql in (
            "UPDATE audit_auditevent SET action = 'x'",
            "DELETE FROM audit_auditevent",
            "TRUNCATE audit_auditevent",
        ):
            with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
                raw.execute(sql)
        assert raw.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == rows
    finally:
        raw.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_do_not_fork_the_chain():
    errors = []
    base = _head()

    def worker(n):
        try:
            for i in range(10):
                record("test.concurrent", object_repr=f"{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    report = chain.verify_chain()
    assert report.ok, report.message
    assert report.rows == base + 40
