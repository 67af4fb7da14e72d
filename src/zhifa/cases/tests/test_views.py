"""The case pages, driven with the test client as the right roles: a full ordinary penalty
case and a licence case, scoping (404 for the other agency), 403 for wrong roles, form errors
that keep the input, the recorded view (C10) and a bounded case list."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, Party
from zhifa.cases.tests.conftest import days_ago, sha, walk_penalty
from zhifa.cases.views import ACTIONS
from zhifa.ledger.models import Event

pytestmark = pytest.mark.django_db


def act(client, case: Case, key: str, data: dict) -> str:
    """POST an action form; expect the redirect back to the case page; return the message."""
    url = reverse(f"cases:case_{key}", args=[case.pk])
    response = client.post(url, data)
    assert response.status_code == 302, _errors(response)
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def _errors(response) -> str:
    form = response.context and response.context.get("form")
    return str(form.errors) if form else response.content.decode()[:500]


def page(client, case: Case) -> str:
    response = client.get(reverse("cases:case_detail", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def d(n: int) -> str:
    return days_ago(n).isoformat()


def test_full_penalty_case_through_the_pages(cw, client):
    officer, head, leader = cw.user("officer_a"), cw.user("head_a"), cw.user("leader_a")
    client.force_login(officer)
    response = client.post(
        reverse("cases:clue_create"),
        {
            "item_version": cw.penalty.pk,
            "party": cw.org.pk,
            "title": "未依法办理核准手续擅自开工建设",
            "source": "监督检查",
            "registered_on": d(80),
            "violation_on": d(100),
        },
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    assert "已登记案件线索" in str(next(iter(get_messages(response.wsgi_request))))
    html = page(client, case)
    assert "线索登记" in html and "决定是否立案" in html and "登记案件" in html

    assert "已转到下一环节：立案审批" in act(
        client, case, "advance", {"to_step": "filing", "on": d(79)}
    )
    client.force_login(leader)
    html = page(client, case)
    assert "立案审批（予以立案）" in html
    staff = [cw.staff("officer_a").pk, cw.staff("officer2_a").pk]
    assert "已立案" in act(client, case, "file", {"handlers": staff, "on": d(78)})
    client.force_login(officer)
    evidence = {"step": "investigate", "sha256": sha("v1"), "media_kind": "video"}
    assert "已登记证据" in act(client, case, "evidence", evidence)
    act(client, case, "advance", {"to_step": "report", "on": d(60)})
    assert "已保存" in act(client, case, "propose", {"penalty_types": ["罚款"], "fine": "5000.00"})
    client.force_login(head)
    act(client, case, "advance", {"to_step": "prior_notice", "on": d(50)})
    client.force_login(officer)
    assert "事先告知" in act(
        client, case, "notify", {"notified_on": d(45), "hearing_right": "auto"}
    )
    act(
        client,
        case,
        "respond",
        {"response": "statement", "statement": "已停工", "received_on": d(44)},
    )
    act(client, case, "advance", {"to_step": "decide", "on": d(30)})
    client.force_login(leader)
    assert "已作出决定" in act(client, case, "decide", {"outcome": "penalty", "decided_on": d(28)})
    client.force_login(officer)
    act(client, case, "evidence", {"step": "serve", "sha256": sha("v2"), "media_kind": "video"})
    act(client, case, "serve", {"method": "direct", "served_on": d(27)})
    html = page(client, case)
    assert "应缴金额" in html  # amount_due shown at 执行
    assert "已登记缴款" in act(client, case, "payment", {"amount": "5000", "paid_on": d(20)})
    act(client, case, "advance", {"to_step": "close", "on": d(19)})
    client.force_login(head)
    assert "已结案" in act(client, case, "close", {"on": d(18), "summary": "已履行"})
    client.force_login(officer)
    assert "已归档" in act(client, case, "archive", {"on": d(17)})

    case.refresh_from_db()
    assert case.status == CaseStatus.ARCHIVED and case.fine_amount == 5_000_00
    html = page(client, case)
    for clock in [
        "决定是否立案",
        "作出处罚决定",
        "陈述申辩、申请听证期限",
        "送达决定书",
        "缴纳罚款",
    ]:
        assert clock in html
    for entry in ["立案", "添加证据", "拟处罚意见", "事先告知", "作出决定", "送达", "缴纳罚款"]:
        assert entry in html
    assert "归档" in html and "当前环节没有您可以办理的事项" in html
    assert case.decision_number in html


def test_licence_case_through_the_pages(cw, client):
    from tests.factories import credit_code

    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    client.force_login(officer)
    response = client.post(
        reverse("cases:licence_apply"),
        {
            "item_version": cw.licence.pk,
            "kind": "organisation",
            "name": "宁晋县新能源科技有限公司",
            "credit_code": credit_code(88),
            "legal_representative": "赵六",
            "title": "光伏项目核准申请",
        },
    )
    assert response.status_code == 302, _errors(response)
    case = Case.objects.get()
    assert case.party.name == "宁晋县新能源科技有限公司"
    assert "补正" in act(client, case, "correction", {"items": "项目申请报告缺少选址意见"})
    assert "已受理" in act(client, case, "accept", {})
    client.force_login(leader)
    assert "已延长" in act(client, case, "extend", {"reason": "需征求有关部门意见"})
    client.force_login(officer)
    act(client, case, "advance", {"to_step": "decide"})
    client.force_login(leader)
    assert "已作出许可决定" in act(
        client, case, "licence_decide", {"granted": "1", "content": "准予"}
    )
    client.force_login(officer)
    act(client, case, "evidence", {"step": "serve", "sha256": sha("lic"), "media_kind": "video"})
    act(client, case, "serve", {"method": "direct"})
    case.refresh_from_db()
    assert case.step == "publish"
    html = page(client, case)
    for clock in ["受理或一次性告知补正", "作出许可决定（已延长）", "颁发、送达许可证件或决定书"]:
        assert clock in html
    for entry in ["收到许可申请", "一次性告知补正", "受理", "延长决定期限", "作出决定", "送达"]:
        assert entry in html


def _all_case_urls(case: Case) -> list[str]:
    urls = [reverse("cases:case_detail", args=[case.pk])]
    return urls + [reverse(f"cases:case_{key}", args=[case.pk]) for key in ACTIONS]


def test_other_agency_gets_404_on_every_case_url(cw, client):
    case = walk_penalty(cw, "filing")
    client.force_login(cw.user("officer_b"))
    for url in _all_case_urls(case):
        assert client.get(url).status_code in (403, 404), url
        response = client.post(url, {})
        assert response.status_code in (403, 404, 405), url
    # Where the role allows the action at all, the answer is "not found", never a form.
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:case_serve", args=[case.pk])).status_code == 404
    assert client.post(reverse("cases:case_advance", args=[case.pk]), {}).status_code == 404
    assert case.pk not in [c.pk for c in client.get(reverse("cases:case_list")).context["page"]]


def test_anonymous_is_sent_to_login(cw, client):
    case = walk_penalty(cw, "clue")
    urls = [reverse("cases:case_list"), reverse("cases:clue_create"), *_all_case_urls(case)]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url


def test_wrong_role_gets_403(cw, client):
    case = walk_penalty(cw, "filing")
    client.force_login(cw.user("office_a"))  # 办公室: may read, may not approve filing
    url = reverse("cases:case_file", args=[case.pk])
    staff = [cw.staff("officer_a").pk, cw.staff("officer2_a").pk]
    assert client.post(url, {"handlers": staff}).status_code == 403
    assert client.get(reverse("cases:clue_create")).status_code == 403
    client.force_login(cw.user("officer_a"))  # officer: the service refuses 立案 too
    assert client.post(url, {"handlers": staff}).status_code == 403
    client.force_login(cw.user("reviewer_a"))
    assert client.post(reverse("cases:case_decide", args=[case.pk]), {}).status_code == 403
    case.refresh_from_db()
    assert case.step == "filing"


def test_role_allowed_but_step_role_missing_is_403_from_the_service(cw, client):
    case = walk_penalty(cw, "clue")
    client.force_login(cw.user("head_a"))  # 线索登记 → 立案审批 is the officer's move
    response = client.post(reverse("cases:case_advance", args=[case.pk]), {"to_step": "filing"})
    assert response.status_code == 403


def test_invalid_id_number_keeps_input(cw, client):
    client.force_login(cw.user("officer_a"))
    response = client.post(
        reverse("cases:clue_create"),
        {
            "item_version": cw.penalty.pk,
            "kind": "person",
            "name": "王五",
            "id_number": "130528199001010000",
            "title": "擅自开工建设",
            "violation_on": d(100),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "130528199001010000" in html and "擅自开工建设" in html
    assert response.context["form"].errors["id_number"]
    assert not Party.objects.filter(name="王五").exists() and not Case.objects.exists()


def test_fine_with_three_decimals_keeps_input(cw, client):
    case = walk_penalty(cw, "report")
    client.force_login(cw.user("officer_a"))
    url = reverse("cases:case_propose", args=[case.pk])
    response = client.post(url, {"penalty_types": ["罚款"], "fine": "5000.123"})
    assert response.status_code == 200
    assert "两位小数" in response.content.decode() and "5000.123" in response.content.decode()
    case.refresh_from_db()
    assert case.fine_amount == 0


def test_service_error_shown_on_the_form(cw, client):
    case = walk_penalty(cw, "filing")
    client.force_login(cw.user("leader_a"))
    url = reverse("cases:case_file", args=[case.pk])
    response = client.post(url, {"handlers": [cw.staff("officer_a").pk], "opinion": "同意立案"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2名以上" in html and "同意立案" in html


def test_case_page_records_a_view(cw, client):
    case = walk_penalty(cw, "clue")
    client.force_login(cw.user("head_a"))
    before = Event.objects.filter(kind="record.viewed", subject=f"cases.case:{case.pk}").count()
    html = page(client, case)
    views = Event.objects.filter(kind="record.viewed", subject=f"cases.case:{case.pk}")
    assert views.count() == before + 1
    assert views.last().actor == cw.user("head_a")
    assert "查看1次" in html


def test_party_id_masked_on_case_page(cw, client):
    case = walk_penalty(cw, "clue", party=cw.person)
    client.force_login(cw.user("officer_a"))
    html = page(client, case)
    assert cw.person.id_number not in html and cw.person.id_number[:6] + "*" in html


def test_only_allowed_actions_are_offered(cw, client):
    case = walk_penalty(cw, "filing")
    client.force_login(cw.user("officer_a"))
    html = page(client, case)
    assert "立案审批（予以立案）" not in html  # the officer may not approve filing
    client.force_login(cw.user("leader_a"))
    html = page(client, case)
    assert reverse("cases:case_file", args=[case.pk]) in html
    assert "不予立案" in html  # the branch, through the generic move


def test_supervisor_reads_but_cannot_act(cw, client):
    case = walk_penalty(cw, "clue")
    client.force_login(cw.user("supervisor"))
    html = page(client, case)
    assert "当前环节没有您可以办理的事项" in html
    assert client.post(reverse("cases:case_advance", args=[case.pk]), {}).status_code == 403


def test_list_filters_search_and_alerts(cw, client):
    overdue = services.case_register(
        acting_user=cw.user("officer_a"),
        item_version=cw.penalty,
        party=cw.org,
        title="逾期未立案的线索",
        registered_on=days_ago(60),
    )
    fresh = services.case_register(
        acting_user=cw.user("officer_a"),
        item_version=cw.penalty,
        party=cw.person,
        title="新线索",
    )
    client.force_login(cw.user("officer_a"))
    response = client.get(reverse("cases:case_list"))
    html = response.content.decode()
    assert "已逾期" in html and "登记案件线索" in html and "受理许可申请" in html
    found = client.get(reverse("cases:case_list"), {"q": "张三"}).context["page"]
    assert [c.pk for c in found] == [fresh.pk]
    found = client.get(reverse("cases:case_list"), {"kind": "licence"}).context["page"]
    assert list(found) == []
    found = client.get(reverse("cases:case_list"), {"status": "open", "q": "逾期"}).context["page"]
    assert [c.pk for c in found] == [overdue.pk]
    client.force_login(cw.user("office_a"))
    html = client.get(reverse("cases:case_list")).content.decode()
    assert "登记案件线索" not in html


def test_case_list_query_count_is_bounded(cw, client, django_assert_max_num_queries):
    def register(n: int) -> None:
        for i in range(n):
            services.case_register(
                acting_user=cw.user("officer_a"),
                item_version=cw.penalty,
                party=cw.org,
                title=f"线索{i}",
                registered_on=days_ago(i),
            )

    register(3)
    client.force_login(cw.user("officer_a"))
    client.get(reverse("cases:case_list"))  # warm caches (permissions, content types)
    with django_assert_max_num_queries(15):
        client.get(reverse("cases:case_list"))
    register(17)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:case_list"))
    assert len(response.context["rows"]) == 20


def test_todo_links_to_the_case_page(cw, client):
    case = walk_penalty(cw, "filing")
    client.force_login(cw.user("leader_a"))
    html = client.get(reverse("core:todo")).content.decode()
    assert reverse("cases:case_detail", args=[case.pk]) in html


def test_navigation_shows_cases(cw, client):
    client.force_login(cw.user("officer_a"))
    html = client.get(reverse("core:todo")).content.decode()
    assert "案件办理" in html and reverse("cases:case_list") in html


def test_av_exception_lets_the_step_complete(cw, client):
    case = walk_penalty(cw, "investigate")
    client.force_login(cw.user("officer_a"))
    response = client.post(
        reverse("cases:case_advance", args=[case.pk]), {"to_step": "report", "on": d(60)}
    )
    assert response.status_code == 200 and "须有音像记录" in response.content.decode()
    client.force_login(cw.user("leader_a"))
    assert "批准未音像记录的理由" in page(client, case)
    reason = {"step": "investigate", "reason": "执法记录仪故障，已报修"}
    assert "已批准" in act(client, case, "av_exception", reason)
    assert "执法记录仪故障" in page(client, case)
    client.force_login(cw.user("officer_a"))
    act(client, case, "advance", {"to_step": "report", "on": d(60)})


def test_simple_penalty_page(cw, client):
    client.force_login(cw.user("officer_a"))
    data = {
        "item_version": cw.penalty.pk,
        "party": cw.person.pk,
        "title": "未备案开工",
        "facts": "当场查实",
        "penalty_types": ["罚款"],
        "handlers": [cw.staff("officer_a").pk, cw.staff("officer2_a").pk],
        "av_sha256": sha("onspot"),
        "av_kind": "video",
    }
    response = client.post(reverse("cases:simple_penalty"), {**data, "fine": "200.01"})
    assert response.status_code == 200 and "200元以下" in response.content.decode()
    response = client.post(reverse("cases:simple_penalty"), {**data, "fine": "200"})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.step == "onspot_pay" and case.decision_number.startswith("甲发改简罚")
    assert "登记缴纳罚款" in page(client, case)


def test_demo_cases_load_twice(db, settings, tmp_path):
    from zhifa.cases import demo as cases_demo
    from zhifa.catalog import demo as catalog_demo
    from zhifa.org import demo as org_demo

    settings.LEDGER_BLOB_DIR = tmp_path / "blobs"
    said: list[str] = []
    for step in (org_demo.load, catalog_demo.load, cases_demo.load, cases_demo.load):
        step(said.append)
    assert said[-1] == "演示案件已存在，跳过。"
    cases = Case.objects.filter(title__endswith=cases_demo.MARK)
    steps = sorted(cases.values_list("step", flat=True))
    assert steps == sorted(
        ["clue", "investigate", "prior_notice", "execute", "archive", "onspot_pay", "review",
         "publish", "legal_review", "investigate", "investigate"]
    )  # fmt: skip
    assert Event.objects.filter(kind="evidence.attached").exists()


def test_demo_has_a_hearing_and_an_extended_deadline(db, settings, tmp_path):
    """The demo holds a recorded 听证 presided by someone who never investigated the case (处罚法
    art. 64(4)) and a decision deadline extended to 120 days by a 局领导 (art. 60), plus a
    request waiting in a 局领导's 待办."""
    from zhifa.cases import clocks
    from zhifa.cases import demo as cases_demo
    from zhifa.cases.models import DecisionExtension, ExtensionStatus, HearingRecord
    from zhifa.cases.todos import case_todos
    from zhifa.catalog import demo as catalog_demo
    from zhifa.core.calendar import calendar_deadline
    from zhifa.org import demo as org_demo

    settings.LEDGER_BLOB_DIR = tmp_path / "blobs"
    for step in (org_demo.load, catalog_demo.load, cases_demo.load):
        step(lambda _: None)

    hearing = HearingRecord.objects.select_related("case", "presider__user").get()
    case = hearing.case
    assert case.title == cases_demo.HEARING_TITLE + cases_demo.MARK
    assert case.step == "legal_review" and case.hearing_requested and case.hearing_held
    handlers = set(case.handlers.values_list("pk", flat=True))
    assert handlers and hearing.presider_id not in handlers
    assert hearing.presider_id not in services._investigators(case)
    assert hearing.recorder_id != hearing.presider_id
    assert hearing.presider.user.username == "reviewer2" and hearing.presider.unit.is_legal_unit
    assert hearing.public and hearing.signature == "signed" and "从轻处罚" in hearing.statements
    assert hearing.notice_served_on >= case.notified_on
    held_on = timezone.localtime(hearing.held_at).date()
    assert held_on >= clocks.earliest_hearing_day(hearing.notice_served_on)
    assert Event.objects.filter(kind="hearing.recorded", subject=f"cases.case:{case.pk}").exists()

    approved = DecisionExtension.objects.select_related("case").get(status=ExtensionStatus.APPROVED)
    extended = approved.case
    assert extended.title == cases_demo.EXTENDED_TITLE + cases_demo.MARK
    assert extended.extended and approved.decided_by.username == "leader1"
    assert approved.requested_by != approved.decided_by
    clock = next(c for c in clocks.case_clocks(extended) if c.key == "decision")
    assert clock.days == 120 and clock.label == "作出处罚决定（已延长）"
    assert clock.due == calendar_deadline(extended.filed_on, 120).due
    assert clock.state(timezone.localdate()) == "running"

    pending = DecisionExtension.objects.get(status=ExtensionStatus.PENDING)
    assert pending.case.title == cases_demo.PENDING_TITLE + cases_demo.MARK
    leader = get_user_model().objects.get(username="leader1")
    assert any("审批延长" in item.title for item in case_todos(leader))
