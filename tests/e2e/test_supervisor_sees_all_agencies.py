"""The county supervisor (县司法局法制监督) sees the staff of every agency, read-only, and can
narrow the list to one agency."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_supervisor_sees_both_agencies_in_staff(page, log_in):
    log_in(page, "supervisor1")
    page.locator("nav.mainnav").get_by_role("link", name="工作人员").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("工作人员")

    rows = page.locator("tbody tr")
    for name, agency in [
        ("张伟", "宁晋县发展改革局"),
        ("陈静", "宁晋县发展改革局"),
        ("孙磊", "宁晋县市场监督管理局"),
        ("周琳", "宁晋县市场监督管理局"),
    ]:
        expect(rows.filter(has_text=name)).to_contain_text(agency)
    expect(page.get_by_role("link", name="添加工作人员")).to_have_count(0)

    page.get_by_label("执法主体").select_option(label="宁晋县市场监督管理局")
    page.get_by_role("button", name="查询").click()
    expect(rows).to_have_count(2)
    expect(page.locator(".table-wrap")).not_to_contain_text("宁晋县发展改革局")

    rows.filter(has_text="孙磊").get_by_role("link", name="孙磊").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("孙磊")
    expect(page.locator("dl.facts")).to_contain_text("宁晋县市场监督管理局")
    expect(page.get_by_role("link", name="编辑")).to_have_count(0)
    expect(page.get_by_role("link", name="登记执法证")).to_have_count(0)
