import pytest
from django.core.exceptions import ValidationError

from zhifa.catalog import discretion
from zhifa.catalog.models import DocumentKind, DocumentTemplate, validate_numbering_pattern
from zhifa.catalog.numerals import article_index, from_chinese, to_chinese

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "pattern", ["宁发改罚〔{year}〕{seq}号", "{year}-{seq}", "宁发改法审〔{year}〕{seq}号"]
)
def test_valid_numbering_patterns(pattern):
    validate_numbering_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "words"),
    [
        ("宁发改罚〔2026〕{seq}号", "{year}"),
        ("宁发改罚〔{year}〕号", "{seq}"),
        ("宁发改罚〔{年}〕{seq}号", "不认识"),
        ("宁发改罚〔{year}〕{seq}{seq}号", "各只能出现一次"),
        ("宁发改罚〔{year}〕{seq}号{", "花括号"),
    ],
)
def test_invalid_numbering_patterns_say_what_to_fix(pattern, words):
    with pytest.raises(ValidationError) as error:
        validate_numbering_pattern(pattern)
    assert words in error.value.messages[0]


def test_standard_templates_state_cause_basis_and_rights():
    """P9; 处罚法 art. 59: a decision names 复议 (60 days) and 诉讼 (6 months)."""
    templates = {t.kind: t for t in DocumentTemplate.objects.filter(agency=None)}
    assert set(templates) == set(DocumentKind.values)
    decision = templates[DocumentKind.PENALTY_DECISION]
    decision.full_clean()
    text = decision.render(
        {"复议机关": "宁晋县人民政府", "人民法院": "宁晋县人民法院", "事由": "未核准开工"}
    )
    assert "六十日内向宁晋县人民政府申请行政复议" in text and "六个月" in text
    assert "未核准开工" in text and "{依据}" in text  # unfilled placeholders stay visible


def test_template_without_rights_is_refused():
    template = DocumentTemplate(
        kind=DocumentKind.LICENCE_REFUSAL,
        title="不予许可",
        body="{当事人}：不予许可。",
        rights_statement="无",
    )
    with pytest.raises(ValidationError) as error:
        template.full_clean(validate_constraints=False)
    assert "{事由}" in error.value.message_dict["body"][0]
    assert "六十日" in error.value.message_dict["rights_statement"][0]


def test_chinese_numerals_round_trip():
    for n in [1, 9, 10, 11, 20, 58, 100, 101, 110, 999, 1000, 1001, 1010]:
        assert from_chinese(to_chinese(n)) == n
    assert [to_chinese(n) for n in (10, 15, 58, 105, 110)] == [
        "十",
        "十五",
        "五十八",
        "一百零五",
        "一百一十",
    ]
    assert article_index("第五十八条") == 58 and article_index("第五十八款") is None


def test_discretion_lines_round_trip():
    text = (
        "主动停止建设 | 罚款 | 1‰ | 2‰ | 项目总投资额\n"
        "影响竞争 | 罚款 | 2万 | 5万\n"
        "能改造的 | 责令限期改造"
    )
    entries = discretion.validate(discretion.parse_lines(text))
    assert entries[0]["permille_min"] == 1 and entries[0]["base"] == "项目总投资额"
    assert (entries[1]["fine_min"], entries[1]["fine_max"]) == (2_000_000, 5_000_000)
    assert entries[2]["fine_min"] is None
    assert discretion.validate(discretion.parse_lines(discretion.to_lines(entries))) == entries
    assert discretion.describe(entries[1]) == "处2万元以上5万元以下的罚款"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("情形 | 罚款 | 1‰ | 2‰", "计罚基数"),
        ("情形 | 罚款 | 1‰ | 200", "要么都按金额"),
        ("情形 | 罚款 | 很多 | 200", "不是有效金额"),
        (" | 罚款 | 1 | 2", "写明违法情形"),
        ("情形", "处罚内容或罚款幅度"),
        ("情形 | 罚款 | 5万 | 1万", "下限不能高于上限"),
    ],
)
def test_discretion_errors_name_the_line(text, words):
    with pytest.raises(ValidationError) as error:
        discretion.validate(discretion.parse_lines(text))
    message = " ".join(error.value.message_dict["discretion"])
    assert words in message and "第1行" in message
