"""当场收缴罚款 (处罚法 arts. 68-71) in the browser.

Set up through the services (as the demo does): two 当场处罚 decisions of 宁晋县发展改革局 on
the demo's farmer 张建军, of 50元 and of 150元, both waiting at 缴纳罚款. Then, in the browser:
officer1 (张伟, a handler) records the 50元 as collected on the spot (100元 or less, art. 68(1))
with the receipt number (art. 70); the case page shows the 2-working-day hand-over clock and
his 待办 lists it; he hands the cash to office1 (李秀英, 办公室), whose 待办 then lists the
banking, and she records it with the bank's voucher number: both clocks are met. On the
150元 case, cash without a ground is refused with art. 68 and the input is kept."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from zhifa.cases import services as case_services
from zhifa.cases.clocks import cash_banking_due, cash_handover_due
from zhifa.cases.models import Case, CashCollection, MediaKind, Party, PaymentMethod
from zhifa.org.models import Agency

pytestmark = pytest.mark.e2e

AGENCY = "宁晋县发展改革局"
RECEIPT = "冀财罚字（2026）0012345"


def on_the_spot(fine: int, title: str) -> Case:
    from zhifa.cases.demo import _Maker, _simple_av

    agency = Agency.objects.get(name=AGENCY)
    make = _Maker(agency)
    return case_services.case_simple_penalty(
        acting_user=make.officer,
        item_version=make.items["CF-001"],
        party=Party.objects.get(agency=agency, name="张建军"),
        title=title,
        facts="现场检查发现当事人占用公共通道堆放建筑材料，当事人当场承认。",
        penalty_types=["罚款"],
        fine_amount=fine,
        handlers=make.handlers,
        av_evidence=[(_simple_av(), MediaKind.VIDEO)],
        decided_on=timezone.localdate(),
    )


def test_cash_collected_handed_over_and_banked(new_page, log_in, case_steps):
    act, box_of = case_steps.act, case_steps.box
    today = timezone.localdate()
    small = on_the_spot(50_00, "占用公共通道堆放建筑材料（当场收缴浏览器测试）")
    large = on_the_spot(150_00, "擅自占用道路施工（当场收缴浏览器测试）")
    officer = log_in(new_page(viewport={"width": 1280, "height": 900}), "officer1")
    office = log_in(new_page(viewport={"width": 1280, "height": 900}), "office1")

    # 150元 in cash without a ground: refused with art. 68, the input kept.
    officer.goto(f"/cases/{large.pk}/")
    box = box_of(officer, "登记缴纳罚款")
    box.get_by_label("缴款金额（元）").fill("150")
    box.get_by_label("当场收缴", exact=True).check()
    box.get_by_label("当场收缴的具体理由").fill("当事人称身上只有现金。")
    box.get_by_label("罚款收据号码").fill("冀财罚字（2026）0099999")
    box.get_by_role("button", name="登记缴纳罚款", exact=True).click()
    alert = officer.get_by_role("alert")
    expect(alert).to_contain_text("当场收缴罚款须有法定情形")
    expect(alert).to_contain_text("第六十八条")
    expect(alert).to_contain_text("请改为银行/电子缴纳")
    expect(officer.get_by_label("缴款金额（元）")).to_have_value("150")
    expect(officer.get_by_label("当场收缴", exact=True)).to_be_checked()
    expect(officer.get_by_label("当场收缴的具体理由")).to_have_value("当事人称身上只有现金。")
    expect(officer.get_by_label("罚款收据号码")).to_have_value("冀财罚字（2026）0099999")
    # Claiming “100元以下” for 150元 is refused as well.
    officer.get_by_label("当场收缴的情形").select_option("small_fine")
    officer.get_by_role("button", name="登记缴纳罚款", exact=True).click()
    expect(officer.get_by_role("alert")).to_contain_text("超过100元")
    expect(officer.get_by_role("alert")).to_contain_text("第六十八条第（一）项")
    large.refresh_from_db()
    assert large.paid_on is None and not CashCollection.objects.filter(case=large).exists()

    # 50元 collected on the spot with the official receipt (arts. 68(1), 70).
    url = f"/cases/{small.pk}/"
    officer.goto(url)

    def pay_cash(box):
        box.get_by_label("缴款金额（元）").fill("50")
        box.get_by_label("当场收缴", exact=True).check()
        box.get_by_label("当场收缴的情形").select_option("small_fine")
        box.get_by_label("罚款收据号码").fill(RECEIPT)

    act(officer, "登记缴纳罚款", "已登记缴款", pay_cash)
    small.refresh_from_db()
    assert small.payment_method == PaymentMethod.CASH and small.paid_amount == 50_00
    expect(officer.locator(".facts")).to_contain_text(RECEIPT)
    clocks = officer.locator("table.cases-clocks")
    expect(clocks).to_contain_text("当场收缴的罚款交至行政机关")
    expect(clocks).to_contain_text("2个工作日")
    expect(clocks).to_contain_text(cash_handover_due(today).isoformat())

    # The officer's 待办 lists the hand-over.
    officer.goto("/todo/")
    todo = officer.get_by_role("link", name=re.compile("当场收缴的罚款交至行政机关"))
    expect(todo).to_be_visible()
    todo.first.click()
    expect(officer).to_have_url(re.compile(re.escape(url) + "$"))

    # Handed to the 办公室 (art. 71).
    act(
        officer,
        "当场收缴的罚款交至行政机关",
        "已登记罚款交至行政机关",
        lambda box: box.get_by_label("接收人（办公室）").select_option(label="李秀英（办公室）"),
    )
    expect(officer.locator(".facts")).to_contain_text("李秀英")

    # The office's 待办 lists the banking; office1 records it.
    office.goto("/todo/")
    todo = office.get_by_role("link", name=re.compile("当场收缴的罚款缴付指定银行"))
    expect(todo).to_be_visible()
    todo.first.click()
    expect(office).to_have_url(re.compile(re.escape(url) + "$"))
    expect(office.locator("table.cases-clocks")).to_contain_text(
        cash_banking_due(today).isoformat()
    )
    act(
        office,
        "当场收缴的罚款缴付银行",
        "已登记罚款缴付银行",
        lambda box: box.get_by_label("银行缴款凭证号").fill("NJ-BANK-20260001"),
    )
    clocks = office.locator("table.cases-clocks")
    for label in ("当场收缴的罚款交至行政机关", "当场收缴的罚款缴付指定银行"):
        row = clocks.locator("tr", has_text=label)
        expect(row).to_contain_text(f"已于{today.isoformat()}完成")
    expect(office.locator(".facts")).to_contain_text("NJ-BANK-20260001")
    timeline = office.locator("table.cases-timeline")
    expect(timeline).to_contain_text("当场收缴的罚款交至行政机关")
    expect(timeline).to_contain_text("当场收缴的罚款缴付银行")
    cash = CashCollection.objects.get(case=small)
    assert cash.handed_over_on == cash.banked_on == today
    office.goto("/todo/")
    expect(office.get_by_role("link", name=re.compile("当场收缴"))).to_have_count(0)
