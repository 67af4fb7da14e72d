"""``zhifa ledger verify``: recompute everything the ledger claims, from the rows up.

Every event's canonical bytes are rebuilt from its columns and hashed into its leaf; every
stored subtree hash is recomputed from the leaves; every checkpoint's signature is checked,
its root recomputed, and consecutive checkpoints are checked to be consistent (RFC 9162
§2.1.4). The triggers that make the tables append-only must be in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from zhifa.ledger import canonical, merkle, signing
from zhifa.ledger.db import missing_triggers
from zhifa.ledger.models import (
    Checkpoint,
    actor_ref,
    canonical_head,
    canonical_tail,
    event_document,
)

CHUNK = 5000


@dataclass
class Problem:
    seq: int | None
    message: str


@dataclass
class VerifyResult:
    events: int = 0
    nodes: int = 0
    checkpoints: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_bad_seq(self) -> int | None:
        seqs = [p.seq for p in self.problems if p.seq is not None]
        return min(seqs) if seqs else None


def _row_time(value) -> dt.datetime:
    """The event time from a raw row: an aware datetime (PostgreSQL) or UTC text (SQLite)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


_TAIL = b'","v":1}'
_TIME_WIDTH = 32  # format_time: 2026-03-01T09:30:00.000000+08:00
_COLUMNS = (
    "seq, kind, subject, agency_id, actor_id, time, payload, corrects_id, canonical, leaf_hash"
)

# SQLite rebuilds the canonical text from the columns itself (json_quote escapes exactly as
# json.dumps(ensure_ascii=False) does), taking only the 32-character time string from the
# stored bytes; Python then checks that time string against the time column as an instant.
_SQLITE_FAST = """
SELECT seq, canonical, leaf_hash, CAST(time AS TEXT),
  canonical = CAST('{"actor":' || IFNULL(json_quote(%s || actor_id), 'null')
    || ',"agency":' || IFNULL(json_quote('org.agency:' || agency_id), 'null')
    || ',"corrects":' || IFNULL(corrects_id, 'null')
    || ',"kind":' || json_quote(kind) || ',"payload":' || payload
    || ',"seq":' || seq || ',"subject":' || json_quote(subject)
    || ',"time":"' || CAST(substr(canonical, -40, 32) AS TEXT) || '","v":1}' AS BLOB)
FROM ledger_event
"""


class _OutOfOrder(Exception):
    pass


def _rendered_rows(cursor, ordered: bool):
    """Chunks of (seq, canonical, leaf_hash, time, rendered_equal): whether the canonical text
    rebuilt from the row's columns (with the stored time string) equals the stored bytes."""
    if connection.vendor == "sqlite":
        sql = _SQLITE_FAST + (" ORDER BY seq" if ordered else "")
        cursor.execute(sql, [actor_ref(0)[:-1]])
        while rows := cursor.fetchmany(CHUNK):
            yield rows
        return
    cursor.execute(f"SELECT {_COLUMNS} FROM ledger_event ORDER BY seq")  # noqa: S608
    head, tail = canonical_head, canonical_tail
    while rows := cursor.fetchmany(CHUNK):
        out = []
        for seq, kind, subject, agency, actor, time, payload, corrects, stored, leaf in rows:
            stored = bytes(stored)
            try:
                stamp = stored[-8 - _TIME_WIDTH : -8].decode("ascii")
                # Django reads jsonb as PostgreSQL's own text (spaces, its key order).
                if isinstance(payload, str):
                    payload = json.loads(payload)
                text = canonical.dumps(payload).decode()
                same = stored[-8:] == _TAIL and (
                    f"{head(kind, subject, agency, actor, corrects, text)}{seq}"
                    f"{tail(subject, stamp)}".encode()
                    == stored
                )
            except (ValueError, TypeError, canonical.PayloadError):
                same = False
            out.append((seq, stored, leaf, time, same))
        yield out


