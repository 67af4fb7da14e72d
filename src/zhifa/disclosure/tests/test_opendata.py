"""Open data (P14): the public JSON API with its sync cursor, the CSV export and the Atom feed."""

import csv
import datetime as dt
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhifa.cases.models import Party
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.core.privacy import find_unmasked
from zhifa.disclosure import opendata, services
from zhifa.disclosure.models import Disclosure, Status
from zhifa.disclosure.tests.conftest import publish

API = "/api/v1/public/decisions"
ATOM = "{http://www.w3.org/2005/Atom}"


def _drafts(cw, n: int, party=None) -> list[Disclosure]:
    for _ in range(n):
        walk_penalty(cw, "served", party=party)
    services.disclosure_sync()
    return list(Disclosure.objects.filter(status=Status.DRAFT).order_by("pk"))


def _correct(cw, d, reason="文号笔误"):
    return services.disclosure_correct(
        acting_user=cw.user("office_a"), disclosure=d, reason=reason, text=d.text + "\n（更正）"
    )


def _withdraw(cw, d, reason="决定已被复议撤销"):
    return services.disclosure_withdraw(
        acting_user=cw.user("leader_a"),
        disclosure=d,
        reason=reason,
        changed_on=timezone.localdate(),
    )


def test_item_shape_from_current_masked_version(cw, client):
    (draft,) = _drafts(cw, 1, party=cw.person)
    d = publish(cw, draft)
    _correct(cw, d, reason="金额笔误")
    body = client.get(f"{API}/{d.pk}").json()
    assert set(body) == set(opendata.DecisionItem.model_fields)
    assert body["id"] == d.pk and body["kind"] == "penalty" and body["kind_label"] == "行政处罚"
    assert body["agency"] == {"id": cw.world.agency_a.pk, "name": cw.world.agency_a.name}
    assert body["party_name"] == "张某某"  # a natural person's name is masked
    assert body["version"] == 2 and body["correction_reason"] == "金额笔误"
    assert body["status"] == "published" and body["withdrawal_reason"] == ""
    assert body["decided_on"] == d.decided_on.isoformat()
    d.refresh_from_db()
    assert body["publish_until"] == d.expires_on.isoformat()
    assert body["url"] == f"/portal/decisions/{d.pk}/"
    assert client.get(body["url"]).status_code == 200
    latest = d.versions.get(number=2)
    assert dt.datetime.fromisoformat(body["updated_at"]) == latest.published_at
    assert cw.person.id_number not in str(body)
    _withdraw(cw, d)
    body = client.get(f"{API}/{d.pk}").json()
    assert body["status"] == "withdrawn" and body["withdrawal_reason"] == "决定已被复议撤销"


def test_unpublished_and_expired_are_not_found(cw, client):
    (draft,) = _drafts(cw, 1)
    response = client.get(f"{API}/{draft.pk}")
    assert response.status_code == 404 and "未找到" in response.json()["detail"]
    d = publish(cw, draft)
    assert client.get(f"{API}/{d.pk}").status_code == 200
    Disclosure.objects.filter(pk=d.pk).update(expires_on=timezone.localdate() - dt.timedelta(1))
    assert client.get(f"{API}/{d.pk}").status_code == 404
    assert client.get(API).json()["items"] == []  # the period ended: it left the feed


