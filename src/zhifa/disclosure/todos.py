"""待办 for the office: disclosure drafts due soon or overdue (P12: overdue ones flagged); for the
county supervisor (法制监督) the same list across every agency.

Opening 待办 also runs the draft sweep for the user's agency, so a decision made a moment ago
has its draft before the minute's periodic sweep."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from zhifa.core.calendar import working_days_between
from zhifa.core.todo import TodoItem
from zhifa.disclosure import permissions
from zhifa.disclosure.models import Disclosure, Status

SOON = 2  # working days


def due_drafts(*, today: dt.date, agency_id: int | None = None) -> list[tuple[Disclosure, int]]:
    """Drafts (awaiting review or publication) due within SOON working days or overdue, with
    the working days left (negative: overdue), most urgent first. Every agency when
    `agency_id` is None (the supervisor's view); the caller decides who may see that."""
    rows = Disclosure.objects.filter(status__in=[Status.DRAFT, Status.REVIEWED]).select_related(
        "agency"
    )
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    # 国办发〔2018〕118号: decisions are published within 7 working days; the due date is
    # stored, so only rows due within SOON working days (at most SOON*2+4 calendar days
    # away, weekends and holidays included) need the calendar.
    rows = rows.filter(due_on__lte=today + dt.timedelta(days=SOON * 2 + 14)).order_by(
        "due_on", "pk"
    )
    result = []
    for d in rows:
        left = working_days_between(today, d.due_on)
        if left <= SOON:
            result.append((d, left))
    return result


def _detail(left: int) -> str:
    if left < 0:
        return f"已超过公示期限{-left}个工作日，请尽快办理。"
    return f"距公示期限还有{left}个工作日（国办发〔2018〕118号：7个工作日）。"


def disclosure_todos(user) -> list[TodoItem]:
    from zhifa.disclosure.services import disclosure_sync
    from zhifa.org.permissions import can_view_all_agencies
    from zhifa.org.selectors import own_agency_id

    today = timezone.localdate()
    if permissions.can_view(user) and can_view_all_agencies(user):
        # The county supervisor watches every agency's drafts (read only).
        return [
            TodoItem(
                title=f"公示{'已超期' if left < 0 else '即将到期'}：{d.agency.name} "
                f"{d.fields.get('document_number', '')}",
                url=reverse("disclosure:manage_detail", args=[d.pk]),
                detail=_detail(left),
                level="danger" if left < 0 else "warning",
                due=d.due_on,
            )
            for d, left in due_drafts(today=today)
        ]
    if not (permissions.can_review(user) or permissions.can_publish(user)):
        return []
    agency_id = own_agency_id(user)
    if agency_id is None:
        return []
    disclosure_sync(agency_id=agency_id)
    items = []
    for d, left in due_drafts(today=today, agency_id=agency_id):
        number = d.fields.get("document_number", "")
        what = "保密审查" if d.status == Status.DRAFT else "批准发布"
        items.append(
            TodoItem(
                title=f"公示{what}：{number}",
                url=reverse("disclosure:manage_detail", args=[d.pk]),
                detail=_detail(left),
                level="danger" if left < 0 else "warning",
                due=d.due_on,
            )
        )
    return items
