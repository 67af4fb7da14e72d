"""The portal's full-text search page (`/portal/search/`, also reachable as `/search/`)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhifa.core.access import public
from zhifa.disclosure import search
from zhifa.disclosure.models import SearchType
from zhifa.org.models import Agency

PAGE_SIZE = 20


def _date(raw: str) -> tuple[dt.date | None, str]:
    if not raw:
        return None, ""
    try:
        return dt.date.fromisoformat(raw), ""
    except ValueError:
        return None, f"日期“{raw[:20]}”格式不正确，请按“年-月-日”填写，例如 2026-01-31。"


@public
@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    get = request.GET
    q = get.get("q", "")[:200]
    agency_raw = get.get("agency", "")
    agency_id = int(agency_raw) if agency_raw.isdigit() else None
    kind = get.get("kind", "")
    kind = kind if kind in search.KIND_LABELS else ""
    type_ = get.get("type", "")
    type_ = type_ if type_ in SearchType.values else ""
    date_from, error_from = _date(get.get("from", ""))
    date_to, error_to = _date(get.get("to", ""))
    page_raw = get.get("page", "1")
    page = int(page_raw) if page_raw.isdigit() and 0 < int(page_raw) <= 1000 else 1
    hits = None
    if q.strip():
        hits = search.search(
            q,
            agency_id=agency_id,
            kind=kind,
            date_from=date_from,
            date_to=date_to,
            types=type_ or None,
            limit=PAGE_SIZE,
            offset=(page - 1) * PAGE_SIZE,
        )
    params = get.copy()
    params.pop("page", None)
    return render(
        request,
        "disclosure/search.html",
        {
            "q": q,
            "hits": hits,
            "page": page,
            "agencies": Agency.objects.order_by("pk"),
            "kinds": list(search.KIND_LABELS.items()),
            "types": SearchType.choices,
            "filters": {
                "agency": agency_id,
                "kind": kind,
                "type": type_,
                "from": get.get("from", "")[:20],
                "to": get.get("to", "")[:20],
            },
            "errors": [e for e in (error_from, error_to) if e],
            "query": params.urlencode(),
        },
    )


@public
@require_GET
def search_short(request: HttpRequest) -> HttpResponse:
    """`/search/?q=…` → the portal's search page, keeping the query."""
    target = reverse("disclosure:search")
    query = request.GET.urlencode()
    return redirect(f"{target}?{query}" if query else target)
