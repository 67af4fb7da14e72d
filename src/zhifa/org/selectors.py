"""Reads of organisation data, always scoped to what the caller may see."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When

from zhifa.org.models import (
    Agency,
    Certificate,
    CertificateStatus,
    Device,
    DeviceKind,
    DeviceStatus,
    EnforcementArea,
    GroupRole,
    LeadingGroup,
    LeadingGroupMember,
    Staff,
    TrainingPlan,
    TrainingRecord,
    Unit,
)
from zhifa.org.permissions import can_view_all_agencies


def own_agency_id(user) -> int | None:
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    return staff.agency_id if staff else None


def scope(queryset: QuerySet, user, agency_field: str = "agency") -> QuerySet:
    """Limit `queryset` to the caller's agency, unless the caller sees every agency."""
    if not user.is_authenticated:
        return queryset.none()
    if can_view_all_agencies(user):
        return queryset
    agency_id = own_agency_id(user)
    if agency_id is None:
        return queryset.none()
    return queryset.filter(**{f"{agency_field}_id": agency_id})


def agency_list(*, user) -> QuerySet[Agency]:
    if can_view_all_agencies(user):
        return Agency.objects.all()
    return Agency.objects.filter(pk=own_agency_id(user) or 0)


def unit_list(*, user) -> QuerySet[Unit]:
    return scope(Unit.objects.select_related("agency"), user)


def staff_list(
    *, user, query: str = "", unit_id: int | None = None, agency_id: int | None = None
) -> QuerySet[Staff]:
    staff = scope(Staff.objects.select_related("agency", "unit", "user"), user)
    if query:
        staff = staff.filter(
            Q(real_name__icontains=query)
            | Q(user__username__icontains=query)
            | Q(post__icontains=query)
            | Q(unit__name__icontains=query)
            | Q(certificates__number__icontains=query)
        ).distinct()
    if unit_id:
        staff = staff.filter(unit_id=unit_id)
    if agency_id:
        staff = staff.filter(agency_id=agency_id)
    return staff.prefetch_related("user__groups")


def staff_get(*, user, pk: int) -> Staff:
    """The staff member, or Staff.DoesNotExist when outside the caller's scope (a 404)."""
    return staff_list(user=user).get(pk=pk)


def certificate_list(*, user, query: str = "", status: str = "") -> QuerySet[Certificate]:
    certificates = scope(
        Certificate.objects.select_related("holder", "holder__agency", "holder__unit"),
        user,
        agency_field="holder__agency",
    ).prefetch_related("areas")
    if query:
        certificates = certificates.filter(
            Q(number__icontains=query) | Q(holder__real_name__icontains=query)
        )
    if status:
        certificates = certificates.filter(status=status)
    return certificates


def certificate_get(*, user, pk: int) -> Certificate:
    return certificate_list(user=user).get(pk=pk)


@dataclass(frozen=True)
class ExpiryReport:
    expired: list[Certificate]
    expiring: list[Certificate]  # valid now, expiring within the warning window
    warning_days: int


def certificate_expiry_report(*, user, today: dt.date) -> ExpiryReport:
    days = settings.CERTIFICATE_EXPIRY_WARNING_DAYS
    active = certificate_list(user=user, status=CertificateStatus.VALID).filter(
        holder__is_active=True
    )
    return ExpiryReport(
        expired=list(active.filter(valid_to__lt=today)),
        expiring=list(
            active.filter(valid_to__gte=today, valid_to__lte=today + dt.timedelta(days=days))
        ),
        warning_days=days,
    )


@dataclass(frozen=True)
class ActCheck:
    allowed: bool
    reason: str
    certificate: Certificate | None = None


