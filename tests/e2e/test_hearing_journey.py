"""A penalty case through its hearing (听证, 处罚法 art. 64) and an extension of its decision
deadline (处罚法 art. 60) in the browser.

Set up through the services (as the demo does): a penalty case of 宁晋县发展改革局 with a
150,000元 fine (over the organisations' hearing threshold), notified 46 days ago, whose party
asked for a hearing; the case is at 听证. Then, in the browser: officer1 (张伟, a handler)
uploads the hearing's video and fills in the 听证笔录 naming himself as presider, which is
refused with the law and the input kept; with reviewer1 (杨帆, not an investigator) as
presider the record is saved, the case moves to 法制审核 and the record is on the case page.
officer1 then asks to extend the decision deadline; leader1 approves it and the clock shows
120 days."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhifa.cases import services as case_services
from zhifa.cases.clocks import decision_due
from zhifa.cases.models import Case, HearingRecord
from zhifa.org.models import Agency

pytestmark = pytest.mark.e2e

AGENCY = "宁晋县发展改革局"
TITLE = "未通过节能审查擅自投入生产（听证浏览器测试）"
REASON = "听证后需补充委托能耗检测，90日内难以作出决定。"
STATEMENTS = "代理人称项目已申请补办节能审查，请求从轻处罚；调查人员出示现场检查笔录和能耗数据。"


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def case_at_hearing() -> Case:
    """The demo maker's case at 事先告知 (its proposal made the demo's way, 裁量基准 included),
    its notice moved back to 46 days ago so that the hearing can have been held lawfully by
    today; then the party's hearing request and the move to 听证."""
    from zhifa.cases.demo import _Maker

    make = _Maker(Agency.objects.get(name=AGENCY))
    officer = make.officer
    party = make.party("宁晋县恒泰特钢有限公司", 302)
    case = make.penalty("CF-002", party, TITLE, "prior_notice", 60, 150_000_00)
    Case.objects.filter(pk=case.pk).update(notified_on=ago(46))
    case = Case.objects.get(pk=case.pk)
    case_services.case_record_response(
        acting_user=officer, case=case, requests_hearing=True, received_on=ago(45)
    )
    case_services.case_advance(acting_user=officer, case=case, to_step="hearing", on=ago(44))
    return Case.objects.get(pk=case.pk)


def test_hearing_record_and_extension_in_the_browser(new_page, log_in, case_steps):
    act, box_of, upload = case_steps.act, case_steps.box, case_steps.upload
    case = case_at_hearing()
    assert case.hearing_right and case.hearing_requested
    url = f"/cases/{case.pk}/"
    officer = log_in(new_page(viewport={"width": 1280, "height": 900}), "officer1")
    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")

    # 听证 is recorded audio-visually (须音像记录), then its record is filled in.
    officer.goto(url)
    expect(officer.locator(".facts")).to_contain_text("听证")
    upload(officer, case_steps.video, description="听证会全程录像")

    def fill(box, presider: str) -> None:
        box.get_by_label("听证通知送达日期").fill(ago(40).isoformat())
        box.get_by_label("听证举行时间").fill(f"{ago(20).isoformat()}T09:30")
        box.get_by_label("听证地点").fill("宁晋县发展改革局三楼听证室")
        box.get_by_label("主持人", exact=True).select_option(label=presider)
        box.get_by_label("记录人", exact=True).select_option(label="李秀英（办公室）")
        box.get_by_label("参加人员").fill("当事人委托代理人周某（律师）")
        box.get_by_label("陈述申辩要点").fill(STATEMENTS)
        box.get_by_label("已交当事人或其代理人核对无误，签字或者盖章").check()

    # A handler may not preside: refused, with the article, and the input is kept.
    box = box_of(officer, "登记听证笔录")
    expect(box.get_by_label("公开举行", exact=True)).to_be_checked()
    expect(box.get_by_label("听证后转到")).to_have_value("legal_review")
    fill(box, "张伟（固定资产投资科）")
    box.get_by_role("button", name="登记听证笔录", exact=True).click()
    expect(officer.get_by_role("alert")).to_contain_text("不能主持听证")
    expect(officer.get_by_role("alert")).to_contain_text("第六十四条第（四）项")
    expect(officer.get_by_label("陈述申辩要点")).to_have_value(STATEMENTS)
    expect(officer.get_by_label("听证地点")).to_have_value("宁晋县发展改革局三楼听证室")
    assert not HearingRecord.objects.filter(case=case).exists()

    # Presided by the legal unit's 杨帆: saved, the hearing step is done.
    officer.get_by_label("主持人", exact=True).select_option(label="杨帆（法制科）")
    officer.get_by_role("button", name="登记听证笔录", exact=True).click()
    expect(officer.get_by_role("status")).to_contain_text("已登记听证笔录")
    expect(officer.get_by_role("status")).to_contain_text("法制审核")
    expect(officer).to_have_url(re.compile(re.escape(url) + "$"))
    hearings = officer.locator("#hearings")
    expect(hearings).to_contain_text("宁晋县发展改革局三楼听证室")
    expect(hearings).to_contain_text("杨帆")
    expect(hearings).to_contain_text("公开举行")
    expect(hearings).to_contain_text("请求从轻处罚")
    case.refresh_from_db()
    assert case.step == "legal_review" and case.hearing_held
    # After a hearing the legal review is mandatory (处罚法 art. 58).
    expect(officer.locator("#legal-review")).to_contain_text("经过听证程序")
    timeline = officer.locator("table.cases-timeline")
    expect(timeline).to_contain_text("听证笔录")

    # Extension of the 90-day decision deadline: officer1 asks, leader1 approves.
    act(
        officer,
        "申请延长处罚决定期限",
        "待局领导审批",
        lambda box: box.get_by_label("延长理由").fill(
            "听证后需补充委托能耗检测，90日内难以作出决定。"
        ),
    )
    expect(officer.locator("#extensions")).to_contain_text("待局领导审批")
    leader.goto(url)

    def approve(box):
        expect(box).to_contain_text("理由：听证后需补充委托能耗检测")
        box.get_by_label("批准延长30日").check()
        box.get_by_label("意见").fill("同意延长30日。")

    act(leader, "审批延长处罚决定期限", "已审批", approve)
    case.refresh_from_db()
    assert case.extended
    due = decision_due(case.filed_on, 120)
    clocks = leader.locator("table.cases-clocks")
    expect(clocks).to_contain_text("作出处罚决定（已延长）")
    expect(clocks).to_contain_text("120日")
    expect(clocks).to_contain_text(due.isoformat())
    expect(leader.locator("#extensions")).to_contain_text("已批准")
    expect(leader.locator("#extensions")).to_contain_text(f"期限至{due.isoformat()}")
    expect(leader.locator("table.cases-timeline")).to_contain_text("批准延长处罚决定期限")
