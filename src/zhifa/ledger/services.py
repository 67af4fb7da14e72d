"""Writing to the ledger. Each function runs in one transaction (a savepoint inside the
caller's), so a business change and its event are committed together or not at all."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction
from django.utils import timezone

from zhifa.ledger import canonical, merkle
from zhifa.ledger.models import Event, event_document

KIND_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")
SUBJECT_MAX = 200


class LedgerError(ValueError):
    """A request to record something that cannot be recorded as given (message in Chinese)."""


@dataclass(frozen=True)
class Entry:
    """One event to append: what happened (kind), to what (subject), by whom (actor)."""

    kind: str
    subject: Any
    actor: Any = None
    payload: dict | None = None
    agency: Any = None
    corrects: Any = None


def subject_ref(subject: Any) -> tuple[str, int | None]:
    """The reference string of a subject, and the agency it belongs to when it knows one.

    A model instance becomes ``"app_label.model:pk"`` (e.g. ``"cases.case:12"``); a string is
    taken as a reference already.
    """
    if isinstance(subject, str):
        ref, agency_id = subject, None
    elif isinstance(subject, models.Model):
        if subject.pk is None:
            raise LedgerError("记录对象尚未保存，请先保存后再记录事件。")
        ref = f"{subject._meta.label_lower}:{subject.pk}"
        agency_id = subject.pk if subject._meta.label_lower == "org.agency" else None
        agency_id = getattr(subject, "agency_id", agency_id)
    else:
        raise LedgerError("记录对象必须是已保存的数据或形如“应用.模型:编号”的引用字符串。")
    if not ref or len(ref) > SUBJECT_MAX or ref != ref.strip():
        raise LedgerError(f"记录对象引用不能为空、首尾不能有空格，且不超过 {SUBJECT_MAX} 个字符。")
    return ref, agency_id


def _pk(value: Any) -> int | None:
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, models.Model):
        return value.pk
    raise LedgerError(f"无法识别的引用：{value!r}。")


def _lock(using: str) -> None:
    """Serialise appenders so seq is gap-free and every subtree hash is written once.

    SQLite needs nothing here: settings open every transaction with BEGIN IMMEDIATE, which
    already holds the single write lock. PostgreSQL locks the one LogLock row.
    """
    connection = connections[using]
    if connection.vendor == "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT id FROM ledger_loglock WHERE id = 1 FOR UPDATE")
        if cursor.fetchone() is None:
            cursor.execute("INSERT INTO ledger_loglock (id) VALUES (1) ON CONFLICT DO NOTHING")
            cursor.execute("SELECT id FROM ledger_loglock WHERE id = 1 FOR UPDATE")


def _next_seq(using: str) -> int:
    with connections[using].cursor() as cursor:
        cursor.execute("SELECT MAX(seq) FROM ledger_event")
        (last,) = cursor.fetchone()
    return 0 if last is None else last + 1


def _frontier(size: int, count: int, using: str) -> dict[tuple[int, int], bytes]:
    """The stored nodes that appending ``count`` leaves at ``size`` combines with."""
    if size == 0:
        return {}
    if count == 1:
        # Only the left siblings of the carry chain (one per trailing 1-bit of size).
        keys, level = [], 0
        while (size >> level) & 1:
            keys.append((level, (size >> level) - 1))
            level += 1
    else:
        keys = merkle.perfect_subtrees(0, size)
    if not keys:
        return {}
    found = _read_nodes(using, keys)
    if len(found) != len(keys):
        raise LedgerError("账本子树哈希缺失，请运行 zhifa ledger verify 检查。")
    return found


def _read_nodes(using: str, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    # Plain SQL: this runs on every append, and the ORM's composite-key lookup costs more
    # than the query itself.
    where = " OR ".join(['(level = %s AND "index" = %s)'] * len(keys))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f'SELECT level, "index", hash FROM ledger_node WHERE {where}',  # noqa: S608 - only %s
            [v for key in keys for v in key],
        )
        return {(lv, ix): bytes(h) for lv, ix, h in cursor.fetchall()}


_EVENT_COLUMNS = (
    "seq",
    "kind",
    "subject",
    "agency_id",
    "actor_id",
    "time",
    "payload",
    "corrects_id",
    "canonical",
    "leaf_hash",
)


def _insert(using: str, events: list[Event], nodes: list[tuple[int, int, bytes]]) -> None:
    """INSERT with executemany: bulk_create's per-row bookkeeping dominated append time."""
    connection = connections[using]
    fields = [Event._meta.get_field(name.removesuffix("_id")) for name in _EVENT_COLUMNS]
    rows = [[f.get_db_prep_save(getattr(e, f.attname), connection) for f in fields] for e in events]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    insert = f"INSERT INTO ledger_event ({columns}) VALUES ({marks})"  # noqa: S608 - model columns
    with connection.cursor() as cursor:
        cursor.executemany(insert, rows)
        cursor.executemany(
            'INSERT INTO ledger_node (level, "index", hash) VALUES (%s, %s, %s)', nodes
        )
    for event in events:  # as if loaded: save() now refuses, as for any stored event
        event._state.adding = False
        event._state.db = using