def certificate_check(*, staff: Staff, area: EnforcementArea | str, on: dt.date) -> ActCheck:
    """May this person act in enforcement area `area` on date `on`? (持证上岗, P10;
    处罚法 arts. 42, 55: officers hold valid 执法证 for the step)."""
    area_name = area if isinstance(area, str) else area.name
    if not staff.is_active:
        return ActCheck(False, f"{staff.real_name}已不在岗，不能从事执法活动。")
    certificates = list(staff.certificates.filter(areas__name=area_name))
    for certificate in certificates:
        if certificate.is_valid_on(on):
            return ActCheck(True, "", certificate)
    if not certificates:
        return ActCheck(False, f"{staff.real_name}没有“{area_name}”领域的行政执法证。")
    latest = max(certificates, key=lambda c: c.valid_to)
    if latest.status != CertificateStatus.VALID:
        return ActCheck(
            False,
            f"{staff.real_name}的执法证{latest.number}已{latest.get_status_display()}"
            f"（{latest.status_reason}）。",
            latest,
        )
    if on < latest.valid_from:
        return ActCheck(False, f"{staff.real_name}的执法证{latest.number}尚未生效。", latest)
    return ActCheck(
        False, f"{staff.real_name}的执法证{latest.number}已于{latest.valid_to}过期。", latest
    )


def may_act(*, staff: Staff, area: EnforcementArea | str, on: dt.date) -> bool:
    return certificate_check(staff=staff, area=area, on=on).allowed


def training_list(*, user, year: int | None = None) -> QuerySet[TrainingRecord]:
    records = scope(
        TrainingRecord.objects.select_related("staff", "staff__unit", "plan"),
        user,
        agency_field="staff__agency",
    )
    if year:
        records = records.filter(attended_on__year=year)
    return records


def training_plan_list(*, user) -> QuerySet[TrainingPlan]:
    return scope(TrainingPlan.objects.select_related("agency"), user)


def training_plan_get(*, user, pk: int) -> TrainingPlan:
    return training_plan_list(user=user).get(pk=pk)


def leading_group_list(*, user) -> QuerySet[LeadingGroup]:
    role_order = Case(
        When(role=GroupRole.LEADER, then=Value(0)),
        When(role=GroupRole.DEPUTY, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    members = LeadingGroupMember.objects.select_related("staff", "staff__unit").order_by(
        role_order, "id"
    )
    return scope(
        LeadingGroup.objects.select_related("agency", "office_unit").prefetch_related(
            Prefetch("members", queryset=members)
        ),
        user,
    )


def device_list(*, user, status: str = "") -> QuerySet[Device]:
    devices = scope(Device.objects.select_related("agency", "unit", "assigned_to"), user).order_by(
        "agency__name", "unit__name", "kind", "serial_number"
    )
    if status:
        devices = devices.filter(status=status)
    return devices


def device_get(*, user, pk: int) -> Device:
    """The device, or Device.DoesNotExist when outside the caller's scope (a 404)."""
    return device_list(user=user).get(pk=pk)


def devices_in_use(*, agency_id: int) -> QuerySet[Device]:
    """The agency's devices that may be named as the source of new evidence."""
    return Device.objects.filter(agency_id=agency_id, status=DeviceStatus.IN_USE).order_by(
        "kind", "serial_number"
    )


@dataclass(frozen=True)
class InventoryRow:
    agency: str
    unit: str
    kind: str
    in_use: int
    repair: int
    retired: int

    @property
    def total(self) -> int:
        return self.in_use + self.repair + self.retired


def device_inventory(*, user) -> list[InventoryRow]:
    """Counts of devices per unit and kind, by status (装备台账), in one query."""
    counts: dict[tuple[str, str, str], dict[str, int]] = {}
    rows = (
        device_list(user=user)
        .order_by()
        .values("agency__name", "unit__name", "kind", "status")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        key = (row["agency__name"], row["unit__name"] or "（未分配）", row["kind"])
        counts.setdefault(key, {})[row["status"]] = row["n"]
    labels = dict(DeviceKind.choices)
    return [
        InventoryRow(
            agency,
            unit,
            labels.get(kind, kind),
            by.get(DeviceStatus.IN_USE, 0),
            by.get(DeviceStatus.REPAIR, 0),
            by.get(DeviceStatus.RETIRED, 0),
        )
        for (agency, unit, kind), by in sorted(counts.items())
    ]
