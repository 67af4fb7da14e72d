"""Anyone, without logging in: searches the portal from its home page, narrows the results
with the filters, opens a decision; a decision number and a phone-sized screen work too."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _hits(page):
    return page.locator("li.search-hit")


def test_anonymous_search_journey(page, axe):
    page.goto("/portal/")
    page.get_by_role("searchbox", name="搜索公示内容").fill("处罚")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/portal/search/\?q=%E5%A4%84%E7%BD%9A"))
    expect(page.get_by_role("heading", level=1)).to_have_text("公示内容搜索")
    expect(_hits(page).first).to_be_visible()
    # decisions and enforcement items both match 处罚, each with its type badge
    expect(page.locator(".search-type", has_text="执法决定").first).to_be_visible()
    expect(page.locator(".search-type", has_text="执法事项").first).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_have_text("处罚")
    assert not axe(page)

    page.get_by_label("内容").select_option(label="执法决定")
    page.get_by_label("类别").select_option(label="处罚")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"type=decision"))
    types = page.locator(".search-type").all_inner_texts()
    assert types and set(types) == {"执法决定"}
    first = _hits(page).first.get_by_role("link")
    title = first.inner_text()
    number = title.split(" · ")[-1]
    first.click()
    expect(page).to_have_url(re.compile(r"/portal/decisions/\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("决定公示")
    expect(page.locator("body")).to_contain_text(number)

    # the decision number found again, whole, from the portal navigation's search page
    page.locator("nav.portalnav").get_by_role("link", name="搜索").click()
    page.get_by_role("searchbox", name="查询词").fill(number)
    page.get_by_role("button", name="搜索").click()
    expect(_hits(page).first.get_by_role("link")).to_have_text(title)

    page.get_by_role("searchbox", name="查询词").fill("没有这种说法的词")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("status")).to_contain_text("没有找到与“没有这种说法的词”相关的公示内容")


def test_search_on_a_phone(new_page):
    page = new_page(viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True)
    page.goto("/search/?q=李某某")
    expect(page).to_have_url(re.compile(r"/portal/search/\?q="))
    expect(_hits(page).first).to_be_visible()
    expect(page.locator(".search-snippet mark").first).to_have_text("李某某")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page wider than the screen: {width}px"
