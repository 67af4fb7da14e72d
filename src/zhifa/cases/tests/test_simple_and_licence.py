"""Simple procedure (当场处罚) limits and the 行政许可 journey."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.cases import services
from zhifa.cases.models import CaseStatus, Outcome, Procedure
from zhifa.cases.tests.conftest import attach_av, days_ago, handlers, sha
from zhifa.ledger.models import Event


def simple(cw, party, fine: int, types=("罚款",), **extra):
    values = dict(
        acting_user=cw.user("officer_a"),
        item_version=cw.penalty,
        party=party,
        title="擅自改变项目建设内容",
        facts="现场检查发现……",
        penalty_types=list(types),
        fine_amount=fine,
        handlers=handlers(cw),
        av_evidence=[(sha("bodycam"), "video")],
    )
    values.update(extra)
    return services.case_simple_penalty(**values)


@pytest.mark.parametrize(
    ("who", "fine", "limit"), [("person", 200_01, "200元"), ("org", 3_000_01, "3000元")]
)
def test_simple_procedure_limit_exceeded(cw, who, fine, limit):
    party = cw.person if who == "person" else cw.org
    before = Event.objects.count()
    with pytest.raises(ValidationError, match=f"只能处{limit}以下罚款.*请按普通程序"):
        simple(cw, party, fine)
    assert Event.objects.count() == before


def test_simple_procedure_other_penalty_refused(cw):
    with pytest.raises(ValidationError, match=r"只能给予警告或者罚款"):
        simple(cw, cw.person, 0, types=("没收违法所得",))


def test_simple_procedure_at_limit_recorded_and_paid(cw):
    case = simple(cw, cw.org, 3_000_00)
    assert case.procedure == Procedure.SIMPLE and case.step == "onspot_pay"
    assert case.number.startswith("甲发改简罚") and case.outcome == Outcome.PENALTY
    kinds = list(
        Event.objects.filter(subject=f"cases.case:{case.pk}").values_list("kind", flat=True)
    )
    assert kinds == ["case.registered", "case.step", "case.step", "decision.made"]
    officer = cw.user("officer_a")
    case = services.case_record_payment(acting_user=officer, case=case, amount=3_000_00)
    case = services.case_advance(acting_user=officer, case=case, to_step="onspot_file")
    case = services.case_advance(acting_user=officer, case=case, to_step="archive")
    case = services.case_archive(acting_user=officer, case=case)
    assert case.status == CaseStatus.ARCHIVED


def test_simple_procedure_needs_av_and_two_officers(cw):
    with pytest.raises(ValidationError, match=r"音像记录"):
        simple(cw, cw.person, 100_00, av_evidence=[(sha("p"), "photo")])
    with pytest.raises(ValidationError, match=r"只有1名"):
        simple(cw, cw.person, 100_00, handlers=[cw.staff("officer_a")])
    assert simple(cw, cw.person, 200_00, types=("警告", "罚款")).fine_amount == 200_00


def test_full_licence_case(cw):
    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    case = services.licence_apply(
        acting_user=officer,
        item_version=cw.licence,
        party=cw.org,
        title="企业投资项目核准",
        received_on=days_ago(40),
    )
    case = services.licence_request_correction(
        acting_user=officer, case=case, items="项目申请报告缺少节能分析", notified_on=days_ago(39)
    )
    case = services.licence_accept(acting_user=officer, case=case, accepted_on=days_ago(35))
    assert case.step == "review" and case.number.startswith("甲发改受")
    assert case.filed_on == days_ago(35)
    with pytest.raises(ValidationError, match=r"2名以上工作人员"):
        services.case_advance(acting_user=officer, case=case, to_step="site_check")
    case = services.case_set_handlers(
        acting_user=cw.user("head_a"), case=case, handlers=handlers(cw)
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="site_check")
    attach_av(cw, case, "site_check")
    case = services.case_advance(acting_user=officer, case=case, to_step="decide")
    case = services.licence_extend(
        acting_user=leader, case=case, reason="需专家评审", on=days_ago(30)
    )
    with pytest.raises(ValidationError, match=r"已经延长过一次"):
        services.licence_extend(acting_user=leader, case=case, reason="再延长")
    case = services.licence_decide(
        acting_user=leader, case=case, granted=True, content="同意核准", decided_on=days_ago(10)
    )
    assert case.decision_number.startswith("甲发改许") and case.step == "serve"
    attach_av(cw, case, "serve")
    case = services.case_serve(acting_user=officer, case=case, method="post")
    case = services.case_advance(acting_user=cw.user("office_a"), case=case, to_step="archive")
    case = services.case_archive(acting_user=cw.user("office_a"), case=case)
    assert case.status == CaseStatus.ARCHIVED


def test_licence_refusals(cw):
    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    case = services.licence_apply(
        acting_user=officer, item_version=cw.licence, party=cw.org, title="节能审查"
    )
    with pytest.raises(ValidationError, match=r"须说明理由"):
        services.licence_not_accept(acting_user=officer, case=case, reason="")
    case = services.licence_not_accept(acting_user=officer, case=case, reason="不属于本机关职权")
    assert case.outcome == Outcome.NOT_ACCEPTED and case.decision_number.startswith("甲发改不受")

    case = services.licence_apply(
        acting_user=officer, item_version=cw.licence, party=cw.org, title="节能审查"
    )
    case = services.licence_accept(acting_user=officer, case=case)
    case = services.case_advance(acting_user=officer, case=case, to_step="decide")
    with pytest.raises(PermissionDenied):
        services.licence_decide(acting_user=officer, case=case, granted=False, reason="x")
    with pytest.raises(ValidationError, match=r"须说明理由"):
        services.licence_decide(acting_user=leader, case=case, granted=False)
    case = services.licence_decide(acting_user=leader, case=case, granted=False, reason="不符合")
    assert case.step == "refuse" and case.outcome == Outcome.REFUSED


def test_late_correction_notice_refused_and_acceptance_dates_from_receipt(cw):
    officer = cw.user("officer_a")
    case = services.licence_apply(
        acting_user=officer, item_version=cw.licence, party=cw.org, title="核准",
        received_on=days_ago(30),
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"视为|即为受理"):
        services.licence_request_correction(acting_user=officer, case=case, items="补充材料")
    case = services.licence_accept(acting_user=officer, case=case)
    assert case.filed_on == days_ago(30)  # 许可法 art. 32: accepted from receipt


def test_licence_extension_after_deadline_refused(cw):
    officer = cw.user("officer_a")
    case = services.licence_apply(
        acting_user=officer, item_version=cw.licence, party=cw.org, title="核准",
        received_on=days_ago(60),
    )  # fmt: skip
    case = services.licence_accept(acting_user=officer, case=case, accepted_on=days_ago(59))
    with pytest.raises(ValidationError, match=r"已于.*届满，不能再延长"):
        services.licence_extend(acting_user=cw.user("leader_a"), case=case, reason="专家评审")
