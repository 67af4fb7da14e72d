"""The search window (`search._window`) on the current database (SQLite and PostgreSQL): the
newest matches by entry id, whatever the share of entries that match. On PostgreSQL it is read
in id slices, some through GIN bitmaps with the planner's index / sequential scans switched off
for the statement; these tests check the slices add up to exactly the newest matches and that
the planner settings are put back."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.core import tokenize
from zhifa.disclosure import search
from zhifa.disclosure.models import SearchEntry

N = 400
START = dt.date(2020, 1, 1)


def _day(i: int) -> dt.date:
    # not in id order: a date range is not an id range
    return START + dt.timedelta(days=(i * 7) % 200)


@pytest.fixture(params=["sliced", "one pass", "rare group first", "split index"])
def entries(db, monkeypatch, request):
    """N guide entries: every one holds 常见, every 37th 罕见, every 5th 一半 (half of them
    of kind licence); titles hold none of the words, so the order is newest first. On
    PostgreSQL, once read in slices, once in one pass (as when few matches are expected) and
    once with 罕见 counted as rare (a query holding it looks it up alone, then the rest) and
    once in slices over an index split at the newest 100 entries."""
    monkeypatch.setattr(search, "ONE_PASS", 10**9 if request.param == "one pass" else -1)
    monkeypatch.setattr(search, "RARE", 0.05 if request.param == "rare group first" else 0)
    monkeypatch.setattr(search, "_shares", (float("-inf"), {}, 1.0))  # read afresh
    monkeypatch.setattr(search, "RECENT", 100)
    docs = []
    for i in range(N):
        words = ["常见"]
        if i % 37 == 0:
            words.append("罕见")
        if i % 5 == 0:
            words.append("一半")
        docs.append(
            search.Document(
                object_id=i,
                title=f"条目{i:04d}",
                body="，".join(words) + "。",
                url=f"/portal/guides/{i}/",
                kind="licence" if i % 10 == 0 else "penalty",
                date=_day(i),
            )
        )
    search._upsert(search._rows("guide", docs))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE disclosure_searchentry")  # the shares of each word
        if request.param == "split index":
            top = SearchEntry.objects.order_by("-pk").values_list("pk", flat=True)[0]
            assert search.split_index(force=True) == top - 100 == search.index_floor()
    monkeypatch.setattr(search, "WINDOW", 20)
    monkeypatch.setattr(search, "RANKED", 0)  # order by title words (none), date, id
    by_object = dict(SearchEntry.objects.values_list("object_id", "pk"))
    return by_object


def _expected(ids_by_object, keep, *, limit=20):
    """The newest `search.WINDOW` matching entries (by entry id), in the order `search()`
    gives them when no title holds the words: newest date first, then highest id."""
    matching = sorted((ids_by_object[i] for i in range(N) if keep(i)), reverse=True)
    window = matching[: search.WINDOW]
    objects = {pk: i for i, pk in ids_by_object.items()}
    window.sort(key=lambda pk: (_day(objects[pk]), pk), reverse=True)
    return [objects[pk] for pk in window[:limit]]


def _objects(q, **filters):
    hits = search.search(q, limit=20, **filters)
    return [h.object_id for h in hits], hits


@pytest.mark.parametrize(
    ("q", "filters", "keep"),
    [
        ("常见", {}, lambda i: True),
        ("罕见", {}, lambda i: i % 37 == 0),
        ("一半", {}, lambda i: i % 5 == 0),
        ("一半", {"kind": "licence"}, lambda i: i % 10 == 0),
        ("常见 一半", {}, lambda i: i % 5 == 0),  # PostgreSQL: GIN reads 一半 alone
        ("常见", {"kind": "licence"}, lambda i: i % 10 == 0),
        (
            "常见",
            {"date_from": START + dt.timedelta(days=20), "date_to": START + dt.timedelta(days=60)},
            lambda i: 20 <= (i * 7) % 200 <= 60,
        ),
        (
            "一半",
            {"date_from": START + dt.timedelta(days=100)},
            lambda i: i % 5 == 0 and (i * 7) % 200 >= 100,
        ),
    ],
)
def test_window_holds_exactly_the_newest_matches(entries, q, filters, keep):
    got, hits = _objects(q, **filters)
    assert got == _expected(entries, keep)
    assert hits.capped == (sum(1 for i in range(N) if keep(i)) > search.WINDOW)


def test_fewer_matches_than_the_window(entries):
    got, hits = _objects("罕见 一半")  # 0, 185, 370
    assert sorted(got) == [0, 185, 370] and not hits.capped
    assert _objects("罕见 量子纠缠")[0] == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL planner settings")
def test_planner_settings_put_back(entries):
    # the test runs inside a transaction: SET LOCAL would otherwise last until its end
    assert _objects("罕见")[0]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_indexscan'), current_setting('enable_seqscan')"
        )
        assert cursor.fetchone() == ("on", "on")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage")
def test_vectors_are_kept_in_the_row_with_detailed_statistics(entries):
    # migration 0006: out of line, every row tested cost a TOAST lookup; statistics of 10,000
    # words (the rare-group lookup)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstorage, attstattarget FROM pg_attribute "
            "WHERE attrelid = 'disclosure_searchentry'::regclass AND attname = 'tsv'"
        )
        assert cursor.fetchone() == ("m", 1000)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL statistics")
def test_a_rare_group_is_looked_up_alone_and_the_rest_tested_on_its_rows(entries, request):
    with CaptureQueriesContext(connection) as captured:
        got, _hits = _objects("一半 罕见")
    rare_first = request.node.callspec.params["entries"] == "rare group first"
    assert sorted(got) == [0, 185, 370]
    assert any("ts_match_vq" in q["sql"] for q in captured.captured_queries) == rare_first


def test_common_words_are_left_out_of_the_lookup_but_not_of_the_query():
    query = tokenize.parse_query("宁发改罚〔2026〕12号 常见")
    shares = {"号": 0.99, "宁": 0.7, "常见": 0.9, "2026": 0.2, "罚": 0.5}
    assert search._without_common(query, shares) == [
        [("宁发改罚",), ("发改", "罚")],  # 宁 left out of the second alternative
        [("2026",)],
        # 12号 | 12 & 号: still a superset with 号 left out
        [("12号",), ("12",)],
    ]
    assert search._without_common(tokenize.parse_query("常见"), shares) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL split index")
def test_the_index_is_split_once_the_newest_entries_outgrow_it(db, monkeypatch):
    monkeypatch.setattr(search, "RECENT", 10)
    docs = [
        search.Document(object_id=i, title=f"条目{i}", body="常见。", url="/") for i in range(25)
    ]
    search._upsert(search._rows("guide", docs[:15]))
    assert search.split_index() is None and search.index_floor() is None  # 15 ≤ 1.5 × 10
    search._upsert(search._rows("guide", docs))
    top = SearchEntry.objects.order_by("-pk").values_list("pk", flat=True)[0]
    assert search.split_index() == top - 10 == search.index_floor()
    assert search.split_index() == top - 10  # 10 above the split: kept
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexrelid::regclass::text FROM pg_index "
            "WHERE indrelid = 'disclosure_searchentry'::regclass AND indexrelid::regclass::text "
            "LIKE 'disclosure_search_tsv%%' ORDER BY 1"
        )
        assert [r[0] for r in cursor.fetchall()] == [search.INDEX_OLD, search.INDEX_RECENT]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL split index")
def test_each_statement_reads_one_part_of_a_split_index(entries, request):
    if request.node.callspec.params["entries"] != "split index":
        pytest.skip("the index is split in one fixture only")
    with CaptureQueriesContext(connection) as captured:
        got, _hits = _objects("罕见")
    assert got == _expected(entries, lambda i: i % 37 == 0)
    statements = [q["sql"] for q in captured.captured_queries if "@@" in q["sql"]]
    with connection.cursor() as cursor, search._planner_off(cursor, search._PLANNER):
        for sql in statements:
            if sql.startswith("EXPLAIN") or "ORDER BY e.id DESC" not in sql:
                continue
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert search.INDEX_OLD in plan or search.INDEX_RECENT in plan, plan


def test_each_date_keeps_the_id_range_of_its_entries(entries):
    frm, to = START + dt.timedelta(days=20), START + dt.timedelta(days=60)
    low, high = search._id_span(frm, to)
    inside = [pk for i, pk in entries.items() if frm <= _day(i) <= to]
    assert low == min(inside) and high == max(inside)
    # an entry moved to another date: the new date's range takes it in, the old one keeps it
    moved = search.Document(object_id=0, title="条目0000", body="罕见。", url="/", date=frm)
    search._upsert(search._rows("guide", [moved]))
    assert search._id_span(frm, frm)[0] == entries[0]
    assert search._id_span(START, START) == (entries[0], entries[200])  # 0 and 200 on day 0
    assert search._id_span(START - dt.timedelta(days=9), START - dt.timedelta(days=1)) is None
