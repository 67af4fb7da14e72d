import datetime as dt

import pytest

from zhifa.core import calendar
from zhifa.core.models import HolidaySchedule, ScheduleDay

D = dt.date
pytestmark = pytest.mark.django_db


def test_spring_festival_2025_holidays_and_makeup_sundays():
    # 国办发明电〔2024〕12号: 1月28日至2月4日放假调休, 1月26日（周日）、2月8日（周六）上班.
    assert calendar.is_working_day(D(2025, 1, 26))  # Sunday, make-up working day
    assert calendar.is_working_day(D(2025, 2, 8))  # Saturday, make-up working day
    for day in range(28, 32):
        assert not calendar.is_working_day(D(2025, 1, day))
    assert not calendar.is_working_day(D(2025, 2, 4))
    assert calendar.is_working_day(D(2025, 2, 5))


def test_add_working_days_across_spring_festival():
    # From Friday 2025-01-24: Sun 26 (make-up), Mon 27, then holiday until Wed 5 Feb.
    assert calendar.add_working_days(D(2025, 1, 24), 1) == D(2025, 1, 26)
    assert calendar.add_working_days(D(2025, 1, 24), 2) == D(2025, 1, 27)
    assert calendar.add_working_days(D(2025, 1, 24), 3) == D(2025, 2, 5)
    assert calendar.add_working_days(D(2025, 1, 24), 6) == D(2025, 2, 8)
    assert calendar.add_working_days(D(2025, 1, 24), 7) == D(2025, 2, 10)


def test_seven_working_days_over_national_day_2025():
    # 2025-10-01..08 holiday; 9-28 (Sun) and 10-11 (Sat) make-up working days.
    deadline = calendar.working_deadline(D(2025, 9, 26), 7)
    assert deadline == calendar.Deadline(D(2025, 10, 13), provisional=False)


def test_zero_days_is_the_start_and_negative_is_refused():
    assert calendar.add_working_days(D(2025, 3, 3), 0) == D(2025, 3, 3)
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(D(2025, 3, 3), -1)


def test_working_days_between_is_inverse_of_add():
    start = D(2025, 1, 20)
    for n in range(0, 40):
        end = calendar.add_working_days(start, n)
        assert calendar.working_days_between(start, end) == n
    assert calendar.working_days_between(D(2025, 2, 5), D(2025, 1, 24)) == -3


def test_year_without_schedule_falls_back_to_weekdays_and_is_provisional():
    assert calendar.year_source(2099) == "provisional"
    deadline = calendar.working_deadline(D(2099, 1, 2), 3)  # Friday
    assert deadline.due == D(2099, 1, 7)
    assert deadline.provisional
    assert not calendar.working_deadline(D(2025, 1, 2), 3).provisional


def test_database_schedule_takes_precedence():
    schedule = HolidaySchedule.objects.create(year=2099, notice="测试通知")
    ScheduleDay.objects.create(schedule=schedule, date=D(2099, 1, 5), name="测试假日")
    ScheduleDay.objects.create(schedule=schedule, date=D(2099, 1, 3), is_working_day=True)
    assert calendar.year_source(2099) == "database"
    deadline = calendar.working_deadline(D(2099, 1, 2), 3)
    # Sat 3 (make-up), Mon 5 holiday, so: 3, 6, 7.
    assert deadline == calendar.Deadline(D(2099, 1, 7), provisional=False)
    assert calendar.add_working_days(D(2099, 1, 2), 2) == D(2099, 1, 6)
    # Overriding a packaged year: 2025-01-27 becomes a holiday.
    s2025 = HolidaySchedule.objects.create(year=2025, notice="更正")
    ScheduleDay.objects.create(schedule=s2025, date=D(2025, 1, 27))
    assert not calendar.is_working_day(D(2025, 1, 27))
    # The entered schedule replaces the packaged one for that year entirely.
    assert calendar.is_working_day(D(2025, 1, 28))


def test_calendar_deadline_rolls_past_holidays():
    # 15 calendar days from 2025-09-16 ends on 2025-10-01 (National Day) -> 2025-10-09.
    assert calendar.calendar_deadline(D(2025, 9, 16), 15).due == D(2025, 10, 9)
    assert calendar.calendar_deadline(D(2025, 9, 16), 15, roll_to_working_day=False).due == D(
        2025, 10, 1
    )


@pytest.mark.django_db
def test_year_cache_reads_each_year_once(django_assert_num_queries):
    from zhifa.core import calendar as cal

    with cal.year_cache():
        cal.working_deadline(dt.date(2026, 1, 5), 5)
        with django_assert_num_queries(0):
            cal.working_deadline(dt.date(2026, 3, 2), 10)
