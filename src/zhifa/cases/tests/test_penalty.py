"""Ordinary-procedure 行政处罚: the full journey and every refused move."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from zhifa.cases import services
from zhifa.cases.models import Case, CaseStatus, CaseStepRecord, Outcome
from zhifa.cases.tests.conftest import (
    attach_av,
    days_ago,
    handlers,
    hearing_data,
    walk_penalty,
)
from zhifa.catalog.models import NumberingPattern
from zhifa.core.models import DocumentCounter
from zhifa.ledger.models import Event
from zhifa.org.models import Certificate
from zhifa.review.tests.helpers import pass_review


def events(case: Case) -> list[str]:
    return list(
        Event.objects.filter(subject=f"cases.case:{case.pk}")
        .order_by("seq")
        .values_list("kind", flat=True)
    )


def test_full_ordinary_penalty_case(cw):
    case = walk_penalty(cw, "served")
    assert case.step == "execute"
    assert case.number.startswith("甲发改立〔")
    assert case.decision_number.startswith("甲发改罚〔")
    officer, head = cw.user("officer_a"), cw.user("head_a")
    case = services.case_record_payment(
        acting_user=officer, case=case, amount=5_000_00, paid_on=days_ago(20)
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="close", on=days_ago(19))
    case = services.case_close(acting_user=head, case=case, on=days_ago(18), summary="已履行")
    assert case.status == CaseStatus.CLOSED
    case = services.case_archive(acting_user=officer, case=case, on=days_ago(17))
    assert case.status == CaseStatus.ARCHIVED
    assert events(case) == [
        "case.registered",
        "case.step",
        "case.filed",
        "evidence.attached",
        "case.step",
        "case.decision_proposed",
        "case.step",
        "case.notified",
        "case.step",
        "decision.made",
        "evidence.attached",
        "document.served",
        "case.payment_recorded",
        "case.step",
        "case.closed",
        "case.archived",
    ]
    path = list(CaseStepRecord.objects.filter(case=case).values_list("to_step", flat=True))
    assert path == [
        "filing", "investigate", "report", "prior_notice", "decide", "serve", "execute",
        "close", "archive", "archive",
    ]  # fmt: skip


def test_wrong_role_refused(cw):
    case = walk_penalty(cw, "filing")
    with pytest.raises(PermissionDenied, match=r"立案审批.*科室负责人、局领导"):
        services.case_file(acting_user=cw.user("officer_a"), case=case, handlers=handlers(cw))
    assert Event.objects.filter(kind="case.filed").count() == 0


def test_other_agency_refused(cw):
    case = walk_penalty(cw, "clue")
    with pytest.raises(PermissionDenied, match=r"本执法主体"):
        services.case_advance(acting_user=cw.user("officer_b"), case=case, to_step="filing")
    with pytest.raises(PermissionDenied):
        services.case_advance(acting_user=cw.user("supervisor"), case=case, to_step="filing")


def test_out_of_order_step_refused(cw):
    case = walk_penalty(cw, "clue")
    with pytest.raises(ValidationError, match=r"不能转到“决定”.*下一步可以办理：立案审批"):
        services.case_advance(acting_user=cw.user("officer_a"), case=case, to_step="decide")


def test_owned_move_needs_its_service(cw):
    case = walk_penalty(cw, "filing")
    with pytest.raises(ValidationError, match=r"立案审批（予以立案）"):
        services.case_advance(acting_user=cw.user("leader_a"), case=case, to_step="investigate")


def test_only_one_certified_officer_refused(cw):
    case = walk_penalty(cw, "filing")
    with pytest.raises(ValidationError, match=r"2名以上.*只有1名.*没有“发展改革”领域"):
        services.case_file(
            acting_user=cw.user("leader_a"),
            case=case,
            handlers=[cw.staff("officer_a"), cw.staff("office_a")],
        )


def test_expired_certificate_refused_and_number_returned(cw):
    case = walk_penalty(cw, "filing")
    Certificate.objects.filter(number="A-002").update(valid_to=days_ago(100))
    before = Event.objects.count()
    with pytest.raises(ValidationError, match=r"A-002已于.*过期"):
        services.case_file(
            acting_user=cw.user("leader_a"), case=case, handlers=handlers(cw), on=days_ago(78)
        )
    # Rollback: no ledger event and no number gap.
    assert Event.objects.count() == before
    series = NumberingPattern.objects.filter(kind="filing_approval").values("pattern")
    assert not DocumentCounter.objects.filter(kind__in=series).exclude(last=0).exists()
    case.refresh_from_db()
    assert case.number == "" and case.step == "filing"
    Certificate.objects.filter(number="A-002").update(valid_to=days_ago(-100))
    case = services.case_file(
        acting_user=cw.user("leader_a"), case=case, handlers=handlers(cw), on=days_ago(78)
    )
    assert case.number.endswith("〕1号")


def test_revoked_certificate_refused_when_leaving_investigation(cw):
    case = walk_penalty(cw, "investigate")
    attach_av(cw, case, "investigate")
    Certificate.objects.filter(number="A-002").update(status="revoked", status_reason="调离")
    with pytest.raises(ValidationError, match=r"A-002已.*调离"):
        services.case_advance(acting_user=cw.user("officer_a"), case=case, to_step="report")


def test_missing_av_record_refused_then_leader_exception(cw):
    case = walk_penalty(cw, "investigate")
    officer = cw.user("officer_a")
    with pytest.raises(ValidationError, match=r"“调查取证”环节须有音像记录"):
        services.case_advance(acting_user=officer, case=case, to_step="report")
    with pytest.raises(PermissionDenied):
        services.av_exception_approve(
            acting_user=officer, case=case, step="investigate", reason="x"
        )
    services.av_exception_approve(
        acting_user=cw.user("leader_a"), case=case, step="investigate", reason="执法记录仪故障"
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="report")
    assert case.step == "report"


def test_photo_is_not_an_av_record(cw):
    case = walk_penalty(cw, "investigate")
    services.case_evidence_attach(
        acting_user=cw.user("officer_a"), case=case, step="investigate",
        sha256="a" * 64, media_kind="photo",
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"音像记录"):
        services.case_advance(acting_user=cw.user("officer_a"), case=case, to_step="report")


@pytest.mark.parametrize("target", ["no_filing", "withdraw"])
def test_branches_need_reason(cw, target):
    case = walk_penalty(cw, "filing" if target == "no_filing" else "investigate")
    leader = cw.user("leader_a")
    with pytest.raises(ValidationError, match=r"须写明理由"):
        services.case_advance(acting_user=leader, case=case, to_step=target)
    case = services.case_advance(acting_user=leader, case=case, to_step=target, reason="事实不成立")
    assert case.outcome in (Outcome.NOT_FILED, Outcome.WITHDRAWN)
    case = services.case_advance(acting_user=leader, case=case, to_step="archive")
    assert case.status == CaseStatus.CLOSED


def test_officer_cannot_withdraw(cw):
    case = walk_penalty(cw, "investigate")
    with pytest.raises(PermissionDenied, match=r"撤案"):
        services.case_advance(
            acting_user=cw.user("officer_a"), case=case, to_step="withdraw", reason="x"
        )


def test_notice_required_before_leaving_prior_notice(cw):
    case = walk_penalty(cw, "prior_notice")
    with pytest.raises(ValidationError, match=r"尚未事先告知"):
        services.case_advance(acting_user=cw.user("officer_a"), case=case, to_step="decide")


def test_decide_while_hearing_window_open_refused(cw):
    case = walk_penalty(cw, "report")
    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    case = services.case_propose_decision(
        acting_user=officer, case=case, penalty_types=["罚款"], fine_amount=200_000_00
    )
    case = services.case_advance(acting_user=officer, case=case, to_step="prior_notice")
    case = services.case_notify(acting_user=officer, case=case)
    assert case.hearing_right  # 20万元 for an organisation is over the default threshold
    case = services.case_advance(acting_user=officer, case=case, to_step="decide")
    with pytest.raises(ValidationError, match=r"期限届满前不能作出处罚决定"):
        services.case_decide(acting_user=leader, case=case, outcome=Outcome.PENALTY)
    assert not Event.objects.filter(kind="decision.made").exists()


def test_written_waiver_allows_decision(cw):
    case = walk_penalty(cw, "report")
    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    case = services.case_propose_decision(acting_user=officer, case=case, penalty_types=["警告"])
    case = services.case_advance(acting_user=officer, case=case, to_step="prior_notice")
    case = services.case_notify(acting_user=officer, case=case)
    case = services.case_record_response(acting_user=officer, case=case, waives_rights=True)
    case = services.case_advance(acting_user=officer, case=case, to_step="decide")
    case = services.case_decide(acting_user=leader, case=case, outcome=Outcome.PENALTY)
    attach_av(cw, case, "serve")
    case = services.case_serve(acting_user=officer, case=case, method="direct")
    assert case.step == "close"  # a warning needs no execution


def test_hearing_requested_must_be_held(cw):
    case = walk_penalty(cw, "notified", fine=200_000_00)
    officer = cw.user("officer_a")
    case = services.case_record_response(
        acting_user=officer, case=case, requests_hearing=True, received_on=days_ago(44)
    )
    with pytest.raises(ValidationError, match=r"须先组织听证"):
        services.case_advance(acting_user=officer, case=case, to_step="decide")
    case = services.case_advance(acting_user=officer, case=case, to_step="hearing")
    attach_av(cw, case, "hearing")
    # The hearing completes only with its record (听证笔录, 处罚法 art. 64).
    with pytest.raises(ValidationError, match=r"登记听证笔录"):
        services.case_advance(acting_user=cw.user("leader_a"), case=case, to_step="legal_review")
    # After a hearing the legal review is mandatory (处罚法 art. 58).
    with pytest.raises(ValidationError, match=r"须经法制审核"):
        services.case_record_hearing(
            acting_user=cw.user("leader_a"), case=case, **hearing_data(cw, next_step="decide")
        )
    services.case_record_hearing(acting_user=cw.user("leader_a"), case=case, **hearing_data(cw))
    case.refresh_from_db()
    assert case.step == "legal_review"
    with pytest.raises(ValidationError, match=r"须经法制审核"):  # no passed review yet (L9)
        services.case_advance(acting_user=cw.user("reviewer_a"), case=case, to_step="prior_notice")
    case = pass_review(cw, case)  # submitted, reviewed, confirmed, accepted; then 审核通过
    assert case.hearing_held


def test_late_hearing_request_refused(cw):
    case = walk_penalty(cw, "notified", fine=200_000_00)
    with pytest.raises(ValidationError, match=r"申请听证的期限已于"):
        services.case_record_response(
            acting_user=cw.user("officer_a"), case=case, requests_hearing=True
        )


def test_review_gate_blocks_decision(cw):
    case = walk_penalty(cw, "report")
    officer = cw.user("officer_a")
    case = services.case_propose_decision(
        acting_user=officer, case=case, penalty_types=["罚款"], fine_amount=100_00,
        major_public_interest=True,
    )  # fmt: skip
    with pytest.raises(ValidationError, match=r"须经法制审核.*重大公共利益"):
        services.case_advance(acting_user=cw.user("head_a"), case=case, to_step="prior_notice")
    case = services.case_advance(acting_user=officer, case=case, to_step="legal_review")
    with pytest.raises(ValidationError, match=r"须经法制审核"):  # no passed review yet (L9)
        services.case_advance(acting_user=cw.user("reviewer_a"), case=case, to_step="prior_notice")
    case = pass_review(cw, case)  # submitted, reviewed, confirmed, accepted; then 审核通过
    assert case.step == "prior_notice"


def test_suspected_crime_must_be_transferred(cw):
    case = walk_penalty(cw, "decide")
    Case.objects.filter(pk=case.pk).update(suspected_crime=True)
    leader = cw.user("leader_a")
    with pytest.raises(ValidationError, match=r"移送"):
        services.case_decide(acting_user=leader, case=case, outcome=Outcome.PENALTY)
    with pytest.raises(ValidationError, match=r"须写明理由"):
        services.case_decide(acting_user=leader, case=case, outcome=Outcome.TRANSFER)
    case = services.case_decide(
        acting_user=leader, case=case, outcome=Outcome.TRANSFER, reason="涉嫌犯罪，移送公安机关"
    )
    assert case.step == "transfer" and case.outcome == Outcome.TRANSFER


def test_no_penalty_decision_numbered(cw):
    case = walk_penalty(cw, "decide")
    case = services.case_decide(
        acting_user=cw.user("leader_a"), case=case, outcome=Outcome.NO_PENALTY, reason="首违不罚"
    )
    assert case.decision_number.startswith("甲发改不罚")
    case = services.case_advance(acting_user=cw.user("leader_a"), case=case, to_step="serve")
    assert case.step == "serve"


def test_electronic_service_needs_consent(cw):
    case = walk_penalty(cw, "decided")
    officer = cw.user("officer_a")
    attach_av(cw, case, "serve")
    with pytest.raises(ValidationError, match=r"未书面同意电子送达"):
        services.case_serve(acting_user=officer, case=case, method="electronic")
    services.case_record_consent(acting_user=officer, case=case, address="party@example.cn")
    case = services.case_serve(acting_user=officer, case=case, method="electronic")
    assert case.service_method == "electronic"


def test_service_needs_av_record(cw):
    case = walk_penalty(cw, "decided")
    with pytest.raises(ValidationError, match=r"“送达”环节须有音像记录"):
        services.case_serve(acting_user=cw.user("officer_a"), case=case, method="left")


def test_payment_amount_includes_surcharge(cw):
    case = walk_penalty(cw, "served")  # served 27 days ago: due 15 days later, late since
    officer = cw.user("officer_a")
    fine, surcharge = services.amount_due(case, on=days_ago(0))
    assert fine == 5_000_00 and 0 < surcharge <= fine
    with pytest.raises(ValidationError, match=r"应缴金额为"):
        services.case_record_payment(acting_user=officer, case=case, amount=fine)
    case = services.case_record_payment(acting_user=officer, case=case, amount=fine + surcharge)
    assert case.paid_amount == fine + surcharge


def test_unpaid_execution_needs_reason_to_close(cw):
    case = walk_penalty(cw, "served")
    officer = cw.user("officer_a")
    with pytest.raises(ValidationError, match=r"罚款尚未缴纳"):
        services.case_advance(acting_user=officer, case=case, to_step="close")
    case = services.case_advance(
        acting_user=officer, case=case, to_step="close", reason="已申请人民法院强制执行"
    )
    assert case.step == "close"


def test_numbers_are_gap_free_across_cases(cw):
    first = walk_penalty(cw, "investigate")
    second = walk_penalty(cw, "investigate")
    assert first.number.endswith("〕1号") and second.number.endswith("〕2号")


def test_gate_not_required_by_default(cw):
    from zhifa.cases.gates import review_gate

    case = walk_penalty(cw, "report")
    gate = review_gate(case)
    assert not gate.required and not gate.blocks


@pytest.mark.parametrize("login", ["officer_a", "reviewer_a", "head_a"])
def test_only_leader_decides(cw, login):
    case = walk_penalty(cw, "decide")
    with pytest.raises(PermissionDenied, match=r"“决定”须由局领导办理"):
        services.case_decide(acting_user=cw.user(login), case=case, outcome=Outcome.PENALTY)


def test_evidence_only_by_handlers_or_heads(cw):
    case = walk_penalty(cw, "investigate")
    with pytest.raises(PermissionDenied, match="承办人"):
        services.case_evidence_attach(
            acting_user=cw.user("office_a"), case=case, step="investigate",
            sha256="b" * 64, media_kind="video",
        )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.case_evidence_attach(
            acting_user=cw.user("officer_b"), case=case, step="investigate",
            sha256="b" * 64, media_kind="video",
        )  # fmt: skip
    with pytest.raises(ValidationError, match="SHA-256"):
        services.case_evidence_attach(
            acting_user=cw.user("officer_a"), case=case, step="investigate",
            sha256="xyz", media_kind="video",
        )  # fmt: skip
