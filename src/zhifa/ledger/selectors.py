"""Reading the ledger: tree size, roots and proofs from stored subtree hashes (O(log n) rows
each), and who may read an event's contents."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist
from django.db import connections, router

from zhifa.ledger import merkle, signing
from zhifa.ledger.models import Checkpoint, Event, Node


class ProofError(ValueError):
    """Parameters a proof cannot be given for (message in Chinese, safe to show)."""


def tree_size() -> int:
    """The number of events: one index probe, in raw SQL because public pages key their
    cache on it on every request."""
    using = router.db_for_read(Event)
    table = connections[using].ops.quote_name(Event._meta.db_table)
    with connections[using].cursor() as cursor:
        cursor.execute(f"SELECT MAX(seq) FROM {table}")  # noqa: S608 - our own table name
        (last,) = cursor.fetchone()
    return 0 if last is None else last + 1


def _fetch(keys: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
    """The stored nodes at ``keys`` in one query: a join with a VALUES list, which both
    databases answer with one primary-key probe per key (the ORM's OR list made PostgreSQL
    plan a bitmap OR of up to 2·log2(n) index scans)."""
    if not keys:
        return {}
    using = router.db_for_read(Node)
    cast = "::bigint" if connections[using].vendor == "postgresql" else ""
    values = ", ".join([f"(%s, %s{cast})"] * len(keys))
    with connections[using].cursor() as cursor:
        cursor.execute(
            f"WITH k (level, ix) AS (VALUES {values}) "  # noqa: S608 - only %s
            'SELECT n.level, n."index", n.hash FROM k '
            'JOIN ledger_node n ON n.level = k.level AND n."index" = k.ix',
            [v for key in keys for v in key],
        )
        rows = cursor.fetchall()
    found = {(level, index): bytes(h) for level, index, h in rows}
    if len(found) != len(keys):
        raise LookupError("stored subtree hashes are missing: run `zhifa ledger verify`")
    return found


def _from_store(compute: Callable[[merkle.SubtreeHash], object]):
    """Run a pure proof function twice: once to learn which ranges it needs, then with those
    ranges' stored nodes fetched in a single query."""
    wanted: set[tuple[int, int]] = set()

    def note(a: int, b: int) -> bytes:
        wanted.update(merkle.perfect_subtrees(a, b))
        return bytes(merkle.HASH_SIZE)

    compute(note)
    nodes = _fetch(wanted)
    return compute(lambda a, b: merkle.fold([nodes[n] for n in merkle.perfect_subtrees(a, b)]))


def _check_size(size: int, current: int) -> None:
    if size < 1:
        raise ProofError("树大小必须是正整数。")
    if size > current:
        raise ProofError(f"树大小 {size} 超过了当前日志大小 {current}。")


def root_at(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return _from_store(lambda subtree: subtree(0, size))


def inclusion_proof(index: int, size: int) -> list[bytes]:
    _check_size(size, tree_size())
    if not 0 <= index < size:
        raise ProofError(f"叶子序号 {index} 不在树大小 {size} 的范围内（应为 0 到 {size - 1}）。")
    return _from_store(lambda subtree: merkle.inclusion_proof(index, size, subtree))


def consistency_proof(first: int, second: int) -> list[bytes]:
    if first < 1:
        raise ProofError("不提供从空树（大小 0）开始的一致性证明，first 必须至少为 1。")
    _check_size(second, tree_size())
    if first > second:
        raise ProofError(f"first（{first}）不能大于 second（{second}）。")
    return _from_store(lambda subtree: merkle.consistency_proof(first, second, subtree))


def leaf_hash_at(index: int) -> bytes:
    return bytes(Node.objects.get(level=0, index=index).hash)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


@dataclass(frozen=True)
class Proven:
    """Which events are proven to be in the log the latest signed checkpoint commits to."""

    checkpoint: Checkpoint | None
    seqs: frozenset[int]


def proven_events(events: Iterable[Event]) -> Proven:
    """Re-hash each event's stored bytes and check, with an inclusion proof (RFC 9162
    §2.1.3.2), that the leaf sits under the root of the latest checkpoint whose signature
    verifies. Events newer than that checkpoint are not proven yet."""
    checkpoint = latest_checkpoint()
    if checkpoint is None or not _signature_holds(checkpoint):
        return Proven(None, frozenset())
    size, root = checkpoint.tree_size, bytes(checkpoint.root_hash)
    proven = frozenset(
        event.seq
        for event in events
        if event.seq < size
        and merkle.verify_inclusion(
            event.seq,
            size,
            merkle.leaf_hash(bytes(event.canonical)),
            inclusion_proof(event.seq, size),
            root,
        )
    )
    return Proven(checkpoint, proven)


def _signature_holds(checkpoint: Checkpoint) -> bool:
    try:
        text = signing.open_note(checkpoint.note, signing.server_key().public)
        _, size, root = signing.parse_checkpoint(text)
    except signing.NoteError:
        return False
    return (size, root) == (checkpoint.tree_size, bytes(checkpoint.root_hash))


# --- who may read event contents ---------------------------------------------------------


def can_view_agency(user, agency_id: int | None) -> bool:
    """County-wide supervisors (perm org.view_all_agencies) see every agency; staff see their
    own agency only. Events without an agency are visible to county-wide users only."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.has_perm("org.view_all_agencies"):
        return True
    try:
        staff = user.staff
    except (ObjectDoesNotExist, AttributeError):
        return False
    return agency_id is not None and staff.agency_id == agency_id


def event_for_user(user, seq: int) -> Event | None:
    """The event if ``user`` may read its contents, else None (callers answer 404)."""
    event = Event.objects.filter(seq=seq).first()
    if event is None or not can_view_agency(user, event.agency_id):
        return None
    return event


def events_for_subject(user, subject: str):
    """A subject's events in order, or none when the user is out of scope."""
    events = Event.objects.filter(subject=subject).order_by("seq")
    first = events.first()
    if first is None or not can_view_agency(user, first.agency_id):
        return Event.objects.none()
    return events


def fixity_problems(user, limit: int = 50):
    """Recent missing or changed evidence files the user may see (for the supervisor's page)."""
    return _fixity_scope(user, Event.objects.filter(kind="evidence.fixity_failed"))[:limit]


def _fixity_scope(user, events):
    events = events.order_by("-seq")
    if not user.has_perm("org.view_all_agencies"):
        try:
            events = events.filter(agency_id=user.staff.agency_id)
        except (ObjectDoesNotExist, AttributeError):
            return Event.objects.none()
    return events


def latest_fixity_problems(user):
    """The problems found by the latest fixity run that the user may see: a run records its
    problems and then its summary (``ledger.fixity_checked``) with consecutive seqs."""
    last = Event.objects.filter(kind="ledger.fixity_checked").order_by("-seq").first()
    if last is None:
        return []
    found = int(last.payload.get("problems", 0))
    if not found:
        return []
    failed = Event.objects.filter(
        kind="evidence.fixity_failed", seq__gte=last.seq - found, seq__lt=last.seq
    )
    return list(_fixity_scope(user, failed))
