"""axe-core over every public portal page, at desktop width and at a 375-px phone width: no
serious or critical violation. At phone width no page scrolls sideways as a whole."""

import pytest
from playwright.sync_api import expect

from zhifa.catalog.models import EnforcementItem
from zhifa.disclosure.models import Disclosure, Status
from zhifa.org.models import Agency

pytestmark = pytest.mark.e2e

PHONE = {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True}
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
WIDER_THAN_SCREEN = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > root.clientWidth + 1)
    .slice(0, 3)
    .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + '.' + el.className);
  return {scroll: root.scrollWidth, client: root.clientWidth, wide};
}"""


def _pages() -> list[str]:
    agency = Agency.objects.get(name="宁晋县发展改革局")
    item = EnforcementItem.objects.get(agency=agency, code="XK-001")
    published = Disclosure.objects.filter(status=Status.PUBLISHED).order_by("pk")
    corrected = next(d for d in published if d.versions.count() > 1)
    person = published.get(case__party__kind="person")
    withdrawn = Disclosure.objects.get(status=Status.WITHDRAWN)
    a = f"/portal/agencies/{agency.pk}"
    return [
        "/portal/",
        "/portal/decisions/",
        f"/portal/decisions/{person.pk}/",
        f"/portal/decisions/{corrected.pk}/",
        f"/portal/decisions/{withdrawn.pk}/",
        f"/portal/decisions/{person.pk}/verify/",
        f"{a}/",
        f"{a}/items/{item.pk}/",
        f"{a}/officers/?q=张",
        f"{a}/templates/",
        f"{a}/cards/",
        f"{a}/guides/",
        f"{a}/inspections/",
        "/portal/items/",
        "/portal/inspections/",
    ]


def _report(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['page']}: {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"])
        for v in violations
    )


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_portal_pages_have_no_serious_violations(new_page, axe, size):
    page = new_page(**(PHONE if size == "phone" else DESKTOP))
    violations, wide = [], []
    for url in _pages():
        response = page.goto(url)
        assert response.status == 200, url
        if url.endswith("/verify/"):
            expect(page.locator("#verify-result")).to_contain_text("核验通过")
        violations += axe(page)
        if size == "phone":
            state = page.evaluate(WIDER_THAN_SCREEN)
            if state["scroll"] > state["client"]:
                wide.append(f"{url}: {state}")
    assert not violations, _report(violations)
    assert not wide, "pages scroll sideways at 375 px:\n" + "\n".join(wide)
