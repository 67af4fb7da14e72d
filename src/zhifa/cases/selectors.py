"""Reads of cases, always scoped to the caller's agency (org.selectors.scope)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from zhifa import ledger
from zhifa.cases.clocks import (
    CASH_BANKING,
    CASH_HANDOVER,
    DUE_SOON_DAYS,
    CaseClock,
    case_clocks,
    cash_clocks,
)
from zhifa.cases.models import (
    AV_MEDIA,
    Case,
    CaseKind,
    CaseStatus,
    CashCollection,
    DecisionExtension,
    ExtensionStatus,
    HearingRecord,
    Party,
    Procedure,
    Recusal,
    RecusalStatus,
)
from zhifa.catalog.models import (
    EnforcementItem,
    EnforcementItemVersion,
    FlowStep,
    FlowTransition,
    VersionStatus,
)
from zhifa.core import calendar
from zhifa.ledger.models import Event
from zhifa.ledger.selectors import proven_events
from zhifa.ledger.services import subject_ref
from zhifa.org.models import Staff
from zhifa.org.roles import Role, role_names
from zhifa.org.selectors import scope


def case_list(*, user, status: str = "", kind: str = "", query: str = "") -> QuerySet[Case]:
    # cash_collection: the cash clocks (clocks.cash_clocks) read it without a query per case.
    cases = scope(
        Case.objects.select_related("party", "agency", "flow", "item_version", "cash_collection"),
        user,
    )
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
    roles = role_names(user)
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


# --- for the case pages --------------------------------------------------------------------


def party_options(*, user) -> QuerySet[Party]:
    """Parties of the user's own agency (a new case is always the user's agency's)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return Party.objects.none()
    return Party.objects.filter(agency_id=staff.agency_id).order_by("name", "pk")


def item_version_options(*, user, kind: str) -> QuerySet[EnforcementItemVersion]:
    """The approved current versions of the user's agency's items of `kind` (许可 / 处罚)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return EnforcementItemVersion.objects.none()
    current = EnforcementItem.objects.filter(agency_id=staff.agency_id).values("current_version_id")
    return (
        EnforcementItemVersion.objects.filter(
            pk__in=current, kind=kind, status=VersionStatus.APPROVED, flow__isnull=False
        )
        .select_related("item")
        .order_by("item__code")
    )


def handler_options(*, user) -> QuerySet[Staff]:
    """Active staff of the user's agency (承办人 candidates)."""
    staff = getattr(user, "staff", None)
    if staff is None:
        return Staff.objects.none()
    return Staff.objects.filter(agency_id=staff.agency_id, is_active=True).select_related("unit")


@dataclass(frozen=True)
class ClockView:
    clock: CaseClock
    state: str
    remaining: int  # working or calendar days from today to the due date (negative: past)


def clock_views(case: Case, *, today: dt.date) -> list[ClockView]:
    """The case's clocks with their state and the days left, in the clock's own unit."""
    views = []
    with calendar.year_cache():
        for clock in case_clocks(case):
            if clock.unit == "working":
                remaining = calendar.working_days_between(today, clock.due)
            else:
                remaining = (clock.due - today).days
            views.append(ClockView(clock, clock.state(today), remaining))
    return views


def list_alerts(cases: list[Case], *, today: dt.date) -> dict[int, str]:
    """For a page of cases: "overdue" / "due_soon" per case that has such a clock."""
    alerts: dict[int, str] = {}
    with calendar.year_cache():
        for case in cases:
            states = {clock.state(today) for clock in case_clocks(case)}
            if "overdue" in states:
                alerts[case.pk] = "overdue"
            elif "due_soon" in states:
                alerts[case.pk] = "due_soon"
    return alerts


def step_names(flow_ids: set[int]) -> dict[tuple[int, str], str]:
    steps = FlowStep.objects.filter(flow_id__in=flow_ids).only("flow_id", "code", "name")
    return {(s.flow_id, s.code): s.name for s in steps}


@dataclass(frozen=True)
class FlowProgress:
    step: FlowStep
    current: bool
    visited: bool


def flow_progress(case: Case) -> list[FlowProgress]:
    visited = {case.flow.steps.order_by("order").values_list("code", flat=True).first()}
    visited |= set(case.step_records.values_list("to_step", flat=True))
    return [
        FlowProgress(step, step.code == case.step, step.code in visited)
        for step in case.flow.steps.order_by("order")
    ]


