"""Push to other platforms (P16): a transactional outbox and its sender.

`record_change` runs inside the publish / correct / withdraw transaction: it moves the
item's open-data cursor (`public_seq`) and writes one `OutboxMessage` per matching active
subscriber, so a change and its messages commit (or roll back) together. After commit a
Huey task sends what is due; a periodic task (every minute) retries.

Each POST carries the JSON body and the headers
    X-Zhifa-Event: disclosure.published | disclosure.corrected | disclosure.withdrawn
    Idempotency-Key: <UUID of the message, the same on every retry>
    X-Zhifa-Timestamp: <Unix seconds of this attempt>
    X-Zhifa-Signature: sha256=<hex HMAC-SHA256(secret, b"<timestamp>." + raw body)>
The signature covers the timestamp (as Stripe and Slack do), so a captured request cannot be
replayed later under a fresh timestamp: receivers verify it and reject old timestamps.
A 2xx answer is delivery; anything else (status, refused connection, timeout) is retried
after 1, 2, 4 … minutes (capped at an hour) until `MAX_ATTEMPTS`, then the message is
"failed" and shown to staff with a retry button. Delivery is at least once: receivers
deduplicate by Idempotency-Key and keep, per decision id, the item with the highest `seq`.

Staff type the URL, so the sender guards against server-side request forgery: http(s) only,
optionally only the hosts in `PUSH_ALLOWED_HOSTS`, and never an address that is link-local
(cloud metadata), multicast, unspecified, reserved or - unless `PUSH_ALLOW_LOOPBACK` - loopback.
The host is resolved once, checked, and the connection is opened to the checked address
(`_Pinned`), so DNS cannot answer differently between check and connect (rebinding); for that
reason HTTP(S)_PROXY from the environment is ignored. Where receivers are reachable only through
a proxy, `PUSH_PROXY` (ZHIFA_PUSH_PROXY, http:// only) names it: the host is still resolved and
checked here, and the proxy is asked for a CONNECT tunnel to the checked address, never to the
name (which the proxy would resolve itself); `_Tunnelled`.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import functools
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.parse
import uuid

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Case, Prefetch, Q, When
from django.utils import timezone

from zhifa import ledger
from zhifa.disclosure import permissions, selectors
from zhifa.disclosure.models import (
    Delivery,
    Disclosure,
    DisclosureKind,
    OutboxMessage,
    OutboxStatus,
    PublishedVersion,
    PushEvent,
    Status,
    Subscriber,
)
from zhifa.disclosure.opendata import decision_item
from zhifa.org.permissions import can_view_all_agencies
from zhifa.org.selectors import own_agency_id

log = logging.getLogger(__name__)

TIMEOUT = getattr(settings, "ZHIFA_PUSH_TIMEOUT", 10)  # seconds per request
MAX_ATTEMPTS = getattr(settings, "ZHIFA_PUSH_MAX_ATTEMPTS", 12)
BACKOFF_BASE = dt.timedelta(minutes=1)
BACKOFF_CAP = dt.timedelta(hours=1)
BATCH = 100
# A claimed message is left alone by other workers this long (longer than one request).
CLAIM = dt.timedelta(seconds=TIMEOUT + 60)
USER_AGENT = "zhifa-push/1"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def body_bytes(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`X-Zhifa-Signature` for a body sent with header `X-Zhifa-Timestamp: <timestamp>`."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def backoff(attempt: int) -> dt.timedelta:
    """Wait after the `attempt`-th failure: 1, 2, 4 … minutes, at most an hour."""
    return min(BACKOFF_BASE * (2 ** (attempt - 1)), BACKOFF_CAP)


# --- the outbox (inside the service transaction) -----------------------------------------------


def record_change(disclosure: Disclosure, event: str, seq: int) -> list[OutboxMessage]:
    """Called by the disclosure services in their transaction, after the ledger event `seq`."""
    Disclosure.objects.filter(pk=disclosure.pk).update(public_seq=seq)
    disclosure.public_seq = seq
    subscribers = [
        s
        for s in Subscriber.objects.filter(active=True).filter(
            Q(agency__isnull=True) | Q(agency_id=disclosure.agency_id)
        )
        if not s.kinds or disclosure.kind in s.kinds
    ]
    if not subscribers:
        return []
    item = decision_item(disclosure)
    now = timezone.now()
    messages = OutboxMessage.objects.bulk_create(
        [_message(s, disclosure.pk, event, seq, item, now) for s in subscribers]
    )
    _enqueue_on_commit()
    return messages


def _message(subscriber, disclosure_id, event, seq, item, now, *, backfill=False):
    """An outbox message: the pushed JSON is {id (the idempotency key), event, seq, item}."""
    key = uuid.uuid4()
    return OutboxMessage(
        subscriber=subscriber,
        disclosure_id=disclosure_id,
        key=key,
        event=event,
        seq=seq,
        payload={"id": str(key), "event": event, "seq": seq, "item": item},
        next_attempt_at=now,
        backfill=backfill,
    )


def _enqueue_on_commit() -> None:
    """One delivery task per transaction, however many changes it made."""
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is _enqueue for entry in pending):
        transaction.on_commit(_enqueue)


def _enqueue(first: int | None = None) -> None:
    from zhifa.disclosure.tasks import push_deliver

    try:
        push_deliver(first)
    except Exception:  # the queue being down must not break the request; the minute task retries
        log.exception("push: could not enqueue delivery")


# --- the sender ----------------------------------------------------------------------------------


# --- where a message may go: the guard against server-side request forgery (SSRF) -----------

SCHEME_ERROR = "接收地址须为 http:// 或 https:// 开头的网址。"
# Cloud metadata services outside the link-local range, which the rule for private ranges
# would let through: Alibaba Cloud's (a shared CGNAT address) and AWS's IPv6 one (unique-local).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a) for a in ("100.100.100.200", "fd00:ec2::254")
)
# "This network" (0.0.0.0/8): Linux connects 0.0.0.0 to the machine itself.
THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")


class TargetRefused(Exception):
    """The subscriber's URL may not be pushed to (refused by the guard, or its host name does
    not resolve, or the proxy setting is invalid); the text (Chinese) says why and what to fix."""


def _allowed_hosts() -> set[str]:
    return {h.strip("[]").rstrip(".").lower() for h in settings.PUSH_ALLOWED_HOSTS}


def url_problem(url: str) -> str | None:
    """Why a subscriber may not have this URL (Chinese, saying what to fix), or None. Checked
    when staff save the subscriber and again before every send (the settings may change)."""
    try:
        parts = urllib.parse.urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number 0-65535
    except ValueError:
        return "接收地址格式无效，请填写完整的网址，例如 https://xypt.example.gov.cn/zhifa/push。"
    if parts.scheme.lower() not in ("http", "https"):
        return SCHEME_ERROR
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return "接收地址缺少主机名，请填写完整的网址，例如 https://xypt.example.gov.cn/zhifa/push。"
    allowed = _allowed_hosts()
    if allowed and host not in allowed:
        return (
            f"接收地址的主机 {host} 不在允许推送的主机列表中（设置 PUSH_ALLOWED_HOSTS，"
            "环境变量 ZHIFA_PUSH_ALLOWED_HOSTS）。"
            "请改用列表中的主机，或请系统管理员把它加入该设置。"
        )
    return None


def _refused_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    if ip in METADATA_ADDRESSES:
        return "云服务器元数据服务地址"
    if ip.is_link_local:  # 169.254.169.254 and friends: the usual metadata services
        return "链路本地地址"
    if ip.is_loopback:  # checked before "reserved": ::1 is in a reserved IPv6 block
        return None if settings.PUSH_ALLOW_LOOPBACK else "本机回环地址"
    if ip.is_multicast:
        return "组播地址"
    if ip.is_unspecified or (ip.version == 4 and ip in THIS_NETWORK):
        return "未指定地址"
    if ip.is_reserved:
        return "保留地址"
    return None  # public and private (10/8, 172.16/12, 192.168/16: government intranets)


def address_problem(address: str) -> str | None:
    """Why the sender must not connect to this resolved address (Chinese), or None."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])  # without an IPv6 zone ("fe80::1%eth0")
    if ip.version == 6 and ip.ipv4_mapped:  # ::ffff:169.254.169.254 is 169.254.169.254
        ip = ip.ipv4_mapped
    kind = _refused_kind(ip)
    if kind is None:
        return None
    if kind == "本机回环地址":
        fix = "如确需推送到本机（仅限测试或演示），请设置 ZHIFA_PUSH_ALLOW_LOOPBACK=1。"
    else:
        fix = "请核对接收地址及其域名解析。"
    return f"目标地址 {ip} 属于{kind}，已拒绝推送（防止服务器端请求伪造）。{fix}"


