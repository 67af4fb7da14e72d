"""Push to other platforms (P16) against a real HTTP receiver on loopback: it fails first, then
recovers, checks every signature and records messages by idempotency key."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from zhifa.disclosure import push, services
from zhifa.disclosure.models import Delivery, Disclosure, OutboxMessage, OutboxStatus
from zhifa.disclosure.tests.conftest import publish
from zhifa.disclosure.tests.test_opendata import _correct, _drafts, _withdraw


class Receiver:
    """A receiving platform: 500 for the first `fail_first` requests (or always), then 200."""

    def __init__(self, fail_first: int = 0, delay: float = 0.0):
        self.secret = ""
        self.fail_left = fail_first
        self.delay = delay
        self.lock = threading.Lock()
        self.requests: list[dict] = []  # every request, in arrival order
        self.store: dict[str, dict] = {}  # accepted messages by idempotency key
        self.duplicates = 0
        self.bad_signatures = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.handle(self, body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/zhifa/hook"

    def handle(self, request: BaseHTTPRequestHandler, body: bytes) -> None:
        if self.delay:
            time.sleep(self.delay)
        timestamp = request.headers["X-Zhifa-Timestamp"]
        expected = push.signature(self.secret, timestamp, body)
        key = request.headers["Idempotency-Key"]
        with self.lock:
            self.requests.append({"key": key, "headers": dict(request.headers), "body": body})
            if not hmac.compare_digest(expected, request.headers["X-Zhifa-Signature"]):
                self.bad_signatures += 1
                status = 401
            elif self.fail_left != 0:
                self.fail_left -= 1
                status = 500
            elif key in self.store:
                self.duplicates += 1
                status = 200
            else:
                self.store[key] = json.loads(body)
                status = 200
        request.send_response(status)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made: list[Receiver] = []

    def make(**kwargs) -> Receiver:
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _subscribe(cw, rx: Receiver, **kwargs):
    subscriber, secret = push.subscriber_create(
        acting_user=cw.user("office_a"), name="市公共信用信息平台", url=rx.url, kinds=[], **kwargs
    )
    rx.secret = secret
    return subscriber


def _drain(start: dt.datetime, step=dt.timedelta(minutes=1), rounds=60) -> dt.datetime:
    now = start
    for _ in range(rounds):
        push.deliver_due(now=now)
        if not OutboxMessage.objects.filter(status=OutboxStatus.PENDING).exists():
            return now
        now += step
    raise AssertionError("messages still pending")


def test_every_change_delivered_once_after_failures(cw, receiver):
    rx = receiver(fail_first=3)
    subscriber = _subscribe(cw, rx)
    published = [publish(cw, d) for d in _drafts(cw, 3, party=cw.person)]
    _correct(cw, published[0])
    _withdraw(cw, published[1])
    messages = list(OutboxMessage.objects.order_by("seq"))
    assert [m.event for m in messages] == [
        "disclosure.published",
        "disclosure.published",
        "disclosure.published",
        "disclosure.corrected",
        "disclosure.withdrawn",
    ]
    assert rx.requests == []  # nothing is sent inside the publishing transaction

    start = timezone.now()
    _drain(start)

    keys = {str(m.key) for m in messages}
    assert set(rx.store) == keys  # every message received exactly once by key
    assert rx.bad_signatures == 0 and rx.duplicates == 0
    assert len(rx.requests) == len(messages) + 3
    for request in rx.requests:
        headers, payload = request["headers"], json.loads(request["body"])
        assert headers["Idempotency-Key"] == payload["id"]
        assert headers["X-Zhifa-Event"] == payload["event"]
        assert headers["Content-Type"].startswith("application/json")
        assert int(headers["X-Zhifa-Timestamp"]) >= int(start.timestamp())
    body = rx.store[str(messages[3].key)]
    assert body["event"] == "disclosure.corrected" and body["seq"] == messages[3].seq
    assert body["item"]["id"] == published[0].pk and body["item"]["version"] == 2
    assert body["item"]["party_name"] == "张某某"
    assert cw.person.id_number not in json.dumps(rx.store, ensure_ascii=False)
    assert rx.store[str(messages[4].key)]["item"]["status"] == "withdrawn"

    # the delivery log: each message's failed attempts, then its success, with exponential
    # backoff (1, 2, 4 … minutes) between them
    for message in messages:
        log = list(Delivery.objects.filter(message=message).order_by("attempt"))
        assert [d.attempt for d in log] == list(range(1, len(log) + 1))
        assert [d.http_status for d in log] == [500] * (len(log) - 1) + [200]
        gaps = [d.next_retry_at - d.started_at for d in log[:-1]]
        assert gaps == [dt.timedelta(minutes=2**i) for i in range(len(log) - 1)]
        assert log[-1].next_retry_at is None and log[-1].error == ""
        assert all("HTTP 500" in d.error for d in log[:-1])
    assert Delivery.objects.filter(http_status=500).count() == 3
    assert OutboxMessage.objects.get(pk=messages[0].pk).attempts >= 3  # retried twice
    assert Delivery.objects.filter(subscriber=subscriber).count() == len(rx.requests)
    assert not OutboxMessage.objects.exclude(status=OutboxStatus.DELIVERED).exists()
    assert push.deliver_due(now=start + dt.timedelta(days=1)) == {
        "delivered": 0,
        "failed": 0,
        "postponed": 0,
    }


def test_lost_answer_is_resent_with_same_key(cw, receiver, monkeypatch):
    """The receiver stored the message but its answer was lost: the retry carries the same key
    and the receiver deduplicates it."""
    rx = receiver()
    _subscribe(cw, rx)
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    real_post = push._post
    calls = []

    def lossy(message, now):
        status, error = real_post(message, now)
        calls.append(status)
        return (None, "读取应答超时") if len(calls) == 1 else (status, error)

    monkeypatch.setattr(push, "_post", lossy)
    _drain(timezone.now())
    assert calls == [200, 200]
    assert len(rx.store) == 1 and rx.duplicates == 1
    assert rx.requests[0]["key"] == rx.requests[1]["key"]


def test_gives_up_then_manual_retry(cw, receiver, monkeypatch):
    monkeypatch.setattr(push, "MAX_ATTEMPTS", 3)
    rx = receiver(fail_first=-1)  # always 500
    _subscribe(cw, rx)
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    now = timezone.now()
    for minutes in (0, 1, 3, 10):
        push.deliver_due(now=now + dt.timedelta(minutes=minutes))
    message = OutboxMessage.objects.get()
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert len(rx.requests) == 3
    assert Delivery.objects.filter(message=message).first().next_retry_at is None  # newest

    with pytest.raises(PermissionDenied):
        push.message_retry(acting_user=cw.user("office_b"), message=message)
    rx.fail_left = 0
    push.message_retry(acting_user=cw.user("office_a"), message=message)
    push.deliver_due()
    message.refresh_from_db()
    assert message.status == OutboxStatus.DELIVERED and message.attempts == 4
    assert len(rx.store) == 1
    with pytest.raises(ValidationError):
        push.message_retry(acting_user=cw.user("office_a"), message=message)


def test_manual_retry_goes_first(cw, receiver, django_capture_on_commit_callbacks):
    """A retried message is attempted before the subscriber's other due messages, even when
    the receiver is still down (one failure postpones the rest of the run)."""
    rx = receiver(fail_first=-1)
    _subscribe(cw, rx)
    for d in _drafts(cw, 2):
        publish(cw, d)
    older, newer = OutboxMessage.objects.order_by("seq")
    OutboxMessage.objects.filter(pk=newer.pk).update(status=OutboxStatus.FAILED, attempts=12)
    with django_capture_on_commit_callbacks(execute=True):
        push.message_retry(acting_user=cw.user("office_a"), message=newer)
    newer.refresh_from_db()
    older.refresh_from_db()
    assert newer.attempts == 13 and newer.status == OutboxStatus.FAILED  # tried, gave up again
    assert older.attempts == 0  # postponed to the next run
    assert [r["key"] for r in rx.requests] == [str(newer.key)]


def test_refused_connection_is_logged_and_retried(cw):
    subscriber, _secret = push.subscriber_create(
        acting_user=cw.user("office_a"), name="演示", url="http://127.0.0.1:9/hook", kinds=[]
    )
    for d in _drafts(cw, 2):
        publish(cw, d)
    now = timezone.now()
    assert push.deliver_due(now=now) == {"delivered": 0, "failed": 1, "postponed": 1}
    attempt = Delivery.objects.get()
    assert attempt.http_status is None and "无法连接" in attempt.error
    assert attempt.next_retry_at == now + dt.timedelta(minutes=1)
    assert subscriber.messages.filter(attempts=0).count() == 1  # waits for the next run


def test_a_receiver_that_is_down_does_not_hold_up_the_others(cw, receiver):
    push.subscriber_create(
        acting_user=cw.user("office_a"), name="演示", url="http://127.0.0.1:9/hook", kinds=[]
    )
    for d in _drafts(cw, 3):
        publish(cw, d)  # three messages for the dead receiver, oldest first
    rx = receiver()
    _subscribe(cw, rx)
    publish(cw, _drafts(cw, 1)[0])  # the live receiver's only message, the newest
    now = timezone.now()
    assert push.deliver_due(now=now, limit=2) == {"delivered": 0, "failed": 1, "postponed": 1}
    # the dead receiver's messages now wait for its retry: the next run reaches the live one
    assert push.deliver_due(now=now, limit=2) == {"delivered": 1, "failed": 0, "postponed": 0}
    assert len(rx.requests) == 1


def test_routing_by_agency_kind_and_active(cw, receiver):
    rx = receiver()
    mine = _subscribe(cw, rx)
    other, _ = push.subscriber_create(
        acting_user=cw.user("office_b"), name="乙平台", url=rx.url, kinds=[]
    )
    only_licences, _ = push.subscriber_create(
        acting_user=cw.user("office_a"), name="许可平台", url=rx.url, kinds=["licence"]
    )
    stopped, _ = push.subscriber_create(
        acting_user=cw.user("office_a"), name="已停用", url=rx.url, kinds=[]
    )
    push.subscriber_deactivate(acting_user=cw.user("office_a"), subscriber=stopped)
    everyone = push.Subscriber.objects.create(
        agency=None, name="全市平台", url=rx.url, secret="s" * 20
    )
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    assert set(OutboxMessage.objects.values_list("subscriber_id", flat=True)) == {
        mine.pk,
        everyone.pk,
    }
    assert other.messages.count() == only_licences.messages.count() == 0


def test_rolled_back_change_leaves_no_message(cw, receiver):
    rx = receiver()
    _subscribe(cw, rx)
    (draft,) = _drafts(cw, 1)
    services.disclosure_review(acting_user=cw.user("reviewer_a"), draft=draft, approve=True)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.disclosure_publish(acting_user=cw.user("leader_a"), draft=draft)
        assert OutboxMessage.objects.count() == 1  # written with the publication...
        raise RuntimeError  # ...and rolled back with it
    assert not OutboxMessage.objects.exists()
    assert Disclosure.objects.get(pk=draft.pk).public_seq is None


def test_enqueued_on_commit(cw, receiver, django_capture_on_commit_callbacks):
    """After the publishing transaction commits, the delivery task runs (immediately in the
    test settings; in production the Huey consumer picks it up)."""
    rx = receiver()
    _subscribe(cw, rx)
    (draft,) = _drafts(cw, 1)
    services.disclosure_review(acting_user=cw.user("reviewer_a"), draft=draft, approve=True)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        d = services.disclosure_publish(acting_user=cw.user("leader_a"), draft=draft)
        _correct(cw, d)
    assert [c for c in callbacks if c is push._enqueue] == [push._enqueue]  # one per transaction
    assert len(rx.store) == 2
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {OutboxStatus.DELIVERED}


def test_two_workers_never_send_the_same_message(ledger_purge, cw, receiver, monkeypatch):
    monkeypatch.setattr(push, "_enqueue", lambda first=None: None)  # drive the sender by hand
    rx = receiver(delay=0.05)
    _subscribe(cw, rx)
    for d in _drafts(cw, 4):
        publish(cw, d)
    for d in Disclosure.objects.all():
        _correct(cw, d)
    assert OutboxMessage.objects.count() == 8
    barrier = threading.Barrier(3)
    errors = []

    def worker():
        from django.db import connection

        try:
            barrier.wait()
            for _ in range(3):
                push.deliver_due()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert len(rx.requests) == 8 and rx.duplicates == 0  # no message sent twice
    assert Delivery.objects.count() == 8
    assert OutboxMessage.objects.filter(status=OutboxStatus.DELIVERED).count() == 8


def test_signature_recipe():
    body = push.body_bytes({"b": "张某某", "a": 1})
    assert body == '{"a":1,"b":"张某某"}'.encode()
    assert push.signature("k", "1700000000", body) == (
        "sha256=" + hmac.new(b"k", b"1700000000." + body, hashlib.sha256).hexdigest()
    )
    # the timestamp is signed: the same body under another timestamp has another signature
    assert push.signature("k", "1700000300", body) != push.signature("k", "1700000000", body)
    assert [push.backoff(n) for n in (1, 2, 3, 7, 20)] == [
        dt.timedelta(minutes=m) for m in (1, 2, 4, 60, 60)
    ]


def test_replay_with_fresh_timestamp_is_rejected(cw, receiver):
    """A captured request re-sent later under a new X-Zhifa-Timestamp does not verify, so a
    receiver that rejects old timestamps also rejects replays."""
    rx = receiver()
    _subscribe(cw, rx)
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    push.deliver_due()
    (captured,) = rx.requests
    assert rx.bad_signatures == 0 and len(rx.store) == 1
    headers = {
        name: captured["headers"][name]
        for name in ("Content-Type", "X-Zhifa-Event", "Idempotency-Key", "X-Zhifa-Signature")
    }
    headers["X-Zhifa-Timestamp"] = str(int(captured["headers"]["X-Zhifa-Timestamp"]) + 600)
    replay = urllib.request.Request(rx.url, data=captured["body"], headers=headers)
    with pytest.raises(urllib.error.HTTPError) as answer:
        urllib.request.urlopen(replay, timeout=5)
    assert answer.value.code == 401 and rx.bad_signatures == 1


def test_signed_timestamp_is_the_attempt_time(cw, receiver):
    """A run that started minutes ago (a long batch) still signs the current time, so a
    receiver's 5-minute freshness check accepts it."""
    rx = receiver()
    _subscribe(cw, rx)
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    run_started = timezone.now() - dt.timedelta(minutes=10)
    OutboxMessage.objects.update(next_attempt_at=run_started)
    assert push.deliver_due(now=run_started)["delivered"] == 1
    (request,) = rx.requests
    assert abs(int(request["headers"]["X-Zhifa-Timestamp"]) - time.time()) < 60
    assert Delivery.objects.get().started_at == run_started
