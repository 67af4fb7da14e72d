"""补发已公示的记录 (P16): a subscriber added after decisions were published receives, on a
staff action, one message per decision now on the portal within its scope, as its latest
public change; a second back-fill waits until the first is delivered."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from zhifa.disclosure import push
from zhifa.disclosure.models import (
    Disclosure,
    OutboxMessage,
    OutboxStatus,
    PushEvent,
    Status,
    Subscriber,
)
from zhifa.disclosure.opendata import decision_item
from zhifa.disclosure.tests.conftest import publish
from zhifa.disclosure.tests.test_opendata import _correct, _drafts, _withdraw
from zhifa.disclosure.tests.test_push import Receiver
from zhifa.ledger.models import Event


@pytest.fixture
def rx():
    """The real receiving platform of test_push, on loopback."""
    receiver = Receiver()
    yield receiver
    receiver.close()


@pytest.fixture
def decisions(cw):
    """Agency A's decisions in every public state, published before any subscriber exists:
    published, corrected, withdrawn, expired, a licence, one moved to agency B, and a draft."""
    drafts = _drafts(cw, 7)
    plain, corrected, withdrawn, expired, licence, other_agency = (
        publish(cw, d) for d in drafts[:6]
    )
    _correct(cw, corrected)
    _withdraw(cw, withdrawn)
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Disclosure.objects.filter(pk=expired.pk).update(expires_on=yesterday)  # period over
    Disclosure.objects.filter(pk=licence.pk).update(kind="licence")
    Disclosure.objects.filter(pk=other_agency.pk).update(agency=cw.world.agency_b)
    draft = drafts[6]
    assert Disclosure.objects.get(pk=draft.pk).status == Status.DRAFT
    return {
        "plain": plain.pk,
        "corrected": corrected.pk,
        "withdrawn": withdrawn.pk,
        "expired": expired.pk,
        "licence": licence.pk,
        "other_agency": other_agency.pk,
        "draft": draft.pk,
    }


def _subscriber(cw, login="office_a", kinds=(), url="http://127.0.0.1:9/hook") -> Subscriber:
    subscriber, _secret = push.subscriber_create(
        acting_user=cw.user(login), name=f"平台{login}{kinds}", url=url, kinds=list(kinds)
    )
    return subscriber


def _by_decision(subscriber: Subscriber) -> dict[int, OutboxMessage]:
    messages = list(subscriber.messages.all())
    by_decision = {m.disclosure_id: m for m in messages}
    assert len(by_decision) == len(messages)  # one message per decision
    return by_decision


def test_backfill_sends_each_public_decision_in_scope_once(cw, decisions):
    ids = decisions
    subscriber = _subscriber(cw)
    assert not subscriber.messages.exists()  # nothing published later: nothing sent yet

    count = push.subscriber_backfill(acting_user=cw.user("office_a"), subscriber=subscriber)

    got = _by_decision(subscriber)
    assert count == 4
    assert set(got) == {ids["plain"], ids["corrected"], ids["withdrawn"], ids["licence"]}
    assert {pk: m.event for pk, m in got.items()} == {
        ids["plain"]: PushEvent.PUBLISHED,
        ids["corrected"]: PushEvent.CORRECTED,
        ids["withdrawn"]: PushEvent.WITHDRAWN,
        ids["licence"]: PushEvent.PUBLISHED,
    }
    for pk, message in got.items():
        disclosure = Disclosure.objects.get(pk=pk)
        assert message.seq == disclosure.public_seq
        assert message.payload == {
            "id": str(message.key),
            "event": message.event,
            "seq": disclosure.public_seq,
            "item": json.loads(json.dumps(decision_item(disclosure))),
        }
        assert message.backfill and message.status == OutboxStatus.PENDING
    assert got[ids["corrected"]].payload["item"]["version"] == 2
    assert got[ids["withdrawn"]].payload["item"]["status"] == "withdrawn"
    event = Event.objects.get(kind="push.subscriber_backfilled")
    assert event.payload["messages"] == 4


def test_backfill_matches_what_a_live_subscriber_received(cw):
    """The payload is the one `record_change` wrote for the decision's latest change."""
    live = _subscriber(cw)
    (first, second) = (publish(cw, d) for d in _drafts(cw, 2))
    _correct(cw, first)
    _withdraw(cw, second)
    late = _subscriber(cw, kinds=["penalty"])
    assert push.subscriber_backfill(acting_user=cw.user("office_a"), subscriber=late) == 2
    latest = {}
    for message in live.messages.order_by("seq"):
        latest[message.disclosure_id] = message
    for pk, message in _by_decision(late).items():
        original = latest[pk]
        assert (message.event, message.seq) == (original.event, original.seq)
        assert message.payload["item"] == original.payload["item"]
        assert message.key != original.key and message.payload["id"] == str(message.key)


