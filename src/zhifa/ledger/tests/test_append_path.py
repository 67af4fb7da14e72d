"""The append path under concurrency and after rollbacks: seq stays gap-free and every stored
subtree hash stays right although each connection caches the right edge of the tree (the
frontier) between appends."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from zhifa import ledger
from zhifa.ledger import merkle, selectors, services
from zhifa.ledger.models import Event, Node
from zhifa.ledger.services import Entry, record_many
from zhifa.ledger.testing import purge_ledger, tampering
from zhifa.ledger.verification import verify_ledger


def leaves() -> list[bytes]:
    return [bytes(h) for h in Event.objects.order_by("seq").values_list("leaf_hash", flat=True)]


def assert_tree_sound(n: int) -> None:
    assert list(Event.objects.order_by("seq").values_list("seq", flat=True)) == list(range(n))
    assert selectors.root_at(n) == merkle.root(leaves())
    assert Node.objects.count() == 2 * n - bin(n).count("1")
    result = verify_ledger()
    assert result.ok, result.problems


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_concurrent_appenders_keep_seq_gap_free_and_nodes_right(ledger_purge):
    """Six threads, each with its own connection (and its own cached frontier, made stale
    by the others' appends), append single events, batches and rolled-back events."""
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(12):
                ledger.record("test.concurrent", f"test.thing:{worker}", None, {"i": i})
                if i % 4 == 0:
                    record_many(
                        Entry("test.batch", f"test.thing:{worker}", None, {"i": i, "j": j})
                        for j in range(3)
                    )
                if i % 5 == 0:
                    try:
                        with transaction.atomic():
                            ledger.record("test.undone", f"test.thing:{worker}", None)
                            raise Boom
                    except Boom:
                        pass
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    n = 6 * (12 + 3 * 3)
    assert not Event.objects.filter(kind="test.undone").exists()
    assert_tree_sound(n)


@pytest.mark.django_db(transaction=True)
def test_rolled_back_append_does_not_leave_a_stale_frontier(ledger_purge):
    for i in range(5):
        ledger.record("test.kept", f"test.thing:{i}", None)
    with pytest.raises(Boom), transaction.atomic():
        record_many(Entry("test.undone", f"test.thing:{i}", None) for i in range(3))
        raise Boom
    # The cache now describes 8 leaves that are not there; the next appends must not use it.
    for i in range(5, 9):
        ledger.record("test.kept", f"test.thing:{i}", None)
    assert not Event.objects.filter(kind="test.undone").exists()
    assert_tree_sound(9)


@pytest.mark.django_db(transaction=True)
def test_log_rewritten_behind_the_cache_is_read_again(ledger_purge):
    """Another writer's rows (here: the log emptied and refilled behind this connection's
    back) change the size or the last leaf, so the cached frontier is not used."""
    for i in range(7):
        ledger.record("test.first", f"test.thing:{i}", None)
    purge_ledger()
    with tampering() as conn, conn.cursor() as cursor:  # rows written by "someone else"
        for i in range(7):
            data = f"other {i}".encode()
            h = merkle.leaf_hash(data)
            cursor.execute(
                "INSERT INTO ledger_event (seq, kind, subject, time, payload, canonical, "
                "leaf_hash) VALUES (%s, 'test.other', 'x', %s, '{}', %s, %s)",
                [i, "2026-01-01 00:00:00+00:00", data, h],
            )
    hashes = [merkle.leaf_hash(f"other {i}".encode()) for i in range(7)]
    with connection.cursor() as cursor:
        rows, level = [], hashes
        for lv in range(3):
            rows += [(lv, i, h) for i, h in enumerate(level)]
            level = [merkle.node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        cursor.executemany(
            'INSERT INTO ledger_node (level, "index", hash) VALUES (%s, %s, %s)', rows
        )
    ledger.record("test.after", "test.thing:7", None)
    stored = {(n.level, n.index): bytes(n.hash) for n in Node.objects.all()}
    all_leaves = leaves()
    naive = merkle.naive_subtree(all_leaves)
    assert stored[3, 0] == naive(0, 8)  # built from the other writer's rows, not the cache
    assert selectors.root_at(8) == merkle.root(all_leaves)


def test_small_and_large_batches_keep_every_node(db, monkeypatch):
    """PostgreSQL inserts a few events with one statement and a batch with COPY; both paths
    here (on SQLite both are executemany)."""
    monkeypatch.setattr(services, "_PG_COPY_FROM", 20)
    ledger.record("test.single", "test.thing:0", None)
    for size in (1, 64, 13, 100):
        record_many(Entry("test.batch", f"test.thing:{i}", None, {"i": i}) for i in range(size))
    assert_tree_sound(1 + 1 + 64 + 13 + 100)


@pytest.mark.django_db(transaction=True)
def test_verify_on_several_connections_catches_changes_in_every_range(ledger_purge, monkeypatch):
    """Outside a transaction PostgreSQL renders seq ranges on connections of its own, in
    threads; small ranges here. An honest log never falls back to the Python rendering; a
    changed payload, a changed time and bytes that do not parse are each named, in order."""
    from zhifa.ledger import verification

    monkeypatch.setattr(verification, "PG_RANGE", 4)
    record_many(
        Entry("test.appended", f"test.thing:{i}", None, {"名": "值", "i": i}) for i in range(9)
    )
    for i in range(9, 25):
        ledger.record("test.appended", f"test.thing:{i}", None, {"i": [i, 2.5]})
    real = verification._python_rendered
    slow: list[int] = []
    monkeypatch.setattr(
        verification,
        "_python_rendered",
        lambda cursor, lo, hi: slow.append(lo) or real(cursor, lo, hi),
    )
    result = verify_ledger()
    assert result.ok, result.problems
    assert result.events == 25 and slow == []
    time_of_0 = Event.objects.get(seq=0).time
    with tampering() as conn, conn.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_event SET payload = %s WHERE seq = 6", ['{"名": "值", "i": 60}']
        )
        cursor.execute(
            "UPDATE ledger_event SET time = %s WHERE seq = 13",
            [conn.ops.adapt_datetimefield_value(time_of_0)],
        )
        cursor.execute("SELECT canonical FROM ledger_event WHERE seq = 21")
        stored = bytes(cursor.fetchone()[0]).replace(b'"i":[21,2.5]', b'"i":[21,2.5')
        cursor.execute("UPDATE ledger_event SET canonical = %s WHERE seq = 21", [stored])
    result = verify_ledger()
    assert result.first_bad_seq == 6
    assert {p.seq for p in result.problems} >= {6, 13, 21}
    if connection.vendor == "postgresql":
        assert slow == [20]  # the range whose payload text is not JSON went the slow way


def test_server_side_binding_locks_and_reads_in_two_statements(db, monkeypatch):
    """With psycopg's server-side binding a multi-statement query is not allowed; the lock
    and the read are then sent one after the other (SQLite: one statement either way)."""
    monkeypatch.setattr(services, "_SQL", {})
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", {"server_side_binding": True})
    sql = services._sql(connection)
    assert ";" not in sql.last
    for i in range(3):
        ledger.record("test.appended", f"test.thing:{i}", None)
    assert_tree_sound(3)
