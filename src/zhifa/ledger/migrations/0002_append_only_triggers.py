"""Refuse UPDATE, DELETE (and on PostgreSQL TRUNCATE) on the ledger's append-only tables."""

from django.db import migrations


def forwards(apps, schema_editor):
    from zhifa.ledger.db import install_triggers

    install_triggers(schema_editor.connection)


def backwards(apps, schema_editor):
    from zhifa.ledger.db import drop_triggers

    drop_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
