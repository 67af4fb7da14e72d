"""Reviews awaiting the user on the 待办 page; due-soon and overdue ones highlighted."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from zhifa.core.todo import TodoItem


def review_todos(user) -> list[TodoItem]:
    from zhifa.review import permissions, selectors

    if not user.is_authenticated or not permissions.can_view_reviews(user):
        return []
    today = timezone.localdate()
    items = []
    for review in selectors.awaiting(user=user):
        level = selectors.urgency(review, today)
        state = {"danger": "已超期", "warning": "即将到期"}.get(level, "")
        items.append(
            TodoItem(
                title=f"法制审核：{review.case.number}{review.case.title}",
                url=reverse("review:detail", args=[review.pk]),
                detail=f"第{review.round}轮，{review.get_status_display()}，"
                f"审核期限{review.due_on:%Y-%m-%d}{('（' + state + '）') if state else ''}",
                level=level,
                due=review.due_on,
            )
        )
    for review in selectors.overdue_watch(user=user, today=today):
        level = selectors.urgency(review, today)
        items.append(
            TodoItem(
                title=f"法制审核{'已超期' if level == 'danger' else '即将到期'}："
                f"{review.agency.name} {review.case.number}",
                url=reverse("review:detail", args=[review.pk]),
                detail=f"审核期限{review.due_on:%Y-%m-%d}，{review.get_status_display()}",
                level=level,
                due=review.due_on,
            )
        )
    return items
