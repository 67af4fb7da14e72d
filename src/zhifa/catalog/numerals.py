"""Chinese article numbers: 58 ↔ 五十八, so "处罚法 58条" finds 第五十八条."""

from __future__ import annotations

import re

DIGITS = "零一二三四五六七八九"
UNITS = [(1000, "千"), (100, "百"), (10, "十")]
ARTICLE_RE = re.compile(r"^第([零一二三四五六七八九十百千]+)条(?:之([一二三四五六七八九十]+))?$")


def to_chinese(n: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 58 → 五十八, 105 → 一百零五 (statute style, n < 10000)."""
    if not 0 < n < 10000:
        raise ValueError(f"article number out of range: {n}")
    out, zero = "", False
    for value, name in UNITS:
        digit, n = divmod(n, value)
        if digit:
            if zero:
                out += "零"
            out += ("" if (value == 10 and digit == 1 and not out) else DIGITS[digit]) + name
            zero = False
        elif out:
            zero = True
    if n:
        out += ("零" if zero else "") + DIGITS[n]
    return out


def from_chinese(text: str) -> int:
    """Inverse of `to_chinese`; raises ValueError on anything else."""
    total, current = 0, 0
    for char in text:
        if char in DIGITS:
            current = DIGITS.index(char)
        else:
            value = {"十": 10, "百": 100, "千": 1000}.get(char)
            if value is None:
                raise ValueError(f"not a Chinese numeral: {text}")
            total += (current or 1) * value
            current = 0
    return total + current


def article_number(n: int) -> str:
    return f"第{to_chinese(n)}条"


def article_index(number: str) -> int | None:
    """第五十八条 → 58; None when `number` is not an article number."""
    match = ARTICLE_RE.match(number.strip())
    return from_chinese(match.group(1)) if match else None
