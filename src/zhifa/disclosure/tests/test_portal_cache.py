"""Anonymous visitors get decision lists and the home page from the cache until something they
show changes; the process remembers the portal's state for PORTAL_STATE_SECONDS."""

import time

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.disclosure import selectors, services
from zhifa.disclosure.tests.conftest import published_decision


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def test_second_visit_is_served_from_the_cache_until_a_correction(cw, client):
    d = published_decision(cw)
    url = "/portal/decisions/"
    first, rendering = _get(client, url)
    again, cached = _get(client, url)
    assert again == first
    assert cached == 1 < rendering  # the public-state statement only

    services.disclosure_correct(
        acting_user=cw.user("leader_a"),
        disclosure=d,
        reason="更正笔误",
        fields={"party_name": "更正后的单位"},
    )
    corrected, queries = _get(client, url)
    assert "更正后的单位" in corrected
    assert queries > 1


def test_list_and_home_show_a_withdrawal_at_once(cw, client):
    d = published_decision(cw)
    pages = {url: _get(client, url)[0] for url in ["/", "/portal/decisions/"]}
    services.disclosure_withdraw(
        acting_user=cw.user("leader_a"),
        disclosure=d,
        changed_on=timezone.localdate(),
        reason="决定已被复议撤销",
    )
    for url, before in pages.items():
        after = _get(client, url)[0]
        assert after != before and "已撤回" in after, url


def test_signed_in_staff_always_get_a_fresh_page(cw, client, login):
    d = published_decision(cw)
    login(cw.user("office_a"))
    url = "/portal/decisions/"
    _get(client, url)
    page, queries = _get(client, url)
    assert queries > 2 and d.versions.get().fields["document_number"] in page


def test_the_state_is_remembered_for_a_moment_and_forgotten_at_a_local_commit(
    cw, client, settings, django_capture_on_commit_callbacks
):
    d = published_decision(cw)
    settings.PORTAL_STATE_SECONDS = 60
    url = "/portal/decisions/"
    _get(client, url)
    assert _get(client, url)[1] == 0  # state remembered, page cached: no query at all

    with django_capture_on_commit_callbacks(execute=True):
        services.disclosure_withdraw(
            acting_user=cw.user("leader_a"),
            disclosure=d,
            changed_on=timezone.localdate(),
            reason="决定已被复议撤销",
        )
    after, queries = _get(client, url)
    assert "已撤回" in after and queries > 1


def test_a_change_by_another_process_shows_once_the_moment_has_passed(
    cw, client, settings, monkeypatch
):
    d = published_decision(cw)
    settings.PORTAL_STATE_SECONDS = 60
    url = "/portal/decisions/"
    before = _get(client, url)[0]
    # A change committed elsewhere: this process's memo is not told.
    services.disclosure_withdraw(
        acting_user=cw.user("leader_a"),
        disclosure=d,
        changed_on=timezone.localdate(),
        reason="决定已被复议撤销",
    )
    assert _get(client, url)[0] == before
    now = time.monotonic()
    monkeypatch.setattr(selectors, "_clock", lambda: now + 61)
    assert "已撤回" in _get(client, url)[0]
