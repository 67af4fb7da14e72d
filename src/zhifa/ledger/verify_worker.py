"""The per-range half of ``zhifa ledger verify`` on SQLite, run in worker processes.

Standard library only (no Django): a worker opens its own read-only ``sqlite3`` connection
to the database file and checks a span of rowids. For every row it reports whether the
canonical text rebuilt in SQL from the columns (with the stored time string) equals the
stored bytes and the time string is the time column's instant (else the row goes back to the
main process for the full check), the recomputed leaf hash, whether the stored ``leaf_hash``
equals it, and whether the level-0 node row equals the stored ``leaf_hash``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from dataclasses import dataclass, field

TIME_WIDTH = 32  # format_time: 2026-03-01T09:30:00.000000+08:00

# json_quote escapes exactly as json.dumps(ensure_ascii=False) does. ``{p}`` is the
# placeholder style: "?" here, "%s" through Django's cursor.
RENDERED = """
SELECT e.seq, e.canonical, e.leaf_hash, CAST(e.time AS TEXT),
  e.canonical = CAST('{{"actor":' || IFNULL(json_quote({p} || e.actor_id), 'null')
    || ',"agency":' || IFNULL(json_quote('org.agency:' || e.agency_id), 'null')
    || ',"corrects":' || IFNULL(e.corrects_id, 'null')
    || ',"kind":' || json_quote(e.kind) || ',"payload":' || e.payload
    || ',"seq":' || e.seq || ',"subject":' || json_quote(e.subject)
    || ',"time":"' || CAST(substr(e.canonical, -40, 32) AS TEXT) || '","v":1}}' AS BLOB)
"""

_RANGE = (
    RENDERED.format(p="?")
    + ", n.hash IS NOT NULL AND n.hash = e.leaf_hash FROM ledger_event e "
    + 'LEFT JOIN ledger_node n ON n.level = 0 AND n."index" = e.seq '
    + "WHERE e.rowid BETWEEN ? AND ?"
)


def row_time(value) -> dt.datetime:
    """The event time from a raw row: an aware datetime (PostgreSQL) or UTC text (SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@dataclass
class Span:
    """What one worker found in rowids [lo, hi], in storage order."""

    lo: int
    first: int | None = None  # seq of the first row
    last: int | None = None
    count: int = 0
    ordered: bool = True  # seqs were first, first + 1, …; if not, the rest was not read
    leaves: bytes = b""  # recomputed leaf hashes, 32 bytes each, in seq order
    slow: list[tuple[int, bool]] = field(default_factory=list)  # (seq, leaf ok): full check
    bad_leaf: list[int] = field(default_factory=list)
    bad_node: list[int] = field(default_factory=list)


_db: sqlite3.Connection | None = None
_actor_prefix = ""


def init(path: str, actor_prefix: str) -> None:
    global _db, _actor_prefix
    _db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
    _actor_prefix = actor_prefix


def scan(lo: int, hi: int) -> Span:
    span = Span(lo)
    leaves: list[bytes] = []
    append = leaves.append
    sha256 = hashlib.sha256
    fromisoformat = dt.datetime.fromisoformat
    last_time = last_stamp = None
    expected = None
    cursor = _db.execute(_RANGE, (_actor_prefix, lo, hi))
    while rows := cursor.fetchmany(10_000):
        for seq, stored, leaf, time, same, node_ok in rows:
            if expected is None:
                span.first = expected = seq
            elif seq != expected:
                span.ordered = False
                break
            expected += 1
            if same:
                stamp = stored[-8 - TIME_WIDTH : -8]
                if time != last_time or stamp != last_stamp:
                    try:
                        same = fromisoformat(stamp.decode("ascii")) == row_time(time)
                    except (ValueError, TypeError, UnicodeDecodeError):
                        same = False
                    if same:
                        last_time, last_stamp = time, stamp
            computed = sha256(b"\x00" + stored).digest()
            append(computed)
            if not same:
                span.slow.append((seq, leaf == computed))
            elif leaf != computed:
                span.bad_leaf.append(seq)
            if not node_ok:
                span.bad_node.append(seq)
        else:
            continue
        break
    cursor.close()
    span.count = len(leaves)
    span.last = expected - 1 if expected is not None else None
    span.leaves = b"".join(leaves)
    return span
