"""Case fixtures on top of the root `world`: a second certified officer and a unit head in
agency A, an approved penalty item and an approved licence item of agency A, numbering
patterns, parties, and a helper that walks a penalty case to a given step."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.factories import credit_code, make_certificate, make_staff
from zhifa.cases import services
from zhifa.cases.models import Case, MediaKind, Outcome, PartyKind
from zhifa.catalog.models import (
    DocumentKind,
    EnforcementItem,
    EnforcementItemVersion,
    FlowDefinition,
    ItemKind,
    NumberingPattern,
    VersionStatus,
)
from zhifa.core.codes import resident_id_check_char
from zhifa.org.models import EnforcementArea, Unit
from zhifa.org.roles import Role

PATTERNS = {
    DocumentKind.FILING_APPROVAL: "甲发改立〔{year}〕{seq}号",
    DocumentKind.PENALTY_DECISION: "甲发改罚〔{year}〕{seq}号",
    DocumentKind.NO_PENALTY_DECISION: "甲发改不罚〔{year}〕{seq}号",
    DocumentKind.ON_SPOT_DECISION: "甲发改简罚〔{year}〕{seq}号",
    DocumentKind.ACCEPTANCE: "甲发改受〔{year}〕{seq}号",
    DocumentKind.NON_ACCEPTANCE: "甲发改不受〔{year}〕{seq}号",
    DocumentKind.LICENCE_GRANT: "甲发改许〔{year}〕{seq}号",
    DocumentKind.LICENCE_REFUSAL: "甲发改不许〔{year}〕{seq}号",
}


def person_id(serial: int = 1) -> str:
    first17 = f"13052819900101{serial:03d}"
    return first17 + resident_id_check_char(first17)


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def event_kinds(case: Case) -> list[str]:
    """The kinds of the case's ledger events, in order."""
    from zhifa.ledger.models import Event

    events = Event.objects.filter(subject=f"cases.case:{case.pk}").order_by("seq")
    return list(events.values_list("kind", flat=True))


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def _version(world, code: str, kind: str, flow: str, area) -> EnforcementItemVersion:
    a = world.agency_a
    item = EnforcementItem.objects.create(agency=a, code=code)
    version = EnforcementItemVersion.objects.create(
        item=item,
        number=1,
        name=f"事项{code}",
        kind=kind,
        unit=Unit.objects.get(agency=a, name="执法科"),
        duties="职责",
        powers="权限",
        discretion=[],
        area=area,
        flow=FlowDefinition.objects.get(code=flow),
        status=VersionStatus.APPROVED,
        created_by=world.user("office_a"),
        approved_by=world.user("leader_a"),
        approved_at=timezone.now(),
    )
    item.current_version = version
    item.save()
    return version


@dataclass
class CaseWorld:
    world: object
    penalty: EnforcementItemVersion
    licence: EnforcementItemVersion
    person: object
    org: object

    def user(self, login: str):
        return self.world.user(login)

    def staff(self, login: str):
        return self.world.staff[login]


@pytest.fixture
def cw(world) -> CaseWorld:
    a = world.agency_a
    world.staff["officer2_a"] = make_staff(a, "officer2_a", Role.OFFICER)
    make_certificate(world.staff["officer2_a"], "A-002", "发展改革")
    world.staff["head_a"] = make_staff(a, "head_a", Role.UNIT_HEAD)
    for kind, pattern in PATTERNS.items():
        NumberingPattern.objects.create(agency=a, kind=kind, pattern=pattern)
    area = EnforcementArea.objects.get(name="发展改革")
    penalty = _version(world, "CF-001", ItemKind.PENALTY, "penalty.ordinary", area)
    licence = _version(world, "XK-001", ItemKind.LICENCE, "licence", None)
    person = services.party_create(
        acting_user=world.user("officer_a"),
        kind=PartyKind.PERSON,
        name="张三",
        id_number=person_id(),
        phone="13800000000",
        address="甲县某村",
    )
    org = services.party_create(
        acting_user=world.user("officer_a"),
        kind=PartyKind.ORGANISATION,
        name="甲县某某能源有限公司",
        credit_code=credit_code(77),
        legal_representative="李四",
    )
    return CaseWorld(world, penalty, licence, person, org)


