"""Parties (ID and credit-code validation), scoped selectors, clock alerts and 待办."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhifa.cases import selectors, services
from zhifa.cases.models import Case, PartyKind
from zhifa.cases.tests.conftest import days_ago, person_id, walk_penalty
from zhifa.core import todo
from zhifa.ledger.models import Event


def test_invalid_resident_id_refused(cw):
    bad = person_id()[:-1] + ("0" if person_id()[-1] != "0" else "1")
    with pytest.raises(ValidationError, match=r"公民身份号码.*无效"):
        services.party_create(
            acting_user=cw.user("officer_a"), kind=PartyKind.PERSON, name="王五", id_number=bad
        )


def test_invalid_credit_code_refused(cw):
    with pytest.raises(ValidationError, match=r"统一社会信用代码.*无效"):
        services.party_create(
            acting_user=cw.user("officer_a"),
            kind=PartyKind.ORGANISATION,
            name="某公司",
            credit_code="91130528MA0000000X",
        )


def test_party_ledger_event_carries_no_id_number(cw):
    payloads = [e.payload for e in Event.objects.filter(kind="party.created")]
    assert payloads and all(person_id() not in str(p) for p in payloads)


def test_party_of_other_agency_refused(cw):
    other = services.party_create(
        acting_user=cw.user("officer_b"), kind=PartyKind.PERSON, name="赵六", id_number=person_id(2)
    )
    with pytest.raises(Exception, match=r"当事人不属于本执法主体"):
        services.case_register(
            acting_user=cw.user("officer_a"), item_version=cw.penalty, party=other, title="x"
        )


def test_case_list_scoped_filtered_and_searched(cw):
    case = walk_penalty(cw, "investigate")
    walk_penalty(cw, "clue", party=cw.person)
    officer_a, officer_b = cw.user("officer_a"), cw.user("officer_b")
    assert selectors.case_list(user=officer_a).count() == 2
    assert selectors.case_list(user=officer_b).count() == 0
    assert selectors.case_list(user=cw.user("supervisor")).count() == 2  # county level
    assert list(selectors.case_list(user=officer_a, query=case.number)) == [case]
    assert selectors.case_list(user=officer_a, query="能源").count() == 1
    assert selectors.case_list(user=officer_a, query="张三").count() == 1
    assert selectors.case_list(user=officer_a, kind="licence").count() == 0
    assert selectors.case_list(user=officer_a, status="open").count() == 2
    assert selectors.case_get(user=officer_a, pk=case.pk) == case
    with pytest.raises(Case.DoesNotExist):
        selectors.case_get(user=officer_b, pk=case.pk)


def test_clock_alerts_and_todo(cw):
    # Registered 80 days ago, filed 78 days ago, decision not made: the 90 days end soon.
    case = walk_penalty(cw, "decide")
    alerts = selectors.clock_alerts(user=cw.user("head_a"), today=days_ago(0), within_days=14)
    assert [(a.case, a.clock.key, a.state) for a in alerts] == [(case, "decision", "due_soon")]
    assert selectors.clock_alerts(user=cw.user("officer_b"), today=days_ago(0)) == []

    leader_items = todo.items_for(cw.user("leader_a"))
    assert any(case.number in i.title and "决定" in i.title for i in leader_items)
    assert all(i.url.startswith("/") for i in leader_items)
    assert not any(case.number in i.title for i in todo.items_for(cw.user("officer_b")))
    officer_titles = [i.title for i in todo.items_for(cw.user("officer_a"))]
    assert not any(case.number in t and "：决定" in t for t in officer_titles)


def test_case_list_query_count_is_flat(cw):
    walk_penalty(cw, "clue")
    user = cw.user("officer_a")
    list(selectors.case_list(user=user))  # warm the user's staff and groups
    with CaptureQueriesContext(connection) as one:
        [(c.party.name, c.flow.name) for c in selectors.case_list(user=user)]
    walk_penalty(cw, "clue")
    walk_penalty(cw, "clue")
    with CaptureQueriesContext(connection) as three:
        [(c.party.name, c.flow.name) for c in selectors.case_list(user=user)]
    assert len(one) == len(three)
