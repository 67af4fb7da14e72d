"""Each demo role signs in and sees exactly the foundation's navigation entries its permissions
allow. Entries that later capabilities add (执法事项, 案件, …) are not judged here."""

import pytest

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


def test_navigation_shows_what_each_role_may_do(new_page, log_in, nav):
    """One test over the table (the demo data is loaded once); each role in a fresh browser
    context. Every mismatch is collected, so one run reports all wrong roles."""
    wrong = []
    for login, name, agency, entries in ROLES:
        page = new_page()
        log_in(page, login)
        header = page.locator(".topbar .who").inner_text()
        if name not in header or (agency and agency not in header):
            wrong.append(f"{login}: header shows {header!r}, expected {name} · {agency}")
        shown = [label for label in nav(page) if label in ALL]
        if shown != entries:
            wrong.append(f"{login}: navigation {shown}, expected {entries}")
        # Every entry shown leads to a page the role may use (no 403 behind a visible link).
        nav_bar = page.locator("nav.mainnav")
        for label in shown[1:]:
            href = nav_bar.get_by_role("link", name=label, exact=True).get_attribute("href")
            response = page.request.get(href, max_redirects=0)
            if response.status != 200:
                wrong.append(f"{login}: {label} ({href}) answered {response.status}")
        page.context.close()
    assert not wrong, "\n".join(wrong)
