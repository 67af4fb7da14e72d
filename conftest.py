"""Shared fixtures. Every test world has two agencies, so cross-agency leakage is tested
everywhere (agency A is 宁晋县发展改革局-like, agency B another county agency)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from zhifa.core.codes import uscc_check_char
from zhifa.ledger.testing import purge_ledger
from zhifa.org.models import Agency, Certificate, EnforcementArea, Staff, Unit
from zhifa.org.roles import Role

PASSWORD = "test-pass-123"


def credit_code(serial: int) -> str:
    first17 = f"11130528MA{serial:07d}"
    return first17 + uscc_check_char(first17)


def make_agency(name: str, short: str, serial: int) -> Agency:
    agency = Agency.objects.create(
        name=name,
        short_name=short,
        credit_code=credit_code(serial),
        region_code="130528",
        region_name="河北省邢台市宁晋县",
    )
    for unit in ["办公室", "法制科", "执法科"]:
        Unit.objects.create(agency=agency, name=unit, is_legal_unit=unit == "法制科")
    return agency


def make_staff(agency: Agency, login: str, *roles: Role, unit: str = "执法科", **extra) -> Staff:
    user = get_user_model().objects.create_user(username=login, password=PASSWORD)
    user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    return Staff.objects.create(
        user=user,
        agency=agency,
        unit=Unit.objects.get(agency=agency, name=unit),
        real_name=extra.pop("real_name", login),
        **extra,
    )


def make_certificate(
    staff: Staff,
    number: str,
    *areas: str,
    days_left: int = 365,
    status: str = "valid",
    reason: str = "",
) -> Certificate:
    today = timezone.localdate()
    certificate = Certificate.objects.create(
        holder=staff,
        number=number,
        issuing_authority="河北省人民政府",
        valid_from=today - dt.timedelta(days=365),
        valid_to=today + dt.timedelta(days=days_left),
        status=status,
        status_reason=reason,
    )
    certificate.areas.set([EnforcementArea.objects.get_or_create(name=a)[0] for a in areas])
    return certificate


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
