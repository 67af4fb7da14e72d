"""The push's guard against server-side request forgery (P16): staff choose the URL, so the
sender refuses link-local (cloud metadata), loopback and other special addresses, keeps to
PUSH_ALLOWED_HOSTS when set, and connects to the address it checked (no DNS rebinding).
DNS answers are faked by replacing `socket.getaddrinfo`; hosts not faked resolve normally."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from zhifa.disclosure import push
from zhifa.disclosure.forms import SubscriberForm
from zhifa.disclosure.models import Delivery, OutboxMessage, OutboxStatus
from zhifa.disclosure.tests.conftest import publish
from zhifa.disclosure.tests.test_opendata import _drafts
from zhifa.disclosure.tests.test_push import Receiver

GUARD = "已拒绝推送（防止服务器端请求伪造）"


@pytest.fixture
def dns(monkeypatch):
    """`dns["host"] = ["10.1.2.3"]` fakes an answer; `dns.calls` lists the names looked up."""

    class FakeDNS(dict):
        calls: list[str]

    answers = FakeDNS()
    answers.calls = []
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        answers.calls.append(host)
        ips = answers[host]
        ips = ips.pop(0) if ips and isinstance(ips[0], list) else ips  # successive answers
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in ips
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers


@pytest.fixture
def connects(monkeypatch):
    """Records every outgoing connection the sender opens, and refuses it (nothing leaves)."""
    made: list[tuple] = []

    def create_connection(address, *args, **kwargs):
        made.append(address)
        raise ConnectionRefusedError(111, "Connection refused")

    monkeypatch.setattr(socket, "create_connection", create_connection)
    return made


def _push_once(cw, url: str) -> Delivery:
    push.subscriber_create(acting_user=cw.user("office_a"), name="市平台", url=url, kinds=[])
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    now = timezone.now()
    assert push.deliver_due(now=now)["failed"] == 1
    delivery = Delivery.objects.get()
    # a refusal is a failed attempt like any other: logged, and retried after a minute
    assert delivery.http_status is None and delivery.next_retry_at == now + dt.timedelta(minutes=1)
    assert OutboxMessage.objects.get().status == OutboxStatus.PENDING
    return delivery


def test_metadata_address_refused_at_send(cw, dns, connects):
    dns["metadata.example.test"] = ["169.254.169.254"]
    delivery = _push_once(cw, "http://metadata.example.test/latest/meta-data/")
    assert delivery.error == (
        "目标地址 169.254.169.254 属于链路本地地址，已拒绝推送（防止服务器端请求伪造）。"
        "请核对接收地址及其域名解析。"
    )
    assert connects == []


def test_any_refused_address_refuses_the_host(cw, dns, connects):
    """A name that also resolves to a forbidden address is refused, whichever comes first."""
    dns["mixed.example.test"] = ["10.1.2.3", "fe80::1"]
    delivery = _push_once(cw, "https://mixed.example.test/hook")
    assert "目标地址 fe80::1 属于链路本地地址" in delivery.error and connects == []


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "链路本地地址"),
        ("169.254.0.23", "链路本地地址"),
        ("fe80::1%eth0", "链路本地地址"),
        ("::ffff:169.254.169.254", "链路本地地址"),
        ("100.100.100.200", "云服务器元数据服务地址"),
        ("fd00:ec2::254", "云服务器元数据服务地址"),
        ("224.0.0.1", "组播地址"),
        ("ff02::1", "组播地址"),
        ("0.0.0.0", "未指定地址"),
        ("::", "未指定地址"),
        ("240.0.0.1", "保留地址"),
        ("255.255.255.255", "保留地址"),
    ],
)
def test_special_addresses_are_refused(address, kind):
    assert f"属于{kind}，{GUARD}" in push.address_problem(address)


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "172.16.5.4", "192.168.1.10", "fd12:3456::1", "202.96.0.133"]
)
def test_private_and_public_addresses_pass(address):
    """County and municipal platforms live on government intranets: private ranges stay open."""
    assert push.address_problem(address) is None


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost"])
def test_loopback_refused_unless_allowed(cw, settings, connects, host):
    settings.PUSH_ALLOW_LOOPBACK = False
    delivery = _push_once(cw, f"http://{host}:9/hook")
    assert "属于本机回环地址" in delivery.error and GUARD in delivery.error
    assert "ZHIFA_PUSH_ALLOW_LOOPBACK=1" in delivery.error  # says how to allow it on purpose
    assert connects == []


def test_private_address_is_pinned_against_rebinding(cw, dns, connects):
    """The checked address is the one connected to: a second, different DNS answer (rebinding
    to the metadata service) is never asked for, let alone used."""
    dns["intranet.example.test"] = [["10.1.2.3"], ["169.254.169.254"]]
    delivery = _push_once(cw, "http://intranet.example.test:8080/zhifa/push")
    assert dns.calls == ["intranet.example.test"]
    assert connects == [("10.1.2.3", 8080)]
    assert delivery.error == "无法连接接收方：[Errno 111] Connection refused"


def test_pinned_connection_keeps_host_header(cw, dns):
    rx = Receiver()
    try:
        dns["xypt.example.test"] = ["127.0.0.1"]
        url = f"http://xypt.example.test:{rx.server.server_address[1]}/zhifa/hook?via=push"
        _subscriber, rx.secret = push.subscriber_create(
            acting_user=cw.user("office_a"), name="市平台", url=url, kinds=[]
        )
        (draft,) = _drafts(cw, 1)
        publish(cw, draft)
        assert push.deliver_due()["delivered"] == 1
    finally:
        rx.close()
    (request,) = rx.requests
    assert request["headers"]["Host"] == f"xypt.example.test:{rx.server.server_address[1]}"
    assert rx.bad_signatures == 0 and len(rx.store) == 1


def test_allowed_hosts_checked_in_form_and_service(cw, settings):
    settings.PUSH_ALLOWED_HOSTS = ["XYPT.example.gov.cn", "[fd12::1]"]
    form = SubscriberForm(data={"name": "市平台", "url": "https://evil.example.com/hook"})
    assert not form.is_valid()
    (error,) = form.errors["url"]
    assert "evil.example.com 不在允许推送的主机列表中" in error and "PUSH_ALLOWED_HOSTS" in error
    for url in ("https://xypt.EXAMPLE.gov.cn/hook", "http://[fd12::1]:8080/hook"):
        assert SubscriberForm(data={"name": "市平台", "url": url}).is_valid(), url
    with pytest.raises(ValidationError) as refused:
        push.subscriber_create(
            acting_user=cw.user("office_a"), name="市平台", url="http://10.0.0.8/x", kinds=[]
        )
    assert "PUSH_ALLOWED_HOSTS" in refused.value.message_dict["url"][0]


def test_allowed_hosts_checked_again_at_send(cw, settings, dns, connects):
    """The list may shrink after a subscriber was saved: the sender checks it too."""
    dns["old.example.test"] = ["10.1.2.3"]
    settings.PUSH_ALLOWED_HOSTS = ["old.example.test"]
    push.subscriber_create(
        acting_user=cw.user("office_a"), name="旧平台", url="http://old.example.test/", kinds=[]
    )
    settings.PUSH_ALLOWED_HOSTS = ["new.example.test"]
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    push.deliver_due()
    assert "old.example.test 不在允许推送的主机列表中" in Delivery.objects.get().error
    assert dns.calls == [] and connects == []


def test_scheme_checked_by_form_and_service(cw):
    form = SubscriberForm(data={"name": "市平台", "url": "ftp://example.org/x"})
    assert form.errors["url"] == ["接收地址须为 http:// 或 https:// 开头的网址。"]
    with pytest.raises(ValidationError):
        push.subscriber_create(
            acting_user=cw.user("office_a"), name="市平台", url="file:///etc/passwd", kinds=[]
        )


# --- https through the pinned connection: SNI and the certificate name are the host's --------


def _certificate(tmp_path, name: str) -> tuple[str, str]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(hours=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_file), str(key_file)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """An https receiver on 127.0.0.1 whose certificate names `xypt.example.test` only; the
    sender trusts that certificate (and nothing else) for the test."""
    cert, key = _certificate(tmp_path, "xypt.example.test")
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setattr(push, "_tls_context", lambda: ssl.create_default_context(cafile=cert))
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


def test_https_to_pinned_address_verifies_host_name(cw, dns, tls_receiver):
    port, seen = tls_receiver
    dns["xypt.example.test"] = ["127.0.0.1"]
    dns["other.example.test"] = ["127.0.0.1"]
    office = cw.user("office_a")
    push.subscriber_create(
        acting_user=office, name="甲", url=f"https://xypt.example.test:{port}/hook", kinds=[]
    )
    push.subscriber_create(
        acting_user=office, name="乙", url=f"https://other.example.test:{port}/hook", kinds=[]
    )
    (draft,) = _drafts(cw, 1)
    publish(cw, draft)
    assert push.deliver_due() == {"delivered": 1, "failed": 1, "postponed": 0}
    assert [h["Host"] for h in seen] == [f"xypt.example.test:{port}"]
    failed = Delivery.objects.get(subscriber__name="乙")
    assert failed.error.startswith("无法连接接收方") and "other.example.test" in failed.error
