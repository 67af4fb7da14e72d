"""Accessibility smoke check: axe-core finds no serious or critical violation on the login page
(with the demo logins), 待办 and the certificate page (with its expiry alerts showing)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['page']}: {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


def test_no_serious_violations(page, axe, settings):
    settings.DEMO = True  # the demo logins list is part of what people see on the login page
    violations = []

    page.goto("/accounts/login/")
    expect(page.locator(".demo-logins")).to_be_visible()
    violations += axe(page)

    page.locator("#id_username").fill("office1")
    page.locator("#id_password").fill("zhifa-demo")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile(r"/todo/$"))
    violations += axe(page)

    page.goto("/org/certificates/")
    expect(page.locator("#expired")).to_be_visible()
    expect(page.locator("#expiring")).to_be_visible()
    violations += axe(page)

    assert not violations, _report(violations)
