"""Search snippets and the title ranking, as pure functions (no database)."""

from hypothesis import given, settings
from hypothesis import strategies as st

from zhifa.core import tokenize
from zhifa.disclosure import search

WORDS = ["罚款", "消防", "12号", "号", "食品", "经营"]


def _densest_by_every_window(spans, width):
    # The definition: for each span, every later span that ends within the window.
    best, best_score = spans[0], -1
    for i, span in enumerate(spans):
        inside = [s for s in spans[i:] if s.end <= span.start + width]
        score = len(set().union(*(s.terms for s in inside))) * 100 + len(inside)
        if score > best_score:
            best, best_score = span, score
    return best


@st.composite
def spans(draw):
    at, out = 0, []
    for _ in range(draw(st.integers(min_value=1, max_value=30))):
        start = at + draw(st.integers(min_value=0, max_value=60))
        end = start + draw(st.integers(min_value=1, max_value=10))
        out.append(search._Span(start, end, set(draw(st.sets(st.sampled_from(WORDS), min_size=1)))))
        at = end
    return out


@settings(max_examples=300, deadline=None)
@given(spans(), st.integers(min_value=1, max_value=150))
def test_densest_window_is_the_one_the_definition_picks(found, width):
    assert search._densest(found, width) is _densest_by_every_window(found, width)


def test_snippet_centres_on_the_cluster_holding_most_query_words():
    body = "消防" + "。" * 300 + "某公司食品经营场所未落实消防安全责任" + "。" * 300
    snippet = search.snippet_html(body, {"消防", "食品", "经营"})
    assert "<mark>食品</mark><mark>经营</mark>" in snippet and snippet.startswith("…")
    assert snippet.count("<mark>") == 3


def test_title_scores_count_the_query_groups_each_title_holds():
    query = tokenize.parse_query("宁发改罚〔2026〕12号 食品")
    titles = ["某食品公司 · 宁发改罚〔２０２６〕１２号", "某公司 · 宁发改罚〔2025〕3号", "无关", ""]
    assert search._title_scores(query, titles) == [4, 1, 0, 0]
