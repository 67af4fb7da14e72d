"""Reads for review pages, scoped to the caller's agency in the query."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from zhifa.review.models import Discussion, Review, ReviewRule, ReviewStatus
from zhifa.review.rules import review_requirement

ACTIVE = [ReviewStatus.SUBMITTED, ReviewStatus.ASSIGNED, ReviewStatus.CHECKED]
DUE_SOON_DAYS = 2


def _agency_id(user) -> int | None:
    staff = getattr(user, "staff", None)
    return staff.agency_id if staff else None


def review_list(*, user, mine: bool = False) -> QuerySet[Review]:
    reviews = Review.objects.filter(agency_id=_agency_id(user)).select_related(
        "case", "reviewer", "re_reviewer"
    )
    if mine:
        staff = user.staff
        reviews = reviews.filter(
            Q(reviewer=staff, status=ReviewStatus.ASSIGNED)
            | Q(re_reviewer=staff, status=ReviewStatus.CHECKED)
        )
    return reviews.order_by("-submitted_at", "-pk")


def review_get(*, user, pk: int) -> Review:
    return (
        Review.objects.filter(agency_id=_agency_id(user))
        .select_related("case__party", "case__agency", "reviewer", "re_reviewer", "submitted_by")
        .get(pk=pk)
    )


def awaiting(*, user) -> list[Review]:
    """Reviews waiting for this user: as 审核人, as 复审人, or unassigned (法制科)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return []
    condition = Q(reviewer=staff, status=ReviewStatus.ASSIGNED) | Q(
        re_reviewer=staff, status=ReviewStatus.CHECKED
    )
    if user.groups.filter(name="法制审核人员").exists():
        condition |= Q(status=ReviewStatus.SUBMITTED)
    return list(
        Review.objects.filter(condition, agency_id=staff.agency_id)
        .select_related("case")
        .order_by("due_on", "pk")
    )


def urgency(review: Review, today: dt.date) -> str:
    if review.due_on < today:
        return "danger"
    if (review.due_on - today).days <= DUE_SOON_DAYS:
        return "warning"
    return "info"


def case_section(*, case) -> dict:
    """The 法制审核 section of a case page."""
    return {
        "requirement": review_requirement(case),
        "reviews": list(Review.objects.filter(case=case).select_related("reviewer", "re_reviewer")),
        "discussions": list(
            Discussion.objects.filter(case=case)
            .select_related("chair")
            .prefetch_related("attendees__staff")
        ),
    }


def rule_list(*, user) -> QuerySet[ReviewRule]:
    return ReviewRule.objects.filter(agency_id=_agency_id(user)).select_related("item")
