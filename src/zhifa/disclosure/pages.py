"""Public decision pages rendered when they change, not when they are read.

A decision's public page changes only when it is published, corrected or withdrawn, so the
disclosure services render its body then (`refresh`, in their transaction) and a visitor's
request reads one row (`body_for`). What leaves the portal by time (the end of the
publication period) is still decided by the query at request time.

A stored body carries the fingerprint of the templates and labels it was rendered with; after
an upgrade that changes them, old bodies are not served (the page is rendered live, correctly
but slower) until `zhifa pages render` or the periodic task has rendered them again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from collections.abc import Callable, Iterable

from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhifa.disclosure import selectors
from zhifa.disclosure.models import Disclosure, PublicPage, PublishedVersion

BODY_TEMPLATE = "disclosure/_decision_body.html"
PAGE_TEMPLATE = "disclosure/decision_detail.html"
_SLOTS = ("zhifa-page-title-slot", "zhifa-page-body-slot")
_visitor_shell: list[str] = []


@functools.cache
def fingerprint() -> str:
    """Changes whenever what a body would look like changes: its templates or field labels."""
    from zhifa.disclosure.services import FIELDS

    sources = [
        get_template(name).template.source
        for name in (BODY_TEMPLATE, "disclosure/_portal_nav.html")
    ]
    return hashlib.sha256(repr((sources, FIELDS)).encode()).hexdigest()[:16]


def render_body(disclosure: Disclosure, versions: list[PublishedVersion]) -> tuple[str, SafeString]:
    """The page title and the masked body of a public decision page (`versions` in order)."""
    from zhifa.disclosure.services import field_rows

    current = versions[-1] if versions else None
    fields = current.fields if current else {}
    body = render_to_string(
        BODY_TEMPLATE,
        {
            "d": disclosure,
            "current": current,
            "field_rows": field_rows(disclosure.kind, fields) if current else [],
            "history": versions,
        },
    )
    return fields.get("document_number") or "执法决定", mark_safe(body)  # noqa: S308 - our template's output


def refresh(disclosure: Disclosure) -> PublicPage:
    """Render and store the page of a decision that has just changed publicly (called by the
    disclosure services inside their transaction)."""
    title, body = render_body(disclosure, list(disclosure.versions.order_by("number")))
    page, _ = PublicPage.objects.update_or_create(
        disclosure=disclosure,
        defaults={
            "title": title[:200],
            "html": str(body),
            "expires_on": disclosure.expires_on,
            "fingerprint": fingerprint(),
        },
    )
    return page


def body_for(pk: int, *, today: dt.date | None = None) -> tuple[str, SafeString] | None:
    """The stored title and body of a public, unexpired decision: one primary-key read, no
    model instances (it runs on every visit). None when there is no stored page (the decision
    is not public, or not rendered yet) or it was rendered by other templates: the caller then
    renders it live (and answers 404 for what is not public)."""
    today = today or timezone.localdate()
    sql = (
        f"SELECT title, html, fingerprint FROM {PublicPage._meta.db_table} "  # noqa: S608
        "WHERE disclosure_id = %s AND (expires_on IS NULL OR expires_on >= %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk, today])
        row = cursor.fetchone()
    if row is None or row[2] != fingerprint():
        return None
    return row[0], mark_safe(row[1])  # noqa: S308 - rendered by refresh() from our template


def stale_ids() -> list[int]:
    """Public decisions whose page is missing or was rendered by other templates."""
    fresh = PublicPage.objects.filter(disclosure=OuterRef("pk"), fingerprint=fingerprint())
    # NOT EXISTS, an anti-join: PostgreSQL ran `NOT IN (subquery)` row by row once the
    # subquery outgrew work_mem (minutes at 1,000,000 pages).
    stale = Disclosure.objects.filter(status__in=selectors.PUBLIC_STATUSES).filter(~Exists(fresh))
    return list(stale.order_by("pk").values_list("pk", flat=True))


def render_stale(
    ids: Iterable[int] | None = None,
    *,
    batch_size: int = 500,
    tick: Callable[[int], object] | None = None,
) -> int:
    """Render the pages of `ids` (default: every stale one) in batches, one transaction each;
    returns how many were rendered."""
    ids = stale_ids() if ids is None else list(ids)
    rendered = 0
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        with transaction.atomic():
            # Locked as the publishing services lock them: a correction committed meanwhile
            # is either seen here or waits, never overwritten by an older rendering.
            disclosures = (
                Disclosure.objects.filter(pk__in=batch, status__in=selectors.PUBLIC_STATUSES)
                .select_for_update()
                .defer("fields", "text")
                .prefetch_related(selectors.versions_in_order())
            )
            pages = []
            for disclosure in disclosures:
                title, body = render_body(disclosure, disclosure.all_versions)
                pages.append(
                    PublicPage(
                        disclosure=disclosure,
                        title=title[:200],
                        html=str(body),
                        expires_on=disclosure.expires_on,
                        fingerprint=fingerprint(),
                    )
                )
            PublicPage.objects.filter(disclosure_id__in=batch).delete()
            PublicPage.objects.bulk_create(pages)
        rendered += len(pages)
        if tick:
            tick(len(batch))
    return rendered


def page_response(request: HttpRequest, title: str, body: SafeString) -> HttpResponse:
    """The full page. Anonymous visitors all get the same layout around the body, so it is
    rendered once per process with slots for the title and body (rendering the layout was
    most of what was left of a visit's cost); staff and flash messages get it rendered."""
    context = {"title": title, "body": body}
    if request.user.is_authenticated or "messages" in request.COOKIES:
        return render(request, PAGE_TEMPLATE, context)
    if not _visitor_shell:
        slots = {"title": _SLOTS[0], "body": _SLOTS[1]}
        layout = render_to_string(PAGE_TEMPLATE, slots, request)
        head, rest = layout.split(_SLOTS[0])
        middle, tail = rest.split(_SLOTS[1])
        _visitor_shell[:] = [head, middle, tail]
    head, middle, tail = _visitor_shell
    return HttpResponse(f"{head}{escape(title)}{middle}{body}{tail}")
