"""待办 for the office: disclosure drafts due soon or overdue (P12: overdue ones flagged).

Opening 待办 also runs the draft sweep for the user's agency, so a decision made a moment ago
has its draft before the minute's periodic sweep."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from zhifa.core.calendar import working_days_between
from zhifa.core.todo import TodoItem
from zhifa.disclosure import permissions
from zhifa.disclosure.models import Disclosure, Status

SOON = 2  # working days


def disclosure_todos(user) -> list[TodoItem]:
    from zhifa.disclosure.services import disclosure_sync
    from zhifa.org.selectors import own_agency_id

    if not (permissions.can_review(user) or permissions.can_publish(user)):
        return []
    agency_id = own_agency_id(user)
    if agency_id is None:
        return []
    disclosure_sync(agency_id=agency_id)
    today = timezone.localdate()
    items = []
    rows = Disclosure.objects.filter(
        agency_id=agency_id, status__in=[Status.DRAFT, Status.REVIEWED]
    ).order_by("due_on")
    for d in rows:
        left = working_days_between(today, d.due_on)
        if left > SOON:
            continue
        number = d.fields.get("document_number", "")
        what = "保密审查" if d.status == Status.DRAFT else "批准发布"
        items.append(
            TodoItem(
                title=f"公示{what}：{number}",
                url=reverse("disclosure:manage_detail", args=[d.pk]),
                detail=(
                    f"已超过公示期限{-left}个工作日，请尽快办理。"
                    if left < 0
                    else f"距公示期限还有{left}个工作日（国办发〔2018〕118号：7个工作日）。"
                ),
                level="danger" if left < 0 else "warning",
                due=d.due_on,
            )
        )
    return items