def test_filters_and_validation(cw, client):
    first, second = _drafts(cw, 2)
    first, second = publish(cw, first), publish(cw, second)
    Disclosure.objects.filter(pk=first.pk).update(decided_on=dt.date(2025, 1, 10))
    ids = lambda q: [i["id"] for i in client.get(f"{API}?{q}").json()["items"]]  # noqa: E731
    assert ids("") == [first.pk, second.pk]
    assert ids(f"agency={cw.world.agency_a.pk}") == [first.pk, second.pk]
    assert ids(f"agency={cw.world.agency_b.pk}") == []
    assert ids("kind=licence") == [] and ids("kind=penalty") == [first.pk, second.pk]
    assert ids("date_from=2025-01-01&date_to=2025-01-31") == [first.pk]
    assert ids("date_from=2025-02-01") == [second.pk]
    for bad in ["limit=0", "limit=1001", "kind=x", "date_from=2025-13-01", "agency=a"]:
        response = client.get(f"{API}?{bad}")
        assert response.status_code == 400, bad
        assert "请求数据不符合接口格式" in response.json()["detail"]
    for cursor in ["abc", "!!", opendata.encode_cursor(5)[:-2] + "$$", "x" * 100]:
        response = client.get(f"{API}?since={cursor}")
        assert response.status_code == 400
        assert "游标" in response.json()["detail"]


def test_pages_follow_next_until_null(cw, client):
    for draft in _drafts(cw, 5):
        publish(cw, draft)
    seen, url = [], f"{API}?limit=2"
    while url:
        body = client.get(url).json()
        assert len(body["items"]) <= 2
        seen += [i["id"] for i in body["items"]]
        url = f"{API}?limit=2&since={body['next']}" if body["next"] else None
    assert sorted(seen) == sorted(Disclosure.objects.values_list("pk", flat=True))
    assert len(seen) == 5


def test_sync_loop_sees_every_change_once(cw, client):
    """A platform syncing with `since` between interleaved publications, corrections and
    withdrawals receives each item state exactly once and ends equal to the API."""
    drafts = _drafts(cw, 6)
    mirror: dict[int, dict] = {}
    received: list[tuple] = []
    cursor = None

    def sync():
        nonlocal cursor
        while True:
            url = f"{API}?limit=2" + (f"&since={cursor}" if cursor else "")
            body = client.get(url).json()
            for item in body["items"]:
                received.append((item["id"], item["version"], item["status"]))
                mirror[item["id"]] = item
            cursor = body["cursor"]
            if body["next"] is None:
                return
            assert body["next"] == cursor

    published = [publish(cw, drafts[0]), publish(cw, drafts[1])]
    sync()
    published.append(publish(cw, drafts[2]))
    _correct(cw, published[0])
    sync()
    sync()  # nothing new: nothing repeated
    _withdraw(cw, published[1])
    published.append(publish(cw, drafts[3]))
    _correct(cw, published[0], reason="第二次更正")
    published.append(publish(cw, drafts[4]))
    sync()
    _correct(cw, published[3])
    _withdraw(cw, published[0])
    sync()
    assert len(received) == len(set(received))  # no state delivered twice
    expected = {
        (published[0].pk, 1, "published"),
        (published[1].pk, 1, "published"),
        (published[0].pk, 2, "published"),
        (published[2].pk, 1, "published"),
        (published[1].pk, 1, "withdrawn"),
        (published[0].pk, 3, "published"),
        (published[3].pk, 1, "published"),
        (published[4].pk, 1, "published"),
        (published[3].pk, 2, "published"),
        (published[0].pk, 3, "withdrawn"),
    }
    assert set(received) == expected
    full = {i["id"]: i for i in client.get(f"{API}?limit=1000").json()["items"]}
    assert mirror == full  # the mirror equals a full read: nothing missed


def test_cursor_is_monotonic_ledger_seq(cw):
    (draft,) = _drafts(cw, 1)
    d = publish(cw, draft)
    d.refresh_from_db()
    assert d.public_seq == d.versions.get().event_seq
    _withdraw(cw, d)
    d.refresh_from_db()
    assert d.public_seq == d.withdrawal_seq > d.versions.get().event_seq
    assert opendata.decode_cursor(opendata.encode_cursor(d.public_seq)) == d.public_seq