# Moves owned by a service (services.OWNED's Chinese action name) -> the page action.
OWNER_ACTIONS = {
    "立案审批（予以立案）": "file",
    "作出决定": "decide",
    "送达": "serve",
    "结案": "close",
    "受理": "accept",
    "一次性告知补正": "correction",
    "不予受理": "not_accept",
    "许可决定": "licence_decide",
    "登记听证笔录": "hearing",
}


@dataclass(frozen=True)
class AvailableActions:
    actions: tuple[str, ...]  # keys of the case pages' action forms, in flow order
    advance_to: tuple[FlowTransition, ...]  # generic moves the user's roles allow


def available_actions(*, user, case: Case) -> AvailableActions:
    """What the user may do on the case now: derived from the flow's transitions out of the
    current step and the roles of the step that decides each move (the services check it
    all again, with the case's data)."""
    from zhifa.cases.services import OWNED

    staff = getattr(user, "staff", None)
    if staff is None or staff.agency_id != case.agency_id or case.status == CaseStatus.ARCHIVED:
        return AvailableActions((), ())
    roles = role_names(user)
    current = FlowStep.objects.get(flow=case.flow, code=case.step)
    actions: list[str] = []
    advance: list[FlowTransition] = []
    is_open = case.status == CaseStatus.OPEN

    def add(key: str) -> None:
        if key not in actions:
            actions.append(key)

    mine = bool(roles & set(current.roles))
    if is_open and case.kind == CaseKind.PENALTY:
        if case.step in ("report", "legal_review") and mine:
            add("propose")
        if case.step == "prior_notice" and mine:
            add("respond" if case.notified_on else "notify")
    for transition in current.outgoing.select_related("target").order_by("target__order"):
        target = transition.target
        deciding = target if target.is_branch else current
        if not is_open or not roles & set(deciding.roles):
            continue
        owner = OWNED.get((case.flow.code, current.code, target.code))
        if owner is None:
            advance.append(transition)
        elif owner in OWNER_ACTIONS:
            add(OWNER_ACTIONS[owner])
    owes = bool(case.fine_amount) and case.paid_on is None
    if is_open and case.step in ("execute", "onspot_pay") and mine and owes:
        add("payment")
    _add_cash_actions(case, roles, staff, add)
    if is_open and case.step == "serve" and mine:
        add("consent")
    if case.status == CaseStatus.CLOSED and case.step == "archive" and mine:
        add("archive")
    undecided = bool(case.filed_on) and not case.decided_on and not case.extended
    if is_open and case.kind == CaseKind.LICENCE and Role.LEADER.value in roles and undecided:
        add("extend")
    _add_extension_actions(user, case, roles, staff, add)
    _add_limitation_and_recusal_actions(user, case, roles, staff, add)
    heads = {Role.UNIT_HEAD.value, Role.LEADER.value}
    if is_open and case.step not in ("clue", "filing") and roles & heads:
        add("handlers")  # 立案审批 names the first handlers; re-assigning comes after
    if is_open:
        handles = case.handlers.filter(pk=staff.pk).exists()
        if handles or roles & {Role.UNIT_HEAD.value, Role.LEADER.value}:
            add("evidence")
        if Role.LEADER.value in roles and current.requires_av and not _has_av(case, case.step):
            add("av_exception")
    return AvailableActions(tuple(actions), tuple(advance))


def _add_cash_actions(case: Case, roles: set[str], staff, add) -> None:
    """处罚法 art. 71: a handler hands cash collected on the spot to the agency; the 办公室
    then pays it into the bank."""
    cash = getattr(case, "cash_collection", None) if case.payment_method == "cash" else None
    if cash is None or cash.banked_on is not None:
        return
    if cash.handed_over_on is None:
        if Role.OFFICER.value in roles and case.handlers.filter(pk=staff.pk).exists():
            add("cash_hand_over")
    elif Role.OFFICE.value in roles:
        add("cash_bank")


@dataclass(frozen=True)
class CashTodo:
    cash: CashCollection
    clock: CaseClock
    state: str


def _cash_todos(cash_rows, key: str, today: dt.date) -> list[CashTodo]:
    todos = []
    with calendar.year_cache():
        for cash in cash_rows:
            clock = next(c for c in cash_clocks(cash.case) if c.key == key)
            todos.append(CashTodo(cash, clock, clock.state(today)))
    return sorted(todos, key=lambda t: (t.state != "overdue", t.clock.due, t.cash.pk))


