"""Disclosure: the portal search index (`disclosure.search`).

`SearchEntry` holds one row per public thing with its masked body and its jieba tokens. The
full-text index over `tokens` depends on the database:

- SQLite: an FTS5 table `disclosure_search_fts` with external content (the entry table,
  rowid = entry id), kept in step by triggers; tokenizer ``unicode61`` over the space-joined
  tokens, so each jieba token is one FTS term; ``detail=column``: no positions (no phrase
  queries are made; the tokens of an entry are stored once each).
- PostgreSQL: a `tsv tsvector` column built by `search.py` from the same tokens (lexemes taken
  as they are, like the 'simple' configuration, without depending on the server's locale) and
  a GIN index.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE disclosure_search_fts USING fts5("
    "tokens, content='disclosure_searchentry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0', detail='column')",
    "CREATE TRIGGER disclosure_search_ai AFTER INSERT ON disclosure_searchentry BEGIN "
    "INSERT INTO disclosure_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
    "CREATE TRIGGER disclosure_search_ad AFTER DELETE ON disclosure_searchentry BEGIN "
    "INSERT INTO disclosure_search_fts(disclosure_search_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); END",
    "CREATE TRIGGER disclosure_search_au AFTER UPDATE OF tokens ON disclosure_searchentry BEGIN "
    "INSERT INTO disclosure_search_fts(disclosure_search_fts, rowid, tokens) "
    "VALUES ('delete', old.id, old.tokens); "
    "INSERT INTO disclosure_search_fts(rowid, tokens) VALUES (new.id, new.tokens); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS disclosure_search_au",
    "DROP TRIGGER IF EXISTS disclosure_search_ad",
    "DROP TRIGGER IF EXISTS disclosure_search_ai",
    "DROP TABLE IF EXISTS disclosure_search_fts",
]
POSTGRESQL = [
    "ALTER TABLE disclosure_searchentry ADD COLUMN tsv tsvector NOT NULL DEFAULT ''::tsvector",
    "CREATE INDEX disclosure_search_tsv ON disclosure_searchentry USING gin (tsv)",
]
POSTGRESQL_DROP = [
    "DROP INDEX IF EXISTS disclosure_search_tsv",
    "ALTER TABLE disclosure_searchentry DROP COLUMN IF EXISTS tsv",
]


def _run(statements: dict):
    def run(apps, schema_editor):
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("disclosure", "0001_initial"),
        ("org", "0002_device"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "type",
                    models.CharField(
                        choices=[
                            ("decision", "执法决定"),
                            ("item", "执法事项"),
                            ("guide", "服务指南"),
                            ("inspection", "随机抽查事项"),
                            ("officer", "执法人员"),
                        ],
                        max_length=12,
                        verbose_name="类型",
                    ),
                ),
                ("object_id", models.BigIntegerField(verbose_name="对象编号")),
                (
                    "agency",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="org.agency",
                        verbose_name="执法主体",
                    ),
                ),
                ("kind", models.CharField(blank=True, max_length=10, verbose_name="类别")),
                ("date", models.DateField(blank=True, null=True, verbose_name="日期")),
                ("expires_on", models.DateField(blank=True, null=True, verbose_name="公示期至")),
                ("url", models.CharField(max_length=300, verbose_name="链接")),
                ("title", models.CharField(max_length=300, verbose_name="标题")),
                ("body", models.TextField(blank=True, verbose_name="正文（脱敏）")),
                ("tokens", models.TextField(blank=True, verbose_name="分词")),
            ],
            options={
                "verbose_name": "搜索条目",
                "verbose_name_plural": "搜索条目",
                "constraints": [
                    models.UniqueConstraint(fields=("type", "object_id"), name="search_entry_once")
                ],
                "indexes": [models.Index(fields=["date", "id"], name="search_entry_date")],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRESQL}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRESQL_DROP}),
        ),
    ]
