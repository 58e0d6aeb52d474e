"""Database-level protection of the audit table.

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on audit rows. Only connections opened under
the test settings (AUDIT_TRIGGER_BYPASS, which settings_test alone turns on and which refuses DEBUG=False)
set the session variable that lets pytest-django flush tables between live-server tests.
"""

from django.conf import settings
from django.db.backends.signals import connection_created
from django.dispatch import receiver

BYPASS_GUC = "wuding.audit_bypass"

TRIGGER_SQL = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    IF current_setting('{BYPASS_GUC}', true) = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
        RETURN NULL;
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
"""


def install_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(TRIGGER_SQL)


@receiver(connection_created)
def _allow_test_flush(sender, connection, **kwargs):
    if connection.vendor == "postgresql" and getattr(settings, "AUDIT_TRIGGER_BYPASS", False):
        with connection.cursor() as cursor:
            cursor.execute(f"SET {BYPASS_GUC} = 'on'")