def attach_av(cw: CaseWorld, case: Case, step: str) -> None:
    services.case_evidence_attach(
        acting_user=cw.user("officer_a"),
        case=case,
        step=step,
        sha256=sha(f"{case.pk}-{step}"),
        media_kind=MediaKind.VIDEO,
    )


def handlers(cw: CaseWorld):
    return [cw.staff("officer_a"), cw.staff("officer2_a")]


# Dates of a case walked through the past, so that every window has closed by today.
START = 80


def walk_penalty(cw: CaseWorld, until: str, *, party=None, fine: int = 5_000_00) -> Case:
    """Carry a penalty case through its steps up to (and including reaching) `until`."""
    officer, head, leader = cw.user("officer_a"), cw.user("head_a"), cw.user("leader_a")
    case = services.case_register(
        acting_user=officer,
        item_version=cw.penalty,
        party=party or cw.org,
        title="未依法办理核准手续擅自开工建设",
        source="监督检查",
        registered_on=days_ago(START),
        violation_on=days_ago(START + 30),
    )
    order = ["clue", "filing", "investigate", "report", "prior_notice", "notified", "decide"]
    order += ["decided", "serve", "served", "paid", "close", "archive", "archived"]

    def reached(step: str) -> bool:
        return order.index(step) >= order.index(until)

    if until == "clue":
        return case
    case = services.case_advance(acting_user=officer, case=case, to_step="filing", on=days_ago(79))
    if until == "filing":
        return case
    case = services.case_file(acting_user=leader, case=case, handlers=handlers(cw), on=days_ago(78))
    if until == "investigate":
        return case
    attach_av(cw, case, "investigate")
    case = services.case_advance(acting_user=officer, case=case, to_step="report", on=days_ago(60))
    if until == "report":
        return case
    case = services.case_propose_decision(
        acting_user=officer, case=case, penalty_types=["罚款"], fine_amount=fine
    )
    case = services.case_advance(
        acting_user=head, case=case, to_step="prior_notice", on=days_ago(50)
    )
    if until == "prior_notice":
        return case
    case = services.case_notify(acting_user=officer, case=case, notified_on=days_ago(45))
    if until == "notified":
        return case
    case = services.case_advance(acting_user=officer, case=case, to_step="decide", on=days_ago(30))
    if until == "decide":
        return case
    case = services.case_decide(
        acting_user=leader, case=case, outcome=Outcome.PENALTY, decided_on=days_ago(28)
    )
    if until in ("decided", "serve"):
        return case
    attach_av(cw, case, "serve")
    case = services.case_serve(
        acting_user=officer, case=case, method="direct", served_on=days_ago(27)
    )
    assert reached("served")
    return case


def hearing_data(cw: CaseWorld, **overrides) -> dict:
    """The fields of a lawful 听证笔录 (处罚法 art. 64) for `services.case_record_hearing`:
    notice served 40 days ago, held 20 days ago at 9:30, presided by the reviewer (not a
    handler), recorded by the office."""
    held = dt.datetime.combine(days_ago(20), dt.time(9, 30))
    data = {
        "notice_served_on": days_ago(40),
        "held_at": timezone.make_aware(held),
        "place": "甲县发展改革局三楼听证室",
        "presider": cw.staff("reviewer_a"),
        "recorder": cw.staff("office_a"),
        "participants": "当事人委托代理人王某（律师）",
        "statements": "代理人称项目已补办核准手续，请求从轻处罚；调查人员出示现场检查笔录。",
        "signature": "signed",
    }
    return {**data, **overrides}


def at_hearing(cw: CaseWorld) -> Case:
    """A penalty case (20万元 fine: hearing right) whose party asked for a hearing, at 听证 with
    its audio-visual record."""
    officer = cw.user("officer_a")
    case = walk_penalty(cw, "notified", fine=200_000_00)
    case = services.case_record_response(
        acting_user=officer, case=case, requests_hearing=True, received_on=days_ago(44)
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="hearing", on=days_ago(43))
    attach_av(cw, case, "hearing")
    return case
