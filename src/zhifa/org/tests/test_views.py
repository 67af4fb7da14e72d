import pytest
from django.urls import reverse

from zhifa.org.models import Certificate, Staff

pytestmark = pytest.mark.django_db


def test_other_agency_pages_are_404(world, login):
    client = login(world.user("office_a"))
    b_staff = world.staff["officer_b"]
    b_cert = Certificate.objects.get(number="B-001")
    for url in [
        reverse("org:staff_detail", args=[b_staff.pk]),
        reverse("org:staff_edit", args=[b_staff.pk]),
        reverse("org:certificate_create", args=[b_staff.pk]),
        reverse("org:certificate_edit", args=[b_cert.pk]),
        reverse("org:unit_edit", args=[b_staff.unit_id]),
    ]:
        assert client.get(url).status_code == 404, url
    assert "officer_b" not in client.get(reverse("org:staff_list")).content.decode()


def test_anonymous_users_are_sent_to_login(client, world):
    for name in [
        "org:staff_list",
        "org:certificate_list",
        "org:unit_list",
        "org:training_list",
        "org:leading_group",
        "org:staff_create",
    ]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response.url, name


def test_officer_cannot_open_management_pages(world, login):
    client = login(world.user("officer_a"))
    for name in ["org:staff_create", "org:unit_list", "org:training_plan_create"]:
        assert client.get(reverse(name)).status_code == 403, name


def test_supervisor_reads_all_but_cannot_edit(world, login):
    client = login(world.user("supervisor"))
    page = client.get(reverse("org:staff_list")).content.decode()
    assert "officer_a" in page and "officer_b" in page
    assert client.get(reverse("org:staff_create")).status_code == 403


def test_staff_form_keeps_input_and_explains_errors(world, login):
    client = login(world.user("office_a"))
    response = client.post(
        reverse("org:staff_create"),
        {
            "username": "officer_a",
            "password": "long-enough-1",
            "real_name": "重复的人",
            "roles": ["执法人员"],
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "重复的人" in page  # the user's input is kept
    assert "已存在" in page
    assert Staff.objects.filter(real_name="重复的人").count() == 0


def test_office_creates_staff_and_certificate_through_pages(world, login):
    client = login(world.user("office_a"))
    response = client.post(
        reverse("org:staff_create"),
        {
            "username": "xiaowang",
            "password": "long-enough-1",
            "real_name": "小王",
            "roles": ["执法人员"],
        },
    )
    staff = Staff.objects.get(real_name="小王")
    assert response.url == reverse("org:staff_detail", args=[staff.pk])
    from zhifa.org.models import EnforcementArea

    area = EnforcementArea.objects.get(name="发展改革")
    response = client.post(
        reverse("org:certificate_create", args=[staff.pk]),
        {
            "number": "A-777",
            "issuing_authority": "河北省人民政府",
            "areas": [area.pk],
            "valid_from": "2026-01-01",
            "valid_to": "2025-01-01",
        },
    )
    assert "不能早于" in response.content.decode()
    response = client.post(
        reverse("org:certificate_create", args=[staff.pk]),
        {
            "number": "A-777",
            "issuing_authority": "河北省人民政府",
            "areas": [area.pk],
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
        },
    )
    assert response.status_code == 302
    assert staff.certificates.get().number == "A-777"


def test_certificate_status_change_page(world, login):
    client = login(world.user("office_a"))
    cert = Certificate.objects.get(number="A-001")
    url = reverse("org:certificate_edit", args=[cert.pk])
    response = client.post(url, {"status": "suspended", "reason": ""})
    assert "原因" in response.content.decode()
    response = client.post(url, {"status": "suspended", "reason": "违规执法，暂扣三个月"})
    assert response.status_code == 302
    cert.refresh_from_db()
    assert cert.status == "suspended"


def test_navigation_depends_on_role(world, login):
    office_page = login(world.user("office_a")).get(reverse("core:todo")).content.decode()
    assert "科室" in office_page and "工作人员" in office_page
    officer_page = login(world.user("officer_a")).get(reverse("core:todo")).content.decode()
    assert reverse("org:unit_list") not in officer_page
    assert reverse("org:staff_list") in officer_page


def test_staff_list_query_count_does_not_grow(world, login, django_assert_max_num_queries):
    client = login(world.user("supervisor"))
    with django_assert_max_num_queries(12):
        client.get(reverse("org:staff_list"))
