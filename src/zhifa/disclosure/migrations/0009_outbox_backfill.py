"""Disclosure: `OutboxMessage.backfill` marks the messages of a staff back-fill (补发已公示的
记录, `push.subscriber_backfill`), so a second back-fill waits until the first is delivered.
Existing messages were written by changes: false. PostgreSQL adds the column without rewriting
the table; SQLite copies the outbox table once (seconds for a few hundred thousand messages)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0008_search_keys"),
    ]

    operations = [
        migrations.AddField(
            model_name="outboxmessage",
            name="backfill",
            field=models.BooleanField(default=False, verbose_name="补发"),
        ),
    ]
