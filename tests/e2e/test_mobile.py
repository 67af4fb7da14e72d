"""At a 375-px phone width the navigation is reachable and no page scrolls sideways as a whole
(wide tables scroll inside their `.table-wrap`)."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PHONE = {
    "viewport": {"width": 375, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(el => {
    if (el.closest('.table-wrap')) return false;
    const r = el.getBoundingClientRect();
    // Wholly off to the left (the skip link until focused) is hidden on purpose.
    return r.width > 0 && r.right > 0 && (r.right > root.clientWidth + 1 || r.left < -1);
  }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''));
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""


def assert_no_sideways_scroll(page, what: str) -> None:
    state = page.evaluate(OVERFLOW)
    assert state["client"] == 375, state
    assert state["scroll"] <= state["client"], f"{what} scrolls sideways: {state}"
    assert not state["wide"], f"{what}: elements stick out of the screen: {state['wide']}"


def test_phone_width(new_page, log_in):
    page = new_page(**PHONE)
    page.goto("/accounts/login/")
    assert_no_sideways_scroll(page, "登录")
    log_in(page, "office1")
    assert_no_sideways_scroll(page, "待办")

    nav = page.locator("nav.mainnav")
    labels = ["工作人员", "执法证", "科室", "培训", "领导小组"]
    for label in labels:
        link = nav.get_by_role("link", name=label, exact=True)
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375, f"{label} off screen: {box}"

    for label in labels:
        nav.get_by_role("link", name=label, exact=True).tap()
        expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_text(label)
        assert_no_sideways_scroll(page, label)

    # A staff page and a form, too; and the wide staff table really scrolls inside its wrapper.
    page.goto("/org/staff/")
    wrap = page.locator(".table-wrap")
    assert wrap.evaluate("el => el.scrollWidth > el.clientWidth"), "table fits: test proves nothing"
    page.locator("tbody").get_by_role("link", name="张伟").tap()
    expect(page).to_have_url(re.compile(r"/org/staff/\d+/$"))
    assert_no_sideways_scroll(page, "张伟")
    page.get_by_role("link", name="登记执法证").tap()
    expect(page.get_by_role("heading", level=1)).to_have_text("登记执法证：张伟")
    assert_no_sideways_scroll(page, "登记执法证")
