import string

from hypothesis import given
from hypothesis import strategies as st

from zhifa.core import privacy
from zhifa.core.codes import USCC_ALPHABET, resident_id_check_char, uscc_check_char
from zhifa.core.privacy import Sensitive, mask_text

# Common CJK ideographs and Chinese punctuation: text around the numbers under test.
CJK = "".join(chr(c) for c in range(0x4E00, 0x4F00)) + "，。：；、（）《》"


def valid_id() -> st.SearchStrategy[str]:
    return st.builds(
        lambda region, year, month, day, seq: _with_check(
            f"{region}{year}{month:02d}{day:02d}{seq:03d}"
        ),
        st.sampled_from(["110105", "130528", "440524", "360426"]),
        st.integers(1930, 2020),
        st.integers(1, 12),
        st.integers(1, 28),
        st.integers(0, 999),
    )


def _with_check(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def valid_uscc() -> st.SearchStrategy[str]:
    alphabet = [c for c in USCC_ALPHABET if c not in string.digits]
    return st.builds(
        lambda body: body + uscc_check_char(body),
        st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17).filter(
            lambda s: any(c in alphabet for c in s)
        ),
    )


@given(st.text(alphabet=CJK, max_size=30), valid_id(), st.text(alphabet=CJK, max_size=30))
def test_any_valid_id_in_text_is_masked(before, id_number, after):
    masked = mask_text(before + id_number + after)
    assert id_number not in masked
    assert id_number[:6] + "*" * 12 in masked


@given(st.text(alphabet=CJK, max_size=30), valid_uscc())
def test_credit_codes_stay_visible(before, code):
    text = f"{before}（统一社会信用代码：{code}）"
    assert mask_text(text) == text


def test_bank_account_trap_is_masked_as_account_not_kept_as_code():
    text = "开户银行：中信银行北京分行营业部，账号：7111010189800000162，由该行直接上缴国库"
    masked = mask_text(text)
    assert "7111010189800000162" not in masked
    assert "***************0162" in masked


def test_phones_emails_and_15_digit_ids():
    text = "联系电话13912345678、0319-5825001，邮箱zhang.san@example.com，旧身份证130528800101123。"
    masked = mask_text(text)
    for secret in ["13912345678", "5825001", "zhang.san@", "130528800101123"]:
        assert secret not in masked
    assert "139****5678" in masked and "z***@example.com" in masked


def test_names_and_known_values_are_masked_and_kept_values_are_not():
    text = "当事人王小明，住宁晋县凤凰镇幸福村3组12号，证人欧阳娜娜在场。执法机关电话0319-5825001。"
    masked = mask_text(
        text,
        Sensitive(
            names=["王小明", "欧阳娜娜"],
            values=["宁晋县凤凰镇幸福村3组12号"],
            keep=["0319-5825001"],
        ),
    )
    assert "王小明" not in masked and "王某某" in masked
    assert "欧阳娜娜" not in masked and "欧阳某某" in masked
    assert "幸福村" not in masked
    assert "0319-5825001" in masked


def test_company_names_and_document_numbers_untouched():
    text = "宁晋县某某建材有限公司（91130528MA0CXXXX）收到宁发改罚〔2026〕12号决定书，罚款50000元。"
    assert mask_text(text) == text


def test_mask_name_variants():
    assert privacy.mask_name("张三") == "张某某"
    assert privacy.mask_name("欧阳修") == "欧阳某某"
    assert privacy.mask_name("欧阳") == "欧某某"


def test_find_unmasked_reports_leftovers():
    assert privacy.find_unmasked("电话13912345678") == ["13912345678"]
    assert privacy.find_unmasked(mask_text("电话13912345678 身份证11010519491231002X")) == []
