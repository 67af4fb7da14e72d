"""Anonymous visitors get decision pages from the cache until something they show changes."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from zhifa.disclosure import services
from zhifa.disclosure.tests.conftest import published_decision


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode(), len(queries)


def test_second_visit_is_served_from_the_cache_until_a_correction(cw, client):
    d = published_decision(cw)
    url = f"/portal/decisions/{d.pk}/"
    first, rendering = _get(client, url)
    again, cached = _get(client, url)
    assert again == first
    assert cached <= 2 < rendering  # the public-state probes only

    services.disclosure_correct(
        acting_user=cw.user("leader_a"), disclosure=d, reason="更正笔误", text="更正后的全文。"
    )
    corrected, queries = _get(client, url)
    assert "更正后的全文" in corrected and "更正笔误" in corrected
    assert queries > 2


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
    url = f"/portal/decisions/{d.pk}/"
    _get(client, url)
    assert _get(client, url)[1] > 2
