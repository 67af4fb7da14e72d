"""Review statistics per period and the quarterly training-and-review report (L2, L3)."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field

from zhifa.core.calendar import working_days_between
from zhifa.org.models import Staff, TrainingRecord
from zhifa.review.models import ITEM_NAMES, PASSING, Opinion, Review, ReviewFinding

QUARTER_RE = re.compile(r"^(\d{4})Q([1-4])$")


def quarter_of(day: dt.date) -> str:
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(quarter: str) -> tuple[dt.date, dt.date]:
    """ "2026Q1" → (2026-01-01, 2026-03-31); ValueError when malformed."""
    match = QUARTER_RE.match(quarter)
    if not match:
        raise ValueError("季度格式应为“2026Q1”。")
    year, q = int(match[1]), int(match[2])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


@dataclass
class Stats:
    start: dt.date
    end: dt.date
    submitted: int = 0
    issued: int = 0
    passed: int = 0
    returned: int = 0
    refused: int = 0
    overdue: int = 0
    average_days: float | None = None
    problems: list[tuple[str, int]] = field(default_factory=list)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.issued if self.issued else None

    @property
    def return_rate(self) -> float | None:
        return self.returned / self.issued if self.issued else None


def review_stats(*, agency_id: int, start: dt.date, end: dt.date) -> Stats:
    """Reviews of the agency submitted or issued in [start, end]."""
    stats = Stats(start, end)
    stats.submitted = Review.objects.filter(
        agency_id=agency_id, submitted_at__date__range=(start, end)
    ).count()
    issued = list(
        Review.objects.filter(agency_id=agency_id, issued_on__range=(start, end)).only(
            "submitted_at", "issued_on", "due_on", "opinion"
        )
    )
    stats.issued = len(issued)
    stats.passed = sum(r.opinion in PASSING for r in issued)
    stats.returned = sum(r.opinion == Opinion.RETURN for r in issued)
    stats.refused = sum(r.opinion == Opinion.DISAGREE for r in issued)
    stats.overdue = sum(r.issued_on > r.due_on for r in issued)
    if issued:
        days = [working_days_between(r.submitted_at.date(), r.issued_on) for r in issued]
        stats.average_days = round(sum(days) / len(days), 1)
    counts = Counter(
        ReviewFinding.objects.filter(
            review__agency_id=agency_id, review__issued_on__range=(start, end), lawful=False
        ).values_list("item", flat=True)
    )
    stats.problems = [(ITEM_NAMES[item], n) for item, n in counts.most_common(5)]
    return stats


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def reviewer_register(*, agency):
    """法制审核人员名册 (L2): the agency's active staff with a legal-review qualification."""
    return (
        Staff.objects.filter(agency=agency, is_active=True)
        .exclude(legal_qualification="")
        .select_related("unit")
        .order_by("real_name")
    )


def quarterly_report(*, agency, quarter: str) -> bytes:
    """The quarterly training and review report (季度培训及审核情况报告) as XLSX."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    start, end = quarter_bounds(quarter)
    stats = review_stats(agency_id=agency.pk, start=start, end=end)
    book = Workbook()
    sheet = book.active
    sheet.title = "审核统计"
    sheet.append([f"{agency.name}{quarter[:4]}年第{quarter[-1]}季度法制审核及培训情况"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["统计期间", f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"])
    rows = [
        ("报送审核件数", stats.submitted),
        ("出具审核意见件数", stats.issued),
        ("同意（含修改后同意）", stats.passed),
        ("不同意", stats.refused),
        ("退回补充调查", stats.returned),
        ("通过率", _percent(stats.pass_rate)),
        ("退回率", _percent(stats.return_rate)),
        ("平均审核用时（工作日）", "—" if stats.average_days is None else stats.average_days),
        ("超期出具件数", stats.overdue),
    ]
    for row in rows:
        sheet.append(list(row))
    sheet.append([])
    sheet.append(["常见问题（审查事项）", "次数"])
    for name, count in stats.problems:
        sheet.append([name, count])
    detail = book.create_sheet("审核明细")
    detail.append(
        ["意见书编号", "案件编号", "案由", "报送日期", "出具日期", "审查意见", "审核人", "复审人"]
    )
    for r in (
        Review.objects.filter(agency=agency, issued_on__range=(start, end))
        .select_related("case", "reviewer", "re_reviewer")
        .order_by("issued_on", "pk")
    ):
        detail.append(
            [
                r.number,
                r.case.number,
                r.case.title,
                r.submitted_at.date().isoformat(),
                r.issued_on.isoformat(),
                r.get_opinion_display(),
                r.reviewer.real_name if r.reviewer else "",
                r.re_reviewer.real_name if r.re_reviewer else "",
            ]
        )
    register = book.create_sheet("审核人员")
    register.append(["姓名", "科室", "法制审核资格", "资格说明"])
    for s in reviewer_register(agency=agency):
        register.append(
            [s.real_name, s.unit.name, s.get_legal_qualification_display(), s.qualification_detail]
        )
    training = book.create_sheet("培训记录")
    training.append(["姓名", "课程", "学时", "培训日期", "组织单位"])
    for t in (
        TrainingRecord.objects.filter(staff__agency=agency, attended_on__range=(start, end))
        .select_related("staff")
        .order_by("attended_on", "pk")
    ):
        training.append(
            [t.staff.real_name, t.course, float(t.hours), t.attended_on.isoformat(), t.organiser]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
