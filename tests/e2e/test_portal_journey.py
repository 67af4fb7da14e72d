"""Anyone, without logging in: the portal home → an agency → an item with its 服务指南 and flow
chart → the officers list, searched → a published decision → its verify page, checked in the
browser against the signed checkpoint."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

AGENCY = "宁晋县发展改革局"


def test_anonymous_portal_journey(page):
    page.goto("/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("行政执法公示平台")
    page.locator("ul.agencies").get_by_role("link", name=AGENCY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(AGENCY)

    page.get_by_role("link", name="企业投资项目核准", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("企业投资项目核准")
    guide = page.locator("#guide")
    expect(guide.get_by_role("heading", name="服务指南")).to_be_visible()
    for label, value in [
        ("受理机构", "审批服务科"),
        ("申请材料", "项目申请书"),
        ("办理流程", "受理 → 审查"),  # from the flow definition
        ("办理时限", "自受理起20个工作日"),  # from the flow's clocks
        ("办公电话", "0319-5861234"),
    ]:
        expect(
            guide.locator("tr").filter(has=page.get_by_role("rowheader", name=label))
        ).to_contain_text(value)
    expect(guide.get_by_role("button", name="打印服务指南")).to_be_visible()
    chart = page.locator("img.flowchart")
    expect(chart).to_be_visible()
    assert chart.evaluate("img => img.complete && img.naturalWidth > 0"), "flow chart SVG not drawn"

    page.locator("nav.portalnav").get_by_role("link", name=AGENCY).click()
    page.get_by_role("link", name="执法人员清单").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("执法人员清单")
    rows = page.locator("table.list tbody tr")
    everyone = rows.count()
    page.get_by_label("姓名或证件编号").fill("张伟")
    page.get_by_role("button", name="查询").click()
    expect(rows.first).to_contain_text("张伟")
    assert 1 <= rows.count() < everyone
    for text in rows.all_inner_texts():
        assert "张伟" in text

    page.locator("nav.portalnav").get_by_role("link", name="执法决定公示").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("执法决定")
    # The natural person's decision is published under the masked name (张某某 style).
    page.get_by_role("link", name=re.compile(r"^李某某$")).first.click()
    expect(page.locator("body")).not_to_contain_text("李明华")
    page.get_by_role("link", name="核验").first.click()
    expect(page.locator("#verify-result")).to_contain_text("核验通过")
