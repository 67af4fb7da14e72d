"""The login page: a wrong password gives a Chinese error and keeps the username; the demo
logins are listed only when the site runs in demo mode (ZHIFA_DEMO=1)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

DEMO_LOGINS = ["officer1", "officer2", "reviewer1", "leader1", "office1", "supervisor1", "admin"]


def test_wrong_password_and_demo_logins(page, settings):
    settings.DEMO = False  # as in production
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    expect(page.locator(".demo-logins")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text("zhifa-demo")

    page.locator("#id_username").fill("officer1")
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    expect(page.locator("#id_username")).to_have_value("officer1")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("nav.mainnav")).to_have_count(0)

    # In demo mode the same page lists the demo logins and their password.
    settings.DEMO = True
    page.reload()
    demo_logins = page.locator(".demo-logins")
    expect(demo_logins).to_contain_text("zhifa-demo")
    for login in DEMO_LOGINS:
        expect(demo_logins.locator("code", has_text=re.compile(f"^{login}$"))).to_have_count(1)

    # The right password then works from the same form.
    page.locator("#id_username").fill("officer1")
    page.locator("#id_password").fill("zhifa-demo")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))
    expect(page.locator(".topbar .who")).to_contain_text("张伟")
