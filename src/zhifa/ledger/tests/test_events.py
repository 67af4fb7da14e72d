"""Recording events: gap-free seq inside the caller's transaction, canonical bytes, stored
subtree hashes, immutability in the ORM and in the database, and who may read contents."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from zhifa import ledger
from zhifa.ledger import merkle, selectors
from zhifa.ledger.models import AppendOnlyError, Checkpoint, Event, Node
from zhifa.ledger.services import Entry, LedgerError, record_many


def leaves() -> list[bytes]:
    return [bytes(h) for h in Event.objects.order_by("seq").values_list("leaf_hash", flat=True)]


def test_record_appends_with_canonical_bytes(world):
    officer = world.user("officer_a")
    event = ledger.record(
        "case.filed", world.agency_a, officer, {"案由": "未按规定", "金额分": 500}
    )
    assert event.seq == 0
    assert event.agency_id == world.agency_a.pk
    assert event.subject == f"org.agency:{world.agency_a.pk}"
    data = bytes(event.canonical)
    doc = json.loads(data)
    assert (
        data == json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    )
    assert "案由".encode() in data  # UTF-8, not \u escapes
    assert doc["time"].endswith("+08:00")
    assert doc["seq"] == 0 and doc["kind"] == "case.filed"
    assert doc["actor"] == f"auth.user:{officer.pk}"
    assert bytes(event.leaf_hash) == merkle.leaf_hash(data)
    stored = Event.objects.get(seq=0)
    assert stored.document() == doc  # row fields rebuild the same bytes
    assert timezone.is_aware(stored.time)


def test_subject_model_instance_gives_agency(world):
    staff = world.staff["officer_b"]
    event = ledger.record("staff.checked", staff, None)
    assert event.subject == f"org.staff:{staff.pk}"
    assert event.agency_id == world.agency_b.pk
    assert event.actor_id is None


def test_seq_is_gap_free_and_rollback_leaves_nothing(world):
    ledger.record("case.filed", "cases.case:1", None)
    with pytest.raises(RuntimeError), transaction.atomic():
        ledger.record("case.filed", "cases.case:2", None)
        raise RuntimeError("business change failed")
    third = ledger.record("case.filed", "cases.case:3", None)
    assert third.seq == 1
    assert list(Event.objects.values_list("seq", flat=True)) == [0, 1]


def test_stored_subtrees_give_roots_and_proofs(db):
    for i in range(37):
        ledger.record("test.appended", f"test.thing:{i}", None, {"i": i})
    hashes = leaves()
    assert Node.objects.filter(level=0).count() == 37
    assert Node.objects.count() == 2 * 37 - bin(37).count("1")  # complete subtrees only
    for size in (1, 2, 5, 16, 37):
        assert selectors.root_at(size) == merkle.root(hashes[:size])
    naive = merkle.naive_subtree(hashes)
    assert selectors.inclusion_proof(21, 37) == merkle.inclusion_proof(21, 37, naive)
    assert selectors.consistency_proof(13, 37) == merkle.consistency_proof(13, 37, naive)


def test_batch_matches_single_appends(db):
    record_many(Entry("test.batch", f"test.thing:{i}", None, {"i": i}) for i in range(5))
    ledger.record("test.single", "test.thing:5", None)
    record_many(Entry("test.batch", f"test.thing:{i}", None) for i in range(6, 23))
    assert selectors.tree_size() == 23
    assert selectors.root_at(23) == merkle.root(leaves())
    assert Node.objects.count() == 2 * 23 - bin(23).count("1")


def test_correction_points_at_earlier_event(db):
    first = ledger.record("case.filed", "cases.case:9", None, {"金额分": 100})
    fix = ledger.record("case.corrected", "cases.case:9", None, {"金额分": 1000}, corrects=first)
    assert fix.corrects_id == first.seq
    assert json.loads(bytes(fix.canonical))["corrects"] == 0
    with pytest.raises(LedgerError):
        ledger.record("case.corrected", "cases.case:9", None, corrects=99)


@pytest.mark.parametrize(
    "bad",
    [
        dict(kind="Case Filed"),
        dict(kind="nodot"),
        dict(payload=[1, 2]),
        dict(payload={"x": float("nan")}),
        dict(payload={"x": b"raw"}),
        dict(subject=""),
        dict(subject=object()),
    ],
)
def test_bad_input_is_refused_with_chinese_message(db, bad):
    args = dict(kind="case.filed", subject="cases.case:1", actor=None, payload={}) | bad
    with pytest.raises((LedgerError, TypeError)) as info:
        ledger.record(args["kind"], args["subject"], args["actor"], args["payload"])
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))
    assert not Event.objects.exists()


def test_orm_refuses_update_and_delete(db):
    event = ledger.record("case.filed", "cases.case:1", None)
    event.kind = "case.forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    node = Node.objects.get(level=0, index=0)
    with pytest.raises(AppendOnlyError):
        node.delete()


RAW_ATTACKS = [
    "UPDATE ledger_event SET kind = 'case.forged' WHERE seq = 0",
    "DELETE FROM ledger_event WHERE seq = 0",
    "DELETE FROM ledger_event",
    "UPDATE ledger_node SET hash = hash WHERE level = 0",
    "DELETE FROM ledger_node",
    "UPDATE ledger_checkpoint SET tree_size = 0",
    "DELETE FROM ledger_checkpoint",
]


def _some_rows():
    ledger.record("case.filed", "cases.case:1", None)
    Checkpoint.objects.create(
        tree_size=1,
        root_hash=b"x" * 32,
        origin="o",
        key_id="00000000",
        note="n",
        created_at=timezone.now(),
    )


@pytest.mark.parametrize("sql", RAW_ATTACKS)
def test_database_refuses_raw_update_and_delete(db, sql):
    _some_rows()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)
    assert Event.objects.get(seq=0).kind == "case.filed"


def test_sqlite_insert_or_replace_cannot_overwrite(db):
    if connection.vendor != "sqlite":
        pytest.skip("REPLACE is SQLite syntax")
    _some_rows()
    with (
        pytest.raises(IntegrityError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "INSERT OR REPLACE INTO ledger_event (seq, kind, subject, time, payload, "
            "canonical, leaf_hash) SELECT seq, 'case.forged', subject, time, payload, "
            "canonical, leaf_hash FROM ledger_event WHERE seq = 0"
        )
    assert Event.objects.get(seq=0).kind == "case.filed"


@pytest.mark.parametrize("table", ["ledger_event", "ledger_node", "ledger_checkpoint"])
def test_postgresql_refuses_truncate_even_as_replica(db, table):
    if connection.vendor != "postgresql":
        pytest.skip("TRUNCATE and session_replication_role are PostgreSQL")
    _some_rows()
    with connection.cursor() as cursor:
        # The test's own inserts leave deferred FK checks pending, which TRUNCATE would
        # refuse for its own reason; run them now so the trigger is what refuses.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for prelude in ("", "SET LOCAL session_replication_role = replica"):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            if prelude:
                cursor.execute(prelude)
            cursor.execute(f"TRUNCATE {table} CASCADE")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute("DELETE FROM ledger_event")
    assert Event.objects.count() == 1


def test_triggers_are_installed(db):
    from zhifa.ledger.db import missing_triggers

    assert missing_triggers(connection) == []


# --- visibility --------------------------------------------------------------------------


def test_event_contents_visible_only_in_scope(world):
    event = ledger.record("case.filed", "cases.case:1", None, agency=world.agency_a)
    assert selectors.event_for_user(world.user("officer_a"), event.seq) == event
    assert selectors.event_for_user(world.user("officer_b"), event.seq) is None
    assert selectors.event_for_user(world.user("supervisor"), event.seq) == event
    system = ledger.record("system.started", "ledger.log:0", None)
    assert selectors.event_for_user(world.user("officer_a"), system.seq) is None


def test_record_view_is_an_event(world):
    viewer = world.user("officer_a")
    event = ledger.record_view(viewer, "ledger.blob:" + "ab" * 32, agency=world.agency_a)
    assert event.kind == "evidence.viewed" and event.actor_id == viewer.pk
    case_view = ledger.record_view(viewer, world.staff["officer_a"], what="案卷")
    assert case_view.kind == "record.viewed"
    assert case_view.agency_id == world.agency_a.pk
    assert case_view.payload == {"what": "案卷"}
