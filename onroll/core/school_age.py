"""Compulsory school age and national curriculum year (reference/rules.md sections 1-3).

Every function is pure: give it the dates it needs; nothing reads the clock.
"""

import datetime as dt

PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))  # Start of Compulsory School Age Order 1998


def birthday(dob: dt.date, age: int) -> dt.date:
    """The date a child turns `age`; a 29 February birthday falls on 1 March in other years."""
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:
        return dt.date(dob.year + age, 3, 1)


def csa_start(dob: dt.date) -> dt.date:
    """First day of compulsory school age: the 5th birthday if prescribed, else the next prescribed day."""
    fifth = birthday(dob, 5)
    candidates = [dt.date(year, m, d) for year in (fifth.year, fifth.year + 1) for m, d in PRESCRIBED_DAYS]
    return min(day for day in candidates if day >= fifth)


def last_friday_in_june(year: int) -> dt.date:
    day = dt.date(year, 6, 30)
    return day - dt.timedelta(days=(day.weekday() - 4) % 7)


def csa_end(dob: dt.date, school_year_starts: tuple[int, int] = (9, 1)) -> dt.date:
    """The school leaving date: the last day of compulsory school age (last Friday in June).

    `school_year_starts` is (month, day) of the next school year's start; the law says the first term
    after July, so an LA can set its own term start (see rules.md, edge case).
    """
    sixteenth = birthday(dob, 16)
    leaving = last_friday_in_june(sixteenth.year)
    next_year_start = dt.date(sixteenth.year, *school_year_starts)
    if sixteenth <= leaving or sixteenth < next_year_start:
        return leaving
    return last_friday_in_june(sixteenth.year + 1)


def is_compulsory_school_age(dob: dt.date, on: dt.date) -> bool:
    return csa_start(dob) <= on <= csa_end(dob)


def academic_year_start(on: dt.date) -> int:
    """The calendar year in which the school year containing `on` began (1 September cut-off)."""
    return on.year if on.month >= 9 else on.year - 1


def nc_year(dob: dt.date, on: dt.date) -> int:
    """National curriculum year by age: -1 nursery, 0 Reception, 1..11, 12..13 sixth form."""
    start_year = academic_year_start(on)
    cut_off = dt.date(start_year, 8, 31)
    age = cut_off.year - dob.year - ((cut_off.month, cut_off.day) < (dob.month, dob.day))
    return age - 4


def nc_year_label(year: int) -> str:
    if year == 0:
        return "Reception"
    if year < 0:
        return "Nursery" if year == -1 else "Pre-school"
    return f"Year {year}"


def nc_year_born_between(year: int, on: dt.date) -> tuple[dt.date, dt.date]:
    """The birth-date range of the cohort in NC `year` during the school year containing `on`."""
    start_year = academic_year_start(on)
    born_from = dt.date(start_year - year - 5, 9, 1)
    return born_from, dt.date(start_year - year - 4, 8, 31)
