"""Fixity: re-hash every stored file and record any that is missing or changed (C9)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction

from zhifa.ledger import blobs


@dataclass
class FixityReport:
    checked: int = 0
    problems: list[tuple[str, str]] = field(default_factory=list)  # (sha256, "missing"|"changed")


def rehash(sha256: str) -> str | None:
    """The SHA-256 of the stored blob's bytes as they are now; None when it is missing."""
    try:
        fh = blobs.open_blob(sha256)
    except FileNotFoundError:
        return None
    digest = hashlib.sha256()
    with fh:
        while chunk := fh.read(blobs.CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _where_recorded(sha256: str) -> tuple[str, int | None]:
    """The subject and agency of the evidence that holds this file, so the report reaches
    the people who may see that case."""
    from zhifa.ledger.models import Event

    added = (
        Event.objects.filter(kind="evidence.added", payload__sha256=sha256)
        .order_by("seq")
        .values_list("subject", "agency_id")
        .first()
    )
    return added if added else (f"ledger.blob:{sha256}", None)


def fixity_check(progress: Iterable | None = None) -> FixityReport:
    """Re-hash every registered blob; record each problem and a summary in the ledger."""
    from zhifa.ledger.models import Blob
    from zhifa.ledger.services import Entry, record_many

    report = FixityReport()
    rows = Blob.objects.order_by("sha256").values_list("sha256", flat=True)
    for sha256 in progress(rows.iterator()) if progress else rows.iterator():
        report.checked += 1
        actual = rehash(sha256)
        if actual is None:
            report.problems.append((sha256, "missing"))
        elif actual != sha256:
            report.problems.append((sha256, "changed"))
    entries = []
    for sha256, problem in report.problems:
        subject, agency = _where_recorded(sha256)
        entries.append(
            Entry(
                "evidence.fixity_failed",
                subject,
                None,
                {"sha256": sha256, "problem": problem},
                agency=agency,
            )
        )
    entries.append(
        Entry(
            "ledger.fixity_checked",
            "ledger.blobs",
            None,
            {"checked": report.checked, "problems": len(report.problems)},
        )
    )
    with transaction.atomic():
        record_many(entries)
    return report
