"""Reads for the portal (public: only published, unexpired items) and the staff pages
(scoped to the caller's agency)."""

from __future__ import annotations

import datetime as dt
import time

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from zhifa.catalog.models import EnforcementItem, EnforcementItemVersion, VersionStatus
from zhifa.disclosure.models import (
    Delivery,
    Disclosure,
    OutboxMessage,
    OutboxStatus,
    PublishedVersion,
    Status,
    Subscriber,
)
from zhifa.ledger.models import Event
from zhifa.org.models import Agency, Certificate, CertificateStatus
from zhifa.org.selectors import scope

PUBLIC_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)


def versions_in_order() -> Prefetch:
    return Prefetch(
        "versions", queryset=PublishedVersion.objects.order_by("number"), to_attr="all_versions"
    )


def public_disclosures(*, today: dt.date | None = None) -> QuerySet[Disclosure]:
    """Published (or withdrawn, with their notice) and still within the publication period:
    an item whose period ended leaves the portal by itself (query-time filter)."""
    today = today or timezone.localdate()
    return (
        Disclosure.objects.filter(status__in=PUBLIC_STATUSES)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        # The unmasked originals are never shown publicly: not even read (public pages use
        # the published version's masked fields and text).
        .defer("fields", "text")
        # Agencies by a second small query, not a join: with the join, SQLite's planner
        # loops over the agencies and sorts every public row for a page; alone, the table is
        # read newest first from its index (migration 0004, bench/portal.py).
        .prefetch_related("agency", versions_in_order())
        .order_by("-decided_on", "-id")
    )


def public_list(
    *,
    agency_id: int | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Disclosure]:
    rows = public_disclosures()
    if agency_id:
        rows = rows.filter(agency_id=agency_id)
    if kind:
        rows = rows.filter(kind=kind)
    if date_from:
        rows = rows.filter(decided_on__gte=date_from)
    if date_to:
        rows = rows.filter(decided_on__lte=date_to)
    return rows


def page_below(rows: QuerySet[Disclosure], after: tuple[dt.date, int] | None, size: int) -> list:
    """Up to `size` rows of a list ordered newest first (decision date, then id) that come
    after the row (decision date, id) `after` (None: from the top). The date bound lets the
    index (migration 0004) start at that date instead of skipping the rows above it."""
    if after:
        day, pk = after
        rows = rows.filter(decided_on__lte=day).filter(
            Q(decided_on__lt=day) | Q(decided_on=day, pk__lt=pk)
        )
    return list(rows[:size])


def page_above(rows: QuerySet[Disclosure], before: tuple[dt.date, int], size: int) -> list:
    """Up to `size` rows of the same list that come right before the row `before`, in list
    order (the nearest last)."""
    day, pk = before
    rows = rows.filter(decided_on__gte=day).filter(
        Q(decided_on__gt=day) | Q(decided_on=day, pk__gt=pk)
    )
    return list(rows.reverse()[:size])[::-1]


def public_get(*, pk: int) -> Disclosure:
    return public_disclosures().get(pk=pk)


COUNTS_TTL = 300  # seconds; the key below changes at every public change anyway


_state_memo: dict[bool, tuple[float, str]] = {}
_clock = time.monotonic


def public_state(*, with_log: bool = False) -> str:
    """A key that changes whenever what the portal shows of decisions may change: at every
    publication, correction or withdrawal (the newest `public_seq`), every new disclosure
    (the newest id) and every day (publication periods end); `with_log` adds the ledger's
    size, for pages that show the latest checkpoint. One raw statement of index probes,
    remembered by this process for `PORTAL_STATE_SECONDS`: it keys every cached portal page,
    and even one round trip per request showed in the throughput on PostgreSQL
    (bench/portal.py). A change made by this process clears the memo at commit
    (`forget_public_state`); other processes see it within those seconds."""
    now = _clock()
    memo = _state_memo.get(with_log)
    if memo is not None and memo[0] > now:
        return memo[1]
    quote = connection.ops.quote_name
    table, log = quote(Disclosure._meta.db_table), quote(Event._meta.db_table)
    probes = [f"(SELECT MAX(public_seq) FROM {table})", f"(SELECT MAX(id) FROM {table})"]  # noqa: S608 - our own tables
    if with_log:
        probes.append(f"(SELECT MAX(seq) FROM {log})")  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(probes))
        values = cursor.fetchone()
    state = ":".join([timezone.localdate().isoformat(), *map(str, values)])
    if settings.PORTAL_STATE_SECONDS > 0:
        _state_memo[with_log] = (now + settings.PORTAL_STATE_SECONDS, state)
    return state


def forget_public_state() -> None:
    _state_memo.clear()


