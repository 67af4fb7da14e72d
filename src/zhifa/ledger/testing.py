"""Test helpers. Never called by the application."""

from __future__ import annotations

from django.db import connection, transaction

from zhifa.ledger.db import PROTECTED_TABLES, drop_triggers, install_triggers


def purge_ledger() -> None:
    """Empty the append-only tables so a transactional test's flush can run.

    The triggers refuse DELETE and (on non-empty tables) TRUNCATE, which a test database
    flush needs; this drops them, deletes, and puts them back, in one transaction.
    """
    with transaction.atomic():
        drop_triggers(connection)
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # ALTER TABLE (re-creating triggers) refuses pending deferred FK checks.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            for table in ("ledger_upload", "ledger_event", *PROTECTED_TABLES):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
        install_triggers(connection)


class tampering:
    """Drop the triggers for the duration of a block, to alter rows the way an attacker
    with database access would."""

    def __enter__(self):
        drop_triggers(connection)
        return connection

    def __exit__(self, *exc):
        install_triggers(connection)
        return False
