"""当场收缴罚款 (处罚法 arts. 68-71): who may collect cash on the spot and on which ground,
the receipt (art. 70), the hand-over to the agency and the banking within 2 working days each
(arts. 71, 85), the clocks and 待办, and no 结案 before the cash is banked."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_staff
from zhifa.cases import clocks, services
from zhifa.cases.clocks import CASH_BANKING, CASH_HANDOVER, case_clocks
from zhifa.cases.models import (
    Case,
    CaseKind,
    CaseStatus,
    CashCollection,
    CashGround,
    Outcome,
    PaymentMethod,
    Procedure,
)
from zhifa.cases.tests.conftest import days_ago, event_kinds, handlers, sha, walk_penalty
from zhifa.cases.todos import case_todos
from zhifa.core import calendar
from zhifa.ledger.models import Event
from zhifa.org.roles import Role

pytestmark = pytest.mark.django_db

D = dt.date


def on_the_spot(cw, fine: int, *, decided_on: dt.date | None = None) -> Case:
    """A 当场处罚 of `fine` (分) on the natural person, waiting at 缴纳罚款."""
    return services.case_simple_penalty(
        acting_user=cw.user("officer_a"),
        item_version=cw.penalty,
        party=cw.person,
        title="占道堆放建筑材料",
        facts="现场检查发现，当事人当场承认。",
        penalty_types=["罚款"],
        fine_amount=fine,
        handlers=handlers(cw),
        av_evidence=[(sha(f"bodycam-{fine}"), "video")],
        decided_on=decided_on or days_ago(3),
    )


def collect(cw, case: Case, amount: int, **extra) -> Case:
    values = {
        "acting_user": cw.user("officer_a"),
        "case": case,
        "amount": amount,
        "paid_on": days_ago(3),
        "method": PaymentMethod.CASH,
        "cash_ground": CashGround.SMALL_FINE,
        "receipt_number": "冀财罚字0012345",
    }
    return services.case_record_payment(**{**values, **extra})


def fresh(case: Case) -> Case:
    return Case.objects.select_related("cash_collection").get(pk=case.pk)


# --- clocks --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_cash_deadlines_across_national_day():
    # Tuesday 30 September 2025: 1-8 October are holidays, so Thursday 9 and Friday 10.
    assert clocks.cash_handover_due(D(2025, 9, 30)) == D(2025, 10, 10)
    # Friday 26 September: the make-up working Sunday 28 September counts, then Monday 29.
    assert clocks.cash_handover_due(D(2025, 9, 26)) == D(2025, 9, 29)
    # An ordinary Thursday: Friday and the next Monday.
    assert clocks.cash_banking_due(D(2025, 11, 13)) == D(2025, 11, 17)


@pytest.mark.django_db
def test_cash_clocks_due_overdue_met():
    case = Case(
        kind=CaseKind.PENALTY,
        procedure=Procedure.SIMPLE,
        decided_on=D(2025, 11, 13),
        outcome=Outcome.PENALTY,
        fine_amount=50_00,
        paid_on=D(2025, 11, 13),
        payment_method=PaymentMethod.CASH,
    )
    cash = CashCollection(case=case, amount=50_00, collected_on=D(2025, 11, 13))
    assert case.cash_collection is cash
    by_key = {c.key: c for c in case_clocks(case)}
    handover = by_key[CASH_HANDOVER]
    assert CASH_BANKING not in by_key  # starts when the agency receives the cash
    assert (handover.due, handover.unit, handover.days) == (D(2025, 11, 17), "working", 2)
    assert "第七十一条" in handover.basis
    assert handover.state(D(2025, 11, 14)) == "due_soon"
    assert handover.state(D(2025, 11, 18)) == "overdue"
    cash.handed_over_on = D(2025, 11, 18)
    by_key = {c.key: c for c in case_clocks(case)}
    assert by_key[CASH_HANDOVER].state(D(2025, 11, 18)) == "met"
    banking = by_key[CASH_BANKING]
    assert (banking.start, banking.due) == (D(2025, 11, 18), D(2025, 11, 20))
    assert banking.state(D(2025, 11, 21)) == "overdue"
    cash.banked_on = D(2025, 11, 20)
    assert {c.key: c for c in case_clocks(case)}[CASH_BANKING].state(D(2025, 12, 1)) == "met"
    # A bank payment has no cash clocks.
    case.payment_method = PaymentMethod.BANK
    assert CASH_HANDOVER not in {c.key for c in case_clocks(case)}


@pytest.mark.django_db
@given(start=st.dates(min_value=D(2024, 1, 1), max_value=D(2026, 12, 1)))
def test_two_working_days_property(start):
    """Both art. 71 deadlines fall on a working day, exactly 2 working days after the start
    (the start not counted), and no earlier day would do."""
    with calendar.year_cache():
        for due in (clocks.cash_handover_due(start), clocks.cash_banking_due(start)):
            assert due > start
            assert calendar.is_working_day(due)
            assert calendar.working_days_between(start, due) == 2
            assert calendar.working_days_between(start, due - dt.timedelta(days=1)) == 1


# --- collecting on the spot ----------------------------------------------------------------


def test_small_fine_collected_handed_over_banked_then_closed(cw):
    officer, office = cw.user("officer_a"), cw.user("office_a")
    case = collect(cw, on_the_spot(cw, 50_00), 50_00)
    assert (case.paid_on, case.payment_method) == (days_ago(3), PaymentMethod.CASH)
    cash = CashCollection.objects.get(case=case)
    assert (cash.receipt_number, cash.amount, cash.collected_by) == (
        "冀财罚字0012345",
        50_00,
        officer,
    )
    paid = Event.objects.filter(kind="case.payment_recorded", subject=f"cases.case:{case.pk}").get()
    assert paid.payload["method"] == "cash" and paid.payload["receipt_number"] == "冀财罚字0012345"
    assert paid.payload["handover_due"] == clocks.cash_handover_due(days_ago(3)).isoformat()

    # Not closable while the cash is with the officer (art. 71).
    case = services.case_advance(acting_user=officer, case=case, to_step="onspot_file")
    with pytest.raises(ValidationError, match=r"尚未交至行政机关并缴付指定银行，不能结案"):
        services.case_advance(acting_user=officer, case=case, to_step="archive")

    cash = services.case_cash_hand_over(
        acting_user=cw.user("officer2_a"), case=case, received_by=cw.staff("office_a"),
        on=days_ago(2),
    )  # fmt: skip
    assert (cash.handed_over_on, cash.received_by) == (days_ago(2), cw.staff("office_a"))
    with pytest.raises(ValidationError, match=r"尚未缴付指定银行，不能结案"):
        services.case_advance(acting_user=officer, case=case, to_step="archive")

    cash = services.case_cash_bank(
        acting_user=office, case=case, voucher_number="NJ20260001", on=days_ago(1)
    )
    assert (cash.banked_on, cash.bank_voucher, cash.banked_by) == (
        days_ago(1),
        "NJ20260001",
        office,
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="archive")
    assert case.status == CaseStatus.CLOSED
    assert event_kinds(case)[-5:] == [
        "case.payment_recorded",
        "case.step",
        "case.cash_handed_over",
        "case.cash_banked",
        "case.step",
    ]
    handed = Event.objects.get(kind="case.cash_handed_over", subject=f"cases.case:{case.pk}")
    assert handed.payload["received_by"] == cw.staff("office_a").pk
    assert handed.payload["late"] is False
    by_key = {c.key: c for c in case_clocks(fresh(case))}
    assert by_key[CASH_HANDOVER].met_on == days_ago(2)
    assert by_key[CASH_BANKING].met_on == days_ago(1)


def test_fine_over_100_without_ground_refused(cw):
    case = on_the_spot(cw, 150_00)
    before = Event.objects.count()
    with pytest.raises(ValidationError) as error:
        collect(cw, case, 150_00, cash_ground="")
    assert "第六十八条" in error.value.message_dict["cash_ground"][0]
    with pytest.raises(ValidationError) as error:
        collect(cw, case, 150_00)  # "100元以下" claimed for a 150元 fine
    message = error.value.message_dict["cash_ground"][0]
    assert "超过100元" in message and "第六十八条第（一）项" in message
    assert Event.objects.count() == before
    case.refresh_from_db()
    assert case.paid_on is None and not CashCollection.objects.filter(case=case).exists()
    # Paid at the bank instead, as art. 67 provides.
    case = services.case_record_payment(
        acting_user=cw.user("officer_a"), case=case, amount=150_00, paid_on=days_ago(3)
    )
    assert case.payment_method == PaymentMethod.BANK
    assert not CashCollection.objects.filter(case=case).exists()


def test_fine_over_100_hard_to_enforce_needs_reason(cw):
    case = on_the_spot(cw, 150_00)
    with pytest.raises(ValidationError) as error:
        collect(cw, case, 150_00, cash_ground=CashGround.HARD_TO_ENFORCE)
    assert "写明具体理由" in error.value.message_dict["cash_reason"][0]
    case = collect(
        cw,
        case,
        150_00,
        cash_ground=CashGround.HARD_TO_ENFORCE,
        cash_reason="当事人系外地流动摊贩，无固定住所，事后难以执行。",
    )
    cash = CashCollection.objects.get(case=case)
    assert cash.ground == CashGround.HARD_TO_ENFORCE and "流动摊贩" in cash.reason


def test_ordinary_procedure_not_under_art_68(cw):
    case = walk_penalty(cw, "served", party=cw.person, fine=50_00)
    assert case.procedure == Procedure.ORDINARY and case.step == "execute"
    for ground in (CashGround.SMALL_FINE, CashGround.HARD_TO_ENFORCE):
        with pytest.raises(ValidationError) as error:
            collect(cw, case, 50_00, cash_ground=ground, cash_reason="理由", paid_on=days_ago(20))
        message = error.value.message_dict["cash_ground"][0]
        assert "第五十一条" in message and "普通程序" in message
    # Art. 69 covers decisions under art. 57 too: a remote area, on the party's application.
    with pytest.raises(ValidationError, match="写明具体理由"):
        collect(cw, case, 50_00, cash_ground=CashGround.REMOTE, paid_on=days_ago(20))
    case = collect(
        cw,
        case,
        50_00,
        cash_ground=CashGround.REMOTE,
        cash_reason="当事人居住在山区，距最近的代收银行40公里，当场提出由执法人员收缴。",
        paid_on=days_ago(20),
    )
    # 结案 waits for the bank (art. 71).
    head = cw.user("head_a")
    case = services.case_advance(acting_user=cw.user("officer_a"), case=case, to_step="close")
    with pytest.raises(ValidationError, match="不能结案"):
        services.case_close(acting_user=head, case=case)
    services.case_cash_hand_over(
        acting_user=cw.user("officer_a"), case=case, received_by=cw.staff("office_a")
    )
    services.case_cash_bank(acting_user=cw.user("office_a"), case=case, voucher_number="V-1")
    assert services.case_close(acting_user=head, case=case).status == CaseStatus.CLOSED


def test_receipt_number_required_and_unique(cw):
    case = on_the_spot(cw, 50_00)
    with pytest.raises(ValidationError) as error:
        collect(cw, case, 50_00, receipt_number="  ")
    assert "第七十条" in error.value.message_dict["receipt_number"][0]
    collect(cw, case, 50_00)
    other = on_the_spot(cw, 80_00)
    with pytest.raises(ValidationError, match="已在本机关其他案件中登记"):
        collect(cw, other, 80_00)


def test_only_the_case_officers_collect(cw):
    world = cw.world
    world.staff["officer3_a"] = make_staff(world.agency_a, "officer3_a", Role.OFFICER)
    case = on_the_spot(cw, 50_00)
    with pytest.raises(PermissionDenied, match="不是本案承办人"):
        collect(cw, case, 50_00, acting_user=cw.user("officer3_a"))
    with pytest.raises(PermissionDenied, match="本执法主体"):
        collect(cw, case, 50_00, acting_user=cw.user("officer_b"))


# --- hand-over and banking -----------------------------------------------------------------


def test_hand_over_only_by_the_case_officers_to_the_office(cw):
    world = cw.world
    world.staff["officer3_a"] = make_staff(world.agency_a, "officer3_a", Role.OFFICER)
    case = collect(cw, on_the_spot(cw, 50_00), 50_00)
    office = cw.staff("office_a")
    with pytest.raises(PermissionDenied, match="只有本案承办的执法人员"):
        services.case_cash_hand_over(
            acting_user=cw.user("officer3_a"), case=case, received_by=office
        )
    with pytest.raises(PermissionDenied, match="本执法主体"):
        services.case_cash_hand_over(
            acting_user=cw.user("officer_b"), case=case, received_by=office
        )
    for not_office in (cw.staff("leader_a"), cw.staff("office_b")):
        with pytest.raises(ValidationError) as error:
            services.case_cash_hand_over(
                acting_user=cw.user("officer_a"), case=case, received_by=not_office
            )
        assert "不是本机关在岗的办公室" in error.value.message_dict["received_by"][0]
    with pytest.raises(ValidationError) as error:
        services.case_cash_hand_over(
            acting_user=cw.user("officer_a"), case=case, received_by=office, on=days_ago(4)
        )
    assert "不能早于收缴日期" in error.value.message_dict["on"][0]
    assert CashCollection.objects.get(case=case).handed_over_on is None
    # Late (collected 3 days ago, handed over today): recorded, with the delay.
    services.case_cash_hand_over(acting_user=cw.user("officer_a"), case=case, received_by=office)
    handed = Event.objects.get(kind="case.cash_handed_over", subject=f"cases.case:{case.pk}")
    assert handed.payload["late"] is (days_ago(0) > clocks.cash_handover_due(days_ago(3)))
    with pytest.raises(ValidationError, match="不能重复登记"):
        services.case_cash_hand_over(
            acting_user=cw.user("officer_a"), case=case, received_by=office
        )


def test_banking_only_after_hand_over_by_the_office(cw):
    case = collect(cw, on_the_spot(cw, 50_00), 50_00)
    office = cw.user("office_a")
    with pytest.raises(ValidationError, match="尚未交至行政机关，不能缴付银行"):
        services.case_cash_bank(acting_user=office, case=case, voucher_number="V-1")
    services.case_cash_hand_over(
        acting_user=cw.user("officer_a"), case=case, received_by=cw.staff("office_a"),
        on=days_ago(2),
    )  # fmt: skip
    with pytest.raises(PermissionDenied, match="办公室"):
        services.case_cash_bank(acting_user=cw.user("officer_a"), case=case, voucher_number="V")
    with pytest.raises(PermissionDenied, match="本执法主体"):
        services.case_cash_bank(acting_user=cw.user("office_b"), case=case, voucher_number="V")
    with pytest.raises(ValidationError) as error:
        services.case_cash_bank(acting_user=office, case=case, voucher_number=" ")
    assert error.value.message_dict["voucher_number"]
    with pytest.raises(ValidationError) as error:
        services.case_cash_bank(acting_user=office, case=case, voucher_number="V", on=days_ago(3))
    assert "不能早于交至行政机关的日期" in error.value.message_dict["on"][0]
    assert CashCollection.objects.get(case=case).banked_on is None
    services.case_cash_bank(acting_user=office, case=case, voucher_number="V-1")
    with pytest.raises(ValidationError, match="不能重复登记"):
        services.case_cash_bank(acting_user=office, case=case, voucher_number="V-2")


def test_no_cash_nothing_to_hand_over(cw):
    case = on_the_spot(cw, 50_00)
    services.case_record_payment(
        acting_user=cw.user("officer_a"), case=case, amount=50_00, paid_on=days_ago(3)
    )
    with pytest.raises(ValidationError, match="没有当场收缴的罚款"):
        services.case_cash_hand_over(
            acting_user=cw.user("officer_a"), case=case, received_by=cw.staff("office_a")
        )


def test_todos_of_officer_and_office(cw):
    case = collect(cw, on_the_spot(cw, 50_00, decided_on=days_ago(10)), 50_00, paid_on=days_ago(10))
    officer_items = [i for i in case_todos(cw.user("officer_a")) if "当场收缴" in i.title]
    assert len(officer_items) == 1
    assert "交至行政机关（已逾期）" in officer_items[0].title
    assert officer_items[0].level == "danger" and "冀财罚字0012345" in officer_items[0].detail
    assert not [i for i in case_todos(cw.user("office_a")) if "当场收缴" in i.title]
    assert not [i for i in case_todos(cw.user("officer_b")) if "当场收缴" in i.title]

    services.case_cash_hand_over(
        acting_user=cw.user("officer_a"), case=case, received_by=cw.staff("office_a")
    )
    assert not [i for i in case_todos(cw.user("officer_a")) if "当场收缴" in i.title]
    office_items = [i for i in case_todos(cw.user("office_a")) if "当场收缴" in i.title]
    assert len(office_items) == 1 and "缴付指定银行" in office_items[0].title
    assert office_items[0].due == clocks.cash_banking_due(days_ago(0))
    assert not [i for i in case_todos(cw.user("office_b")) if "当场收缴" in i.title]
    services.case_cash_bank(acting_user=cw.user("office_a"), case=case, voucher_number="V-1")
    assert not [i for i in case_todos(cw.user("office_a")) if "当场收缴" in i.title]


# --- the pages -----------------------------------------------------------------------------


def _url(key: str, case: Case) -> str:
    return reverse(f"cases:case_{key}", args=[case.pk])


def test_pages_collect_hand_over_and_bank(cw, login):
    case = on_the_spot(cw, 50_00)
    client = login(cw.user("officer_a"))
    detail = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "当场收缴的情形" in detail and "罚款收据号码" in detail
    response = client.post(
        _url("payment", case),
        {"amount": "50", "method": "cash", "cash_ground": "small_fine", "receipt_number": "R-9"},
    )
    assert response.status_code == 302
    detail = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "当场收缴的罚款交至行政机关" in detail and "R-9" in detail
    assert "接收人（办公室）" in detail  # the hand-over form is offered to the handler
    office = cw.staff("office_a")
    response = client.post(_url("cash_hand_over", case), {"received_by": office.pk})
    assert response.status_code == 302
    # The office banks it; the officer may not.
    assert client.get(_url("cash_bank", case)).status_code == 403
    office_client = login(cw.user("office_a"))
    detail = office_client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "银行缴款凭证号" in detail and "缴付指定银行" in detail
    response = office_client.post(_url("cash_bank", case), {"voucher_number": "NJ-1"})
    assert response.status_code == 302
    cash = CashCollection.objects.get(case=case)
    assert cash.handed_over_on and cash.banked_on and cash.bank_voucher == "NJ-1"


def test_payment_form_keeps_input_on_refusal(cw, login):
    case = on_the_spot(cw, 150_00)
    client = login(cw.user("officer_a"))
    response = client.post(
        _url("payment", case),
        {
            "amount": "150",
            "method": "cash",
            "cash_ground": "",
            "cash_reason": "当事人称身上只有现金",
            "receipt_number": "冀财罚字0099999",
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "第六十八条" in body and "请改为银行/电子缴纳" in body
    assert 'value="冀财罚字0099999"' in body and "当事人称身上只有现金" in body
    assert re.search(r'<input type="radio" name="method" value="cash"[^>]*checked', body)
    assert Case.objects.get(pk=case.pk).paid_on is None


def test_cash_pages_permissions(cw, login):
    case = collect(cw, on_the_spot(cw, 50_00), 50_00)
    # Another agency: 404, whatever the role.
    assert login(cw.user("officer_b")).get(_url("cash_hand_over", case)).status_code == 404
    assert login(cw.user("office_b")).post(_url("cash_bank", case), {}).status_code == 404
    # Wrong role: 403.
    assert login(cw.user("office_a")).get(_url("cash_hand_over", case)).status_code == 403
    assert login(cw.user("leader_a")).get(_url("cash_bank", case)).status_code == 403
    # An officer of the agency who does not handle the case: the service refuses (403).
    cw.world.staff["officer3_a"] = make_staff(cw.world.agency_a, "officer3_a", Role.OFFICER)
    client = login(cw.user("officer3_a"))
    response = client.post(_url("cash_hand_over", case), {"received_by": cw.staff("office_a").pk})
    assert response.status_code == 403
    assert CashCollection.objects.get(case=case).handed_over_on is None


def test_anonymous_is_sent_to_login_from_the_cash_pages(cw, client):
    case = collect(cw, on_the_spot(cw, 50_00), 50_00)
    for key in ("cash_hand_over", "cash_bank"):
        url = _url(key, case)
        for response in (client.get(url), client.post(url, {})):
            assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert CashCollection.objects.get(case=case).handed_over_on is None
