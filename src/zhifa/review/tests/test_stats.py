"""Review statistics and the quarterly XLSX report (L2, L3)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from zhifa.cases import services as case_services
from zhifa.cases.tests.conftest import walk_penalty
from zhifa.review.models import Opinion
from zhifa.review.stats import quarter_bounds, quarter_of, review_stats
from zhifa.review.tests.helpers import review_round


def at_review(cw):
    case = walk_penalty(cw, "report")
    case = case_services.case_propose_decision(
        acting_user=cw.user("officer_a"),
        case=case,
        penalty_types=["罚款"],
        fine_amount=5_000_00,
        complex_case=True,
    )
    return case_services.case_advance(
        acting_user=cw.user("officer_a"), case=case, to_step="legal_review"
    )


def test_quarter_bounds():
    assert quarter_bounds("2026Q1") == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert quarter_bounds("2026Q4") == (dt.date(2026, 10, 1), dt.date(2026, 12, 31))
    with pytest.raises(ValueError):
        quarter_bounds("2026Q5")


def test_stats_and_report(cw, login):
    review_round(cw, at_review(cw))
    review_round(cw, at_review(cw), opinion=Opinion.RETURN, text="证据不足")
    today = timezone.localdate()
    start, end = quarter_bounds(quarter_of(today))
    stats = review_stats(agency_id=cw.world.agency_a.pk, start=start, end=end)
    assert (stats.submitted, stats.issued, stats.passed, stats.returned) == (2, 2, 1, 1)
    assert stats.pass_rate == 0.5 and stats.average_days == 0
    assert stats.problems == [("裁量基准", 1)]
    assert review_stats(agency_id=cw.world.agency_b.pk, start=start, end=end).issued == 0
    client = login(cw.user("reviewer_a"))
    page = client.get(reverse("review:stats"))
    html = page.content.decode()
    assert "裁量基准（1次）" in html
    # The register lists the agency's qualified reviewers, not the other agency's staff.
    register = html[html.index("法制审核人员名册") :]
    assert "reviewer_a" in register and "法律职业资格" in register
    assert "officer_b" not in register
    response = client.get(reverse("review:stats"), {"format": "xlsx"})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["审核统计", "审核明细", "审核人员", "培训记录"]
    assert book["审核明细"].max_row == 3
    assert login(cw.user("officer_a")).get(reverse("review:stats")).status_code == 403
