"""Portal search: Chinese full-text search over everything public (issue 6 "Search").

What is indexed (only public, masked content), one `SearchEntry` per thing:

- decisions — the current `PublishedVersion`'s masked fields and text, withdrawn ones with
  their withdrawal notice (the portal still shows them); written synchronously by
  `index_disclosure`, called inside the publish / correct / withdraw transactions, and in bulk
  by `bulk_index_disclosures`. Expired ones stay in the table and are left out at query time
  by `expires_on`, exactly like `selectors.public_disclosures`.
- other sources registered with `register_source(type, iter_documents)`: enforcement items
  (current approved version), officers (live certificate list, as on the officers page;
  the certificate's end date is the entry's `expires_on`), service guides and random-
  inspection items. They change in other apps' services, so they are refreshed by the
  periodic task `tasks.search_refresh` (every 5 minutes; only changed rows are written) and by
  ``zhifa search reindex``, not by hooks in those apps.

Full-text index: SQLite FTS5 (external content over `SearchEntry.tokens`, bm25) or a
PostgreSQL `tsvector` + GIN (ts_rank); migration 0002_search, and on PostgreSQL each vector
also holds keys for the filters and id slices (migration 0008, `_pg_window`). The same
`search()` on both.

Ranking at scale: the newest `WINDOW` matches (by entry id, i.e. indexing order; bulk loads
index in decision-date order; a date filter becomes an id range first) are fetched with
`ORDER BY id DESC LIMIT`, which both databases answer without visiting every match of a common
word; no COUNT(*). Up to `RANKED` matches are ranked by bm25 / ts_rank (any specific query);
above that, scoring each match costs more than the 50 ms budget at a million decisions, so
they are ranked by how many query words the title holds (party name, decision number, item or
officer name). Newest first on ties. `Results.capped` says when more than `WINDOW` matched.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import math
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, F, Max, Min
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from zhifa.core import tokenize
from zhifa.disclosure.models import (
    Disclosure,
    DisclosureKind,
    SearchDay,
    SearchEntry,
    SearchType,
    Status,
)

WINDOW = 1000
RANKED = 200  # up to this many matches are ranked by bm25 / ts_rank
_MARK = 987654321
SNIPPET = 120
PUBLIC_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)
KIND_LABELS = {"penalty": "处罚", "licence": "许可"}
_COLUMNS = [
    "type",
    "object_id",
    "agency_id",
    "kind",
    "date",
    "title",
    "body",
    "tokens",
    "url",
    "expires_on",
]


@dataclass
class Document:
    """One public thing to index. `body` is what snippets are cut from: public text only."""

    object_id: int
    title: str
    body: str
    url: str
    agency_id: int | None = None
    kind: str = ""
    date: dt.date | None = None
    expires_on: dt.date | None = None


@dataclass
class Hit:
    type: str
    type_label: str
    object_id: int
    title: str
    snippet_html: SafeString
    url: str
    date: dt.date | None
    agency: str
    agency_id: int | None
    kind: str
    kind_label: str
    disclosure_id: int | None = None


class Results(list):
    """A page of hits (a list), with `has_next` and `capped` (see the module doc)."""

    def __init__(self, hits=(), *, has_next: bool = False, capped: bool = False):
        super().__init__(hits)
        self.has_next = has_next
        self.capped = capped


# --- sources -------------------------------------------------------------------------------------

_sources: dict[str, Callable[[], Iterable[Document]]] = {}


def register_source(type: str, iter_documents: Callable[[], Iterable[Document]]) -> None:
    """Index the documents `iter_documents()` yields under `type` (a `SearchType` value); the
    whole set replaces the previous one at each refresh (changed rows only are written)."""
    if type not in SearchType.values or type == SearchType.DECISION:
        raise ValueError(f"未知或不可注册的搜索类型：{type}")
    _sources[type] = iter_documents


def sources() -> dict[str, Callable[[], Iterable[Document]]]:
    return dict(_sources)


# --- writing -------------------------------------------------------------------------------------


def _tsvector(tokens: list[str]) -> str:
    """A tsvector literal with positions (for ts_rank), lexemes as they are ('simple')."""
    positions: dict[str, list[int]] = {}
    for i, token in enumerate(tokens, start=1):
        where = positions.setdefault(token, [])
        if len(where) < 255:
            where.append(min(i, 16383))
    parts = []
    for token, where in positions.items():
        quoted = token.replace("\\", "\\\\").replace("'", "''")
        parts.append(f"'{quoted}':{','.join(map(str, sorted(set(where))))}")
    return " ".join(parts)


def _text(doc: Document) -> str:
    return f"{doc.title}\n{doc.body}"


def _rows(type: str, documents: list[Document], token_lists=None) -> list[tuple]:
    """Rows for `_upsert`; `token_lists` (one per document) when already tokenised."""
    postgres = connection.vendor == "postgresql"
    if token_lists is None:
        token_lists = [tokenize.index_tokens(_text(doc)) for doc in documents]
    rows = []
    for doc, all_tokens in zip(documents, token_lists, strict=True):
        # Each token once: half the terms for the full-text index to write, at 1,000,000
        # decisions; ranking keeps the words' rarity and the entry's length.
        tokens = list(dict.fromkeys(all_tokens))
        date, expires = doc.date, doc.expires_on
        if not postgres:
            date = date.isoformat() if date else None
            expires = expires.isoformat() if expires else None
        row = [
            type,
            doc.object_id,
            doc.agency_id,
            doc.kind or "",
            date,
            doc.title[:300],
            doc.body,
            " ".join(tokens),
            doc.url[:300],
            expires,
        ]
        if postgres:
            row.append(_tsvector(tokens))
        rows.append(tuple(row))
    return rows


def _upsert(rows: list[tuple]) -> None:
    if not rows:
        return
    columns = list(_COLUMNS)
    values = ["%s"] * len(columns)
    if connection.vendor == "postgresql":
        columns.append("tsv")
        values.append("%s::tsvector")
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns[2:])
    sql = (
        f"INSERT INTO disclosure_searchentry ({', '.join(columns)}) "  # noqa: S608 - fixed names
        f"VALUES ({', '.join(values)}) "
        f"ON CONFLICT (type, object_id) DO UPDATE SET {updates}"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
    _note_days(rows)


def _note_days(rows: list[tuple]) -> None:
    """Widen the id range of the dates of these just written entries (`SearchDay`)."""
    least, greatest = ("LEAST", "GREATEST") if connection.vendor == "postgresql" else ("min", "max")
    for type in {row[0] for row in rows}:
        ids = [row[1] for row in rows if row[0] == type]
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO disclosure_searchday (date, low, high) "  # noqa: S608
                    "SELECT date, min(id), max(id) FROM disclosure_searchentry "
                    f"WHERE type = %s AND object_id IN ({', '.join(['%s'] * len(batch))}) "
                    "AND date IS NOT NULL GROUP BY date "
                    "ON CONFLICT (date) DO UPDATE SET "
                    f"low = {least}(disclosure_searchday.low, excluded.low), "
                    f"high = {greatest}(disclosure_searchday.high, excluded.high)",
                    [type, *batch],
                )


def _sqlite_bulk_insert(type: str, rows: list[tuple]) -> None:
    """A batch of entries on SQLite, with their full-text rows written by one statement instead
    of the per-row insert trigger: FTS5 called from the trigger took 2–3 ms a row at 60,000
    entries and more as the index grew (bench/portal.py), one INSERT … SELECT takes a tenth.
    The trigger is dropped and re-created inside the caller's transaction, so no other
    connection ever sees the table without it. Entries already there are removed first
    (through the delete trigger), so the batch is plain inserts."""
    _remove(type, [row[1] for row in rows])
    columns = ", ".join(_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = %s",
            [FTS_INSERT_TRIGGER],
        )
        (trigger,) = cursor.fetchone()
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM disclosure_searchentry")
        (last,) = cursor.fetchone()  # AUTOINCREMENT: the batch's ids are all above it
        cursor.execute(f"DROP TRIGGER {FTS_INSERT_TRIGGER}")
        cursor.executemany(
            f"INSERT INTO disclosure_searchentry ({columns}) "  # noqa: S608 - fixed names
            f"VALUES ({', '.join(['%s'] * len(_COLUMNS))})",
            rows,
        )
        cursor.execute(
            "INSERT INTO disclosure_search_fts (rowid, tokens) "
            "SELECT id, tokens FROM disclosure_searchentry WHERE id > %s",
            [last],
        )
        cursor.execute(trigger)
    _note_days(rows)


FTS_INSERT_TRIGGER = "disclosure_search_ai"  # migration 0002


def _remove(type: str, object_ids: Iterable[int]) -> int:
    ids = list(object_ids)
    removed = 0
    for start in range(0, len(ids), 500):
        removed += SearchEntry.objects.filter(
            type=type, object_id__in=ids[start : start + 500]
        )._raw_delete(SearchEntry.objects.db)
    return removed


# --- decisions -----------------------------------------------------------------------------------


def _decision_documents(ids: list[int]) -> tuple[list[Document], list[int]]:
    """Documents for the public ones among `ids`, and the ids that are not (to remove)."""
    from zhifa.disclosure.models import PublishedVersion
    from zhifa.disclosure.services import field_rows

    rows = Disclosure.objects.filter(pk__in=ids).values(
        "pk", "agency_id", "kind", "status", "decided_on", "expires_on", "withdrawal_reason"
    )
    current: dict[int, tuple] = {}
    for did, fields, text, reason in (
        PublishedVersion.objects.filter(disclosure_id__in=ids)
        .order_by("disclosure_id", "number")
        .values_list("disclosure_id", "fields", "text", "reason")
    ):
        current[did] = (fields, text, reason)
    documents, gone = [], set(ids)
    url = reverse("disclosure:decision_detail", args=[_MARK])  # reverse() once, not per row
    for row in rows:
        version = current.get(row["pk"])
        if row["status"] not in PUBLIC_STATUSES or version is None:
            continue
        fields, text, reason = version
        lines = []
        if row["status"] == Status.WITHDRAWN:
            lines.append(f"已撤回。撤回理由：{row['withdrawal_reason']}")
        if reason:
            lines.append(f"更正理由：{reason}")
        lines += [f"{label}：{value}" for label, value in field_rows(row["kind"], fields) if value]
        lines.append(text)
        title = " · ".join(
            v for v in (fields.get("party_name", ""), fields.get("document_number", "")) if v
        )
        if row["status"] == Status.WITHDRAWN:
            title = f"（已撤回）{title}"
        documents.append(
            Document(
                object_id=row["pk"],
                title=title or "执法决定",
                body="\n".join(line for line in lines if line),
                url=url.replace(str(_MARK), str(row["pk"])),
                agency_id=row["agency_id"],
                kind=row["kind"],
                date=row["decided_on"],
                expires_on=row["expires_on"],
            )
        )
        gone.discard(row["pk"])
    return documents, sorted(gone)


def index_disclosure(disclosure: Disclosure | int) -> bool:
    """Bring one decision's entry up to date (call inside the service's transaction). Returns
    whether it is indexed (False: not public, entry removed)."""
    pk = disclosure if isinstance(disclosure, int) else disclosure.pk
    documents, gone = _decision_documents([pk])
    _upsert(_rows(SearchType.DECISION, documents))
    _remove(SearchType.DECISION, gone)
    return bool(documents)


def bulk_index_disclosures(
    queryset_or_ids=None,
    *,
    batch_size: int = 2000,
    tick: Callable[[int], None] | None = None,
    optimize: bool = True,
    workers: int | None = None,
) -> int:
    """Index many decisions fast: batches of `batch_size`, one query each for the rows and the
    versions, `executemany` upserts, one transaction per batch. A queryset is indexed in
    decision-date order (so entry ids follow dates, see the module doc). None: all public
    decisions. Returns how many are indexed; non-public ones among them are removed.

    jieba (pure Python) is the slow part: from 20,000 decisions on, batches are tokenised by
    `workers` forked processes (default: up to 4 CPUs) while the next batch is read."""
    if queryset_or_ids is None:
        queryset_or_ids = Disclosure.objects.filter(status__in=PUBLIC_STATUSES)
    if hasattr(queryset_or_ids, "values_list"):
        ids = list(queryset_or_ids.order_by("decided_on", "pk").values_list("pk", flat=True))
    else:
        ids = [int(i) for i in queryset_or_ids]
    if workers is None:
        workers = min(os.cpu_count() or 1, 4) if len(ids) >= 20_000 else 0
    pool = None
    if workers > 1:
        tokenize.tokenizer()  # load the dictionary once, before forking
        pool = multiprocessing.get_context("fork").Pool(workers)
    indexed = 0
    pending = None

    def write(documents, gone, size, tokens):
        token_lists = tokens.get() if hasattr(tokens, "get") else tokens
        rows = _rows(SearchType.DECISION, documents, token_lists)
        with transaction.atomic():
            if connection.vendor == "sqlite":
                _sqlite_bulk_insert(SearchType.DECISION, rows)
            else:
                _upsert(rows)
            _remove(SearchType.DECISION, gone)
        if tick:
            tick(size)
        return len(documents)

    try:
        with _bulk_cache():
            for start in range(0, len(ids), batch_size):
                batch = ids[start : start + batch_size]
                documents, gone = _decision_documents(batch)
                order = {pk: n for n, pk in enumerate(batch)}
                documents.sort(key=lambda d: order[d.object_id])
                texts = [_text(doc) for doc in documents]
                if pool:
                    tokens = pool.map_async(tokenize.index_tokens, texts, chunksize=50)
                else:
                    tokens = [tokenize.index_tokens(text) for text in texts]
                if pending:
                    indexed += write(*pending)
                pending = (documents, gone, len(batch), tokens)
            if pending:
                indexed += write(*pending)
    finally:
        if pool:
            pool.terminate()
            pool.join()
    if optimize and len(ids) >= 10_000:
        with _bulk_cache():  # the merge rewrites the whole index
            optimise_index()
    return indexed


# SQLite's page cache while bulk indexing, in KiB. FTS5 merges its segments as batches arrive;
# with a small cache it re-read them from the file for every batch, and each batch took longer
# than the last (2,000 entries: 17 s with 2 MB at 20,000 entries, 1.8 s with 64 MB).
BULK_CACHE_KIB = 512 * 1024


@contextlib.contextmanager
def _bulk_cache():
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def optimise_index() -> None:
    """After a large load: merge the FTS5 segments (SQLite); on PostgreSQL refresh the
    statistics the window plans with (outside a transaction also VACUUM, which sets the
    visibility map without waiting for autovacuum)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "INSERT INTO disclosure_search_fts(disclosure_search_fts) VALUES ('optimize')"
            )
        elif connection.vendor == "postgresql":
            vacuum = "" if connection.in_atomic_block else "VACUUM "
            cursor.execute(f"{vacuum}ANALYZE disclosure_searchentry")


