"""The office drafts a licence item with its 服务指南, a leader approves it, the portal shows the
guide; a revision (the window moved) is approved in turn and the portal shows the new guide and
both versions."""

import pytest
from playwright.sync_api import expect

from zhifa.catalog.models import FlowDefinition
from zhifa.org.models import Unit

pytestmark = pytest.mark.e2e

GUIDE = {
    "服务指南·受理机构": "宁晋县发展改革局审批服务科",
    "服务指南·审批机构": "宁晋县发展改革局",
    "服务指南·许可条件": "符合国家产业政策和行业准入标准。",
    "服务指南·申请材料": "1. 申请表；2. 项目可行性研究报告。",
    "服务指南·救济渠道": "六十日内申请行政复议，或者六个月内提起行政诉讼。",
    "服务指南·办公时间": "工作日 8:30—17:30",
    "服务指南·办公地址": "宁晋县政务服务中心二楼",
    "服务指南·办公电话": "0319-5861234",
}


def _approve(page, number: int) -> None:
    page.get_by_role("button", name=f"批准第{number}版").click()
    expect(page.get_by_role("status")).to_contain_text(f"已批准第{number}版")


def test_item_with_guide_drafted_approved_published_and_revised(new_page, log_in):
    office = log_in(new_page(viewport={"width": 1280, "height": 900}), "office1")
    office.goto("/catalog/items/new/")
    office.get_by_label("事项编码").fill("XK-009")
    office.get_by_label("事项名称").fill("企业投资项目核准变更")
    office.get_by_label("执法类别").select_option("licence")
    unit = Unit.objects.get(agency__short_name="宁发改", name="审批服务科")
    office.get_by_label("承办科室").select_option(str(unit.pk))
    office.get_by_label("职责", exact=True).fill("对已核准项目的变更申请进行审查。")
    office.get_by_label("权限", exact=True).fill("作出是否同意变更的决定。")
    office.get_by_label("依据", exact=True).fill("企业投资项目核准和备案管理条例 第十二条")
    office.get_by_label("办理流程").select_option(
        str(FlowDefinition.objects.get(code="licence").pk)
    )
    for label, value in GUIDE.items():
        office.get_by_label(label).fill(value)
    office.get_by_role("button", name="保存草稿").click()
    expect(office.get_by_role("status")).to_contain_text("已新增执法事项 XK-009")
    item_url = office.url
    expect(office.get_by_role("button", name="批准第1版")).to_have_count(0)  # not the drafter

    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")
    leader.goto(item_url)
    _approve(leader, 1)

    public = new_page(viewport={"width": 1280, "height": 900})
    public.goto("/portal/items/")
    public.get_by_role("link", name="企业投资项目核准变更", exact=True).click()
    guide = public.locator("#guide")
    expect(guide).to_contain_text("宁晋县政务服务中心二楼")
    expect(guide).to_contain_text("《企业投资项目核准和备案管理条例》第十二条")
    portal_url = public.url

    office.goto(item_url)
    office.get_by_role("link", name="提出修订").click()
    office.get_by_label("服务指南·办公地址").fill("宁晋县政务服务中心三楼东侧")
    office.get_by_label("变更说明").fill("办事窗口搬迁")
    office.get_by_role("button", name="保存草稿").click()
    expect(office.get_by_role("status")).to_contain_text("已保存第2版草稿")
    expect(office.locator("#v2 .catalog-diff")).to_contain_text("宁晋县政务服务中心三楼东侧")

    public.goto(portal_url)
    expect(public.locator("#guide")).to_contain_text("宁晋县政务服务中心二楼")  # not yet approved
    leader.goto(item_url)
    _approve(leader, 2)
    public.goto(portal_url)
    expect(public.locator("#guide")).to_contain_text("宁晋县政务服务中心三楼东侧")
    expect(public.locator("section.version")).to_have_count(2)
    expect(public.locator("main")).to_contain_text("变更说明：办事窗口搬迁")
