"""A licence case (行政许可) in the browser: officer1 registers the application (收件),
notifies the one-time correction (一次性告知补正), accepts it, assigns a second handler as
科长, moves it to 现场核查, uploads the site photo and video, leader1 grants it (准予), the
officer issues and downloads the 准予行政许可决定书, serves it with a video, publishes (公示)
and archives it. Mirrors src/zhifa/cases/tests/test_views.py::test_licence_case_through_the_pages.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from zhifa.cases.models import Case, CaseStatus, Outcome
from zhifa.core.codes import uscc_check_char

pytestmark = pytest.mark.e2e

APPLICANT = "宁晋县瑞光新能源科技有限公司"
TITLE = "10MW分布式光伏发电项目核准申请（浏览器测试）"


def credit_code() -> str:
    first17 = "91130528MA0L1C2E3"
    return first17 + uscc_check_char(first17)


def test_licence_case_from_application_to_archive(new_page, log_in, case_steps):
    act, advance, upload = case_steps.act, case_steps.advance, case_steps.upload
    officer = log_in(new_page(viewport={"width": 1280, "height": 900}), "officer1")
    leader = log_in(new_page(viewport={"width": 1280, "height": 900}), "leader1")

    # 申请: the window registers the application of a new organisation.
    officer.goto("/cases/")
    officer.get_by_role("link", name="受理许可申请").click()
    expect(officer.get_by_role("heading", level=1)).to_have_text("受理许可申请（登记收件）")
    item = officer.locator("#id_item_version option", has_text="XK-001").get_attribute("value")
    officer.locator("#id_item_version").select_option(item)
    officer.get_by_label("新当事人类别").select_option("organisation")
    officer.get_by_label("新当事人姓名或名称").fill(APPLICANT)
    officer.get_by_label("统一社会信用代码").fill(credit_code())
    officer.get_by_label("法定代表人或负责人").fill("孙丽")
    officer.get_by_label("申请事项").fill(TITLE)
    officer.get_by_label("申请材料").fill("项目申请报告、用地预审意见")
    officer.get_by_role("button", name="提交").click()
    expect(officer.get_by_role("status")).to_contain_text("已登记许可申请")
    case = Case.objects.get(title=TITLE)
    url = f"/cases/{case.pk}/"

    # 一次性告知补正, then 受理 once the materials are complete.
    act(
        officer,
        "一次性告知补正",
        "已登记一次性告知补正",
        lambda box: box.get_by_label("需要补正的全部材料").fill("项目申请报告缺少选址意见"),
    )
    act(officer, "受理", "已受理")
    case.refresh_from_db()
    assert case.step == "review" and case.number

    # 审查 → 现场核查 needs two staff: officer1, as 科长, adds officer2.
    act(
        officer,
        "指定承办人",
        "已指定承办人",
        lambda box: box.get_by_label("刘洋（能源和环资科）").check(),
    )
    expect(officer.locator("dl.facts")).to_contain_text("张伟、刘洋")
    advance(officer, "site_check", "已转到下一环节：现场核查")
    upload(officer, case_steps.photo, case_steps.video, description="现场核查照片及录像")
    rows = officer.locator("#evidence-list tr[data-evidence-id]")
    expect(rows.filter(has_text="现场照片.jpg")).to_contain_text("现场核查")
    expect(rows.filter(has_text="现场照片.jpg").locator("img")).to_be_visible()
    image_loaded = "img => img.complete && img.naturalWidth === 320"
    officer.wait_for_function(image_loaded, arg=rows.locator("img").first.element_handle())
    advance(officer, "decide", "已转到下一环节：决定（准予许可）")

    # 决定 by the leader: 准予.
    leader.goto(url)

    def grant(box):
        box.get_by_label("准予许可").check()
        box.get_by_label("许可内容").fill("同意核准该项目。")

    act(leader, "许可决定", "已作出许可决定", grant)
    case.refresh_from_db()
    assert case.outcome == Outcome.GRANTED and case.step == "serve" and case.decision_number

    # 准予行政许可决定书: issued and downloaded; 送达 with its video record.
    officer.goto(url)
    officer.locator("#id_document_kind").select_option(label="准予行政许可决定书")
    officer.get_by_role("button", name="出具并生成PDF、DOCX").click()
    expect(officer.get_by_role("status")).to_contain_text(case.decision_number)
    row = officer.locator("table.cases-documents tbody tr", has_text="准予行政许可决定书")
    with officer.expect_download() as info:
        row.get_by_role("link", name="PDF").click()
    download = info.value
    assert case.decision_number in download.suggested_filename
    assert download.path().read_bytes()[:5] == b"%PDF-"

    upload(officer, case_steps.video, description="送达准予行政许可决定书录像")
    act(
        officer,
        "登记送达",
        "已登记送达",
        lambda box: box.get_by_label("送达方式").select_option("direct"),
    )
    case.refresh_from_db()
    assert case.step == "publish"

    # 公示, then 归档.
    advance(officer, "archive", "已转到下一环节：归档")
    act(officer, "归档", "案件已归档")
    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED
    expect(officer.locator(".head")).to_contain_text("已归档")
    timeline = officer.locator("table.cases-timeline")
    for entry in ["收到许可申请", "一次性告知补正", "受理", "指定承办人", "作出决定", "出具文书"]:
        expect(timeline).to_contain_text(entry)
    for clock in ["受理或一次性告知补正", "作出许可决定", "颁发、送达许可证件或决定书"]:
        expect(officer.locator("table.cases-clocks")).to_contain_text(clock)
