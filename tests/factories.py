"""Factories for test data, shared by every app's tests (import from here, not from a
conftest: several conftest modules exist and only this name is unambiguous)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from zhifa.core.codes import uscc_check_char
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
