"""One authorisation rule per review page (CKAN style); the services check the rest (审核人,
复审人, handling unit, leader; the case's agency)."""

from __future__ import annotations

from zhifa.org.roles import Role

ACTING = {Role.OFFICER.value, Role.UNIT_HEAD.value, Role.LEADER.value, Role.REVIEWER.value}


def _staffed(user) -> bool:
    staff = getattr(user, "staff", None)
    return staff is not None and staff.is_active


def _roles(user) -> set[str]:
    return {g.name for g in user.groups.all()}


def can_view_reviews(user) -> bool:
    return user.has_perm("review.view_review") and _staffed(user)


def can_act(user) -> bool:
    """Submit, assign, review, accept / disagree, coordinate, record a discussion."""
    return _staffed(user) and bool(_roles(user) & ACTING)


def can_keep_rules(user) -> bool:
    """The 法制科 keeps the 审核目录清单 and the review settings."""
    return _staffed(user) and user.has_perm("review.change_reviewrule")


def can_view_rules(user) -> bool:
    return _staffed(user) and user.has_perm("review.view_reviewrule")
