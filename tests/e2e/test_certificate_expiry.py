"""The office's certificate page flags the expired certificate (陈静, 20 days ago) and the one
expiring within 60 days (刘洋, in 30 days), and leaves valid ones out of both lists."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_office_sees_expired_and_expiring_certificates(page, log_in):
    today = timezone.localdate()
    log_in(page, "office1")
    page.locator("nav.mainnav").get_by_role("link", name="执法证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("行政执法证")

    expired = page.locator("#expired")
    expect(expired).to_contain_text("已过期仍登记为有效（1）")
    expect(expired.locator("li")).to_have_count(1)
    expect(expired.locator("li")).to_contain_text("陈静")
    expect(expired.locator("li")).to_contain_text(f"{today - dt.timedelta(days=20):%Y-%m-%d} 过期")

    expiring = page.locator("#expiring")
    expect(expiring).to_contain_text("60天内到期（1）")
    expect(expiring.locator("li")).to_have_count(1)
    expect(expiring.locator("li")).to_contain_text("刘洋")
    expect(expiring.locator("li")).to_contain_text(f"{today + dt.timedelta(days=30):%Y-%m-%d} 到期")

    for name in ["张伟", "杨帆", "王建国"]:  # valid for years
        expect(page.locator(".alerts")).not_to_contain_text(name)

    # The table marks the expired certificate too, and shows only this agency's certificates.
    rows = page.locator(".table-wrap tbody tr")
    expect(rows.filter(has_text="陈静").locator(".tag")).to_have_text("已过期")
    expect(rows.filter(has_text="刘洋").locator(".tag")).to_have_text("有效")
    expect(rows).to_have_count(5)
    expect(page.locator(".table-wrap")).not_to_contain_text("孙磊")
