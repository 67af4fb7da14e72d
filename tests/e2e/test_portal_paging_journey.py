"""Anyone, on a phone: the public decision list, paged forwards to its last page and back with
the 下一页 / 上一页 links, a kind filter kept from page to page, and a decision opened from a
later page. The 45 decisions come from the portal benchmark's generator (the demo has too few
for a second page), so this journey needs no demo data."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import TIMEOUT_MS
from tests.test_portal_paging import N, decisions  # noqa: F401 - the fixture

pytestmark = pytest.mark.e2e

PER_PAGE = 20


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        viewport={"width": 375, "height": 812},
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    failures: list[str] = []
    page.on("response", lambda r: failures.append(r.url) if r.status >= 500 else None)
    yield page
    context.close()
    assert not failures, f"server errors: {failures}"


def _shown(page) -> list[int]:
    links = page.locator("table.list tbody a[href^='/portal/decisions/']")
    return [int(re.search(r"/(\d+)/$", href).group(1)) for href in _hrefs(links)]


def _hrefs(links) -> list[str]:
    return [links.nth(k).get_attribute("href") for k in range(links.count())]


def _no_sideways_scroll(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_a_visitor_pages_through_the_decisions_on_a_phone(phone, decisions):  # noqa: F811
    page = phone
    page.goto("/portal/decisions/")
    pager = page.get_by_role("navigation", name="分页")
    expect(pager).to_contain_text("第 1 页")
    expect(pager.get_by_role("link", name="上一页")).to_have_count(0)
    assert _shown(page) == decisions[:PER_PAGE]
    _no_sideways_scroll(page)

    pager.get_by_role("link", name="下一页").click()
    expect(pager).to_contain_text("第 2 页")
    assert _shown(page) == decisions[PER_PAGE : 2 * PER_PAGE]
    pager.get_by_role("link", name="下一页").click()
    expect(pager).to_contain_text("第 3 页")
    assert _shown(page) == decisions[2 * PER_PAGE :] and len(decisions) == N
    expect(pager.get_by_role("link", name="下一页")).to_have_count(0)

    pager.get_by_role("link", name="上一页").click()
    expect(pager).to_contain_text("第 2 页")
    assert _shown(page) == decisions[PER_PAGE : 2 * PER_PAGE]

    opened = _shown(page)[0]
    page.locator(f"table.list tbody a[href='/portal/decisions/{opened}/']").click()
    expect(page).to_have_url(re.compile(rf"/portal/decisions/{opened}/$"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _no_sideways_scroll(page)


def test_a_filter_is_kept_when_paging(phone, decisions):  # noqa: F811
    page = phone
    page.goto("/portal/decisions/")
    page.get_by_label("类别").select_option(label="行政处罚")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"kind=penalty"))
    first = _shown(page)
    pager = page.get_by_role("navigation", name="分页")
    if pager.get_by_role("link", name="下一页").count() == 0:
        pytest.skip("the generator made too few penalties for a second page")
    pager.get_by_role("link", name="下一页").click()
    expect(pager).to_contain_text("第 2 页")
    expect(page).to_have_url(re.compile(r"kind=penalty"))
    assert set(_shown(page)).isdisjoint(first)
    for kind in page.locator("table.list tbody tr").all_inner_texts():
        assert "许可" not in kind