def checked_addresses(host: str, port: int) -> list[str]:
    """The addresses of `host`, resolved once; TargetRefused if any of them is refused (a name
    that also points at a forbidden address is suspect, whichever address we would pick)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise TargetRefused(
            f"无法解析接收地址的主机名 {host}：{exc}。请核对接收地址或本机的 DNS 设置。"
        ) from exc
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        if problem := address_problem(address):
            raise TargetRefused(problem)
    return addresses


def _connect_first(addresses: list[str], address, timeout, source_address) -> socket.socket:
    """`socket.create_connection`, but to the checked addresses instead of resolving again."""
    error: OSError | None = None
    for ip in addresses:
        try:
            return socket.create_connection((ip, address[1]), timeout, source_address)
        except OSError as exc:
            error = exc
    raise error or OSError("没有可用的地址")


class _Pinned:
    """Connects to addresses checked by `checked_addresses`, so a DNS answer that changes
    between the check and the connection (DNS rebinding) is never used. The Host header still
    names the host, and for https `HTTPSConnection.connect` wraps the socket with
    `server_hostname=self.host`: SNI and the certificate check use the host name, not the IP."""

    def __init__(self, host: str, port: int, addresses: list[str], **kwargs):
        super().__init__(host, port, **kwargs)
        self._create_connection = functools.partial(_connect_first, addresses)


class _PinnedHTTPConnection(_Pinned, http.client.HTTPConnection):
    pass


class _PinnedHTTPSConnection(_Pinned, http.client.HTTPSConnection):
    pass


# --- through the operator's proxy (PUSH_PROXY) ---------------------------------------------------

PROXY_FORMAT = (
    "推送代理设置 ZHIFA_PUSH_PROXY 无效：须为 http://主机:端口 形式的 HTTP 代理，"
    "例如 http://10.0.0.5:3128。请系统管理员改正该设置。"
)


class ProxyFailed(OSError):
    """The push proxy could not be reached or would not open the tunnel (Chinese text)."""


@dataclasses.dataclass(frozen=True)
class Proxy:
    host: str
    port: int
    headers: dict[str, str]  # sent with CONNECT: Proxy-Authorization when the URL has a user

    @property
    def label(self) -> str:  # for messages: never the credentials
        return _host_port(self.host, self.port)


def _host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def push_proxy() -> Proxy | None:
    """The operator's proxy, or None (connect directly); TargetRefused if the setting is bad.
    The proxy's own address is not checked: the operator chose it, not staff."""
    value = (getattr(settings, "PUSH_PROXY", "") or "").strip()
    if not value:
        return None
    try:
        parts = urllib.parse.urlsplit(value)
        port = parts.port or 80
    except ValueError:
        raise TargetRefused(PROXY_FORMAT) from None
    if parts.scheme.lower() != "http" or not parts.hostname or parts.path not in ("", "/"):
        raise TargetRefused(PROXY_FORMAT)
    headers = {}
    if parts.username is not None:
        user = urllib.parse.unquote(parts.username)
        password = urllib.parse.unquote(parts.password or "")
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        headers["Proxy-Authorization"] = f"Basic {token}"
    return Proxy(parts.hostname, port, headers)


