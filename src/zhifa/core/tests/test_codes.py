import csv
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from zhifa.core import codes

EXAMPLES = (
    Path(__file__).resolve().parents[4].parent / "shared" / "data" / "checkdigits" / "examples.csv"
)


def _examples(kind: str) -> list[tuple[str, bool]]:
    if not EXAMPLES.exists():
        return []
    with EXAMPLES.open(encoding="utf-8") as fh:
        return [
            (r["value"], r["expected_valid"] == "True")
            for r in csv.DictReader(fh)
            if r["kind"] == kind
        ]


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("11010519491231002X", True),
        ("440524188001010014", True),
        ("36042619910102009X", False),
        ("360426199113010079", False),
        ("1101051949123100", False),
        ("11010519491231002x", True),
    ],
)
def test_resident_id(value, valid):
    assert codes.is_valid_resident_id(value) is valid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("91110000600037341L", True),
        ("121200004013590816", True),
        ("91310115MA1K3BTP2B", True),
        ("91110000600037341N", False),
        ("9111000060003IOZSV", False),
        ("9111000060003734", False),
    ],
)
def test_uscc(value, valid):
    assert codes.is_valid_uscc(value) is valid


@pytest.mark.skipif(not EXAMPLES.exists(), reason="shared/data not present")
def test_shared_examples():
    for value, valid in _examples("resident_id"):
        assert codes.is_valid_resident_id(value) is valid, value
    for value, valid in _examples("uscc"):
        assert codes.is_valid_uscc(value) is valid, value


@given(st.text(alphabet=codes.USCC_ALPHABET, min_size=17, max_size=17))
def test_uscc_check_char_round_trip(first17):
    full = first17 + codes.uscc_check_char(first17)
    assert codes.is_valid_uscc(full)
    wrong = next(c for c in codes.USCC_ALPHABET if c != full[-1])
    assert not codes.is_valid_uscc(first17 + wrong)


@given(
    st.integers(min_value=0, max_value=16), st.text(alphabet="0123456789", min_size=17, max_size=17)
)
def test_uscc_single_substitution_detected(position, first17):
    full = first17 + codes.uscc_check_char(first17)
    replacement = "A" if full[position] != "A" else "B"
    assert not codes.is_valid_uscc(full[:position] + replacement + full[position + 1 :])


def test_validators_explain_in_chinese():
    with pytest.raises(ValidationError, match="校验码"):
        codes.validate_uscc("91110000600037341N")
    with pytest.raises(ValidationError, match="身份证"):
        codes.validate_resident_id("36042619910102009X")
