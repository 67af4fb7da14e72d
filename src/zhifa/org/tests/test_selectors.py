import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_certificate, make_staff
from zhifa.org import selectors
from zhifa.org.models import Staff
from zhifa.org.roles import Role

pytestmark = pytest.mark.django_db


def test_officer_sees_only_own_agency(world):
    names = {s.real_name for s in selectors.staff_list(user=world.user("officer_a"))}
    assert "officer_a" in names and "office_a" in names
    assert "officer_b" not in names and "supervisor" not in names


def test_supervisor_sees_every_agency(world):
    staff = selectors.staff_list(user=world.user("supervisor"))
    assert {s.agency_id for s in staff} == {world.agency_a.pk, world.agency_b.pk}


def test_other_agency_object_is_not_found(world):
    with pytest.raises(Staff.DoesNotExist):
        selectors.staff_get(user=world.user("office_a"), pk=world.staff["officer_b"].pk)


def test_user_without_staff_profile_sees_nothing(world, django_user_model):
    stranger = django_user_model.objects.create_user("stranger", password="x" * 12)
    assert not selectors.staff_list(user=stranger).exists()
    assert not selectors.certificate_list(user=stranger).exists()


def test_certificate_check_reasons(world):
    today = timezone.localdate()
    officer = world.staff["officer_a"]
    assert selectors.may_act(staff=officer, area="发展改革", on=today)
    check = selectors.certificate_check(staff=officer, area="招标投标", on=today)
    assert not check.allowed and "没有“招标投标”领域" in check.reason
    later = today + dt.timedelta(days=400)
    check = selectors.certificate_check(staff=officer, area="发展改革", on=later)
    assert not check.allowed and "过期" in check.reason
    earlier = today - dt.timedelta(days=400)
    assert (
        "尚未生效" in selectors.certificate_check(staff=officer, area="发展改革", on=earlier).reason
    )


def test_suspended_or_revoked_certificate_may_not_act(world):
    today = timezone.localdate()
    person = make_staff(world.agency_a, "suspended", Role.OFFICER)
    make_certificate(person, "A-009", "发展改革", status="suspended", reason="涉嫌违纪")
    check = selectors.certificate_check(staff=person, area="发展改革", on=today)
    assert not check.allowed and "暂扣" in check.reason and "涉嫌违纪" in check.reason


def test_inactive_staff_may_not_act_even_with_valid_certificate(world):
    officer = world.staff["officer_a"]
    officer.is_active = False
    officer.save()
    assert not selectors.may_act(staff=officer, area="发展改革", on=timezone.localdate())


def test_any_valid_certificate_for_the_area_is_enough(world):
    officer = world.staff["officer_a"]
    make_certificate(officer, "A-OLD", "发展改革", days_left=-100)
    assert selectors.may_act(staff=officer, area="发展改革", on=timezone.localdate())


def test_expiry_report_splits_expired_and_expiring(world):
    today = timezone.localdate()
    soon = make_staff(world.agency_a, "soon", Role.OFFICER)
    make_certificate(soon, "A-SOON", "发展改革", days_left=30)
    gone = make_staff(world.agency_a, "gone", Role.OFFICER)
    make_certificate(gone, "A-GONE", "发展改革", days_left=-3)
    far = make_staff(world.agency_b, "far", Role.OFFICER)
    make_certificate(far, "B-SOON", "市场监督管理", days_left=10)
    report = selectors.certificate_expiry_report(user=world.user("office_a"), today=today)
    assert [c.number for c in report.expiring] == ["A-SOON"]
    assert [c.number for c in report.expired] == ["A-GONE"]
    county = selectors.certificate_expiry_report(user=world.user("supervisor"), today=today)
    assert {c.number for c in county.expiring} == {"A-SOON", "B-SOON"}