def _host_header(host: str, port: int, default_port: int) -> str:
    """The Host header http.client writes for a direct connection to `host`."""
    try:
        name = host.encode("ascii").decode()
    except UnicodeEncodeError:
        name = host.encode("idna").decode()
    if ":" in name:
        name = f"[{name}]"
    return name if port == default_port else f"{name}:{port}"


class _Tunnelled:
    """Connects to the proxy and opens a CONNECT tunnel (`set_tunnel`) to a checked address of
    the host, trying them in order like `_connect_first`. Inside the tunnel the request is the
    one a direct connection sends: the Host header names the host, and for https the socket is
    wrapped with `server_hostname=<host>`, so SNI and the certificate check use the name."""

    def __init__(self, host: str, port: int, addresses: list[str], proxy: Proxy, **kwargs):
        super().__init__(proxy.host, proxy.port, **kwargs)
        self.target_host, self.target_port = host, port
        self.addresses, self.proxy = addresses, proxy
        self.host_header = _host_header(host, port, self.default_port)
        self._create_connection = self._connect_proxy

    def _connect_proxy(self, address, timeout, source_address) -> socket.socket:
        try:
            return socket.create_connection(address, timeout, source_address)
        except OSError as exc:
            raise ProxyFailed(f"无法连接推送代理 {self.proxy.label}：{exc}") from exc

    def connect(self) -> None:
        refused: ProxyFailed | None = None
        for ip in self.addresses:
            target = _host_port(ip, self.target_port)
            # Bracketed IPv6 and an explicit Host: the CONNECT line and header are the same
            # on Python 3.11 (which writes neither itself) and later versions.
            tunnel_ip = f"[{ip}]" if ":" in ip else ip
            headers = {"Host": target, **self.proxy.headers}
            self.set_tunnel(tunnel_ip, self.target_port, headers=headers)
            try:
                http.client.HTTPConnection.connect(self)  # to the proxy, then CONNECT
            except ProxyFailed:
                raise  # the proxy is down: the next address would not fare better
            except (OSError, http.client.HTTPException) as exc:  # e.g. "403 Forbidden"
                self.close()
                refused = ProxyFailed(
                    f"推送代理 {self.proxy.label} 未能建立到 {target} 的隧道：{exc}。"
                    "请核对代理的访问规则（是否允许连接该地址和端口）。"
                )
                continue
            self._secure()
            return
        raise refused or ProxyFailed("没有可用的地址")

    def _secure(self) -> None:
        pass

    def putrequest(self, method, url, skip_host=False, skip_accept_encoding=False):
        # Through a tunnel http.client would write the tunnel's end (the IP) as Host.
        super().putrequest(method, url, skip_host=True, skip_accept_encoding=skip_accept_encoding)
        self.putheader("Host", self.host_header)


