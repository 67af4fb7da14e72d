"""``zhifa ledger verify``: recompute everything the ledger claims, from the rows up.

Every event's canonical bytes are rebuilt from its columns and hashed into its leaf; every
stored subtree hash is recomputed from the leaves; every checkpoint's signature is checked,
its root recomputed, and consecutive checkpoints are checked to be consistent (RFC 9162
§2.1.4). The triggers that make the tables append-only must be in place.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection

from zhifa.ledger import merkle, signing
from zhifa.ledger.db import missing_triggers
from zhifa.ledger.models import Checkpoint, Node, event_document

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


def _check_events(result: VerifyResult, tick: Callable[[int], None]) -> list[bytes]:
    """Check each event's columns against its hashed bytes; return the recomputed leaves.

    Reads raw rows (no ORM conversion) and compares parsed values instead of re-encoding,
    which keeps this at well over 100,000 events a second.
    """
    leaves: list[bytes] = []
    sql = (
        "SELECT seq, kind, subject, agency_id, actor_id, time, payload, corrects_id, "
        "canonical, leaf_hash FROM ledger_event ORDER BY seq"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(CHUNK):
            for row in rows:
                if not _check_row(result, row, len(leaves), leaves):
                    tick(len(leaves) % CHUNK)
                    result.events = len(leaves)
                    return leaves
            tick(len(rows))
    result.events = len(leaves)
    return leaves


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
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        levels.append(
            [merkle.node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        )
    return levels


def _check_nodes(result: VerifyResult, levels: list[list[bytes]]) -> None:
    expected = sum(len(level) for level in levels) if levels[0] else 0
    rows = Node.objects.order_by("level", "index").values_list("level", "index", "hash")
    seen = 0
    for level, index, stored in rows.iterator(chunk_size=CHUNK * 4):
        seen += 1
        ok = level < len(levels) and index < len(levels[level])
        if not ok or bytes(stored) != levels[level][index]:
            first, last = index << level, ((index + 1) << level) - 1
            # Only a leaf names one event; a higher node spans many.
            result.problems.append(
                Problem(
                    first if level == 0 else None,
                    f"子树哈希（层 {level}，序 {index}，覆盖序号 {first}–{last}）与事件不符",
                )
            )
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
