"""The office configures a push subscriber in the browser (P16): office1 opens 公示推送, adds
the municipal platform, sees its signing secret exactly once (masked afterwards), back-fills it
with the decisions published before it was added, then opens the demo's configured subscriber,
reads its delivery log (the demo URL refuses connections, so every attempt failed and a retry
is scheduled) and retries a message by hand."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from zhifa.disclosure.demo import DEMO_SUBSCRIBER
from zhifa.disclosure.models import Subscriber

pytestmark = pytest.mark.e2e


def test_office_adds_subscriber_and_reads_delivery_log(page, log_in, axe):
    log_in(page, "office1")
    page.locator("nav.mainnav").get_by_role("link", name="公示推送", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("公示推送订阅方")
    expect(page.get_by_role("link", name=DEMO_SUBSCRIBER)).to_be_visible()
    assert axe(page) == []

    page.get_by_role("link", name="添加订阅方").click()
    page.get_by_label("接收平台名称").fill("邢台市公共信用信息平台")
    page.get_by_label("接收地址").fill("http://127.0.0.1:9/credit/receive")
    page.get_by_label("行政处罚").check()
    assert axe(page) == []
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("推送订阅方：邢台市公共信用信息平台")
    secret = page.locator("#push-secret").inner_text().strip()
    stored = Subscriber.objects.get(name="邢台市公共信用信息平台")
    assert secret == stored.secret and len(secret) >= 40
    expect(page.get_by_text("仅显示这一次")).to_be_visible()
    assert axe(page) == []

    page.reload()
    expect(page.locator("#push-secret")).to_have_count(0)
    expect(page.get_by_text(stored.masked_secret)).to_be_visible()
    assert secret not in page.content()

    # Added after the demo's publications: it catches up with a back-fill, once.
    backfill = page.locator("#backfill")
    backfill.get_by_label("我已与接收方确认可以接收补发的记录").check()
    backfill.get_by_role("button", name="补发已公示的记录").click()
    expect(page.get_by_text(re.compile(r"已安排补发 \d+ 条已公示的记录"))).to_be_visible()
    assert stored.messages.filter(backfill=True).exists()
    expect(page.locator("#backfill")).to_contain_text("全部送达后才能再次补发")
    expect(page.locator("table.push-log")).to_contain_text("（补发）")
    assert axe(page) == []

    page.get_by_role("link", name="返回公示推送").click()
    page.get_by_role("link", name=DEMO_SUBSCRIBER).click()
    log = page.locator("table.push-log")
    expect(log).to_contain_text("第1次")
    expect(log).to_contain_text("无法连接接收方")
    rows = log.locator("tbody tr")
    first = rows.first
    expect(first).to_contain_text(re.compile("发布|更正|撤回"))
    attempts_before = first.locator(".attempt").count()
    first.get_by_role("button", name="立即重试").click()
    expect(page.get_by_text("已安排重新推送")).to_be_visible()
    expect(page.locator("table.push-log tbody tr").first.locator(".attempt")).to_have_count(
        attempts_before + 1
    )
    assert axe(page) == []


def test_subscriber_pages_fit_a_phone(new_page, log_in):
    page = new_page(viewport={"width": 375, "height": 740})
    log_in(page, "office1")
    page.goto("/portal/manage/subscribers/")
    page.get_by_role("link", name=DEMO_SUBSCRIBER).click()
    expect(page.locator("table.push-log")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"page is {width}px wide at 375px"
