"""Database-level protection of the audit table (PostgreSQL).

A trigger refuses UPDATE, DELETE and TRUNCATE on audit rows and anchors. Three things keep it honest:

- the application connects as a role that owns nothing (ops/dbroles.py grants it SELECT and INSERT on the
  audit tables, nothing more), so it can neither ALTER TABLE ... DISABLE TRIGGER, nor replace the trigger
  function, nor TRUNCATE; session_replication_role is superuser-only;
- the one bypass exists only in test databases: the trigger lets a change through only when the session
  asked for it (`SET wuding.audit_bypass = 'on'`, which any role can do) AND the current role is a member of
  TEST_BYPASS_ROLE, a role that only the test database set-up creates (`_allow_test_flush`, under
  settings_test alone, in a database whose name starts with "test_"). A production role cannot create a role
  (NOCREATEROLE) nor grant itself membership, so the GUC alone does nothing there;
- pytest-django flushes tables with TRUNCATE between live-server tests (docs/stack.md trap 16): that is what
  the test bypass is for.
"""

import logging

from django.conf import settings
from django.db.backends.signals import connection_created
from django.dispatch import receiver

logger = logging.getLogger("wuding.audit")

BYPASS_GUC = "wuding.audit_bypass"
TEST_BYPASS_ROLE = "wuding_audit_test_bypass"

TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF current_setting('{BYPASS_GUC}', true) = 'on'
       AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{TEST_BYPASS_ROLE}') THEN
        IF pg_has_role(current_user, '{TEST_BYPASS_ROLE}', 'MEMBER') THEN
            IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
            IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_anchor_append_only ON audit_auditanchor;
CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON audit_auditanchor
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON audit_auditanchor;
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_auditanchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""  # noqa: S608 - built from the constants above, no input

# Creates the test-only role (two test processes may race: the loser's error is ignored) and makes the
# connecting role a member.
_TEST_ROLE_SQL = f"""
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{TEST_BYPASS_ROLE}') THEN
        BEGIN
            CREATE ROLE {TEST_BYPASS_ROLE} NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;
    IF NOT pg_has_role(current_user, '{TEST_BYPASS_ROLE}', 'MEMBER') THEN
        EXECUTE format('GRANT {TEST_BYPASS_ROLE} TO %I', current_user);
    END IF;
END
$$;
"""  # noqa: S608 - built from the constants above, no input


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TRIGGER_SQL)


def is_test_database(name: str) -> bool:
    return str(name or "").startswith("test_")


@receiver(connection_created)
def _allow_test_flush(sender, connection, **kwargs):
    if connection.vendor != "postgresql" or not getattr(settings, "AUDIT_TRIGGER_BYPASS", False):
        return
    if not is_test_database(connection.settings_dict.get("NAME")):
        return  # pytest-django's first connection to the server's maintenance database, or a drill
    with connection.cursor() as cursor:
        cursor.execute(_TEST_ROLE_SQL)
        cursor.execute(f"SET {BYPASS_GUC} = 'on'")
