"""`zhifa demo` under production settings (P16): its subscriber is on loopback, which the push
refuses there, so the delivery log shows the refusal as failed attempts with retries."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from zhifa.disclosure.demo import DEMO_SUBSCRIBER
from zhifa.disclosure.models import Delivery, OutboxStatus, Subscriber


@pytest.mark.django_db
def test_demo_push_refused_on_loopback_is_retried(settings):
    settings.PUSH_ALLOW_LOOPBACK = False
    call_command("demo", verbosity=0)
    subscriber = Subscriber.objects.get(name=DEMO_SUBSCRIBER)
    (attempt,) = Delivery.objects.filter(subscriber=subscriber)  # the rest wait for the next run
    assert attempt.error.startswith("目标地址 127.0.0.1 属于本机回环地址，已拒绝推送")
    assert attempt.http_status is None and attempt.next_retry_at is not None
    assert subscriber.messages.filter(status=OutboxStatus.PENDING).count() > 1
