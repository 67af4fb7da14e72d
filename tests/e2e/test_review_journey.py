"""A major penalty case through legal review (法制审核) in the browser (issue 5).

Set up through the services (as the demo does): a penalty case of 宁晋县发展改革局 at 调查终结,
two more 局领导 (the demo has one; collective discussion needs the quorum of 3) and a line of the
审核目录清单 that sends cases 涉及重大公共利益 to collective discussion. Then, in the browser:
officer1 proposes the fine with the flag 涉及重大公共利益 and submits the case for review;
reviewer1 (法律职业资格) assigns himself as 审核人 and reviewer2 as 复审人 and returns the case
(退回补充调查), reviewer2 confirms and the case is back at 调查取证; officer1 resubmits (round
2), reviewer1 agrees (同意), reviewer2 confirms, the numbered 法制审核意见书 downloads as PDF;
moving on before officer1 accepts the opinion is refused; officer1 accepts, leader1 records the
collective discussion with its scanned minutes, downloads the minutes and the generated
集体讨论记录 (PDF), and decides."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhifa.cases import services as case_services
from zhifa.cases.models import Case
from zhifa.org.models import Agency
from zhifa.review.models import Review, ReviewRule

pytestmark = pytest.mark.e2e

AGENCY = "宁晋县发展改革局"
TITLE = "未依法办理核准手续擅自建设储能电站（法制审核浏览器测试）"
NUMBER = re.compile(r"宁发改法审〔(\d{4})〕(\d+)号")
MINUTES_NAME = "集体讨论会议记录（签字扫描件）.pdf"
MINUTES = b"%PDF-1.4\n% zhifa e2e minutes\n" + "王建国 李国强 马文华 签字".encode() + b"\n%%EOF\n"


def in_order(labels: list[str], expected: list[str]) -> bool:
    """`expected` occurs in `labels` as a subsequence (other entries may come between)."""
    rest = iter(labels)
    return all(any(label == wanted for label in rest) for wanted in expected)


def case_at_report() -> Case:
    """A penalty case at 调查终结、案件审查 (filed, investigated with a video) and a rule
    requiring collective discussion (the demo agency has three leaders: the quorum)."""
    from zhifa.cases.demo import _Maker

    agency = Agency.objects.get(name=AGENCY)
    ReviewRule.objects.create(
        agency=agency,
        name="涉及重大公共利益的处罚决定",
        basis="本局重大执法决定法制审核目录清单第三项",
        case_kind="penalty",
        major_public_interest=True,
        requires_discussion=True,
    )
    make = _Maker(agency)
    party = make.party("宁晋县恒信储能科技有限公司", 301)
    case = make.penalty("CF-001", party, TITLE, "investigate", 20, 0)
    case_services.case_advance(acting_user=make.officer, case=case, to_step="report")
    return Case.objects.get(pk=case.pk)


def test_major_case_through_two_review_rounds_to_decision(new_page, log_in, case_steps):
    act, advance = case_steps.act, case_steps.advance
    case = case_at_report()
    url = f"/cases/{case.pk}/"
    officer, reviewer, re_reviewer, leader = (
        log_in(new_page(viewport={"width": 1280, "height": 900}), login)
        for login in ("officer1", "reviewer1", "reviewer2", "leader1")
    )

    # 拟作出的处罚决定, flagged 涉及重大公共利益: review and collective discussion required.
    officer.goto(url)

    def propose(box):
        box.get_by_label("罚款", exact=True).check()
        # 裁量基准 (118号): 1‰–2‰ of a 项目总投资额 of 3000万元 is 3万元–6万元.
        box.get_by_label("适用的裁量基准情形").select_option("1")
        box.get_by_label("计罚基数（元）：项目总投资额").fill("30000000")
        box.get_by_label("罚款金额（元）").fill("50000")
        box.get_by_label("处罚内容").fill("罚款人民币伍万元整")
        box.get_by_label("涉及重大公共利益").check()

    act(officer, "拟作出的处罚决定", "已保存拟作出的处罚决定", propose)
    section = officer.locator("#legal-review")
    expect(section).to_contain_text("本案须经法制审核，并须经负责人集体讨论")
    expect(section).to_contain_text("涉及重大公共利益（依据：处罚法第五十八条第一款第（一）项）")
    advance(officer, "legal_review", "已转到下一环节：法制审核")

    def submit(report: str) -> None:
        officer.locator("#legal-review").get_by_role("link", name="报送法制审核").click()
        expect(officer.get_by_label("拟处理意见")).to_have_value("罚款人民币伍万元整")
        officer.get_by_label("调查终结报告").fill(report)
        officer.get_by_role("button", name="提交").click()
        expect(officer.get_by_role("status")).to_contain_text("已报送法制审核。")

    def assign_and_find(round_: int, opinion: str, fill) -> str:
        # reviewer1 finds the submission among the reviews waiting for him (待我办理).
        reviewer.goto("/review/")
        reviewer.locator("ul.review-awaiting a", has_text=TITLE).click()
        heading = reviewer.get_by_role("heading", level=1)
        expect(heading).to_have_text(f"法制审核（第{round_}轮）")
        review_url = reviewer.url
        reviewer.get_by_role("link", name="分配审核人、复审人").click()
        for field, name in (("#id_reviewer", "杨帆"), ("#id_re_reviewer", "赵敏")):
            option = reviewer.locator(f"{field} option", has_text=name)
            reviewer.locator(field).select_option(option.get_attribute("value"))
        reviewer.get_by_role("button", name="提交").click()
        expect(reviewer.get_by_role("status")).to_contain_text("已分配审核人员。")
        reviewer.get_by_role("link", name="填写审核意见").click()
        fill(reviewer)
        reviewer.locator("#id_opinion").select_option(label=opinion)
        reviewer.locator("#id_articles").select_option(index=0)
        reviewer.get_by_role("button", name="提交").click()
        expect(reviewer.get_by_role("status")).to_contain_text("已填写审核意见，待复审。")
        return review_url

    def confirm(review_url: str) -> str:
        re_reviewer.goto(review_url)
        re_reviewer.get_by_role("button", name="复审通过并出具意见书").click()
        expect(re_reviewer.get_by_role("status")).to_contain_text("已复审并出具法制审核意见书。")
        number = re_reviewer.locator("p strong", has_text="法审").inner_text()
        found = NUMBER.fullmatch(number)
        assert found and int(found[1]) == timezone.localdate().year, number
        return number

    # Round 1: 退回补充调查 — the case goes back to 调查取证.
    submit("经调查，当事人未经核准擅自建设储能电站，已完成主体工程。")
    leader.goto(url)  # no decision while the review is open
    expect(leader.locator("details.cases-actionbox summary", has_text="作出决定")).to_have_count(0)

    def send_back(page):
        page.locator('input[name="evidence_lawful"][value="0"]').check()
        page.locator("#id_evidence_note").fill("缺少项目投资额的证明材料。")
        page.get_by_label("意见说明").fill("请补充调取项目备案及投资额证据后重新报送。")

    first_url = assign_and_find(1, "退回补充调查", send_back)
    first = confirm(first_url)
    expect(re_reviewer.locator(".head .tag")).to_have_text("已退回补充调查")
    case.refresh_from_db()
    assert case.step == "investigate"
    officer.goto(url)
    expect(officer.locator("#legal-review")).to_contain_text("退回补充调查")

    # Round 2: resubmitted after further investigation; 同意.
    advance(officer, "report", "已转到下一环节：调查终结、案件审查")
    advance(officer, "legal_review", "已转到下一环节：法制审核")
    submit("经补充调查，已调取项目备案及投资额证据，事实清楚，证据确凿。")
    second_url = assign_and_find(2, "同意", lambda page: None)
    second = confirm(second_url)
    assert second != first
    assert {r.number for r in Review.objects.filter(case=case)} == {first, second}
    with re_reviewer.expect_download() as info:
        re_reviewer.get_by_role("link", name="下载PDF").click()
    download = info.value
    assert download.suggested_filename == f"法制审核意见书_{second}.pdf"
    assert download.path().read_bytes()[:5] == b"%PDF-"

    # Not yet accepted by the handling unit: moving on towards the decision is refused.
    reviewer.goto(url)
    box = case_steps.box(reviewer, "环节流转")
    box.locator("#id_advance_to_step").select_option("prior_notice")
    box.get_by_role("button", name="环节流转", exact=True).click()
    expect(reviewer.get_by_role("alert")).to_contain_text("本案须经法制审核后才能作出决定")

    officer.goto(second_url)
    officer.get_by_role("button", name="采纳审核意见").click()
    expect(officer.get_by_role("status")).to_contain_text("已采纳法制审核意见。")
    reviewer.goto(url)
    advance(reviewer, "prior_notice", "已转到下一环节：事先告知")

    # 事先告知 and the party's waiver; the decision waits for the collective discussion.
    officer.goto(url)
    act(officer, "登记事先告知", "已登记事先告知")

    def waive(box):
        box.get_by_label("书面放弃陈述、申辩和听证权利").check()
        box.get_by_label("陈述申辩内容或说明").fill("当事人书面表示放弃陈述、申辩和听证权利。")

    act(officer, "登记当事人陈述申辩、听证申请或放弃", "已登记当事人的意见", waive)
    advance(officer, "collective", "已转到下一环节：集体讨论")

    # 集体讨论 recorded by leader1, then the decision.
    leader.goto(url)
    leader.locator("#legal-review").get_by_role("link", name="登记集体讨论").click()
    leader.get_by_label("讨论日期").fill(timezone.localdate().isoformat())
    chair = leader.locator("#id_chair option", has_text="王建国").get_attribute("value")
    leader.get_by_label("主持人").select_option(chair)
    leader.get_by_label("讨论决定").fill("同意按法制审核意见对当事人罚款伍万元。")
    for name in ("王建国", "李国强", "马文华"):
        leader.get_by_label(f"{name}的意见（未参加的留空）").fill("同意。")
    expect(leader.get_by_label("讨论事项")).to_have_value(
        "本案拟作出的处理决定：罚款人民币伍万元整"
    )
    leader.get_by_label("会议记录文件（可选）").set_input_files(
        {"name": MINUTES_NAME, "mimeType": "application/pdf", "buffer": MINUTES}
    )
    leader.get_by_role("button", name="提交").click()
    expect(leader.get_by_role("status")).to_contain_text("已登记集体讨论记录。")
    discussion_box = leader.locator("#legal-review .review-discussion")
    expect(discussion_box).to_contain_text("主持人王建国")
    expect(discussion_box).to_contain_text(MINUTES_NAME)

    # The uploaded minutes come back byte for byte under their Chinese name, and the
    # 集体讨论记录 generated from the form downloads as a PDF beside them.
    with leader.expect_download() as info:
        discussion_box.get_by_role("link", name="下载会议记录文件").click()
    download = info.value
    assert download.suggested_filename == MINUTES_NAME
    assert download.path().read_bytes() == MINUTES
    with leader.expect_download() as info:
        discussion_box.get_by_role("link", name="下载PDF").click()
    download = info.value
    assert download.suggested_filename == (
        f"集体讨论记录_{case.number}_{timezone.localdate().isoformat()}.pdf"
    )
    assert download.path().read_bytes()[:5] == b"%PDF-"
    advance(leader, "decide", "已转到下一环节：决定")
    act(
        leader,
        "作出决定",
        "已作出决定",
        lambda box: box.get_by_label("作出处罚", exact=True).check(),
    )
    case.refresh_from_db()
    assert case.step == "serve" and case.decision_number

    # The timeline shows both review rounds, the discussion and the decision, in order.
    labels = [
        text.strip()
        for text in leader.locator("table.cases-timeline tbody tr td:nth-child(3)").evaluate_all(
            "cells => cells.map(c => c.firstChild.textContent)"
        )
    ]
    assert in_order(
        labels,
        [
            "拟处罚意见",
            "环节流转",
            "报送法制审核",
            "分配审核人、复审人",
            "审核人提出审核意见",
            "出具法制审核意见书",
            "法制审核退回补充调查",
            "报送法制审核",
            "分配审核人、复审人",
            "审核人提出审核意见",
            "出具法制审核意见书",
            "采纳法制审核意见",
            "事先告知",
            "集体讨论",
            "作出决定",
        ],
    ), labels
