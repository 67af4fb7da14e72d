"""听证笔录 (处罚法 art. 64) and the extension of the penalty decision deadline (art. 60):
every rule of the services, refused moves leaving nothing behind, and the case pages
(scoping, roles, errors that keep the input)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_staff
from zhifa.cases import clocks, services
from zhifa.cases.models import (
    Case,
    CaseStepRecord,
    DecisionExtension,
    ExtensionStatus,
    HearingRecord,
    Outcome,
)
from zhifa.cases.selectors import clock_alerts
from zhifa.cases.tests.conftest import (
    at_hearing,
    attach_av,
    days_ago,
    event_kinds,
    hearing_data,
    walk_penalty,
)
from zhifa.cases.tests.test_views import act, page
from zhifa.cases.todos import case_todos
from zhifa.core.calendar import calendar_deadline
from zhifa.ledger.models import Event
from zhifa.org.roles import Role

pytestmark = pytest.mark.django_db


def record(cw, case: Case, login: str = "leader_a", **overrides) -> HearingRecord:
    return services.case_record_hearing(
        acting_user=cw.user(login), case=case, **hearing_data(cw, **overrides)
    )


def refused(cw, case: Case, match: str, login: str = "leader_a", **overrides) -> None:
    """The hearing record is refused with `match`; nothing was written."""
    events = Event.objects.count()
    with pytest.raises(ValidationError, match=match):
        record(cw, case, login, **overrides)
    case.refresh_from_db()
    assert case.step == "hearing" and not case.hearing_held
    assert not HearingRecord.objects.exists()
    assert Event.objects.count() == events


# --- 听证笔录 -------------------------------------------------------------------------------


def test_hearing_record_completes_the_step_with_its_ledger_event(cw):
    case = at_hearing(cw)
    hearing = record(cw, case)
    case.refresh_from_db()
    assert case.step == "legal_review" and case.hearing_held
    assert hearing.presider == cw.staff("reviewer_a") and hearing.public
    assert hearing.recorded_by == cw.user("leader_a")
    move = CaseStepRecord.objects.filter(case=case).last()
    assert (move.from_step, move.to_step) == ("hearing", "legal_review")
    assert event_kinds(case)[-1] == "hearing.recorded"
    event = Event.objects.filter(kind="hearing.recorded").get()
    payload = event.payload
    assert payload["hearing"] == hearing.pk and payload["from"] == "hearing"
    assert payload["notice_served_on"] == days_ago(40).isoformat()
    assert payload["presider"] == cw.staff("reviewer_a").pk
    assert payload["record_sha256"] == services._record_digest(hearing)
    # The statements stay out of the append-only ledger: only their digest is kept.
    assert "从轻处罚" not in str(payload)


def test_generic_move_cannot_complete_the_hearing(cw):
    case = at_hearing(cw)
    with pytest.raises(ValidationError, match=r"须通过“登记听证笔录”办理"):
        services.case_advance(acting_user=cw.user("leader_a"), case=case, to_step="legal_review")


def test_handler_may_not_preside(cw):
    case = at_hearing(cw)
    refused(
        cw,
        case,
        r"本案的承办（调查）人员，不能主持听证.*第六十四条",
        presider=cw.staff("officer_a"),
    )


def test_former_handler_may_not_preside(cw):
    case = at_hearing(cw)
    # The investigators are replaced after the investigation: officer_a investigated.
    services.case_set_handlers(
        acting_user=cw.user("head_a"), case=case, handlers=[cw.staff("officer2_a")]
    )
    refused(cw, case, r"不能主持听证", presider=cw.staff("officer_a"))


def test_presider_and_recorder_of_the_agency(cw):
    case = at_hearing(cw)
    refused(cw, case, r"不是本执法主体在岗人员，不能担任主持人", presider=cw.staff("officer_b"))
    refused(cw, case, r"不能担任记录人", recorder=cw.staff("office_b"))


def test_notice_at_least_seven_working_days_before(cw):
    case = at_hearing(cw)
    notice = days_ago(40)
    earliest = clocks.earliest_hearing_day(notice)
    assert earliest > notice + dt.timedelta(days=7)  # working days, not calendar days
    early = timezone.make_aware(dt.datetime.combine(earliest - dt.timedelta(days=1), dt.time(9)))
    refused(cw, case, rf"最早可于{earliest:%Y年%m月%d日}举行", held_at=early)
    on_time = timezone.make_aware(dt.datetime.combine(earliest, dt.time(9)))
    hearing = record(cw, case, held_at=on_time)
    assert hearing.held_at == on_time


def test_hearing_dates_must_be_past_and_after_the_prior_notice(cw):
    case = at_hearing(cw)
    tomorrow = timezone.now() + dt.timedelta(days=1)
    refused(cw, case, r"听证举行时间不能晚于今天", held_at=tomorrow)
    refused(cw, case, r"送达日期不能晚于今天", notice_served_on=days_ago(-1))
    refused(cw, case, r"早于事先告知日期", notice_served_on=days_ago(46))


def test_closed_hearing_needs_a_lawful_ground_and_a_reason(cw):
    case = at_hearing(cw)
    refused(cw, case, r"国家秘密、商业秘密或者\s*个人隐私", public=False)
    refused(cw, case, r"不公开举行听证的，请写明具体理由", public=False, closed_ground="privacy")
    hearing = record(
        cw, case, public=False, closed_ground="commercial_secret", closed_reason="涉及工艺参数"
    )
    assert not hearing.public and hearing.closed_ground == "commercial_secret"


def test_public_hearing_drops_a_stray_ground(cw):
    case = at_hearing(cw)
    hearing = record(cw, case, public=True, closed_ground="privacy", closed_reason="无")
    assert hearing.closed_ground == "" and hearing.closed_reason == ""


def test_record_must_be_checked_and_signed(cw):
    case = at_hearing(cw)
    refused(cw, case, r"核对无误后签字或者盖章.*第六十四条", signature="")
    hearing = record(cw, case, signature="refused")  # the presider noted the refusal
    assert hearing.get_signature_display().startswith("当事人或其代理人拒绝签字")


def test_required_text_fields(cw):
    case = at_hearing(cw)
    refused(cw, case, r"请填写听证地点", place="  ")
    refused(cw, case, r"参加听证的当事人", participants="")
    refused(cw, case, r"陈述、申辩和质证的要点", statements="")


def test_hearing_needs_its_audio_visual_record(cw):
    officer = cw.user("officer_a")
    case = walk_penalty(cw, "notified", fine=200_000_00)
    case = services.case_record_response(
        acting_user=officer, case=case, requests_hearing=True, received_on=days_ago(44)
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="hearing")
    refused(cw, case, r"须有音像记录")
    attach_av(cw, case, "hearing")
    record(cw, case)


def test_hearing_record_only_at_the_hearing_step(cw):
    case = walk_penalty(cw, "decide")
    with pytest.raises(ValidationError, match=r"只能在“听证”环节办理"):
        record(cw, case)


def test_hearing_record_roles_and_agency(cw):
    case = at_hearing(cw)
    with pytest.raises(PermissionDenied):
        record(cw, case, "office_a")  # 办公室 is not a role of the 听证 step
    with pytest.raises(PermissionDenied, match=r"本执法主体"):
        record(cw, case, "officer_b")
    assert not HearingRecord.objects.exists()


def test_after_the_hearing_the_review_gate_holds(cw):
    case = at_hearing(cw)
    refused(cw, case, r"须经法制审核", next_step="decide")


# --- extending the decision deadline (处罚法 art. 60) ----------------------------------------


def request(cw, case: Case, login: str = "officer_a", reason: str = "需委托检测", **kw):
    return services.case_extension_request(
        acting_user=cw.user(login), case=case, reason=reason, **kw
    )


def decide(cw, case: Case, login: str = "leader_a", approve: bool = True, **kw):
    return services.case_extension_decide(
        acting_user=cw.user(login), case=case, approve=approve, **kw
    )


def late_case(cw) -> Case:
    """A case filed 100 days ago, still at 调查取证: its 90 days ran out 10 days ago."""
    case = walk_penalty(cw, "investigate")
    Case.objects.filter(pk=case.pk).update(filed_on=days_ago(100))
    return Case.objects.get(pk=case.pk)


def decision_clock(case: Case):
    return next(c for c in clocks.case_clocks(case) if c.key == "decision")


def test_extension_approved_moves_the_deadline_and_clears_the_overdue_alert(cw):
    case = late_case(cw)
    today = timezone.localdate()
    assert decision_clock(case).state(today) == "overdue"
    alerts = clock_alerts(user=cw.user("head_a"), today=today)
    assert [a.clock.key for a in alerts if a.case == case] == ["decision"]
    assert any("作出处罚决定已逾期" in item.title for item in case_todos(cw.user("head_a")))

    extension = request(cw, case, on=days_ago(15))
    assert extension.status == ExtensionStatus.PENDING and extension.days == 30
    # The request waits for a 局领导 in 待办.
    assert any("审批延长" in item.title for item in case_todos(cw.user("leader_a")))
    extension = decide(cw, case, on=days_ago(14), opinion="同意")
    case.refresh_from_db()
    assert extension.status == ExtensionStatus.APPROVED and extension.decided_by == cw.user(
        "leader_a"
    )
    assert case.extended and case.extension_reason == "需委托检测"
    clock = decision_clock(case)
    assert clock.days == 120 and clock.label == "作出处罚决定（已延长）"
    assert clock.due == calendar_deadline(days_ago(100), 120).due
    assert clock.state(today) == "running"
    assert not [a for a in clock_alerts(user=cw.user("head_a"), today=today) if a.case == case]
    assert not any("审批延长" in item.title for item in case_todos(cw.user("leader_a")))
    assert event_kinds(case)[-2:] == ["case.extension_requested", "case.extension_approved"]
    approved = Event.objects.get(kind="case.extension_approved")
    assert approved.payload["due"] == clock.due.isoformat()


def test_extension_needs_a_reason(cw):
    case = walk_penalty(cw, "investigate")
    with pytest.raises(ValidationError, match=r"请写明需要延长"):
        request(cw, case, reason="  ")
    assert not DecisionExtension.objects.exists()


def test_only_one_extension_per_case(cw):
    case = walk_penalty(cw, "investigate")
    request(cw, case)
    with pytest.raises(ValidationError, match=r"待审批的延长申请"):
        request(cw, case)
    decide(cw, case)
    with pytest.raises(ValidationError, match=r"只能延长一次"):
        request(cw, case)
    assert DecisionExtension.objects.count() == 1


def test_requester_may_not_approve(cw):
    case = walk_penalty(cw, "investigate")
    cw.user("officer_a").groups.add(Group.objects.get(name=Role.LEADER.value))
    request(cw, case)
    with pytest.raises(ValidationError, match=r"不能审批本人提出的申请"):
        decide(cw, case, login="officer_a")
    case.refresh_from_db()
    assert not case.extended
    assert DecisionExtension.objects.get().status == ExtensionStatus.PENDING


def test_only_a_leader_approves(cw):
    case = walk_penalty(cw, "investigate")
    request(cw, case)
    with pytest.raises(PermissionDenied, match=r"局领导"):
        decide(cw, case, login="head_a")
    case.refresh_from_db()
    assert not case.extended
    assert not Event.objects.filter(kind="case.extension_approved").exists()


def test_only_handlers_or_unit_heads_request(cw):
    case = walk_penalty(cw, "investigate")
    with pytest.raises(PermissionDenied, match=r"本案承办人"):
        request(cw, case, login="reviewer_a")
    with pytest.raises(PermissionDenied, match=r"本执法主体"):
        request(cw, case, login="officer_b")
    assert request(cw, case, login="head_a").requested_by == cw.user("head_a")


def test_decided_case_cannot_be_extended(cw):
    case = walk_penalty(cw, "decided")
    with pytest.raises(ValidationError, match=r"作出决定，不需要也不能再延长"):
        request(cw, case)
    # A request pending when the decision is made cannot be approved afterwards.
    other = walk_penalty(cw, "decide")
    request(cw, other)
    services.case_decide(acting_user=cw.user("leader_a"), case=other, outcome=Outcome.PENALTY)
    with pytest.raises(ValidationError, match=r"作出决定"):
        decide(cw, other)
    decide(cw, other, approve=False, opinion="已作出决定")  # it can still be closed out
    assert DecisionExtension.objects.get(case=other).status == ExtensionStatus.REJECTED


def test_unfiled_or_expired_case_cannot_be_extended(cw):
    with pytest.raises(ValidationError, match=r"尚未立案"):
        request(cw, walk_penalty(cw, "filing"))
    with pytest.raises(ValidationError, match=r"届满后不能再延长"):
        request(cw, late_case(cw))


def test_rejection_needs_a_reason_and_allows_a_new_request(cw):
    case = walk_penalty(cw, "investigate")
    request(cw, case)
    with pytest.raises(ValidationError, match=r"不予批准的，请写明理由"):
        decide(cw, case, approve=False)
    extension = decide(cw, case, approve=False, opinion="理由不充分，请尽快调查终结")
    case.refresh_from_db()
    assert extension.status == ExtensionStatus.REJECTED and not case.extended
    assert event_kinds(case)[-1] == "case.extension_rejected"
    assert decision_clock(case).days == 90
    request(cw, case, reason="补充委托司法鉴定")
    assert DecisionExtension.objects.filter(case=case).count() == 2


def test_decide_without_a_pending_request(cw):
    case = walk_penalty(cw, "investigate")
    with pytest.raises(ValidationError, match=r"没有待审批的延长申请"):
        decide(cw, case)


# --- the pages -----------------------------------------------------------------------------


def hearing_form(cw, **overrides) -> dict:
    data = hearing_data(cw, **overrides)
    return {
        "notice_served_on": data["notice_served_on"].isoformat(),
        "held_at": timezone.localtime(data["held_at"]).strftime("%Y-%m-%dT%H:%M"),
        "place": data["place"],
        "presider": data["presider"].pk,
        "recorder": data["recorder"].pk,
        "participants": data["participants"],
        "public": "1",
        "closed_ground": "",
        "closed_reason": "",
        "statements": data["statements"],
        "signature": data["signature"],
        "next_step": "legal_review",
    }


def test_hearing_through_the_page(cw, client):
    case = at_hearing(cw)
    client.force_login(cw.user("officer_a"))
    html = page(client, case)
    assert reverse("cases:case_hearing", args=[case.pk]) in html
    assert "听证后法制审核" in html
    # The presider is a handler: the form comes back with the law and the input kept.
    url = reverse("cases:case_hearing", args=[case.pk])
    response = client.post(url, hearing_form(cw, presider=cw.staff("officer_a")))
    assert response.status_code == 200
    body = response.content.decode()
    assert "不能主持听证" in body and "第六十四条" in body
    assert "请求从轻处罚" in body and "三楼听证室" in body
    assert not HearingRecord.objects.exists()
    message = act(client, case, "hearing", hearing_form(cw))
    assert "已登记听证笔录" in message and "法制审核" in message
    html = page(client, case)
    assert "听证笔录" in html and "甲县发展改革局三楼听证室" in html
    assert "请求从轻处罚" in html and "公开举行" in html
    hearing = HearingRecord.objects.get()
    assert timezone.localtime(hearing.held_at).time() == dt.time(9, 30)


def test_hearing_record_in_the_legal_review_package(cw, client):
    from zhifa.review import services as review_services

    case = at_hearing(cw)
    record(cw, case)
    review = review_services.review_submit(
        acting_user=cw.user("officer_a"), case=case, proposal="罚款20万元", report="调查终结报告"
    )
    client.force_login(cw.user("reviewer_a"))
    response = client.get(reverse("review:detail", args=[review.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "听证笔录" in html and "请求从轻处罚" in html and "三楼听证室" in html


def test_extension_through_the_pages(cw, client):
    case = walk_penalty(cw, "investigate")
    client.force_login(cw.user("officer_a"))
    html = page(client, case)
    assert reverse("cases:case_extension_request", args=[case.pk]) in html
    response = client.post(reverse("cases:case_extension_request", args=[case.pk]), {})
    assert response.status_code == 200 and "请写明需要延长" in response.content.decode()
    message = act(client, case, "extension_request", {"reason": "需委托第三方检测"})
    assert "待局领导审批" in message
    html = page(client, case)
    assert "待局领导审批" in html and "需委托第三方检测" in html
    assert reverse("cases:case_extension_request", args=[case.pk]) not in html

    client.force_login(cw.user("leader_a"))
    html = page(client, case)
    assert reverse("cases:case_extension_decide", args=[case.pk]) in html
    assert "理由：需委托第三方检测" in html
    message = act(client, case, "extension_decide", {"approve": "1", "opinion": "同意延长"})
    assert "已审批" in message
    case.refresh_from_db()
    assert case.extended
    html = page(client, case)
    due = calendar_deadline(case.filed_on, 120).due
    assert "作出处罚决定（已延长）" in html and "已批准" in html
    assert f"作出处罚决定的期限至<strong>{due:%Y-%m-%d}</strong>" in html
    assert reverse("cases:case_extension_decide", args=[case.pk]) not in html


def test_requester_is_not_offered_the_approval(cw, client):
    case = walk_penalty(cw, "investigate")
    cw.user("officer_a").groups.add(Group.objects.get(name=Role.LEADER.value))
    request(cw, case)
    client.force_login(cw.user("officer_a"))
    assert reverse("cases:case_extension_decide", args=[case.pk]) not in page(client, case)
    response = client.post(reverse("cases:case_extension_decide", args=[case.pk]), {"approve": "1"})
    assert response.status_code == 200
    assert "不能审批本人提出的申请" in response.content.decode()


NEW_URLS = ("case_hearing", "case_extension_request", "case_extension_decide")


def test_other_agency_cannot_reach_the_new_pages(cw, client):
    case = at_hearing(cw)
    request(cw, case, login="officer_a")
    leader_b = make_staff(cw.world.agency_b, "leader_b", Role.LEADER, unit="办公室")
    for login, user in (("officer_b", cw.user("officer_b")), ("leader_b", leader_b.user)):
        client.force_login(user)
        for name in NEW_URLS:
            url = reverse(f"cases:{name}", args=[case.pk])
            assert client.get(url).status_code in (403, 404), (login, url)
            assert client.post(url, hearing_form(cw)).status_code in (403, 404), (login, url)
    client.force_login(leader_b.user)  # a leader, but of the other agency: not found
    url = reverse("cases:case_extension_decide", args=[case.pk])
    assert client.post(url, {"approve": "1"}).status_code == 404
    case.refresh_from_db()
    assert case.step == "hearing" and not case.extended
    assert DecisionExtension.objects.get().status == ExtensionStatus.PENDING


def test_wrong_roles_get_403(cw, client):
    case = at_hearing(cw)
    client.force_login(cw.user("office_a"))  # 办公室: reads the case, records no hearing
    assert client.post(reverse("cases:case_hearing", args=[case.pk]), {}).status_code == 403
    client.force_login(cw.user("head_a"))  # 科室负责人: may request, may not approve
    url = reverse("cases:case_extension_decide", args=[case.pk])
    assert client.post(url, {"approve": "1"}).status_code == 403


def test_anonymous_is_sent_to_login_from_the_new_pages(cw, client):
    case = at_hearing(cw)
    for name in NEW_URLS:
        url = reverse(f"cases:{name}", args=[case.pk])
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