def cash_handovers_due(*, user, today: dt.date) -> list[CashTodo]:
    """Cash collected on the spot, not yet handed to the agency, on cases the user handles as
    an officer (处罚法 art. 71: within 2 working days), most urgent first."""
    roles = role_names(user)
    staff = getattr(user, "staff", None)
    if Role.OFFICER.value not in roles or staff is None:
        return []
    rows = (
        CashCollection.objects.filter(
            agency_id=staff.agency_id, handed_over_on__isnull=True, case__handlers=staff
        )
        .select_related("case", "case__party")
        .distinct()
    )
    return _cash_todos(rows, CASH_HANDOVER, today)


def cash_bankings_due(*, user, today: dt.date) -> list[CashTodo]:
    """Cash the agency received and has not paid into the bank yet, for its 办公室
    (处罚法 art. 71: within 2 working days of receiving it), most urgent first."""
    roles = role_names(user)
    staff = getattr(user, "staff", None)
    if Role.OFFICE.value not in roles or staff is None:
        return []
    rows = CashCollection.objects.filter(
        agency_id=staff.agency_id, handed_over_on__isnull=False, banked_on__isnull=True
    ).select_related("case", "case__party")
    return _cash_todos(rows, CASH_BANKING, today)


def _add_extension_actions(user, case: Case, roles: set[str], staff, add) -> None:
    """处罚法 art. 60: a handler (or unit head) may ask once to extend the 90-day decision
    deadline of an undecided ordinary penalty case; a 局领导 other than the requester answers."""
    undecided = (
        case.status == CaseStatus.OPEN
        and case.kind == CaseKind.PENALTY
        and case.procedure == Procedure.ORDINARY
        and case.filed_on is not None
        and case.decided_on is None
    )
    if not undecided:
        return
    pending = case.extensions.filter(status=ExtensionStatus.PENDING).first()
    if pending is None and not case.extended:
        handles = case.handlers.filter(pk=staff.pk).exists()
        if handles or Role.UNIT_HEAD.value in roles:
            add("extension_request")
    if pending is not None and Role.LEADER.value in roles and pending.requested_by_id != user.pk:
        add("extension_decide")


def _add_limitation_and_recusal_actions(user, case: Case, roles: set[str], staff, add) -> None:
    """处罚法 art. 36: the violation's dates are entered or corrected before 立案 (by a handler,
    a unit head or a leader). Art. 43: on an open penalty case a handler or head records a
    recusal application; a 局领导 decides one that does not name him."""
    if case.status != CaseStatus.OPEN or case.kind != CaseKind.PENALTY:
        return
    heads = {Role.UNIT_HEAD.value, Role.LEADER.value}
    handles = case.handlers.filter(pk=staff.pk).exists()
    acting = {Role.OFFICER.value, *heads} & roles
    ordinary = case.procedure == Procedure.ORDINARY
    if ordinary and case.step in ("clue", "filing") and acting and (handles or roles & heads):
        add("violation")
    if acting and (handles or roles & heads):
        add("recusal_apply")
    if Role.LEADER.value in roles and decidable_recusals(user=user, case=case).exists():
        add("recusal_decide")


def decidable_recusals(*, user, case: Case) -> QuerySet[Recusal]:
    """The case's pending recusals the user may decide: not the ones naming the user."""
    return (
        Recusal.objects.filter(case=case, status=RecusalStatus.PENDING)
        .exclude(handler__user=user)
        .select_related("handler", "requested_by__staff")
        .order_by("pk")
    )


def case_recusals(case: Case) -> list[Recusal]:
    """The case's recusals (回避), oldest first, for the case page."""
    return list(
        Recusal.objects.filter(case=case)
        .select_related("handler", "requested_by__staff", "decided_by__staff")
        .prefetch_related("replacements")
        .order_by("pk")
    )


def pending_recusals(*, user) -> QuerySet[Recusal]:
    """Recusals of the user's agency waiting for a 局领导's decision (处罚法 art. 43), for the
    leader's 待办; not those naming the leader."""
    roles = role_names(user)
    if Role.LEADER.value not in roles:
        return Recusal.objects.none()
    cases = case_list(user=user, status=CaseStatus.OPEN)
    return (
        Recusal.objects.filter(case__in=cases, status=RecusalStatus.PENDING)
        .exclude(handler__user=user)
        .select_related("case", "case__party", "handler")
        .order_by("requested_on", "pk")
    )


