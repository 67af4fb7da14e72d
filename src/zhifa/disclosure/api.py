"""Public open-data API of the disclosure portal (`/api/v1/public/...`, P14): no login, like
the portal pages; only published (masked) decisions within their publication period.

Syncing another platform: call `GET /api/v1/public/decisions` without `since`, follow `next`
until it is null, store `cursor`; later call again with `since=<cursor>`. Every publication,
correction and withdrawal moves the item to the end of the feed (its latest ledger seq), so
each change is seen once and none is missed. An item leaves the feed when its publication
period ends: consumers drop each record after its `publish_until` day."""

from __future__ import annotations

import csv
import datetime as dt
from typing import Literal

from django.http import HttpRequest, JsonResponse, StreamingHttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhifa.disclosure import opendata, selectors, services
from zhifa.disclosure.models import Disclosure, DisclosureKind
from zhifa.disclosure.opendata import DecisionItem

router = Router(tags=["公示公开数据"])

MAX_LIMIT = 1000


class ErrorOut(Schema):
    detail: str


class DecisionPage(Schema):
    items: list[DecisionItem]
    next: str | None = Field(None, description="下一页游标；为 null 表示已同步到最新。")
    cursor: str | None = Field(
        None, description="本页之后的位置：保存后作为下次同步的 since（已到最新时也返回）。"
    )


class DecisionFilters(Schema):
    agency: int | None = Field(None, description="执法主体 id")
    kind: Literal["penalty", "licence", "other"] | None = Field(None, description="决定类别")
    date_from: dt.date | None = Field(None, description="决定日期起（含）")
    date_to: dt.date | None = Field(None, description="决定日期止（含）")
    since: str | None = Field(None, description="增量同步游标（上次响应的 next 或 cursor）")
    limit: int = Field(100, ge=1, le=MAX_LIMIT, description="每页条数，最多 1000")


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"detail": message}, status=400, json_dumps_params={"ensure_ascii": False})


def _rows(filters: DecisionFilters):
    since = opendata.decode_cursor(filters.since) if filters.since else None
    rows = selectors.open_data(
        agency_id=filters.agency,
        kind=filters.kind or "",
        date_from=filters.date_from,
        date_to=filters.date_to,
        since=since,
    )
    return rows, since


@router.get(
    "/decisions",
    response={200: DecisionPage, 400: ErrorOut},
    url_name="public_decisions",
    summary="公示的行政处罚、行政许可决定（可筛选，支持增量同步）",
)
def decisions(request: HttpRequest, filters: Query[DecisionFilters]):
    try:
        rows, since = _rows(filters)
    except opendata.BadCursor as exc:
        return _bad(str(exc))
    page = list(rows[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    last = page[-1].public_seq if page else since
    return {
        "items": [opendata.decision_item(d) for d in page],
        "next": opendata.encode_cursor(last) if more else None,
        "cursor": opendata.encode_cursor(last or 0),
    }


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_header(kind: str) -> list[str]:
    """The national 双公示 columns (labels of `services.FIELDS`), then the portal's own."""
    labels = []
    for _key, penalty, licence in services.FIELDS:
        if kind == DisclosureKind.LICENCE:
            label = licence
        elif kind == DisclosureKind.PENALTY or not licence or licence == penalty:
            label = penalty
        else:
            label = f"{penalty}/{licence}"
        if label:
            labels.append(label)
    return [*labels, "公示类别", "执法主体", "公示状态", "版本", "更正理由", "撤回理由", "公示网址"]


STATUS_LABELS = {"published": "已公示", "withdrawn": "已撤回"}


def csv_row(item: dict, kind: str) -> list[str]:
    values = [
        item[key]
        for key, _penalty, licence in services.FIELDS
        if kind != DisclosureKind.LICENCE or licence
    ]
    return [
        *values,
        item["kind_label"],
        item["agency"]["name"],
        STATUS_LABELS[item["status"]],
        str(item["version"]),
        item["correction_reason"],
        item["withdrawal_reason"],
        item["url"],
    ]


def _csv_lines(rows, kind: str, request: HttpRequest):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(csv_header(kind))  # BOM: Excel reads UTF-8
    for disclosure in rows.iterator(chunk_size=500):
        item = opendata.decision_item(disclosure)
        item["url"] = request.build_absolute_uri(item["url"])
        yield writer.writerow(csv_row(item, kind))


@router.get(
    "/decisions.csv",
    response={200: None, 400: ErrorOut},
    url_name="public_decisions_csv",
    summary="公示决定 CSV（双公示字段顺序，UTF-8 带 BOM，筛选条件同上）",
)
def decisions_csv(request: HttpRequest, filters: Query[DecisionFilters]):
    try:
        rows, _since = _rows(filters)
    except opendata.BadCursor as exc:
        return _bad(str(exc))
    kind = filters.kind or ""
    response = StreamingHttpResponse(
        _csv_lines(rows.order_by("-decided_on", "-id"), kind, request),
        content_type="text/csv; charset=utf-8",
    )
    name = f"decisions-{timezone.localdate():%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get(
    "/decisions/{decision_id}",
    response={200: DecisionItem, 404: ErrorOut},
    url_name="public_decision",
    summary="一件公示决定",
)
def decision(request: HttpRequest, decision_id: int):
    try:
        disclosure = selectors.public_get(pk=decision_id)
    except Disclosure.DoesNotExist:
        return Status(404, {"detail": "未找到该公示决定：编号不存在、未公示或公示期已满。"})
    return opendata.decision_item(disclosure)


# --- search (the same index as the portal's /search/ page) ---------------------------------------


class SearchPage(Schema):
    items: list[DecisionItem]
    next: str | None = Field(None, description="下一页游标；为 null 表示没有更多结果。")


class SearchFilters(Schema):
    q: str = Field(..., max_length=500, description="查询词（多个词之间为“且”关系）")
    agency: int | None = Field(None, description="执法主体 id")
    kind: Literal["penalty", "licence"] | None = Field(None, description="处罚或许可")
    date_from: dt.date | None = Field(None, description="决定日期起（含）")
    date_to: dt.date | None = Field(None, description="决定日期止（含）")
    cursor: str | None = Field(None, description="上次响应的 next")
    limit: int = Field(20, ge=1, le=100, description="每页条数，最多 100")


@router.get(
    "/search",
    response={200: SearchPage, 400: ErrorOut},
    url_name="public_search",
    summary="全文检索公示决定（中文分词；结果按相关度、决定日期排序）",
)
def search_decisions(request: HttpRequest, filters: Query[SearchFilters]):
    from zhifa.disclosure import search

    if not filters.q.strip():
        return _bad("请填写查询词 q。")
    cursor = filters.cursor or "0"
    if not cursor.isdigit() or int(cursor) >= search.WINDOW:
        return _bad("游标 cursor 无效：请使用上次响应中的 next。")
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        return _bad("决定日期起 date_from 不能晚于止 date_to。")
    hits = search.search(
        filters.q,
        agency_id=filters.agency,
        kind=filters.kind,
        date_from=filters.date_from,
        date_to=filters.date_to,
        types="decision",
        limit=filters.limit,
        offset=int(cursor),
    )
    found = selectors.public_disclosures().in_bulk([h.disclosure_id for h in hits])
    items = [
        opendata.decision_item(found[h.disclosure_id]) for h in hits if h.disclosure_id in found
    ]
    return {
        "items": items,
        "next": str(int(cursor) + filters.limit) if hits.has_next else None,
    }
