"""Logging out ends the session: the header's 退出 leads to the login page, 待办 asks for a login
again, and signing in from there returns to the page that was asked for."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_logout_and_back(page, log_in):
    log_in(page, "officer1")
    page.goto("/org/staff/")
    page.locator(".topbar").get_by_role("button", name="退出").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator("nav.mainnav")).to_have_count(0)
    expect(page.locator(".topbar")).not_to_contain_text("张伟")

    page.goto("/org/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/org/staff/$"))
    page.locator("#id_username").fill("officer1")
    page.locator("#id_password").fill("zhifa-demo")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/org/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员")
    expect(page.locator(".topbar .who")).to_contain_text("张伟")
