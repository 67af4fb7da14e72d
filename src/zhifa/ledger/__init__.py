"""The tamper-evident ledger (全过程记录). Other apps call only these functions:

    from zhifa import ledger
    ledger.record("case.filed", case, acting_user, {"number": case.number})
    ledger.record_view(request.user, case)

Importing this package loads no models, so it is safe to import anywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zhifa.ledger.models import Event


def record(
    kind: str,
    subject: Any,
    actor: Any,
    payload: dict | None = None,
    *,
    agency: Any = None,
    corrects: Any = None,
) -> Event:
    """Append an event inside the caller's transaction. See ``services.record``."""
    from zhifa.ledger.services import record as _record

    return _record(kind, subject, actor, payload, agency=agency, corrects=corrects)


def record_view(user: Any, subject: Any, *, what: str = "", agency: Any = None) -> Event:
    """Record that ``user`` viewed ``subject`` (C10). See ``services.record_view``."""
    from zhifa.ledger.services import record_view as _record_view

    return _record_view(user, subject, what=what, agency=agency)


def can_view(user: Any, agency_id: int | None) -> bool:
    """May ``user`` read the contents of events scoped to ``agency_id``?"""
    from zhifa.ledger.selectors import can_view_agency

    return can_view_agency(user, agency_id)
