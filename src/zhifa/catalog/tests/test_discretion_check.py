"""The 裁量基准 fine check (118号): the allowed range of a circumstance and whether a fine is
inside it. Pure functions, no database."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhifa.catalog import discretion

FIXED = {
    "circumstance": "首次违法",
    "penalty": "罚款",
    "fine_min": 2_000_000,
    "fine_max": 5_000_000,
}
PERMILLE = {
    "circumstance": "主动停止建设",
    "penalty": "罚款",
    "permille_min": 1,
    "permille_max": 2,
    "base": "项目总投资额",
}
NO_FINE = {"circumstance": "能够改造的", "penalty": "责令限期改造"}


def test_fixed_range_is_taken_as_it_is():
    allowed = discretion.allowed_range(FIXED)
    assert (allowed.low, allowed.high, allowed.fines) == (2_000_000, 5_000_000, True)
    assert allowed.text() == "2万元–5万元"


def test_fixed_range_bounds_are_inclusive():
    assert discretion.check_fine(FIXED, 2_000_000).within
    assert discretion.check_fine(FIXED, 5_000_000).within
    assert discretion.check_fine(FIXED, 1_999_999).direction == "below"
    assert discretion.check_fine(FIXED, 5_000_001).direction == "above"


def test_permille_range_of_a_base():
    # 项目总投资额 5000万元: 1‰–2‰ is 5万元–10万元.
    allowed = discretion.allowed_range(PERMILLE, 50_000_000_00)
    assert (allowed.low, allowed.high) == (5_000_000, 10_000_000)
    assert allowed.text() == "5万元–10万元"


def test_permille_rounds_inwards_to_whole_fen():
    # 12,345.67元 × 1‰ = 12.34567元 → at least 1235分; × 2‰ = 24.69134元 → at most 2469分.
    allowed = discretion.allowed_range(PERMILLE, 1_234_567)
    assert (allowed.low, allowed.high) == (1235, 2469)
    assert not discretion.check_fine(PERMILLE, 1234, 1_234_567).within
    assert discretion.check_fine(PERMILLE, 1235, 1_234_567).within
    assert not discretion.check_fine(PERMILLE, 2470, 1_234_567).within


def test_permille_needs_a_base():
    assert discretion.needs_base(PERMILLE) and not discretion.needs_base(FIXED)
    with pytest.raises(ValueError):
        discretion.allowed_range(PERMILLE)


def test_circumstance_without_fine_allows_none():
    allowed = discretion.allowed_range(NO_FINE)
    assert not allowed.fines and allowed.text() == "不处罚款"
    assert discretion.check_fine(NO_FINE, 0).within
    assert discretion.check_fine(NO_FINE, 100).direction == "above"


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (30_000_000_000, "3亿元"),
        (12_345_000_000, "1.2345亿元"),
        (12_345_600_000, "12345.6万元"),
        (12_345_600_100, "123456001元"),
        (2_000_000, "2万元"),
        (1_500_000, "1.5万元"),
        (300_000, "3000元"),
        (123_456, "1234.56元"),
    ],
)
def test_amounts_for_people(fen, text):
    assert discretion.wan(fen) == text


amounts = st.integers(min_value=0, max_value=10**13)  # up to 1000亿元, in 分


@given(low=amounts, span=amounts, fine=amounts)
def test_fixed_range_passes_exactly_the_fines_inside(low, span, fine):
    entry = {"circumstance": "x", "fine_min": low, "fine_max": low + span}
    assert discretion.check_fine(entry, fine).within == (low <= fine <= low + span)


@given(
    base=amounts,
    pmin=st.integers(min_value=0, max_value=1000),
    span=st.integers(min_value=0, max_value=1000),
    fine=amounts,
)
def test_permille_check_is_exact(base, pmin, span, fine):
    """A whole-分 fine passes exactly when base × pmin‰ ≤ fine ≤ base × pmax‰ in exact
    arithmetic, and the range's ends are themselves allowed fines."""
    pmax = pmin + span
    entry = {"circumstance": "x", "permille_min": pmin, "permille_max": pmax, "base": "基数"}
    exact_low, exact_high = Fraction(base * pmin, 1000), Fraction(base * pmax, 1000)
    assert discretion.check_fine(entry, fine, base).within == (exact_low <= fine <= exact_high)
    allowed = discretion.allowed_range(entry, base)
    if allowed.low <= allowed.high:
        assert discretion.check_fine(entry, allowed.low, base).within
        assert discretion.check_fine(entry, allowed.high, base).within
    if allowed.low > 0:
        assert not discretion.check_fine(entry, allowed.low - 1, base).within
    assert not discretion.check_fine(entry, allowed.high + 1, base).within


@given(base=amounts, fine=amounts)
def test_inside_passes_outside_fails(base, fine):
    allowed = discretion.allowed_range(PERMILLE, base)
    check = discretion.check_fine(PERMILLE, fine, base)
    if allowed.low <= fine <= allowed.high:
        assert check.within and check.direction == ""
    else:
        assert check.direction == ("below" if fine < allowed.low else "above")
