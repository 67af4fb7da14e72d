"""The legal-review gate (重大执法决定法制审核, 处罚法 art. 58; 118号) and the collective-
discussion gate (集体讨论, art. 57; L9).

`case_decide`, `licence_decide` and every move into a guarded step ask `review_gate(case)`;
decisions (and moves into 决定) also ask `discussion_gate(case)`. The answers come from the
`review` app: whether review is required (statutory reasons, the agency's 审核目录清单 and its
settings, `zhifa.review.rules.review_requirement`) and whether a review of the case's current
round has passed (an accepted 同意 / 修改后同意 opinion, or the head's coordination). The
review app is imported inside the functions: cases must not import it at module import time.
"""

from __future__ import annotations

from dataclasses import dataclass

from zhifa.cases.models import Case

REVIEW_STEP = "legal_review"


@dataclass(frozen=True)
class GateResult:
    required: bool
    passed: bool
    reasons: tuple[str, ...] = ()

    @property
    def blocks(self) -> bool:
        return self.required and not self.passed


def review_reasons(case: Case) -> tuple[str, ...]:
    """Why a legal review is mandatory for this case (empty: not required)."""
    from zhifa.review.rules import review_requirement

    return review_requirement(case).reasons


def review_gate(case: Case) -> GateResult:
    from zhifa.review.gates import review_passed
    from zhifa.review.rules import review_requirement

    requirement = review_requirement(case)
    if not requirement.required:
        return GateResult(required=False, passed=True)
    return GateResult(required=True, passed=review_passed(case), reasons=requirement.reasons)


def discussion_gate(case: Case) -> GateResult:
    from zhifa.review.gates import discussion_held, discussion_required

    required, reason = discussion_required(case)
    if not required:
        return GateResult(required=False, passed=True)
    return GateResult(required=True, passed=discussion_held(case), reasons=(reason,))
