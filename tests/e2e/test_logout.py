"""Logging out ends the session: the header's 退出 leads to the login page and 待办 is closed."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_logout(page, log_in):
    log_in(page, "officer1")
    page.locator(".topbar").get_by_role("button", name="退出").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator("nav.mainnav")).to_have_count(0)
    expect(page.locator(".topbar")).not_to_contain_text("张伟")

    page.goto("/todo/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/todo/$"))
