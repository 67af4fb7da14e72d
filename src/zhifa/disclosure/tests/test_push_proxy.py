"""Pushing through the operator's HTTP proxy (PUSH_PROXY, P16): the target is resolved and
checked as without a proxy, and the proxy is asked for a CONNECT tunnel to the checked address,
never to the name. A real CONNECT proxy runs on loopback here."""

from __future__ import annotations

import base64
import datetime as dt
import select
import socket
import threading

import pytest
from django.utils import timezone

from zhifa.disclosure import push
from zhifa.disclosure.models import Delivery, OutboxMessage, OutboxStatus
from zhifa.disclosure.tests import test_push_ssrf
from zhifa.disclosure.tests.conftest import publish
from zhifa.disclosure.tests.test_opendata import _drafts
from zhifa.disclosure.tests.test_push import Receiver
from zhifa.disclosure.tests.test_push_ssrf import GUARD

# The fake DNS and the https receiver of the SSRF tests, used here too.
dns = test_push_ssrf.dns
tls_receiver = test_push_ssrf.tls_receiver


class ConnectProxy:
    """A CONNECT proxy: records each request line's target and headers, answers `status`; on
    200 it relays both ways to the target, or with `terminate` plays the receiver itself (for
    targets that do not exist here) and records the tunnelled request."""

    def __init__(self, status: int = 200, terminate: bool = False):
        self.status, self.terminate = status, terminate
        self.targets: list[str] = []
        self.headers: list[dict[str, str]] = []
        self.tunnelled: list[bytes] = []  # requests seen inside the tunnel (terminate only)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.stopped = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self.stopped.is_set():
            try:
                client, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    @staticmethod
    def _read_head(sock: socket.socket) -> tuple[bytes, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        return head, rest

    def _handle(self, client: socket.socket) -> None:
        with client:
            client.settimeout(5)
            head, rest = self._read_head(client)
            request_line, *lines = head.decode("latin-1").split("\r\n")
            method, target, _version = request_line.split(" ")
            self.targets.append(target)
            self.headers.append(dict(line.split(": ", 1) for line in lines))
            if method != "CONNECT" or self.status != 200:
                client.sendall(f"HTTP/1.1 {self.status} Forbidden\r\n\r\n".encode())
                return
            if self.terminate:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                request, _body = self._read_head(client)
                self.tunnelled.append(request)
                client.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
                return
            host, _, port = target.rpartition(":")
            with socket.create_connection((host.strip("[]"), int(port)), timeout=5) as upstream:
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
                self._relay(client, upstream)

    @staticmethod
    def _relay(a: socket.socket, b: socket.socket) -> None:
        """Until either side closes (or resets: a failed TLS handshake does)."""
        while True:
            readable, _, _ = select.select([a, b], [], [], 5)
            if not readable:
                return
            for sock in readable:
                try:
                    data = sock.recv(65536)
                    if data:
                        (b if sock is a else a).sendall(data)
                except OSError:
                    data = b""
                if not data:
                    return

    def close(self) -> None:
        self.stopped.set()
        self.listener.close()


@pytest.fixture
def proxies():
    made: list[ConnectProxy] = []

    def make(**kwargs) -> ConnectProxy:
        made.append(ConnectProxy(**kwargs))
        return made[-1]

    yield make
    for proxy in made:
        proxy.close()


@pytest.fixture
def rx():
    receiver = Receiver()
    yield receiver
    receiver.close()


def _subscribe_and_publish(cw, url: str) -> str:
    _subscriber, secret = push.subscriber_create(
        acting_user=cw.user("office_a"), name="市平台", url=url, kinds=[]
    )
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    return secret


def test_http_push_through_proxy_tunnels_to_checked_address(cw, settings, dns, proxies, rx):
    proxy = proxies()
    settings.PUSH_PROXY = proxy.url
    port = rx.server.server_address[1]
    dns["xypt.example.test"] = ["127.0.0.1"]
    rx.secret = _subscribe_and_publish(cw, f"http://xypt.example.test:{port}/zhifa/hook?a=1")

    assert push.deliver_due() == {"delivered": 1, "failed": 0, "postponed": 0}
    assert proxy.targets == [f"127.0.0.1:{port}"]  # the checked address, not the name
    assert proxy.headers[0]["Host"] == f"127.0.0.1:{port}"
    assert "Proxy-Authorization" not in proxy.headers[0]
    assert dns.calls == ["xypt.example.test"]  # resolved once, by the sender
    (request,) = rx.requests
    assert request["headers"]["Host"] == f"xypt.example.test:{port}"  # the name, as direct
    assert rx.bad_signatures == 0 and len(rx.store) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.DELIVERED


def test_https_through_proxy_verifies_host_name(cw, settings, dns, proxies, tls_receiver):
    """Inside the tunnel TLS uses the host name: SNI and the certificate check (the
    certificate names xypt.example.test only, so other.example.test fails)."""
    port, seen = tls_receiver
    proxy = proxies()
    settings.PUSH_PROXY = proxy.url + "/"
    dns["xypt.example.test"] = ["127.0.0.1"]
    dns["other.example.test"] = ["127.0.0.1"]
    office = cw.user("office_a")
    for name in ("xypt", "other"):
        push.subscriber_create(
            acting_user=office, name=name, url=f"https://{name}.example.test:{port}/h", kinds=[]
        )
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    assert push.deliver_due() == {"delivered": 1, "failed": 1, "postponed": 0}
    assert proxy.targets == [f"127.0.0.1:{port}", f"127.0.0.1:{port}"]
    assert [h["Host"] for h in seen] == [f"xypt.example.test:{port}"]
    failed = Delivery.objects.get(subscriber__name="other")
    assert failed.error.startswith("无法连接接收方") and "other.example.test" in failed.error


@pytest.mark.parametrize(
    ("address", "target"), [("10.1.2.3", "10.1.2.3:8080"), ("fd12::1", "[fd12::1]:8080")]
)
def test_proxy_itself_may_be_on_loopback(cw, settings, dns, proxies, address, target):
    """The operator's proxy is not refused as loopback (staff do not choose it); the target's
    address is still checked, and is what the proxy is asked to connect to."""
    settings.PUSH_ALLOW_LOOPBACK = False
    proxy = proxies(terminate=True)
    settings.PUSH_PROXY = proxy.url
    dns["intranet.example.test"] = [address]
    _subscribe_and_publish(cw, "http://intranet.example.test:8080/zhifa/push")
    assert push.deliver_due()["delivered"] == 1
    assert proxy.targets == [target] and proxy.headers[0]["Host"] == target
    (request,) = proxy.tunnelled
    assert request.startswith(b"POST /zhifa/push HTTP/1.1\r\n")
    assert b"\r\nHost: intranet.example.test:8080\r\n" in request
    assert request.count(b"\r\nHost: ") == 1


def test_target_checked_before_the_proxy_is_asked(cw, settings, dns, proxies):
    proxy = proxies()
    settings.PUSH_PROXY = proxy.url
    dns["metadata.example.test"] = ["169.254.169.254"]
    _subscribe_and_publish(cw, "http://metadata.example.test/latest/meta-data/")
    push.deliver_due()
    delivery = Delivery.objects.get()
    assert delivery.error.startswith("目标地址 169.254.169.254 属于链路本地地址") and (
        GUARD in delivery.error
    )
    assert proxy.targets == []  # the proxy never heard of it


def test_proxy_refusing_the_tunnel_is_a_failed_attempt(cw, settings, proxies, rx):
    proxy = proxies(status=403)
    settings.PUSH_PROXY = f"http://zhifa:p%40ss@127.0.0.1:{proxy.port}"
    port = rx.server.server_address[1]
    _subscribe_and_publish(cw, rx.url)
    now = timezone.now()
    assert push.deliver_due(now=now) == {"delivered": 0, "failed": 1, "postponed": 0}
    delivery = Delivery.objects.get()
    assert delivery.error.startswith(
        f"推送代理 127.0.0.1:{proxy.port} 未能建立到 127.0.0.1:{port} 的隧道："
    )
    assert "403" in delivery.error and "请核对代理的访问规则" in delivery.error
    assert "p@ss" not in delivery.error and "zhifa:" not in delivery.error
    assert delivery.http_status is None
    assert delivery.next_retry_at == now + dt.timedelta(minutes=1)  # retried like any failure
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING
    assert rx.requests == []
    expected = base64.b64encode(b"zhifa:p@ss").decode()
    assert proxy.headers[0]["Proxy-Authorization"] == f"Basic {expected}"


def test_unreachable_proxy_is_a_failed_attempt(cw, settings, rx):
    settings.PUSH_PROXY = "http://127.0.0.1:9"  # nothing listens (discard port)
    _subscribe_and_publish(cw, rx.url)
    assert push.deliver_due()["failed"] == 1
    error = Delivery.objects.get().error
    assert error.startswith("无法连接推送代理 127.0.0.1:9：") and rx.requests == []


@pytest.mark.parametrize(
    "value",
    ["https://10.0.0.5:3128", "socks5://10.0.0.5:1080", "10.0.0.5:3128", "http://:3128",
     "http://10.0.0.5:99999", "http://10.0.0.5:3128/proxy"],
)  # fmt: skip
def test_invalid_proxy_setting_says_what_to_fix(cw, settings, rx, value):
    settings.PUSH_PROXY = value
    _subscribe_and_publish(cw, rx.url)
    push.deliver_due()
    assert Delivery.objects.get().error == push.PROXY_FORMAT
    assert "ZHIFA_PUSH_PROXY" in push.PROXY_FORMAT and rx.requests == []


def test_empty_setting_means_direct(settings):
    settings.PUSH_PROXY = " "
    assert push.push_proxy() is None
