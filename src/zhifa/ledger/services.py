"""Writing to the ledger. Each function runs in one transaction (the caller's when there is
one, without a savepoint), so a business change and its event are committed together or not
at all."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils import timezone

from zhifa.ledger import canonical, merkle
from zhifa.ledger.models import Event, canonical_head, canonical_tail

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


def _lock(cursor, vendor: str) -> None:
    """Serialise appenders so seq is gap-free and every subtree hash is written once.

    SQLite needs nothing here: settings open every transaction with BEGIN IMMEDIATE, which
    already holds the single write lock. PostgreSQL locks the one LogLock row.
    """
    if vendor == "sqlite":
        return
    cursor.execute("SELECT id FROM ledger_loglock WHERE id = 1 FOR UPDATE")
    if cursor.fetchone() is None:
        cursor.execute("INSERT INTO ledger_loglock (id) VALUES (1) ON CONFLICT DO NOTHING")
        cursor.execute("SELECT id FROM ledger_loglock WHERE id = 1 FOR UPDATE")


def _next_seq(cursor) -> int:
    # A separate statement after the lock: on PostgreSQL (READ COMMITTED) its snapshot is
    # taken once the lock is held, so it sees the previous holder's rows.
    cursor.execute("SELECT MAX(seq) FROM ledger_event")
    (last,) = cursor.fetchone()
    return 0 if last is None else last + 1


def _frontier(cursor, size: int, count: int) -> dict[tuple[int, int], bytes]:
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
    found = _read_nodes(cursor, keys)
    if len(found) != len(keys):
        raise LedgerError("账本子树哈希缺失，请运行 zhifa ledger verify 检查。")
    return found


def _read_nodes(cursor, keys: list[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    # Plain SQL on the caller's cursor: this runs on every append, and the ORM's composite-key
    # lookup costs more than the query itself.
    where = " OR ".join(['(level = %s AND "index" = %s)'] * len(keys))
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


def _insert_rows(cursor, vendor: str, table: str, columns: str, mark: str, rows: list) -> None:
    """SQLite: executemany of one prepared single-row INSERT (the loop runs in C).
    PostgreSQL: multi-row INSERT … VALUES (…), (…) in chunks, one round trip each."""
    head = f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608 - model names only
    if vendor != "postgresql":
        cursor.executemany(head + mark, rows)
        return
    per = max(1, 65535 // len(rows[0]))  # the wire protocol's parameter limit
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        cursor.execute(head + ", ".join([mark] * len(chunk)), [v for row in chunk for v in row])


def _insert(connection, cursor, rows: list[tuple], nodes: list[tuple[int, int, bytes]]) -> None:
    """Write prepared rows (values already in database form): the ORM's per-field
    preparation and bulk_create's bookkeeping dominated append time."""
    vendor = connection.vendor
    columns = ", ".join(connection.ops.quote_name(c) for c in _EVENT_COLUMNS)
    # PostgreSQL: the payload arrives as JSON text and is cast to jsonb.
    payload = "%s::jsonb" if vendor == "postgresql" else "%s"
    mark = f"(%s, %s, %s, %s, %s, %s, {payload}, %s, %s, %s)"
    _insert_rows(cursor, vendor, "ledger_event", columns, mark, rows)
    _insert_rows(cursor, vendor, "ledger_node", 'level, "index", hash', "(%s, %s, %s)", nodes)


@dataclass(frozen=True, slots=True)
class _Prepared:
    """An entry checked and encoded, waiting only for its seq."""

    kind: str
    subject: str
    agency_id: int | None
    actor_id: int | None
    corrects: int | None
    payload_text: str  # canonical JSON of the payload
    head: str  # the canonical bytes up to the seq (keys sort: actor … payload, seq, …)


def _prepare(entry: Entry) -> _Prepared:
    """Validate an entry and encode everything but its seq and time. Runs before any write,
    so a refused entry leaves the caller's transaction untouched."""
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
    if corrects is not None and corrects < 0:
        raise LedgerError("更正事件只能指向已有的更早事件（序号不能为负）。")
    payload_text = canonical.dumps(payload).decode("utf-8")
    return _Prepared(
        entry.kind,
        ref,
        agency_id,
        actor_id,
        corrects,
        payload_text,
        canonical_head(entry.kind, ref, agency_id, actor_id, corrects, payload_text),
    )


