"""The portal search page and `GET /api/v1/public/search`."""

import json

from zhifa.disclosure import services
from zhifa.disclosure.tests.conftest import published_decision
from zhifa.disclosure.tests.test_search import _correct


def test_search_page_anonymous(cw, client):
    d = published_decision(cw, party=cw.person)
    _correct(cw, d, text="张某某建设光伏电站<b>未</b>核准。")
    home = client.get("/portal/").content.decode()
    assert 'action="/portal/search/"' in home  # the search box on the portal home
    assert client.get("/search/?q=光伏").url == "/portal/search/?q=%E5%85%89%E4%BC%8F"
    page = client.get("/portal/search/", {"q": "光伏"})
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/portal/decisions/{d.pk}/"' in html and "执法决定" in html
    assert "<mark>光伏</mark>" in html and "&lt;b&gt;" in html and "<b>未" not in html
    assert cw.person.id_number not in html and "13800000000" not in html
    empty = client.get("/portal/search/", {"q": "不存在的词语组合"}).content.decode()
    assert "没有找到与“不存在的词语组合”相关的公示内容" in empty
    start = client.get("/portal/search/").content.decode()
    assert "可搜索已公示的" in start


def test_search_page_filters_and_bad_input(cw, client):
    d = published_decision(cw)
    a, b = cw.world.agency_a, cw.world.agency_b
    url = "/portal/search/"
    assert (
        f"/portal/decisions/{d.pk}/"
        in client.get(url, {"q": "能源", "agency": a.pk}).content.decode()
    )
    assert "没有找到" in client.get(url, {"q": "能源", "agency": b.pk}).content.decode()
    assert "没有找到" in client.get(url, {"q": "能源", "kind": "licence"}).content.decode()
    assert "没有找到" in client.get(url, {"q": "能源", "type": "officer"}).content.decode()
    bad = client.get(url, {"q": "能源", "from": "2026-13-45", "page": "x", "kind": "z"})
    assert bad.status_code == 200 and "格式不正确" in bad.content.decode()
    for q in ['"', "*", "NEAR(", "能源 AND", "-", "'", "〔〕", "x" * 600]:
        assert client.get(url, {"q": q}).status_code == 200, q


def test_search_page_paging(cw, client):
    search_page = "/portal/search/"
    from zhifa.disclosure import search

    search.refresh_sources()  # two items named 事项…
    first = client.get(search_page, {"q": "事项", "type": "item"}).content.decode()
    assert first.count('class="search-hit"') == 2
    from zhifa.disclosure import views_search

    views_search.PAGE_SIZE, saved = 1, views_search.PAGE_SIZE
    try:
        one = client.get(search_page, {"q": "事项", "type": "item"}).content.decode()
        assert one.count('class="search-hit"') == 1 and "page=2" in one and "下一页" in one
        two = client.get(search_page, {"q": "事项", "type": "item", "page": 2}).content.decode()
        assert two.count('class="search-hit"') == 1 and "上一页" in two and "下一页" not in two
    finally:
        views_search.PAGE_SIZE = saved


def test_search_api(cw, client):
    d = published_decision(cw)
    services.disclosure_withdraw(
        acting_user=cw.user("leader_a"), disclosure=d, reason="决定被撤销", changed_on=d.decided_on
    )
    response = client.get("/api/v1/public/search", {"q": "能源"})
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None and [i["id"] for i in body["items"]] == [d.pk]
    item = body["items"][0]
    assert item["status"] == "withdrawn" and item["party_name"] == cw.org.name
    assert item["url"] == f"/portal/decisions/{d.pk}/" and item["kind"] == "penalty"
    a, b = cw.world.agency_a.pk, cw.world.agency_b.pk
    assert client.get("/api/v1/public/search", {"q": "能源", "agency": b}).json()["items"] == []
    assert len(client.get("/api/v1/public/search", {"q": "能源", "agency": a}).json()["items"]) == 1
    assert (
        client.get("/api/v1/public/search", {"q": "能源", "kind": "licence"}).json()["items"] == []
    )
    day = d.decided_on.isoformat()
    ok = client.get("/api/v1/public/search", {"q": "能源", "date_from": day, "date_to": day})
    assert len(ok.json()["items"]) == 1
    assert client.get("/api/v1/public/search", {"q": '"*NEAR AND'}).json()["items"] == []


def test_search_api_paging_and_errors(cw, client):
    published_decision(cw)
    page = client.get("/api/v1/public/search", {"q": "能源", "limit": 1}).json()
    assert len(page["items"]) == 1 and page["next"] is None
    for params in [
        {},
        {"q": ""},
        {"q": "能源", "cursor": "abc"},
        {"q": "能源", "cursor": "-1"},
        {"q": "能源", "kind": "other"},
        {"q": "能源", "date_from": "2026-02-30"},
        {"q": "能源", "date_from": "2026-02-01", "date_to": "2026-01-01"},
        {"q": "能源", "agency": "x"},
        {"q": "能源", "limit": 0},
        {"q": "能" * 501},
    ]:
        response = client.get("/api/v1/public/search", params)
        assert response.status_code == 400, params
        detail = json.loads(response.content)["detail"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), params