def _check_events(result: VerifyResult, tick: Callable[[int], None]) -> list[bytes]:
    """Check each event's columns against its hashed bytes; return the recomputed leaves.

    Raw rows, no ORM. The fast path compares the canonical text rebuilt from the columns with
    the stored bytes; a row it does not reproduce exactly (a payload column stored in another
    JSON spelling, say) gets the full parse-and-compare check, which alone decides it.

    SQLite first scans the table in storage order, which saves an index lookup per row: if the
    rows arrive as seq 0, 1, 2, … that scan has seen every seq exactly once, in order. At
    the first row out of order it starts again in seq order (ticks are not repeated).
    """
    if connection.vendor == "sqlite":
        kept, ticked = len(result.problems), [0]

        def once(n: int) -> None:
            ticked[0] += n
            tick(n)

        try:
            return _scan_events(result, once, ordered=False)
        except _OutOfOrder:
            del result.problems[kept:]
            return _scan_events(result, _after(tick, ticked[0]), ordered=True)
    return _scan_events(result, tick, ordered=True)


def _after(tick: Callable[[int], None], skip: int) -> Callable[[int], None]:
    """A tick that stays silent for the first ``skip`` units (already shown)."""
    state = {"seen": 0}

    def inner(n: int) -> None:
        before = state["seen"]
        state["seen"] = before + n
        shown = max(0, state["seen"] - max(before, skip))
        if shown:
            tick(shown)

    return inner


def _scan_events(
    result: VerifyResult, tick: Callable[[int], None], *, ordered: bool
) -> list[bytes]:
    leaves: list[bytes] = []
    append = leaves.append
    sha256 = hashlib.sha256
    fromisoformat = dt.datetime.fromisoformat
    last_time = last_stamp = None
    with connection.chunked_cursor() as cursor:
        for rows in _rendered_rows(cursor, ordered):
            for seq, stored, leaf, time, same in rows:
                if seq != len(leaves):
                    if not ordered:
                        raise _OutOfOrder
                    expected = len(leaves)
                    result.problems.append(
                        Problem(expected, f"序号不连续：期望 {expected}，实际 {seq}")
                    )
                    tick(len(leaves) % CHUNK)
                    result.events = len(leaves)
                    return leaves
                stored = bytes(stored)
                if same:
                    stamp = stored[-8 - _TIME_WIDTH : -8]
                    if time != last_time or stamp != last_stamp:
                        try:
                            same = fromisoformat(stamp.decode("ascii")) == _row_time(time)
                        except (ValueError, TypeError, UnicodeDecodeError):
                            same = False
                        if same:
                            last_time, last_stamp = time, stamp
                if not same:
                    _check_row(result, _full_row(seq), seq, leaves)
                    continue
                computed = sha256(b"\x00" + stored).digest()
                append(computed)
                if bytes(leaf) != computed:
                    result.problems.append(Problem(seq, "事件的叶子哈希与其内容不符"))
            tick(len(rows))
    result.events = len(leaves)
    return leaves


def _full_row(seq: int):
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {_COLUMNS} FROM ledger_event WHERE seq = %s", [seq])  # noqa: S608
        return cursor.fetchone()


def _check_row(result: VerifyResult, row, expected_seq: int, leaves: list[bytes]) -> bool:
    seq, kind, subject, agency, actor, time, payload, corrects, stored, leaf = row
    if seq != expected_seq:
        result.problems.append(
            Problem(expected_seq, f"序号不连续：期望 {expected_seq}，实际 {seq}")
        )
        return False
    stored = bytes(stored)
    computed = merkle.leaf_hash(stored)
    leaves.append(computed)
    try:
        doc = json.loads(stored)
        if isinstance(payload, str):
            payload = json.loads(payload)
        same = doc == event_document(
            seq=seq,
            kind=kind,
            subject=subject,
            agency_id=agency,
            actor_id=actor,
            time=doc["time"],
            payload=payload,
            corrects=corrects,
        ) and dt.datetime.fromisoformat(doc["time"]) == _row_time(time)
    except (ValueError, KeyError, TypeError):
        same = False
    if not same:
        result.problems.append(Problem(seq, "事件的字段与其哈希过的规范字节不一致（记录被改动）"))
    elif bytes(leaf) != computed:
        result.problems.append(Problem(seq, "事件的叶子哈希与其内容不符"))
    return True


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """All complete subtree hashes: levels[l][i] covers leaves [i * 2**l, (i + 1) * 2**l)."""
    sha256 = hashlib.sha256
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [
                sha256(b"\x01" + left + right).digest()
                for left, right in zip(below[0:-1:2], below[1::2], strict=True)
            ]
        )
    return levels


