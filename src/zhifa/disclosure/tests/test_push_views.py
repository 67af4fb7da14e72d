"""Staff pages of the push (P16): scoped to the office's agency, secret shown once."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from zhifa.disclosure import push
from zhifa.disclosure.models import Delivery, OutboxMessage, OutboxStatus, Subscriber
from zhifa.disclosure.tests.conftest import publish
from zhifa.disclosure.tests.test_opendata import _drafts
from zhifa.ledger.models import Event


def _create(client, **data):
    form = {"name": "丙市信用平台", "url": "http://127.0.0.1:9/hook", **data}
    return client.post(reverse("disclosure:subscriber_create"), form)


def test_office_adds_subscriber_and_sees_secret_once(cw, login):
    client = login(cw.world.user("office_a"))
    assert "公示推送" in client.get(reverse("disclosure:subscriber_list")).content.decode()
    response = _create(client, kinds=["penalty"])
    subscriber = Subscriber.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("disclosure:subscriber_detail", args=[subscriber.pk])
    assert subscriber.agency == cw.world.agency_a and subscriber.kinds == ["penalty"]
    assert len(subscriber.secret) >= 40
    first = client.get(response.url).content.decode()
    assert subscriber.secret in first and "仅显示这一次" in first
    again = client.get(response.url).content.decode()
    assert subscriber.secret not in again and subscriber.masked_secret in again
    listing = client.get(reverse("disclosure:subscriber_list")).content.decode()
    assert "丙市信用平台" in listing and subscriber.secret not in listing
    assert Event.objects.filter(kind="push.subscriber_added").exists()
    assert subscriber.secret not in str(Event.objects.get(kind="push.subscriber_added").payload)


def test_form_errors_are_chinese(cw, login):
    client = login(cw.world.user("office_a"))
    page = _create(client, name="", url="not a url").content.decode()
    assert "这个字段是必填项" in page and "输入一个有效的 URL" in page
    page = _create(client, url="ftp://example.org/x").content.decode()
    assert "接收地址须为 http:// 或 https:// 开头的网址" in page  # from the service
    assert not Subscriber.objects.exists()


def test_edit_deactivate_and_delivery_log(cw, login):
    client = login(cw.world.user("office_a"))
    _create(client)
    subscriber = Subscriber.objects.get()
    edit = reverse("disclosure:subscriber_edit", args=[subscriber.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"name": "市平台", "url": "https://example.org/hook", "active": "on"}
    )
    assert response.status_code == 302
    subscriber.refresh_from_db()
    assert subscriber.name == "市平台" and subscriber.url == "https://example.org/hook"
    Subscriber.objects.filter(pk=subscriber.pk).update(url="http://127.0.0.1:9/hook")

    (draft,) = _drafts(cw, 1)
    d = publish(cw, draft)
    now = timezone.now()
    push.deliver_due(now=now)
    message = OutboxMessage.objects.get()
    detail = reverse("disclosure:subscriber_detail", args=[subscriber.pk])
    page = client.get(detail).content.decode()
    assert d.case.decision_number in page and str(message.key) in page
    assert "第1次" in page and "无法连接" in page and "待推送" in page

    OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.FAILED)
    assert "立即重试" in client.get(detail).content.decode()
    todo = client.get(reverse("core:todo")).content.decode()
    assert "公示推送失败：市平台" in todo and f"{detail}?status=failed" in todo
    response = client.post(reverse("disclosure:message_retry", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING and message.next_attempt_at <= timezone.now()
    push.deliver_due(now=timezone.now() + dt.timedelta(seconds=1))
    assert Delivery.objects.filter(message=message).count() == 2

    client.post(reverse("disclosure:subscriber_deactivate", args=[subscriber.pk]))
    subscriber.refresh_from_db()
    assert not subscriber.active
    assert "已停用" in client.get(detail).content.decode()


def test_other_agency_is_404_and_supervisor_reads(cw, login):
    own = login(cw.world.user("office_a"))
    _create(own)
    own.get(reverse("disclosure:subscriber_list"))  # shows (and consumes) the "added" message
    subscriber = Subscriber.objects.get()
    other = login(cw.world.user("office_b"))
    assert "丙市信用平台" not in (other.get(reverse("disclosure:subscriber_list")).content.decode())
    for name in ("subscriber_detail", "subscriber_edit"):
        assert other.get(reverse(f"disclosure:{name}", args=[subscriber.pk])).status_code == 404
    response = other.post(reverse("disclosure:subscriber_deactivate", args=[subscriber.pk]))
    assert response.status_code == 404
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    message = OutboxMessage.objects.get()
    assert other.post(reverse("disclosure:message_retry", args=[message.pk])).status_code == 404
    subscriber.refresh_from_db()
    assert subscriber.active

    supervisor = login(cw.world.user("supervisor"))
    listing = supervisor.get(reverse("disclosure:subscriber_list")).content.decode()
    assert "丙市信用平台" in listing and "添加订阅方" not in listing
    detail = supervisor.get(reverse("disclosure:subscriber_detail", args=[subscriber.pk]))
    assert detail.status_code == 200 and "立即重试" not in detail.content.decode()
    assert supervisor.get(reverse("disclosure:subscriber_create")).status_code == 403

    officer = login(cw.world.user("officer_a"))
    assert officer.get(reverse("disclosure:subscriber_list")).status_code == 403


def test_anonymous_is_sent_to_login(cw, client):
    _create(client)  # ignored: not logged in
    assert not Subscriber.objects.exists()
    for url in [
        reverse("disclosure:subscriber_list"),
        reverse("disclosure:subscriber_create"),
        reverse("disclosure:subscriber_detail", args=[1]),
    ]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
