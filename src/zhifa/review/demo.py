"""Demo legal review for 宁晋县发展改革局: the review settings, two lines of its 审核目录清单,
major penalty cases: one awaiting its 审核人, one whose review passed (numbered review document
issued, accepted by the handling unit, case moved on to 事先告知), one returned for further
investigation, one decided after collective discussion, and the cases demo's case heard at a
听证 submitted for review (awaiting its reviewers). Made through the services,
so every step is on the case's ledger timeline. Idempotent: skipped once a review exists."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from zhifa.cases import services as case_services
from zhifa.catalog.models import Article
from zhifa.core import demo
from zhifa.org.models import Agency, Staff
from zhifa.review import services
from zhifa.review.models import ITEMS, Opinion, Review, ReviewRule, ReviewSettings

AGENCY = "宁晋县发展改革局"


def _ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def _major_case(make, code: str, party, title: str, start: int, fine: int, penalties=("罚款",)):
    """A penalty case at 法制审核 with a proposal above the catalogue's amount line."""
    from zhifa.cases.demo import discretion_for

    case = make.penalty(code, party, title, "investigate", start, 0)
    o = make.officer
    case_services.case_advance(acting_user=o, case=case, to_step="report", on=_ago(start - 8))
    case_services.case_propose_decision(
        acting_user=o,
        case=case,
        penalty_types=list(penalties),
        fine_amount=fine,
        content="、".join(penalties) + f"，罚款{fine // 100}元",
        facts="经查，当事人未依法办理手续擅自开工建设，总投资额较大。",
        **discretion_for(case.item_version, fine),  # the 裁量基准 circumstance (118号)
    )
    case_services.case_advance(acting_user=o, case=case, to_step="legal_review", on=_ago(start - 9))
    return case


def _review_round(make, r1, r2, case, opinion: str, text: str, basis) -> Review:
    review = services.review_submit(
        acting_user=make.officer, case=case, proposal=text, report="调查终结报告：…"
    )
    services.review_assign(acting_user=r1.user, review=review, reviewer=r1, re_reviewer=r2)
    findings = {code: (True, "") for code, _ in ITEMS}
    if opinion == Opinion.RETURN:
        findings["evidence"] = (False, "项目实际开工时间的证据不足。")
    services.review_record_findings(
        acting_user=r1.user,
        review=review,
        findings=findings,
        opinion=opinion,
        opinion_text=text,
        articles=basis,
    )
    return services.review_confirm(acting_user=r2.user, review=review)


def _decide_after_discussion(make, r1, case) -> None:
    """The party waives its rights, the leaders discuss (集体讨论, 处罚法 art. 57) and decide."""
    leaders = list(
        Staff.objects.filter(user__username__in=["leader1", "leader2", "leader3"]).order_by(
            "user__username"
        )
    )
    officer, chair = make.officer, leaders[0]
    case_services.case_advance(acting_user=r1.user, case=case, to_step="prior_notice")
    case_services.case_notify(acting_user=officer, case=case)
    case_services.case_record_response(acting_user=officer, case=case, waives_rights=True)
    case_services.case_advance(acting_user=officer, case=case, to_step="collective")
    services.discussion_record(
        acting_user=chair.user,
        case=case,
        held_on=timezone.localdate(),
        chair=chair,
        attendees=[(chair, "同意法制审核意见"), *[(p, "同意") for p in leaders[1:]]],
        conclusion="同意责令停产停业并处罚款，按法制审核意见作出决定。",
    )
    case_services.case_advance(acting_user=chair.user, case=case, to_step="decide")
    case_services.case_decide(acting_user=chair.user, case=case, outcome="penalty")


def _submit_after_hearing(make, agency) -> bool:
    """The cases demo's case whose 听证 was held (处罚法 art. 58: review is mandatory after a
    hearing) is submitted for review, waiting for the 法制科 to assign its reviewers: the
    review package shows the 听证笔录."""
    from zhifa.cases.demo import HEARING_TITLE, MARK
    from zhifa.cases.models import Case

    case = Case.objects.filter(
        agency=agency, title=HEARING_TITLE + MARK, step="legal_review", reviews__isnull=True
    ).first()
    if case is None:
        return False
    services.review_submit(
        acting_user=make.officer,
        case=case,
        proposal=case.decision_content or "罚款20万元",
        report="调查终结报告：当事人未取得核准文件即开工建设年产3万吨精密铸件项目，违法事实清楚，"
        "证据确凿。当事人申请听证，听证已依法举行，代理人对项目总投资额提出异议并提交设备采购"
        "合同，经核实不影响裁量档次，建议维持罚款20万元的处理意见。听证笔录附后。",
    )
    return True


