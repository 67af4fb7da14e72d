"""Accessibility smoke check: axe-core finds no serious or critical violation on the login
page, 待办 and the certificate page (with its expiry alerts showing)."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def _report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )


def test_login_page(page, axe, settings):
    settings.DEMO = True  # the demo logins list is part of the page people will see
    page.goto("/accounts/login/")
    expect(page.locator(".demo-logins")).to_be_visible()
    violations = axe(page)
    assert not violations, _report(violations)


@pytest.mark.parametrize(
    ("path", "heading"), [("/todo/", "我的待办"), ("/org/certificates/", "行政执法证")]
)
def test_signed_in_pages(page, log_in, axe, path, heading):
    log_in(page, "office1")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    if path == "/org/certificates/":
        expect(page.locator("#expired")).to_be_visible()
        expect(page.locator("#expiring")).to_be_visible()
    violations = axe(page)
    assert not violations, _report(violations)
