"""Canonical JSON: the exact bytes an event's Merkle leaf is computed over.

Sorted keys, UTF-8 (Chinese stays Chinese, not \\u escapes), no insignificant whitespace, no
NaN or Infinity. The same value always gives the same bytes, so anyone can recompute a leaf
from an exported event with any JSON library that follows these rules.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django.utils import timezone


class PayloadError(TypeError):
    """A payload value that has no single canonical JSON form."""


def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise PayloadError("事件内容中的时间必须带时区（aware datetime）。")
        return timezone.localtime(value).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes):
        raise PayloadError("事件内容不能直接包含二进制数据，请先存入证据库并记录其哈希。")
    raise PayloadError(f"事件内容包含无法记录的值类型：{type(value).__name__}。")


# One encoder for every call: json.dumps with these options would build a new one each time.
_ENCODER = json.JSONEncoder(
    sort_keys=True,
    separators=(",", ":"),
    ensure_ascii=False,
    allow_nan=False,
    default=_encode,
)


def dumps(value: Any) -> bytes:
    """The canonical bytes of a JSON value."""
    try:
        text = _ENCODER.encode(value)
    except ValueError as exc:  # NaN / Infinity
        raise PayloadError("事件内容不能包含 NaN 或无穷大。") from exc
    return text.encode("utf-8")


def normalise(value: Any) -> Any:
    """The plain JSON value that ``dumps`` would write (dates as strings and so on)."""
    return json.loads(dumps(value))


def format_time(value: dt.datetime) -> str:
    """Event times as ISO 8601 in Asia/Shanghai with microseconds, e.g.
    ``2026-03-01T09:30:00.000000+08:00``; always the same width, so text order is time order."""
    return timezone.localtime(value).isoformat(timespec="microseconds")
