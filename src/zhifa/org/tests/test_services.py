import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from zhifa.org import services
from zhifa.org.models import Certificate, EnforcementArea, Staff, Unit
from zhifa.org.roles import Role

pytestmark = pytest.mark.django_db


def _area():
    return EnforcementArea.objects.get_or_create(name="发展改革")[0]


def test_office_creates_staff_in_own_agency_with_roles(world):
    office = world.user("office_a")
    unit = Unit.objects.get(agency=world.agency_a, name="执法科")
    staff = services.staff_create(
        acting_user=office,
        username="newbie",
        password="s3cret-pass",
        real_name="新人",
        unit=unit,
        roles=[Role.OFFICER],
    )
    assert staff.agency == world.agency_a
    assert [g.name for g in staff.user.groups.all()] == ["执法人员"]
    assert staff.user.check_password("s3cret-pass")


def test_office_cannot_use_other_agency_unit(world):
    other_unit = Unit.objects.get(agency=world.agency_b, name="执法科")
    with pytest.raises(PermissionDenied):
        services.staff_create(
            acting_user=world.user("office_a"),
            username="x",
            password="p" * 9,
            real_name="x",
            unit=other_unit,
        )
    assert not Staff.objects.filter(real_name="x").exists()


def test_office_cannot_grant_county_roles(world):
    with pytest.raises(ValidationError):
        services.staff_create(
            acting_user=world.user("office_a"),
            username="boss",
            password="p" * 9,
            real_name="boss",
            unit=None,
            roles=[Role.SUPERVISOR],
        )
    # One transaction: the user row was rolled back with the refused role.
    from django.contrib.auth import get_user_model

    assert not get_user_model().objects.filter(username="boss").exists()


def test_duplicate_username_is_a_clear_error(world):
    with pytest.raises(ValidationError) as info:
        services.staff_create(
            acting_user=world.user("office_a"),
            username="officer_a",
            password="p" * 9,
            real_name="重名",
            unit=None,
        )
    assert "username" in info.value.message_dict


def test_officer_may_not_manage_staff(world):
    with pytest.raises(PermissionDenied):
        services.staff_create(
            acting_user=world.user("officer_a"),
            username="y",
            password="p" * 9,
            real_name="y",
            unit=None,
        )


def test_certificate_lifecycle(world):
    office = world.user("office_a")
    today = timezone.localdate()
    certificate = services.certificate_create(
        acting_user=office,
        holder=world.staff["officer_a"],
        number="A-100",
        issuing_authority="河北省人民政府",
        areas=[_area()],
        valid_from=today,
        valid_to=today + dt.timedelta(days=30),
    )
    with pytest.raises(ValidationError):
        services.certificate_set_status(
            acting_user=office, certificate=certificate, status="suspended", reason=" "
        )
    services.certificate_set_status(
        acting_user=office, certificate=certificate, status="revoked", reason="调离执法岗位"
    )
    certificate.refresh_from_db()
    assert certificate.status == "revoked"
    with pytest.raises(ValidationError, match="已注销"):
        services.certificate_set_status(
            acting_user=office, certificate=certificate, status="valid", reason="恢复"
        )


def test_certificate_validation(world):
    office = world.user("office_a")
    today = timezone.localdate()
    kwargs = dict(
        acting_user=office,
        holder=world.staff["officer_a"],
        number="A-200",
        issuing_authority="省政府",
        valid_from=today,
        valid_to=today,
    )
    with pytest.raises(ValidationError, match="至少选择"):
        services.certificate_create(**kwargs, areas=[])
    with pytest.raises(ValidationError):
        services.certificate_create(
            **{**kwargs, "valid_to": today - dt.timedelta(days=1)}, areas=[_area()]
        )
    with pytest.raises(ValidationError):
        services.certificate_create(**{**kwargs, "number": "A-001"}, areas=[_area()])
    with pytest.raises(PermissionDenied):
        services.certificate_create(
            **{**kwargs, "holder": world.staff["officer_b"]}, areas=[_area()]
        )
    assert not Certificate.objects.filter(number="A-200").exists()


def test_training_records_for_a_plan(world):
    office = world.user("office_a")
    plan = services.training_plan_create(
        acting_user=office,
        title="处罚法培训",
        planned_on=dt.date(2026, 3, 1),
        hours=Decimal("3.5"),
        audience="执法人员",
        content="",
    )
    records = services.training_record_create(
        acting_user=office,
        staff=[world.staff["officer_a"], world.staff["reviewer_a"]],
        course=plan.title,
        hours=plan.hours,
        attended_on=plan.planned_on,
        plan=plan,
    )
    assert len(records) == 2
    with pytest.raises(PermissionDenied):
        services.training_record_create(
            acting_user=office,
            staff=[world.staff["officer_b"]],
            course="x",
            hours=Decimal(1),
            attended_on=plan.planned_on,
        )
    with pytest.raises(ValidationError, match="学时"):
        services.training_record_create(
            acting_user=office,
            staff=[world.staff["officer_a"]],
            course="x",
            hours=Decimal(0),
            attended_on=plan.planned_on,
        )


def test_cannot_deactivate_self(world):
    office = world.staff["office_a"]
    with pytest.raises(ValidationError):
        services.staff_update(
            acting_user=office.user,
            staff=office,
            real_name=office.real_name,
            unit=office.unit,
            post="",
            phone="",
            legal_qualification="",
            qualification_detail="",
            is_active=False,
            roles=[Role.OFFICE],
        )


def test_changes_are_recorded_in_the_ledger(world):
    from zhifa.ledger.models import Event

    office = world.user("office_a")
    before = Event.objects.count()
    today = timezone.localdate()
    certificate = services.certificate_create(
        acting_user=office,
        holder=world.staff["officer_a"],
        number="A-300",
        issuing_authority="河北省人民政府",
        areas=[_area()],
        valid_from=today,
        valid_to=today + dt.timedelta(days=30),
    )
    services.certificate_set_status(
        acting_user=office, certificate=certificate, status="suspended", reason="停职检查"
    )
    events = list(Event.objects.order_by("seq")[before:])
    assert [e.kind for e in events] == ["org.certificate_issued", "org.certificate_status_changed"]
    assert events[-1].agency_id == world.agency_a.pk
    assert events[-1].actor_id == office.pk


def test_refused_change_leaves_no_event(world):
    from zhifa.ledger.models import Event

    before = Event.objects.count()
    with pytest.raises(ValidationError):
        services.staff_create(
            acting_user=world.user("office_a"),
            username="officer_a",
            password="p" * 9,
            real_name="重名",
            unit=None,
        )
    assert Event.objects.count() == before


def test_every_role_permission_exists_and_is_granted():
    from django.contrib.auth.models import Group, Permission

    from zhifa.org.roles import PERMISSIONS

    existing = {f"{p.content_type.app_label}.{p.codename}" for p in Permission.objects.all()}
    for role, codenames in PERMISSIONS.items():
        assert set(codenames) <= existing, (role, set(codenames) - existing)
        group = Group.objects.get(name=role.value)
        granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert granted == set(codenames), role