class _TunnelledHTTPConnection(_Tunnelled, http.client.HTTPConnection):
    pass


class _TunnelledHTTPSConnection(_Tunnelled, http.client.HTTPSConnection):
    def _secure(self) -> None:
        self.sock = self._context.wrap_socket(self.sock, server_hostname=self.target_host)


def _tls_context() -> ssl.SSLContext:
    return ssl.create_default_context()  # verifies the certificate and its host name


def _connection(url: str) -> tuple[http.client.HTTPConnection, str]:
    """A connection to the subscriber's checked addresses (not yet open), directly or through
    the push proxy, and the request target. Redirects are never followed (http.client does
    not): a 3xx is reported, not re-sent."""
    if problem := url_problem(url):
        raise TargetRefused(problem)
    proxy = push_proxy()
    parts = urllib.parse.urlsplit(url)
    secure = parts.scheme.lower() == "https"
    port = parts.port or (443 if secure else 80)
    addresses = checked_addresses(parts.hostname, port)
    kwargs: dict = {"timeout": TIMEOUT}
    if secure:
        kwargs["context"] = _tls_context()
    if proxy:
        tunnelled = _TunnelledHTTPSConnection if secure else _TunnelledHTTPConnection
        conn = tunnelled(parts.hostname, port, addresses, proxy, **kwargs)
    else:
        pinned = _PinnedHTTPSConnection if secure else _PinnedHTTPConnection
        conn = pinned(parts.hostname, port, addresses, **kwargs)
    return conn, (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _claim(now: dt.datetime, limit: int, first: int | None = None) -> list[OutboxMessage]:
    """Due messages, locked for this worker: `select_for_update(skip_locked)` on PostgreSQL;
    on SQLite the IMMEDIATE transaction already serialises the claim. Oldest change first,
    except message `first` (a manual retry), which goes ahead of the others."""
    with transaction.atomic():
        due = (
            OutboxMessage.objects.filter(
                status=OutboxStatus.PENDING, next_attempt_at__lte=now, subscriber__active=True
            )
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
            # Live changes before a back-fill's (whose old seqs would otherwise go first).
            .order_by(Case(When(pk=first or 0, then=0), default=1), "backfill", "seq", "pk")
        )
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        rows = list(due.select_related("subscriber")[:limit])
        if rows:
            OutboxMessage.objects.filter(pk__in=[m.pk for m in rows]).update(
                locked_until=now + CLAIM
            )
    return rows


def _post(message: OutboxMessage, now: dt.datetime) -> tuple[int | None, str]:
    body = body_bytes(message.payload)
    timestamp = str(int(now.timestamp()))
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Zhifa-Event": message.event,
        "Idempotency-Key": str(message.key),
        "X-Zhifa-Timestamp": timestamp,
        "X-Zhifa-Signature": signature(message.subscriber.secret, timestamp, body),
    }
    try:
        conn, target = _connection(message.subscriber.url)
    except TargetRefused as exc:
        return None, str(exc)[:500]
    try:
        try:
            conn.connect()
        except ProxyFailed as exc:
            return None, str(exc)[:500]
        except (OSError, ValueError) as exc:
            return None, f"无法连接接收方：{exc}"[:500]
        try:
            conn.request("POST", target, body=body, headers=headers)
            with conn.getresponse() as response:
                response.read(65536)
                status = response.status
        except (OSError, ValueError, http.client.HTTPException) as exc:
            return None, f"发送失败：{exc}"[:500]
    finally:
        conn.close()
    if 200 <= status < 300:
        return status, ""
    return status, f"接收方返回 HTTP {status}"


