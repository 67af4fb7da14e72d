"""Writing to the ledger. Each function runs in one transaction (the caller's when there is
one, without a savepoint), so a business change and its event are committed together or not
at all."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from hashlib import sha256
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


# --- the append path ----------------------------------------------------------------------
#
# Per append: (PostgreSQL only: lock the LogLock row,) read the last event's seq and leaf
# hash, insert the event rows, insert the node rows. The right edge of the tree (the
# "frontier": one complete subtree per 1-bit of the size, RFC 9162 §2.1.1) that a new leaf
# combines with is cached on the database connection, keyed by the size and last leaf hash it
# belongs to; the read of the last event, needed anyway for the next gap-free seq, validates
# it. Another writer, a rolled-back append or a purge changes that pair, and the frontier is
# then read again from the node table (one query of at most log2(n) primary-key probes).
# Statements go to the DB-API cursor of Django's connection (same connection, so the same
# transaction), skipping Django's per-statement wrappers; errors are still translated into
# django.db exceptions.

_CACHE_ATTR = "_zhifa_ledger_frontier"
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


@dataclass(slots=True)
class _Frontier:
    size: int
    last_leaf: bytes | None  # leaf hash of event size - 1
    nodes: dict[int, bytes]  # level -> hash of the complete subtree at that level's 1-bit


@dataclass(frozen=True, slots=True)
class _Sql:
    qmark: bool  # "?" placeholders (sqlite3) rather than "%s"
    last: str
    event_row: str
    node_row: str
    event_head: str
    node_head: str


_SQL: dict[str, _Sql] = {}
_LAST_SQL = "SELECT seq, leaf_hash FROM ledger_event ORDER BY seq DESC LIMIT 1"
_PG_LOCK = "SELECT id FROM ledger_loglock WHERE id = 1 FOR UPDATE"


def _sql(connection) -> _Sql:
    vendor = connection.vendor
    found = _SQL.get(vendor)
    if found is None:
        qmark = vendor == "sqlite"
        p = "?" if qmark else "%s"
        columns = ", ".join(connection.ops.quote_name(c) for c in _EVENT_COLUMNS)
        # PostgreSQL: the payload arrives as JSON text and is cast to jsonb.
        payload = f"{p}::jsonb" if vendor == "postgresql" else p
        found = _SQL[vendor] = _Sql(
            qmark=qmark,
            # PostgreSQL: the lock and the read in one round trip. Each statement of a
            # multi-statement query takes its own snapshot under READ COMMITTED, so the read
            # sees every row committed by the previous holder of the lock.
            # (Client-side binding, Django's default, sends it as one simple query.)
            last=f"{_PG_LOCK}; {_LAST_SQL}" if _pg_multi(connection) else _LAST_SQL,
            event_row=f"({p}, {p}, {p}, {p}, {p}, {p}, {payload}, {p}, {p}, {p})",
            node_row=f"({p}, {p}, {p})",
            event_head=f"INSERT INTO ledger_event ({columns}) VALUES ",  # noqa: S608
            node_head='INSERT INTO ledger_node (level, "index", hash) VALUES ',
        )
    return found


def _pg_multi(connection) -> bool:
    options = connection.settings_dict.get("OPTIONS") or {}
    return connection.vendor == "postgresql" and options.get("server_side_binding") is not True


def _last_event(connection, raw, sql: _Sql) -> tuple[int, bytes | None]:
    """Lock (PostgreSQL) and return (tree size, leaf hash of the last event)."""
    if connection.vendor == "postgresql":
        if sql.last == _LAST_SQL:  # server-side binding: lock, then read
            raw.execute(_PG_LOCK)
            locked = raw.fetchone() is not None
            if locked:
                raw.execute(_LAST_SQL)
        else:  # lock and read in one round trip
            raw.execute(sql.last)
            locked = raw.fetchone() is not None
            if locked:
                raw.nextset()
        if not locked:  # the lock row does not exist yet: the old way, once
            with connection.cursor() as cursor:
                _lock(cursor, connection.vendor)
            raw.execute(_LAST_SQL)
    else:
        raw.execute(sql.last)
    row = raw.fetchone()
    return (0, None) if row is None else (row[0] + 1, bytes(row[1]))


def _frontier(connection, raw, sql: _Sql, size: int, last_leaf: bytes | None) -> _Frontier:
    """The frontier of the tree of ``size`` leaves: the cached one if it belongs to exactly
    this size and last leaf, else read from the stored subtree hashes."""
    cached = getattr(connection, _CACHE_ATTR, None)
    if cached is not None and cached.size == size and cached.last_leaf == last_leaf:
        return _Frontier(size, last_leaf, dict(cached.nodes))
    if size == 0:
        return _Frontier(0, None, {})
    keys = merkle.perfect_subtrees(0, size)
    p = "?" if sql.qmark else "%s"
    cast = "::bigint" if connection.vendor == "postgresql" else ""
    values = ", ".join([f"({p}, {p}{cast})"] * len(keys))
    raw.execute(
        f"WITH k (level, ix) AS (VALUES {values}) "  # noqa: S608 - placeholders only
        "SELECT n.level, n.hash FROM k "
        'JOIN ledger_node n ON n.level = k.level AND n."index" = k.ix',
        [v for key in keys for v in key],
    )
    nodes = {level: bytes(h) for level, h in raw.fetchall()}
    if len(nodes) != len(keys):
        raise LedgerError("账本子树哈希缺失，请运行 zhifa ledger verify 检查。")
    return _Frontier(size, last_leaf, nodes)


def _append_leaf(frontier: _Frontier, leaf: bytes, out: list) -> None:
    """Add leaf ``frontier.size``: store it and every complete subtree it completes
    (RFC 9162 §2.1.1 hashing), and move the frontier on."""
    seq = frontier.size
    nodes = frontier.nodes
    out.append((0, seq, leaf))
    h, level = leaf, 0
    while (seq >> level) & 1:
        h = sha256(b"\x01" + nodes.pop(level) + h).digest()
        level += 1
        out.append((level, seq >> level, h))
    nodes[level] = h
    frontier.size = seq + 1
    frontier.last_leaf = leaf


# PostgreSQL: from this many events on, COPY … FROM STDIN instead of INSERT (a huge INSERT
# costs more to build and parse than the rows themselves).
_PG_COPY_FROM = 50


def _insert(connection, raw, sql: _Sql, rows: list[tuple], nodes: list[tuple]) -> None:
    """SQLite: executemany of one prepared single-row INSERT per table (the loop runs in C).
    PostgreSQL: a few events in one statement inserting events and nodes together (a
    data-modifying CTE), so one round trip; a batch by COPY into each table."""
    if connection.vendor != "postgresql":
        raw.executemany(sql.event_head + sql.event_row, rows)
        raw.executemany(sql.node_head + sql.node_row, nodes)
        return
    if len(rows) >= _PG_COPY_FROM:
        columns = sql.event_head[len("INSERT INTO ledger_event ") : -len(" VALUES ")]
        with raw.copy(f"COPY ledger_event {columns} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with raw.copy('COPY ledger_node (level, "index", hash) FROM STDIN') as copy:
            for node in nodes:
                copy.write_row(node)
        return
    params = [v for row in rows for v in row] + [v for node in nodes for v in node]
    events = sql.event_head + ", ".join([sql.event_row] * len(rows))
    nodes_sql = sql.node_head + ", ".join([sql.node_row] * len(nodes))
    raw.execute(f"WITH e AS ({events}) {nodes_sql}", params)


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
    sql = _sql(connection)
    refused = None
    with transaction.atomic(using=using, savepoint=False), connection.wrap_database_errors:
        raw = connection.connection.cursor()
        try:
            first, last_leaf = _last_event(connection, raw, sql)
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
                frontier = _frontier(connection, raw, sql, first, last_leaf)
                rows, nodes, values = [], [], []
                for offset, p in enumerate(prepared):
                    seq = first + offset
                    data = f"{p.head}{seq:d}{canonical_tail(p.subject, stamp)}".encode()
                    leaf = sha256(b"\x00" + data).digest()
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
                    _append_leaf(frontier, leaf, nodes)
                _insert(connection, raw, sql, rows, nodes)
                # Only once the rows are written (inside the transaction; see _frontier for
                # why a later rollback cannot make this stale entry be used).
                setattr(connection, _CACHE_ATTR, frontier)
        finally:
            raw.close()
    if refused is not None:  # raised after leaving the block: nothing was written
        raise refused
    return _events(using, values)


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
