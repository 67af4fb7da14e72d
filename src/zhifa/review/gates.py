"""The gate's answers from the review app: `zhifa.cases.gates` asks these (imported inside its
functions, so that cases never imports review at module import time)."""

from __future__ import annotations

from zhifa.review.models import Coordination, Discussion, Review
from zhifa.review.rules import Requirement, review_requirement

REVIEW_STEP = "legal_review"
HEARING_STEP = "hearing"


def current_entry(case) -> int | None:
    """The step record of the case's latest move into the legal-review step."""
    from zhifa.cases.models import CaseStepRecord

    return (
        CaseStepRecord.objects.filter(case=case, to_step=REVIEW_STEP)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )


def review_passed(case) -> bool:
    """The review of the case's latest entry into legal review has passed, and no hearing
    was held after it (处罚法 art. 58: a hearing calls for review after it)."""
    from zhifa.cases.models import CaseStepRecord

    entry = current_entry(case)
    if entry is None:
        return False
    hearing = (
        CaseStepRecord.objects.filter(case=case, from_step=HEARING_STEP)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    if hearing is not None and hearing > entry:
        return False
    review = Review.objects.filter(case=case, entry_record=entry).order_by("-round").first()
    if review is None:
        return False
    if review.coordination == Coordination.DISCUSSION:
        return discussion_held(case)  # the leaders' collective discussion decides (L8)
    return review.passed


def discussion_required(case, requirement: Requirement | None = None) -> tuple[bool, str]:
    requirement = requirement or review_requirement(case)
    if requirement.discussion_required:
        names = "、".join(m.name for m in requirement.matches if m.discussion)
        return True, f"审核目录清单要求集体讨论（{names}）"
    if Review.objects.filter(case=case, coordination=Coordination.DISCUSSION).exists():
        return True, "法制审核意见分歧经负责人协调提交集体讨论"
    return False, ""


def discussion_held(case) -> bool:
    coordinated = (
        Review.objects.filter(case=case, coordination=Coordination.DISCUSSION)
        .order_by("-coordinated_at")
        .values_list("coordinated_at", flat=True)
        .first()
    )
    discussions = Discussion.objects.filter(case=case)
    if coordinated is not None:
        discussions = discussions.filter(recorded_at__gte=coordinated)
    return discussions.exists()
