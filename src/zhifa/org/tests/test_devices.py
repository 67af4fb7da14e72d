"""Recording devices (执法装备, C6, C7): services, inventory, pages, cross-agency 404."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from zhifa.ledger.models import Event
from zhifa.org import selectors, services
from zhifa.org.models import Device, Unit

pytestmark = pytest.mark.django_db


def add(world, login="office_a", serial="DSJ-001", **extra) -> Device:
    agency = world.staff[login].agency
    return services.device_create(
        acting_user=world.user(login),
        kind=extra.pop("kind", "body_camera"),
        serial_number=serial,
        model_name=extra.pop("model_name", "海康 DSJ-X1"),
        unit=extra.pop("unit", Unit.objects.get(agency=agency, name="执法科")),
        **extra,
    )


def test_office_registers_a_device_and_it_is_recorded(world):
    device = add(world, serial=" DSJ-001 ", assigned_to=world.staff["officer_a"])
    assert device.agency == world.agency_a and device.serial_number == "DSJ-001"
    event = Event.objects.get(kind="org.device_registered")
    assert event.subject == f"org.device:{device.pk}" and event.agency_id == world.agency_a.pk
    assert event.payload["serial_number"] == "DSJ-001" and event.payload["status"] == "in_use"


def test_serial_is_unique_per_agency_only(world):
    add(world)
    with pytest.raises(ValidationError) as error:
        add(world)
    assert "已登记过这个设备编号" in str(error.value)
    add(world, login="office_b")  # the same number in another agency is another device
    assert Device.objects.count() == 2


def test_only_the_office_may_register_and_only_its_own_agency(world):
    with pytest.raises(PermissionDenied):
        add(world, login="officer_a")
    with pytest.raises(PermissionDenied):
        add(world, unit=Unit.objects.get(agency=world.agency_b, name="执法科"))
    with pytest.raises(PermissionDenied):
        add(world, assigned_to=world.staff["officer_b"])
    device_b = add(world, login="office_b")
    with pytest.raises(PermissionDenied):
        services.device_update(
            acting_user=world.user("office_a"),
            device=device_b,
            kind="camera",
            serial_number="X",
        )


def test_update_changes_status_and_is_recorded(world):
    device = add(world)
    services.device_update(
        acting_user=world.user("office_a"),
        device=device,
        kind="body_camera",
        serial_number="DSJ-001",
        status="repair",
    )
    device.refresh_from_db()
    assert device.status == "repair" and device.unit is None
    assert Event.objects.filter(kind="org.device_updated", subject=f"org.device:{device.pk}")
    assert not selectors.devices_in_use(agency_id=world.agency_a.pk).exists()


def test_inventory_counts_per_unit_kind_and_status(world):
    add(world, serial="1")
    add(world, serial="2", status="repair")
    add(world, serial="3", kind="camera", unit=None)
    add(world, login="office_b", serial="9")
    rows = selectors.device_inventory(user=world.user("office_a"))
    assert [(r.unit, r.kind, r.in_use, r.repair, r.total) for r in rows] == [
        ("执法科", "执法记录仪", 1, 1, 2),
        ("（未分配）", "照相机", 1, 0, 1),
    ]


def test_device_page_lists_and_registers(world, login):
    add(world, serial="DSJ-001")
    add(world, login="office_b", serial="B-CAM-9")
    client = login(world.user("office_a"))
    page = client.get(reverse("org:device_list")).content.decode()
    assert "DSJ-001" in page and "B-CAM-9" not in page
    assert "执法装备" in page and "登记执法装备" in page
    unit = Unit.objects.get(agency=world.agency_a, name="执法科")
    response = client.post(
        reverse("org:device_list"),
        {"kind": "handheld", "serial_number": "ZD-7", "unit": unit.pk, "status": "in_use"},
    )
    assert response.status_code == 302
    assert Device.objects.get(serial_number="ZD-7").agency == world.agency_a
    duplicate = client.post(
        reverse("org:device_list"),
        {"kind": "handheld", "serial_number": "ZD-7", "status": "in_use"},
    )
    assert duplicate.status_code == 200 and "已登记过这个设备编号" in duplicate.content.decode()


def test_edit_page_and_cross_agency_404(world, login):
    mine, theirs = add(world), add(world, login="office_b", serial="B-1")
    client = login(world.user("office_a"))
    assert client.get(reverse("org:device_edit", args=[theirs.pk])).status_code == 404
    response = client.post(
        reverse("org:device_edit", args=[mine.pk]),
        {"kind": "body_camera", "serial_number": "DSJ-001", "status": "retired"},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "retired"


def test_leaders_read_officers_do_not(world, login):
    add(world)
    leader = login(world.user("leader_a")).get(reverse("org:device_list"))
    assert leader.status_code == 200 and "登记执法装备" not in leader.content.decode()
    assert login(world.user("leader_a")).post(reverse("org:device_list"), {}).status_code == 403
    assert login(world.user("officer_a")).get(reverse("org:device_list")).status_code == 403