def pending_extension(case: Case) -> DecisionExtension | None:
    return case.extensions.filter(status=ExtensionStatus.PENDING).first()


def case_extensions(case: Case) -> list[DecisionExtension]:
    """The case's extension requests (延长处罚决定期限), oldest first, with who asked and who
    answered."""
    return list(
        case.extensions.select_related("requested_by__staff", "decided_by__staff").order_by("pk")
    )


def hearing_records(case: Case) -> list[HearingRecord]:
    """The case's 听证笔录, in the order held (for the case page and the legal-review
    package). The caller has already scoped `case` to the user."""
    return list(
        HearingRecord.objects.filter(case=case)
        .select_related("presider", "recorder")
        .order_by("held_at", "pk")
    )


def pending_extensions(*, user) -> QuerySet[DecisionExtension]:
    """Extension requests of the user's agency waiting for a 局领导 (not the requester)."""
    roles = role_names(user)
    if Role.LEADER.value not in roles:
        return DecisionExtension.objects.none()
    cases = case_list(user=user, status=CaseStatus.OPEN)
    return (
        DecisionExtension.objects.filter(case__in=cases, status=ExtensionStatus.PENDING)
        .exclude(requested_by=user)
        .select_related("case", "case__party", "requested_by__staff")
        .order_by("requested_on", "pk")
    )


def _has_av(case: Case, step: str) -> bool:
    if case.av_exceptions.filter(step=step).exists():
        return True
    return case.evidence.filter(step=step, media_kind__in=AV_MEDIA).exists()


# Ledger event kinds in Chinese, for the timeline.
EVENT_LABELS = {
    "case.registered": "登记案件",
    "case.step": "环节流转",
    "case.filed": "立案",
    "case.handlers_set": "指定承办人",
    "case.decision_proposed": "拟处罚意见",
    "case.notified": "事先告知",
    "case.party_response": "当事人陈述申辩或听证申请",
    "decision.made": "作出决定",
    "case.e_service_consent": "电子送达确认",
    "document.issued": "出具文书",
    "document.served": "送达",
    "case.payment_recorded": "缴纳罚款",
    "case.cash_handed_over": "当场收缴的罚款交至行政机关",
    "case.cash_banked": "当场收缴的罚款缴付银行",
    "case.closed": "结案",
    "case.archived": "归档",
    "case.av_exception_approved": "批准未音像记录理由",
    "evidence.attached": "添加证据",
    "evidence.added": "证据入库",
    "licence.applied": "收到许可申请",
    "licence.correction_requested": "一次性告知补正",
    "licence.accepted": "受理",
    "licence.not_accepted": "不予受理",
    "licence.extended": "延长决定期限",
    "hearing.recorded": "听证笔录",
    "case.extension_requested": "申请延长处罚决定期限",
    "case.extension_approved": "批准延长处罚决定期限",
    "case.extension_rejected": "不予批准延长处罚决定期限",
    "case.violation_recorded": "登记违法行为发生时间",
    "case.recusal_applied": "申请回避",
    "case.recusal_decided": "回避决定",
    "record.viewed": "查看",
    "review.submitted": "报送法制审核",
    "review.assigned": "分配审核人、复审人",
    "review.extended": "延长审核期限",
    "review.checked": "审核人提出审核意见",
    "review.opinion_issued": "出具法制审核意见书",
    "review.returned": "法制审核退回补充调查",
    "review.accepted": "采纳法制审核意见",
    "review.disagreement_recorded": "不采纳法制审核意见",
    "review.coordinated": "负责人协调审核分歧",
    "review.advice_requested": "征询法律顾问意见",
    "review.advice_answered": "法律顾问答复",
    "discussion.recorded": "集体讨论",
}


@dataclass(frozen=True)
class TimelineEntry:
    seq: int
    kind: str
    label: str
    actor: str
    time: dt.datetime
    leaf: str
    detail: str
    proven: bool  # re-hashed and proven under the latest signed checkpoint


