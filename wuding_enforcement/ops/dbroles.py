"""The application's database role: it owns nothing and may only append to the record.

Migrations run as the schema owner (DATABASE_MIGRATE_URL, `deploy/entrypoint.sh migrate`); after each
migration the owner grants the application role (DATABASE_URL's user) what it needs:

- SELECT, INSERT, UPDATE, DELETE on the portal's tables, USAGE on their sequences;
- on the audit log, its anchors and every change-history table (simple-history): SELECT and INSERT only.
  History is part of the record (`clean_old_history` is refused as well, commands/clean_old_history.py).

Not being the owner, the application role cannot ALTER TABLE (so not DISABLE TRIGGER), cannot replace the
trigger function, cannot TRUNCATE; it has no CREATEROLE, so it cannot obtain the test-only bypass role
(audit/db.py). `app_role_problems()` tells the 运行状态 page when the portal runs as an owner.
"""

from django.apps import apps
from django.db import connection

from wuding_enforcement.audit.models import AuditAnchor, AuditEvent


def append_only_tables() -> list[str]:
    """The audit tables and every simple-history table."""
    tables = [AuditEvent._meta.db_table, AuditAnchor._meta.db_table]
    for model in apps.get_models():
        names = {f.name for f in model._meta.fields}
        if {"history_id", "history_type", "history_date"} <= names:
            tables.append(model._meta.db_table)
    return sorted(set(tables))


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def grant_statements(role: str, database: str) -> list[str]:
    role_q = _quote(role)
    statements = [
        f"GRANT CONNECT ON DATABASE {_quote(database)} TO {role_q}",
        f"GRANT USAGE ON SCHEMA public TO {role_q}",
        f"REVOKE CREATE ON SCHEMA public FROM {role_q}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role_q}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role_q}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role_q}",
    ]
    existing = set(connection.introspection.table_names())
    for table in append_only_tables():
        if table in existing:
            statements.append(f"REVOKE UPDATE, DELETE, TRUNCATE ON {_quote(table)} FROM {role_q}")
    return statements


def grant_app_role(role: str) -> list[str]:
    """Run as the schema owner after `migrate`. Returns the statements run."""
    if connection.vendor != "postgresql":
        raise RuntimeError("数据库角色只适用于 PostgreSQL。")
    database = connection.settings_dict["NAME"]
    statements = grant_statements(role, database)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    return statements


def app_role_problems() -> list[str]:
    """Why the connected role is not a safe application role (empty when it is, or off PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    problems = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolsuper, rolcreaterole, rolbypassrls FROM pg_roles WHERE rolname = current_user"
        )
        superuser, createrole, bypassrls = cursor.fetchone()
        cursor.execute(
            "SELECT pg_has_role(current_user, tableowner, 'MEMBER') FROM pg_tables "
            "WHERE schemaname = 'public' AND tablename = %s",
            [AuditEvent._meta.db_table],
        )
        row = cursor.fetchone()
    if superuser:
        problems.append("应用以超级用户连接数据库")
    elif row and row[0]:
        problems.append("应用连接数据库的角色拥有审计日志表（可以停用触发器）")
    if createrole and not superuser:
        problems.append("应用的数据库角色可以创建角色")
    if bypassrls and not superuser:
        problems.append("应用的数据库角色可以绕过行级安全")
    return problems
