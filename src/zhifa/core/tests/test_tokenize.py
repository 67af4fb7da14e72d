"""jieba tokenisation for the portal search: normalisation, index tokens, query parsing."""

from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.core import tokenize

CHINESE = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXT = st.text(
    alphabet=st.one_of(CHINESE, st.sampled_from("〔〕（）《》，。、：；“”12３4ＡbC-_*\"' \n")),
    max_size=60,
)


def test_normalise_width_case_and_punctuation():
    assert tokenize.normalise("宁发改罚〔２０２６〕12号") == "宁发改罚 2026 12号"
    assert tokenize.normalise("ＡＢＣ－abc") == "abc abc"
    assert tokenize.normalise("“处罚”、《决定书》") == " 处罚 决定书 "


def test_index_tokens_search_mode_and_whole_chunks():
    tokens = tokenize.index_tokens("甲县某某能源有限公司")
    # words and the dictionary words inside them: a two-character word of a longer one
    assert {"有限公司", "有限", "公司", "能源"} <= set(tokens)
    number = set(tokenize.index_tokens("宁发改罚〔2026〕12号"))
    assert {"2026", "12", "号", "12号", "宁发改罚"} <= number


def test_query_is_and_of_chunks_with_alternatives():
    query = tokenize.parse_query("宁发改罚〔2026〕12号")
    assert len(query) == 3
    assert ("12号",) in query[2] and ("12", "号") in query[2]
    doc = tokenize.index_tokens("决定书文号：宁发改罚〔2026〕12号")
    assert tokenize.matches(query, doc)
    assert tokenize.matches(tokenize.parse_query("12号"), doc)
    assert tokenize.matches(tokenize.parse_query("2026"), doc)
    other = tokenize.index_tokens("决定书文号：宁发改罚〔2026〕13号")
    assert not tokenize.matches(query, other)


def test_query_words_must_all_match():
    doc = tokenize.index_tokens("甲县某某能源有限公司 行政处罚决定书")
    assert tokenize.matches(tokenize.parse_query("能源 处罚"), doc)
    assert not tokenize.matches(tokenize.parse_query("能源 许可"), doc)


def test_malformed_queries():
    for q in [
        "",
        None,
        "   ",
        '"',
        "*",
        "NEAR(a b)",
        "AND",
        "OR NOT",
        "-",
        "〔〕",
        "'\"",
        "x" * 500,
    ]:
        query = tokenize.parse_query(q)
        assert isinstance(query, list)
    assert tokenize.parse_query("") == [] and tokenize.parse_query("〔〕“”") == []
    assert len(tokenize.parse_query("处罚 " * 300)) == 1  # repeated words once
    assert len(tokenize.parse_query(" ".join(str(i) for i in range(100)))) == tokenize.MAX_GROUPS


def test_cache_in_data_dir(settings):
    from pathlib import Path

    tokenize.tokenizer()
    cache = Path(settings.DATA_DIR) / "jieba" / "zhifa-jieba.cache"
    assert cache.exists()


@settings(max_examples=150, deadline=None)
@given(TEXT)
def test_every_index_token_finds_its_text(text):
    tokens = tokenize.index_tokens(text)
    for token in set(tokens):
        assert tokenize.matches(tokenize.parse_query(token), tokens), token


@settings(max_examples=150, deadline=None)
@given(TEXT, st.integers(min_value=0, max_value=60), st.integers(min_value=1, max_value=12))
def test_query_from_a_chunk_of_the_text_finds_it(text, start, length):
    chunks = tokenize.normalise(text).split()
    if not chunks:
        return
    chunk = chunks[start % len(chunks)]
    assert tokenize.matches(tokenize.parse_query(chunk), tokenize.index_tokens(text))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_parsing_never_raises(text):
    query = tokenize.parse_query(text)
    for group in query:
        for alternative in group:
            assert alternative and all(t and " " not in t for t in alternative)


ANY_TEXT = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from("ﬁ²㎏Ⅻ①ＡＢ１２〔〕ß İ")), max_size=80
)


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_normalise_with_map_agrees_with_normalise_per_character(text):
    norm, where = tokenize.normalise_with_map(text)
    assert norm == "".join(tokenize._char(ch) for ch in text)
    assert len(where) == len(norm) and where == sorted(where)
    assert all(norm[k] in tokenize._char(text[i]) for k, i in enumerate(where))


def test_normalise_with_map_expanding_characters():
    # ﬁ (one character) folds to "fi" (two): both map back to it.
    norm, where = tokenize.normalise_with_map("aﬁ号")
    assert norm == "afi号" and where == [0, 1, 1, 2]


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT, st.sampled_from(["12号", "ab", "2026", "有限公司", "fi", "1"]))
def test_a_token_is_in_the_folded_text_where_it_is_in_the_normalised_one(text, token):
    assert (token in tokenize.fold(text)) == (token in tokenize.normalise(text))
