"""Database-level protection of the append-only tables.

The ORM refusal in ``models.AppendOnly`` stops honest mistakes; these triggers stop raw SQL
too. Installed by migration 0002 and checked by ``zhifa ledger verify``. A later migration
that makes SQLite rebuild one of these tables (most ALTERs do) drops its triggers with the old
table, so such a migration must call ``install_triggers`` again.
"""

from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

PROTECTED_TABLES = ("ledger_event", "ledger_node", "ledger_checkpoint", "ledger_blob")


def _sqlite_statements(table: str) -> list[str]:
    # RAISE(ABORT) undoes the statement. With PRAGMA recursive_triggers=ON (settings), the
    # implicit delete of INSERT OR REPLACE also fires the DELETE trigger, so REPLACE cannot
    # overwrite a row either.
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: UPDATE refused'); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: DELETE refused'); END",
    ]


_PG_FUNCTIONS = [
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    # Truncating an empty table destroys nothing, and test runners flush every table between
    # tests; a table with rows is protected.
    """
    CREATE OR REPLACE FUNCTION ledger_refuse_truncate() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        has_rows boolean;
    BEGIN
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I)', TG_TABLE_SCHEMA, TG_TABLE_NAME)
            INTO has_rows;
        IF has_rows THEN
            RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
                USING ERRCODE = 'restrict_violation';
        END IF;
        RETURN NULL;
    END
    $$
    """,
]


def _pg_statements(table: str) -> list[str]:
    # ENABLE ALWAYS: the triggers fire even under session_replication_role = replica, which
    # would otherwise silence ordinary triggers.
    return [
        f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}",
        f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}",
        f"CREATE TRIGGER {table}_no_change BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_truncate()",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_change",
        f"ALTER TABLE {table} ENABLE ALWAYS TRIGGER {table}_no_truncate",
    ]


def trigger_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        return [s for t in PROTECTED_TABLES for s in _sqlite_statements(t)]
    if vendor == "postgresql":
        return _PG_FUNCTIONS + [s for t in PROTECTED_TABLES for s in _pg_statements(t)]
    raise NotImplementedError(f"no append-only triggers for database vendor {vendor!r}")


def _settle_deferred(cursor, connection: BaseDatabaseWrapper) -> None:
    # PostgreSQL refuses ALTER TABLE while deferred FK checks are pending in the transaction.
    if connection.vendor == "postgresql":
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def install_triggers(connection: BaseDatabaseWrapper) -> None:
    with connection.cursor() as cursor:
        _settle_deferred(cursor, connection)
        for statement in trigger_sql(connection.vendor):
            cursor.execute(statement)


def drop_triggers(connection: BaseDatabaseWrapper) -> None:
    """Only for migrations that rebuild a table and for tests that tamper on purpose."""
    with connection.cursor() as cursor:
        _settle_deferred(cursor, connection)
        for table in PROTECTED_TABLES:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_change ON {table}")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


def missing_triggers(connection: BaseDatabaseWrapper) -> list[str]:
    """Names of protecting triggers that are absent (or, on PostgreSQL, not ENABLE ALWAYS)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
            present = {row[0] for row in cursor.fetchall()}
            wanted = [f"{t}_{w}" for t in PROTECTED_TABLES for w in ("no_update", "no_delete")]
        else:
            # tgenabled 'A' = ENABLE ALWAYS.
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgenabled = 'A'")
            present = {row[0] for row in cursor.fetchall()}
            wanted = [f"{t}_{w}" for t in PROTECTED_TABLES for w in ("no_change", "no_truncate")]
    return [name for name in wanted if name not in present]
