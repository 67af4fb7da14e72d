import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from zhifa.org.models import Agency, Certificate, Staff

pytestmark = pytest.mark.django_db


def _counts():
    return (Agency.objects.count(), Staff.objects.count(), Certificate.objects.count())


def test_demo_is_idempotent_and_logins_work():
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first
    for login in [
        "officer1",
        "officer2",
        "reviewer1",
        "reviewer2",
        "leader1",
        "office1",
        "supervisor1",
        "admin",
    ]:
        assert authenticate(username=login, password="zhifa-demo") is not None, login
    assert Agency.objects.get(name="宁晋县发展改革局").units.count() == 8
