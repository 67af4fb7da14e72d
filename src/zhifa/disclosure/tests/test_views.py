import re
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.test import Client

from zhifa.cases.models import Party
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.core.privacy import find_unmasked
from zhifa.disclosure import services
from zhifa.disclosure.models import Disclosure, Status
from zhifa.disclosure.tests.conftest import published_decision


def test_anonymous_portal_pages(cw, client):
    d = published_decision(cw, party=cw.person)
    a = cw.world.agency_a
    for url in [
        "/",
        "/portal/",
        "/portal/decisions/",
        f"/portal/decisions/?agency={a.pk}&kind=penalty&from=2000-01-01",
        f"/portal/decisions/{d.pk}/",
        f"/portal/decisions/{d.pk}/verify/",
        f"/portal/agencies/{a.pk}/",
        f"/portal/agencies/{a.pk}/officers/?q=A-001",
        f"/portal/agencies/{a.pk}/templates/",
        f"/portal/agencies/{a.pk}/cards/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert cw.person.id_number not in html and "13800000000" not in html, url
    assert "张某某" in client.get(f"/portal/decisions/{d.pk}/").content.decode()
    assert "A-001" in client.get(f"/portal/agencies/{a.pk}/officers/?q=A-001").content.decode()
    verify = client.get(f"/portal/decisions/{d.pk}/verify/").content.decode()
    assert "verify-data" in verify and "js/verify.js" in verify


def test_staff_pages_scoped(cw, client, login):
    walk_penalty(cw, "served")
    services.disclosure_sync()
    d = Disclosure.objects.get()
    assert client.get("/portal/manage/").status_code == 302  # login first
    assert client.get(f"/portal/decisions/{d.pk}/").status_code == 404  # not yet public
    login(cw.user("office_b"))
    assert client.get(f"/portal/manage/{d.pk}/").status_code == 404
    assert client.post(f"/portal/manage/{d.pk}/review/", {"decision": "approve"}).status_code == 404
    login(cw.user("officer_a"))
    assert client.get("/portal/manage/").status_code == 403
    login(cw.user("reviewer_a"))
    page = client.get(f"/portal/manage/{d.pk}/").content.decode()
    assert "脱敏" in page and "审查通过" in page
    client.post(f"/portal/manage/{d.pk}/review/", {"decision": "approve"})
    assert client.post(f"/portal/manage/{d.pk}/publish/").status_code == 403
    login(cw.user("leader_a"))
    client.post(f"/portal/manage/{d.pk}/publish/")
    d.refresh_from_db()
    assert d.status == Status.PUBLISHED


def test_todo_lists_overdue_draft(cw, client, login):
    walk_penalty(cw, "served")  # decided 28 days ago: the sweep runs on 待办 and flags it
    login(cw.user("office_a"))
    response = client.get("/todo/")
    assert response.status_code == 200
    html = response.content.decode()
    assert Disclosure.objects.count() == 1
    assert "公示保密审查" in html


LINK = re.compile(r'(?:href|src)="([^"#]+)"')


@pytest.mark.django_db
def test_crawl_demo_portal_has_no_personal_data():
    call_command("demo", verbosity=0)
    assert Disclosure.objects.filter(status=Status.PUBLISHED).exists()
    secrets = set()
    public_addresses = set(
        Party.objects.filter(kind="organisation").values_list("address", flat=True)
    )
    for party in Party.objects.all():
        secrets |= {v for v in (party.id_number, party.phone) if v}
        if party.kind == "person" and party.address not in public_addresses:
            secrets.add(party.address)
    client = Client()
    seen, queue = set(), ["/portal/"]
    while queue and len(seen) < 300:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        text = response.content.decode()
        assert find_unmasked(text) == [], url
        assert not [s for s in secrets if s in text], url
        if "html" not in response.get("Content-Type", ""):
            continue
        for link in LINK.findall(text):
            link = link.replace("&amp;", "&")
            parts = urlsplit(link)
            if parts.netloc or not parts.path.startswith(("/portal/", "/catalog/flows/")):
                continue
            if parts.path.startswith("/portal/manage/"):
                continue
            queue.append(link)
    assert len(seen) > 10
    assert any("/verify/" in u for u in seen)
    # The catalogue's public pages are crawled too: 服务指南, 随机抽查事项, the county lists.
    for page in ("/guides/", "/inspections/", "/portal/items/", "/portal/inspections/"):
        assert any(page in u for u in seen), page
    assert any("/items/" in u and "/agencies/" in u for u in seen)
