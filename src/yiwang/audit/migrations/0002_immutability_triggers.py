"""Database triggers that refuse UPDATE and DELETE (and, on PostgreSQL, TRUNCATE of a non-empty
table) on the audit tables, whatever client issues them. The SQL lives in ``yiwang.audit.dbguard``
so that tests and administrators re-install exactly the same guards; a later migration that
rebuilds these tables on SQLite must call ``install_guards`` again (see that module)."""

from __future__ import annotations

from typing import Any

from django.db import migrations

from yiwang.audit import dbguard


def install(apps: Any, schema_editor: Any) -> None:
    dbguard.install_guards(schema_editor.connection)


def uninstall(apps: Any, schema_editor: Any) -> None:
    dbguard.uninstall_guards(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall, elidable=False)]
