"""Shared fixtures. Every test world has two agencies, so cross-agency leakage is tested
everywhere (agency A is 宁晋县发展改革局-like, agency B another county agency)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from tests.factories import make_agency, make_certificate, make_staff
from zhifa.ledger.testing import purge_ledger
from zhifa.org.models import Agency, Staff
from zhifa.org.roles import Role


@dataclass
class World:
    agency_a: Agency
    agency_b: Agency
    staff: dict[str, Staff] = field(default_factory=dict)

    def user(self, login: str):
        return self.staff[login].user


@pytest.fixture
def world(db) -> World:
    a = make_agency("甲县发展改革局", "甲发改", 1)
    b = make_agency("乙县市场监督管理局", "乙市监", 2)
    w = World(a, b)
    w.staff["officer_a"] = make_staff(a, "officer_a", Role.OFFICER)
    w.staff["office_a"] = make_staff(a, "office_a", Role.OFFICE, unit="办公室")
    w.staff["leader_a"] = make_staff(a, "leader_a", Role.LEADER, unit="办公室")
    w.staff["reviewer_a"] = make_staff(
        a, "reviewer_a", Role.REVIEWER, unit="法制科", legal_qualification="licensed"
    )
    w.staff["officer_b"] = make_staff(b, "officer_b", Role.OFFICER)
    w.staff["office_b"] = make_staff(b, "office_b", Role.OFFICE, unit="办公室")
    w.staff["supervisor"] = make_staff(b, "supervisor", Role.SUPERVISOR, unit="办公室")
    make_certificate(w.staff["officer_a"], "A-001", "发展改革")
    make_certificate(w.staff["officer_b"], "B-001", "市场监督管理")
    return w


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the portal caches its counts per agency, keyed
    by ids that repeat from one test's database to the next), and no remembered portal state."""
    from django.core.cache import cache

    from zhifa.disclosure.selectors import forget_public_state

    cache.clear()
    forget_public_state()


@pytest.fixture(autouse=True)
def _own_page_files(settings, tmp_path):
    """Each test writes the public pages' files into its own folder: ids repeat from one
    test's database to the next, and a file left by another test would be served."""
    settings.PAGE_FILES_DIR = tmp_path / "pages"


@pytest.fixture
def login(client):
    """Log the test client in as a user of the world: `login(world.user("office_a"))`."""

    def do(user):
        client.force_login(user)
        return client

    return do


@pytest.fixture
def ledger_purge(transactional_db):
    """For transactional tests that write ledger events: empty the append-only tables
    (behind the triggers' back) before the test database is flushed."""
    yield
    purge_ledger()
