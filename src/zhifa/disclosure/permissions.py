"""One authorisation rule per disclosure action (views and services both check them)."""

from __future__ import annotations


def can_view(user) -> bool:
    return user.has_perm("disclosure.view_disclosure")


def can_review(user) -> bool:
    """保密审查 (条例 art. 17): the second person's confidentiality review."""
    return user.has_perm("disclosure.review_disclosure")


def can_publish(user) -> bool:
    """Approve publication, correct or withdraw a published decision."""
    return user.has_perm("disclosure.publish_disclosure")
