"""Staff pages for the push to other platforms (P16): subscribers, their delivery log and the
manual retry. An office sees its own agency's subscribers (another agency's is a 404); a
supervisor reads every agency's. The signing secret is shown once, right after creation."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhifa.core.access import allowed
from zhifa.core.forms import flash_outcome, form_outcome, get_or_404
from zhifa.disclosure import permissions, push, selectors
from zhifa.disclosure.forms import SubscriberForm
from zhifa.disclosure.models import OutboxStatus
from zhifa.org.models import Agency

PAGE_SIZE = 20
GET_POST = require_http_methods(["GET", "POST"])

SECRET_SESSION_KEY = "zhifa_push_secret"  # noqa: S105 - a session key name


def _agency_choices(user):
    from zhifa.org.permissions import can_view_all_agencies

    return Agency.objects.order_by("pk") if can_view_all_agencies(user) else None


@allowed(permissions.can_view_push)
@require_GET
def subscriber_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "disclosure/subscriber_list.html",
        {
            "subscribers": selectors.subscriber_list(user=request.user),
            "can_manage": permissions.can_manage_push(request.user),
        },
    )


@allowed(permissions.can_manage_push)
@GET_POST
def subscriber_create(request: HttpRequest) -> HttpResponse:
    form = SubscriberForm(request.POST or None, agencies=_agency_choices(request.user))
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form, lambda: push.subscriber_create(acting_user=request.user, **form.service_kwargs())
        )
        if done:
            subscriber, secret = done.value
            # Shown once, on the next page, then gone from the session.
            request.session[SECRET_SESSION_KEY] = {"pk": subscriber.pk, "secret": secret}
            messages.success(request, f"已添加订阅方：{subscriber.name}。")
            return redirect("disclosure:subscriber_detail", pk=subscriber.pk)
    return render(
        request,
        "disclosure/subscriber_form.html",
        {
            "form": form,
            "title": "添加推送订阅方",
            "cancel_url": reverse("disclosure:subscriber_list"),
        },
    )


@allowed(permissions.can_view_push)
@require_GET
def subscriber_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_or_404(selectors.subscriber_get, user=request.user, pk=pk)
    shown = request.session.get(SECRET_SESSION_KEY)
    secret = ""
    if shown and shown.get("pk") == subscriber.pk:
        secret = shown["secret"]
        del request.session[SECRET_SESSION_KEY]
    status = request.GET.get("status", "")
    status = status if status in OutboxStatus.values else ""
    rows = selectors.subscriber_messages(subscriber=subscriber, status=status)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "disclosure/subscriber_detail.html",
        {
            "s": subscriber,
            "secret": secret,
            "page": page,
            "status": status,
            "statuses": OutboxStatus.choices,
            "can_manage": permissions.can_manage_push(request.user),
            "backfill_pending": push.backfill_pending(subscriber),
        },
    )


@allowed(permissions.can_manage_push)
@GET_POST
def subscriber_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_or_404(selectors.subscriber_get, user=request.user, pk=pk)
    initial = {
        "name": subscriber.name,
        "url": subscriber.url,
        "kinds": subscriber.kinds,
        "active": subscriber.active,
        "agency": subscriber.agency_id,
    }
    form = SubscriberForm(request.POST or None, initial=initial, with_active=True)
    if request.method == "POST" and form.is_valid():
        done = form_outcome(
            form,
            lambda: push.subscriber_update(
                acting_user=request.user, subscriber=subscriber, **form.service_kwargs()
            ),
        )
        if done:
            messages.success(request, "已保存。")
            return redirect("disclosure:subscriber_detail", pk=subscriber.pk)
    return render(
        request,
        "disclosure/subscriber_form.html",
        {
            "form": form,
            "title": f"编辑订阅方：{subscriber.name}",
            "cancel_url": reverse("disclosure:subscriber_detail", args=[subscriber.pk]),
        },
    )


@allowed(permissions.can_manage_push)
@require_POST
def subscriber_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_or_404(selectors.subscriber_get, user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: push.subscriber_deactivate(acting_user=request.user, subscriber=subscriber),
        lambda _: f"已停用订阅方：{subscriber.name}。",
    )
    return redirect("disclosure:subscriber_detail", pk=subscriber.pk)


@allowed(permissions.can_manage_push)
@require_POST
def subscriber_backfill(request: HttpRequest, pk: int) -> HttpResponse:
    subscriber = get_or_404(selectors.subscriber_get, user=request.user, pk=pk)
    # The confirmation box: a back-fill can send thousands of messages to the receiver.
    if request.POST.get("confirm") != "1":
        messages.error(
            request, "请先勾选“我已与接收方确认可以接收补发的记录”，再点“补发已公示的记录”。"
        )
    else:
        flash_outcome(
            request,
            lambda: push.subscriber_backfill(acting_user=request.user, subscriber=subscriber),
            _backfilled,
        )
    return redirect("disclosure:subscriber_detail", pk=subscriber.pk)


def _backfilled(count: int) -> str:
    if not count:
        return "目前没有符合该订阅方推送范围、仍在公示期内的记录，无需补发。"
    return f"已安排补发 {count} 条已公示的记录，稍后刷新查看推送记录。"


@allowed(permissions.can_manage_push)
@require_POST
def message_retry(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_or_404(selectors.subscriber_message, user=request.user, pk=pk)
    flash_outcome(
        request,
        lambda: push.message_retry(acting_user=request.user, message=message),
        lambda _: "已安排重新推送，稍后刷新查看推送记录。",
    )
    return redirect("disclosure:subscriber_detail", pk=message.subscriber_id)
