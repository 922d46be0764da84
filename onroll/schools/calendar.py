"""School-day arithmetic: pure functions over an immutable set of school days.

A date is a school day when it falls inside a term, outside that term's half term, on a weekday, and is
neither an England bank holiday nor one of the calendar's non-school days (INSET, closures).

Nothing here reads the clock or the database: `queries.calendar_for(school)` builds a `SchoolDays` from the
stored calendar, and tests build one from literal dates.

A calendar only knows the years its terms cover. Asking about a date outside that span raises
`CalendarNotCovered` rather than guessing, because a wrong answer would silently move a statutory deadline.
"""

import bisect
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import holidays


class CalendarNotCovered(ValueError):
    """The question reaches beyond the terms the calendar holds; add the missing year's terms."""


class TermDates(NamedTuple):
    start: dt.date
    end: dt.date
    half_term_start: dt.date
    half_term_end: dt.date


@dataclass(frozen=True)
class SchoolDays:
    """Every school day from the first term's start to the last term's end, sorted."""

    first: dt.date
    last: dt.date
    days: tuple[dt.date, ...] = field(repr=False)  # hundreds of dates would swamp error messages

    def __contains__(self, date: dt.date) -> bool:
        i = bisect.bisect_left(self.days, date)
        return i < len(self.days) and self.days[i] == date


def england_bank_holidays(years: Iterable[int]) -> frozenset[dt.date]:
    # The holidays package carries the dates as data, so this works offline.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=list(years)))


def build_school_days(terms: Iterable[TermDates], closed: Iterable[dt.date] = ()) -> SchoolDays:
    """School days of these terms, less weekends, half terms, bank holidays and `closed` dates."""
    terms = sorted(terms)
    if not terms:
        raise ValueError("A calendar needs at least one term")
    first, last = terms[0].start, max(t.end for t in terms)
    not_school = set(closed) | england_bank_holidays(range(first.year, last.year + 1))
    days = set()
    for term in terms:
        for offset in range((term.end - term.start).days + 1):
            date = term.start + dt.timedelta(days=offset)
            in_half_term = term.half_term_start <= date <= term.half_term_end
            if date.weekday() < 5 and not in_half_term and date not in not_school:
                days.add(date)
    return SchoolDays(first=first, last=last, days=tuple(sorted(days)))


def _check_covered(days: SchoolDays, *dates: dt.date) -> None:
    for date in dates:
        if not days.first <= date <= days.last:
            raise CalendarNotCovered(
                f"{date:%d %B %Y} is outside the calendar's terms "
                f"({days.first:%d %B %Y} to {days.last:%d %B %Y})"
            )


def is_school_day(days: SchoolDays, date: dt.date) -> bool:
    _check_covered(days, date)
    return date in days


def nth_school_day_after(days: SchoolDays, date: dt.date, n: int) -> dt.date:
    """The Nth school day strictly after `date` (n=1 is the next school day; `date` itself never counts)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    _check_covered(days, date)
    i = bisect.bisect_right(days.days, date) + n - 1
    if i >= len(days.days):
        raise CalendarNotCovered(
            f"The calendar's terms end on {days.last:%d %B %Y} before {n} school days after {date:%d %B %Y}"
        )
    return days.days[i]


def school_days_in(days: SchoolDays, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
    """The school days from `start` to `end`, both included, in order; empty if end is before start."""
    _check_covered(days, start, end)
    return days.days[bisect.bisect_left(days.days, start) : bisect.bisect_right(days.days, end)]


def school_days_between(days: SchoolDays, start: dt.date, end: dt.date) -> int:
    """How many school days from `start` to `end`, counting BOTH ends when they are school days.

    So a run of absence from Monday to Friday of one full school week is 5, and
    `school_days_between(d + 1 day, nth_school_day_after(d, n)) == n`. Zero if end is before start.
    """
    return len(school_days_in(days, start, end))


def nth_working_day_after(date: dt.date, n: int) -> dt.date:
    """The Nth working day (Monday to Friday, not an England bank holiday) strictly after `date`.

    Working days need no term dates, so this never raises CalendarNotCovered."""
    if n < 1:
        raise ValueError("n must be at least 1")
    bank_holidays = england_bank_holidays(range(date.year, date.year + 2 + n // 200))
    while n:
        date += dt.timedelta(days=1)
        if date.weekday() < 5 and date not in bank_holidays:
            n -= 1
    return date
