"""Database triggers that make the audit tables append-only for every client, not just the ORM.

SQLite: ``BEFORE UPDATE`` and ``BEFORE DELETE`` triggers that ``RAISE(ABORT, …)``.
PostgreSQL: one plpgsql function, used by a ``BEFORE UPDATE OR DELETE … FOR EACH ROW`` trigger
and a ``BEFORE TRUNCATE`` trigger on each table (row triggers do not see TRUNCATE).

Deliberate limits:

* A database administrator can drop the triggers; that is what verification (hash chains,
  checkpoints, case heads) is for. Production should also grant the application's role only
  ``SELECT, INSERT`` on these tables.
* Row triggers fire only for rows that exist, and the TRUNCATE trigger refuses only when the
  table has rows, so Django's ``flush`` of an *empty* audit table (as between transactional
  tests) still works. A transactional test that writes audit entries must empty the tables
  itself; see :func:`yiwang.audit.testing.clear_audit_tables`.
* On SQLite, a later migration that alters one of these tables rebuilds it (new table, copy,
  drop, rename) and the triggers vanish with the old table. Such a migration must call
  :func:`install_guards` again; :func:`guards_present` (run by ``yiwang audit verify``) warns.
"""

from __future__ import annotations

from typing import Final

from django.core.exceptions import ImproperlyConfigured
from django.db.backends.base.base import BaseDatabaseWrapper

__all__ = [
    "GUARDED_TABLES",
    "drop_guards",
    "guards_present",
    "install_guards",
    "missing_guards",
    "uninstall_guards",
]

GUARDED_TABLES: Final = ("audit_auditentry", "audit_auditcheckpoint")
_PG_FUNCTION: Final = "yiwang_audit_refuse_change"

_PG_FUNCTION_SQL: Final = f"""
CREATE OR REPLACE FUNCTION {_PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    has_rows boolean;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- Let an empty table be truncated (Django's flush truncates every table at once).
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO has_rows;
        IF NOT has_rows THEN
            RETURN NULL;
        END IF;
    END IF;
    RAISE EXCEPTION '审计记录不可%（表 %）',
        CASE TG_OP WHEN 'UPDATE' THEN '修改' ELSE '删除' END, TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation';
END
$$
"""


def _sqlite_triggers(table: str) -> dict[str, str]:
    return {
        f"{table}_no_update": (
            f'CREATE TRIGGER "{table}_no_update" BEFORE UPDATE ON "{table}" '
            "BEGIN SELECT RAISE(ABORT, '审计记录不可修改'); END"
        ),
        f"{table}_no_delete": (
            f'CREATE TRIGGER "{table}_no_delete" BEFORE DELETE ON "{table}" '
            "BEGIN SELECT RAISE(ABORT, '审计记录不可删除'); END"
        ),
    }


def _pg_triggers(table: str) -> dict[str, str]:
    return {
        f"{table}_no_change": (
            f'CREATE TRIGGER "{table}_no_change" BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION {_PG_FUNCTION}()"
        ),
        f"{table}_no_truncate": (
            f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {_PG_FUNCTION}()"
        ),
    }


def _triggers(connection: BaseDatabaseWrapper, table: str) -> dict[str, str]:
    if connection.vendor == "sqlite":
        return _sqlite_triggers(table)
    if connection.vendor == "postgresql":
        return _pg_triggers(table)
    raise ImproperlyConfigured(
        f"审计防篡改触发器不支持数据库 {connection.vendor}（支持 SQLite 与 PostgreSQL）"
    )


def install_guards(connection: BaseDatabaseWrapper) -> None:
    """Create (or re-create) the triggers on both audit tables. Idempotent."""
    drop_guards(connection)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION_SQL)
        for table in GUARDED_TABLES:
            for sql in _triggers(connection, table).values():
                cursor.execute(sql)


def drop_guards(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers, as a database administrator (or an attacker with DBA rights) can."""
    with connection.cursor() as cursor:
        for table in GUARDED_TABLES:
            for name in _triggers(connection, table):
                if connection.vendor == "postgresql":
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"')
                else:
                    cursor.execute(f'DROP TRIGGER IF EXISTS "{name}"')


def uninstall_guards(connection: BaseDatabaseWrapper) -> None:
    """Remove the triggers and, on PostgreSQL, their function (migration rollback)."""
    drop_guards(connection)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"DROP FUNCTION IF EXISTS {_PG_FUNCTION}()")


def missing_guards(connection: BaseDatabaseWrapper) -> list[str]:
    """Names of the expected triggers that are absent (or, on PostgreSQL, disabled)."""
    expected = {name for table in GUARDED_TABLES for name in _triggers(connection, table)}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            # tgenabled 'D' = disabled (ALTER TABLE … DISABLE TRIGGER), which counts as missing.
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal AND tgenabled <> 'D' "
                "AND tgrelid IN (SELECT oid FROM pg_class WHERE relname = ANY(%s) "
                "AND pg_table_is_visible(oid))",
                [list(GUARDED_TABLES)],
            )
        present = {row[0] for row in cursor.fetchall()}
    return sorted(expected - present)


def guards_present(connection: BaseDatabaseWrapper) -> bool:
    """Whether every trigger is in place and enabled."""
    return not missing_guards(connection)
