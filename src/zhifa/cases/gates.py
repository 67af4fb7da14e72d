"""The legal-review gate (重大执法决定法制审核, 处罚法 art. 58; 118号).

`case_decide` and `licence_decide` ask `review_gate(case)` before a decision is made. Today the
gate decides from the case's flags and the step history; the `review` app (next issue) will
replace `_review_passed` with its numbered opinions and add the agency's 审核目录清单.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from zhifa.cases.models import Case, CaseStepRecord

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
    reasons = []
    if case.major_public_interest:
        reasons.append("涉及重大公共利益（处罚法第五十八条第一款第（一）项）")
    if case.major_social_impact:
        reasons.append("重大社会影响（118号）")
    if case.hearing_held:
        reasons.append("经过听证程序（处罚法第五十八条第一款第（二）项）")
    if case.complex_case:
        reasons.append("案件情况疑难复杂、涉及多个法律关系（处罚法第五十八条第一款第（三）项）")
    return tuple(reasons)


def _review_passed(case: Case) -> bool:
    """A move out of the legal-review step onward (not back to investigation) after the last
    time the case entered that step."""
    records = CaseStepRecord.objects.filter(
        Q(from_step=REVIEW_STEP) | Q(to_step=REVIEW_STEP), case=case
    ).order_by("pk")
    passed = False
    for record in records:
        if record.to_step == REVIEW_STEP:
            passed = False
        elif record.to_step not in ("investigate", "review"):
            passed = True
    return passed


def review_gate(case: Case) -> GateResult:
    reasons = review_reasons(case)
    if not reasons:
        return GateResult(required=False, passed=True)
    return GateResult(required=True, passed=_review_passed(case), reasons=reasons)