def _build(entry: Entry, seq: int, now: str) -> Event:
    if not isinstance(entry.kind, str) or len(entry.kind) > 64 or not KIND_RE.match(entry.kind):
        raise LedgerError(
            f"事件类型“{entry.kind}”格式不正确，应为小写英文点分形式，例如 case.filed。"
        )
    payload = {} if entry.payload is None else entry.payload
    if not isinstance(payload, dict):
        raise LedgerError("事件内容必须是 JSON 对象（dict）。")
    ref, agency_id = subject_ref(entry.subject)
    if entry.agency is not None:
        agency_id = _pk(entry.agency)
    actor_id = _pk(entry.actor)
    corrects = _pk(entry.corrects)
    if corrects is not None and not 0 <= corrects < seq:
        raise LedgerError(f"更正事件只能指向已有的更早事件（序号小于 {seq}）。")
    doc = event_document(
        seq=seq,
        kind=entry.kind,
        subject=ref,
        agency_id=agency_id,
        actor_id=actor_id,
        time=now,
        payload=payload,
        corrects=corrects,
    )
    data = canonical.dumps(doc)
    return Event(
        seq=seq,
        kind=entry.kind,
        subject=ref,
        agency_id=agency_id,
        actor_id=actor_id,
        payload=json.loads(data)["payload"],
        corrects_id=corrects,
        canonical=data,
        leaf_hash=merkle.leaf_hash(data),
    )


def record_many(entries: Iterable[Entry], *, using: str | None = None) -> list[Event]:
    """Append several events in one transaction, in order, with consecutive seqs."""
    entries = list(entries)
    if not entries:
        return []
    using = using or router.db_for_write(Event)
    with transaction.atomic(using=using):
        _lock(using)
        first = _next_seq(using)
        known = _frontier(first, len(entries), using)
        moment = timezone.now()
        stamp = canonical.format_time(moment)
        events, nodes = [], []
        for offset, entry in enumerate(entries):
            event = _build(entry, first + offset, stamp)
            event.time = moment
            events.append(event)
            nodes.extend(_new_nodes(event.seq, event.leaf_hash, known))
        _insert(using, events, nodes)
    return events


def _new_nodes(
    seq: int, leaf: bytes, known: dict[tuple[int, int], bytes]
) -> list[tuple[int, int, bytes]]:
    """Store the leaf and every complete subtree it completes (RFC 9162 §2.1.1 hashing)."""
    out = []
    h = leaf
    for level, index in merkle.new_nodes(seq):
        if level:
            h = merkle.node_hash(known[level - 1, 2 * index], h)
        known[level, index] = h
        out.append((level, index, h))
    return out


def record(
    kind: str,
    subject: Any,
    actor: Any,
    payload: dict | None = None,
    *,
    agency: Any = None,
    corrects: Any = None,
) -> Event:
    """Append one event to the ledger inside the caller's transaction and return it.

    ``subject`` is a saved model instance or a reference string; its ``agency_id`` (if any)
    scopes who may read the event unless ``agency`` is given. ``actor`` is a user or None for
    the system. ``corrects`` points at an earlier event this one corrects.
    """
    return record_many([Entry(kind, subject, actor, payload, agency, corrects)])[0]


def record_view(user: Any, subject: Any, *, what: str = "", agency: Any = None) -> Event:
    """Record that ``user`` viewed ``subject`` (C10: every view of evidence is recorded)."""
    ref, _ = subject_ref(subject)
    kind = "evidence.viewed" if ref.startswith("ledger.blob:") else "record.viewed"
    payload = {"what": what} if what else {}
    return record(kind, subject, user, payload, agency=agency)


def checkpoint_sign(*, using: str | None = None):
    """Sign a checkpoint of the current tree if it grew since the last one.

    Returns the new Checkpoint, or the latest one when nothing changed, or None when the
    log is still empty (a checkpoint of nothing proves nothing).
    """
    from zhifa.ledger import selectors, signing
    from zhifa.ledger.models import Checkpoint

    using = using or router.db_for_write(Checkpoint)
    key = signing.server_key()
    with transaction.atomic(using=using):
        _lock(using)
        size = _next_seq(using)
        latest = Checkpoint.objects.using(using).order_by("-tree_size").first()
        if size == 0 or (latest is not None and latest.tree_size == size):
            return latest
        root = selectors.root_at(size)
        text = signing.checkpoint_text(key.name, size, root)
        return Checkpoint.objects.using(using).create(
            tree_size=size,
            root_hash=root,
            origin=key.name,
            key_id=key.public.key_id.hex(),
            note=key.sign_note(text),
            created_at=timezone.now(),
        )
