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
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field

from django.db import DatabaseError, connection, transaction

from zhifa.ledger import canonical, merkle, signing, verify_worker
from zhifa.ledger.db import missing_triggers
from zhifa.ledger.models import (
    Checkpoint,
    actor_ref,
    canonical_head,
    canonical_tail,
    event_document,
)

CHUNK = 5000
# SQLite logs at least this long are checked by a process pool (below it, starting the pool
# costs more than it saves); each worker takes spans of about SPAN rowids.
POOL_MIN = 20_000
SPAN = 25_000


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


_row_time = verify_worker.row_time
_TAIL = b'","v":1}'
_TIME_WIDTH = verify_worker.TIME_WIDTH
_COLUMNS = (
    "seq, kind, subject, agency_id, actor_id, time, payload, corrects_id, canonical, leaf_hash"
)

# SQLite rebuilds the canonical text from the columns itself (json_quote escapes exactly as
# json.dumps(ensure_ascii=False) does), taking only the 32-character time string from the
# stored bytes; Python then checks that time string against the time column as an instant.
_SQLITE_FAST = verify_worker.RENDERED.format(p="%s") + "FROM ledger_event e\n"


class _OutOfOrder(Exception):
    pass


# PostgreSQL rebuilds everything but the payload text the same way (to_json escapes exactly as
# json.dumps(ensure_ascii=False) does) and compares the rest semantically: the payload text
# inside the stored bytes, read as jsonb, must equal the jsonb column, and the time string
# inside them, read as timestamptz, must be the time column's instant. (The full check in
# Python compares parsed JSON too.) A cast of text that is not JSON or not a time raises, so
# each seq range runs under its own savepoint and, if it fails, goes the slow way.
_PG_FAST = """
SELECT e.seq, e.canonical, e.leaf_hash,
  CASE WHEN octet_length(e.canonical) >= octet_length(h.head) + octet_length(h.tail) + 40
    AND substr(e.canonical, 1, octet_length(h.head)) = h.head
    AND substr(e.canonical, octet_length(e.canonical) - octet_length(h.tail) - 39,
               octet_length(h.tail)) = h.tail
    AND substr(e.canonical, octet_length(e.canonical) - 7) = '\\x222c2276223a317d'::bytea
  THEN convert_from(substr(e.canonical, octet_length(h.head) + 1,
          octet_length(e.canonical) - octet_length(h.head) - octet_length(h.tail) - 40),
          'UTF8')::jsonb = e.payload
    AND convert_from(substr(e.canonical, octet_length(e.canonical) - 39, 32),
          'UTF8')::timestamptz = e.time
  ELSE false END
FROM ledger_event e, LATERAL (SELECT
  convert_to('{"actor":' || COALESCE(to_json(%s::text || e.actor_id)::text, 'null')
    || ',"agency":' || COALESCE(to_json('org.agency:' || e.agency_id)::text, 'null')
    || ',"corrects":' || COALESCE(e.corrects_id::text, 'null')
    || ',"kind":' || to_json(e.kind)::text || ',"payload":', 'UTF8') AS head,
  convert_to(',"seq":' || e.seq || ',"subject":' || to_json(e.subject)::text
    || ',"time":"', 'UTF8') AS tail) h
WHERE e.seq >= %s AND e.seq < %s
"""
PG_RANGE = 10_000
# Outside a transaction, this many connections render seq ranges at once (the database does
# the rendering, so its backends, not this process, are busy); this process hashes.
PG_CONNECTIONS = 3


def _rendered_rows(cursor, ordered: bool):
    """Chunks of (seq, canonical, leaf_hash, time, rendered_equal): whether the canonical text
    rebuilt from the row's columns (with the stored time string) equals the stored bytes.
    On PostgreSQL ``time`` is None: the database has compared the time already."""
    if connection.vendor == "sqlite":
        sql = _SQLITE_FAST + (" ORDER BY e.seq" if ordered else "")
        cursor.execute(sql, [actor_ref(0)[:-1]])
        while rows := cursor.fetchmany(CHUNK):
            yield rows
        return
    with connection.cursor() as plain:
        plain.execute("SELECT MIN(seq), MAX(seq) FROM ledger_event")
        low, high = plain.fetchone()
        if low is None:
            return
        starts = range(min(low, 0), high + 1, PG_RANGE)
        for lo, rows in _pg_ranges(starts):
            if rows is None:  # the database could not render this range
                rows = _python_rendered(plain, lo, lo + PG_RANGE)
            else:
                rows.sort(key=_first)
                rows = [(seq, stored, leaf, None, same) for seq, stored, leaf, same in rows]
            for start in range(0, len(rows), CHUNK):
                yield rows[start : start + CHUNK]


def _first(row):
    return row[0]


