"""The office's disclosure work in the browser: an overdue draft found on the 公示发布 page, its
保密审查 by one person with the original and the masked preview side by side, publication by
another, then a correction and a withdrawal whose reasons the portal shows."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _open_draft(page):
    page.goto("/portal/manage/")
    due = page.locator("#due-drafts")
    expect(due).to_contain_text("已超期")
    due.get_by_role("link", name=re.compile(r"宁发改罚〔\d{4}〕1号")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("决定公示")


def test_review_publish_correct_withdraw(new_page, log_in):
    reviewer = log_in(new_page(viewport={"width": 1280, "height": 900}), "reviewer1")
    _open_draft(reviewer)
    original = reviewer.locator("section").filter(has_text="全文原文（内部）")
    preview = reviewer.locator("section").filter(has_text="全文公示预览（脱敏）")
    expect(original).to_contain_text("王志强")  # the legal representative, a natural person
    expect(preview).to_contain_text("王某某")
    expect(preview).not_to_contain_text("王志强")
    reviewer.get_by_label("审查意见").fill("已核对脱敏内容，无涉密信息")
    reviewer.get_by_role("button", name="审查通过").click()
    expect(reviewer.get_by_role("status")).to_contain_text("已办理")
    expect(reviewer.get_by_role("button", name="批准并发布")).to_have_count(
        0
    )  # not by the reviewer

    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")
    _open_draft(leader)
    leader.get_by_role("button", name="批准并发布").click()
    expect(leader.locator("main")).to_contain_text("已公示")
    number = leader.get_by_role("heading", level=1).inner_text().split("：", 1)[1]

    public = new_page(viewport={"width": 1280, "height": 900})
    public.goto("/portal/decisions/")
    public.get_by_role("row").filter(has_text=number).get_by_role("link").first.click()
    expect(public.locator("main")).to_contain_text(number)
    expect(public.locator("main")).to_contain_text("王某某")
    expect(public.locator("main")).not_to_contain_text("王志强")
    detail = public.url

    leader.get_by_label("更正理由（将公示）").fill("更正决定书中的罚款数额表述")
    leader.get_by_role("button", name="发布更正").click()
    expect(leader.get_by_role("status")).to_contain_text("已办理")
    public.goto(detail)
    expect(public.locator("main")).to_contain_text("更正理由：更正决定书中的罚款数额表述")

    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    leader.get_by_label("决定被变更、撤销或确认违法的日期").fill(yesterday)
    leader.get_by_label("撤回理由（将公示）").fill("原处罚决定经行政复议被撤销")
    leader.get_by_role("button", name="撤回公示").click()
    expect(leader.locator("main")).to_contain_text("已撤回")
    public.goto(detail)
    expect(public.get_by_role("note")).to_contain_text("撤回理由：原处罚决定经行政复议被撤销")
