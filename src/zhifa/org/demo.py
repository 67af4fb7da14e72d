"""Demo organisations: 宁晋县发展改革局 (the founding agency), a second agency so scoping is
visible, and the county's legal supervisor. Credit codes are fictional but valid."""

from __future__ import annotations

import datetime as dt
import zlib
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from zhifa.core import demo
from zhifa.core.codes import uscc_check_char
from zhifa.org.models import (
    Agency,
    Certificate,
    Device,
    EnforcementArea,
    GroupRole,
    LeadingGroup,
    LeadingGroupMember,
    LegalQualification,
    Staff,
    TrainingPlan,
    TrainingRecord,
    Unit,
)
from zhifa.org.roles import Role

NINGJIN = "130528"  # 宁晋县 administrative division code
DRC_UNITS = [
    "办公室",
    "法制科",
    "审批服务科",
    "服务业科",
    "产业协调科",
    "国民经济科",
    "能源和环资科",
    "固定资产投资科",
]
AREAS = ["发展改革", "节能监察", "招标投标", "价格监督检查", "市场监督管理"]

# (login, name, agency key, unit, post, roles, legal qualification, certificate: days valid left)
PEOPLE = [
    ("leader1", "王建国", "drc", "办公室", "局长", [Role.LEADER], "", 900),
    # Two deputies: a collective discussion (集体讨论) needs a quorum of the agency's leaders.
    ("leader2", "李国强", "drc", "办公室", "副局长", [Role.LEADER], "", None),
    ("leader3", "马文华", "drc", "办公室", "副局长", [Role.LEADER], "", None),
    ("office1", "李秀英", "drc", "办公室", "办公室主任", [Role.OFFICE], "", None),
    ("officer1", "张伟", "drc", "固定资产投资科", "科长", [Role.OFFICER, Role.UNIT_HEAD], "", 700),
    ("officer2", "刘洋", "drc", "能源和环资科", "科员", [Role.OFFICER], "", 30),
    ("officer3", "陈静", "drc", "审批服务科", "科员", [Role.OFFICER], "", -20),
    (
        "reviewer1",
        "杨帆",
        "drc",
        "法制科",
        "法制科科长",
        [Role.REVIEWER],
        LegalQualification.LICENSED,
        800,
    ),
    (
        "reviewer2",
        "赵敏",
        "drc",
        "法制科",
        "科员",
        [Role.REVIEWER],
        LegalQualification.BACKGROUND,
        None,
    ),
    ("officer-b", "孙磊", "amr", "综合执法队", "队员", [Role.OFFICER], "", 500),
    ("office-b", "周琳", "amr", "办公室", "办公室主任", [Role.OFFICE], "", None),
    ("supervisor1", "吴敏", "moj", "行政执法协调监督股", "股长", [Role.SUPERVISOR], "", None),
]


def demo_credit_code(serial: int) -> str:
    first17 = f"11{NINGJIN}MB{serial:07d}"
    return first17 + uscc_check_char(first17)


def _agencies() -> dict[str, Agency]:
    moj, _ = Agency.objects.get_or_create(
        name="宁晋县司法局",
        defaults=dict(
            short_name="宁司",
            credit_code=demo_credit_code(1),
            region_code=NINGJIN,
            region_name="河北省邢台市宁晋县",
            address="宁晋县凤凰路88号",
        ),
    )
    drc, _ = Agency.objects.get_or_create(
        name="宁晋县发展改革局",
        defaults=dict(
            short_name="宁发改",
            credit_code=demo_credit_code(2),
            region_code=NINGJIN,
            region_name="河北省邢台市宁晋县",
            parent=moj,
            address="宁晋县团结路东段政府综合楼",
            phone="0319-5825001",
        ),
    )
    amr, _ = Agency.objects.get_or_create(
        name="宁晋县市场监督管理局",
        defaults=dict(
            short_name="宁市监",
            credit_code=demo_credit_code(3),
            region_code=NINGJIN,
            region_name="河北省邢台市宁晋县",
            parent=moj,
            address="宁晋县宁柏街26号",
        ),
    )
    return {"moj": moj, "drc": drc, "amr": amr}


def _units(agencies: dict[str, Agency]) -> None:
    for name in DRC_UNITS:
        Unit.objects.get_or_create(
            agency=agencies["drc"], name=name, defaults={"is_legal_unit": name == "法制科"}
        )
    for name in ["办公室", "综合执法队", "法规科"]:
        Unit.objects.get_or_create(agency=agencies["amr"], name=name)
    Unit.objects.get_or_create(agency=agencies["moj"], name="行政执法协调监督股")


def _person(agencies, login, name, key, unit, post, roles, qualification) -> Staff:
    User = get_user_model()
    user, created = User.objects.get_or_create(username=login)
    if created:
        user.set_password(demo.DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=[r.value for r in roles]))
    agency = agencies[key]
    staff, _ = Staff.objects.get_or_create(
        user=user,
        defaults=dict(
            agency=agency,
            unit=Unit.objects.get(agency=agency, name=unit),
            real_name=name,
            post=post,
            phone=f"1390319{zlib.crc32(login.encode()) % 10000:04d}",
            legal_qualification=qualification,
            qualification_detail="A20191300000123"
            if qualification == "licensed"
            else ("法学本科，从事法制工作5年" if qualification else ""),
        ),
    )
    return staff


