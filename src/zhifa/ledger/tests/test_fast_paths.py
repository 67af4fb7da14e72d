"""The fast paths of record() and verify give exactly what the plain definitions give:
the spliced canonical text equals canonical.dumps of the event document, verify falls back
to the full check for rows it cannot reproduce, and a refused entry leaves the caller's
transaction usable while a failed write dooms it."""

from __future__ import annotations

import json

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa import ledger
from zhifa.ledger import canonical, merkle
from zhifa.ledger.models import Event, canonical_head, canonical_tail, event_document
from zhifa.ledger.services import Entry, LedgerError, record_many
from zhifa.ledger.testing import tampering
from zhifa.ledger.verification import verify_ledger

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=8,
)
ids = st.none() | st.integers(min_value=0, max_value=2**53)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.from_regex(r"\A[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+\Z"),
    subject=st.text(min_size=1),
    agency=ids,
    actor=ids,
    corrects=ids,
    payload=st.dictionaries(st.text(), json_values, max_size=4),
    seq=st.integers(min_value=0, max_value=2**53),
)
def test_spliced_text_is_the_canonical_document(
    kind, subject, agency, actor, corrects, payload, seq
):
    time = "2026-03-01T09:30:00.123456+08:00"
    text = canonical.dumps(payload).decode()
    spliced = (
        f"{canonical_head(kind, subject, agency, actor, corrects, text)}{seq}"
        f"{canonical_tail(subject, time)}"
    ).encode()
    doc = event_document(
        seq=seq,
        kind=kind,
        subject=subject,
        agency_id=agency,
        actor_id=actor,
        time=time,
        payload=payload,
        corrects=corrects,
    )
    assert spliced == canonical.dumps(doc)


def test_recorded_event_matches_its_stored_row(world):
    officer = world.user("officer_a")
    subject = 'cases.case:"引号"\t\\x'  # quotes, a control character, a backslash
    first = ledger.record("case.filed", subject, officer, {"b": [1, 2.5], "a": "中"})
    event = ledger.record("case.corrected", world.agency_a, officer, {"金额分": 1}, corrects=first)
    stored = Event.objects.get(seq=event.seq)
    for name in ("seq", "kind", "subject", "agency_id", "actor_id", "payload", "corrects_id"):
        assert getattr(event, name) == getattr(stored, name)
    assert event.time == stored.time
    assert bytes(event.canonical) == bytes(stored.canonical) == canonical.dumps(stored.document())
    assert bytes(event.leaf_hash) == merkle.leaf_hash(bytes(stored.canonical))
    assert not event._state.adding and event._state.db == "default"
    assert verify_ledger().ok


def test_honest_rows_take_the_fast_path(db, monkeypatch):
    from zhifa.ledger import verification

    for i in range(3):
        ledger.record("test.appended", f"test.thing:{i}", None, {"名": "值", "i": [i, 2.5]})

    def slow(seq):
        raise AssertionError(f"row {seq} fell back to the full check")

    monkeypatch.setattr(verification, "_full_row", slow)
    assert verify_ledger().ok


def test_refused_entry_leaves_the_callers_transaction_usable(db):
    ledger.record("case.filed", "cases.case:1", None)
    with transaction.atomic():
        with pytest.raises(LedgerError):
            ledger.record("case.corrected", "cases.case:1", None, corrects=5)
        with pytest.raises(LedgerError):
            record_many([Entry("case.filed", "cases.case:2", None), Entry("Bad", "x:1")])
        ledger.record("case.filed", "cases.case:3", None)
    assert list(Event.objects.values_list("seq", "subject")) == [
        (0, "cases.case:1"),
        (1, "cases.case:3"),
    ]


def test_failed_write_dooms_the_callers_transaction(db):
    ledger.record("case.filed", "cases.case:1", None)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        # The node row for seq 1 already exists, so the append fails half way.
        with connection.cursor() as cursor:
            cursor.execute(
                'INSERT INTO ledger_node (level, "index", hash) VALUES (0, 1, %s)', [b"x" * 32]
            )
        try:
            ledger.record("case.filed", "cases.case:2", None)
        except (IntegrityError, DatabaseError):
            # No savepoint: the caller cannot go on and commit half an append.
            assert transaction.get_connection().needs_rollback
            raise
    assert Event.objects.count() == 1


def test_verify_accepts_other_json_spellings_and_still_catches_changes(db):
    for i in range(3):
        ledger.record("test.appended", f"test.thing:{i}", None, {"名": "值", "i": i})
    # Rows written by Django's JSONField (ASCII escapes, spaces) are not byte-identical to
    # the canonical payload; the full check decides them.
    with tampering(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_event SET payload = %s WHERE seq = 1",
            [json.dumps({"名": "值", "i": 1})],
        )
    assert verify_ledger().ok
    with tampering(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE ledger_event SET payload = %s WHERE seq = 2",
            [json.dumps({"名": "值", "i": 7})],
        )
    result = verify_ledger()
    assert result.first_bad_seq == 2


def test_verify_catches_changed_time_and_subject(db):
    for i in range(4):
        ledger.record("test.appended", f"test.thing:{i}", None)
    with tampering(), connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_event SET subject = 'test.thing:x' WHERE seq = 3")
        cursor.execute(
            "UPDATE ledger_event SET time = %s WHERE seq = 1",
            [connection.ops.adapt_datetimefield_value(Event.objects.get(seq=0).time)],
        )
    result = verify_ledger()
    assert result.first_bad_seq == 1
    assert {p.seq for p in result.problems} >= {1, 3}


def test_verify_reads_rows_stored_out_of_seq_order(db):
    """SQLite scans in storage order first; a row stored out of order must not be taken for
    a gap."""
    for i in range(5):
        ledger.record("test.appended", f"test.thing:{i}", None)
    with tampering(), connection.cursor() as cursor:
        columns = "seq, kind, subject, agency_id, actor_id, time, payload, corrects_id, "
        columns += "canonical, leaf_hash"
        cursor.execute(f"SELECT {columns} FROM ledger_event WHERE seq = 1")
        row = cursor.fetchone()
        cursor.execute("DELETE FROM ledger_event WHERE seq = 1")
        marks = ", ".join(["%s"] * len(row))
        cursor.execute(f"INSERT INTO ledger_event ({columns}) VALUES ({marks})", row)
    ticks = []
    result = verify_ledger(tick=ticks.append)
    assert result.ok, result.problems
    assert result.events == 5 and sum(ticks) == 5