@demo.register(40, "法制审核")
def load(say) -> None:
    from zhifa.cases.demo import _Maker

    agency = Agency.objects.filter(name=AGENCY).first()
    if agency is None:
        say(f"未找到{AGENCY}，跳过法制审核演示。")
        return
    if Review.objects.filter(agency=agency).exists():
        say("法制审核演示数据已存在，跳过。")
        return
    reviewers = {
        s.user.username: s
        for s in Staff.objects.filter(user__username__in=["reviewer1", "reviewer2"])
    }
    make = _Maker(agency)
    if len(reviewers) < 2 or len(make.u) < 3 or "CF-001" not in make.items:
        say("演示账号或执法事项不全，跳过法制审核演示。")
        return
    basis = list(
        Article.objects.filter(law__title="中华人民共和国行政处罚法", number="第五十八条")[:1]
    ) or [b.article for b in make.items["CF-001"].basis.select_related("article")[:1]]
    if not basis:
        say("法律依据库中没有可引用的法条，跳过法制审核演示。")
        return
    with transaction.atomic():
        ReviewSettings.objects.get_or_create(agency=agency)
        ReviewRule.objects.get_or_create(
            agency=agency,
            name="罚没金额较大（法人或其他组织50万元以上）",
            defaults={
                "basis": "本局重大执法决定法制审核目录清单第一项",
                "case_kind": "penalty",
                "threshold_organisation": 500_000_00,
            },
        )
        ReviewRule.objects.get_or_create(
            agency=agency,
            name="吊销许可证件、责令停产停业或责令关闭",
            defaults={
                "basis": "本局重大执法决定法制审核目录清单第二项；处罚法第五十七条第二款",
                "penalty_types": ["吊销许可证件", "责令停产停业", "责令关闭"],
                "requires_discussion": True,
            },
        )
        r1, r2 = reviewers["reviewer1"], reviewers["reviewer2"]
        waiting = _major_case(
            make, "CF-001", make.party("宁晋县华北光伏电力有限公司", 104),
            "未依法办理核准手续擅自建设光伏电站", 30, 600_000_00,
        )  # fmt: skip
        review = services.review_submit(
            acting_user=make.officer, case=waiting, proposal="罚款60万元", report="调查终结报告：…"
        )
        services.review_assign(acting_user=r1.user, review=review, reviewer=r1, re_reviewer=r2)
        passed = _major_case(
            make, "CF-001", make.party("宁晋县永盛热力有限公司", 105),
            "未依法办理核准手续擅自建设热电联产项目", 35, 550_000_00,
        )  # fmt: skip
        review = services.review_submit(
            acting_user=make.officer, case=passed, proposal="罚款55万元", report="调查终结报告：…"
        )
        services.review_assign(acting_user=r1.user, review=review, reviewer=r1, re_reviewer=r2)
        findings = {code: (True, "") for code, _ in ITEMS}
        findings["discretion"] = (False, "罚款数额应按裁量基准中“情节较重”档确定。")
        services.review_record_findings(
            acting_user=r1.user,
            review=review,
            findings=findings,
            opinion=Opinion.AGREE_REVISED,
            opinion_text="建议按裁量基准调整罚款数额后作出决定。",
            articles=basis,
        )
        services.review_confirm(acting_user=r2.user, review=review)
        services.review_accept(acting_user=make.officer, review=review)
        case_services.case_advance(acting_user=r1.user, case=passed, to_step="prior_notice")
        returned = _major_case(
            make, "CF-001", make.party("宁晋县鑫源新材料有限公司", 106),
            "未依法办理核准手续擅自建设新材料生产线", 40, 520_000_00,
        )  # fmt: skip
        _review_round(make, r1, r2, returned, Opinion.RETURN, "退回补充调查：核实开工时间。", basis)
        heard = _submit_after_hearing(make, agency)
    if Staff.objects.filter(agency=agency, user__groups__name="局领导").count() >= 3:
        with transaction.atomic():
            decided = _major_case(
                make, "CF-001", make.party("宁晋县恒泰化工有限公司", 107),
                "未依法办理核准手续擅自建设化工项目", 50, 800_000_00, ("罚款", "责令停产停业"),
            )  # fmt: skip
            review = _review_round(make, r1, r2, decided, Opinion.AGREE, "同意承办意见。", basis)
            services.review_accept(acting_user=make.officer, review=review)
            _decide_after_discussion(make, r1, decided)
    say(
        "法制审核：目录规则2条；待审核、审核通过、退回补充调查、集体讨论后决定的案件各1件"
        + ("；听证后报送待分配审核人员的案件1件。" if heard else "。")
    )
