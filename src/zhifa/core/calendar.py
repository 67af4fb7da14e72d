"""Working-day calendar (工作日) for statutory time limits.

Which days are working days follows the State Council's yearly holiday notice, including 调休
make-up working days on weekends. Sources, in order of precedence:

1. a schedule entered by an administrator in the database (announced every November);
2. the ``chinesecalendar`` package's tables;
3. otherwise Monday–Friday, and the result is marked *provisional*, never a silent guess.

A period of N days does not count the day of the triggering event (民法典 art. 201); the
deadline is the Nth working day after it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

import chinese_calendar

Source = Literal["database", "package", "provisional"]


@dataclass(frozen=True)
class Deadline:
    due: dt.date
    provisional: bool  # a year on the way had no official schedule: weekdays were assumed


class _Resolver:
    """Answers is-working-day questions for one computation, loading each year once."""

    def __init__(self) -> None:
        self._years: dict[int, tuple[Source, set[dt.date], set[dt.date]]] = {}
        self.provisional = False

    def _year(self, year: int) -> tuple[Source, set[dt.date], set[dt.date]]:
        if year not in self._years:
            self._years[year] = _load_year(year)
        return self._years[year]

    def is_working_day(self, day: dt.date) -> bool:
        source, holidays, workdays = self._year(day.year)
        if source == "provisional":
            self.provisional = True
        if day in workdays:
            return True
        if day in holidays:
            return False
        if source == "package":
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5


_year_memo: ContextVar[dict | None] = ContextVar("zhifa_calendar_years", default=None)


@contextmanager
def year_cache() -> Iterator[None]:
    """Within this block each year's schedule is read once (list pages computing many
    deadlines keep a bounded number of queries)."""
    token = _year_memo.set({})
    try:
        yield
    finally:
        _year_memo.reset(token)


def _load_year(year: int) -> tuple[Source, set[dt.date], set[dt.date]]:
    memo = _year_memo.get()
    if memo is None:
        return _read_year(year)
    if year not in memo:
        memo[year] = _read_year(year)
    return memo[year]


def _read_year(year: int) -> tuple[Source, set[dt.date], set[dt.date]]:
    from zhifa.core.models import HolidaySchedule

    schedule = HolidaySchedule.objects.filter(year=year).prefetch_related("days").first()
    if schedule is not None:
        holidays = {d.date for d in schedule.days.all() if not d.is_working_day}
        workdays = {d.date for d in schedule.days.all() if d.is_working_day}
        return "database", holidays, workdays
    if package_covers(year):
        return "package", set(), set()
    return "provisional", set(), set()


def package_covers(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def year_source(year: int) -> Source:
    return _load_year(year)[0]


def is_working_day(day: dt.date) -> bool:
    return _Resolver().is_working_day(day)


def working_deadline(start: dt.date, days: int) -> Deadline:
    """The date `days` working days after `start` (which itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    resolver = _Resolver()
    current, remaining = start, days
    while remaining:
        current += dt.timedelta(days=1)
        if resolver.is_working_day(current):
            remaining -= 1
    return Deadline(current, resolver.provisional)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return working_deadline(start, days).due


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days in (start, end]; negative when end is before start."""
    if end < start:
        return -working_days_between(end, start)
    resolver = _Resolver()
    count, current = 0, start
    while current < end:
        current += dt.timedelta(days=1)
        count += resolver.is_working_day(current)
    return count


def calendar_deadline(start: dt.date, days: int, *, roll_to_working_day: bool = True) -> Deadline:
    """A period counted in calendar days (e.g. 处罚法 art. 60's 90 days).

    When the last day is a holiday the period ends on the next working day
    (民法典 art. 203); the switch keeps that rule configurable.
    """
    resolver = _Resolver()
    due = start + dt.timedelta(days=days)
    if roll_to_working_day:
        while not resolver.is_working_day(due):
            due += dt.timedelta(days=1)
    return Deadline(due, resolver.provisional)


def missing_schedule_years(years: range | list[int]) -> list[int]:
    """Years for which deadlines would be provisional."""
    return [year for year in years if year_source(year) == "provisional"]