_ATTNAMES = tuple(f.attname for f in Event._meta.concrete_fields)
if _ATTNAMES != _EVENT_COLUMNS:  # the row order of record_many relies on it
    raise ImportError("ledger Event columns changed: update services._EVENT_COLUMNS")


def _events(using: str, rows: list[tuple]) -> list[Event]:
    """Events as if loaded from the database (so save() refuses, as for any stored event).

    Without init signal receivers, Model.__init__ only stores each value under its attname
    and sets _state; doing that directly costs a fraction of the per-field descriptor calls.
    """
    if signals.pre_init.has_listeners(Event) or signals.post_init.has_listeners(Event):
        return [Event.from_db(using, None, values) for values in rows]
    return [_event(using, values) for values in rows]


def _event(using: str, values: tuple) -> Event:
    event = Event.__new__(Event)
    state = ModelState()
    state.adding, state.db = False, using
    event._state = state
    event.__dict__.update(zip(_ATTNAMES, values, strict=True))
    return event


def record_many(entries: Iterable[Entry], *, using: str | None = None) -> list[Event]:
    """Append several events in one transaction, in order, with consecutive seqs.

    Inside the caller's transaction no savepoint is taken: a failure while writing dooms the
    caller's transaction, so a change and its events exist together or not at all. Invalid
    entries are refused before anything is written and leave the transaction usable.
    """
    prepared = [_prepare(entry) for entry in entries]
    if not prepared:
        return []
    using = using or router.db_for_write(Event)
    connection = connections[using]
    refused = None
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        _lock(cursor, connection.vendor)
        first = _next_seq(cursor)
        # Taken under the lock, so event times never run backwards along seq.
        moment = timezone.now()
        stamp = canonical.format_time(moment)
        db_time = connection.ops.adapt_datetimefield_value(moment)
        # A correction inside the batch may point at an earlier entry of the same batch.
        bad = [
            c
            for offset, p in enumerate(prepared)
            if (c := p.corrects) is not None and c >= first + offset
        ]
        if bad:
            refused = LedgerError(f"更正事件只能指向已有的更早事件（序号小于 {first}）。")
        else:
            known = _frontier(cursor, first, len(prepared))
            rows, nodes, values = [], [], []
            for offset, p in enumerate(prepared):
                seq = first + offset
                data = f"{p.head}{seq:d}{canonical_tail(p.subject, stamp)}".encode()
                leaf = merkle.leaf_hash(data)
                rows.append(
                    (
                        seq,
                        p.kind,
                        p.subject,
                        p.agency_id,
                        p.actor_id,
                        db_time,
                        p.payload_text,
                        p.corrects,
                        data,
                        leaf,
                    )
                )
                values.append(
                    (
                        seq,
                        p.kind,
                        p.subject,
                        p.agency_id,
                        p.actor_id,
                        moment,
                        json.loads(p.payload_text),
                        p.corrects,
                        data,
                        leaf,
                    )
                )
                nodes.extend(_new_nodes(seq, leaf, known))
            _insert(connection, cursor, rows, nodes)
    if refused is not None:  # raised after leaving the block: nothing was written
        raise refused
    return _events(using, values)


def _new_nodes(
    seq: int, leaf: bytes, known: dict[tuple[int, int], bytes]
) -> list[tuple[int, int, bytes]]:
    """Store the leaf and every complete subtree it completes (RFC 9162 §2.1.1 hashing)."""
    out = [(0, seq, leaf)]
    known[0, seq] = leaf
    h, level, index = leaf, 0, seq
    while index & 1:
        h = merkle.node_hash(known[level, index - 1], h)
        level, index = level + 1, index >> 1
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
    connection = connections[using]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        _lock(cursor, connection.vendor)
        size = _next_seq(cursor)
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
