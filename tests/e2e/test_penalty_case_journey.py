"""An ordinary penalty case (行政处罚·普通程序) from clue to archive in the browser, each step
by the role the flow names: officer1 (承办人, also 科长) registers the clue, leader1 files it
with officer1 and officer2 as handlers, the officers upload a real video and a photo through
the drag-and-drop upload, propose a fine within the item's 裁量基准 (an out-of-range fine
without a reason is refused first), notify the party, record its waiver, leader1
decides, the officer issues and downloads the 行政处罚决定书, serves it (with a video),
records the payment, leader1 closes and the officer archives. Mirrors
src/zhifa/cases/tests/test_views.py::test_full_penalty_case_through_the_pages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhifa.cases.models import Case, CaseStatus
from zhifa.core.codes import uscc_check_char

pytestmark = pytest.mark.e2e

PARTY = "宁晋县鑫源光伏科技有限公司"
TITLE = "未依法办理核准手续擅自开工建设（浏览器测试）"


def credit_code() -> str:
    first17 = "91130528MA0E2E7P1"
    return first17 + uscc_check_char(first17)


def in_order(labels: list[str], expected: list[str]) -> bool:
    """`expected` occurs in `labels` as a subsequence (other entries may come between)."""
    rest = iter(labels)
    return all(any(label == wanted for label in rest) for wanted in expected)


def test_ordinary_penalty_case_from_clue_to_archive(new_page, log_in, case_steps):
    act, advance, upload = case_steps.act, case_steps.advance, case_steps.upload
    officer = log_in(new_page(viewport={"width": 1280, "height": 900}), "officer1")
    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")

    # 线索登记: a new organisation as the party.
    officer.locator("nav.mainnav").get_by_role("link", name="案件办理").click()
    officer.get_by_role("link", name="登记案件线索").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("登记案件线索")
    item = officer.locator("#id_item_version option", has_text="CF-001").get_attribute("value")
    officer.locator("#id_item_version").select_option(item)
    officer.get_by_label("新当事人类别").select_option("organisation")
    officer.get_by_label("新当事人姓名或名称").fill(PARTY)
    officer.get_by_label("统一社会信用代码").fill(credit_code())
    officer.get_by_label("法定代表人或负责人").fill("赵志刚")
    officer.get_by_label("案由").fill(TITLE)
    officer.get_by_label("违法线索").fill("日常巡查发现该公司光伏项目未经核准已开工建设。")
    # 追责时效 (处罚法 art. 36): the violation began two months ago.
    occurred = timezone.localdate() - dt.timedelta(days=60)
    officer.get_by_label("违法行为发生日期").fill(occurred.isoformat())
    officer.get_by_role("button", name="提交").click()
    expect(officer.get_by_role("status")).to_contain_text("已登记案件线索")
    case = Case.objects.get(title=TITLE)
    url = f"/cases/{case.pk}/"
    expect(officer).to_have_url(re.compile(re.escape(url) + "$"))
    advance(officer, "filing", "已转到下一环节：立案审批")

    # 立案审批 by the leader, with two certified handlers.
    leader.goto(url)

    def file(box):
        box.get_by_label("张伟（固定资产投资科）").check()
        box.get_by_label("刘洋（能源和环资科）").check()
        box.get_by_label("审批意见").fill("同意立案，由张伟、刘洋承办。")

    act(leader, "立案审批（予以立案）", "已立案", file)
    case.refresh_from_db()
    assert case.number and case.step == "investigate"

    # 调查取证: the whole-process video and a photo, uploaded in the browser (tus).
    officer.goto(url)
    upload(officer, case_steps.video, case_steps.photo, description="现场检查全过程录像及照片")
    rows = officer.locator("#evidence-list tr[data-evidence-id]")
    expect(rows.filter(has_text="现场检查录像.webm")).to_contain_text("调查取证")
    expect(rows.filter(has_text="现场照片.jpg").locator("img")).to_be_visible()
    video = officer.locator("#evidence-list video").first
    officer.wait_for_function("v => v.readyState >= 1", arg=video.element_handle())
    src = video.get_attribute("src")
    ranged = officer.request.get(src, headers={"Range": "bytes=0-99"})
    assert ranged.status == 206 and len(ranged.body()) == 100
    assert ranged.headers["content-range"].startswith("bytes 0-99/")
    assert ranged.body()[:4] == case_steps.video.read_bytes()[:4]

    advance(officer, "report", "已转到下一环节：调查终结、案件审查")

    # 拟作出的处罚决定 within the item's 裁量基准 (118号): the circumstance “主动停止建设” is
    # 1‰–2‰ of 项目总投资额, here 300万元, so 3000元–6000元. A fine of 8000元 without a
    # departure reason is refused, the form keeps what was typed; 5000元 is within.
    box = case_steps.box(officer, "拟作出的处罚决定")
    box.get_by_label("罚款", exact=True).check()
    circumstance = box.get_by_label("适用的裁量基准情形")
    expect(circumstance.locator("option")).to_have_count(5)  # “请选择” and four lines
    circumstance.select_option("1")
    box.get_by_label("计罚基数（元）：项目总投资额").fill("3000000")
    box.get_by_label("罚款金额（元）").fill("8000")
    box.get_by_label("处罚内容").fill("罚款人民币伍仟元整")
    box.get_by_role("button", name="拟作出的处罚决定", exact=True).click()
    refused = officer.locator(".field.has-error", has_text="偏离裁量基准的理由")
    expect(refused).to_contain_text("拟罚款8000元高于所选情形")
    expect(refused).to_contain_text("3000元–6000元")
    expect(officer.get_by_label("罚款金额（元）")).to_have_value("8000")
    expect(officer.get_by_label("计罚基数（元）：项目总投资额")).to_have_value("3000000")
    expect(officer.get_by_label("适用的裁量基准情形")).to_have_value("1")
    officer.get_by_label("罚款金额（元）").fill("5000")
    officer.get_by_role("button", name="拟作出的处罚决定", exact=True).click()
    expect(officer.get_by_role("status")).to_contain_text("已保存拟作出的处罚决定")
    expect(officer).to_have_url(re.compile(re.escape(url) + "$"))
    check = officer.locator("dd.cases-discretion")
    expect(check).to_contain_text("情形1：未办理核准手续开工建设，主动停止建设并及时补办手续")
    expect(check).to_contain_text("计罚基数：项目总投资额300万元")
    expect(check).to_contain_text("罚款幅度：3000元–6000元；拟罚款：5000元")
    expect(check.locator(".tag.ok")).to_have_text("在裁量基准范围内")

    # 事先告知 and the party's written waiver.
    advance(officer, "prior_notice", "已转到下一环节：事先告知")
    act(officer, "登记事先告知", "已登记事先告知")

    def waive(box):
        box.get_by_label("书面放弃陈述、申辩和听证权利").check()
        box.get_by_label("陈述申辩内容或说明").fill("当事人书面表示放弃陈述、申辩和听证权利。")

    act(officer, "登记当事人陈述申辩、听证申请或放弃", "已登记当事人的意见", waive)
    advance(officer, "decide", "已转到下一环节：决定")

    # 决定 by the leader.
    leader.goto(url)
    act(
        leader,
        "作出决定",
        "已作出决定",
        lambda box: box.get_by_label("作出处罚", exact=True).check(),
    )
    case.refresh_from_db()
    assert case.step == "serve" and case.decision_number

    # 行政处罚决定书: issued, listed with its number, downloaded as PDF.
    officer.goto(url)
    officer.locator("#id_document_kind").select_option(label="行政处罚决定书")
    officer.get_by_role("button", name="出具并生成PDF、DOCX").click()
    expect(officer.get_by_role("status")).to_contain_text(case.decision_number)
    row = officer.locator("table.cases-documents tbody tr", has_text="行政处罚决定书")
    expect(row).to_contain_text(case.decision_number)
    with officer.expect_download() as info:
        row.get_by_role("link", name="PDF").click()
    download = info.value
    assert case.decision_number in download.suggested_filename
    assert download.suggested_filename.endswith(".pdf")
    assert download.path().read_bytes()[:5] == b"%PDF-"

    # 送达 needs an audio-visual record of that step (须音像记录).
    upload(officer, case_steps.video, description="直接送达全过程录像")
    expect(officer.locator("#evidence-list tr[data-evidence-id]", has_text="送达")).to_have_count(1)

    def serve(box):
        box.get_by_label("送达方式").select_option("direct")
        box.get_by_label("说明").fill("当事人法定代表人当场签收送达回证。")

    act(officer, "登记送达", "已登记送达", serve)
    expect(officer.locator(".alert.warning")).to_contain_text("应缴金额")
    act(
        officer,
        "登记缴纳罚款",
        "已登记缴款",
        lambda box: box.get_by_label("缴款金额（元）").fill("5000"),
    )
    advance(officer, "close", "已转到下一环节：结案")

    leader.goto(url)
    act(
        leader,
        "结案",
        "已结案",
        lambda box: box.get_by_label("结案报告摘要").fill("罚款已缴清，案件办结。"),
    )
    officer.goto(url)
    act(officer, "归档", "案件已归档")

    # The archived case: status, nothing left to do, every step in the timeline, in order.
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED and case.fine_amount == 5_000_00
    expect(officer.locator(".head")).to_contain_text("已归档")
    expect(officer.get_by_text("当前环节没有您可以办理的事项。")).to_be_visible()
    clocks = officer.locator("table.cases-clocks")
    for clock in ["决定是否立案", "作出处罚决定", "送达决定书", "缴纳罚款"]:
        expect(clocks).to_contain_text(clock)
    labels = [
        text.strip()
        for text in officer.locator("table.cases-timeline tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.firstChild.textContent)"
        )
    ]
    assert in_order(
        labels,
        [
            "登记案件",
            "环节流转",
            "立案",
            "证据入库",
            "添加证据",
            "环节流转",
            "拟处罚意见",
            "环节流转",
            "事先告知",
            "当事人陈述申辩或听证申请",
            "环节流转",
            "作出决定",
            "出具文书",
            "添加证据",
            "送达",
            "缴纳罚款",
            "环节流转",
            "结案",
            "归档",
        ],
    ), labels
    expect(officer.locator("table.cases-evidence-table tbody tr[data-evidence-id]")).to_have_count(
        3
    )
