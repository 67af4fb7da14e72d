"""Public decision pages are rendered at each public change and read as one row per visit."""

import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.cases.tests.conftest import walk_penalty
from zhifa.disclosure import pages, services, tasks
from zhifa.disclosure.models import Disclosure, PublicPage
from zhifa.disclosure.tests.conftest import published_decision


def _visit(client, d):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/portal/decisions/{d.pk}/")
    return response, len(queries)


def _live(client, d):
    """The same page rendered without its stored body."""
    PublicPage.objects.filter(disclosure=d).delete()
    return _visit(client, d)


def test_publishing_stores_the_masked_page_and_a_visit_reads_one_row(cw, client):
    d = published_decision(cw, party=cw.person)
    page = PublicPage.objects.get(disclosure=d)
    assert page.fingerprint == pages.fingerprint()
    assert page.title == d.versions.get().fields["document_number"]
    stored, queries = _visit(client, d)
    assert stored.status_code == 200 and queries == 1
    live, live_queries = _live(client, d)
    assert live.status_code == 200 and live_queries > 1
    assert stored.content == live.content
    body = stored.content.decode()
    assert "张某某" in body and "张三" not in body and cw.person.id_number not in body


def test_a_correction_and_a_withdrawal_render_the_page_again(cw, client):
    d = published_decision(cw)
    leader = cw.user("leader_a")
    services.disclosure_correct(
        acting_user=leader, disclosure=d, reason="更正笔误", text="更正后的全文。"
    )
    body = _visit(client, d)[0].content.decode()
    assert "更正后的全文" in body and "更正理由：更正笔误" in body
    services.disclosure_withdraw(
        acting_user=leader, disclosure=d, changed_on=timezone.localdate(), reason="复议撤销"
    )
    body = _visit(client, d)[0].content.decode()
    assert "撤回理由：复议撤销" in body and "更正后的全文" not in body


def test_a_page_leaves_the_portal_when_its_publication_period_ends(cw, client):
    d = published_decision(cw)
    page = PublicPage.objects.get(disclosure=d)
    assert page.expires_on == d.expires_on  # copied at publication
    today = timezone.localdate()
    assert pages.body_for(d.pk, today=d.expires_on) is not None
    assert pages.body_for(d.pk, today=d.expires_on + dt.timedelta(days=1)) is None
    PublicPage.objects.filter(pk=page.pk).update(expires_on=today - dt.timedelta(days=1))
    Disclosure.objects.filter(pk=d.pk).update(expires_on=today - dt.timedelta(days=1))
    assert _visit(client, d)[0].status_code == 404


def test_decisions_without_a_public_page_are_not_found(cw, client):
    walk_penalty(cw, "served")
    services.disclosure_sync()
    draft = Disclosure.objects.get()
    assert not PublicPage.objects.exists()
    assert _visit(client, draft)[0].status_code == 404
    assert client.get("/portal/decisions/999999/").status_code == 404


def test_a_page_from_other_templates_is_rendered_live_until_rendered_again(cw, client):
    d = published_decision(cw)
    PublicPage.objects.filter(disclosure=d).update(fingerprint="older", html="旧模板页面")
    response, queries = _visit(client, d)
    assert "旧模板页面" not in response.content.decode() and queries > 1
    assert pages.stale_ids() == [d.pk]
    call_command("pages", "render", verbosity=0)
    assert pages.stale_ids() == []
    response, queries = _visit(client, d)
    assert queries == 1 and "旧模板页面" not in response.content.decode()


def test_the_periodic_task_renders_stale_pages_at_most_pages_per_run(cw, monkeypatch):
    d = published_decision(cw)
    PublicPage.objects.filter(disclosure=d).update(fingerprint="older")
    monkeypatch.setattr(tasks, "PAGES_PER_RUN", 0)
    assert tasks.pages_render.call_local() == 0 and pages.stale_ids() == [d.pk]
    monkeypatch.setattr(tasks, "PAGES_PER_RUN", 10)
    assert tasks.pages_render.call_local() == 1 and pages.stale_ids() == []


def test_the_periodic_task_skips_the_scan_once_nothing_was_stale(cw, monkeypatch):
    d = published_decision(cw)
    assert tasks.pages_render.call_local() == 0  # nothing stale: remembered
    PublicPage.objects.filter(disclosure=d).delete()  # as if loaded around the services
    assert tasks.pages_render.call_local() == 0 and pages.stale_ids() == [d.pk]
    monkeypatch.setattr(pages, "fingerprint", lambda: "a new release")
    assert tasks.pages_render.call_local() == 1 and pages.stale_ids() == []


def test_render_stale_fills_in_missing_pages_only_for_public_decisions(cw):
    published = published_decision(cw)
    PublicPage.objects.all().delete()
    assert pages.stale_ids() == [published.pk]
    assert pages.render_stale() == 1
    assert PublicPage.objects.get().disclosure_id == published.pk
    assert pages.render_stale() == 0


def test_staff_signed_in_get_the_stored_page_inside_their_own_layout(cw, client, login):
    d = published_decision(cw)
    login(cw.user("office_a"))
    body = _visit(client, d)[0].content.decode()
    assert "退出" in body and d.versions.get().fields["document_number"] in body


def test_visitors_get_the_same_page_as_a_full_render_with_the_title_escaped(cw, client):
    d = published_decision(cw)
    PublicPage.objects.filter(disclosure=d).update(title="甲<罚>〔2026〕1号")
    shell = _visit(client, d)[0].content.decode()
    client.cookies["messages"] = ""  # an (empty) flash cookie: the layout is rendered
    rendered = _visit(client, d)[0].content.decode()
    assert shell == rendered
    assert "<title>甲&lt;罚&gt;〔2026〕1号 · " in shell
