"""Gap-free document numbers (文书编号) such as 宁发改罚〔2026〕12号.

Numbers run per agency, document kind and year. `allocate` must be called inside the
transaction that issues the document: the counter row is locked until that transaction ends,
so concurrent issuers queue, and a rollback returns the number (no gaps, no duplicates).
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhifa.core.models import DocumentCounter

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def allocate(*, agency_id: int, kind: str, year: int) -> int:
    """Reserve the next number of the series within the caller's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("allocate() must run inside the issuing transaction")
    counter = _locked_counter(agency_id, kind, year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


def _locked_counter(agency_id: int, kind: str, year: int) -> DocumentCounter:
    series = DocumentCounter.objects.select_for_update().filter(
        agency_id=agency_id, kind=kind, year=year
    )
    counter = series.first()
    if counter is None:
        try:
            with transaction.atomic():  # savepoint: a concurrent creator may win the race
                DocumentCounter.objects.create(agency_id=agency_id, kind=kind, year=year)
        except IntegrityError:
            pass
        counter = series.get()
    return counter


def validate_pattern(pattern: str) -> None:
    names = set(_PLACEHOLDER.findall(pattern))
    if names != {"year", "seq"}:
        raise ValidationError(
            "编号格式“%(pattern)s”须且只能包含 {year}（年度）和 {seq}（序号）两个占位符，"
            "例如：宁发改罚〔{year}〕{seq}号。",
            code="invalid_pattern",
            params={"pattern": pattern},
        )


def format_number(pattern: str, *, year: int, seq: int) -> str:
    validate_pattern(pattern)
    return pattern.replace("{year}", str(year)).replace("{seq}", str(seq))