def _detail(event: Event, names: dict[str, str]) -> str:
    p = event.payload
    parts = []
    if p.get("to"):
        source = p.get("from", "")
        parts.append(f"{names.get(source, source)} → {names.get(p['to'], p['to'])}")
    if event.kind == "case.filed" and p.get("number"):
        parts.append(f"编号：{p['number']}")
    for key, label in (
        ("decision_number", "文号"),
        ("review_number", "审核意见书"),
        ("reason", "理由"),
        ("reasons", "理由"),
        ("conclusion", "讨论决定"),
    ):
        if p.get(key):
            parts.append(f"{label}：{p[key]}")
    if event.kind == "case.recusal_decided":
        parts.append("决定回避" if p.get("granted") else "不予回避")
        if p.get("opinion"):
            parts.append(f"意见：{p['opinion']}")
    if p.get("receipt_number"):
        parts.append(f"当场收缴，票据号码：{p['receipt_number']}")
    if p.get("voucher_number"):
        parts.append(f"银行缴款凭证号：{p['voucher_number']}")
    if event.kind == "case.violation_recorded" and p.get("violation_on"):
        parts.append(f"违法行为发生日期：{p['violation_on']}")
    if p.get("sha256"):
        parts.append(f"SHA-256 {p['sha256'][:12]}…")
    return "；".join(parts)


def case_timeline(*, user, case: Case) -> tuple[list[TimelineEntry], int]:
    """The case's ledger events for users in scope (C10 views counted, not listed), each
    marked whether it is proven under the latest signed checkpoint."""
    if not ledger.can_view(user, case.agency_id):
        return [], 0
    ref, _ = subject_ref(case)
    events = list(Event.objects.filter(subject=ref).select_related("actor__staff").order_by("seq"))
    listed = [event for event in events if event.kind != "record.viewed"]
    proven = proven_events(listed).seqs
    names = {s.code: s.name for s in case.flow.steps.all()}
    entries = []
    for event in listed:
        actor = event.actor
        who = ""
        if actor is not None:
            staff = getattr(actor, "staff", None)
            who = staff.real_name if staff else actor.username
        entries.append(
            TimelineEntry(
                seq=event.seq,
                kind=event.kind,
                label=EVENT_LABELS.get(event.kind, event.kind),
                actor=who or "系统",
                time=event.time,
                leaf=bytes(event.leaf_hash).hex()[:16],
                detail=_detail(event, names),
                proven=event.seq in proven,
            )
        )
    return entries, len(events) - len(listed)


# --- 裁量基准 (118号) ---------------------------------------------------------------------


@dataclass(frozen=True)
class DiscretionView:
    """What the case page and the legal reviewer see of the 裁量基准 check (118号)."""

    chosen: bool  # False: the item publishes a 裁量基准 but no circumstance was chosen
    index: int = 0
    circumstance: str = ""
    penalty: str = ""
    base_text: str = ""  # e.g. 项目总投资额5000万元
    range_text: str = ""  # e.g. 2万元–5万元, or 不处罚款
    fine_text: str = ""
    within: bool = False
    departure: str = ""
    reason: str = ""

    @property
    def summary(self) -> str:
        """One line, e.g. for the reviewer's 裁量基准 item."""
        if not self.chosen:
            return "未选择适用的裁量基准情形。"
        head = (
            f"情形{self.index}“{self.circumstance}”，幅度{self.range_text}，"
            f"拟罚款{self.fine_text}："
        )
        if self.within:
            return head + "在裁量基准范围内。"
        return head + f"超出裁量基准（{self.departure}处罚，理由：{self.reason}）。"


def discretion_view(case: Case) -> DiscretionView | None:
    """The recorded 裁量基准 choice of a penalty case against its current fine; None when
    there is nothing to show (not an ordinary-procedure penalty, no proposal yet, or no
    裁量基准 for the item). The simple procedure (当场处罚) has no proposal step and is
    bounded by 处罚法 art. 51 instead."""
    from zhifa.catalog import discretion

    if case.kind != CaseKind.PENALTY or case.procedure == Procedure.SIMPLE:
        return None
    if not case.penalty_types:
        return None
    choice = case.discretion_choice or {}
    if not choice:
        return DiscretionView(chosen=False) if case.item_version.discretion else None
    fine = case.fine_amount
    allowed = discretion.FineRange(
        choice.get("low", 0), choice.get("high", 0), choice.get("fines", True)
    )
    base = choice.get("base")
    return DiscretionView(
        chosen=True,
        index=choice.get("index", 0),
        circumstance=choice.get("circumstance", ""),
        penalty=choice.get("penalty", ""),
        base_text=f"{choice.get('base_label', '')}{discretion.wan(base)}" if base else "",
        range_text=allowed.text(),
        fine_text=discretion.wan(fine) if fine else "不罚款",
        within=allowed.contains(fine),
        departure=choice.get("departure", ""),
        reason=choice.get("reason", ""),
    )
