"""Review pages: scope (other agency → 404), roles (→ 403), and the forms driving services."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhifa.cases import services as case_services
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.review.models import ITEMS, Review, ReviewRule, ReviewSettings, ReviewStatus
from zhifa.review.tests.helpers import article, review_round, setup_reviewers


def at_review(cw):
    case = walk_penalty(cw, "report")
    case = case_services.case_propose_decision(
        acting_user=cw.user("officer_a"),
        case=case,
        penalty_types=["罚款"],
        fine_amount=5_000_00,
        content="罚款5000元",
        major_public_interest=True,
    )
    return case_services.case_advance(
        acting_user=cw.user("officer_a"), case=case, to_step="legal_review"
    )


def test_case_page_shows_requirement_and_submit_link(cw, login):
    case = at_review(cw)
    page = login(cw.user("officer_a")).get(reverse("cases:case_detail", args=[case.pk]))
    text = page.content.decode()
    assert "本案须经法制审核" in text and "涉及重大公共利益" in text
    assert reverse("review:submit", args=[case.pk]) in text


def test_submit_assign_findings_confirm_accept_through_pages(cw, client):
    setup_reviewers(cw)
    case = at_review(cw)
    client.force_login(cw.user("officer_a"))
    url = reverse("review:submit", args=[case.pk])
    assert client.post(url, {"proposal": "", "report": ""}).status_code == 400
    response = client.post(url, {"proposal": "罚款5000元", "report": "调查终结报告"})
    assert response.status_code == 302
    review = Review.objects.get(case=case)
    client.force_login(cw.user("reviewer_a"))
    data = {"reviewer": cw.staff("reviewer_a").pk, "re_reviewer": cw.staff("reviewer_a").pk}
    response = client.post(reverse("review:assign", args=[review.pk]), data)
    assert response.status_code == 400 and "两名不同" in response.content.decode()
    data["re_reviewer"] = cw.staff("reviewer2_a").pk
    assert client.post(reverse("review:assign", args=[review.pk]), data).status_code == 302
    client.force_login(cw.user("reviewer2_a"))
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert "填写审核意见" not in page  # the 复审人 does not write the findings
    client.force_login(cw.user("reviewer_a"))
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert reverse("review:findings", args=[review.pk]) in page
    article()  # the 行政处罚法 article the form offers
    form = client.get(reverse("review:findings", args=[review.pk])).content.decode()
    assert "是否涉嫌犯罪需移送" in form and "第五十八条" in form
    findings = {f"{code}_lawful": "1" for code, _ in ITEMS}
    findings |= {"opinion": "agree", "articles": [article().pk]}
    assert client.post(reverse("review:findings", args=[review.pk]), findings).status_code == 302
    client.force_login(cw.user("reviewer2_a"))
    client.post(reverse("review:confirm", args=[review.pk]))
    review.refresh_from_db()
    assert review.status == ReviewStatus.ISSUED and review.number
    page = client.get(reverse("review:detail", args=[review.pk])).content.decode()
    assert review.number in page and "下载PDF" in page and "存在问题" not in page
    docx = client.get(reverse("review:document", args=[review.pk, "docx"]))
    assert docx.status_code == 200 and b"".join(docx.streaming_content)[:2] == b"PK"
    client.force_login(cw.user("officer_a"))
    client.post(reverse("review:accept", args=[review.pk]))
    review.refresh_from_db()
    assert review.passed


def test_other_agency_gets_404(cw, login):
    case = at_review(cw)
    review = review_round(cw, case, accept=False)
    client = login(cw.user("officer_b"))
    for url in (
        reverse("review:detail", args=[review.pk]),
        reverse("review:document", args=[review.pk, "pdf"]),
        reverse("review:assign", args=[review.pk]),
        reverse("review:submit", args=[case.pk]),
        reverse("review:discussion", args=[case.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("review:accept", args=[review.pk])).status_code == 404


def test_wrong_role_gets_403(cw, login):
    client = login(cw.user("officer_a"))
    assert client.get(reverse("review:rules")).status_code == 403
    assert client.get(reverse("review:rule_new")).status_code == 403
    assert client.get(reverse("review:settings")).status_code == 403
    office = login(cw.user("office_a"))
    assert office.get(reverse("review:index")).status_code == 403


def test_disagreement_and_coordination_pages(cw, client):
    case = at_review(cw)
    review = review_round(cw, case, opinion="disagree", text="定性不准", accept=False)
    client.force_login(cw.user("officer_a"))
    response = client.post(reverse("review:disagree", args=[review.pk]), {"reasons": "定性准确"})
    assert response.status_code == 302
    response = client.post(
        reverse("review:coordinate", args=[review.pk]), {"decision": "adopt_unit", "note": "x"}
    )
    assert response.status_code == 403
    client.force_login(cw.user("leader_a"))
    response = client.post(
        reverse("review:coordinate", args=[review.pk]),
        {"decision": "discussion", "note": "提交集体讨论"},
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.coordination == "discussion"


def test_rules_and_settings_pages(cw, login):
    client = login(cw.user("reviewer_a"))
    data = {
        "name": "吊销许可证件",
        "basis": "本局审核目录第2项",
        "active": "on",
        "penalty_types": ["吊销许可证件"],
        "organisation_yuan": "100000",
    }
    assert client.post(reverse("review:rule_new"), data).status_code == 302
    rule = ReviewRule.objects.get()
    assert rule.agency == cw.world.agency_a and rule.threshold_organisation == 100_000_00
    assert "吊销许可证件" in client.get(reverse("review:rules")).content.decode()
    other = ReviewRule.objects.create(agency=cw.world.agency_b, name="乙", basis="乙", active=True)
    assert client.get(reverse("review:rule_edit", args=[other.pk])).status_code == 404
    settings = {"all_ordinary": "on", "time_limit_days": 10, "extension_days": 5, "quorum": 3}
    assert client.post(reverse("review:settings"), settings).status_code == 302
    found = ReviewSettings.objects.get(agency=cw.world.agency_a)
    assert found.all_ordinary and found.time_limit_days == 10


def test_discussion_page_records(cw, login):
    from tests.factories import make_staff
    from zhifa.org.roles import Role

    case = at_review(cw)
    a = cw.world.agency_a
    l2 = make_staff(a, "leader2_a", Role.LEADER, unit="办公室")
    l3 = make_staff(a, "leader3_a", Role.LEADER, unit="办公室")
    chair = cw.staff("leader_a")
    client = login(cw.user("leader_a"))
    url = reverse("review:discussion", args=[case.pk])
    data = {"held_on": "2026-01-05", "chair": chair.pk, "conclusion": "同意"}
    data |= {f"op_{chair.pk}": "同意", f"op_{l2.pk}": "同意"}
    response = client.post(url, data)
    assert response.status_code == 400 and "少于本机关规定的3人" in response.content.decode()
    data[f"op_{l3.pk}"] = "同意"
    assert client.post(url, data).status_code == 302
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "集体讨论" in page and "主持人leader_a" in page


@pytest.mark.parametrize("name", ["review:index", "review:rules"])
def test_todo_and_nav(cw, login, name):
    case = at_review(cw)
    setup_reviewers(cw)
    from zhifa.review import services

    services.review_submit(
        acting_user=cw.user("officer_a"), case=case, proposal="罚款", report="报告"
    )
    client = login(cw.user("reviewer_a"))
    page = client.get(reverse(name))
    assert page.status_code == 200
    assert "法制审核" in page.content.decode()
    from zhifa.core.todo import items_for

    assert any("法制审核" in item.title for item in items_for(cw.user("reviewer_a")))


def test_api_cannot_pass_the_gate(cw, client):
    import json

    case = at_review(cw)
    client.force_login(cw.user("reviewer_a"))
    response = client.post(
        f"/api/v1/cases/{case.pk}/advance",
        json.dumps({"to_step": "prior_notice"}),
        content_type="application/json",
    )
    assert response.status_code == 400 and "须经法制审核" in response.json()["detail"]
    case.refresh_from_db()
    assert case.step == "legal_review"


def test_supervisor_watches_overdue_reviews_read_only(cw, login):
    import datetime as dt

    from django.utils import timezone

    from zhifa.core.todo import items_for
    from zhifa.review import services

    setup_reviewers(cw)
    case = at_review(cw)
    review = services.review_submit(
        acting_user=cw.user("officer_a"), case=case, proposal="罚款", report="报告"
    )
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    supervisor = cw.user("supervisor")
    todo = [i for i in items_for(supervisor) if "法制审核已超期" in i.title]
    assert todo and todo[0].level == "danger"
    client = login(supervisor)
    assert "已超期" in client.get(reverse("review:index")).content.decode()
    assert client.get(reverse("review:detail", args=[review.pk])).status_code == 200
    assert client.get(reverse("review:assign", args=[review.pk])).status_code == 403
    # officers of other agencies still see nothing
    assert (
        login(cw.user("officer_b")).get(reverse("review:detail", args=[review.pk])).status_code
        == 404
    )
