"""The public portal (no login, `@public`) and the staff pages for the disclosure workflow.

Public pages show only what the law publishes: masked decisions, enforcement items, officers'
names and certificate numbers (118号), templates, window cards. Staff pages are scoped to the
caller's agency (another agency's disclosure is a 404)."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from zhifa.catalog import guide
from zhifa.catalog import selectors as catalog_selectors
from zhifa.catalog.models import DocumentTemplate
from zhifa.core.access import allowed, for_plain_visitors, plain_visitor, public
from zhifa.core.forms import flash_outcome, get_or_404
from zhifa.disclosure import pages, permissions, selectors, services, todos
from zhifa.disclosure.models import DisclosureKind, Status
from zhifa.ledger import canonical
from zhifa.org.models import Agency, Staff
from zhifa.org.permissions import can_view_all_agencies
from zhifa.org.selectors import own_agency_id

PAGE_SIZE = 20


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def _current(disclosure):
    versions = getattr(disclosure, "all_versions", None) or list(disclosure.versions.all())
    return versions[-1] if versions else None


def _rows(disclosures) -> list[tuple]:
    return [(d, _current(d)) for d in disclosures]


@dataclass
class _Page:
    """One page of the public decision list, newest first, found from the row next to it
    (keyset): `?after=<date>.<id>` the page below that row, `?before=` the page above it.
    Neither counts the rows nor skips them with OFFSET: at a million public decisions a
    COUNT(*) per request cost more than the page itself (bench/portal.py), and a crawler
    walking every page would read each skipped row again. `page` only numbers the page."""

    number: int
    object_list: list
    has_next: bool
    has_previous: bool

    @classmethod
    def of(cls, rows, get) -> _Page:
        number = int(get["page"]) if get.get("page", "").isdigit() else 1
        after, before = _cursor(get.get("after")), _cursor(get.get("before"))
        if before:
            items = selectors.page_above(rows, before, PAGE_SIZE + 1)
            has_previous = len(items) > PAGE_SIZE
            number = max(2, number) if has_previous else 1
            return cls(number, items[-PAGE_SIZE:], True, has_previous)
        items = selectors.page_below(rows, after, PAGE_SIZE + 1)
        number = max(2, number) if after else 1
        return cls(number, items[:PAGE_SIZE], len(items) > PAGE_SIZE, bool(after))

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def first_cursor(self) -> str:
        return _cursor_of(self.object_list[0]) if self.object_list else ""

    @property
    def last_cursor(self) -> str:
        return _cursor_of(self.object_list[-1]) if self.object_list else ""


def _cursor_of(disclosure) -> str:
    return f"{disclosure.decided_on.isoformat()}.{disclosure.pk}"


def _cursor(raw: str | None) -> tuple[dt.date, int] | None:
    """`<date>.<id>` of a row of the list; None when absent or malformed."""
    day, _, pk = (raw or "").partition(".")
    parsed = _date(day)
    return (parsed, int(pk)) if parsed and pk.isdigit() else None


def _checkpoint():
    from zhifa.ledger import selectors as ledger_selectors
    from zhifa.ledger import services as ledger_services

    latest = ledger_selectors.latest_checkpoint()
    if latest is None or latest.tree_size < ledger_selectors.tree_size():
        latest = ledger_services.checkpoint_sign() or latest
    return latest


def _public_key(checkpoint) -> str:
    """The key that signed the checkpoint shown beside it (the current key when none is)."""
    from zhifa.ledger import signing

    current = signing.server_key().public
    if checkpoint is None:
        return current.verifier_key
    return signing.known_keys().get(checkpoint.key_id, current).verifier_key


# --- public portal -----------------------------------------------------------------------------

PAGE_CACHE_SECONDS = 300  # also bounds how long a renamed agency shows its old name


def cached_for_visitors(*, with_log: bool = False):
    """Serve a decision page to anonymous visitors from the cache while nothing it shows has
    changed: the key holds `selectors.public_state()` (and, for pages showing the latest
    checkpoint, the ledger's size), so a publication, correction, withdrawal or the end of a
    publication period is visible at once. Every visitor sees the same page; rendering it per
    request held the portal to a fraction of a trivial view's throughput (bench/portal.py).
    Signed-in staff and requests carrying flash messages are always rendered."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not plain_visitor(request):
                return view(request, *args, **kwargs)
            state = selectors.public_state(with_log=with_log)
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key = f"disclosure:page:{state}:{path}"
            cached = cache.get(key)
            if cached is not None:
                content, content_type = cached
                return for_plain_visitors(HttpResponse(content, content_type=content_type))
            response = for_plain_visitors(view(request, *args, **kwargs))
            if response.status_code == 200:
                cache.set(key, (response.content, response["Content-Type"]), PAGE_CACHE_SECONDS)
            return response

        return wrapper

    return decorate


@public
@require_GET
@cached_for_visitors(with_log=True)
def portal_home(request: HttpRequest) -> HttpResponse:
    latest = list(selectors.public_disclosures()[:10])
    checkpoint = _checkpoint()
    return render(
        request,
        "disclosure/portal_home.html",
        {
            "rows": _rows(latest),
            "agencies": selectors.agency_counts(),
            "checkpoint": checkpoint,
            "public_key": _public_key(checkpoint),
        },
    )


@public
@require_GET
@cached_for_visitors()
def decision_list(request: HttpRequest) -> HttpResponse:
    agency_raw = request.GET.get("agency", "")
    agency_id = int(agency_raw) if agency_raw.isdigit() else None
    kind = request.GET.get("kind", "")
    kind = kind if kind in DisclosureKind.values else ""
    date_from, date_to = _date(request.GET.get("from")), _date(request.GET.get("to"))
    rows = selectors.public_list(
        agency_id=agency_id, kind=kind, date_from=date_from, date_to=date_to
    )
    page = _Page.of(rows, request.GET)
    params = request.GET.copy()
    for cursor in ("page", "after", "before"):
        params.pop(cursor, None)
    return render(
        request,
        "disclosure/decision_list.html",
        {
            "rows": _rows(page.object_list),
            "page": page,
            "agencies": Agency.objects.order_by("pk"),
            "kinds": DisclosureKind.choices[:2],
            "filters": {
                "agency": agency_id,
                "kind": kind,
                "from": date_from.isoformat() if date_from else "",
                "to": date_to.isoformat() if date_to else "",
            },
            "query": params.urlencode(),
        },
    )


@public
@require_GET
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Served from the body stored at its last public change (`pages`), one row per visit;
    rendered live when there is none (e.g. just after an upgrade changed the templates)."""
    page = pages.body_for(pk)
    if page is None:
        disclosure = get_or_404(selectors.public_get, pk=pk)
        page = pages.render_body(disclosure, disclosure.all_versions)
    return pages.page_response(request, *page)


@public
@require_GET
@cached_for_visitors(with_log=True)
def decision_verify(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision's ledger event, its inclusion proof against the latest signed checkpoint,
    and the data for the in-browser check (static/js/verify.js)."""
    from zhifa.ledger import selectors as ledger_selectors
    from zhifa.ledger.models import Event

    disclosure = get_or_404(selectors.public_get, pk=pk)
    versions = disclosure.all_versions
    number = request.GET.get("v", "")
    chosen = next((v for v in versions if str(v.number) == number), None) or (
        versions[-1] if versions else None
    )
    if chosen is None:
        raise Http404("该决定尚无公示版本。")
    event = Event.objects.get(seq=chosen.event_seq)
    checkpoint = _checkpoint()
    path = ledger_selectors.inclusion_proof(event.seq, checkpoint.tree_size)
    document = services.content_document(disclosure.pk, chosen.number, chosen.fields, chosen.text)
    data = {
        "content": canonical.dumps(document).decode(),
        "content_sha256": chosen.content_sha256,
        "event": bytes(event.canonical).decode(),
        "leaf_hash": bytes(event.leaf_hash).hex(),
        "index": event.seq,
        "size": checkpoint.tree_size,
        "path": [h.hex() for h in path],
        "root": bytes(checkpoint.root_hash).hex(),
    }
    return render(
        request,
        "disclosure/decision_verify.html",
        {
            "d": disclosure,
            "version": chosen,
            "versions": versions,
            "event": event,
            "checkpoint": checkpoint,
            "public_key": _public_key(checkpoint),
            "data": data,
        },
    )


def _agency(pk: int) -> Agency:
    return get_object_or_404(Agency, pk=pk)


@public
@require_GET
def agency_detail(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(pk)
    return render(
        request,
        "disclosure/agency_detail.html",
        {"agency": agency, "items": selectors.published_items(agency=agency)},
    )


@public
@require_GET
def item_detail(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    agency = _agency(pk)
    try:
        item, history = selectors.item_public(agency=agency, pk=item_pk)
    except Exception as exc:  # DoesNotExist
        raise Http404("没有找到该执法事项。") from exc
    current = item.current_version
    return render(
        request,
        "disclosure/item_detail.html",
        {
            "agency": agency,
            "item": item,
            "current": current,
            "history": history,
            "guide": guide.rows(current) if guide.has_guide(vars(current)) else [],
        },
    )


@public
@require_GET
def officer_list(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(pk)
    query = request.GET.get("q", "").strip()[:50]
    rows = selectors.officers_public(agency=agency, query=query)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/officer_list.html",
        {"agency": agency, "page": page, "q": query},
    )


@public
@require_GET
def template_list(request: HttpRequest, pk: int) -> HttpResponse:
    agency = _agency(pk)
    own = {t.kind: t for t in DocumentTemplate.objects.filter(agency=agency)}
    standard = DocumentTemplate.objects.filter(agency=None).order_by("kind")
    templates = [own.pop(t.kind, t) for t in standard] + list(own.values())
    return render(
        request,
        "disclosure/template_list.html",
        {"agency": agency, "templates": templates},
    )


@public
@require_GET
def window_cards(request: HttpRequest, pk: int) -> HttpResponse:
    """窗口明示 cards (P11): unit, name, post, enforcement kind; no photo, no phone."""
    agency = _agency(pk)
    certificates = selectors.officers_public(agency=agency)
    by_staff: dict[int, tuple[Staff, list[str], list[str]]] = {}
    for cert in certificates:
        _staff, numbers, areas = by_staff.setdefault(cert.holder_id, (cert.holder, [], []))
        numbers.append(cert.number)
        areas.extend(a.name for a in cert.areas.all() if a.name not in areas)
    return render(
        request,
        "disclosure/window_cards.html",
        {"agency": agency, "cards": list(by_staff.values())},
    )


@public
@require_GET
def guide_list(request: HttpRequest, pk: int) -> HttpResponse:
    """服务指南 of one agency's items (P7), each linking to its printable guide."""
    agency = _agency(pk)
    return render(
        request,
        "disclosure/guide_list.html",
        {"agency": agency, "items": catalog_selectors.guides_public(agency_id=agency.pk)},
    )


@public
@require_GET
def inspection_list(request: HttpRequest, pk: int) -> HttpResponse:
    """随机抽查事项清单 of one agency (P5)."""
    agency = _agency(pk)
    return render(
        request,
        "disclosure/inspection_list.html",
        {"agency": agency, "entries": catalog_selectors.inspections_public(agency_id=agency.pk)},
    )


@public
@require_GET
def all_items(request: HttpRequest) -> HttpResponse:
    """Every agency's 执法事项清单 on one page (the county portal aggregates, P15)."""
    return render(
        request,
        "disclosure/all_items.html",
        {"groups": _by_agency(catalog_selectors.items_public())},
    )


@public
@require_GET
def all_inspections(request: HttpRequest) -> HttpResponse:
    """Every agency's 随机抽查事项清单 on one page (P5, P15)."""
    return render(
        request,
        "disclosure/all_inspections.html",
        {"groups": _by_agency(catalog_selectors.inspections_public())},
    )


def _by_agency(rows) -> list[tuple[Agency, list]]:
    groups: dict[int, tuple[Agency, list]] = {}
    for row in rows:
        groups.setdefault(row.agency_id, (row.agency, []))[1].append(row)
    return list(groups.values())


# --- staff pages -------------------------------------------------------------------------------


@allowed(permissions.can_view)
@require_GET
def manage_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Status.values else ""
    rows = selectors.manage_list(user=request.user, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    # Due soon and overdue drafts: the caller's agency, or every agency for the supervisor.
    all_agencies = can_view_all_agencies(request.user)
    agency_id = None if all_agencies else (own_agency_id(request.user) or 0)
    return render(
        request,
        "disclosure/manage_list.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "due": [
                (d, left, -left)
                for d, left in todos.due_drafts(today=timezone.localdate(), agency_id=agency_id)
            ],
            "all_agencies": all_agencies,
            "soon": todos.SOON,
        },
    )


@allowed(permissions.can_view)
@require_GET
def manage_detail(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_or_404(selectors.manage_get, user=request.user, pk=pk)
    fields, text = services.masked(d)
    original = services.field_rows(d.kind, d.fields)
    preview = services.field_rows(d.kind, fields)
    return render(
        request,
        "disclosure/manage_detail.html",
        {
            "d": d,
            "pairs": [(label, value, preview[i][1]) for i, (label, value) in enumerate(original)],
            "masked_text": text,
            "can_review": permissions.can_review(request.user)
            and d.status == Status.DRAFT
            and d.prepared_by_id != request.user.pk,
            "can_publish": permissions.can_publish(request.user)
            and d.status == Status.REVIEWED
            and d.reviewed_by_id != request.user.pk,
            "can_change": permissions.can_publish(request.user) and d.status == Status.PUBLISHED,
            "versions": d.all_versions,
        },
    )


def _act(request: HttpRequest, pk: int, call) -> HttpResponse:
    d = get_or_404(selectors.manage_get, user=request.user, pk=pk)
    flash_outcome(request, lambda: call(d), lambda _: "已办理。")
    return redirect("disclosure:manage_detail", pk=pk)


@allowed(permissions.can_review)
@require_POST
def manage_review(request: HttpRequest, pk: int) -> HttpResponse:
    approve = request.POST.get("decision") == "approve"
    return _act(
        request,
        pk,
        lambda d: services.disclosure_review(
            acting_user=request.user,
            draft=d,
            approve=approve,
            note=request.POST.get("note", "")[:300],
            secret=request.POST.get("secret") == "1",
        ),
    )


@allowed(permissions.can_publish)
@require_POST
def manage_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk, lambda d: services.disclosure_publish(acting_user=request.user, draft=d)
    )


@allowed(permissions.can_publish)
@require_POST
def manage_correct(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        lambda d: services.disclosure_correct(
            acting_user=request.user,
            disclosure=d,
            reason=request.POST.get("reason", "")[:300],
            text=request.POST.get("text") or None,
        ),
    )


@allowed(permissions.can_publish)
@require_POST
def manage_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    changed_on = _date(request.POST.get("changed_on"))

    def call(d):
        if changed_on is None:
            raise ValidationError("请填写决定被变更、撤销或确认违法的日期。")
        services.disclosure_withdraw(
            acting_user=request.user,
            disclosure=d,
            reason=request.POST.get("reason", "")[:300],
            changed_on=changed_on,
        )

    return _act(request, pk, call)
