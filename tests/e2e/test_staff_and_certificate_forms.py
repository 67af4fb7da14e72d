"""The office adds a staff member and registers an enforcement certificate through the forms.
Invalid input comes back with a Chinese error next to the field and everything typed kept."""

import re

import pytest
from playwright.sync_api import expect

from zhifa.org.models import Certificate, Staff

pytestmark = pytest.mark.e2e


def field(page, label: str):
    """The `.field` block of the form field labelled `label` (with its errors)."""
    return page.locator(".field").filter(has=page.get_by_label(label, exact=True))


def test_office_adds_staff_and_registers_certificate(page, new_page, log_in, nav):
    log_in(page, "office1")
    page.locator("nav.mainnav").get_by_role("link", name="工作人员").click()
    page.get_by_role("link", name="添加工作人员").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("添加工作人员")

    # A login that is taken: the service refuses, the form keeps what was typed.
    page.get_by_label("登录名").fill("officer2")
    page.get_by_label("初始密码").fill("chushi-mima-8")
    page.get_by_label("姓名", exact=True).fill("韩梅")
    page.get_by_label("科室", exact=True).select_option(label="法制科")
    page.get_by_label("职务").fill("科员")
    page.get_by_label("联系电话").fill("0319-5825009")
    page.get_by_label("执法人员", exact=True).check()
    page.get_by_role("button", name="保存").click()

    expect(field(page, "登录名").get_by_role("alert")).to_contain_text("已存在")
    expect(page.get_by_label("登录名")).to_have_value("officer2")
    expect(page.get_by_label("姓名", exact=True)).to_have_value("韩梅")
    expect(page.get_by_label("科室", exact=True).locator("option:checked")).to_have_text("法制科")
    expect(page.get_by_label("联系电话")).to_have_value("0319-5825009")
    expect(page.get_by_label("执法人员", exact=True)).to_be_checked()
    assert not Staff.objects.filter(real_name="韩梅").exists()

    page.get_by_label("登录名").fill("officer9")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已添加工作人员：韩梅。")
    expect(page.get_by_role("heading", level=1)).to_have_text("韩梅")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("宁晋县发展改革局")
    expect(facts).to_contain_text("法制科")
    expect(facts).to_contain_text("执法人员")
    expect(page.locator(".table-wrap").first).to_contain_text("暂无执法证。")

    # The certificate: valid_to before valid_from is refused, and the input is kept.
    page.get_by_role("link", name="登记执法证").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记执法证：韩梅")
    page.get_by_label("证件编号").fill("冀130528009999")
    page.get_by_label("发证机关").fill("河北省人民政府")
    page.get_by_label("发展改革", exact=True).check()
    page.get_by_label("招标投标", exact=True).check()
    page.get_by_label("有效期起").fill("2026-03-01")
    page.get_by_label("有效期至").fill("2026-02-28")
    page.get_by_role("button", name="保存").click()

    expect(field(page, "有效期至").get_by_role("alert")).to_have_text("有效期至不能早于有效期起。")
    expect(page.get_by_label("证件编号")).to_have_value("冀130528009999")
    expect(page.get_by_label("发证机关")).to_have_value("河北省人民政府")
    expect(page.get_by_label("发展改革", exact=True)).to_be_checked()
    expect(page.get_by_label("招标投标", exact=True)).to_be_checked()
    expect(page.get_by_label("节能监察", exact=True)).not_to_be_checked()
    expect(page.get_by_label("有效期起")).to_have_value("2026-03-01")
    expect(page.get_by_label("有效期至")).to_have_value("2026-02-28")
    assert not Certificate.objects.filter(number="冀130528009999").exists()

    page.get_by_label("有效期至").fill("2029-02-28")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_have_text("已为韩梅登记执法证。")
    expect(page).to_have_url(re.compile(r"/org/staff/\d+/$"))
    row = page.locator(".table-wrap tbody tr").filter(has_text="冀130528009999")
    expect(row).to_contain_text("发展改革、招标投标")
    expect(row).to_contain_text("2026-03-01 至 2029-02-28")
    expect(row.locator(".tag")).to_have_text("有效")

    # The list shows the new colleague, and the new account can sign in with its role.
    page.goto("/org/staff/")
    expect(page.locator("tbody tr").filter(has_text="韩梅")).to_contain_text("法制科")
    newcomer = new_page()
    log_in(newcomer, "officer9", "chushi-mima-8")
    expect(newcomer.locator(".topbar .who")).to_contain_text("韩梅 · 宁晋县发展改革局")
    shown = nav(newcomer)
    assert "工作人员" in shown
    assert not {"执法证", "科室", "培训", "领导小组", "系统配置"} & set(shown), shown
