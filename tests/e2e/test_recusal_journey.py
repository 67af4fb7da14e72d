"""回避 (处罚法 art. 43) and 追责时效 (art. 36) in the browser.

Recusal. Set up through the services (as the demo does): a penalty case of 宁晋县发展改革局 at
调查取证, handled by officer1 (张伟) and officer2 (刘洋); one more certified officer, 赵磊, is
added to the agency. In the browser: officer1 records the party's application that 刘洋 withdraw;
the application waits in leader1's 待办; leader1 grants it naming 陈静 (whose certificate has
expired) as the replacement, which is refused with the law and the input kept, then 赵磊: the
case's handlers become 张伟、赵磊 and the history is on the case page.

Limitation. officer1 registers, in the browser, a clue whose violation occurred three years ago
and submits it for filing; leader1's 立案 is refused (超过追责时效, art. 36) with the input kept,
and leader1 decides 不予立案 instead."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.factories import make_certificate, make_staff
from zhifa.cases.models import Case, Outcome, Recusal, RecusalStatus
from zhifa.org.models import Agency
from zhifa.org.roles import Role

pytestmark = pytest.mark.e2e

AGENCY = "宁晋县发展改革局"
TITLE = "未依法办理核准手续擅自开工建设（回避浏览器测试）"
REASON = "当事人书面申请：承办人刘洋系本公司法定代表人的表弟，可能影响公正执法。"
BARRED_TITLE = "擅自改变核准的建设地点（追责时效浏览器测试）"
OPINION = "拟同意立案，由张伟、刘洋承办。"


def ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def case_at_investigation() -> Case:
    from zhifa.cases.demo import _Maker

    agency = Agency.objects.get(name=AGENCY)
    make = _Maker(agency)
    party = make.party("宁晋县鑫源建材有限公司", 311)
    case = make.penalty("CF-001", party, TITLE, "investigate", 20, 0)
    zhao = make_staff(agency, "officer4", Role.OFFICER, unit="固定资产投资科", real_name="赵磊")
    make_certificate(zhao, "冀E2E000004", "发展改革")
    return Case.objects.get(pk=case.pk)


def test_party_recusal_granted_and_handler_replaced(new_page, log_in, case_steps):
    act, box_of = case_steps.act, case_steps.box
    case = case_at_investigation()
    url = f"/cases/{case.pk}/"
    officer = log_in(new_page(viewport={"width": 1280, "height": 900}), "officer1")

    # officer1 (a handler) records the party's application naming 刘洋.
    officer.goto(url)
    expect(officer.locator(".facts")).to_contain_text("张伟、刘洋")

    def application(box):
        box.get_by_label("当事人申请回避").check()
        box.get_by_label("申请回避的承办人").select_option(label="刘洋（能源和环资科）")
        box.get_by_label("申请理由").fill(REASON)

    act(officer, "申请回避", "待局领导决定", application)
    recusals = officer.locator("#recusals")
    expect(recusals).to_contain_text("当事人申请回避")
    expect(recusals).to_contain_text("待局领导决定")
    expect(recusals).to_contain_text("表弟")
    # 决定作出之前，不停止调查: the investigation's actions are still offered.
    expect(officer.locator("details.cases-actionbox summary", has_text="环节流转")).to_be_visible()

    # leader1 sees it in 待办 and decides.
    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")
    todo = leader.get_by_role("link", name=re.compile("作出回避决定"))
    expect(todo).to_be_visible()
    todo.first.click()
    expect(leader).to_have_url(re.compile(re.escape(url) + "$"))

    box = box_of(leader, "作出回避决定")
    expect(box).to_contain_text("理由：当事人书面申请")
    box.get_by_label("决定回避").check()
    box.get_by_label("陈静（审批服务科）").check()  # certificate expired
    box.get_by_label("决定意见").fill("申请理由成立，刘洋回避。")
    box.get_by_role("button", name="作出回避决定", exact=True).click()
    expect(leader.get_by_role("alert").first).to_contain_text("第四十二条")
    expect(leader.get_by_label("决定意见")).to_have_value("申请理由成立，刘洋回避。")
    expect(leader.get_by_label("陈静（审批服务科）")).to_be_checked()
    recusal = Recusal.objects.get(case=case)
    assert recusal.status == RecusalStatus.PENDING

    leader.get_by_label("陈静（审批服务科）").uncheck()
    leader.get_by_label("赵磊（固定资产投资科）").check()
    leader.get_by_role("button", name="作出回避决定", exact=True).click()
    expect(leader.get_by_role("status")).to_contain_text("已作出回避决定")
    expect(leader).to_have_url(re.compile(re.escape(url) + "$"))
    expect(leader.locator(".facts")).to_contain_text("张伟、赵磊")
    recusals = leader.locator("#recusals")
    expect(recusals).to_contain_text("决定回避")
    expect(recusals).to_contain_text("替换承办人：赵磊")
    timeline = leader.locator("table.cases-timeline")
    expect(timeline).to_contain_text("申请回避")
    expect(timeline).to_contain_text("回避决定")
    recusal.refresh_from_db()
    assert recusal.status == RecusalStatus.GRANTED
    assert set(case.handlers.values_list("real_name", flat=True)) == {"张伟", "赵磊"}


def test_time_barred_clue_is_not_filed(new_page, log_in, case_steps):
    act, advance, box_of = case_steps.act, case_steps.advance, case_steps.box
    officer = log_in(new_page(viewport={"width": 1280, "height": 900}), "officer1")
    occurred = ago(3 * 365 + 10)

    # 线索登记 with the violation's date (three years ago, no harm to life, health or money).
    officer.goto("/cases/new/clue/")
    item = officer.locator("#id_item_version option", has_text="CF-001").get_attribute("value")
    officer.locator("#id_item_version").select_option(item)
    officer.locator("#id_party").select_option(index=1)
    officer.get_by_label("案由").fill(BARRED_TITLE)
    officer.get_by_label("违法行为发生日期").fill(occurred.isoformat())
    officer.get_by_role("button", name="提交").click()
    expect(officer.get_by_role("status")).to_contain_text("已登记案件线索")
    case = Case.objects.get(title=BARRED_TITLE)
    url = f"/cases/{case.pk}/"
    expect(officer.locator(".cases-limitation")).to_contain_text("已超过追责时效")
    advance(officer, "filing", "已转到下一环节：立案审批")

    # 立案 is refused with the dates and the article; the input stays.
    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")
    leader.goto(url)
    box = box_of(leader, "立案审批（予以立案）")
    box.get_by_label("张伟（固定资产投资科）").check()
    box.get_by_label("刘洋（能源和环资科）").check()
    box.get_by_label("审批意见").fill(OPINION)
    box.get_by_role("button", name="立案审批（予以立案）", exact=True).click()
    alert = leader.get_by_role("alert").first
    expect(alert).to_contain_text("已超过追责时效")
    expect(alert).to_contain_text("《行政处罚法》第三十六条")
    expect(alert).to_contain_text(f"{occurred:%Y年%m月%d日}")
    expect(alert).to_contain_text("不予立案")
    expect(leader.get_by_label("审批意见")).to_have_value(OPINION)
    expect(leader.get_by_label("张伟（固定资产投资科）")).to_be_checked()
    case.refresh_from_db()
    assert case.step == "filing" and not case.number

    # 不予立案 instead, with its reason.
    leader.goto(url)

    def no_filing(box):
        box.locator("#id_advance_to_step").select_option("no_filing")
        box.get_by_label("理由或意见").fill(
            "违法行为发生已逾二年才被发现，超过追责时效，不予立案。"
        )

    act(leader, "环节流转", "不予立案", no_filing)
    case.refresh_from_db()
    assert case.outcome == Outcome.NOT_FILED
