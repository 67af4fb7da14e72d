"""Disclosure: how PostgreSQL keeps and describes the search entries' `tsv`.

- STORAGE MAIN: the vector (about 2.8 kB for a decision) stays in the row. Out of line
  (EXTENDED, the default) every row the search tests against a query — walking the newest
  entries for a common word, checking the candidates of a rare one — cost a TOAST lookup:
  13-17 µs a row against 3 µs in the row (bench/portal.py, docs/benchmarks.md). The body and
  tokens columns still go out of line, so a row stays well within a page. Existing vectors
  move into their rows when they are written again (`zhifa search reindex`); until then they
  are read as before.
- STATISTICS 1000: ANALYZE then keeps the share of entries of up to 10,000 words (with 100:
  1,000, and every word under about 1 % counted as unknown). The planner's estimates and
  the search's choice of the rarest words (`search._rarest_group`) come from them.

SQLite: nothing to do.
"""

from django.db import migrations


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE disclosure_searchentry ALTER COLUMN tsv SET STORAGE MAIN, "
            "ALTER COLUMN tsv SET STATISTICS 1000"
        )


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE disclosure_searchentry ALTER COLUMN tsv SET STORAGE EXTENDED, "
            "ALTER COLUMN tsv SET STATISTICS -1"
        )


class Migration(migrations.Migration):
    dependencies = [("disclosure", "0005_public_pages")]

    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