def send(message: OutboxMessage, now: dt.datetime | None = None) -> Delivery:
    """One attempt for a claimed message; logs it and schedules the retry (or gives up)."""
    now = now or timezone.now()
    clock = time.monotonic()
    # The signed timestamp is the wall clock of this attempt, not the run's `now`: a long batch
    # can take minutes, and receivers reject timestamps older than a few minutes.
    status, error = _post(message, timezone.now())
    finished = now + dt.timedelta(seconds=time.monotonic() - clock)
    ok = status is not None and 200 <= status < 300
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        attempt = message.attempts + 1
        message.attempts, message.locked_until = attempt, None
        retry_at = None
        if ok:
            message.status, message.delivered_at = OutboxStatus.DELIVERED, finished
        elif attempt >= MAX_ATTEMPTS:
            message.status = OutboxStatus.FAILED
        else:
            retry_at = message.next_attempt_at = now + backoff(attempt)
        message.save(
            update_fields=["attempts", "locked_until", "status", "delivered_at", "next_attempt_at"]
        )
        return Delivery.objects.create(
            subscriber_id=message.subscriber_id,
            message=message,
            attempt=attempt,
            started_at=now,
            finished_at=finished,
            http_status=status,
            error=error,
            next_retry_at=retry_at,
        )


def deliver_due(
    now: dt.datetime | None = None, limit: int = BATCH, first: int | None = None
) -> dict[str, int]:
    """Send every message due at `now` (one batch of at most `limit`). After a failure, a
    subscriber's other messages wait for its retry (`_hold`), so one dead receiver cannot hold
    a worker for `limit × TIMEOUT` seconds nor the batch from other subscribers."""
    now = now or timezone.now()
    counts = {"delivered": 0, "failed": 0, "postponed": 0}
    down: set[int] = set()
    for message in _claim(now, limit, first):
        if message.subscriber_id in down:
            OutboxMessage.objects.filter(pk=message.pk).update(locked_until=None)
            counts["postponed"] += 1
            continue
        delivery = send(message, now)
        if delivery.ok:
            counts["delivered"] += 1
        else:
            counts["failed"] += 1
            down.add(message.subscriber_id)
            _hold(message.subscriber_id, delivery.next_retry_at)
    return counts


def _hold(subscriber_id: int, until: dt.datetime | None) -> None:
    """After a failed attempt, the subscriber's other pending messages wait for its retry:
    left due, they would be claimed first at every run (oldest first) and postponed again,
    and a receiver that is down with a batch's worth of messages would starve the others."""
    if until is not None:
        OutboxMessage.objects.filter(
            subscriber_id=subscriber_id, status=OutboxStatus.PENDING, next_attempt_at__lt=until
        ).update(next_attempt_at=until)


