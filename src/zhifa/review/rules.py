"""Which cases need legal review (L5, L7, L9): the statutory reasons (处罚法 art. 58, 118号)
plus the agency's 审核目录清单 (`ReviewRule`) and its "every ordinary decision" setting."""

from __future__ import annotations

from dataclasses import dataclass

from zhifa.review.models import ReviewRule, ReviewSettings


@dataclass(frozen=True)
class Match:
    name: str
    basis: str
    rule_id: int | None = None  # None: a statutory reason or the agency's setting
    discussion: bool = False  # the rule also requires collective discussion


@dataclass(frozen=True)
class Requirement:
    required: bool
    matches: tuple[Match, ...] = ()
    discussion_required: bool = False

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(f"{m.name}（{m.basis}）" for m in self.matches)


# Reasons the law itself gives (处罚法 art. 58; 118号): case flag, reason, basis.
STATUTORY = (
    ("major_public_interest", "涉及重大公共利益", "处罚法第五十八条第一款第（一）项"),
    ("major_social_impact", "重大社会影响", "118号"),
    ("hearing_held", "经过听证程序", "处罚法第五十八条第一款第（二）项"),
    ("complex_case", "案件情况疑难复杂、涉及多个法律关系", "处罚法第五十八条第一款第（三）项"),
)


def settings_for(agency_id: int) -> ReviewSettings:
    """The agency's settings; defaults (unsaved) when it has none yet."""
    found = ReviewSettings.objects.filter(agency_id=agency_id).first()
    return found or ReviewSettings(agency_id=agency_id)


def rule_matches(rule: ReviewRule, case) -> bool:
    """Every condition the rule sets holds for the case."""
    if rule.case_kind and rule.case_kind != case.kind:
        return False
    if rule.item_id and case.item_version.item_id != rule.item_id:
        return False
    if rule.penalty_types and not set(rule.penalty_types) & set(case.penalty_types or []):
        return False
    if rule.threshold_person is not None or rule.threshold_organisation is not None:
        from zhifa.cases.models import PartyKind

        person = case.party.kind == PartyKind.PERSON
        threshold = rule.threshold_person if person else rule.threshold_organisation
        amount = max(case.fine_amount or 0, case.confiscation_amount or 0)
        if threshold is None or amount < threshold:
            return False
    if rule.hearing_held and not case.hearing_held:
        return False
    return all(getattr(case, flag) for flag in ReviewRule.FLAGS if getattr(rule, flag))


def review_requirement(case) -> Requirement:
    """Whether `case` needs legal review, why (each match with its basis), and whether it must
    also go to collective discussion."""
    from zhifa.cases.models import Procedure

    matches = [Match(name, basis) for flag, name, basis in STATUTORY if getattr(case, flag)]
    discussion = False
    if case.procedure != Procedure.SIMPLE and settings_for(case.agency_id).all_ordinary:
        matches.append(Match("简易程序以外的决定一律审核", "本机关法制审核设置"))
    for rule in ReviewRule.objects.filter(agency_id=case.agency_id, active=True):
        if rule_matches(rule, case):
            matches.append(Match(rule.name, rule.basis, rule.pk, rule.requires_discussion))
            discussion = discussion or rule.requires_discussion
    return Requirement(bool(matches), tuple(matches), discussion)