def _certificate(staff: Staff, days_left: int, serial: int) -> None:
    today = timezone.localdate()
    valid_to = today + dt.timedelta(days=days_left)
    certificate, created = Certificate.objects.get_or_create(
        number=f"冀{NINGJIN}{serial:06d}",
        defaults=dict(
            holder=staff,
            issuing_authority="河北省人民政府",
            valid_from=valid_to - dt.timedelta(days=365 * 3),
            valid_to=valid_to,
        ),
    )
    if created:
        names = ["市场监督管理"] if staff.agency.short_name == "宁市监" else AREAS[:3]
        certificate.areas.set(EnforcementArea.objects.filter(name__in=names))


def _leading_group(agencies, people: dict[str, Staff]) -> None:
    drc = agencies["drc"]
    group, created = LeadingGroup.objects.get_or_create(
        agency=drc,
        defaults=dict(
            name="宁晋县发展改革局推行行政执法三项制度工作领导小组",
            office_unit=Unit.objects.get(agency=drc, name="法制科"),
            office_duties="负责三项制度推行的日常工作，组织协调、督促检查和考核评估。",
        ),
    )
    if created:
        for login, role in [
            ("leader1", GroupRole.LEADER),
            ("office1", GroupRole.DEPUTY),
            ("reviewer1", GroupRole.MEMBER),
            ("officer1", GroupRole.MEMBER),
        ]:
            LeadingGroupMember.objects.create(group=group, staff=people[login], role=role)


def _training(agencies, people: dict[str, Staff]) -> None:
    drc = agencies["drc"]
    year = timezone.localdate().year
    plan, created = TrainingPlan.objects.get_or_create(
        agency=drc,
        title="《行政处罚法》与三项制度专题培训",
        defaults=dict(
            planned_on=dt.date(year, 3, 15),
            hours=Decimal("4.0"),
            audience="全体执法人员和法制审核人员",
            content="行政处罚程序、法制审核要点、执法全过程记录。",
        ),
    )
    if created:
        for login in ["officer1", "officer2", "reviewer1", "reviewer2"]:
            TrainingRecord.objects.create(
                staff=people[login],
                plan=plan,
                course=plan.title,
                hours=plan.hours,
                attended_on=plan.planned_on,
                organiser="宁晋县发展改革局法制科",
            )


@demo.register(10, "机构、人员、执法证、领导小组和培训")
def load(say) -> None:
    agencies = _agencies()
    _units(agencies)
    for name in AREAS:
        EnforcementArea.objects.get_or_create(name=name)
    people = {}
    for serial, (login, name, key, unit, post, roles, qual, days_left) in enumerate(PEOPLE, 1):
        people[login] = _person(agencies, login, name, key, unit, post, roles, qual)
        if days_left is not None:
            _certificate(people[login], days_left, serial)
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True}
    )
    if created:
        admin.set_password(demo.DEMO_PASSWORD)
        admin.save()
        admin.groups.set(Group.objects.filter(name=Role.ADMIN.value))
    _leading_group(agencies, people)
    _training(agencies, people)
    _devices(agencies, people)
    logins = ", ".join([p[0] for p in PEOPLE] + ["admin"])
    say(f"演示账号：{logins}（密码 {demo.DEMO_PASSWORD}）")


# 执法装备 (C6, C7): (agency, unit, kind, serial, model, status, holder login).
DEVICES = [
    (
        "drc",
        "固定资产投资科",
        "body_camera",
        "DSJ-NJ-001",
        "执法记录仪 DSJ-V9",
        "in_use",
        "officer1",
    ),
    (
        "drc",
        "固定资产投资科",
        "body_camera",
        "DSJ-NJ-002",
        "执法记录仪 DSJ-V9",
        "in_use",
        "officer2",
    ),
    ("drc", "固定资产投资科", "body_camera", "DSJ-NJ-003", "执法记录仪 DSJ-V9", "repair", None),
    ("drc", "固定资产投资科", "handheld", "ZD-NJ-001", "移动执法终端 T5", "in_use", None),
    ("drc", "法制科", "recorder", "LY-NJ-001", "录音笔 R10", "in_use", None),
    ("amr", "综合执法队", "body_camera", "DSJ-SJ-001", "执法记录仪 DSJ-V9", "in_use", "officer-b"),
]


def _devices(agencies, people: dict[str, Staff]) -> None:
    for agency, unit, kind, serial, model, status, holder in DEVICES:
        Device.objects.get_or_create(
            agency=agencies[agency],
            serial_number=serial,
            defaults={
                "unit": Unit.objects.filter(agency=agencies[agency], name=unit).first(),
                "kind": kind,
                "model_name": model,
                "status": status,
                "assigned_to": people.get(holder) if holder else None,
            },
        )
