"""Masking of personal information (个人信息) before anything is published.

Rules (law-facts.md, 公示): natural persons' ID numbers, home addresses, phone numbers, bank
accounts and health data are masked, and so are natural persons' names other than the party's;
organisations' bank accounts are masked too; organisations' names and credit codes stay visible
(浙江 rule art. 7; 条例 arts. 14–15). Masking the party's own name when a natural person is a
setting (default on, 张某某), decided by the caller, which passes the names to mask.

Two layers: exact values the caller knows are sensitive (the party's address from its record,
any field marked sensitive) and detectors for numbers that are personal whatever their context.
Detectors need boundaries (no digit or letter on either side), so that a 19-digit bank account
is not read as an ID number or a credit code.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from zhifa.core.codes import is_valid_resident_id, is_valid_uscc

_B = r"(?<![0-9A-Za-z])"  # left boundary
_E = r"(?![0-9A-Za-z])"  # right boundary
_DATE = r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"

RESIDENT_ID_18 = re.compile(_B + r"[1-9]\d{5}(?:18|19|20)\d{2}" + _DATE + r"\d{3}[\dXx]" + _E)
RESIDENT_ID_15 = re.compile(_B + r"[1-9]\d{7}" + _DATE + r"\d{3}" + _E)
MOBILE = re.compile(_B + r"(?:\+?86[ -]?)?1[3-9]\d[ -]?\d{4}[ -]?\d{4}" + _E)
LANDLINE = re.compile(_B + r"0\d{2,3}-\d{7,8}(?:-\d{1,5})?" + _E)
BANK_ACCOUNT = re.compile(_B + r"\d{4}(?:[ -]?\d{4}){2,3}[ -]?\d{0,4}" + _E)
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")

COMPOUND_SURNAMES = (
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "轩辕",
    "令狐",
    "钟离",
    "端木",
    "独孤",
    "南宫",
    "西门",
)


@dataclass(frozen=True)
class Sensitive:
    """What the caller knows about one text: whose names to mask, which values to hide."""

    names: Iterable[str] = field(default_factory=tuple)  # natural persons' names → 张某某
    values: Iterable[str] = field(default_factory=tuple)  # addresses, health data, marked fields
    keep: Iterable[str] = field(default_factory=tuple)  # never masked, e.g. the agency's phone


def mask_name(name: str) -> str:
    """张三 → 张某某; 欧阳修 → 欧阳某某."""
    name = name.strip()
    if not name:
        return name
    surname = next((s for s in COMPOUND_SURNAMES if name.startswith(s) and len(name) > 2), name[0])
    return surname + "某某"


def mask_resident_id(value: str) -> str:
    """Keep the six-digit region code, hide birth date, sequence and check character."""
    return value[:6] + "*" * (len(value) - 6)


def mask_phone(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    if len(digits) >= 11 and digits[-11] == "1":  # mobile, possibly with +86
        return digits[-11:-8] + "****" + digits[-4:]
    head, _, number = value.partition("-")
    return f"{head}-{'*' * max(len(number) - 2, 0)}{number[-2:]}" if number else "*" * len(value)


def mask_account(value: str) -> str:
    digits = re.sub(r"\D", "", value)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return local[:1] + "***@" + domain


def mask_value(value: str) -> str:
    """A whole sensitive field: nothing of it remains."""
    return "*" * min(len(value), 6) if value else value


def mask_text(text: str, sensitive: Sensitive | None = None) -> str:
    """Mask everything personal in `text`; organisations' names and credit codes stay."""
    if not text:
        return text
    sensitive = sensitive or Sensitive()
    keep = {k for k in sensitive.keep if k}
    guarded, text = _guard(text, keep)
    for value in sorted({v for v in sensitive.values if v and v.strip()}, key=len, reverse=True):
        text = text.replace(value, mask_value(value))
    for name in sorted({n for n in sensitive.names if n and n.strip()}, key=len, reverse=True):
        text = text.replace(name, mask_name(name))
    text = RESIDENT_ID_18.sub(_id_or_code, text)
    text = RESIDENT_ID_15.sub(lambda m: mask_resident_id(m.group()), text)
    text = EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = MOBILE.sub(lambda m: mask_phone(m.group()), text)
    text = LANDLINE.sub(lambda m: mask_phone(m.group()), text)
    text = BANK_ACCOUNT.sub(_account_or_code, text)
    return _unguard(text, guarded)


def _id_or_code(match: re.Match) -> str:
    value = match.group()
    # An all-digit credit code can look like an ID number; credit codes stay visible.
    if is_valid_uscc(value) and not is_valid_resident_id(value):
        return value
    return mask_resident_id(value)


def _account_or_code(match: re.Match) -> str:
    value = match.group()
    if len(value) == 18 and is_valid_uscc(value):
        return value
    return mask_account(value) if len(re.sub(r"\D", "", value)) >= 12 else value


# Values the caller wants kept are swapped for placeholders no detector matches, then restored.
_GUARD = "\ue000{}\ue001"


def _guard(text: str, keep: set[str]) -> tuple[list[str], str]:
    kept = sorted(keep, key=len, reverse=True)
    for i, value in enumerate(kept):
        text = text.replace(value, _GUARD.format(chr(0xE100 + i)))
    return kept, text


def _unguard(text: str, kept: list[str]) -> str:
    for i, value in enumerate(kept):
        text = text.replace(_GUARD.format(chr(0xE100 + i)), value)
    return text


def find_unmasked(text: str) -> list[str]:
    """Personal numbers still present in `text` (used by the public-page crawl test)."""
    found = [m.group() for m in RESIDENT_ID_18.finditer(text) if _id_or_code(m) != m.group()]
    found += [m.group() for m in RESIDENT_ID_15.finditer(text)]
    found += [m.group() for m in MOBILE.finditer(text)]
    found += [m.group() for m in EMAIL.finditer(text)]
    return found