def _node_problem(result: VerifyResult, level: int, index: int) -> None:
    first, last = index << level, ((index + 1) << level) - 1
    # Only a leaf names one event; a higher node spans many.
    what = f"子树哈希（层 {level}，序 {index}，覆盖序号 {first}–{last}）与事件不符"
    result.problems.append(Problem(first if level == 0 else None, what))


def _check_nodes(result: VerifyResult, levels: list[list[bytes]]) -> None:
    """Every stored subtree hash against the recomputed levels.

    Level 0 (the leaves) is compared in SQL with the events' leaf_hash column, which
    ``_check_events`` has already compared with the recomputed leaf; the higher levels are
    streamed in key order and compared here.
    """
    expected = sum(len(level) for level in levels) if levels[0] else 0
    n = len(levels[0])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT e.seq FROM ledger_event e LEFT JOIN ledger_node n "
            'ON n.level = 0 AND n."index" = e.seq '
            "WHERE e.seq < %s AND (n.hash IS NULL OR n.hash <> e.leaf_hash) ORDER BY e.seq",
            [n],
        )
        for (seq,) in cursor.fetchall():
            _node_problem(result, 0, seq)
        cursor.execute(
            'SELECT COUNT(*), MIN("index"), MAX("index") FROM ledger_node WHERE level = 0'
        )
        seen, low, high = cursor.fetchone()
        if seen and (low < 0 or high >= n):
            for index in (low, high):
                if not 0 <= index < n:
                    _node_problem(result, 0, index)
        cursor.execute(
            'SELECT level, "index", hash FROM ledger_node WHERE level > 0 ORDER BY level, "index"'
        )
        while rows := cursor.fetchmany(CHUNK * 4):
            seen += len(rows)
            for level, index, stored in rows:
                try:
                    ok = index >= 0 and bytes(stored) == levels[level][index]
                except IndexError:
                    ok = False
                if not ok:
                    _node_problem(result, level, index)
    if seen != expected:
        result.problems.append(Problem(None, f"子树哈希行数为 {seen}，应为 {expected}"))
    result.nodes = seen


def _root_from(levels: list[list[bytes]], size: int) -> bytes:
    return merkle.fold([levels[lv][ix] for lv, ix in merkle.perfect_subtrees(0, size)])


def _check_checkpoints(result: VerifyResult, levels: list[list[bytes]]) -> None:
    key = signing.server_key().public
    n = len(levels[0])
    previous = None
    for cp in Checkpoint.objects.order_by("tree_size"):
        result.checkpoints += 1
        label = f"检查点（树大小 {cp.tree_size}）"
        try:
            origin, size, root = signing.parse_checkpoint(signing.open_note(cp.note, key))
        except signing.NoteError as exc:
            result.problems.append(Problem(None, f"{label}签名无效：{exc}"))
            continue
        if (size, root, origin) != (cp.tree_size, bytes(cp.root_hash), cp.origin):
            result.problems.append(Problem(None, f"{label}的字段与已签名内容不一致"))
        if size > n:
            result.problems.append(Problem(n, f"{label}大于现有事件数 {n}：有事件丢失"))
            continue
        if _root_from(levels, size) != root:
            result.problems.append(Problem(None, f"{label}的根哈希与现有事件不符：历史被改写"))
        if previous is not None:
            prev_size, prev_root = previous
            proof = merkle.consistency_proof(
                prev_size,
                size,
                lambda a, b: merkle.fold(
                    [levels[lv][ix] for lv, ix in merkle.perfect_subtrees(a, b)]
                ),
            )
            if not merkle.verify_consistency(prev_size, size, prev_root, root, proof):
                result.problems.append(Problem(None, f"{label}与上一个检查点不一致"))
        previous = (size, root)


def verify_ledger(tick: Callable[[int], None] = lambda n: None) -> VerifyResult:
    result = VerifyResult()
    for name in missing_triggers(connection):
        result.problems.append(Problem(None, f"防改触发器 {name} 不存在或未设为 ENABLE ALWAYS"))
    leaves = _check_events(result, tick)
    levels = _levels(leaves)
    _check_nodes(result, levels)
    if leaves:
        _check_checkpoints(result, levels)
    return result
