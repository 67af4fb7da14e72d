"""Open data (P14): the one public item shape of a published decision, shared by the JSON API,
the CSV export, the Atom feed, search results and the push to subscribers.

Only the CURRENT published version (masked) is used; the staff-only original never leaves.
Each item carries `publish_until`: a consumer drops the record after that day, when it also
leaves this API (the publication period of law-facts 公示 has ended)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt

from django.urls import reverse
from ninja import Schema

from zhifa.disclosure.models import Disclosure, DisclosureKind, PublishedVersion, Status

KIND_LABELS = dict(DisclosureKind.choices)


class AgencyRef(Schema):
    id: int
    name: str


class DecisionItem(Schema):
    id: int
    kind: str
    kind_label: str
    agency: AgencyRef
    party_name: str
    credit_code: str
    document_number: str
    matter: str
    basis: str
    category: str
    fine_yuan: str
    decided_on: str
    valid_until: str
    authority: str
    publish_until: str
    status: str
    version: int
    withdrawal_reason: str
    correction_reason: str
    url: str
    updated_at: str


def current_version(disclosure: Disclosure) -> PublishedVersion | None:
    """The latest published version (uses the `all_versions` prefetch when present)."""
    versions = getattr(disclosure, "all_versions", None)
    if versions is not None:
        return versions[-1] if versions else None
    return disclosure.versions.order_by("-number").first()


def updated_at(disclosure: Disclosure, version: PublishedVersion | None) -> dt.datetime | None:
    """When the item last changed publicly: its withdrawal, else its latest version."""
    if disclosure.status == Status.WITHDRAWN and disclosure.withdrawn_at:
        return disclosure.withdrawn_at
    return version.published_at if version else disclosure.published_at


def decision_item(disclosure: Disclosure) -> dict:
    """The public item of one published or withdrawn decision (see the shared contract)."""
    version = current_version(disclosure)
    fields = version.fields if version else {}
    withdrawn = disclosure.status == Status.WITHDRAWN
    changed = updated_at(disclosure, version)

    def text(key: str) -> str:
        value = fields.get(key, "")
        return "" if value is None else str(value)

    return {
        "id": disclosure.pk,
        "kind": disclosure.kind,
        "kind_label": KIND_LABELS.get(disclosure.kind, disclosure.kind),
        "agency": {"id": disclosure.agency_id, "name": disclosure.agency.name},
        "party_name": text("party_name"),
        "credit_code": text("credit_code"),
        "document_number": text("document_number"),
        "matter": text("matter"),
        "basis": text("basis"),
        "category": text("category"),
        "fine_yuan": text("fine_yuan"),
        "decided_on": text("decided_on") or disclosure.decided_on.isoformat(),
        "valid_until": text("valid_until"),
        "authority": text("authority"),
        "publish_until": text("publish_until")
        or (disclosure.expires_on.isoformat() if disclosure.expires_on else ""),
        "status": "withdrawn" if withdrawn else "published",
        "version": version.number if version else 0,
        "withdrawal_reason": disclosure.withdrawal_reason if withdrawn else "",
        "correction_reason": version.reason if version else "",
        "url": reverse("disclosure:decision_detail", args=[disclosure.pk]),
        "updated_at": changed.isoformat() if changed else "",
    }


# --- the sync cursor ---------------------------------------------------------------------------
# A cursor is the ledger seq of the latest public change already seen (`Disclosure.public_seq`),
# wrapped so clients treat it as opaque. Ledger seqs are gap-free and assigned under a lock held
# to commit, so a change with a lower seq is never committed after one with a higher seq.

CURSOR_PREFIX = "zf1:"


class BadCursor(ValueError):
    pass


def encode_cursor(seq: int) -> str:
    raw = f"{CURSOR_PREFIX}{seq:d}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    message = (
        "参数 since 不是本接口返回的游标，请使用上次响应中的 next 或 cursor 值，"
        "或不带 since 从头同步。"
    )
    if not cursor or len(cursor) > 64 or not cursor.isascii():
        raise BadCursor(message)
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise BadCursor(message) from exc
    if not raw.startswith(CURSOR_PREFIX):
        raise BadCursor(message)
    digits = raw[len(CURSOR_PREFIX) :]
    if not digits.isdigit() or len(digits) > 18:
        raise BadCursor(message)
    return int(digits)