def agency_counts() -> list[Agency]:
    """Agencies with `published`, their number of public decisions. Counting every public row
    took 25 s at 200,000 decisions through the agency join (bench/portal.py), so the counts
    come from the covering index `disclosure_public` and are cached under `public_state()`
    (or for COUNTS_TTL)."""
    today = timezone.localdate()
    key = f"disclosure:agency_counts:{public_state()}"
    counts = cache.get(key)
    if counts is None:
        counts = dict(
            Disclosure.objects.filter(status__in=PUBLIC_STATUSES)
            .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
            .order_by()
            .values_list("agency_id")
            .annotate(n=Count("pk"))
        )
        cache.set(key, counts, COUNTS_TTL)
    agencies = list(Agency.objects.order_by("pk"))
    for agency in agencies:
        agency.published = counts.get(agency.pk, 0)
    return agencies


def published_items(*, agency: Agency) -> QuerySet[EnforcementItem]:
    return (
        EnforcementItem.objects.filter(agency=agency, current_version__isnull=False)
        .select_related("current_version__flow", "current_version__unit")
        .order_by("code")
    )


def item_public(*, agency: Agency, pk: int) -> tuple[EnforcementItem, list[EnforcementItemVersion]]:
    item = published_items(agency=agency).get(pk=pk)
    history = list(
        item.versions.filter(status=VersionStatus.APPROVED)
        .prefetch_related("basis__article__law")
        .order_by("-number")
    )
    return item, history


def officers_public(*, agency: Agency, query: str = "") -> QuerySet[Certificate]:
    """执法人员清单 from live data (P8): only certificates valid today, of active staff."""
    today = timezone.localdate()
    rows = (
        Certificate.objects.filter(
            holder__agency=agency,
            holder__is_active=True,
            status=CertificateStatus.VALID,
            valid_from__lte=today,
            valid_to__gte=today,
        )
        .select_related("holder__unit")
        .prefetch_related("areas")
        .order_by("holder__unit__name", "holder__real_name", "number")
    )
    query = query.strip()
    if query:
        rows = rows.filter(Q(holder__real_name__icontains=query) | Q(number__icontains=query))
    return rows


def manage_list(*, user, status: str = "") -> QuerySet[Disclosure]:
    rows = scope(Disclosure.objects.select_related("agency", "case__party"), user)
    return rows.filter(status=status) if status else rows


def manage_get(*, user, pk: int) -> Disclosure:
    return (
        manage_list(user=user)
        .select_related("reviewed_by", "published_by", "case__agency", "case__item_version")
        .prefetch_related(versions_in_order())
        .get(pk=pk)
    )


def open_data(
    *,
    agency_id: int | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    since: int | None = None,
) -> QuerySet[Disclosure]:
    """The open-data feed (P14): public items in the order of their latest public change
    (`public_seq`, a ledger seq), after the cursor `since` when given."""
    rows = public_list(agency_id=agency_id, kind=kind, date_from=date_from, date_to=date_to)
    rows = rows.filter(public_seq__isnull=False).order_by("public_seq")
    if since is not None:
        rows = rows.filter(public_seq__gt=since)
    return rows


def feed_changes(*, limit: int = 50) -> list[tuple[Disclosure, PublishedVersion | None, int]]:
    """The latest publications, corrections and withdrawals of public items, newest first:
    (disclosure, version shown, ledger seq); a withdrawal has its last version."""
    live = public_disclosures()
    versions = (
        PublishedVersion.objects.filter(disclosure__in=live.values("pk"))
        .select_related("disclosure__agency")
        .order_by("-event_seq")[:limit]
    )
    changes = [(v.disclosure, v, v.event_seq) for v in versions]
    withdrawn = live.filter(status=Status.WITHDRAWN).order_by("-withdrawal_seq")[:limit]
    for d in withdrawn:
        changes.append((d, d.all_versions[-1] if d.all_versions else None, d.withdrawal_seq))
    changes.sort(key=lambda change: change[2], reverse=True)
    return changes[:limit]


# --- push subscribers (staff, scoped) ------------------------------------------------------------


def subscriber_list(*, user) -> QuerySet[Subscriber]:
    """An office sees its agency's subscribers; a supervisor every agency's (with the
    all-agency ones, which no office sees)."""
    rows = Subscriber.objects.select_related("agency").annotate(
        pending=Count("messages", filter=Q(messages__status=OutboxStatus.PENDING)),
        failed=Count("messages", filter=Q(messages__status=OutboxStatus.FAILED)),
        delivered=Count("messages", filter=Q(messages__status=OutboxStatus.DELIVERED)),
    )
    return scope(rows, user)


def subscriber_get(*, user, pk: int) -> Subscriber:
    return subscriber_list(user=user).get(pk=pk)


def subscriber_messages(*, subscriber: Subscriber, status: str = "") -> QuerySet[OutboxMessage]:
    rows = OutboxMessage.objects.filter(subscriber=subscriber).prefetch_related(
        Prefetch("deliveries", queryset=Delivery.objects.order_by("attempt"))
    )
    return rows.filter(status=status) if status else rows


def subscriber_message(*, user, pk: int) -> OutboxMessage:
    return OutboxMessage.objects.select_related("subscriber").get(
        pk=pk, subscriber__in=subscriber_list(user=user).values("pk")
    )
