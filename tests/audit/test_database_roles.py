"""On PostgreSQL the application runs as a role that owns nothing: it can append to the audit log but cannot
delete, update or truncate it, disable or replace its trigger, or obtain the test-only bypass — setting the
bypass GUC alone does nothing. (SQLite has no roles: these tests run in CI's PostgreSQL pass.)"""

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from wuding_enforcement.audit.api import record
from wuding_enforcement.audit.db import BYPASS_GUC, TEST_BYPASS_ROLE
from wuding_enforcement.ops.dbroles import app_role_problems

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only"),
    pytest.mark.django_db(transaction=True),
]

PASSWORD = "app-role-test-password"  # noqa: S105 - a throwaway role of the test database


def _superuser_sql(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def app(db):
    """A login role like production's wuding_app, granted by `manage.py grant_app_role`, and a connection
    opened as it. Named after the test database, so parallel runs on one server never share it."""
    role = f"{connection.settings_dict['NAME']}_app"
    _superuser_sql(f'DROP OWNED BY "{role}"') if _role_exists(role) else None
    _superuser_sql(f'DROP ROLE IF EXISTS "{role}"')
    _superuser_sql(f"CREATE ROLE \"{role}\" LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '{PASSWORD}'")
    call_command("grant_app_role", role)
    params = connection.get_connection_params()
    conn = psycopg.connect(
        dbname=params["dbname"],
        host=params.get("host") or "127.0.0.1",
        port=params.get("port") or 5432,
        user=role,
        password=PASSWORD,
        autocommit=True,
    )
    conn.role = role
    try:
        yield conn
    finally:
        conn.close()
        _superuser_sql(f'DROP OWNED BY "{role}"')
        _superuser_sql(f'DROP ROLE "{role}"')


def _role_exists(role):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
        return cursor.fetchone() is not None


@pytest.fixture
def events():
    return [record("test.event", detail={"i": i}) for i in range(3)]


def _refused(conn, sql, error=psycopg.errors.InsufficientPrivilege):
    with pytest.raises(error):
        conn.execute(sql)


def test_the_app_role_can_read_and_append(app, events):
    head = app.execute("SELECT max(seq) FROM audit_auditevent").fetchone()[0]
    assert head == events[-1].seq
    app.execute(
        "INSERT INTO audit_auditevent (seq, occurred_at, actor_name, unit_name, action, object_type, object_id,"
        " object_repr, outcome, detail, prev_hash, hash) VALUES (%s, now(), '', '', 'test.appended', '', '', '',"
        " 'success', '{}', %s, 'x')",
        [head + 1, events[-1].hash],
    )


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM audit_auditevent",
        "UPDATE audit_auditevent SET action = 'forged'",
        "TRUNCATE audit_auditevent",
        "DELETE FROM audit_auditanchor",
        "TRUNCATE audit_auditanchor",
    ],
)
def test_the_app_role_cannot_delete_update_or_truncate_audit_rows(app, events, sql):
    _refused(app, sql)
    assert app.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] >= len(events)


def test_the_app_role_cannot_disable_or_replace_the_trigger(app, events):
    _refused(app, "ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
    _refused(app, "ALTER TABLE audit_auditevent DISABLE TRIGGER ALL")
    _refused(app, "DROP TRIGGER audit_event_append_only ON audit_auditevent")
    _refused(
        app,
        "CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$ BEGIN RETURN OLD; END $$ LANGUAGE plpgsql",
    )
    _refused(app, "SET session_replication_role = replica")


def test_setting_the_bypass_does_nothing_for_the_app_role(app, events):
    # Even were DELETE granted by mistake, the trigger still refuses: the GUC alone is no bypass.
    _superuser_sql(f'GRANT DELETE ON audit_auditevent TO "{app.role}"')
    app.execute(f"SET {BYPASS_GUC} = 'on'")
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        app.execute("DELETE FROM audit_auditevent WHERE seq = %s", [events[-1].seq])
    assert (
        app.execute("SELECT count(*) FROM audit_auditevent WHERE seq = %s", [events[-1].seq]).fetchone()[0]
        == 1
    )


def test_the_app_role_cannot_obtain_the_test_bypass_role(app):
    _refused(app, f"GRANT {TEST_BYPASS_ROLE} TO CURRENT_USER")
    _refused(app, f"SET ROLE {TEST_BYPASS_ROLE}")
    _refused(app, "CREATE ROLE wuding_h15_sneaky")


def test_the_app_role_cannot_rewrite_change_history(app):
    _refused(app, "DELETE FROM roster_historicalstaff")
    _refused(app, "UPDATE roster_historicalstaff SET history_change_reason = 'x'")


def test_the_app_role_works_the_portals_own_tables(app, units):
    app.execute('UPDATE roster_unit SET "order" = "order" WHERE id = %s', [units["office"].pk])
    app.execute("DELETE FROM django_session")


def test_the_status_page_tells_when_the_portal_runs_as_a_superuser():
    assert app_role_problems() == ["应用以超级用户连接数据库"]
