"""Pure money rules of 行政处罚 (amounts in 分)."""

from __future__ import annotations

import datetime as dt

from zhifa.core.calendar import Deadline, calendar_deadline

# 处罚法 art. 51: simple procedure only for a warning or a fine up to 200元 (natural person) /
# 3,000元 (organisation).
SIMPLE_LIMIT_PERSON = 200_00
SIMPLE_LIMIT_ORGANISATION = 3_000_00
PAYMENT_DAYS = 15  # 处罚法 art. 67: calendar days (art. 85) from receipt of the decision
SURCHARGE_PER_DAY_PERMILLE = 30  # 处罚法 art. 72: 3% of the fine per day


def payment_deadline(served_on: dt.date) -> Deadline:
    """处罚法 art. 67: pay within 15 days of receiving the decision (calendar days, art. 85)."""
    return calendar_deadline(served_on, PAYMENT_DAYS)


def late_payment_surcharge(
    fine: int, *, due: dt.date, paid_on: dt.date, excluded_days: int = 0
) -> int:
    """加处罚款 (处罚法 art. 72(1)): 3% of the fine for every day after `due` until `paid_on`,
    never more than the fine itself (art. 72: 加处罚款的数额不得超出罚款的数额). Days under
    行政复议 / 行政诉讼 are not counted (art. 73) and are passed as `excluded_days`.
    Rounded down to whole 分."""
    if fine < 0 or excluded_days < 0:
        raise ValueError("fine and excluded_days must not be negative")
    late_days = max(0, (paid_on - due).days - excluded_days)
    return min(fine, fine * SURCHARGE_PER_DAY_PERMILLE * late_days // 1000)