def _pg_ranges(starts: range):
    """(lo, rows or None) for each range start, in order. Inside a transaction (whose rows
    other connections may not see) on this connection, each range under a savepoint;
    otherwise on a few connections of their own, in threads, a bounded window ahead."""
    prefix = actor_ref(0)[:-1]
    if connection.in_atomic_block or len(starts) < 2:
        with connection.cursor() as cursor:
            for lo in starts:
                try:
                    with transaction.atomic():
                        cursor.execute(_PG_FAST, [prefix, lo, lo + PG_RANGE])
                        rows = cursor.fetchall()
                except DatabaseError:
                    rows = None
                yield lo, rows
        return
    local = threading.local()
    opened = []
    params = connection.get_connection_params()
    error = connection.Database.Error

    def render(lo: int):
        raw = getattr(local, "raw", None)
        if raw is None:
            raw = local.raw = connection.get_new_connection(params)
            raw.autocommit = True  # a failed range leaves nothing to roll back
            opened.append(raw)
        try:
            with raw.cursor() as cur:
                cur.execute(_PG_FAST, [prefix, lo, lo + PG_RANGE])
                return cur.fetchall()
        except error:
            return None

    workers = min(PG_CONNECTIONS, len(starts))
    pending: deque = deque()
    todo = iter(starts)
    try:
        with ThreadPoolExecutor(workers) as pool:
            for lo in todo:
                pending.append((lo, pool.submit(render, lo)))
                if len(pending) >= workers * 2:
                    break
            while pending:
                lo, future = pending.popleft()
                nxt = next(todo, None)
                if nxt is not None:
                    pending.append((nxt, pool.submit(render, nxt)))
                yield lo, future.result()
    finally:
        for raw in opened:
            raw.close()


def _python_rendered(cursor, lo: int, hi: int) -> list[tuple]:
    """The rows of seqs [lo, hi) rendered in Python (for a range the database could not
    render: a payload or time string inside the bytes that does not parse)."""
    cursor.execute(
        f"SELECT {_COLUMNS} FROM ledger_event WHERE seq >= %s AND seq < %s ORDER BY seq",  # noqa: S608
        [lo, hi],
    )
    head, tail = canonical_head, canonical_tail
    out = []
    for seq, kind, subject, agency, actor, time, payload, corrects, stored, leaf in cursor:
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
    return out


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
                if same and time is not None:
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
    seq, *_, stored, leaf = row
    if seq != expected_seq:
        result.problems.append(
            Problem(expected_seq, f"序号不连续：期望 {expected_seq}，实际 {seq}")
        )
        return False
    computed = merkle.leaf_hash(bytes(stored))
    leaves.append(computed)
    _check_document(result, row, leaf_ok=bytes(leaf) == computed)
    return True


def _check_document(result: VerifyResult, row, *, leaf_ok: bool) -> None:
    """The full check of one row: its columns against the JSON document it hashed."""
    seq, kind, subject, agency, actor, time, payload, corrects, stored, _leaf = row
    try:
        doc = json.loads(bytes(stored))
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
    elif not leaf_ok:
        result.problems.append(Problem(seq, "事件的叶子哈希与其内容不符"))


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
    seen = _check_stray_leaf_nodes(result, n)
    _check_higher_nodes(result, levels, seen)


