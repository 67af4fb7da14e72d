"""Reads for the portal (public: only published, unexpired items) and the staff pages
(scoped to the caller's agency)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from zhifa.catalog.models import EnforcementItem, EnforcementItemVersion, VersionStatus
from zhifa.disclosure.models import Disclosure, PublishedVersion, Status
from zhifa.org.models import Agency, Certificate, CertificateStatus
from zhifa.org.selectors import scope

PUBLIC_STATUSES = (Status.PUBLISHED, Status.WITHDRAWN)


def _versions() -> Prefetch:
    return Prefetch(
        "versions", queryset=PublishedVersion.objects.order_by("number"), to_attr="all_versions"
    )


def public_disclosures(*, today: dt.date | None = None) -> QuerySet[Disclosure]:
    """Published (or withdrawn, with their notice) and still within the publication period:
    an item whose period ended leaves the portal by itself (query-time filter)."""
    today = today or timezone.localdate()
    return (
        Disclosure.objects.filter(status__in=PUBLIC_STATUSES)
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("agency")
        .prefetch_related(_versions())
        .order_by("-decided_on", "-id")
    )


def public_list(
    *,
    agency_id: int | None = None,
    kind: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[Disclosure]:
    rows = public_disclosures()
    if agency_id:
        rows = rows.filter(agency_id=agency_id)
    if kind:
        rows = rows.filter(kind=kind)
    if date_from:
        rows = rows.filter(decided_on__gte=date_from)
    if date_to:
        rows = rows.filter(decided_on__lte=date_to)
    return rows


def public_get(*, pk: int) -> Disclosure:
    return public_disclosures().get(pk=pk)


def agency_counts() -> list[Agency]:
    today = timezone.localdate()
    live = Q(disclosures__status__in=PUBLIC_STATUSES) & (
        Q(disclosures__expires_on__isnull=True) | Q(disclosures__expires_on__gte=today)
    )
    return list(Agency.objects.annotate(published=Count("disclosures", filter=live)).order_by("pk"))


def published_items(*, agency: Agency) -> QuerySet[EnforcementItem]:
    return (
        EnforcementItem.objects.filter(agency=agency, current_version__isnull=False)
        .select_related("current_version__flow", "current_version__unit")
        .order_by("code")
    )


def item_public(*, agency: Agency, pk: int) -> tuple[EnforcementItem, list[EnforcementItemVersion]]:
    item = published_items(agency=agency).get(pk=pk)
    history = list(
        item.versions.filter(status=VersionStatus.APPROVED)
        .prefetch_related("basis__article__law")
        .order_by("-number")
    )
    return item, history


def officers_public(*, agency: Agency, query: str = "") -> QuerySet[Certificate]:
    """执法人员清单 from live data (P8): only certificates valid today, of active staff."""
    today = timezone.localdate()
    rows = (
        Certificate.objects.filter(
            holder__agency=agency,
            holder__is_active=True,
            status=CertificateStatus.VALID,
            valid_from__lte=today,
            valid_to__gte=today,
        )
        .select_related("holder__unit")
        .prefetch_related("areas")
        .order_by("holder__unit__name", "holder__real_name", "number")
    )
    query = query.strip()
    if query:
        rows = rows.filter(Q(holder__real_name__icontains=query) | Q(number__icontains=query))
    return rows


def manage_list(*, user, status: str = "") -> QuerySet[Disclosure]:
    rows = scope(Disclosure.objects.select_related("agency", "case__party"), user)
    return rows.filter(status=status) if status else rows


def manage_get(*, user, pk: int) -> Disclosure:
    return (
        manage_list(user=user)
        .select_related("reviewed_by", "published_by", "case__agency", "case__item_version")
        .prefetch_related(_versions())
        .get(pk=pk)
    )
