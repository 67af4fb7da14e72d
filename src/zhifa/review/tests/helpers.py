"""Helpers that carry a case through legal review, for the review tests and the cases tests
that cross the gate."""

from __future__ import annotations

import datetime as dt

from tests.factories import make_staff
from zhifa.catalog.models import Article, DocumentKind, Law, LawLevel, NumberingPattern
from zhifa.org.roles import Role
from zhifa.review import services
from zhifa.review.models import ITEMS, Opinion, Review

PATTERN = "甲发改法审〔{year}〕{seq}号"


def article() -> Article:
    law, _ = Law.objects.get_or_create(
        title="中华人民共和国行政处罚法",
        version_date=dt.date(2021, 1, 22),
        defaults={"level": LawLevel.LAW},
    )
    found, _ = Article.objects.get_or_create(
        law=law, number="第五十八条", defaults={"index": 58, "text": "……应当进行法制审核……"}
    )
    return found


def setup_reviewers(cw) -> None:
    """A second reviewer (法律专业背景) as 复审人 and the review-opinion numbering of agency A."""
    if "reviewer2_a" not in cw.world.staff:
        cw.world.staff["reviewer2_a"] = make_staff(
            cw.world.agency_a,
            "reviewer2_a",
            Role.REVIEWER,
            unit="法制科",
            legal_qualification="background",
        )
    NumberingPattern.objects.get_or_create(
        agency=cw.world.agency_a, kind=DocumentKind.REVIEW_OPINION, defaults={"pattern": PATTERN}
    )


def findings(problem: str = "") -> dict:
    return {code: (code != problem, "裁量偏重" if code == problem else "") for code, _ in ITEMS}


def review_round(
    cw, case, *, opinion: str = Opinion.AGREE, text: str = "", accept: bool = True
) -> Review:
    """Submit, assign, find, confirm (and accept) one review round of `case` (at 法制审核)."""
    setup_reviewers(cw)
    review = services.review_submit(
        acting_user=cw.user("officer_a"), case=case, proposal="罚款5000元", report="调查终结报告"
    )
    review = services.review_assign(
        acting_user=cw.user("reviewer_a"),
        review=review,
        reviewer=cw.staff("reviewer_a"),
        re_reviewer=cw.staff("reviewer2_a"),
    )
    problem = "" if opinion == Opinion.AGREE else "discretion"
    review = services.review_record_findings(
        acting_user=cw.user("reviewer_a"),
        review=review,
        findings=findings(problem),
        opinion=opinion,
        opinion_text=text or ("" if opinion == Opinion.AGREE else "请补充证据"),
        articles=[article()],
    )
    review = services.review_confirm(acting_user=cw.user("reviewer2_a"), review=review)
    if accept and opinion != Opinion.RETURN:
        review = services.review_accept(acting_user=cw.user("officer_a"), review=review)
    return review


def pass_review(cw, case):
    """Case at 法制审核 → a passed review → the reviewer moves it on (审核通过)."""
    from zhifa.cases import services as case_services

    review_round(cw, case)
    target = "prior_notice" if case.kind == "penalty" else "decide"
    return case_services.case_advance(acting_user=cw.user("reviewer_a"), case=case, to_step=target)