# --- staff actions on subscribers (one transaction each, with a ledger event) -----------------


def _validated(name: str, url: str, kinds: list[str]) -> tuple[str, str, list[str]]:
    name, url = name.strip(), url.strip()
    errors = {}
    if not name:
        errors["name"] = "请填写接收平台名称。"
    if problem := url_problem(url):
        errors["url"] = problem
    bad = [k for k in kinds if k not in DisclosureKind.values]
    if bad:
        errors["kinds"] = "推送类别无效：" + "、".join(bad)
    if errors:
        raise ValidationError(errors)
    return name, url, sorted(set(kinds))


def _target_agency(acting_user, agency_id: int | None) -> int | None:
    """Office users configure their own agency's subscribers; only a user who sees every
    agency (system administrator) may choose another agency or all of them."""
    if can_view_all_agencies(acting_user):
        return agency_id
    own = own_agency_id(acting_user)
    if own is None:
        raise PermissionDenied("您的账号不属于任何执法主体，不能配置推送。")
    return own


def _may_change(acting_user, subscriber: Subscriber) -> None:
    if not permissions.can_manage_push(acting_user):
        raise PermissionDenied("您没有配置推送的权限。")
    if not can_view_all_agencies(acting_user) and (
        subscriber.agency_id is None or subscriber.agency_id != own_agency_id(acting_user)
    ):
        raise PermissionDenied("只能配置本机关的推送订阅方。")


def subscriber_create(
    *, acting_user, name: str, url: str, kinds: list[str], agency_id: int | None = None
) -> tuple[Subscriber, str]:
    """A new subscriber and its signing secret (returned once; shown to staff only now)."""
    if not permissions.can_manage_push(acting_user):
        raise PermissionDenied("您没有配置推送的权限。")
    name, url, kinds = _validated(name, url, kinds)
    secret = new_secret()
    with transaction.atomic():
        subscriber = Subscriber.objects.create(
            agency_id=_target_agency(acting_user, agency_id),
            name=name,
            url=url,
            kinds=kinds,
            secret=secret,
            created_by=acting_user,
        )
        ledger.record(
            "push.subscriber_added",
            subscriber,
            acting_user,
            {"name": name, "url": url, "kinds": kinds},
        )
    return subscriber, secret


def subscriber_update(
    *, acting_user, subscriber: Subscriber, name: str, url: str, kinds: list[str], active: bool
) -> Subscriber:
    _may_change(acting_user, subscriber)
    name, url, kinds = _validated(name, url, kinds)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        subscriber.name, subscriber.url, subscriber.kinds = name, url, kinds
        subscriber.active = active
        subscriber.save()
        ledger.record(
            "push.subscriber_changed",
            subscriber,
            acting_user,
            {"name": name, "url": url, "kinds": kinds, "active": active},
        )
    return subscriber


def subscriber_deactivate(*, acting_user, subscriber: Subscriber) -> Subscriber:
    """Stops pushing; messages not yet delivered wait and go out if it is enabled again."""
    _may_change(acting_user, subscriber)
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if not subscriber.active:
            raise ValidationError("该订阅方已停用。")
        subscriber.active = False
        subscriber.save(update_fields=["active"])
        ledger.record("push.subscriber_stopped", subscriber, acting_user, {})
    return subscriber


def message_retry(*, acting_user, message: OutboxMessage) -> OutboxMessage:
    """Manual retry of a failed message: one more attempt, due now."""
    _may_change(acting_user, message.subscriber)
    with transaction.atomic():
        message = OutboxMessage.objects.select_for_update().get(pk=message.pk)
        if message.status == OutboxStatus.DELIVERED:
            raise ValidationError("该消息已送达，无需重试。")
        message.status, message.next_attempt_at = OutboxStatus.PENDING, timezone.now()
        message.locked_until = None
        message.save(update_fields=["status", "next_attempt_at", "locked_until"])
        ledger.record(
            "push.retry",
            message.subscriber,
            acting_user,
            {"message": str(message.key), "seq": message.seq},
        )
        pk = message.pk
        transaction.on_commit(lambda: _enqueue(first=pk))
    return message


# --- back-fill: what a new subscriber missed --------------------------------------------------

