"""裁量基准 (discretion benchmarks): a list of circumstances, each with its penalty and a fine
range, either fixed amounts in 分 or a per-mille range of a base (e.g. 项目总投资额 1‰–5‰).

Stored as JSON on the item version, validated here by the services; the forms use the line
format of `parse_lines` / `to_lines` so nobody types JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

KEYS = ("circumstance", "penalty", "fine_min", "fine_max", "permille_min", "permille_max", "base")
LINE_HELP = (
    "每行一种情形，用“|”分隔：情形 | 处罚内容 | 罚款下限 | 罚款上限 | 计罚基数。"
    "金额按元填写（如 20000 或 2万），按比例处罚的填千分比（如 1‰）并写明计罚基数；"
    "不处罚款的把下限和上限留空。"
)


def validate(entries: Any) -> list[dict]:
    """Return the normalised list, or raise ValidationError naming the faulty line."""
    if not isinstance(entries, list):
        raise ValidationError({"discretion": "裁量基准格式不正确，应为情形列表。"})
    return [_validate_entry(entry, n) for n, entry in enumerate(entries, 1)]


def _validate_entry(entry: Any, n: int) -> dict:
    where = f"裁量基准第{n}行"
    if not isinstance(entry, dict):
        raise ValidationError({"discretion": f"{where}格式不正确。"})
    unknown = set(entry) - set(KEYS)
    if unknown:
        raise ValidationError(
            {"discretion": f"{where}含有未知字段：{'、'.join(sorted(unknown))}。"}
        )
    circumstance = str(entry.get("circumstance") or "").strip()
    if not circumstance:
        raise ValidationError({"discretion": f"{where}：请写明违法情形。"})
    clean = {
        "circumstance": circumstance,
        "penalty": str(entry.get("penalty") or "").strip(),
        "base": str(entry.get("base") or "").strip(),
    }
    for low, high, what in (
        ("fine_min", "fine_max", "罚款金额"),
        ("permille_min", "permille_max", "罚款比例"),
    ):
        clean[low], clean[high] = _range(entry.get(low), entry.get(high), f"{where}的{what}")
    if clean["fine_min"] is not None and clean["permille_min"] is not None:
        raise ValidationError({"discretion": f"{where}：罚款请按固定金额或按比例二选一填写。"})
    if clean["permille_min"] is not None and not clean["base"]:
        raise ValidationError(
            {"discretion": f"{where}：按比例处罚时请写明计罚基数，例如项目总投资额。"}
        )
    if not clean["penalty"] and clean["fine_min"] is None and clean["permille_min"] is None:
        raise ValidationError({"discretion": f"{where}：请填写处罚内容或罚款幅度。"})
    return clean


def _range(low: Any, high: Any, what: str) -> tuple[int | None, int | None]:
    if low in (None, "") and high in (None, ""):
        return None, None
    if low in (None, "") or high in (None, ""):
        raise ValidationError({"discretion": f"{what}请同时填写下限和上限。"})
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        raise ValidationError({"discretion": f"{what}应为整数。"})
    if low < 0 or high < 0:
        raise ValidationError({"discretion": f"{what}不能为负数。"})
    if low > high:
        raise ValidationError({"discretion": f"{what}的下限不能高于上限。"})
    return low, high


_WAN = re.compile(r"^(?P<n>[0-9]+(?:\.[0-9]+)?)\s*(?P<wan>万)?\s*元?$")
_PERMILLE = re.compile(r"^(?P<n>[0-9]+)\s*‰$")


def _amount_fen(text: str, where: str) -> int:
    match = _WAN.match(text.replace(",", "").replace("，", ""))
    if not match:
        raise ValidationError(
            {"discretion": f"{where}：“{text}”不是有效金额，请写成 20000 或 2万。"}
        )
    try:
        yuan = Decimal(match["n"]) * (10000 if match["wan"] else 1)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise ValidationError({"discretion": f"{where}：“{text}”不是有效金额。"}) from exc
    return int(yuan * 100)


def parse_lines(text: str) -> list[dict]:
    """Turn the form's lines into entries (not yet validated as a whole)."""
    entries = []
    for n, line in enumerate((x for x in text.splitlines() if x.strip()), 1):
        parts = [p.strip() for p in re.split(r"[|｜]", line)]
        parts += [""] * (5 - len(parts))
        if len(parts) > 5:
            raise ValidationError({"discretion": f"裁量基准第{n}行的“|”太多，最多五栏。"})
        circumstance, penalty, low, high, base = parts
        entry: dict[str, Any] = {"circumstance": circumstance, "penalty": penalty, "base": base}
        where = f"裁量基准第{n}行"
        if low or high:
            permille = [_PERMILLE.match(v) for v in (low, high)]
            if all(permille):
                entry["permille_min"], entry["permille_max"] = (int(m["n"]) for m in permille)
            elif any(permille):
                raise ValidationError(
                    {"discretion": f"{where}：下限和上限要么都按金额，要么都按‰。"}
                )
            else:
                entry["fine_min"] = _amount_fen(low, where) if low else None
                entry["fine_max"] = _amount_fen(high, where) if high else None
        entries.append(entry)
    return entries


