"""Disclosure (PostgreSQL): each search entry's vector also holds keys — lexemes for its type,
kind, agency and id slice (`search.KEY`, `search.SLICES`), so that GIN applies the portal's
filters and reads only the id slice a statement asks for (`search._pg_window`).

At 1,000,000 entries a GIN lookup of a word cost every one of its matches in the index however
narrow the id slice it was ANDed with (消防: 60,000 matches, 23-26 ms); as a separate `@@`
condition the slice's keys make GIN step through both lists together. This replaces the index
split of stop 10 (`disclosure_search_tsv_old` / `_recent`), which is dropped here.

A trigger writes the keys, since an entry's id is known only as it is inserted. Every write of
an entry sets its vector afresh (`search._upsert`), so the trigger runs on writes of `tsv`; an
upsert's vector already carries the keys of the id the insert would have taken, so on update
the old keys are removed first.

Existing vectors are rewritten here, with the GIN index dropped meanwhile (writing a million
entries through it bloated it from 378 to 962 MB). Not atomic: each step commits, so the index
is built once the rewrite has committed, over the new row versions only (in the rewrite's own
transaction it also took in the old ones: 716 MB instead of 388). Every step can be run again,
so after a failure `zhifa migrate` simply runs it again. docs/operations.md says what this
costs on large installations.

SQLite: nothing to do (FTS5 indexes the tokens; filters are plain conditions there).
"""

from django.db import migrations

FUNCTION = r"""
CREATE OR REPLACE FUNCTION disclosure_search_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    NEW.tsv := ts_delete(
      NEW.tsv, ARRAY(SELECT lexeme FROM unnest(NEW.tsv) WHERE left(lexeme, 1) = '§'));
  END IF;
  NEW.tsv := NEW.tsv || array_to_tsvector(ARRAY[
    '§type:' || NEW.type,
    '§kind:' || NEW.kind,
    '§agency:' || COALESCE(NEW.agency_id::text, ''),
    '§1000:' || (NEW.id / 1000),
    '§10000:' || (NEW.id / 10000),
    '§100000:' || (NEW.id / 100000),
    '§1000000:' || (NEW.id / 1000000)
  ]);
  RETURN NEW;
END
$$
"""

TRIGGER = (
    "CREATE TRIGGER disclosure_search_keys BEFORE INSERT OR UPDATE OF tsv "
    "ON disclosure_searchentry FOR EACH ROW EXECUTE FUNCTION disclosure_search_keys()"
)

INDEXES = ("disclosure_search_tsv", "disclosure_search_tsv_old", "disclosure_search_tsv_recent")


def _forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {', '.join(INDEXES)}")
    schema_editor.execute(FUNCTION)
    schema_editor.execute("DROP TRIGGER IF EXISTS disclosure_search_keys ON disclosure_searchentry")
    schema_editor.execute(TRIGGER)
    schema_editor.execute("UPDATE disclosure_searchentry SET tsv = tsv")  # keys, by the trigger
    schema_editor.execute(
        "CREATE INDEX disclosure_search_tsv ON disclosure_searchentry USING gin (tsv)"
    )
    schema_editor.execute("VACUUM ANALYZE disclosure_searchentry")


def _backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS disclosure_search_keys ON disclosure_searchentry"
        )
        schema_editor.execute("DROP FUNCTION IF EXISTS disclosure_search_keys()")


class Migration(migrations.Migration):
    atomic = False
    dependencies = [("disclosure", "0007_search_days")]

    operations = [migrations.RunPython(_forwards, _backwards, elidable=False)]
