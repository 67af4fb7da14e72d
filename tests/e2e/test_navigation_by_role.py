"""Each demo role signs in and sees exactly the foundation's navigation entries its permissions
allow. Entries that later capabilities add (执法事项, 案件, …) are not judged here."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

# The foundation's entries, in the order the navigation shows them.
ALL = ["待办", "工作人员", "执法证", "科室", "培训", "领导小组", "系统配置"]

# login, name shown in the header, agency shown in the header, navigation entries in order
ROLES = [
    ("officer1", "张伟", "宁晋县发展改革局", ["待办", "工作人员", "执法证"]),  # + 科室负责人
    ("officer2", "刘洋", "宁晋县发展改革局", ["待办", "工作人员"]),
    ("reviewer1", "杨帆", "宁晋县发展改革局", ["待办", "工作人员", "执法证", "培训"]),
    ("reviewer2", "赵敏", "宁晋县发展改革局", ["待办", "工作人员", "执法证", "培训"]),
    ("leader1", "王建国", "宁晋县发展改革局", ["待办", "工作人员", "执法证", "培训", "领导小组"]),
    (
        "office1",
        "李秀英",
        "宁晋县发展改革局",
        ["待办", "工作人员", "执法证", "科室", "培训", "领导小组"],
    ),
    ("officer-b", "孙磊", "宁晋县市场监督管理局", ["待办", "工作人员"]),
    (
        "office-b",
        "周琳",
        "宁晋县市场监督管理局",
        ["待办", "工作人员", "执法证", "科室", "培训", "领导小组"],
    ),
    ("supervisor1", "吴敏", "宁晋县司法局", ["待办", "工作人员", "执法证", "培训", "领导小组"]),
    ("admin", "admin", None, ["待办", "工作人员", "执法证", "培训", "领导小组", "系统配置"]),
]


@pytest.mark.parametrize(("login", "name", "agency", "entries"), ROLES, ids=[r[0] for r in ROLES])
def test_navigation_shows_what_the_role_may_do(page, log_in, nav, login, name, agency, entries):
    log_in(page, login)
    who = page.locator(".topbar .who")
    expect(who).to_contain_text(name)
    if agency:
        expect(who).to_contain_text(agency)

    shown = [label for label in nav(page) if label in ALL]
    assert shown == entries, f"{login} 的导航不对"
    for label in set(ALL) - set(entries):
        expect(page.locator("nav.mainnav").get_by_role("link", name=label)).to_have_count(0)

    # Every entry shown opens a page the role may use (no 403 behind a visible link).
    for label in entries[1:]:
        link = page.locator("nav.mainnav").get_by_role("link", name=label, exact=True)
        href = link.get_attribute("href")
        response = page.goto(href)
        assert response.status == 200, f"{login}: {label} ({href}) answered {response.status}"