def to_lines(entries: list[dict]) -> str:
    lines = []
    for e in entries:
        if e.get("permille_min") is not None:
            low, high = f"{e['permille_min']}‰", f"{e['permille_max']}‰"
        elif e.get("fine_min") is not None:
            low, high = yuan(e["fine_min"]), yuan(e["fine_max"])
        else:
            low = high = ""
        parts = [e["circumstance"], e.get("penalty", ""), low, high, e.get("base", "")]
        lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def yuan(fen: int) -> str:
    text = f"{Decimal(fen) / 100:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def describe(entry: dict) -> str:
    """The fine range in words, e.g. 罚款2万元至5万元 or 项目总投资额1‰至5‰的罚款."""
    if entry.get("permille_min") is not None:
        return f"处{entry['base']}{entry['permille_min']}‰以上{entry['permille_max']}‰以下的罚款"
    if entry.get("fine_min") is not None:
        return f"处{wan(entry['fine_min'])}以上{wan(entry['fine_max'])}以下的罚款"
    return ""


# --- checking a fine against a circumstance -------------------------------------------------
# 118号 (国办发〔2018〕118号): enforcement stays within the published 裁量基准, and 裁量基准 is
# one of the ten items of 法制审核. A fine outside the chosen circumstance's range is a
# departure (从轻 / 减轻 below it, 从重 above it) that needs a written reason.

DEPARTURES = ("从轻", "减轻", "从重")
BELOW, ABOVE = ("从轻", "减轻"), ("从重",)


@dataclass(frozen=True)
class FineRange:
    """The fines (分) a circumstance allows: `low`–`high` inclusive, both whole 分. A
    circumstance without a fine allows none (`low == high == 0`, `fines` False)."""

    low: int
    high: int
    fines: bool = True

    def contains(self, fine: int) -> bool:
        return self.low <= fine <= self.high

    def text(self) -> str:
        if not self.fines:
            return "不处罚款"
        if self.low == self.high:
            return wan(self.low)
        return f"{wan(self.low)}–{wan(self.high)}"


@dataclass(frozen=True)
class FineCheck:
    range: FineRange
    fine: int
    direction: str  # "" within the range, "below" or "above" it

    @property
    def within(self) -> bool:
        return not self.direction


def needs_base(entry: dict) -> bool:
    return entry.get("permille_min") is not None


def allowed_range(entry: dict, base: int | None = None) -> FineRange:
    """The fine range of one circumstance. Fixed amounts are taken as they are; a per-mille
    range is applied to `base` (分, e.g. 项目总投资额) exactly with Decimal: the lowest
    allowed fine is rounded up to whole 分 and the highest down, so every whole-分 fine in
    the result is inside base × ‰ and none outside it is."""
    if needs_base(entry):
        if base is None or base < 0:
            raise ValueError("a per-mille circumstance needs a non-negative base")
        low = (Decimal(base) * entry["permille_min"] / 1000).to_integral_value(ROUND_CEILING)
        high = (Decimal(base) * entry["permille_max"] / 1000).to_integral_value(ROUND_FLOOR)
        return FineRange(int(low), int(high))
    if entry.get("fine_min") is not None:
        return FineRange(entry["fine_min"], entry["fine_max"])
    return FineRange(0, 0, fines=False)


def check_fine(entry: dict, fine: int, base: int | None = None) -> FineCheck:
    """Whether `fine` (分) lies within the circumstance's range (see `allowed_range`)."""
    allowed = allowed_range(entry, base)
    direction = "below" if fine < allowed.low else "above" if fine > allowed.high else ""
    return FineCheck(allowed, fine, direction)


def wan(fen: int) -> str:
    """An amount for people: 3亿元, 2万元, 1.5万元, 3000元, 1234.56元."""
    if fen >= 10_000_000_000 and fen % 1_000_000 == 0:
        return f"{_trim(Decimal(fen) / 10_000_000_000)}亿元"
    if fen >= 1_000_000 and fen % 10_000 == 0:
        return f"{_trim(Decimal(fen) / 1_000_000)}万元"
    return f"{yuan(fen)}元"


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
