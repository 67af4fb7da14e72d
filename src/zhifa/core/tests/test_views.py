import json
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhifa import __version__

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_version(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = json.loads(response.content)
    assert body == {"status": "ok", "database": body["database"], "version": __version__}
    assert body["database"] in {"sqlite", "postgresql"}


def test_healthz_503_when_database_fails(client):
    with mock.patch("zhifa.core.views.connection.cursor", side_effect=DatabaseError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["failing"] == "database"


def test_home_shows_the_public_portal_to_anonymous_users(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "行政执法公示平台" in response.content.decode()


def test_todo_requires_login(client):
    response = client.get(reverse("core:todo"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _views(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.callback


def test_every_view_declares_who_may_use_it():
    """Each of our views is @public or @allowed(rule) (CKAN: an auth function per action)."""
    undeclared = [
        route
        for route, view in _views()
        if view.__module__.startswith("zhifa")
        and not getattr(view, "zhifa_access", None)
        and not getattr(getattr(view, "view_class", None), "zhifa_access", None)
    ]
    assert undeclared == []


def test_admin_todo_lists_years_without_holiday_schedule(login, world):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("root", password="x" * 12)
    with mock.patch("zhifa.core.calendar.package_covers", return_value=False):
        page = login(admin).get(reverse("core:todo")).content.decode()
    assert "节假日安排" in page
    with mock.patch("zhifa.core.calendar.package_covers", return_value=False):
        officer_page = login(world.user("officer_a")).get(reverse("core:todo")).content.decode()
    assert "节假日安排" not in officer_page


def test_not_found_and_forbidden_pages_are_chinese(world, login):
    client = login(world.user("officer_a"))
    assert "未找到" in client.get("/org/staff/999999/").content.decode()
    assert "无权" in client.get(reverse("org:staff_create")).content.decode()


def test_api_docs_load_no_asset_from_the_internet(client):
    page = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/" in page
    assert "http://" not in page and "https://" not in page