# --- other sources -------------------------------------------------------------------------------


def refresh_source(type: str) -> tuple[int, int]:
    """Replace the entries of one registered source by what it yields now; only rows that
    changed are written. Returns (written, removed)."""
    documents = list(_sources[type]())
    existing = {
        row[0]: row[1:]
        for row in SearchEntry.objects.filter(type=type).values_list(
            "object_id", "title", "body", "url", "agency_id", "kind", "date", "expires_on"
        )
    }
    changed = [
        doc
        for doc in documents
        if existing.get(doc.object_id)
        != (
            doc.title[:300],
            doc.body,
            doc.url[:300],
            doc.agency_id,
            doc.kind or "",
            doc.date,
            doc.expires_on,
        )
    ]
    gone = set(existing) - {doc.object_id for doc in documents}
    with transaction.atomic():
        _upsert(_rows(type, changed))
        removed = _remove(type, gone)
    return len(changed), removed


def refresh_sources() -> dict[str, tuple[int, int]]:
    return {type: refresh_source(type) for type in _sources}


def reindex(*, progress: Callable[[str, int], object] | None = None) -> dict[str, int]:
    """Rebuild everything: all public decisions (bulk) and every registered source. `progress`
    (e.g. a tqdm factory) is called as ``progress(label, total)`` and must return an object
    with ``update(n)`` and ``close()``. Returns the number of entries per type."""
    public = Disclosure.objects.filter(status__in=PUBLIC_STATUSES)
    total = public.count()
    bar = progress("执法决定", total) if progress else None
    bulk_index_disclosures(public, tick=bar.update if bar else None, optimize=False)
    if bar:
        bar.close()
    indexed = set(public.values_list("pk", flat=True))
    stale = set(
        SearchEntry.objects.filter(type=SearchType.DECISION).values_list("object_id", flat=True)
    )
    _remove(SearchType.DECISION, stale - indexed)
    for type in _sources:
        bar = progress(SearchType(type).label, 1) if progress else None
        refresh_source(type)
        if bar:
            bar.update(1)
            bar.close()
    optimise_index()
    return {
        row["type"]: row["n"]
        for row in SearchEntry.objects.values("type").annotate(n=Count("pk")).order_by()
    }


