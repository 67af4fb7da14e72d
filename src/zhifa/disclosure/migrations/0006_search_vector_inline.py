"""Disclosure: on PostgreSQL the search entry's `tsv` is kept in the row (STORAGE MAIN).

With the default (EXTENDED) a decision's vector (about 2.8 kB) went to the TOAST table, and
every row the search tests against a query — walking the newest entries for a common word,
or checking candidates — cost a TOAST lookup: 13-17 µs a row against 3 µs inline
(bench/portal.py, docs/benchmarks.md). The body and tokens columns still go out of line, so a
row stays well within a page. Existing vectors are rewritten (a new value is stored under the
new rule); at 1,000,000 entries that takes minutes, once. SQLite: nothing to do.
"""

from django.db import migrations


def _inline(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("ALTER TABLE disclosure_searchentry ALTER COLUMN tsv SET STORAGE MAIN")
    schema_editor.execute("UPDATE disclosure_searchentry SET tsv = tsv || ''::tsvector")


def _out_of_line(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE disclosure_searchentry ALTER COLUMN tsv SET STORAGE EXTENDED"
        )


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0005_public_pages")]

    operations = [migrations.RunPython(_inline, _out_of_line, elidable=False)]
