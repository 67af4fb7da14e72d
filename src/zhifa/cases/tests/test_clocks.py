"""Statutory clocks with calendar examples (2025 National Day: 1–8 October off, Sunday 28
September and Saturday 11 October worked), and 加处罚款."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.cases.clocks import case_clocks
from zhifa.cases.models import Case, CaseKind, Outcome, Procedure
from zhifa.cases.penalties import late_payment_surcharge, payment_deadline

D = dt.date


def clocks_of(**fields) -> dict:
    case = Case(**{"kind": CaseKind.PENALTY, "procedure": Procedure.ORDINARY, **fields})
    return {c.key: c for c in case_clocks(case)}


@pytest.mark.django_db
def test_penalty_clocks_across_national_day():
    clocks = clocks_of(
        registered_on=D(2025, 6, 20),
        filed_on=D(2025, 7, 3),
        notified_on=D(2025, 9, 30),
        decided_on=D(2025, 9, 26),
        outcome=Outcome.PENALTY,
        fine_amount=100_00,
    )
    decision = clocks["decision"]
    # 处罚法 art. 60: 90 calendar days end on 1 October, a holiday: rolled to 9 October.
    assert (decision.due, decision.unit, decision.basis) == (
        D(2025, 10, 9),
        "calendar",
        "处罚法第六十条",
    )
    assert decision.met_on == D(2025, 9, 26) and decision.state(D(2025, 12, 1)) == "met"
    # arts. 44, 64: 5 working days from 30 September: 9, 10, 11 (make-up Saturday), 13, 14 Oct.
    assert clocks["rights"].due == D(2025, 10, 14)
    assert clocks["rights"].state(D(2025, 10, 15)) == "expired"  # a window, never overdue
    # art. 61: 7 working days from 26 September, counting Sunday 28 September.
    assert clocks["service"].due == D(2025, 10, 13)
    assert clocks["service"].state(D(2025, 10, 14)) == "overdue"
    assert "payment" not in clocks  # not served yet
    assert not any(c.provisional for c in clocks.values())
    # art. 67: 15 calendar days from service end on 4 October (holiday): rolled to 9 October.
    clocks = clocks_of(
        registered_on=D(2025, 6, 20), filed_on=D(2025, 7, 3), decided_on=D(2025, 9, 18),
        outcome=Outcome.PENALTY, served_on=D(2025, 9, 19), fine_amount=100_00,
    )  # fmt: skip
    assert clocks["service"].state(D(2025, 12, 1)) == "met"
    assert clocks["payment"].due == D(2025, 10, 9) and clocks["payment"].kind == "party"
    assert not any(c.provisional for c in clocks.values())


@pytest.mark.django_db
def test_licence_clocks_and_extension():
    case = Case(
        kind=CaseKind.LICENCE,
        registered_on=D(2025, 9, 19),
        filed_on=D(2025, 9, 25),
        decided_on=D(2025, 9, 30),
        outcome=Outcome.GRANTED,
    )
    clocks = {c.key: c for c in case_clocks(case)}
    assert clocks["correction"].due == D(2025, 9, 26)  # 许可法 art. 32: 5 working days
    assert clocks["decision"].due == D(2025, 10, 29)  # art. 42: 20 working days
    assert clocks["service"].due == D(2025, 10, 21)  # art. 44: 10 working days
    case.extended = True
    case.decided_on = None
    clocks = {c.key: c for c in case_clocks(case)}
    assert clocks["decision"].due == D(2025, 11, 12) and clocks["decision"].days == 30
    assert clocks["decision"].state(D(2025, 11, 10)) == "due_soon"
    assert clocks["decision"].state(D(2025, 11, 1)) == "running"


@pytest.mark.django_db
def test_provisional_when_no_schedule():
    clocks = clocks_of(registered_on=D(2099, 3, 2))
    assert clocks["filing"].provisional


@pytest.mark.django_db
def test_payment_deadline():
    assert payment_deadline(D(2025, 9, 19)).due == D(2025, 10, 9)


def test_surcharge_examples():
    due = D(2025, 10, 9)
    assert late_payment_surcharge(100_00, due=due, paid_on=due) == 0
    assert late_payment_surcharge(100_00, due=due, paid_on=D(2025, 10, 10)) == 3_00
    assert late_payment_surcharge(100_00, due=due, paid_on=D(2025, 10, 19)) == 30_00
    assert late_payment_surcharge(100_00, due=due, paid_on=D(2025, 12, 31)) == 100_00
    # art. 73: days under 复议 / 诉讼 are not counted.
    assert (
        late_payment_surcharge(100_00, due=due, paid_on=D(2025, 10, 19), excluded_days=5) == 15_00
    )


@given(
    fine=st.integers(min_value=0, max_value=10**12),
    late=st.integers(min_value=-30, max_value=2000),
    excluded=st.integers(min_value=0, max_value=100),
)
def test_surcharge_never_exceeds_fine(fine, late, excluded):
    due = D(2025, 1, 1)
    surcharge = late_payment_surcharge(
        fine, due=due, paid_on=due + dt.timedelta(days=late), excluded_days=excluded
    )
    assert 0 <= surcharge <= fine
    if late <= excluded:
        assert surcharge == 0