# --- querying ------------------------------------------------------------------------------------


def _fts5_term(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _pg_term(token: str) -> str:
    return "'" + token.replace("\\", "\\\\").replace("'", "''") + "'"


def match_expression(query: tokenize.Query, vendor: str) -> str:
    """The query as FTS5 MATCH text or a tsquery literal, built from tokens only (every token
    quoted), so user input can never be read as query syntax."""
    if vendor == "postgresql":
        term, both, either = _pg_term, " & ", " | "
    else:
        term, both, either = _fts5_term, " AND ", " OR "
    groups = []
    for group in query:
        alternatives = ["(" + both.join(term(t) for t in alt) + ")" for alt in group]
        groups.append("(" + either.join(alternatives) + ")")
    return both.join(groups)


def _filters(today, agency_id, kind, date_from, date_to, types) -> tuple[list[str], list[object]]:
    sqlite = connection.vendor == "sqlite"

    def day(value):
        return value.isoformat() if sqlite else value

    where = ["(e.expires_on IS NULL OR e.expires_on >= %s)"]
    params: list[object] = [day(today)]
    if agency_id:
        where.append("e.agency_id = %s")
        params.append(int(agency_id))
    if kind:
        where.append("e.kind = %s")
        params.append(kind)
    if date_from:
        where.append("e.date >= %s")
        params.append(day(date_from))
    if date_to:
        where.append("e.date <= %s")
        params.append(day(date_to))
    if types:
        where.append(f"e.type IN ({', '.join(['%s'] * len(types))})")
        params.extend(types)
    return where, params


def _window(query, where, params, size, *, rank: bool, low=None, high=None, keys=()) -> list[tuple]:
    """The newest `size` matches (by id) with ids in `low`..`high` (None: unbounded):
    (id, date, title), or with `rank` (SQLite only) (id, score), from bm25, higher is better.
    `keys`: the filters in `where` as query groups (`_filter_keys`; PostgreSQL)."""
    if connection.vendor == "postgresql":
        return _pg_window(query, list(keys), where, params, size, low, high)
    expression = match_expression(query, connection.vendor)
    if low is not None:
        where = [*where, "disclosure_search_fts.rowid BETWEEN %s AND %s"]
        params = [*params, low, high]
    columns = "e.id, bm25(disclosure_search_fts)" if rank else "e.id, e.date, e.title"
    sql = (
        f"SELECT {columns} FROM disclosure_search_fts "  # noqa: S608
        "JOIN disclosure_searchentry e ON e.id = disclosure_search_fts.rowid "
        f"WHERE disclosure_search_fts MATCH %s AND {' AND '.join(where)} "
        "ORDER BY disclosure_search_fts.rowid DESC LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression, *params, size])
        rows = cursor.fetchall()
    if rank:
        return [(pk, -float(score or 0)) for pk, score in rows]  # bm25: lower is better
    return rows


# PostgreSQL: keys. Each entry's vector also holds lexemes for its type, kind, agency and id
# slices (written by the trigger of migration 0008): GIN then applies the filters and reads
# only a statement's id slice. Tokens are letters and digits only, so no word is ever a key.
KEY = "§"
SLICES = (1_000, 10_000, 100_000, 1_000_000)  # an entry is in one slice of each size
SLICE_STATEMENTS = 6  # the last one reads all that is left of the range
_PLANNER = ("enable_indexscan", "enable_seqscan")


def _filter_keys(agency_id, kind, types) -> tokenize.Query:
    """The portal's filters as query groups of keys (PostgreSQL)."""
    groups: tokenize.Query = []
    if agency_id:
        groups.append([(f"{KEY}agency:{int(agency_id)}",)])
    if kind:
        groups.append([(f"{KEY}kind:{kind}",)])
    if types:
        groups.append([(f"{KEY}type:{type}",) for type in types])
    return groups


def _slice_keys(bottom: int, top: int) -> list[str]:
    """The fewest slice keys whose entries are exactly those with ids from `bottom`'s thousand
    to `top`'s: the smallest slices at the ends, larger ones in between."""
    keys = []
    first, last = bottom // SLICES[0], top // SLICES[0]  # in slices of the current size
    for size in SLICES:
        largest = size == SLICES[-1]
        while first <= last and (largest or first % 10):
            keys.append(f"{KEY}{size}:{first}")
            first += 1
        while first <= last and (largest or (last + 1) % 10):
            keys.append(f"{KEY}{size}:{last}")
            last -= 1
        first, last = first // 10, (last + 1) // 10 - 1
    return keys


SHARES_SECONDS = 600.0
_shares: tuple[float, dict[str, float], float] = (float("-inf"), {}, 1.0)


def _pg_shares(cursor) -> tuple[dict[str, float], float]:
    """The share of entries holding each common lexeme, and the share assumed for any other
    (half the least common listed one's, as the planner assumes): the statistics ANALYZE keeps
    for the planner (`pg_stats.most_common_elems` of `tsv`), read at most every
    SHARES_SECONDS per process. Before the first ANALYZE every lexeme counts as common."""
    global _shares
    read_at, shares, other = _shares
    if time.monotonic() - read_at < SHARES_SECONDS:
        return shares, other
    cursor.execute(
        "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
        "WHERE schemaname = current_schema() AND tablename = 'disclosure_searchentry' "
        "AND attname = 'tsv'"
    )
    row = cursor.fetchone()
    shares, other = {}, 1.0
    if row and row[0]:
        shares = dict(zip(row[0], row[1], strict=False))  # the frequencies end with min, max…
        other = row[1][len(row[0])] / 2
    _shares = (time.monotonic(), shares, other)
    return shares, other


COMMON = 0.6  # words in this share of the entries or more are left out of GIN conditions


def _without_common(query: tokenize.Query, shares: dict[str, float]) -> tokenize.Query:
    """The query without its words held by COMMON or more of the entries (号, 有限公司, the
    county's name), so that it matches a superset: an alternative left without words matches
    nearly everything, and its group is left out. GIN tests such a word on every candidate
    of the rarer ones by descending its posting tree again (about 5 µs each: a company's name
    cost 11 ms for 500 matches); tested on the rows found instead, it costs a few µs a row."""
    lookup = []
    for group in query:
        alternatives = []
        for alternative in group:
            kept = tuple(t for t in alternative if shares.get(t, 0.0) < COMMON)
            if not kept:
                break
            alternatives.append(kept)
        else:
            lookup.append(alternatives)
    return lookup


def _group_share(group: list[tuple[str, ...]], shares: dict[str, float], other: float) -> float:
    """The share of entries matching one query group, its words taken as independent."""
    return min(1.0, sum(math.prod(shares.get(t, other) for t in alt) for alt in group))


def _pg_window(query, keys, where, params, size, low, high) -> list[tuple]:
    """PostgreSQL: the window in id slices, newest first (bench/portal.py and
    docs/benchmarks.md hold the measurements behind this).

    Each group of the query (and of the filter `keys`) is its own `@@` condition, and so is
    the slice's keys: GIN steps through their lists together, each skipping to where the
    others are, so a statement costs about its slice's entries however common a word is in
    the whole table (a single `@@` would read a common word's whole list). Words in COMMON or
    more of the entries are left out of these conditions (`_without_common`), and the whole
    query is tested on the rows found (`ts_match_vq`: `@@` as a function, never an index
    condition).

    The first slice is sized from the share of the least common group (`pg_stats`), an upper
    bound of the share matching: a rare word's first slice is the whole range, in one
    statement. The next slices are sized from the share found so far. Plain index and
    sequential scans are switched off for these statements (SET LOCAL, put back afterwards):
    where the planner misjudges a word's share it would otherwise test every row."""
    groups = [*query, *keys]
    conditions = " AND ".join(where)
    with connection.cursor() as cursor:
        whole = low is None
        if whole:
            cursor.execute("SELECT min(id), max(id) FROM disclosure_searchentry")
            low, high = cursor.fetchone()
            if low is None:
                return []
        shares, other = _pg_shares(cursor)
        density = min(_group_share(group, shares, other) for group in groups)
        lookup = _without_common(query, shares)
        each_group = [match_expression([group], "postgresql") for group in [*lookup, *keys]]
        if lookup != query:  # the whole query, on the rows found
            conditions += " AND ts_match_vq(e.tsv, %s::tsquery)"
            params = [*params, match_expression(query, "postgresql")]
        rows: list[tuple] = []
        top, width = high, max(3 * size // 2, int(size * 1.2 / max(density, 1e-9)))
        for statement in range(SLICE_STATEMENTS):
            bottom = low
            if statement < SLICE_STATEMENTS - 1:
                bottom = max(low, (top - width + 1) // SLICES[0] * SLICES[0])
            matches = list(each_group)
            if not (whole and bottom == low and top == high):
                matches.append(" | ".join(_pg_term(k) for k in _slice_keys(bottom, top)))
            # Only GIN finds the rows: the filters are tested on what it found, above an
            # `OFFSET 0` fence the planner pushes no condition through (a b-tree bitmap of the
            # dates ANDed with a slice cost 25 ms for a year), and the id range with `+ 0`
            # (a primary-key bitmap): the slice's keys already select whole thousands.
            indexed = [*["e.tsv @@ %s::tsquery"] * len(matches), "e.id + 0 BETWEEN %s AND %s"]
            sql = (
                "SELECT e.id, e.date, e.title FROM (SELECT * FROM disclosure_searchentry e "  # noqa: S608
                f"WHERE {' AND '.join(indexed)} OFFSET 0) e "
                f"WHERE {conditions} ORDER BY e.id DESC LIMIT %s"
            )
            with _planner_off(cursor, _PLANNER):
                cursor.execute(sql, [*matches, bottom, top, *params, size - len(rows)])
                rows += cursor.fetchall()
            if len(rows) >= size or bottom <= low:
                break
            seen = high - bottom + 1
            width = (size - len(rows)) * seen * 6 // (5 * len(rows)) if rows else seen * 4
            width = max(width, 2 * size)
            top = bottom - 1
    return rows


@contextlib.contextmanager
def _planner_off(cursor, names: tuple[str, ...]):
    """PostgreSQL planner methods `names` switched off for the statements inside (SET LOCAL
    in a savepoint), then put back: SET LOCAL would otherwise last until an outer transaction
    ends (on an error, rolling back to the savepoint puts them back)."""
    if not names:
        yield
        return
    outer = connection.in_atomic_block
    with transaction.atomic():
        cursor.execute(
            "SELECT "
            + ", ".join(f"current_setting('{n}')" for n in names)
            + ", "
            + ", ".join(f"set_config('{n}', 'off', true)" for n in names)
        )
        before = cursor.fetchone()[: len(names)]
        yield
        if outer:
            cursor.execute(
                "SELECT " + ", ".join(f"set_config('{n}', %s, true)" for n in names), before
            )


def _title_scores(query: tokenize.Query, titles: list[str]) -> list[int]:
    """For each title, how many of the query's words it holds (party name, decision number,
    item or officer name): the ranking when too many entries match to rank them all cheaply.
    The words are looked up as text in the folded titles, not as their jieba tokens:
    tokenising a thousand titles per query cost 20 ms at 1,000,000 entries."""
    texts = tokenize.fold("\x00".join(titles)).split("\x00")  # one call for the window
    if len(texts) != len(titles):
        texts = [tokenize.fold(title) for title in titles]
    scores = [0] * len(texts)
    for group in query:
        for i, text in enumerate(texts):
            for alternative in group:
                for token in alternative:
                    if token not in text:
                        break
                else:  # every token of this alternative is in the title
                    scores[i] += 1
                    break
    return scores


def _id_span(date_from, date_to) -> tuple[int, int] | None:
    """The ids of the entries dated within the range lie within (lowest, highest), read from
    the id range of each date (`SearchDay`). Given to the full-text scan as an id range:
    entries are indexed roughly in date order, so a date filter does not walk through every
    match of a common word outside the range."""
    days = SearchDay.objects.all()
    if date_from:
        days = days.filter(date__gte=date_from)
    if date_to:
        days = days.filter(date__lte=date_to)
    span = days.aggregate(low=Min("low"), high=Max("high"))
    return None if span["low"] is None else (span["low"], span["high"])


def search(
    q: str | None,
    *,
    agency_id: int | None = None,
    kind: str | None = None,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    types: Iterable[str] | str | None = None,
    limit: int = 20,
    offset: int = 0,
    today: dt.date | None = None,
) -> Results:
    """Public search. `q` is free text (AND of its words; never raises on any input); `kind`
    'penalty' / 'licence'; the date range applies to the entry's date (decision date for
    decisions); `types`: `SearchType` values. Best first, newest first on equal rank."""
    query = tokenize.parse_query(q)
    limit = max(1, min(int(limit), 100))
    offset = max(0, int(offset))
    if isinstance(types, str):
        types = [types]
    types = [t for t in (types or []) if t in SearchType.values]
    if not query or offset >= WINDOW:
        return Results()
    where, params = _filters(
        today or timezone.localdate(), agency_id, kind, date_from, date_to, types
    )
    low = high = None
    if date_from or date_to:
        span = _id_span(date_from, date_to)
        if span is None:
            return Results()
        low, high = span
    keys = _filter_keys(agency_id, kind, types)
    window = _window(query, where, params, WINDOW + 1, rank=False, low=low, high=high, keys=keys)
    capped = len(window) > WINDOW
    window = window[:WINDOW]
    if 0 < len(window) <= RANKED:
        # Few matches: bm25 / ts_rank over exactly these (cheap at this size).
        scores = _scores(query, [r[0] for r in window], where, params)
    else:
        # Many matches: scoring every one costs more than the 50 ms budget at a million
        # decisions (bm25 reads each match's statistics); rank by the words in the title.
        titles = _title_scores(query, [title for _pk, _date, title in window])
        scores = {row[0]: score for row, score in zip(window, titles, strict=True)}
    # Best first, then newest date (undated last), then newest entry.
    window.sort(
        key=lambda r: (scores.get(r[0], 0), r[1] is not None, r[1] or 0, r[0]), reverse=True
    )
    page = window[offset : offset + limit]
    return Results(
        _hits([r[0] for r in page], tokenize.query_terms(query)),
        has_next=len(window) > offset + limit,
        capped=capped,
    )


def _scores(query: tokenize.Query, ids: list[int], where, params) -> dict[int, float]:
    """bm25 (SQLite) or ts_rank (PostgreSQL) of the matches `ids` (newest first), higher is
    better. PostgreSQL reads them by primary key: a second pass through the GIN index cost as
    much as finding them (24 ms for a decision number at 1,000,000 entries)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT id, ts_rank(tsv, %s::tsquery) FROM disclosure_searchentry "
                "WHERE id = ANY(%s)",
                [match_expression(query, connection.vendor), ids],
            )
            return {pk: float(score or 0) for pk, score in cursor.fetchall()}
    low, high = ids[-1], ids[0]
    return dict(_window(query, where, params, RANKED + 1, rank=True, low=low, high=high))


def _hits(ids: list[int], terms: set[str]) -> list[Hit]:
    # One query for the page's entries with their agency's name; not the tokens column.
    entries = {
        e["pk"]: e
        for e in SearchEntry.objects.filter(pk__in=ids).values(
            "pk",
            "type",
            "object_id",
            "title",
            "body",
            "url",
            "date",
            "agency_id",
            "kind",
            agency_name=F("agency__name"),
        )
    }
    hits = []
    for pk in ids:
        e = entries.get(pk)
        if e is None:
            continue
        hits.append(
            Hit(
                type=e["type"],
                type_label=SearchType(e["type"]).label,
                object_id=e["object_id"],
                title=e["title"],
                snippet_html=snippet_html(e["body"], terms),
                url=e["url"],
                date=e["date"],
                agency=e["agency_name"] or "",
                agency_id=e["agency_id"],
                kind=e["kind"],
                kind_label=KIND_LABELS.get(e["kind"], ""),
                disclosure_id=e["object_id"] if e["type"] == SearchType.DECISION else None,
            )
        )
    return hits


@dataclass
class _Span:
    start: int
    end: int
    terms: set = field(default_factory=set)


def snippet_html(body: str, terms: Iterable[str], width: int = SNIPPET) -> SafeString:
    """A piece of `body` around the best cluster of matched terms, HTML-escaped, each match in
    <mark>. Matching is on the normalised text (full-width, case), mapped back to `body`."""
    body = (body or "").replace("\r", " ").replace("\n", " ")
    norm, where = tokenize.normalise_with_map(body)
    spans: list[_Span] = []
    for term in sorted(set(terms), key=len, reverse=True):
        at = norm.find(term)
        while at >= 0:
            spans.append(_Span(where[at], where[at + len(term) - 1] + 1, {term}))
            at = norm.find(term, at + len(term))
    spans.sort(key=lambda s: (s.start, -s.end))
    merged: list[_Span] = []
    for span in spans:
        if merged and span.start < merged[-1].end:
            merged[-1].end = max(merged[-1].end, span.end)
            merged[-1].terms |= span.terms
        else:
            merged.append(span)
    start = max(0, _densest(merged, width).start - 20) if merged else 0
    end = min(len(body), start + width)
    out = ["…" if start > 0 else ""]
    cursor = start
    for span in merged:
        if span.end <= start or span.start >= end:
            continue
        s, e = max(span.start, start), min(span.end, end)
        out.append(html.escape(body[cursor:s]))
        out.append(f"<mark>{html.escape(body[s:e])}</mark>")
        cursor = e
    out.append(html.escape(body[cursor:end]))
    out.append("…" if end < len(body) else "")
    return mark_safe("".join(out))  # noqa: S308 - every piece of text is escaped above


def _densest(spans: list[_Span], width: int) -> _Span:
    """The span that starts the window of `width` holding the most distinct terms (then the
    most matches): one pass with a sliding window over `spans` (sorted, disjoint)."""
    counts: Counter[str] = Counter()
    best, best_score, end = spans[0], -1, 0
    for i, span in enumerate(spans):
        end = max(end, i)  # spans[i:end] are inside the window; their terms are counted
        while end < len(spans) and spans[end].end <= span.start + width:
            counts.update(spans[end].terms)
            end += 1
        score = len(counts) * 100 + (end - i)
        if score > best_score:
            best, best_score = span, score
        if end > i:  # span leaves the window
            for term in span.terms:
                counts[term] -= 1
                if not counts[term]:
                    del counts[term]
    return best


def kind_choices() -> list[tuple[str, str]]:
    return [(DisclosureKind.PENALTY, "处罚"), (DisclosureKind.LICENCE, "许可")]
