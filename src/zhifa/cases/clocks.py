"""Statutory clocks (法定期限) of a case, computed from its dates with `core.calendar`.

Each clock says its start, length, whether it counts working or calendar days, its due date
(provisional when a year on the way has no official holiday schedule), the article it comes
from and when it was met. Nothing here writes; a clock running out is shown and listed, it
never blocks a step by itself (e.g. 处罚法 art. 60's 90 days is a duty of the agency, and a late
decision is still a decision).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

from zhifa.cases.models import Case, CaseKind, Outcome, PaymentMethod, Procedure
from zhifa.cases.penalties import PAYMENT_DAYS
from zhifa.core.calendar import calendar_deadline, working_deadline

Unit = Literal["working", "calendar"]
# duty: the agency must act by the due date; window: a period the party has (it expires,
# it is never "overdue"); party: the party must act (overdue means 加处罚款 runs).
ClockKind = Literal["duty", "window", "party"]
State = Literal["met", "overdue", "due_soon", "running", "expired"]

DUE_SOON_DAYS = 3

# Periods, each with its article. 处罚法 art. 85: only 2, 3, 5, 7 days are working days;
# 许可法 art. 82: every licence period is in working days.
FILING_DAYS = 15  # 处罚法 art. 54 ("promptly"); 15 working days is market-regulation practice
DECISION_DAYS = 90  # 处罚法 art. 60, calendar days from 立案
# 处罚法 art. 60 lets laws, regulations and rules provide otherwise; the sector rules allow the
# 90 days to be extended once by 30 calendar days with the head's approval (configurable
# default, `services.case_extension_decide`).
DECISION_EXTENSION_DAYS = 30
RIGHTS_DAYS = 5  # 处罚法 arts. 44, 45, 64: 陈述申辩 and hearing request, working days
HEARING_NOTICE_DAYS = 7  # 处罚法 arts. 64(2), 85: hearing notice 7 working days before
SERVICE_DAYS = 7  # 处罚法 art. 61, working days from the decision
CORRECTION_DAYS = 5  # 许可法 art. 32(4), working days from receipt
LICENCE_DECISION_DAYS = 20  # 许可法 art. 42, working days from acceptance
LICENCE_EXTENSION_DAYS = 10  # 许可法 art. 42, with the head's approval and a reason
LICENCE_SERVICE_DAYS = 10  # 许可法 art. 44, working days from the decision
# 处罚法 arts. 71, 85: cash collected on the spot goes to the agency within 2 working days of
# its collection (on water: of landing, not modelled: the collection date is used), and the
# agency pays it into the designated bank within 2 working days of receiving it.
CASH_HANDOVER_DAYS = 2
CASH_BANKING_DAYS = 2
CASH_HANDOVER, CASH_BANKING = "cash_handover", "cash_banking"


@dataclass(frozen=True)
class CaseClock:
    key: str
    label: str
    start: dt.date
    days: int
    unit: Unit
    due: dt.date
    provisional: bool
    basis: str
    kind: ClockKind = "duty"
    met_on: dt.date | None = None

    def state(self, today: dt.date, *, soon: int = DUE_SOON_DAYS) -> State:
        if self.met_on is not None:
            return "met"
        if today > self.due:
            return "expired" if self.kind == "window" else "overdue"
        if (self.due - today).days <= soon:
            return "due_soon"
        return "running"

    @property
    def period_label(self) -> str:
        return f"{self.days}个工作日" if self.unit == "working" else f"{self.days}日"


def _clock(
    key: str,
    label: str,
    start: dt.date,
    days: int,
    unit: Unit,
    basis: str,
    *,
    kind: ClockKind = "duty",
    met_on: dt.date | None = None,
) -> CaseClock:
    deadline = (
        working_deadline(start, days) if unit == "working" else calendar_deadline(start, days)
    )
    return CaseClock(
        key, label, start, days, unit, deadline.due, deadline.provisional, basis, kind, met_on
    )


def rights_deadline(notified_on: dt.date) -> dt.date:
    """The last day to 陈述、申辩 and to request a hearing (处罚法 arts. 44, 45, 64, 85)."""
    return working_deadline(notified_on, RIGHTS_DAYS).due


def earliest_hearing_day(notice_served_on: dt.date) -> dt.date:
    """The first day a hearing may be held after its notice was served: the notice must reach
    the party 7 working days before the hearing (处罚法 arts. 64(2), 85)."""
    return working_deadline(notice_served_on, HEARING_NOTICE_DAYS).due


def correction_deadline(received_on: dt.date) -> dt.date:
    """许可法 art. 32(4): tell the applicant everything to correct within 5 working days."""
    return working_deadline(received_on, CORRECTION_DAYS).due


def cash_handover_due(collected_on: dt.date) -> dt.date:
    """The last day to hand cash collected on `collected_on` to the agency (处罚法 arts. 71,
    85: 2 working days, the collection day not counted)."""
    return working_deadline(collected_on, CASH_HANDOVER_DAYS).due


def cash_banking_due(received_on: dt.date) -> dt.date:
    """The last day for the agency to pay cash it received on `received_on` into the
    designated bank (处罚法 arts. 71, 85: 2 working days)."""
    return working_deadline(received_on, CASH_BANKING_DAYS).due


def cash_clocks(case: Case) -> list[CaseClock]:
    """交至行政机关 and 缴付银行 of cash collected on the spot (处罚法 art. 71); the banking
    clock starts when the agency received the cash. Uses the case's cached `cash_collection`
    (selectors load it with the case)."""
    cash = getattr(case, "cash_collection", None)
    if cash is None:
        return []
    clocks = [
        _clock(
            CASH_HANDOVER,
            "当场收缴的罚款交至行政机关",
            cash.collected_on,
            CASH_HANDOVER_DAYS,
            "working",
            "处罚法第七十一条、第八十五条",
            met_on=cash.handed_over_on,
        )
    ]
    if cash.handed_over_on:
        clocks.append(
            _clock(
                CASH_BANKING,
                "当场收缴的罚款缴付指定银行",
                cash.handed_over_on,
                CASH_BANKING_DAYS,
                "working",
                "处罚法第七十一条、第八十五条",
                met_on=cash.banked_on,
            )
        )
    return clocks


def licence_decision_days(case: Case) -> int:
    return LICENCE_DECISION_DAYS + (LICENCE_EXTENSION_DAYS if case.extended else 0)


def penalty_decision_days(case: Case) -> int:
    """处罚法 art. 60: 90 calendar days from 立案, +30 once an extension is approved."""
    return DECISION_DAYS + (DECISION_EXTENSION_DAYS if case.extended else 0)


def decision_due(filed_on: dt.date, days: int = DECISION_DAYS) -> dt.date:
    """The last day to decide a penalty case filed on `filed_on` (处罚法 arts. 60, 85:
    calendar days)."""
    return calendar_deadline(filed_on, days).due


def penalty_clocks(case: Case) -> list[CaseClock]:
    clocks: list[CaseClock] = []
    if case.procedure == Procedure.ORDINARY:
        clocks.append(
            _clock(
                "filing",
                "决定是否立案",
                case.registered_on,
                FILING_DAYS,
                "working",
                "处罚法第五十四条（期限按市场监管领域做法，可配置）",
                met_on=case.filed_on
                or (case.decided_on if case.outcome == Outcome.NOT_FILED else None),
            )
        )
        if case.filed_on:
            clocks.append(
                _clock(
                    "decision",
                    "作出处罚决定" + ("（已延长）" if case.extended else ""),
                    case.filed_on,
                    penalty_decision_days(case),
                    "calendar",
                    "处罚法第六十条" + ("（经负责人批准延长）" if case.extended else ""),
                    met_on=case.decided_on,
                )
            )
        if case.notified_on:
            clocks.append(
                _clock(
                    "rights",
                    "陈述申辩、申请听证期限",
                    case.notified_on,
                    RIGHTS_DAYS,
                    "working",
                    "处罚法第四十四条、第四十五条、第六十四条",
                    kind="window",
                    met_on=case.rights_waived_on,
                )
            )
        if case.decided_on and case.outcome in (Outcome.PENALTY, Outcome.NO_PENALTY):
            clocks.append(
                _clock(
                    "service",
                    "送达决定书",
                    case.decided_on,
                    SERVICE_DAYS,
                    "working",
                    "处罚法第六十一条",
                    met_on=case.served_on,
                )
            )
    payable_from = case.served_on if case.procedure == Procedure.ORDINARY else case.decided_on
    if payable_from and case.fine_amount and case.outcome == Outcome.PENALTY:
        clocks.append(
            _clock(
                "payment",
                "缴纳罚款",
                payable_from,
                PAYMENT_DAYS,
                "calendar",
                "处罚法第六十七条（逾期每日加处罚款3%，第七十二条）",
                kind="party",
                met_on=case.paid_on,
            )
        )
    if case.payment_method == PaymentMethod.CASH:
        clocks.extend(cash_clocks(case))
    return clocks


def licence_clocks(case: Case) -> list[CaseClock]:
    clocks = [
        _clock(
            "correction",
            "受理或一次性告知补正",
            case.registered_on,
            CORRECTION_DAYS,
            "working",
            "许可法第三十二条（逾期不告知的，自收到申请材料之日起即为受理）",
            met_on=case.correction_notified_on
            or case.filed_on
            or (case.decided_on if case.outcome == Outcome.NOT_ACCEPTED else None),
        )
    ]
    if case.filed_on:
        clocks.append(
            _clock(
                "decision",
                "作出许可决定" + ("（已延长）" if case.extended else ""),
                case.filed_on,
                licence_decision_days(case),
                "working",
                "许可法第四十二条、第四十五条",
                met_on=case.decided_on,
            )
        )
    if case.decided_on and case.outcome in (Outcome.GRANTED, Outcome.REFUSED):
        clocks.append(
            _clock(
                "service",
                "颁发、送达许可证件或决定书",
                case.decided_on,
                LICENCE_SERVICE_DAYS,
                "working",
                "许可法第四十四条",
                met_on=case.served_on,
            )
        )
    return clocks


# --- 追责时效 (处罚法 art. 36) -------------------------------------------------------------

# 处罚法 art. 36: a violation not discovered within 2 years is no longer penalised; 5 years
# where it concerned citizens' life and health or financial safety and had harmful
# consequences ("法律另有规定的除外": a special law's own period is not modelled here). The
# period runs from the day the violation occurred or, if it was continuing (连续或者继续状态),
# from the day that state ended.
LIMITATION_YEARS = 2
LIMITATION_YEARS_SERIOUS = 5


def limitation_years(serious: bool) -> int:
    return LIMITATION_YEARS_SERIOUS if serious else LIMITATION_YEARS


def _add_years(day: dt.date, years: int) -> dt.date:
    """The same month and day `years` later; 29 February becomes 28 February in a common year
    (民法典 arts. 200-202: a period in years ends on the corresponding day of its last year,
    or on the last day of that month when there is no corresponding day)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February -> common year
        return day.replace(year=day.year + years, day=28)


