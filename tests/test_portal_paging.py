"""Paging the public decision list (keyset): each page starts from the row next to it, so the
pages add up to the whole list in order, forwards and backwards, with the filters kept; no
page is found by counting or skipping rows. The decisions come from the portal benchmark's
generator (`bench/portal_data.py`), which writes public decisions in bulk."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path

import pytest

from zhifa.disclosure import selectors

BENCH = Path(__file__).resolve().parent.parent / "bench"
N = 45
LIST = "/portal/decisions/"


@pytest.fixture
def decisions(transactional_db, ledger_purge, settings):
    """N public decisions (the generator's bulk load needs a transactional test)."""
    settings.ZHIFA_PORTAL_STATE_MS = 0
    sys.path.insert(0, str(BENCH))
    try:
        import portal_data

        portal_data.generate(N, batch=64)
    finally:
        sys.path.remove(str(BENCH))
    return list(selectors.public_list().values_list("pk", flat=True))


def _page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    ids = [int(pk) for pk in re.findall(r'href="/portal/decisions/(\d+)/"', body)]
    links = {
        rel: html.unescape(href)
        for href, rel in re.findall(r'<a href="(\?[^"]*)" rel="(prev|next)"', body)
    }
    number = int(re.search(r"第 (\d+) 页", body).group(1)) if "第 " in body else 1
    return ids, links, number


def test_pages_walk_the_whole_list_forwards_and_back(client, decisions):
    assert len(decisions) == N
    ids, links, number = _page(client, LIST)
    assert (ids, number, "prev" in links) == (decisions[:20], 1, False)
    second, links, number = _page(client, LIST + links["next"])
    assert (second, number) == (decisions[20:40], 2)
    third, links, number = _page(client, LIST + links["next"])
    assert (third, number, "next" in links) == (decisions[40:], 3, False)
    back, links, number = _page(client, LIST + links["prev"])
    assert (back, number) == (decisions[20:40], 2)
    first, links, number = _page(client, LIST + links["prev"])
    assert (first, number, "prev" in links) == (decisions[:20], 1, False)


def test_filters_are_kept_from_page_to_page(client, decisions):
    penalties = list(selectors.public_list(kind="penalty").values_list("pk", flat=True))
    assert len(penalties) > 20  # the generator writes mostly penalties
    ids, links, _number = _page(client, LIST + "?kind=penalty")
    assert "kind=penalty" in links["next"]
    second, _links, _number = _page(client, LIST + links["next"])
    assert ids + second == penalties[:40]


def test_a_page_without_a_valid_cursor_is_the_first(client, decisions):
    for query in ("?page=7", "?after=2026-13-01.5", "?after=x.y", "?before=.", "?before=1"):
        ids, links, number = _page(client, LIST + query)
        assert (ids, number, "prev" in links) == (decisions[:20], 1, False), query
