"""One child's attendance for the child page: the school year's register and the measures, as plain values.

The measures are the same vectorised functions the daily run uses (`measures.all_measures`), on a one-pupil
matrix, so the page and the run cannot disagree. One query reads the marks; the calendar is read by
`schools.queries.calendar_for`.
"""

import bisect
import calendar as month_calendar
import datetime as dt
import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass

from onroll.core.school_age import academic_year_start
from onroll.schools.calendar import SchoolDays
from onroll.schools.queries import NoCalendar, calendar_for

from .codes import Category, load_code_table
from .measures import CodeIndex, all_measures, encode_marks, session_index
from .models import AttendanceMark, Session

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")


@functools.cache
def _code_table():
    return load_code_table()


@functools.cache
def _code_index() -> CodeIndex:
    return CodeIndex.from_table(_code_table())


def meaning_of(code: str) -> str:
    info = _code_table().get(code)
    return info.meaning if info else "Unknown code"


def category_of(code: str) -> str:
    info = _code_table().get(code)
    return info.category if info else ""


def school_year_start(on: dt.date) -> dt.date:
    return dt.date(academic_year_start(on), 9, 1)


def attendance_school(enrolments: Iterable):
    """The school whose register the page shows: the current enrolment's, else the most recent one's."""
    enrolments = sorted(enrolments, key=lambda e: e.entry_date, reverse=True)
    current = [e for e in enrolments if e.leaving_date is None]
    chosen = (current or enrolments or [None])[0]
    return chosen.school if chosen else None


@dataclass(frozen=True, slots=True)
class DayMarks:
    date: dt.date
    am_code: str
    pm_code: str
    am_meaning: str
    pm_meaning: str

    @property
    def css_category(self) -> str:
        """The more serious of the two sessions' categories, for a (non-essential) cell colour."""
        order = (Category.UNAUTHORISED, Category.AUTHORISED, Category.NOT_COUNTED, Category.PRESENT)
        found = {category_of(self.am_code), category_of(self.pm_code)}
        for category in order:
            if category in found:
                return category.name.lower().replace("_", "-")
        return "none"


@dataclass(frozen=True, slots=True)
class PupilMeasures:
    """`measures.Measures` for one pupil, as plain Python numbers (rates are percentages, None if no
    possible session yet)."""

    gno_run_days: int
    unauthorised_run_days: int
    days_since_leave_unreturned: int
    possible_sessions: int
    present_sessions: int
    absent_sessions: int
    attendance_rate: float | None
    absence_rate: float | None
    persistent: bool
    severe: bool
    unauthorised_10_weeks: int
    penalty_notice_threshold: bool
    illness_sessions: int
    illness_run_days: int
    illness_15_days: bool
    overdue_n_sessions: int
    n_overdue: bool


@dataclass(frozen=True, slots=True)
class CalendarCell:
    date: dt.date | None  # None: a weekday of another month
    school_day: bool = False
    future: bool = False
    marks: DayMarks | None = None


@dataclass(frozen=True, slots=True)
class Month:
    caption: str
    weeks: tuple[tuple[CalendarCell, ...], ...]


@dataclass(frozen=True)
class ChildAttendance:
    school: object | None
    on: dt.date
    reason: str = ""  # why nothing is shown; empty when there are marks
    start: dt.date | None = None
    end: dt.date | None = None  # last day of the window (never after `on`)
    as_of: dt.date | None = None  # the last school day <= on: the measures' date
    school_days: tuple[dt.date, ...] = ()
    days: tuple[DayMarks, ...] = ()  # one per school day in the window
    measures: PupilMeasures | None = None

    @property
    def recorded(self) -> bool:
        return not self.reason

    @property
    def codes_used(self) -> list[tuple[str, str]]:
        used = {code for day in self.days for code in (day.am_code, day.pm_code) if code}
        return [(code, meaning_of(code)) for code in sorted(used)]

    @property
    def months(self) -> list[Month]:
        """One Month per calendar month of the window; weeks Monday to Friday."""
        if not self.recorded:
            return []
        by_date = {day.date: day for day in self.days}
        school = set(self.school_days)
        months, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            weeks = []
            for week in month_calendar.Calendar().monthdatescalendar(year, month):
                cells = tuple(
                    CalendarCell(
                        date=date,
                        school_day=date in school,
                        future=date > self.on,
                        marks=by_date.get(date),
                    )
                    if date.month == month and not date < self.start
                    else CalendarCell(date=None)
                    for date in week[:5]
                )
                if any(cell.date for cell in cells):
                    weeks.append(cells)
            months.append(Month(caption=dt.date(year, month, 1).strftime("%B %Y"), weeks=tuple(weeks)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return months


def _plain(measures, row: int = 0) -> PupilMeasures:
    values = {}
    for name in PupilMeasures.__slots__:
        value = getattr(measures, name)[row].item()
        if name.endswith("_rate"):
            value = None if math.isnan(value) else round(value * 100, 1)
        values[name] = value
    return PupilMeasures(**values)


def attendance_for(child, school, on: dt.date) -> ChildAttendance:
    """The child's register at `school` for the school year containing `on`, up to `on`, and the measures
    as of the last school day on or before `on`. Never raises for missing data: see `reason`."""
    if school is None:
        return ChildAttendance(
            school=None, on=on, reason="The child is not on any school roll Onroll knows of."
        )
    try:
        days = calendar_for(school)
    except NoCalendar:
        return ChildAttendance(
            school=school,
            on=on,
            reason=f"{school} has no term dates in Onroll, so its register cannot be shown.",
        )
    year_start = school_year_start(on)
    start = max(year_start, days.first)
    end = min(dt.date(year_start.year + 1, 8, 31), days.last, on)
    if end < start:
        return ChildAttendance(
            school=school, on=on, reason="Onroll has no term dates for this school year at this school."
        )
    window = days.days[bisect.bisect_left(days.days, start) : bisect.bisect_right(days.days, end)]
    if not window:
        return ChildAttendance(school=school, on=on, reason="There have been no school days yet this year.")

    marks = {
        (date, session): code
        for date, session, code in AttendanceMark.objects.filter(
            child=child, school=school, date__range=(window[0], window[-1])
        ).values_list("date", "session", "code")
    }
    if not marks:
        return ChildAttendance(
            school=school, on=on, reason=f"{school} has sent no register marks for this school year yet."
        )

    index = _code_index()
    window_days = SchoolDays(first=window[0], last=window[-1], days=window)
    triples = [
        (0, session_index(window_days, date, pm=session == Session.PM), code)
        for (date, session), code in marks.items()
        if date in window_days and code in index.number
    ]
    matrix = encode_marks(index, 1, 2 * len(window), triples)
    as_of = 2 * len(window) - 1  # the PM of the last school day on or before `on`
    per_day = tuple(
        DayMarks(
            date=date,
            am_code=(am := marks.get((date, Session.AM), "")),
            pm_code=(pm := marks.get((date, Session.PM), "")),
            am_meaning=meaning_of(am) if am else "No mark",
            pm_meaning=meaning_of(pm) if pm else "No mark",
        )
        for date in window
    )
    return ChildAttendance(
        school=school,
        on=on,
        start=start,
        end=end,
        as_of=window[-1],
        school_days=window,
        days=per_day,
        measures=_plain(all_measures(matrix, index, as_of, workers=1)),
    )
