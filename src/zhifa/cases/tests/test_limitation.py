"""追责时效 (处罚法 art. 36) as a pure rule: 2 years, 5 where life, health or financial safety
was harmed with consequences, from the violation or the end of its continuing state."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.cases.clocks import case_limitation, limitation_ends, time_barred
from zhifa.cases.models import Case, CaseKind, Procedure

D = dt.date
DAYS = st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31))


@pytest.mark.parametrize(
    ("occurred", "ended", "serious", "ends"),
    [
        (D(2020, 3, 15), None, False, D(2022, 3, 15)),
        (D(2020, 3, 15), None, True, D(2025, 3, 15)),
        (D(2020, 2, 29), None, False, D(2022, 2, 28)),  # no 29 February: end of the month
        (D(2020, 2, 29), None, True, D(2025, 2, 28)),
        (D(2019, 2, 28), None, True, D(2024, 2, 28)),
        (D(2018, 6, 1), D(2021, 10, 1), False, D(2023, 10, 1)),  # continuing: from its end
        (D(2023, 12, 31), None, False, D(2025, 12, 31)),  # not moved off a holiday/weekend
    ],
)
def test_limitation_examples(occurred, ended, serious, ends):
    assert limitation_ends(occurred, ended, serious) == ends
    assert not time_barred(occurred, ends, ended, serious, continuing=ended is not None)
    later = ends + dt.timedelta(days=1)
    assert time_barred(occurred, later, ended, serious, continuing=ended is not None)


def test_continuing_violation_not_ended_is_never_barred():
    assert not time_barred(D(2000, 1, 1), D(2026, 1, 1), None, False, continuing=True)
    assert time_barred(D(2000, 1, 1), D(2026, 1, 1), None, False)


@given(
    occurred=DAYS,
    gap=st.one_of(st.none(), st.integers(min_value=0, max_value=3000)),
    serious=st.booleans(),
    discovered=DAYS,
)
def test_limitation_properties(occurred, gap, serious, discovered):
    ended = None if gap is None else occurred + dt.timedelta(days=gap)
    start = ended or occurred
    years = 5 if serious else 2
    ends = limitation_ends(occurred, ended, serious)
    # The corresponding day `years` later (28 February for a 29 February start).
    assert ends.year == start.year + years and ends.month == start.month
    assert ends.day == start.day or (start.month, start.day, ends.day) == (2, 29, 28)
    assert 365 * years <= (ends - start).days <= 365 * years + 2
    # Barred exactly when discovered after the last day.
    barred = time_barred(occurred, discovered, ended, serious, continuing=ended is not None)
    assert barred == (discovered > ends)
    # Five years never end before two; what five years bar, two years bar too.
    assert limitation_ends(occurred, ended, True) >= limitation_ends(occurred, ended, False)
    if time_barred(occurred, discovered, ended, True, continuing=ended is not None):
        assert time_barred(occurred, discovered, ended, False, continuing=ended is not None)
    # A continuing violation runs from its end: never earlier than from its start.
    if ended is not None:
        assert ends >= limitation_ends(occurred, None, serious)
        assert not time_barred(occurred, discovered, None, serious, continuing=True)


def _case(**fields) -> Case:
    base = {"kind": CaseKind.PENALTY, "procedure": Procedure.ORDINARY}
    return Case(**{**base, **fields})


def test_case_limitation_from_the_case_fields():
    assert case_limitation(_case(registered_on=D(2025, 1, 1))) is None  # old case: no date
    assert case_limitation(_case(kind=CaseKind.LICENCE, registered_on=D(2025, 1, 1))) is None
    view = case_limitation(_case(registered_on=D(2025, 1, 1), violation_on=D(2022, 12, 31)))
    assert (view.years, view.ends, view.barred) == (2, D(2024, 12, 31), True)
    view = case_limitation(
        _case(registered_on=D(2025, 1, 1), violation_on=D(2022, 12, 31), harms_safety=True)
    )
    assert (view.years, view.ends, view.barred) == (5, D(2027, 12, 31), False)
    view = case_limitation(
        _case(
            registered_on=D(2025, 1, 1),
            violation_on=D(2019, 5, 1),
            violation_continuing=True,
            violation_ended_on=D(2023, 6, 1),
        )
    )
    assert (view.ends, view.barred) == (D(2025, 6, 1), False)
    # An end date is ignored unless the violation is marked continuing.
    view = case_limitation(
        _case(
            registered_on=D(2025, 1, 1),
            violation_on=D(2019, 5, 1),
            violation_ended_on=D(2024, 1, 1),
        )
    )
    assert view.barred and view.ended_on is None
    view = case_limitation(
        _case(registered_on=D(2025, 1, 1), violation_on=D(2019, 5, 1), violation_continuing=True)
    )
    assert view.ends is None and not view.barred
