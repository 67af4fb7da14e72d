"""追责时效 (处罚法 art. 36) at 立案 and 回避 (art. 43): every rule of the services, refused
calls leaving nothing behind, the 待办, and the case pages (scoping, roles, errors that keep the
input)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.factories import make_certificate, make_staff
from zhifa.cases import services
from zhifa.cases.clocks import limitation_ends
from zhifa.cases.models import Case, CaseStatus, Outcome, Recusal, RecusalStatus
from zhifa.cases.tests.conftest import (
    at_hearing,
    attach_av,
    days_ago,
    event_kinds,
    handlers,
    hearing_data,
    walk_penalty,
)
from zhifa.cases.tests.test_views import act, page
from zhifa.cases.todos import case_todos
from zhifa.ledger.models import Event
from zhifa.org.roles import Role

pytestmark = pytest.mark.django_db


def years_ago(years: int, days: int = 0) -> dt.date:
    """The same day `years` years before today (minus `days`)."""
    today = days_ago(0)
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - dt.timedelta(days=days)


def clue(cw, violation_on, *, registered_on=None, at: str = "filing", **violation) -> Case:
    """A clue registered `registered_on` (default today) with the violation's facts, moved to
    立案审批 unless `at` is "clue"."""
    officer = cw.user("officer_a")
    case = services.case_register(
        acting_user=officer,
        item_version=cw.penalty,
        party=cw.org,
        title="未依法办理核准手续擅自开工建设",
        registered_on=registered_on or days_ago(0),
        violation_on=violation_on,
        **violation,
    )
    if at == "filing":
        case = services.case_advance(acting_user=officer, case=case, to_step="filing")
    return case


def file(cw, case: Case) -> Case:
    return services.case_file(acting_user=cw.user("leader_a"), case=case, handlers=handlers(cw))


def refused_filing(cw, case: Case, match: str) -> None:
    events = Event.objects.count()
    with pytest.raises(ValidationError, match=match):
        file(cw, case)
    case.refresh_from_db()
    assert case.step == "filing" and not case.number and case.filed_on is None
    assert Event.objects.count() == events


# --- 追责时效 ------------------------------------------------------------------------------


def test_clue_records_the_violation_in_the_case_and_the_ledger(cw):
    case = clue(cw, years_ago(1), at="clue", harms_safety=True)
    assert case.violation_on == years_ago(1) and case.harms_safety
    event = Event.objects.get(kind="case.registered")
    assert event.payload["violation_on"] == years_ago(1).isoformat()
    assert event.payload["harms_safety"] is True


@pytest.mark.parametrize(
    ("violation", "field"),
    [
        ({"violation_on": days_ago(-1)}, "violation_on"),  # after discovery (today)
        ({"violation_on": days_ago(9), "violation_ended_on": days_ago(5)}, "violation_ended_on"),
        (
            {"violation_on": days_ago(9), "violation_continuing": True,
             "violation_ended_on": days_ago(10)},
            "violation_ended_on",
        ),  # ends before it began
        (
            {"violation_on": days_ago(9), "violation_continuing": True,
             "violation_ended_on": days_ago(-1)},
            "violation_ended_on",
        ),  # ends in the future
        ({"violation_on": None, "violation_continuing": True}, "violation_on"),
    ],
)  # fmt: skip
def test_register_refuses_inconsistent_violation_facts(cw, violation, field):
    with pytest.raises(ValidationError) as error:
        services.case_register(
            acting_user=cw.user("officer_a"),
            item_version=cw.penalty,
            party=cw.org,
            title="擅自开工建设",
            **violation,
        )
    assert field in error.value.message_dict
    assert not Case.objects.exists() and not Event.objects.filter(kind="case.registered").exists()


def test_filing_a_time_barred_clue_is_refused_and_not_filing_is_the_way(cw):
    # Occurred 2 years and 1 day before it was discovered (registered) today.
    occurred = years_ago(2, days=1)
    case = clue(cw, occurred)
    ends = (
        occurred.replace(year=occurred.year + 2)
        if occurred.month * 100 + occurred.day != 229
        else None
    )
    refused_filing(cw, case, "已超过追责时效")
    with pytest.raises(ValidationError) as error:
        file(cw, case)
    message = error.value.messages[0]
    assert f"{occurred:%Y年%m月%d日}" in message and "《行政处罚法》第三十六条" in message
    assert f"{days_ago(0):%Y年%m月%d日}" in message and "不予立案" in message
    if ends:
        assert f"{ends:%Y年%m月%d日}" in message
    # 不予立案 (the flow's branch from 立案审批) with its reason.
    case = services.case_advance(
        acting_user=cw.user("leader_a"),
        case=case,
        to_step="no_filing",
        reason="违法行为已超过二年追责时效（《行政处罚法》第三十六条），不予立案。",
    )
    assert case.outcome == Outcome.NOT_FILED and case.step == "no_filing"


def test_filing_on_the_last_day_of_the_period_is_allowed(cw):
    case = clue(cw, years_ago(2))  # discovered today, exactly 2 years on
    case = file(cw, case)
    assert case.step == "investigate" and case.number


def test_five_years_where_life_health_or_financial_safety_was_harmed(cw):
    refused_filing(cw, clue(cw, years_ago(3)), "2年追责时效")
    case = file(cw, clue(cw, years_ago(3), harms_safety=True))
    assert case.step == "investigate"
    barred = clue(cw, years_ago(5, days=1), harms_safety=True)
    refused_filing(cw, barred, "5年追责时效（涉及公民生命健康安全、金融安全且有危害后果）")


def test_continuing_violation_runs_from_its_end(cw):
    started = years_ago(6)
    ended_late = clue(cw, started, violation_continuing=True, violation_ended_on=years_ago(1))
    assert file(cw, ended_late).step == "investigate"
    still_going = clue(cw, started, violation_continuing=True)
    assert file(cw, still_going).step == "investigate"
    ended_early = clue(cw, started, violation_continuing=True, violation_ended_on=years_ago(3))
    refused_filing(cw, ended_early, f"于{years_ago(3):%Y年%m月%d日}终了")


def test_filing_needs_the_violation_date_which_can_be_entered_before_filing(cw):
    case = clue(cw, None)  # an old-style clue without the date
    refused_filing(cw, case, "尚未登记违法行为发生日期")
    leader = cw.user("leader_a")
    case = services.case_record_violation(acting_user=leader, case=case, occurred_on=years_ago(3))
    event = Event.objects.filter(kind="case.violation_recorded").get()
    assert event.payload["time_barred"] is True
    refused_filing(cw, case, "已超过追责时效")
    # Corrected: it was a continuing violation that ended a year ago.
    case = services.case_record_violation(
        acting_user=leader,
        case=case,
        occurred_on=years_ago(3),
        continuing=True,
        ended_on=years_ago(1),
    )
    assert file(cw, case).step == "investigate"
    assert event_kinds(case).count("case.violation_recorded") == 2


def test_violation_facts_cannot_change_after_filing_or_by_outsiders(cw):
    case = walk_penalty(cw, "investigate")
    with pytest.raises(ValidationError, match="只能在"):
        services.case_record_violation(
            acting_user=cw.user("leader_a"), case=case, occurred_on=days_ago(200)
        )
    fresh = clue(cw, days_ago(100), at="clue")
    with pytest.raises(PermissionDenied, match="承办人或负责人"):
        services.case_record_violation(  # officer2_a does not handle the clue
            acting_user=cw.user("officer2_a"), case=fresh, occurred_on=days_ago(50)
        )
    with pytest.raises(PermissionDenied):
        services.case_record_violation(
            acting_user=cw.user("officer_b"), case=fresh, occurred_on=days_ago(50)
        )
    fresh.refresh_from_db()
    assert fresh.violation_on == days_ago(100)


# --- 回避 ----------------------------------------------------------------------------------


@pytest.fixture
def staff3(cw):
    """A third certified officer (the replacement), an uncertified one, and a second leader."""
    a = cw.world.agency_a
    cw.world.staff["officer3_a"] = make_staff(a, "officer3_a", Role.OFFICER, real_name="王三")
    make_certificate(cw.world.staff["officer3_a"], "A-003", "发展改革")
    cw.world.staff["rookie_a"] = make_staff(a, "rookie_a", Role.OFFICER, real_name="新人")
    cw.world.staff["leader2_a"] = make_staff(a, "leader2_a", Role.LEADER, unit="办公室")
    make_certificate(cw.world.staff["leader2_a"], "A-009", "发展改革")
    return cw


def apply(cw, case, handler="officer2_a", login="officer_a", kind="party", **extra) -> Recusal:
    data = {"reason": "当事人称承办人刘某系其法定代表人的表弟。", **extra}
    return services.case_recusal_apply(
        acting_user=cw.user(login), case=case, handler=cw.staff(handler), kind=kind, **data
    )


def decide(cw, case, recusal, login="leader_a", grant=True, replacements=("officer3_a",), **kw):
    return services.case_recusal_decide(
        acting_user=cw.user(login),
        case=case,
        recusal=recusal,
        grant=grant,
        replacements=[cw.staff(r) for r in replacements],
        **kw,
    )


def handler_logins(case: Case) -> set[str]:
    return set(case.handlers.values_list("user__username", flat=True))


def test_party_application_granted_replaces_the_handler_and_investigation_goes_on(staff3):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    recusal = apply(cw, case)
    assert recusal.status == RecusalStatus.PENDING and recusal.requested_on == days_ago(0)
    event = Event.objects.filter(kind="case.recusal_applied").get()
    assert event.payload["handler"] == cw.staff("officer2_a").pk
    assert event.payload["kind"] == "party" and "表弟" in event.payload["reason"]
    # 决定作出之前，不停止调查: evidence and the move to 调查终结 still work.
    attach_av(cw, case, "investigate")
    case = services.case_advance(acting_user=cw.user("officer_a"), case=case, to_step="report")
    assert case.step == "report"

    recusal = decide(cw, case, recusal, opinion="经审查，申请理由成立。")
    assert recusal.status == RecusalStatus.GRANTED and recusal.decided_by == cw.user("leader_a")
    assert list(recusal.replacements.all()) == [cw.staff("officer3_a")]
    assert handler_logins(case) == {"officer_a", "officer3_a"}
    event = Event.objects.filter(kind="case.recusal_decided").get()
    assert event.payload["granted"] is True
    assert set(event.payload["handlers"]) == {cw.staff("officer_a").pk, cw.staff("officer3_a").pk}
    assert event_kinds(case)[-1] == "case.recusal_decided"
    # The recused officer cannot be made a handler again.
    with pytest.raises(ValidationError, match="经局领导决定回避"):
        services.case_set_handlers(
            acting_user=cw.user("head_a"),
            case=case,
            handlers=[cw.staff("officer_a"), cw.staff("officer2_a")],
        )


def _unchanged(case: Case, recusal: Recusal, events: int) -> None:
    recusal.refresh_from_db()
    assert recusal.status == RecusalStatus.PENDING and recusal.decided_by is None
    assert handler_logins(case) == {"officer_a", "officer2_a"}
    assert Event.objects.count() == events


def test_granting_must_leave_two_certified_handlers(staff3):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    recusal = apply(cw, case)
    events = Event.objects.count()
    with pytest.raises(ValidationError, match="第四十二条") as error:
        decide(cw, case, recusal, replacements=())
    assert "replacements" in error.value.message_dict
    _unchanged(case, recusal, events)
    with pytest.raises(ValidationError, match="新人"):  # no certificate
        decide(cw, case, recusal, replacements=("rookie_a",))
    _unchanged(case, recusal, events)
    with pytest.raises(ValidationError, match="不能作为替换的承办人"):
        decide(cw, case, recusal, replacements=("officer2_a",))
    _unchanged(case, recusal, events)


def test_application_refusals(staff3):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    with pytest.raises(ValidationError) as error:
        apply(cw, case, reason="   ")
    assert "第四十三条" in error.value.message_dict["reason"][0]
    with pytest.raises(ValidationError) as error:
        apply(cw, case, handler="officer3_a")  # not a handler
    assert "不是本案承办人" in error.value.message_dict["handler"][0]
    with pytest.raises(ValidationError) as error:
        apply(cw, case, kind="declared")  # officer_a declaring for officer2_a
    assert "本人" in error.value.message_dict["kind"][0]
    with pytest.raises(PermissionDenied):
        apply(cw, case, login="officer3_a")  # neither a handler nor a head
    with pytest.raises(PermissionDenied):
        apply(cw, case, login="officer_b")  # another agency
    assert not Recusal.objects.exists()
    assert "case.recusal_applied" not in event_kinds(case)
    apply(cw, case, handler="officer2_a", login="officer2_a", kind="declared")
    with pytest.raises(ValidationError, match="不能重复申请"):
        apply(cw, case)
    assert Recusal.objects.count() == 1


def test_decision_refusals(staff3):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    services.case_set_handlers(
        acting_user=cw.user("head_a"),
        case=case,
        handlers=[*handlers(cw), cw.staff("leader2_a")],
    )
    recusal = apply(cw, case, handler="leader2_a", login="leader2_a", kind="declared")
    with pytest.raises(PermissionDenied, match="局领导"):
        decide(cw, case, recusal, login="head_a")
    with pytest.raises(ValidationError, match="不能对本人的回避作出决定"):
        decide(cw, case, recusal, login="leader2_a", replacements=())
    with pytest.raises(ValidationError) as error:
        decide(cw, case, recusal, grant=False, replacements=())
    assert "opinion" in error.value.message_dict
    recusal.refresh_from_db()
    assert recusal.status == RecusalStatus.PENDING
    # Refused with a reason: the handlers stay; the decision cannot be made twice.
    recusal = decide(cw, case, recusal, grant=False, replacements=(), opinion="理由不成立。")
    assert recusal.status == RecusalStatus.REJECTED
    assert handler_logins(case) == {"officer_a", "officer2_a", "leader2_a"}
    with pytest.raises(ValidationError, match="不能重复决定"):
        decide(cw, case, recusal, replacements=())
    # Granted: three certified handlers less one is still two, no replacement needed.
    second = apply(cw, case, handler="leader2_a", login="officer_a", reason="当事人再次申请。")
    decide(cw, case, second, replacements=())
    assert handler_logins(case) == {"officer_a", "officer2_a"}


def test_closed_case_refuses_application_and_decision(staff3):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    recusal = apply(cw, case)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(ValidationError, match="已办结"):
        apply(cw, case, handler="officer_a")
    with pytest.raises(ValidationError, match="已办结"):
        decide(cw, case, recusal)
    recusal.refresh_from_db()
    assert recusal.status == RecusalStatus.PENDING


def test_recused_handler_still_may_not_preside_the_hearing(staff3):
    cw = staff3
    case = at_hearing(cw)
    decide(cw, case, apply(cw, case))
    assert "officer2_a" not in handler_logins(case)
    for presider in ("officer2_a", "officer3_a"):  # recused, and the replacement
        with pytest.raises(ValidationError, match="不能主持听证"):
            services.case_record_hearing(
                acting_user=cw.user("leader_a"),
                case=case,
                **hearing_data(cw, presider=cw.staff(presider)),
            )
    services.case_record_hearing(acting_user=cw.user("leader_a"), case=case, **hearing_data(cw))


def test_pending_recusals_are_in_the_leaders_todo(staff3):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    apply(cw, case)
    titles = [item.title for item in case_todos(cw.user("leader_a"))]
    assert any("作出回避决定" in t for t in titles)
    assert not any("回避" in item.title for item in case_todos(cw.user("officer_a")))
    # A leader is not asked to decide his own recusal.
    services.case_set_handlers(
        acting_user=cw.user("head_a"), case=case, handlers=[*handlers(cw), cw.staff("leader2_a")]
    )
    Recusal.objects.all().delete()
    apply(cw, case, handler="leader2_a", login="leader2_a", kind="declared")
    assert not any("回避" in i.title for i in case_todos(cw.user("leader2_a")))
    assert any("回避" in i.title for i in case_todos(cw.user("leader_a")))


# --- the pages -----------------------------------------------------------------------------


def test_clue_form_requires_the_date_and_keeps_input(cw, client):
    client.force_login(cw.user("officer_a"))
    url = reverse("cases:clue_create")
    data = {"item_version": cw.penalty.pk, "party": cw.org.pk, "title": "擅自开工建设甲"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "第三十六条" in response.context["form"].errors["violation_on"][0]
    response = client.post(
        url, {**data, "violation_on": days_ago(30).isoformat(), "violation_ended_on": days_ago(3)}
    )
    assert response.status_code == 200  # the service's error, on its field
    assert "连续或者继续状态" in response.context["form"].errors["violation_ended_on"][0]
    html = response.content.decode()
    assert "擅自开工建设甲" in html and days_ago(30).isoformat() in html
    assert not Case.objects.exists()
    response = client.post(url, {**data, "violation_on": days_ago(30).isoformat()})
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.violation_on == days_ago(30)
    html = page(client, case)
    ends = limitation_ends(days_ago(30))
    assert "在追责时效内" in html and "违法行为发生日期" in html
    assert f"2年，至{ends.isoformat()}届满" in html


def test_file_page_refuses_a_time_barred_clue_keeping_input(cw, client):
    case = clue(cw, years_ago(4))
    client.force_login(cw.user("leader_a"))
    html = page(client, case)
    assert "已超过追责时效" in html and "登记违法行为发生时间" in html
    staff = [cw.staff("officer_a").pk, cw.staff("officer2_a").pk]
    url = reverse("cases:case_file", args=[case.pk])
    response = client.post(url, {"handlers": staff, "opinion": "拟同意立案调查"})
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert "第三十六条" in errors[0] and "不予立案" in errors[0]
    html = response.content.decode()
    assert "拟同意立案调查" in html
    for pk in staff:
        assert re.search(rf'<input[^>]*value="{pk}"[^>]*checked', html)
    case.refresh_from_db()
    assert case.step == "filing"
    # Corrected on the page (it was continuing until last month): filed.
    message = act(
        client,
        case,
        "violation",
        {
            "violation_on": years_ago(4).isoformat(),
            "violation_continuing": "on",
            "violation_ended_on": days_ago(30).isoformat(),
        },
    )
    assert "追责时效已重新计算" in message
    assert "已立案" in act(client, case, "file", {"handlers": staff})


def test_recusal_pages(staff3, client):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    apply_url = reverse("cases:case_recusal_apply", args=[case.pk])
    decide_url = reverse("cases:case_recusal_decide", args=[case.pk])
    client.force_login(cw.user("officer_a"))
    assert "申请回避" in page(client, case)
    officer2 = cw.staff("officer2_a").pk
    response = client.post(apply_url, {"kind": "party", "handler": officer2, "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert f'value="{officer2}" selected' in response.content.decode()
    # Naming someone who is not a handler is not even offered by the form.
    response = client.post(
        apply_url, {"kind": "party", "handler": cw.staff("officer3_a").pk, "reason": "理由"}
    )
    assert response.status_code == 200 and response.context["form"].errors["handler"]
    assert "待局领导决定" in act(
        client, case, "recusal_apply", {"kind": "party", "handler": officer2, "reason": "系亲属"}
    )
    html = page(client, case)
    assert 'id="recusals"' in html and "系亲属" in html and "待局领导决定" in html
    assert client.post(decide_url, {}).status_code == 403  # an officer may not decide

    client.force_login(cw.user("officer_b"))
    assert client.get(decide_url).status_code == 403  # another agency's officer: no role
    client.force_login(cw.user("leader_a"))
    assert "作出回避决定" in page(client, case)
    recusal = Recusal.objects.get()
    response = client.post(decide_url, {"recusal": recusal.pk, "grant": "1", "opinion": "同意"})
    assert response.status_code == 200  # no replacement: refused, input kept
    assert "第四十二条" in response.context["form"].errors["replacements"][0]
    assert "同意" in response.content.decode()
    message = act(
        client,
        case,
        "recusal_decide",
        {"recusal": recusal.pk, "grant": "1", "replacements": [cw.staff("officer3_a").pk]},
    )
    assert "已作出回避决定" in message
    html = page(client, case)
    assert "决定回避" in html and "替换承办人：王三" in html and "回避决定" in html
    client.logout()
    assert client.get(decide_url).status_code == 302


def test_other_agency_leader_gets_404(staff3, client):
    cw = staff3
    case = walk_penalty(cw, "investigate")
    apply(cw, case)
    leader_b = make_staff(cw.world.agency_b, "leader_b", Role.LEADER, unit="办公室")
    client.force_login(leader_b.user)
    for key in ("recusal_decide", "recusal_apply", "violation"):
        url = reverse(f"cases:case_{key}", args=[case.pk])
        assert client.get(url).status_code == 404
        assert client.post(url, {}).status_code == 404
    assert not any("回避" in i.title for i in case_todos(leader_b.user))


def test_recused_at_the_clue_stage_counts_as_a_former_investigator(staff3):
    cw = staff3
    case = clue(cw, days_ago(40), at="clue")  # the registrant officer_a is its only handler
    recusal = apply(cw, case, handler="officer_a", kind="declared", reason="系当事人股东。")
    decide(cw, case, recusal, replacements=("officer2_a",))  # not filed: one handler is enough
    assert handler_logins(case) == {"officer2_a"}
    # No event lists officer_a as a handler, yet he may not preside a hearing of this case.
    assert cw.staff("officer_a").pk in services._investigators(case)