def test_backfill_scope_agency_kinds_and_all_agencies(cw, decisions, django_user_model):
    ids = decisions
    licences = _subscriber(cw, kinds=["licence"])
    agency_b = _subscriber(cw, login="office_b")
    admin = django_user_model.objects.create_superuser("admin", password="x")
    everyone, _ = push.subscriber_create(
        acting_user=admin, name="全市平台", url="http://127.0.0.1:9/hook", kinds=[]
    )
    assert everyone.agency_id is None

    assert push.subscriber_backfill(acting_user=cw.user("office_a"), subscriber=licences) == 1
    assert set(_by_decision(licences)) == {ids["licence"]}
    assert push.subscriber_backfill(acting_user=cw.user("office_b"), subscriber=agency_b) == 1
    assert set(_by_decision(agency_b)) == {ids["other_agency"]}
    assert push.subscriber_backfill(acting_user=admin, subscriber=everyone) == 5
    assert set(_by_decision(everyone)) == {
        ids[k] for k in ("plain", "corrected", "withdrawn", "licence", "other_agency")
    }


def test_second_backfill_refused_while_pending(cw, decisions, rx):
    subscriber, rx.secret = push.subscriber_create(
        acting_user=cw.user("office_a"), name="市平台", url=rx.url, kinds=[]
    )
    office = cw.user("office_a")
    assert push.subscriber_backfill(acting_user=office, subscriber=subscriber) == 4
    with pytest.raises(ValidationError) as refused:
        push.subscriber_backfill(acting_user=office, subscriber=subscriber)
    assert refused.value.messages == [
        "上一次补发还有 4 条消息待推送，请待其送达后再补发；"
        "如接收方长期无法接收，请先与对方核实接收地址。"
    ]
    assert subscriber.messages.count() == 4

    # A message of a later change does not count as a pending back-fill.
    _correct(cw, Disclosure.objects.get(pk=decisions["plain"]))
    assert push.deliver_due()["delivered"] == 5
    assert len(rx.store) == 5 and rx.bad_signatures == 0
    sent = {json.loads(r["body"])["item"]["id"] for r in rx.requests}
    assert decisions["withdrawn"] in sent and decisions["expired"] not in sent

    # Delivered: a new back-fill is allowed (e.g. after the receiver lost its data).
    assert push.subscriber_backfill(acting_user=office, subscriber=subscriber) == 4


def test_backfill_refused_for_inactive_and_other_agency(cw, decisions):
    subscriber = _subscriber(cw)
    for user in ("office_b", "supervisor", "officer_a"):
        with pytest.raises(PermissionDenied):
            push.subscriber_backfill(acting_user=cw.user(user), subscriber=subscriber)
    push.subscriber_deactivate(acting_user=cw.user("office_a"), subscriber=subscriber)
    with pytest.raises(ValidationError) as refused:
        push.subscriber_backfill(acting_user=cw.user("office_a"), subscriber=subscriber)
    assert refused.value.messages == ["该订阅方已停用，请先在“编辑”中启用后再补发。"]
    assert not OutboxMessage.objects.exists()
    assert not Event.objects.filter(kind="push.subscriber_backfilled").exists()


def test_backfill_in_batches(cw, decisions, monkeypatch):
    """Written (and read) in batches: a batch size of 2 still gives every message once."""
    monkeypatch.setattr(push, "BACKFILL_BATCH", 2)
    subscriber = _subscriber(cw)
    calls = []
    real = OutboxMessage.objects.bulk_create

    def bulk_create(objs, *args, **kwargs):
        calls.append(len(objs))
        return real(objs, *args, **kwargs)

    monkeypatch.setattr(OutboxMessage.objects, "bulk_create", bulk_create)
    with CaptureQueriesContext(connection) as queries:
        count = push.subscriber_backfill(acting_user=cw.user("office_a"), subscriber=subscriber)
    assert count == 4
    assert calls == [2, 2, 0]
    # versions read once per chunk of decisions, not once per decision
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum('FROM "disclosure_publishedversion"' in q for q in sql) == 2
    assert len(_by_decision(subscriber)) == 4