def limitation_start(occurred_on: dt.date, ended_on: dt.date | None = None) -> dt.date:
    """The day the period starts: the end of a continuing violation, else its occurrence."""
    return ended_on if ended_on is not None else occurred_on


def limitation_ends(
    occurred_on: dt.date, ended_on: dt.date | None = None, serious: bool = False
) -> dt.date:
    """The last day on which the violation can still be discovered (处罚法 art. 36). Not
    moved off holidays: the period limits when a violation may be found, it is not a time
    for anyone to act (处罚法 art. 85 governs periods counted in days)."""
    return _add_years(limitation_start(occurred_on, ended_on), limitation_years(serious))


def time_barred(
    occurred_on: dt.date,
    discovered_on: dt.date,
    ended_on: dt.date | None = None,
    serious: bool = False,
    *,
    continuing: bool = False,
) -> bool:
    """Whether a violation discovered on `discovered_on` can no longer be penalised
    (处罚法 art. 36). A continuing violation whose state had not ended (no `ended_on`) when
    it was discovered is within time: its period has not started."""
    if continuing and ended_on is None:
        return False
    return discovered_on > limitation_ends(occurred_on, ended_on, serious)


@dataclass(frozen=True)
class Limitation:
    """The 追责时效 of a penalty case as the case page shows it."""

    occurred_on: dt.date
    continuing: bool
    ended_on: dt.date | None
    serious: bool
    discovered_on: dt.date
    years: int
    ends: dt.date | None  # None: a continuing violation not ended yet, the period not started
    barred: bool


def case_limitation(case: Case) -> Limitation | None:
    """The case's 追责时效, or None when it is not a penalty case or its violation date was
    not recorded (old cases)."""
    if case.kind != CaseKind.PENALTY or case.violation_on is None:
        return None
    ended = case.violation_ended_on if case.violation_continuing else None
    open_ended = case.violation_continuing and ended is None
    return Limitation(
        occurred_on=case.violation_on,
        continuing=case.violation_continuing,
        ended_on=ended,
        serious=case.harms_safety,
        discovered_on=case.registered_on,
        years=limitation_years(case.harms_safety),
        ends=None if open_ended else limitation_ends(case.violation_on, ended, case.harms_safety),
        barred=time_barred(
            case.violation_on,
            case.registered_on,
            ended,
            case.harms_safety,
            continuing=case.violation_continuing,
        ),
    )


def case_clocks(case: Case) -> list[CaseClock]:
    if case.kind == CaseKind.LICENCE:
        return licence_clocks(case)
    return penalty_clocks(case)
