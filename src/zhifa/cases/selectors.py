"""Reads of cases, always scoped to the caller's agency (org.selectors.scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhifa.cases.clocks import DUE_SOON_DAYS, CaseClock, case_clocks
from zhifa.cases.models import Case, CaseStatus
from zhifa.catalog.models import FlowStep
from zhifa.org.roles import Role
from zhifa.org.selectors import scope


def case_list(*, user, status: str = "", kind: str = "", query: str = "") -> QuerySet[Case]:
    cases = scope(Case.objects.select_related("party", "agency", "flow", "item_version"), user)
    if status:
        cases = cases.filter(status=status)
    if kind:
        cases = cases.filter(kind=kind)
    query = query.strip()
    if query:
        cases = cases.filter(
            Q(number__icontains=query)
            | Q(decision_number__icontains=query)
            | Q(party__name__icontains=query)
            | Q(title__icontains=query)
        )
    return cases


def case_get(*, user, pk: int) -> Case:
    """The case, or Case.DoesNotExist when outside the caller's scope (a 404)."""
    return case_list(user=user).get(pk=pk)


@dataclass(frozen=True)
class ClockAlert:
    case: Case
    clock: CaseClock
    state: str


def clock_alerts(
    *, user, today: dt.date, within_days: int = DUE_SOON_DAYS, mine_only: bool = False
) -> list[ClockAlert]:
    """Due-soon and overdue clocks of the open cases the user may see (for 待办 and unit
    heads' lists). Expired party windows are not alerts."""
    cases = case_list(user=user, status=CaseStatus.OPEN)
    if mine_only:
        cases = cases.filter(handlers__user=user).distinct()
    alerts = []
    for case in cases:
        for clock in case_clocks(case):
            state = clock.state(today, soon=within_days)
            if state in ("overdue", "due_soon"):
                alerts.append(ClockAlert(case, clock, state))
    return sorted(alerts, key=lambda a: (a.state != "overdue", a.clock.due, a.case.pk))


def cases_awaiting(*, user) -> QuerySet[Case]:
    """Open cases of the user's agency whose current step the user may act on: steps for the
    user's roles on cases they handle, and approval steps (no officer role) for heads and
    leaders of the agency."""
    roles = [group.name for group in user.groups.all()]
    if not roles:
        return Case.objects.none()
    steps = [
        (s.flow_id, s.code)
        for s in FlowStep.objects.all().only("flow_id", "code", "roles")
        if set(s.roles) & set(roles)
    ]
    if not steps:
        return Case.objects.none()
    match = Q()
    for flow_id, code in steps:
        match |= Q(flow_id=flow_id, step=code)
    cases = case_list(user=user).exclude(status=CaseStatus.ARCHIVED).filter(match)
    approver = {Role.UNIT_HEAD.value, Role.LEADER.value} & set(roles)
    if not approver:  # officers see the cases they handle
        cases = cases.filter(handlers__user=user).distinct()
    return cases
