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


def can_view_push(user) -> bool:
    """See push subscribers and their delivery log (P16)."""
    return user.has_perm("disclosure.view_subscriber")


def can_manage_push(user) -> bool:
    """Add, change or stop a subscriber, retry a failed delivery."""
    return user.has_perm("disclosure.change_subscriber")
