"""People of 宁晋县市场监督管理局 cannot see 宁晋县发展改革局's people: its pages answer 404
when opened by URL (to read, edit or certify), and the lists leave them out."""

import pytest
from playwright.sync_api import expect

from zhifa.org.models import Certificate, Staff

pytestmark = pytest.mark.e2e


def test_other_agency_gets_404_and_own_agency_lists(page, new_page, log_in):
    zhang_wei = Staff.objects.get(user__username="officer1")
    certificate = Certificate.objects.get(holder=zhang_wei)
    colleague = Staff.objects.get(user__username="office-b")

    # An officer of 宁晋县市场监督管理局.
    log_in(page, "officer-b")
    response = page.goto(f"/org/staff/{zhang_wei.pk}/")
    assert response.status == 404
    expect(page.locator("body")).not_to_contain_text("张伟")

    response = page.goto(f"/org/staff/{colleague.pk}/")  # the same URL works for a colleague
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_have_text("周琳")

    page.goto("/org/staff/")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="孙磊")).to_have_count(1)
    expect(rows.filter(has_text="周琳")).to_have_count(1)
    table = page.locator(".table-wrap")
    expect(table).not_to_contain_text("宁晋县发展改革局")
    expect(table).not_to_contain_text("张伟")
    expect(page.locator("select#agency")).to_have_count(0)  # no agency filter either

    page.get_by_label("搜索").fill("张伟")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("tbody tr")).to_have_text("没有符合条件的工作人员。")

    # Its office, which may manage staff and certificates - but only its own.
    office = new_page()
    log_in(office, "office-b")
    for path in [
        f"/org/staff/{zhang_wei.pk}/edit/",
        f"/org/staff/{zhang_wei.pk}/certificates/new/",
        f"/org/certificates/{certificate.pk}/",
    ]:
        response = office.goto(path)
        assert response.status == 404, path
        expect(office.locator("body")).not_to_contain_text(certificate.number)

    office.goto("/org/certificates/")
    expect(office.locator(".table-wrap")).to_contain_text("孙磊")
    expect(office.locator(".table-wrap")).not_to_contain_text("张伟")
    expect(office.locator("#expired")).to_have_count(0)  # 陈静's expired certificate is not theirs
