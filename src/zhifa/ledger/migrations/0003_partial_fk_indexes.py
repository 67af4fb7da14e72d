"""Index the event's optional references only where they are set.

Most events have no actor (system events), no correction and often no agency; full indexes on
those columns got one more B-tree page written per append for NULL keys no query looks up.
Partial indexes (``WHERE col IS NOT NULL``) still serve every ``col = x`` / ``col IN (…)``
lookup, including the PROTECT checks when a user or agency is deleted.

Only indexes change: no table is rebuilt, so the append-only triggers stay in place.
"""

from django.conf import settings
from django.db import migrations, models

COLUMNS = {"actor": "actor_id", "agency": "agency_id", "corrects": "corrects_id"}


def _name(field: str) -> str:
    return f"ledger_event_{field}_set"


def forwards(apps, schema_editor):
    event = apps.get_model("ledger", "Event")
    for field, column in COLUMNS.items():
        for name in schema_editor._constraint_names(event, [column], index=True):
            schema_editor.execute(schema_editor._delete_index_sql(event, name))
        schema_editor.add_index(event, _index(field))


def backwards(apps, schema_editor):
    event = apps.get_model("ledger", "Event")
    for field, column in COLUMNS.items():
        schema_editor.remove_index(event, _index(field))
        schema_editor.add_index(event, models.Index(fields=[field], name=f"ledger_event_{column}"))


def _index(field: str) -> models.Index:
    return models.Index(
        fields=[field], condition=models.Q(**{f"{field}__isnull": False}), name=_name(field)
    )


def _fk(to: str, related_name: str, verbose_name: str):
    return models.ForeignKey(
        blank=True,
        db_index=False,
        null=True,
        on_delete=models.deletion.PROTECT,
        related_name=related_name,
        to=to,
        verbose_name=verbose_name,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0002_append_only_triggers"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(forwards, backwards)],
            state_operations=[
                migrations.AlterField(
                    "event", "actor", _fk(settings.AUTH_USER_MODEL, "+", "操作人")
                ),
                migrations.AlterField("event", "agency", _fk("org.agency", "+", "执法主体")),
                migrations.AlterField(
                    "event", "corrects", _fk("ledger.event", "corrections", "更正的事件")
                ),
                *[migrations.AddIndex("event", _index(field)) for field in COLUMNS],
            ],
        )
    ]
