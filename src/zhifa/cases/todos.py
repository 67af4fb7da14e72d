"""The cases' 待办 provider: cases awaiting the user's action and overdue or due-soon clocks.

Each item links to its case page.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from zhifa.cases.clocks import CASH_BANKING
from zhifa.core.todo import TodoItem
from zhifa.org.roles import Role, role_names


def _url(case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def case_todos(user) -> list[TodoItem]:
    from zhifa.cases.selectors import (
        cases_awaiting,
        cash_bankings_due,
        cash_handovers_due,
        clock_alerts,
        pending_extensions,
        pending_recusals,
    )
    from zhifa.catalog.models import FlowStep

    if not getattr(user, "is_authenticated", False) or getattr(user, "staff", None) is None:
        return []
    today = timezone.localdate()
    names = {(s.flow_id, s.code): s.name for s in FlowStep.objects.only("flow_id", "code", "name")}
    items = [
        TodoItem(
            title=f"{case.number or case.title}：{names.get((case.flow_id, case.step), case.step)}",
            url=_url(case),
            detail=f"{case.get_kind_display()} · 当事人：{case.party.name}",
        )
        for case in cases_awaiting(user=user).select_related("party")
    ]
    # 处罚法 art. 60: extension requests wait for a 局领导 other than the requester.
    for extension in pending_extensions(user=user):
        case = extension.case
        staff = getattr(extension.requested_by, "staff", None)
        items.append(
            TodoItem(
                title=f"{case.number or case.title}：审批延长作出处罚决定期限",
                url=_url(case),
                detail=f"申请人：{staff.real_name if staff else extension.requested_by.username}"
                f"，理由：{extension.reason}",
            )
        )
    # 处罚法 art. 43: recusals wait for the agency's head (not the handler they name).
    for recusal in pending_recusals(user=user):
        case = recusal.case
        items.append(
            TodoItem(
                title=f"{case.number or case.title}：作出回避决定",
                url=_url(case),
                detail=f"{recusal.get_kind_display()}：{recusal.handler.real_name}"
                f"，理由：{recusal.reason}",
            )
        )
    # 处罚法 art. 71: cash collected on the spot goes to the agency (the officer's 待办) and on
    # to the bank (the 办公室's), 2 working days each; listed while pending, urgent ones marked.
    listed: set[tuple[int, str]] = set()
    handovers = [("交至行政机关", t) for t in cash_handovers_due(user=user, today=today)]
    bankings = [("缴付指定银行", t) for t in cash_bankings_due(user=user, today=today)]
    for what, todo in handovers + bankings:
        case, clock = todo.cash.case, todo.clock
        listed.add((case.pk, clock.key))
        late = {"overdue": "（已逾期）", "due_soon": "（即将到期）"}.get(todo.state, "")
        items.append(
            TodoItem(
                title=f"{case.number or case.title}：当场收缴的罚款{what}{late}",
                url=_url(case),
                detail=f"票据号码{todo.cash.receipt_number}，{todo.cash.amount / 100:.2f}元；"
                f"期限{clock.period_label}（{clock.basis}），至{clock.due:%Y年%m月%d日}"
                + ("（暂定）" if clock.provisional else ""),
                level={"overdue": "danger", "due_soon": "warning"}.get(todo.state, "info"),
                due=clock.due,
            )
        )
    roles = role_names(user)
    heads = {Role.UNIT_HEAD.value, Role.LEADER.value}
    # Unit heads and leaders watch every clock of their agency; officers their own cases.
    for alert in clock_alerts(user=user, today=today, mine_only=not roles & heads):
        if (alert.case.pk, alert.clock.key) in listed:
            continue
        if alert.clock.key == CASH_BANKING and not roles & heads:
            continue  # the 办公室 banks the cash, not the handling officer
        overdue = alert.state == "overdue"
        items.append(
            TodoItem(
                title=f"{alert.case.number or alert.case.title}：{alert.clock.label}"
                + ("已逾期" if overdue else "即将到期"),
                url=_url(alert.case),
                detail=f"期限{alert.clock.period_label}（{alert.clock.basis}），"
                f"至{alert.clock.due:%Y年%m月%d日}"
                + ("（暂定）" if alert.clock.provisional else ""),
                level="danger" if overdue else "warning",
                due=alert.clock.due,
            )
        )
    return items
