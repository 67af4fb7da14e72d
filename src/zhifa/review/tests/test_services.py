"""Review services: the gate, the catalogue rules, the reviewers, the rounds, the document,
disagreement and collective discussion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tests.factories import make_staff
from zhifa.cases import services as case_services
from zhifa.cases.models import Case, Outcome
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.ledger.models import Event
from zhifa.org.roles import Role
from zhifa.review import services
from zhifa.review.models import (
    Coordination,
    Opinion,
    ReviewRule,
    ReviewSettings,
    ReviewStatus,
)
from zhifa.review.rules import review_requirement
from zhifa.review.tests.helpers import article, findings, pass_review, review_round, setup_reviewers


def at_review(cw, **flags):
    """A case with a proposal (罚款5000元, agency A's organisation party) at 法制审核."""
    case = walk_penalty(cw, "report")
    case = case_services.case_propose_decision(
        acting_user=cw.user("officer_a"),
        case=case,
        penalty_types=["罚款"],
        fine_amount=5_000_00,
        **({"major_public_interest": True} | flags),
    )
    return case_services.case_advance(
        acting_user=cw.user("officer_a"), case=case, to_step="legal_review"
    )


def rule(cw, **conditions) -> ReviewRule:
    found = ReviewRule(agency=cw.world.agency_a, name="目录情形", basis="本局审核目录第1项")
    for key, value in conditions.items():
        setattr(found, key, value)
    found.full_clean()
    found.save()
    return found


def leaders(cw, n: int):
    people = [cw.staff("leader_a")]
    for i in range(2, n + 1):
        login = f"leader{i}_a"
        if login not in cw.world.staff:
            cw.world.staff[login] = make_staff(cw.world.agency_a, login, Role.LEADER, unit="办公室")
        people.append(cw.staff(login))
    return people


def submitted(cw, case):
    setup_reviewers(cw)
    return services.review_submit(
        acting_user=cw.user("officer_a"), case=case, proposal="罚款5000元", report="报告"
    )


# --- the gate --------------------------------------------------------------------------------


def test_reviewer_cannot_wave_through_without_review(cw):
    case = at_review(cw)
    with pytest.raises(ValidationError, match=r"须经法制审核"):
        case_services.case_advance(
            acting_user=cw.user("reviewer_a"), case=case, to_step="prior_notice"
        )


def test_deciding_before_review_refused(cw):
    case = walk_penalty(cw, "decide")
    Case.objects.filter(pk=case.pk).update(major_public_interest=True)
    with pytest.raises(ValidationError, match=r"须经法制审核.*重大公共利益"):
        case_services.case_decide(
            acting_user=cw.user("leader_a"), case=case, outcome=Outcome.PENALTY
        )


def test_issued_but_not_accepted_does_not_pass(cw):
    case = at_review(cw)
    review_round(cw, case, accept=False)
    with pytest.raises(ValidationError, match=r"须经法制审核"):
        case_services.case_advance(
            acting_user=cw.user("reviewer_a"), case=case, to_step="prior_notice"
        )


def test_passed_review_opens_the_gate_and_is_on_the_timeline(cw):
    case = at_review(cw)
    case = pass_review(cw, case)
    assert case.step == "prior_notice"
    kinds = list(Event.objects.filter(kind__startswith="review.").values_list("kind", flat=True))
    assert kinds == [
        "review.submitted",
        "review.assigned",
        "review.checked",
        "review.opinion_issued",
        "review.accepted",
    ]


def test_hearing_after_review_needs_a_new_review(cw):
    case = at_review(cw)
    review_round(cw, case)
    # A hearing held after the review's entry: the old review no longer counts.
    from zhifa.cases.models import CaseStepRecord

    CaseStepRecord.objects.create(
        case=case, from_step="hearing", to_step="legal_review", actor=cw.user("leader_a")
    )
    from zhifa.cases.gates import review_gate

    assert review_gate(case).blocks


# --- the catalogue rules (L5, L7) --------------------------------------------------------------


def plain_case(cw, *, party=None, fine=5_000_00, types=("罚款",)):
    case = walk_penalty(cw, "report", party=party)
    return case_services.case_propose_decision(
        acting_user=cw.user("officer_a"), case=case, penalty_types=list(types), fine_amount=fine
    )


def test_no_requirement_by_default(cw):
    assert not review_requirement(plain_case(cw)).required


@pytest.mark.parametrize(
    ("conditions", "matching", "other"),
    [
        ({"case_kind": "penalty"}, {}, {"kind": "licence"}),
        ({"penalty_types": ["吊销许可证件", "罚款"]}, {}, {"penalty_types": ["警告"]}),
        ({"threshold_organisation": 3_000_00}, {}, {"fine_amount": 2_999_99}),
        ({"threshold_person": 1_00}, {"party": "person"}, {}),
        ({"hearing_held": True}, {"hearing_held": True}, {}),
        ({"major_social_impact": True}, {"major_social_impact": True}, {}),
        ({"complex_case": True}, {"complex_case": True}, {}),
        ({"major_public_interest": True}, {"major_public_interest": True}, {}),
        ({"suspected_crime": True}, {"suspected_crime": True}, {}),
    ],
)
def test_each_rule_condition_matched_and_not(cw, conditions, matching, other):
    found = rule(cw, **conditions)
    party = matching.pop("party", None)
    case = plain_case(cw, party=cw.person if party == "person" else cw.org)
    for key, value in matching.items():
        setattr(case, key, value)
    requirement = review_requirement(case)
    assert requirement.required
    assert any(
        m.rule_id == found.pk and m.basis == "本局审核目录第1项" for m in requirement.matches
    )
    base = plain_case(cw)
    for key, value in other.items():
        setattr(base, key, value)
    assert not any(m.rule_id == found.pk for m in review_requirement(base).matches)


def test_item_rule(cw):
    found = rule(cw, item=cw.penalty.item)
    assert review_requirement(plain_case(cw)).matches[0].rule_id == found.pk
    found.item = cw.licence.item
    found.save()
    assert not review_requirement(plain_case(cw)).required


def test_rule_needs_a_condition_and_inactive_rules_ignored(cw):
    with pytest.raises(ValidationError, match=r"至少设置一项条件"):
        rule(cw)
    found = rule(cw, case_kind="penalty")
    found.active = False
    found.save()
    assert not review_requirement(plain_case(cw)).required


def test_other_agency_rules_do_not_apply(cw):
    ReviewRule.objects.create(agency=cw.world.agency_b, name="乙", basis="乙", case_kind="penalty")
    assert not review_requirement(plain_case(cw)).required


def test_all_ordinary_setting(cw):
    case = plain_case(cw)
    ReviewSettings.objects.create(agency=cw.world.agency_a, all_ordinary=True)
    requirement = review_requirement(case)
    assert requirement.required and "一律审核" in requirement.reasons[0]
    # The gate now stops the case at 事先告知 until reviewed.
    with pytest.raises(ValidationError, match=r"一律审核"):
        case_services.case_advance(acting_user=cw.user("head_a"), case=case, to_step="prior_notice")


def test_changing_the_proposal_re_evaluates(cw):
    rule(cw, penalty_types=["吊销许可证件"])
    case = plain_case(cw)
    assert not review_requirement(case).required
    case = case_services.case_propose_decision(
        acting_user=cw.user("officer_a"), case=case, penalty_types=["吊销许可证件"]
    )
    assert review_requirement(case).required


# --- reviewers ---------------------------------------------------------------------------------


def assign(cw, review, reviewer, re_reviewer):
    return services.review_assign(
        acting_user=cw.user("reviewer_a"),
        review=review,
        reviewer=cw.staff(reviewer),
        re_reviewer=cw.staff(re_reviewer),
    )


def test_same_person_reviewer_and_re_reviewer_refused(cw):
    review = submitted(cw, at_review(cw))
    with pytest.raises(ValidationError, match=r"两名不同"):
        assign(cw, review, "reviewer_a", "reviewer_a")


def test_handler_as_reviewer_refused(cw):
    case = at_review(cw)
    review = submitted(cw, case)
    cw.world.staff["reviewer3_a"] = make_staff(
        cw.world.agency_a,
        "reviewer3_a",
        Role.REVIEWER,
        unit="法制科",
        legal_qualification="licensed",
    )
    case.handlers.add(cw.staff("reviewer3_a"))
    with pytest.raises(ValidationError, match=r"办审分离"):
        assign(cw, review, "reviewer3_a", "reviewer2_a")
    with pytest.raises(ValidationError, match=r"办审分离"):
        assign(cw, review, "reviewer_a", "reviewer3_a")


def test_reviewer_needs_licence_and_role(cw):
    review = submitted(cw, at_review(cw))
    with pytest.raises(ValidationError, match=r"法律职业资格"):
        assign(cw, review, "reviewer2_a", "reviewer_a")  # 法律专业背景 only
    with pytest.raises(ValidationError, match=r"不是法制审核人员"):
        assign(cw, review, "reviewer_a", "officer2_a")
    cw.world.staff["reviewer4_a"] = make_staff(
        cw.world.agency_a, "reviewer4_a", Role.REVIEWER, unit="法制科"
    )
    with pytest.raises(ValidationError, match=r"未登记法制审核资格"):
        assign(cw, review, "reviewer_a", "reviewer4_a")


def test_only_the_assigned_people_act(cw):
    review = assign(cw, submitted(cw, at_review(cw)), "reviewer_a", "reviewer2_a")
    with pytest.raises(PermissionDenied):
        services.review_record_findings(
            acting_user=cw.user("reviewer2_a"),
            review=review,
            findings=findings(),
            opinion=Opinion.AGREE,
            articles=[article()],
        )
    review = services.review_record_findings(
        acting_user=cw.user("reviewer_a"),
        review=review,
        findings=findings(),
        opinion=Opinion.AGREE,
        articles=[article()],
    )
    with pytest.raises(PermissionDenied, match=r"复审人"):
        services.review_confirm(acting_user=cw.user("reviewer_a"), review=review)


def test_findings_complete_and_consistent(cw):
    review = assign(cw, submitted(cw, at_review(cw)), "reviewer_a", "reviewer2_a")
    reviewer = cw.user("reviewer_a")
    partial = dict(list(findings().items())[:9])
    with pytest.raises(ValidationError, match=r"尚缺：是否涉嫌犯罪需移送"):
        services.review_record_findings(
            acting_user=reviewer, review=review, findings=partial, opinion="agree",
            articles=[article()],
        )  # fmt: skip
    with pytest.raises(ValidationError, match=r"不能出具“同意”"):
        services.review_record_findings(
            acting_user=reviewer, review=review, findings=findings("evidence"), opinion="agree",
            articles=[article()],
        )  # fmt: skip


def test_other_agency_cannot_touch_review(cw):
    review = submitted(cw, at_review(cw))
    with pytest.raises(PermissionDenied):
        services.review_assign(
            acting_user=cw.user("officer_b"),
            review=review,
            reviewer=cw.staff("reviewer_a"),
            re_reviewer=cw.staff("reviewer2_a"),
        )


# --- submission, rounds, time limits -----------------------------------------------------------


def test_submit_only_at_review_step_and_complete(cw):
    setup_reviewers(cw)
    case = plain_case(cw)
    with pytest.raises(ValidationError, match=r"须先转入“法制审核”"):
        services.review_submit(
            acting_user=cw.user("officer_a"), case=case, proposal="x", report="y"
        )
    case = at_review(cw)
    with pytest.raises(ValidationError, match=r"缺少调查终结报告"):
        services.review_submit(acting_user=cw.user("officer_a"), case=case, proposal="x", report="")


def test_submission_attaches_case_materials_and_due_date(cw):
    review = submitted(cw, at_review(cw))
    assert review.materials["evidence"] and review.materials["evidence"][0]["step"] == "investigate"
    assert review.due_on > timezone.localdate()
    with pytest.raises(ValidationError, match=r"重复报送"):
        submitted(cw, review.case)


def test_extension_needs_leader_and_reason(cw):
    review = submitted(cw, at_review(cw))
    with pytest.raises(PermissionDenied):
        services.review_extend(acting_user=cw.user("reviewer_a"), review=review, reason="复杂")
    with pytest.raises(ValidationError, match=r"理由"):
        services.review_extend(acting_user=cw.user("leader_a"), review=review, reason=" ")
    before = review.due_on
    review = services.review_extend(acting_user=cw.user("leader_a"), review=review, reason="复杂")
    assert review.due_on > before
    with pytest.raises(ValidationError, match=r"延长过一次"):
        services.review_extend(acting_user=cw.user("leader_a"), review=review, reason="再延")


def test_returned_review_moves_case_back_and_resubmission_is_round_two(cw):
    case = at_review(cw)
    first = review_round(cw, case, opinion=Opinion.RETURN, text="证据不足，补充调查")
    case.refresh_from_db()
    assert first.status == ReviewStatus.RETURNED and case.step == "investigate"
    assert Event.objects.filter(kind="review.returned").count() == 1
    officer = cw.user("officer_a")
    case = case_services.case_advance(acting_user=officer, case=case, to_step="report")
    case = case_services.case_advance(acting_user=officer, case=case, to_step="legal_review")
    second = review_round(cw, case)
    assert second.round == 2 and second.passed
    assert first.number.endswith("〕1号") and second.number.endswith("〕2号")


def test_numbering_gap_free_after_a_failed_confirm(cw, monkeypatch):
    case = at_review(cw)
    review = review_round(cw, case, accept=False)
    assert review.number == f"甲发改法审〔{timezone.localdate().year}〕1号"
    other = at_review(cw)
    setup_reviewers(cw)
    r = submitted(cw, other)
    r = assign(cw, r, "reviewer_a", "reviewer2_a")
    r = services.review_record_findings(
        acting_user=cw.user("reviewer_a"), review=r, findings=findings(), opinion="agree",
        articles=[article()],
    )  # fmt: skip
    from zhifa.core import documents

    def boom(doc):
        raise RuntimeError("renderer down")

    monkeypatch.setattr(documents, "render_docx", boom)
    with pytest.raises(RuntimeError):
        services.review_confirm(acting_user=cw.user("reviewer2_a"), review=r)
    monkeypatch.undo()
    monkeypatch.setattr(documents, "render_pdf", lambda doc: b"%PDF-stub")
    r = services.review_confirm(acting_user=cw.user("reviewer2_a"), review=r)
    assert r.number.endswith("〕2号")


def test_review_document_rendered_and_recorded(cw, real_pdf):
    from zhifa.ledger import blobs

    case = at_review(cw)
    review = review_round(cw, case, opinion=Opinion.AGREE_REVISED, text="罚款数额按裁量基准调整")
    event = Event.objects.get(kind="review.opinion_issued")
    payload = event.payload
    assert review.pdf_sha256 and blobs.exists(review.pdf_sha256)
    assert blobs.exists(review.docx_sha256)
    with blobs.open_blob(review.pdf_sha256) as f:
        assert f.read(5) == b"%PDF-"
    assert payload["pdf_sha256"] == review.pdf_sha256
    assert payload["docx_sha256"] == review.docx_sha256
    assert payload["review_number"] == review.number
    from zhifa.core.documents import render_html
    from zhifa.review.services import review_documents

    html = render_html(review_documents(review))
    for text in ("审查事项", "报送时间", "审查意见：修改后同意", "审查依据", "审核人", "复审人"):
        assert text in html
    assert review.number in html


# --- disagreement and collective discussion (L8, L9) ------------------------------------------


def test_disagreement_then_coordination_recorded(cw):
    case = at_review(cw)
    review = review_round(cw, case, opinion=Opinion.DISAGREE, text="定性不准", accept=False)
    with pytest.raises(ValidationError, match=r"理由"):
        services.review_disagree(acting_user=cw.user("officer_a"), review=review, reasons="")
    review = services.review_disagree(
        acting_user=cw.user("officer_a"), review=review, reasons="证据充分，定性准确"
    )
    with pytest.raises(PermissionDenied):
        services.review_coordinate(
            acting_user=cw.user("officer_a"), review=review, decision="adopt_unit", note="x"
        )
    review = services.review_coordinate(
        acting_user=cw.user("leader_a"),
        review=review,
        decision=Coordination.DISCUSSION,
        note="分歧较大，提交集体讨论",
    )
    assert not review.passed
    kinds = set(Event.objects.values_list("kind", flat=True))
    assert {"review.disagreement_recorded", "review.coordinated"} <= kinds
    # Until the leaders have discussed it, the case stays at 法制审核.
    reviewer = cw.user("reviewer_a")
    with pytest.raises(ValidationError, match=r"须经法制审核"):
        case_services.case_advance(acting_user=reviewer, case=case, to_step="prior_notice")
    chair, *others = leaders(cw, 3)
    services.discussion_record(
        acting_user=cw.user("leader_a"),
        case=case,
        held_on=timezone.localdate(),
        chair=chair,
        attendees=[(chair, "按承办意见办理"), *[(p, "同意") for p in others]],
        conclusion="按承办机构意见办理",
    )
    case = case_services.case_advance(acting_user=reviewer, case=case, to_step="prior_notice")
    assert case.step == "prior_notice"


def test_coordination_for_unit_passes_the_review(cw):
    case = at_review(cw)
    review = review_round(cw, case, opinion=Opinion.DISAGREE, text="定性不准", accept=False)
    review = services.review_disagree(acting_user=cw.user("head_a"), review=review, reasons="理由")
    review = services.review_coordinate(
        acting_user=cw.user("leader_a"), review=review, decision="adopt_unit", note="按承办意见"
    )
    assert review.passed
    case = case_services.case_advance(
        acting_user=cw.user("reviewer_a"), case=case, to_step="prior_notice"
    )
    assert case.step == "prior_notice"


def test_discussion_required_blocks_decision_until_recorded(cw):
    rule(cw, major_public_interest=True, requires_discussion=True)
    case = pass_review(cw, at_review(cw))
    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    case = case_services.case_notify(acting_user=officer, case=case)
    case = case_services.case_record_response(acting_user=officer, case=case, waives_rights=True)
    with pytest.raises(ValidationError, match=r"集体讨论"):
        case_services.case_advance(acting_user=officer, case=case, to_step="decide")
    case = case_services.case_advance(acting_user=officer, case=case, to_step="collective")
    chair, *others = leaders(cw, 3)
    with pytest.raises(ValidationError, match=r"集体讨论"):
        case_services.case_advance(acting_user=leader, case=case, to_step="decide")
    services.discussion_record(
        acting_user=leader,
        case=case,
        held_on=timezone.localdate(),
        chair=chair,
        attendees=[(chair, "同意处罚"), *[(p, "同意") for p in others]],
        conclusion="同意按拟处理意见作出处罚决定",
    )
    case = case_services.case_advance(acting_user=leader, case=case, to_step="decide")
    case = case_services.case_decide(acting_user=leader, case=case, outcome=Outcome.PENALTY)
    assert case.decision_number
    # The decision document cites the review and the discussion.
    from zhifa.cases import documents as case_documents
    from zhifa.catalog.models import DocumentKind

    kind, today = DocumentKind.PENALTY_DECISION, timezone.localdate()
    template = case_documents.template_for(case, kind)
    values = case_documents.context_for(
        case, kind, number=case.decision_number, user=leader, on=today
    )
    official = case_documents.compose(case, template, values, number=case.decision_number, on=today)
    body = "\n".join(official.body)
    assert "本案经法制审核（甲发改法审" in body and "集体讨论。\n" in body
    assert body.index("集体讨论") < body.index("本机关决定")


def test_discussion_quorum_and_members(cw):
    case = at_review(cw)
    leader = cw.user("leader_a")
    chair, second, _third = leaders(cw, 3)
    today = timezone.localdate()
    with pytest.raises(ValidationError, match=r"少于本机关规定的3人"):
        services.discussion_record(
            acting_user=leader, case=case, held_on=today, chair=chair,
            attendees=[(chair, "同意"), (second, "同意")], conclusion="同意",
        )  # fmt: skip
    with pytest.raises(ValidationError, match=r"不是本机关负责人"):
        services.discussion_record(
            acting_user=leader, case=case, held_on=today, chair=chair,
            attendees=[(chair, "同意"), (second, "同意"), (cw.staff("officer_a"), "同意")],
            conclusion="同意",
        )  # fmt: skip
    ReviewSettings.objects.create(agency=cw.world.agency_a, quorum=2)
    discussion = services.discussion_record(
        acting_user=leader, case=case, held_on=today - dt.timedelta(days=1), chair=chair,
        attendees=[(chair, "同意"), (second, "同意")], conclusion="同意",
    )  # fmt: skip
    assert discussion.attendees.count() == 2
    assert Event.objects.filter(kind="discussion.recorded").exists()


def test_advice_request_and_answer(cw):
    review = assign(cw, submitted(cw, at_review(cw)), "reviewer_a", "reviewer2_a")
    advice = services.advice_request(
        acting_user=cw.user("reviewer_a"), review=review, adviser="王律师（公职律师）",
        question="本案是否属于一事不再罚？",
    )  # fmt: skip
    with pytest.raises(PermissionDenied):
        services.advice_answer(acting_user=cw.user("officer_a"), advice=advice, answer="否")
    advice = services.advice_answer(acting_user=cw.user("reviewer_a"), advice=advice, answer="否")
    assert advice.answered_on
    assert Event.objects.filter(kind="review.advice_answered").exists()


def test_review_after_hearing_then_decision(cw):
    from zhifa.cases.tests.conftest import at_hearing, hearing_data

    officer, leader = cw.user("officer_a"), cw.user("leader_a")
    case = at_hearing(cw)
    case_services.case_record_hearing(acting_user=leader, case=case, **hearing_data(cw))
    case.refresh_from_db()
    assert case.step == "legal_review"
    case = pass_review(cw, case)  # back at 事先告知, already notified and heard
    case = case_services.case_advance(acting_user=officer, case=case, to_step="decide")
    case = case_services.case_decide(acting_user=leader, case=case, outcome=Outcome.PENALTY)
    assert case.decision_number


def test_licence_rule_gate(cw):
    rule(cw, case_kind="licence")
    officer = cw.user("officer_a")
    case = case_services.licence_apply(
        acting_user=officer,
        item_version=cw.licence,
        party=cw.org,
        title="企业投资项目核准",
        received_on=timezone.localdate(),
        materials="项目申请报告",
    )
    case = case_services.licence_accept(acting_user=officer, case=case)
    with pytest.raises(ValidationError, match=r"须经法制审核.*目录情形"):
        case_services.case_advance(acting_user=officer, case=case, to_step="decide")
    case = case_services.case_advance(acting_user=officer, case=case, to_step="legal_review")
    case = pass_review(cw, case)
    assert case.step == "decide"
    case = case_services.licence_decide(
        acting_user=cw.user("leader_a"), case=case, granted=True, content="同意核准"
    )
    assert case.outcome == Outcome.GRANTED


def test_todos_for_handling_unit_and_leader(cw):
    from zhifa.core.todo import items_for

    case = at_review(cw)
    review = review_round(cw, case, opinion=Opinion.DISAGREE, text="定性不准", accept=False)
    assert any("法制审核" in i.title for i in items_for(cw.user("officer_a")))
    services.review_disagree(acting_user=cw.user("officer_a"), review=review, reasons="理由")
    assert any("法制审核" in i.title for i in items_for(cw.user("leader_a")))
    assert not any("法制审核" in i.title for i in items_for(cw.user("officer_a")))


def test_accepted_refusal_then_revised_proposal_round_two(cw):
    case = at_review(cw)
    first = review_round(cw, case, opinion=Opinion.DISAGREE, text="罚款畸重")
    assert first.status == ReviewStatus.ACCEPTED and not first.passed
    reviewer = cw.user("reviewer_a")
    with pytest.raises(ValidationError, match=r"须经法制审核"):
        case_services.case_advance(acting_user=reviewer, case=case, to_step="prior_notice")
    # The proposal changes in the handling unit: back to 调查终结 and a new submission.
    officer = cw.user("officer_a")
    case = case_services.case_advance(acting_user=reviewer, case=case, to_step="investigate")
    case = case_services.case_advance(acting_user=officer, case=case, to_step="report")
    case = case_services.case_propose_decision(
        acting_user=officer,
        case=case,
        penalty_types=["罚款"],
        fine_amount=2_000_00,
        major_public_interest=True,
    )
    case = case_services.case_advance(acting_user=officer, case=case, to_step="legal_review")
    second = review_round(cw, case)
    assert second.round == 2 and second.entry_record != first.entry_record
    case = case_services.case_advance(acting_user=reviewer, case=case, to_step="prior_notice")
    assert case.step == "prior_notice"
