"""Validation of Chinese identification codes.

- 公民身份号码 (resident ID), GB 11643-1999: 17 digits + check character.
- 统一社会信用代码 (unified social credit code), GB 32100-2015: 18 characters.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def resident_id_check_char(first17: str) -> str:
    """GB 11643-1999: check = "10X98765432"[Σ(dᵢ·wᵢ) mod 11]."""
    return _ID_CHECK[sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def is_valid_resident_id(value: str) -> bool:
    value = value.strip().upper()
    if len(value) != 18 or not value[:17].isdigit():
        return False
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    return resident_id_check_char(value[:17]) == value[17]


def uscc_check_char(first17: str) -> str:
    """GB 32100-2015: value = 31 − (Σ(cᵢ·wᵢ) mod 31), where 31 maps to 0."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(value: str) -> bool:
    value = value.strip().upper()
    if len(value) != 18 or any(c not in USCC_ALPHABET for c in value):
        return False
    return uscc_check_char(value[:17]) == value[17]


def validate_uscc(value: str) -> None:
    if not is_valid_uscc(value):
        raise ValidationError(
            "统一社会信用代码“%(value)s”无效：应为18位，由数字和大写字母（不含I、O、Z、S、V）组成，"
            "且第18位校验码正确，请核对营业执照后重新输入。",
            code="invalid_uscc",
            params={"value": value},
        )


def validate_resident_id(value: str) -> None:
    if not is_valid_resident_id(value):
        raise ValidationError(
            "公民身份号码“%(value)s”无效：应为18位，出生日期真实，末位校验码正确（可为X），"
            "请核对身份证后重新输入。",
            code="invalid_resident_id",
            params={"value": value},
        )
