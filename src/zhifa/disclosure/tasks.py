"""Periodic disclosure work (Huey): the draft sweep every minute."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_periodic_task(crontab(minute="*"))
def disclosure_sweep() -> int:
    from zhifa.disclosure.services import disclosure_sync

    return disclosure_sync()


@db_task()
def push_deliver(first: int | None = None) -> dict:
    """Sends the push messages that are due; enqueued after each publishing transaction and
    after a manual retry (that message first), and again after a full batch."""
    from zhifa.disclosure.push import BATCH, deliver_due

    counts = deliver_due(first=first)
    if sum(counts.values()) >= BATCH and counts["delivered"]:
        push_deliver()  # a full batch (a back-fill): go on now rather than at the next minute
    return counts


@db_periodic_task(crontab(minute="*"))
def push_retry() -> dict:
    """Every minute: retries push messages whose backoff has passed (and any missed enqueue)."""
    from zhifa.disclosure.push import deliver_due

    return deliver_due()


@db_periodic_task(crontab(minute="*/5"))
def search_refresh() -> dict:
    """Every 5 minutes: the search entries of items, guides, inspection items and officers
    (changed in other apps' services; only changed rows are written). Decisions are indexed
    inside their publish / correct / withdraw transactions."""
    from zhifa.disclosure.search import refresh_sources

    return refresh_sources()


PAGES_PER_RUN = 20_000
PAGES_CHECKED = "disclosure:pages-checked"  # cache key: fingerprint of a run that found none
PAGES_RECHECK_SECONDS = 24 * 3600


@db_periodic_task(crontab(minute="*/10"))
def pages_render() -> int:
    """Every 10 minutes: renders public pages that are missing or were rendered by an older
    release's templates, and writes the files of pages that have none (at most PAGES_PER_RUN
    of each a run; visitors get them rendered live, or read from the database, meanwhile).
    Pages of new publications are rendered in their own transaction, so once a run leaves
    nothing to do, the scan (3-7 s at 1,000,000 decisions) is skipped until the templates
    change or a day has passed (pages can then only be missing after data was loaded around
    the services, e.g. restored from a backup)."""
    from django.core.cache import cache

    from zhifa.disclosure import pages

    if cache.get(PAGES_CHECKED) == pages.fingerprint():
        return 0
    stale = pages.stale_ids()
    rendered = pages.render_stale(stale[:PAGES_PER_RUN])
    missing = pages.missing_file_ids()
    pages.write_all_files(missing[:PAGES_PER_RUN])
    if len(stale) <= PAGES_PER_RUN and len(missing) <= PAGES_PER_RUN:  # nothing left
        cache.set(PAGES_CHECKED, pages.fingerprint(), PAGES_RECHECK_SECONDS)
    return rendered