def _check_stray_leaf_nodes(result: VerifyResult, n: int) -> int:
    """Level-0 node rows outside [0, n); returns how many level-0 rows there are."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT COUNT(*), MIN("index"), MAX("index") FROM ledger_node WHERE level = 0'
        )
        seen, low, high = cursor.fetchone()
    if seen and (low < 0 or high >= n):
        for index in (low, high):
            if not 0 <= index < n:
                _node_problem(result, 0, index)
    return seen


def _check_higher_nodes(result: VerifyResult, levels: list[list[bytes]], seen: int) -> None:
    """Stream the stored nodes above level 0 and compare; then the total row count."""
    expected = sum(len(level) for level in levels) if levels[0] else 0
    with connection.cursor() as cursor:
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
    keys = signing.known_keys()  # by key ID: each checkpoint with the key that signed it
    n = len(levels[0])
    previous = None
    for cp in Checkpoint.objects.order_by("tree_size"):
        result.checkpoints += 1
        label = f"检查点（树大小 {cp.tree_size}）"
        key = keys.get(cp.key_id)
        if key is None:
            result.problems.append(
                Problem(
                    None,
                    f"{label}由未知密钥 {cp.key_id} 签名：请把该密钥的公钥加入 "
                    "ZHIFA_LEDGER_PUBLIC_KEYS 后重新校验",
                )
            )
            continue
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


def _pool_plan() -> tuple[str, int, list[tuple[int, int]]] | None:
    """(database file, event count, rowid spans) when a process pool should check the events.

    Only SQLite on a file, outside a transaction (the workers' own connections must see the
    same committed rows), with at least two CPUs and ``POOL_MIN`` events.
    """
    workers = min(os.cpu_count() or 1, 4)
    if connection.vendor != "sqlite" or workers < 2:
        return None
    connection.ensure_connection()
    if connection.in_atomic_block or connection.is_in_memory_db():
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), MIN(rowid), MAX(rowid) FROM ledger_event")
        n, low, high = cursor.fetchone()
    if n < POOL_MIN:
        return None
    pieces = max(workers * 2, -(-(high - low + 1) // SPAN))
    step = -(-(high - low + 1) // pieces)
    spans = [(lo, min(lo + step - 1, high)) for lo in range(low, high + 1, step)]
    return str(connection.settings_dict["NAME"]), n, spans


def _mp_context():
    """How to start the workers. ``fork`` is the cheapest, but forking a process that runs
    other threads (a web server's, the task consumer's) can copy a lock some thread holds;
    such a process starts them from a fork server instead (``spawn`` where there is none).
    The workers import only ``verify_worker`` (standard library), so every method works."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _verify_in_pool(result: VerifyResult, tick: Callable[[int], None], plan) -> list | None:
    """Check events and nodes with a process pool; return the levels, or None (with nothing
    recorded in ``result``) if the rows are not stored as seq 0, 1, 2, … in rowid order.

    The workers (started after Django's connection is closed; each opens its own read-only
    connection) rebuild, hash and compare the events of their rowid spans, and compare each
    level-0 node. Meanwhile this process builds the tree from the stored leaf_hash column and
    streams the higher nodes against it. If the recomputed leaves differ from the stored ones
    anywhere, the higher nodes are compared again against the tree of the recomputed leaves,
    so the outcome is exactly that of the in-process check.
    """
    path, n, spans = plan
    workers = min(os.cpu_count() or 1, 4, len(spans))
    connection.close()  # no SQLite handle may cross a fork
    with ProcessPoolExecutor(
        workers,
        mp_context=_mp_context(),
        initializer=verify_worker.init,
        initargs=(path, actor_ref(0)[:-1]),
    ) as pool:
        futures = [pool.submit(verify_worker.scan, lo, hi) for lo, hi in spans]
        for future in futures:
            future.add_done_callback(
                lambda f: f.cancelled() or f.exception() or tick(f.result().count)
            )
        stored = [b""] * n
        with connection.cursor() as cursor:
            cursor.execute("SELECT seq, leaf_hash FROM ledger_event")
            while rows := cursor.fetchmany(CHUNK * 4):
                for seq, leaf in rows:
                    if 0 <= seq < n:
                        stored[seq] = leaf
        levels = _levels(stored)
        higher = VerifyResult()
        level0 = _check_stray_leaf_nodes(higher, n)
        _check_higher_nodes(higher, levels, level0)
        found = [future.result() for future in futures]

    expected = 0
    for span in found:
        if span.count:
            if not span.ordered or span.first != expected:
                return None
            expected = span.last + 1
    if expected != n:
        return None

    computed = b"".join(span.leaves for span in found)
    events: list[Problem] = []
    for span in found:
        for seq, leaf_ok in span.slow:
            row = _full_row(seq)
            if row is None:  # gone since the workers read it
                return None
            _check_document(result, row, leaf_ok=leaf_ok)
        events += [Problem(seq, "事件的叶子哈希与其内容不符") for seq in span.bad_leaf]
    result.problems += events
    result.problems.sort(key=lambda p: p.seq)  # events only so far: all have a seq
    result.events = n
    for span in found:
        for seq in span.bad_node:
            _node_problem(result, 0, seq)
    if computed != b"".join(stored):
        levels = _levels([computed[i : i + 32] for i in range(0, len(computed), 32)])
        higher = VerifyResult()
        level0 = _check_stray_leaf_nodes(higher, n)
        _check_higher_nodes(higher, levels, level0)
    result.problems += higher.problems
    result.nodes = higher.nodes
    return levels


def verify_ledger(tick: Callable[[int], None] = lambda n: None) -> VerifyResult:
    result = VerifyResult()
    for name in missing_triggers(connection):
        result.problems.append(Problem(None, f"防改触发器 {name} 不存在或未设为 ENABLE ALWAYS"))
    levels = None
    plan = _pool_plan()
    if plan is not None:
        ticked = [0]

        def counted(n: int) -> None:
            ticked[0] += n
            tick(n)

        pooled = VerifyResult()
        levels = _verify_in_pool(pooled, counted, plan)
        if levels is not None:
            result.problems += pooled.problems
            result.events, result.nodes = pooled.events, pooled.nodes
        else:
            tick = _after(tick, ticked[0])
    if levels is None:
        leaves = _check_events(result, tick)
        levels = _levels(leaves)
        _check_nodes(result, levels)
    if levels[0]:
        _check_checkpoints(result, levels)
    return result
