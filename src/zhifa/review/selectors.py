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


def _scoped(user) -> QuerySet[Review]:
    """The caller's agency; every agency for the county supervisor (法制监督, read only)."""
    if user.has_perm("org.view_all_agencies"):
        return Review.objects.all()
    return Review.objects.filter(agency_id=_agency_id(user))


def review_list(*, user, mine: bool = False) -> QuerySet[Review]:
    reviews = _scoped(user).select_related("case", "reviewer", "re_reviewer", "agency")
    if mine:
        staff = user.staff
        reviews = reviews.filter(
            Q(reviewer=staff, status=ReviewStatus.ASSIGNED)
            | Q(re_reviewer=staff, status=ReviewStatus.CHECKED)
        )
    return reviews.order_by("-submitted_at", "-pk")


def review_get(*, user, pk: int) -> Review:
    return (
        _scoped(user)
        .select_related("case__party", "case__agency", "reviewer", "re_reviewer", "submitted_by")
        .get(pk=pk)
    )


def overdue_watch(*, user, today: dt.date) -> list[Review]:
    """For the supervisor: open reviews of every agency due within two days or overdue."""
    if not user.has_perm("org.view_all_agencies"):
        return []
    return list(
        Review.objects.filter(
            status__in=ACTIVE, due_on__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
        )
        .select_related("case", "agency")
        .order_by("due_on", "pk")
    )


def awaiting(*, user) -> list[Review]:
    """Reviews waiting for this user: as 审核人, as 复审人, or unassigned (法制科)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return []
    condition = Q(reviewer=staff, status=ReviewStatus.ASSIGNED) | Q(
        re_reviewer=staff, status=ReviewStatus.CHECKED
    )
    groups = set(user.groups.values_list("name", flat=True))
    if "法制审核人员" in groups:
        condition |= Q(status=ReviewStatus.SUBMITTED)
    # The handling unit answers an issued opinion; a leader coordinates a disagreement.
    condition |= Q(status=ReviewStatus.ISSUED, case__handlers=staff)
    if "局领导" in groups:
        condition |= Q(status=ReviewStatus.DISAGREED)
    return list(
        Review.objects.filter(condition, agency_id=staff.agency_id)
        .select_related("case")
        .order_by("due_on", "pk")
        .distinct()
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
        "discussions": case_discussions(case=case),
    }


def discussion_get(*, case, pk: int) -> Discussion | None:
    """A collective discussion of `case` (a case the caller may see: `cases.selectors.case_get`)."""
    return (
        Discussion.objects.filter(case=case, pk=pk)
        .select_related("case__agency", "case__party", "chair", "recorded_by__staff")
        .first()
    )


def case_discussions(*, case) -> list[Discussion]:
    return list(
        Discussion.objects.filter(case=case)
        .select_related("chair")
        .prefetch_related("attendees__staff")
    )


def rule_list(*, user) -> QuerySet[ReviewRule]:
    return ReviewRule.objects.filter(agency_id=_agency_id(user)).select_related("item")


def decision_citation(case) -> str:
    """The sentence a decision document cites its legal review and collective discussion with
    (处罚法 arts. 57, 58); empty when the case had neither."""
    from zhifa.core.documents import chinese_date

    parts = []
    passed = [r for r in Review.objects.filter(case=case).order_by("-round") if r.passed]
    if passed:
        parts.append(f"经法制审核（{passed[0].number}）")
    discussion = Discussion.objects.filter(case=case).order_by("-held_on", "-pk").first()
    if discussion is not None:
        parts.append(f"经本机关负责人于{chinese_date(discussion.held_on)}集体讨论")
    return f"本案{'，并'.join(parts)}。" if parts else ""
