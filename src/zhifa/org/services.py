"""Every change to organisation data goes through these functions: one transaction each,
validated with full_clean() before saving, and only inside the acting user's own agency."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhifa import ledger
from zhifa.org import permissions
from zhifa.org.models import (
    Agency,
    Certificate,
    CertificateStatus,
    Device,
    EnforcementArea,
    Staff,
    TrainingPlan,
    TrainingRecord,
    Unit,
)
from zhifa.org.roles import OFFICE_GRANTABLE, Role

User = get_user_model()


def _require(rule, user) -> None:
    if not rule(user):
        raise PermissionDenied("您没有执行此操作的权限。")


def _agency_of(user) -> Agency:
    return user.staff.agency


def _check_same_agency(user, *objects: object) -> None:
    agency_id = user.staff.agency_id
    for obj in objects:
        if obj is not None and getattr(obj, "agency_id", agency_id) != agency_id:
            raise PermissionDenied("只能管理本执法主体的数据。")


def _set_roles(user, roles: list[Role]) -> None:
    unknown = set(roles) - set(OFFICE_GRANTABLE)
    if unknown:
        raise ValidationError({"roles": "不能授予以下角色：" + "、".join(sorted(unknown))})
    kept = user.groups.exclude(name__in=[r.value for r in OFFICE_GRANTABLE])
    user.groups.set([*kept, *Group.objects.filter(name__in=[r.value for r in roles])])


def unit_create(*, acting_user, name: str, is_legal_unit: bool = False) -> Unit:
    _require(permissions.can_manage_units, acting_user)
    with transaction.atomic():
        unit = Unit(agency=_agency_of(acting_user), name=name.strip(), is_legal_unit=is_legal_unit)
        unit.full_clean()
        unit.save()
        ledger.record("org.unit_created", unit, acting_user, _unit_facts(unit))
    return unit


def unit_update(*, acting_user, unit: Unit, name: str, is_legal_unit: bool) -> Unit:
    _require(permissions.can_manage_units, acting_user)
    _check_same_agency(acting_user, unit)
    with transaction.atomic():
        unit.name, unit.is_legal_unit = name.strip(), is_legal_unit
        unit.full_clean()
        unit.save()
        ledger.record("org.unit_updated", unit, acting_user, _unit_facts(unit))
    return unit


def staff_create(
    *,
    acting_user,
    username: str,
    password: str,
    real_name: str,
    unit: Unit | None,
    post: str = "",
    phone: str = "",
    legal_qualification: str = "",
    qualification_detail: str = "",
    roles: list[Role] = (),
) -> Staff:
    _require(permissions.can_manage_staff, acting_user)
    _check_same_agency(acting_user, unit)
    with transaction.atomic():
        user = User(username=username.strip())
        user.set_password(password)
        user.full_clean()
        user.save()
        staff = Staff(
            user=user,
            agency=_agency_of(acting_user),
            unit=unit,
            real_name=real_name.strip(),
            post=post.strip(),
            phone=phone.strip(),
            legal_qualification=legal_qualification,
            qualification_detail=qualification_detail.strip(),
        )
        staff.full_clean()
        staff.save()
        _set_roles(user, list(roles))
        ledger.record("org.staff_created", staff, acting_user, _staff_facts(staff))
    return staff


def staff_update(
    *,
    acting_user,
    staff: Staff,
    real_name: str,
    unit: Unit | None,
    post: str,
    phone: str,
    legal_qualification: str,
    qualification_detail: str,
    is_active: bool,
    roles: list[Role],
) -> Staff:
    _require(permissions.can_manage_staff, acting_user)
    _check_same_agency(acting_user, staff, unit)
    if staff.user_id == acting_user.pk and not is_active:
        raise ValidationError({"is_active": "不能停用自己的账号。"})
    with transaction.atomic():
        staff.real_name, staff.unit, staff.post = real_name.strip(), unit, post.strip()
        staff.phone, staff.is_active = phone.strip(), is_active
        staff.legal_qualification = legal_qualification
        staff.qualification_detail = qualification_detail.strip()
        staff.full_clean()
        staff.save()
        staff.user.is_active = is_active
        staff.user.save(update_fields=["is_active"])
        _set_roles(staff.user, roles)
        ledger.record("org.staff_updated", staff, acting_user, _staff_facts(staff))
    return staff


def certificate_create(
    *,
    acting_user,
    holder: Staff,
    number: str,
    issuing_authority: str,
    areas: list[EnforcementArea],
    valid_from: dt.date,
    valid_to: dt.date,
) -> Certificate:
    _require(permissions.can_manage_certificates, acting_user)
    _check_same_agency(acting_user, holder)
    if not areas:
        raise ValidationError({"areas": "请至少选择一个执法领域。"})
    with transaction.atomic():
        certificate = Certificate(
            holder=holder,
            number=number.strip(),
            issuing_authority=issuing_authority.strip(),
            valid_from=valid_from,
            valid_to=valid_to,
        )
        certificate.full_clean()
        certificate.save()
        certificate.areas.set(areas)
        _record_certificate("org.certificate_issued", certificate, acting_user)
    return certificate


def certificate_update(
    *,
    acting_user,
    certificate: Certificate,
    issuing_authority: str,
    areas: list[EnforcementArea],
    valid_from: dt.date,
    valid_to: dt.date,
) -> Certificate:
    _require(permissions.can_manage_certificates, acting_user)
    _check_same_agency(acting_user, certificate.holder)
    if not areas:
        raise ValidationError({"areas": "请至少选择一个执法领域。"})
    with transaction.atomic():
        certificate.issuing_authority = issuing_authority.strip()
        certificate.valid_from, certificate.valid_to = valid_from, valid_to
        certificate.full_clean()
        certificate.save()
        certificate.areas.set(areas)
        _record_certificate("org.certificate_issued", certificate, acting_user)
    return certificate


def certificate_set_status(
    *, acting_user, certificate: Certificate, status: str, reason: str
) -> Certificate:
    """暂扣 (suspend), 注销 (revoke) or restore a certificate, always with a reason."""
    _require(permissions.can_manage_certificates, acting_user)
    _check_same_agency(acting_user, certificate.holder)
    if status not in CertificateStatus.values:
        raise ValidationError({"status": "未知的执法证状态。"})
    if certificate.status == CertificateStatus.REVOKED:
        raise ValidationError({"status": "已注销的执法证不能再变更状态，请办理新证。"})
    if not reason.strip():
        raise ValidationError({"status_reason": "请填写变更原因。"})
    with transaction.atomic():
        certificate.status, certificate.status_reason = status, reason.strip()
        certificate.full_clean()
        certificate.save(update_fields=["status", "status_reason"])
        _record_certificate("org.certificate_status_changed", certificate, acting_user)
    return certificate


def training_plan_create(
    *, acting_user, title: str, planned_on: dt.date, hours: Decimal, audience: str, content: str
) -> TrainingPlan:
    _require(permissions.can_manage_training, acting_user)
    with transaction.atomic():
        plan = TrainingPlan(
            agency=_agency_of(acting_user),
            title=title.strip(),
            planned_on=planned_on,
            hours=hours,
            audience=audience.strip(),
            content=content.strip(),
        )
        plan.full_clean()
        plan.save()
        ledger.record(
            "org.training_plan_created",
            plan,
            acting_user,
            {
                "title": plan.title,
                "planned_on": plan.planned_on.isoformat(),
                "hours": str(plan.hours),
                "audience": plan.audience,
            },
        )
    return plan


def training_record_create(
    *,
    acting_user,
    staff: list[Staff],
    course: str,
    hours: Decimal,
    attended_on: dt.date,
    organiser: str = "",
    plan: TrainingPlan | None = None,
) -> list[TrainingRecord]:
    """Record attendance of one course for one or more people (a plan's sign-in sheet)."""
    _require(permissions.can_manage_training, acting_user)
    _check_same_agency(acting_user, *staff, plan)
    if not staff:
        raise ValidationError({"staff": "请至少选择一名参训人员。"})
    with transaction.atomic():
        records = []
        for person in staff:
            record = TrainingRecord(
                staff=person,
                plan=plan,
                course=course.strip(),
                hours=hours,
                attended_on=attended_on,
                organiser=organiser.strip(),
            )
            record.full_clean()
            record.save()
            records.append(record)
            ledger.record(
                "org.training_recorded",
                record,
                acting_user,
                {
                    "staff": person.pk,
                    "course": record.course,
                    "hours": str(record.hours),
                    "attended_on": record.attended_on.isoformat(),
                    "plan": plan and plan.pk,
                },
                agency=person.agency,
            )
    return records


def _unit_facts(unit: Unit) -> dict:
    return {"name": unit.name, "is_legal_unit": unit.is_legal_unit}


def _staff_facts(staff: Staff) -> dict:
    # The post and roles matter for who may act; contact details stay out of the record.
    return {
        "username": staff.user.username,
        "real_name": staff.real_name,
        "unit": staff.unit_id,
        "post": staff.post,
        "roles": sorted(g.name for g in staff.user.groups.all()),
        "legal_qualification": staff.legal_qualification,
        "is_active": staff.is_active,
    }


def _record_certificate(kind: str, certificate: Certificate, acting_user) -> None:
    ledger.record(
        kind,
        certificate,
        acting_user,
        {
            "number": certificate.number,
            "holder": certificate.holder_id,
            "areas": sorted(a.name for a in certificate.areas.all()),
            "valid_from": certificate.valid_from.isoformat(),
            "valid_to": certificate.valid_to.isoformat(),
            "status": certificate.status,
            "status_reason": certificate.status_reason,
        },
        agency=certificate.holder.agency,
    )


def device_create(
    *,
    acting_user,
    kind: str,
    serial_number: str,
    model_name: str = "",
    unit: Unit | None = None,
    status: str = "in_use",
    assigned_to: Staff | None = None,
) -> Device:
    """Register a recording device (执法记录仪、手持终端…) of the acting user's agency."""
    _require(permissions.can_manage_devices, acting_user)
    _check_same_agency(acting_user, unit, assigned_to)
    with transaction.atomic():
        device = Device(
            agency=_agency_of(acting_user),
            unit=unit,
            kind=kind,
            serial_number=serial_number.strip(),
            model_name=model_name.strip(),
            status=status,
            assigned_to=assigned_to,
        )
        device.full_clean()
        device.save()
        ledger.record("org.device_registered", device, acting_user, _device_facts(device))
    return device


def device_update(
    *,
    acting_user,
    device: Device,
    kind: str,
    serial_number: str,
    model_name: str = "",
    unit: Unit | None = None,
    status: str = "in_use",
    assigned_to: Staff | None = None,
) -> Device:
    """Change a device's details, unit, holder or status (在用 / 维修 / 停用)."""
    _require(permissions.can_manage_devices, acting_user)
    _check_same_agency(acting_user, device, unit, assigned_to)
    with transaction.atomic():
        device.kind, device.serial_number = kind, serial_number.strip()
        device.model_name, device.unit, device.status = model_name.strip(), unit, status
        device.assigned_to = assigned_to
        device.full_clean()
        device.save()
        ledger.record("org.device_updated", device, acting_user, _device_facts(device))
    return device


def _device_facts(device: Device) -> dict:
    return {
        "kind": device.kind,
        "serial_number": device.serial_number,
        "model_name": device.model_name,
        "unit": device.unit_id,
        "status": device.status,
        "assigned_to": device.assigned_to_id,
    }
