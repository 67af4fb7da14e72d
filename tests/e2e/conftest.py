"""Browser journeys: Playwright (sync API) driving Debian's /usr/bin/chromium, headless, against
pytest-django's `live_server` with the demo data loaded fresh for every test.

Without /usr/bin/chromium the journeys are skipped, except when CI=true: then they fail.
Each test gets a new browser context (no cookies shared); the browser itself is started once.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

# Playwright's sync API keeps an asyncio loop running in this thread; Django would then refuse
# ORM calls from the test body (demo loading, lookups) as "async unsafe". The live server runs
# in its own thread, so allowing it here is safe.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

import pytest
from django.core.management import call_command

from zhifa.core.demo import DEMO_PASSWORD
from zhifa.ledger.testing import purge_ledger

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
IN_CI = os.environ.get("CI") == "true"
TIMEOUT_MS = 10_000


def pytest_collection_modifyitems(config, items) -> None:
    """Outside CI, skip the journeys up front when there is no browser (no live server started)."""
    if CHROMIUM.exists() or IN_CI:
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} 不存在：浏览器测试已跳过（CI=true 时为必需）")
    for item in items:
        if item.get_closest_marker("e2e"):
            item.add_marker(skip)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail(f"CI=true 但 {CHROMIUM} 不存在：请 apt-get install chromium", pytrace=False)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - dev dependency missing
        if IN_CI:
            raise
        pytest.skip("未安装 playwright（pip install -e '.[dev]'）")
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def demo_data(transactional_db):
    """The demo agencies, people and certificates (`zhifa demo`), loaded for this test.

    The live server needs a transactional database, which is emptied after every test, so the
    data cannot be shared between tests; loading it costs about 0.1-0.2 s. Loading it (and
    every change a journey makes) writes ledger events, whose append-only tables the flush
    cannot empty, so they are purged first.
    """
    call_command("demo", stdout=io.StringIO())
    yield
    purge_ledger()


@pytest.fixture
def new_page(browser, live_server, demo_data, request, tmp_path):
    """Open a page in a fresh browser context: `new_page(viewport={"width": 375, ...})`.

    Every page fails its test on a JavaScript error, a 5xx answer or a request to anywhere but
    the live server (no CDN, no web font); a failed test leaves a
    screenshot of each of its pages in its tmp_path.
    """
    contexts = []
    problems: list[str] = []

    def open_page(**options):
        options = {"locale": "zh-CN", "timezone_id": "Asia/Shanghai", **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"JavaScript error: {error}"))
        page.on(
            "response",
            lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 500 else None,
        )
        # Government intranets have no internet: every asset must come from our own server.
        page.on(
            "request",
            lambda r: (
                None
                if r.url.startswith((live_server.url, "data:", "blob:"))
                else problems.append(f"request outside the server: {r.url}")
            ),
        )
        return page

    yield open_page

    if getattr(request.node, "e2e_failed", False):
        for n, context in enumerate(contexts):
            for m, page in enumerate(context.pages):
                shot = tmp_path / f"page-{n}-{m}.png"
                page.screenshot(path=str(shot), full_page=True)
                print(f"screenshot: {shot}")
    for context in contexts:
        context.close()
    assert not problems, "errors while browsing:\n" + "\n".join(problems)


@pytest.fixture
def page(new_page):
    """A desktop-sized page in a fresh context."""
    return new_page(viewport={"width": 1280, "height": 900})


@pytest.fixture
def log_in():
    """`log_in(page, "office1")`: sign in through the login form as a demo user and land on 待办."""
    from playwright.sync_api import expect

    def do(page, username: str, password: str = DEMO_PASSWORD):
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.get_by_role("button", name="登录").click()
        expect(page).to_have_url(re.compile(r"/todo/$"))
        expect(page.get_by_role("heading", level=1)).to_have_text("我的待办")
        return page

    return do


def nav_labels(page) -> list[str]:
    """The labels of the main navigation, in order."""
    return [text.strip() for text in page.locator("nav.mainnav a").all_inner_texts()]


@pytest.fixture
def nav():
    return nav_labels


@pytest.fixture
def axe():
    """`axe(page)`: run axe-core on the page; returns its violations of impact serious/critical."""
    if not AXE.exists():
        message = f"{AXE} 不存在：请先运行 npm ci（make test 会自动运行）"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)

    def run(page) -> list[dict]:
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {resultTypes: ['violations']})"
            ".then(r => ({version: axe.version, violations: r.violations.map(v => ({"
            " id: v.id, impact: v.impact, help: v.help, page: location.pathname,"
            " nodes: v.nodes.map(n => n.target.join(' ') + ' — ' + n.failureSummary)}))}))"
        )
        assert result["version"], "axe-core did not load"
        return [v for v in result["violations"] if v["impact"] in ("serious", "critical")]

    return run


# --- case pages (the penalty and licence journeys) -------------------------------------------

MEDIA = Path(__file__).resolve().parent / "media"
VIDEO = MEDIA / "现场检查录像.webm"
PHOTO = MEDIA / "现场照片.jpg"


def action_box(page, title: str):
    """The `<details>` of the case page's action `title` (“现在可以办理”), opened."""
    box = page.locator("details.cases-actionbox").filter(
        has=page.locator("summary").get_by_text(title, exact=True)
    )
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def case_act(page, title: str, message: str, fill=None):
    """Open the action `title` on the case page, let `fill(box)` fill its form, submit it and
    expect the page back with `message`; returns the page."""
    from playwright.sync_api import expect

    box = action_box(page, title)
    if fill is not None:
        fill(box)
    box.get_by_role("button", name=title, exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(message)
    return page


def advance_to(page, step: str, message: str = "已转到下一环节"):
    """The generic move (“环节流转”) to the step coded `step`."""
    return case_act(
        page,
        "环节流转",
        message,
        lambda box: box.locator("#id_advance_to_step").select_option(step),
    )


def upload_evidence(page, *files: Path, step: str | None = None, description: str = "") -> None:
    """Upload `files` through the case page's evidence upload (tus) to `step` (default: the
    current step) and wait until each is attached and listed."""
    from playwright.sync_api import expect

    before = page.locator("#evidence-list tr[data-evidence-id]").count()
    if step:
        page.locator("#evidence-step").select_option(step)
    device = page.locator('#evidence-device option[data-serial="DSJ-NJ-001"]')
    page.locator("#evidence-device").select_option(device.get_attribute("value"))
    page.locator("#evidence-where").fill("宁晋县经济开发区项目施工现场")
    if description:
        page.locator("#evidence-description").fill(description)
    done = page.locator('#evidence-progress li.cases-upload-item[data-state="done"]')
    already = done.count()
    page.set_input_files("#evidence-file", [str(f) for f in files])
    expect(done).to_have_count(already + len(files))
    expect(page.locator("#evidence-list tr[data-evidence-id]")).to_have_count(before + len(files))


@pytest.fixture
def case_steps():
    """The helpers above, for the journeys: `case_steps.act(page, ...)` etc."""
    from types import SimpleNamespace

    return SimpleNamespace(
        act=case_act,
        box=action_box,
        advance=advance_to,
        upload=upload_evidence,
        video=VIDEO,
        photo=PHOTO,
    )
