"""The cases API (/api/v1/cases/): scope, the services' checks and the error shapes."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from zhifa.cases.models import Case, Party
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.cases.tests.doc_helpers import blob_dir, fast_pdf  # noqa: F401
from zhifa.catalog.models import DocumentKind

BASE = "/api/v1/cases/"


def post(client, url: str, data: dict):
    return client.post(url, json.dumps(data), content_type="application/json")


@pytest.fixture
def api(cw, client):
    client.force_login(cw.user("officer_a"))
    return client


def test_anonymous_is_401(cw):
    anonymous = Client()
    assert anonymous.get(BASE).status_code == 401
    assert post(anonymous, BASE, {}).status_code == 401


def test_list_is_scoped_filtered_and_paged(cw, api, client):
    walk_penalty(cw, "clue")
    filed = walk_penalty(cw, "investigate")
    data = api.get(BASE).json()
    assert data["count"] == 2 and data["page"] == 1 and data["pages"] == 1
    assert {r["id"] for r in data["results"]} == set(Case.objects.values_list("pk", flat=True))
    assert data["results"][0]["step_name"]
    found = api.get(BASE, {"q": filed.number}).json()
    assert [r["id"] for r in found["results"]] == [filed.pk]
    assert api.get(BASE, {"kind": "licence"}).json()["count"] == 0
    assert api.get(BASE, {"status": "open", "page_size": 1, "page": 2}).json()["pages"] == 2
    client.force_login(cw.user("officer_b"))
    assert client.get(BASE).json()["count"] == 0


def test_detail_has_step_clocks_actions_and_is_scoped(cw, api, client):
    case = walk_penalty(cw, "investigate")
    data = api.get(f"{BASE}{case.pk}").json()
    assert data["step"] == "investigate" and data["step_name"] == "调查取证"
    assert data["number"] == case.number and data["party"]["name"] == "甲县某某能源有限公司"
    assert any(c["key"] for c in data["clocks"])
    assert {"to_step": "report", "name": "调查终结、案件审查", "label": "调查终结"} in data[
        "advance_to"
    ]
    assert {"kind": DocumentKind.FILING_APPROVAL, "label": "立案审批表"} in data[
        "issuable_documents"
    ]
    client.force_login(cw.user("officer_b"))
    response = client.get(f"{BASE}{case.pk}")
    assert response.status_code == 404 and "未找到" in response.json()["detail"]
    assert client.get(f"{BASE}999999").status_code == 404


def test_create_with_existing_or_new_party(cw, api):
    body = {"item_version_id": cw.penalty.pk, "party_id": cw.org.pk, "title": "擅自开工建设"}
    response = post(api, BASE, {**body, "facts": "现场检查发现已开工"})
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["step"] == "clue" and data["facts"] == "现场检查发现已开工"

    new = {"kind": "person", "name": "王五", "id_number": "130528199001010011"}
    response = post(api, BASE, {**body, "party_id": None, "party": new})
    assert response.status_code == 400
    error = response.json()
    assert "id_number" in error["errors"] and error["detail"]
    assert not Party.objects.filter(name="王五").exists()  # nothing half-written

    response = post(api, BASE, {**body, "party_id": None})
    assert response.status_code == 400 and "二者选一" in response.json()["detail"]
    response = post(api, BASE, {**body, "item_version_id": cw.licence.pk})
    assert response.status_code == 400 and "item_version_id" in response.json()["errors"]


def test_create_refused_for_other_agency_party_and_wrong_role(cw, api, client):
    body = {"item_version_id": cw.penalty.pk, "party_id": cw.org.pk, "title": "擅自开工建设"}
    client.force_login(cw.user("officer_b"))
    response = post(client, BASE, body)
    assert response.status_code == 400  # agency A's item is not among B's options
    client.force_login(cw.user("reviewer_a"))
    assert post(client, BASE, body).status_code == 403


def test_advance_with_service_checks(cw, api, client):
    case = walk_penalty(cw, "clue")
    url = f"{BASE}{case.pk}/advance"
    response = post(api, url, {"to_step": "decide"})
    assert response.status_code == 400
    assert "不能转到" in response.json()["detail"]
    response = post(api, url, {"to_step": "filing"})
    assert response.status_code == 200 and response.json()["step"] == "filing"
    response = post(api, url, {"to_step": "investigate"})  # owned by 立案审批
    assert response.status_code in (400, 403)
    client.force_login(cw.user("officer_b"))
    assert post(client, url, {"to_step": "no_filing", "reason": "x"}).status_code == 404


def test_csrf_is_enforced_for_unsafe_methods(cw):
    case = walk_penalty(cw, "clue")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(cw.user("officer_a"))
    response = post(strict, f"{BASE}{case.pk}/advance", {"to_step": "filing"})
    assert response.status_code == 403
    assert strict.get(f"{BASE}{case.pk}").status_code == 200


def test_issue_documents(cw, api, client, blob_dir, fast_pdf):  # noqa: F811
    case = walk_penalty(cw, "investigate")
    url = f"{BASE}{case.pk}/documents"
    response = post(api, url, {"kind": DocumentKind.PENALTY_DECISION})
    assert response.status_code == 400
    error = response.json()
    assert "只能在" in error["detail"] and "kind" in error["errors"]
    response = post(api, url, {"kind": DocumentKind.FILING_APPROVAL})
    assert response.status_code == 201
    doc = response.json()
    assert doc["number"] == case.number and doc["pdf_url"].endswith("/pdf/")
    assert api.get(doc["pdf_url"]).status_code == 200
    assert api.get(f"{BASE}{case.pk}").json()["documents"][0]["id"] == doc["id"]
    shape = post(api, url, {"kind": "nonsense"})
    assert shape.status_code == 400 and "接口格式" in shape.json()["detail"]
    client.force_login(cw.user("officer_b"))
    assert post(client, url, {"kind": DocumentKind.FILING_APPROVAL}).status_code == 404


def test_openapi_renders(cw, api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/cases/" in paths and "/api/v1/cases/{case_id}/documents" in paths
