"""Public decision pages rendered when they change, not when they are read.

A decision's public page changes only when it is published, corrected or withdrawn, so the
disclosure services render its body then (`refresh`, in their transaction) and a visitor's
request reads it back (`body_for`). What leaves the portal by time (the end of the
publication period) is still decided at request time.

The stored body is a `PublicPage` row, the truth, and a copy of it in a file under
`settings.PAGE_FILES_DIR` (静态化发布): a visit reads the file and asks the database only
when there is none. The files follow the rows without ever showing what the database no
longer holds: a change deletes the file inside its transaction (a visitor meanwhile reads
the committed row) and, once committed, writes it again from the row while holding the
decision's lock (`write_files`), so a slower writer cannot put back an older page. A file
missing after a crash only costs its visitors the database read until `zhifa pages files`.

A stored body carries the fingerprint of the templates and labels it was rendered with; after
an upgrade that changes them, old bodies are not served (the page is rendered live, correctly
but slower) until `zhifa pages render` or the periodic task has rendered them again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import os
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhifa.core.access import for_plain_visitors, plain_visitor
from zhifa.disclosure import selectors
from zhifa.disclosure.models import Disclosure, PublicPage, PublishedVersion

BODY_TEMPLATE = "disclosure/_decision_body.html"
PAGE_TEMPLATE = "disclosure/decision_detail.html"
_SLOTS = ("zhifa-page-title-slot", "zhifa-page-body-slot")
_visitor_shell: list[str] = []
log = logging.getLogger(__name__)


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
    _changed([disclosure.pk])
    return page


def body_for(pk: int, *, today: dt.date | None = None) -> tuple[str, SafeString] | None:
    """The stored title and body of a public, unexpired decision: its file, else one
    primary-key read, no model instances (it runs on every visit). None when there is no
    stored page (the decision is not public, or not rendered yet) or it was rendered by other
    templates: the caller then renders it live (and answers 404 for what is not public)."""
    today = today or timezone.localdate()
    if (stored := _read_file(pk, today)) is not None:
        return stored
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
    for batch in _batches(ids, batch_size, tick):
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
            _changed(batch)
        rendered += len(pages)
    return rendered


def _batches(ids: list[int], size: int, tick: Callable[[int], object] | None):
    """`ids` in slices of `size`, reporting each to `tick` once it has been handled."""
    for start in range(0, len(ids), size):
        batch = ids[start : start + size]
        yield batch
        if tick:
            tick(len(batch))


# --- the files (静态化发布) ---------------------------------------------------------------
# A file is one header line, "fingerprint<TAB>expires_on or empty<TAB>title", then the body.


def _file(pk: int) -> Path | None:
    root = settings.PAGE_FILES_DIR
    return None if root is None else root / str(pk // 1000) / f"{pk}.html"


def _read_file(pk: int, today: dt.date) -> tuple[str, SafeString] | None:
    """The stored title and body from the page's file; None when there is none (or it is
    unreadable, from other templates, or past its publication period): ask the database."""
    path = _file(pk)
    if path is None:
        return None
    try:
        header, _, html = path.read_text(encoding="utf-8").partition("\n")
        mark, expires_on, title = header.split("\t", 2)
    except (OSError, ValueError):  # missing, unreadable, or not a page file
        return None
    if mark != fingerprint() or (expires_on and expires_on < today.isoformat()):
        return None
    return title, mark_safe(html)  # noqa: S308 - rendered by refresh() from our template


def _changed(ids: list[int]) -> None:
    """Inside the transaction that changed these pages: delete their files now (an error
    here fails the change rather than leave an old page public), write them once committed."""
    for pk in ids:
        if (path := _file(pk)) is not None:
            path.unlink(missing_ok=True)
    if settings.PAGE_FILES_DIR is not None:
        transaction.on_commit(lambda: _write_files_or_log(ids))


def _write_files_or_log(ids: list[int]) -> None:
    try:
        write_files(ids)
    except Exception:  # the change is committed; visitors read the rows until a rewrite
        log.exception("公示页面文件写入失败（访客改为读取数据库）：%s 等 %d 个", ids[0], len(ids))


def write_files(ids: Iterable[int]) -> int:
    """Write the files of these decisions' current pages (delete those with none), under the
    decisions' locks so that a change committed meanwhile is written after, never before,
    this; returns how many files were written."""
    if settings.PAGE_FILES_DIR is None:
        return 0
    ids = list(ids)
    written = 0
    with transaction.atomic():
        list(Disclosure.objects.select_for_update().filter(pk__in=ids).values_list("pk"))
        rows = PublicPage.objects.filter(disclosure_id__in=ids, fingerprint=fingerprint())
        current = {row[0]: row[1:] for row in rows.values_list("pk", "expires_on", "title", "html")}
        for pk in ids:
            path = _file(pk)
            if pk not in current:
                path.unlink(missing_ok=True)
                continue
            expires_on, title, html = current[pk]
            header = "\t".join([fingerprint(), expires_on.isoformat() if expires_on else "", title])
            _write_atomically(path, header.translate(_ONE_LINE) + "\n" + html)
            written += 1
    return written


_ONE_LINE = str.maketrans({"\n": " ", "\r": " "})


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_all_files(
    ids: list[int], *, batch_size: int = 1000, tick: Callable[[int], object] | None = None
) -> int:
    """`write_files` in batches (one transaction each); returns how many were written."""
    return sum(write_files(batch) for batch in _batches(ids, batch_size, tick))


def missing_file_ids() -> list[int]:
    """Current pages without a file (after a crash between a change and its file, a restore,
    or when the files were switched on)."""
    if settings.PAGE_FILES_DIR is None:
        return []
    ids = PublicPage.objects.filter(fingerprint=fingerprint()).order_by("pk")
    return [pk for pk in ids.values_list("pk", flat=True).iterator() if not _file(pk).exists()]


def page_response(request: HttpRequest, title: str, body: SafeString) -> HttpResponse:
    """The full page. Anonymous visitors all get the same layout around the body, so it is
    rendered once per process with slots for the title and body (rendering the layout was
    most of what was left of a visit's cost); staff and flash messages get it rendered."""
    context = {"title": title, "body": body}
    if not plain_visitor(request):
        return render(request, PAGE_TEMPLATE, context)
    if not _visitor_shell:
        slots = {"title": _SLOTS[0], "body": _SLOTS[1]}
        layout = render_to_string(PAGE_TEMPLATE, slots, request)
        head, rest = layout.split(_SLOTS[0])
        middle, tail = rest.split(_SLOTS[1])
        _visitor_shell[:] = [head, middle, tail]
    head, middle, tail = _visitor_shell
    return for_plain_visitors(HttpResponse(f"{head}{escape(title)}{middle}{body}{tail}"))