BACKFILL_BATCH = 1000  # messages written per INSERT; also the rows read per chunk


def _backfill_event(disclosure: Disclosure) -> str:
    """The event of the decision's last public change, as the services named it: withdrawal,
    else correction once there is more than one published version, else publication."""
    if disclosure.status == Status.WITHDRAWN:
        return PushEvent.WITHDRAWN
    return PushEvent.CORRECTED if len(disclosure.all_versions) > 1 else PushEvent.PUBLISHED


def _backfill_rows(subscriber: Subscriber):
    """The decisions on the portal now within the subscriber's scope, in chunks (with their
    agency and versions prefetched per chunk), so memory stays flat however many there are."""
    rows = selectors.public_disclosures()
    if subscriber.agency_id is not None:
        rows = rows.filter(agency_id=subscriber.agency_id)
    if subscriber.kinds:
        rows = rows.filter(kind__in=subscriber.kinds)
    # The versions' full text is not part of the pushed item: not read.
    versions = Prefetch(
        "versions",
        queryset=PublishedVersion.objects.order_by("number").defer("text"),
        to_attr="all_versions",
    )
    rows = rows.prefetch_related(None).prefetch_related("agency", versions).order_by("pk")
    return rows.iterator(chunk_size=BACKFILL_BATCH)


def backfill_pending(subscriber: Subscriber) -> int:
    """How many messages of an earlier back-fill still wait to be sent to this subscriber."""
    return OutboxMessage.objects.filter(
        subscriber=subscriber, backfill=True, status=OutboxStatus.PENDING
    ).count()


def subscriber_backfill(*, acting_user, subscriber: Subscriber) -> int:
    """补发: one message per decision now on the portal in the subscriber's scope, as its
    latest public change (`record_change`'s payload, `seq` = its `public_seq`), so a platform
    added after those decisions were published catches up. Returns the number of messages.
    Refused while messages of an earlier back-fill are still pending (no double flood)."""
    _may_change(acting_user, subscriber)
    with transaction.atomic():
        # The row lock makes two simultaneous back-fills of one subscriber take turns.
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if not subscriber.active:
            raise ValidationError("该订阅方已停用，请先在“编辑”中启用后再补发。")
        if pending := backfill_pending(subscriber):
            raise ValidationError(
                f"上一次补发还有 {pending} 条消息待推送，请待其送达后再补发；"
                "如接收方长期无法接收，请先与对方核实接收地址。"
            )
        now, count, batch = timezone.now(), 0, []
        for disclosure in _backfill_rows(subscriber):
            batch.append(_backfill_message(subscriber, disclosure, now))
            if len(batch) == BACKFILL_BATCH:
                count += len(OutboxMessage.objects.bulk_create(batch))
                batch = []
        count += len(OutboxMessage.objects.bulk_create(batch))
        # Last: the ledger's append lock is held until commit, so take it after the inserts
        # rather than block every publication while they run.
        ledger.record("push.subscriber_backfilled", subscriber, acting_user, {"messages": count})
        if count:
            _enqueue_on_commit()
    return count


def _backfill_message(subscriber: Subscriber, disclosure: Disclosure, now) -> OutboxMessage:
    event, seq, item = _backfill_event(disclosure), disclosure.public_seq, decision_item(disclosure)
    return _message(subscriber, disclosure.pk, event, seq, item, now, backfill=True)


def push_todos(user) -> list:
    """待办 for the office: subscribers with messages that gave up ("failed")."""
    from django.db.models import Count
    from django.urls import reverse

    from zhifa.core.todo import TodoItem

    if not permissions.can_manage_push(user) or own_agency_id(user) is None:
        return []
    rows = (
        Subscriber.objects.filter(agency_id=own_agency_id(user), active=True)
        .annotate(failed=Count("messages", filter=Q(messages__status=OutboxStatus.FAILED)))
        .filter(failed__gt=0)
    )
    return [
        TodoItem(
            title=f"公示推送失败：{s.name}",
            url=reverse("disclosure:subscriber_detail", args=[s.pk]) + "?status=failed",
            detail=f"{s.failed} 条消息多次推送仍未送达，请与接收方核实接收地址后点“立即重试”。",
            level="danger",
        )
        for s in rows
    ]