def test_openapi_lists_public_endpoints(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in [API, f"{API}.csv", f"{API}/{{decision_id}}"]:
        assert path in paths, path
        assert not paths[path]["get"].get("security")  # public: no authentication


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response.streaming
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


def test_csv_national_order_and_masking(cw, client):
    (draft,) = _drafts(cw, 1, party=cw.person)
    d = publish(cw, draft)
    rows = _csv(client.get(f"{API}.csv"))
    header = rows[0]
    assert header[:11] == [
        "行政相对人名称",
        "统一社会信用代码",
        "决定书文号/行政许可决定文书号",
        "违法行为类型/许可事项",
        "处罚依据/许可依据",
        "处罚类别/许可内容",
        "罚款金额（元）",
        "处罚决定日期/许可决定日期",
        "有效期",
        "处罚机关/许可机关",
        "公示截止期",
    ]
    penalty = _csv(client.get(f"{API}.csv?kind=penalty"))[0]
    assert penalty[:3] == ["行政相对人名称", "统一社会信用代码", "决定书文号"]
    licence = _csv(client.get(f"{API}.csv?kind=licence"))
    assert licence[0][2] == "行政许可决定文书号" and "罚款金额（元）" not in licence[0]
    assert len(licence) == 1  # header only
    (row,) = rows[1:]
    assert len(row) == len(header)
    record = dict(zip(header, row, strict=True))
    assert record["行政相对人名称"] == "张某某"
    assert record["决定书文号/行政许可决定文书号"] == d.case.decision_number
    assert record["公示状态"] == "已公示" and record["公示网址"].endswith(f"/decisions/{d.pk}/")
    text = "\n".join(",".join(r) for r in rows)
    assert cw.person.id_number not in text and "张三" not in text
    assert _csv(client.get(f"{API}.csv?agency={cw.world.agency_b.pk}"))[1:] == []


def test_atom_feed(cw, client):
    first, second = _drafts(cw, 2, party=cw.person)
    first, second = publish(cw, first), publish(cw, second)
    _correct(cw, first, reason="文号笔误")
    _withdraw(cw, second, reason="决定已被撤销")
    response = client.get("/feeds/decisions.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    assert root.find(f"{ATOM}title").text.startswith("行政执法公示")
    entries = root.findall(f"{ATOM}entry")
    titles = [e.find(f"{ATOM}title").text for e in entries]
    assert len(entries) == 4  # two publications, one correction, one withdrawal
    assert titles[0].startswith("【撤回】") and titles[1].startswith("【更正】")
    assert sum(t.startswith("【发布】") for t in titles) == 2
    ids = [e.find(f"{ATOM}id").text for e in entries]
    assert len(set(ids)) == 4
    for e in entries:
        assert e.find(f"{ATOM}updated").text
        assert e.find(f"{ATOM}link").get("href").startswith("http://testserver/portal/decisions/")
    assert "决定已被撤销" in entries[0].find(f"{ATOM}summary").text
    assert cw.person.id_number not in response.content.decode()
    assert "张三" not in response.content.decode()
    page = client.get("/portal/decisions/").content.decode()
    assert 'rel="alternate" type="application/atom+xml"' in page
    assert "/api/v1/public/decisions.csv?" in page and "/feeds/decisions.atom" in page


@pytest.mark.django_db
def test_demo_open_data_has_no_personal_data():
    call_command("demo", verbosity=0)
    secrets = set()
    for party in Party.objects.all():
        secrets |= {v for v in (party.id_number, party.phone) if v}
        if party.kind == "person":
            secrets.add(party.name)
    client = Client()
    body = client.get(f"{API}?limit=1000").json()
    assert body["items"]
    texts = [
        json.dumps(body, ensure_ascii=False),
        b"".join(client.get(f"{API}.csv").streaming_content).decode("utf-8-sig"),
        client.get("/feeds/decisions.atom").content.decode(),
    ]
    texts += [
        json.dumps(client.get(f"{API}/{i['id']}").json(), ensure_ascii=False) for i in body["items"]
    ]
    for text in texts:
        assert find_unmasked(text) == []
        assert not [s for s in secrets if s in text]