def test_backfill_delivered_after_commit(cw, decisions, rx, django_capture_on_commit_callbacks):
    subscriber, rx.secret = push.subscriber_create(
        acting_user=cw.user("office_a"), name="市平台", url=rx.url, kinds=[]
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        push.subscriber_backfill(acting_user=cw.user("office_a"), subscriber=subscriber)
    assert [c for c in callbacks if c is push._enqueue] == [push._enqueue]
    assert len(rx.store) == 4
    assert set(subscriber.messages.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}
    events = sorted(json.loads(r["body"])["event"] for r in rx.requests)
    assert events == [
        "disclosure.corrected",
        "disclosure.published",
        "disclosure.published",
        "disclosure.withdrawn",
    ]


# --- the staff page --------------------------------------------------------------------------


def _flashes(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_view_backfill_with_confirmation(cw, decisions, login):
    subscriber = _subscriber(cw)
    client = login(cw.user("office_a"))
    detail = reverse("disclosure:subscriber_detail", args=[subscriber.pk])
    url = reverse("disclosure:subscriber_backfill", args=[subscriber.pk])
    page = client.get(detail).content.decode()
    assert (
        "补发已公示的记录" in page and f'action="{url}"' in page and "csrfmiddlewaretoken" in page
    )

    assert client.get(url).status_code == 405  # a POST only

    response = client.post(url)  # the confirmation box not ticked
    assert response.status_code == 302 and response.url == detail
    assert any("请先勾选" in m for m in _flashes(response))
    assert not subscriber.messages.exists()

    response = client.post(url, {"confirm": "1"}, follow=True)
    assert response.redirect_chain == [(detail, 302)]
    page = response.content.decode()
    assert "已安排补发 4 条已公示的记录" in page
    assert "上一次补发还有 4 条消息待推送" in page  # the button is replaced by the notice
    assert f'action="{url}"' not in page and "（补发）" in page
    assert subscriber.messages.count() == 4

    response = client.post(url, {"confirm": "1"}, follow=True)  # refused, said in Chinese
    assert "上一次补发还有 4 条消息待推送，请待其送达后再补发" in response.content.decode()
    assert subscriber.messages.count() == 4


def test_view_backfill_with_csrf_token(cw, decisions, client):
    """The form's CSRF token is required and accepted (a client that enforces CSRF)."""
    from django.test import Client

    subscriber = _subscriber(cw)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(cw.user("office_a"))
    detail = reverse("disclosure:subscriber_detail", args=[subscriber.pk])
    url = reverse("disclosure:subscriber_backfill", args=[subscriber.pk])
    assert browser.post(url, {"confirm": "1"}).status_code == 403  # no token
    assert not subscriber.messages.exists()
    browser.get(detail)
    token = browser.cookies["csrftoken"].value
    response = browser.post(url, {"confirm": "1", "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and subscriber.messages.count() == 4


def test_view_backfill_other_agency_and_readers(cw, decisions, login):
    subscriber = _subscriber(cw)
    url = reverse("disclosure:subscriber_backfill", args=[subscriber.pk])
    detail = reverse("disclosure:subscriber_detail", args=[subscriber.pk])
    other = login(cw.user("office_b"))
    assert other.post(url, {"confirm": "1"}).status_code == 404
    supervisor = login(cw.user("supervisor"))  # reads every agency's subscribers, changes none
    assert supervisor.post(url, {"confirm": "1"}).status_code == 403
    assert "补发已公示的记录" not in supervisor.get(detail).content.decode()
    officer = login(cw.user("officer_a"))
    assert officer.post(url, {"confirm": "1"}).status_code == 403
    anonymous = Client()
    response = anonymous.post(url, {"confirm": "1"})
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert not subscriber.messages.exists()


def test_view_inactive_subscriber_has_no_backfill(cw, decisions, login):
    subscriber = _subscriber(cw)
    push.subscriber_deactivate(acting_user=cw.user("office_a"), subscriber=subscriber)
    client = login(cw.user("office_a"))
    detail = reverse("disclosure:subscriber_detail", args=[subscriber.pk])
    assert "补发已公示的记录" not in client.get(detail).content.decode()
    url = reverse("disclosure:subscriber_backfill", args=[subscriber.pk])
    page = client.post(url, {"confirm": "1"}, follow=True).content.decode()
    assert "该订阅方已停用，请先在“编辑”中启用后再补发。" in page
    assert not subscriber.messages.exists()
