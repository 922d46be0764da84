"""School calendars and school-day arithmetic, on fixed English 2025/26 and 2026/27 dates (no clock)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import IntegrityError, transaction
from hypothesis import assume, given
from hypothesis import strategies as st

from onroll.demo.calendars import create_default_calendar
from onroll.schools.calendar import (
    CalendarNotCovered,
    TermDates,
    build_school_days,
    england_bank_holidays,
    is_school_day,
    nth_school_day_after,
    school_days_between,
    school_days_in,
)
from onroll.schools.models import NonSchoolDay, NonSchoolDayKind, SchoolCalendar, Term
from onroll.schools.queries import NoCalendar, calendar_for

from . import factories as f

D = dt.date
# start, end, half term first and last day. Spring 2027 runs past Easter, so Good Friday and Easter
# Monday fall inside a term; in 2026 they fall in the Easter holiday.
TERMS = [
    TermDates(D(2025, 9, 1), D(2025, 12, 19), D(2025, 10, 27), D(2025, 10, 31)),
    TermDates(D(2026, 1, 5), D(2026, 3, 27), D(2026, 2, 16), D(2026, 2, 20)),
    TermDates(D(2026, 4, 13), D(2026, 7, 22), D(2026, 5, 25), D(2026, 5, 29)),
    TermDates(D(2026, 9, 1), D(2026, 12, 18), D(2026, 10, 26), D(2026, 10, 30)),
    TermDates(D(2027, 1, 4), D(2027, 3, 31), D(2027, 2, 15), D(2027, 2, 19)),
    TermDates(D(2027, 4, 19), D(2027, 7, 21), D(2027, 5, 31), D(2027, 6, 4)),
]
INSET = [D(2025, 9, 1), D(2025, 9, 2), D(2026, 9, 1)]
DAYS = build_school_days(TERMS, INSET)


def test_half_term_is_not_school_but_the_days_either_side_are():
    assert is_school_day(DAYS, D(2025, 10, 24))  # Friday before
    assert not any(is_school_day(DAYS, D(2025, 10, d)) for d in range(27, 32))
    assert is_school_day(DAYS, D(2025, 11, 3))  # Monday after
    assert nth_school_day_after(DAYS, D(2025, 10, 24), 1) == D(2025, 11, 3)


def test_tenth_school_day_after_the_friday_before_half_term():
    # 3-7 and 10-14 November.
    assert nth_school_day_after(DAYS, D(2025, 10, 24), 10) == D(2025, 11, 14)


def test_twenty_school_days_across_the_february_half_term():
    # 9-13 Feb, (half term 16-20), 23-27 Feb, 2-6 Mar, 9-13 Mar: 33 calendar days.
    twentieth = nth_school_day_after(DAYS, D(2026, 2, 6), 20)
    assert twentieth == D(2026, 3, 13)
    assert school_days_between(DAYS, D(2026, 2, 9), twentieth) == 20


def test_easter_in_the_holiday_and_easter_inside_a_term():
    assert {D(2026, 4, 3), D(2026, 4, 6), D(2027, 3, 26), D(2027, 3, 29)} <= england_bank_holidays(
        [2026, 2027]
    )
    assert not is_school_day(DAYS, D(2026, 4, 3))  # Good Friday 2026, Easter holiday
    assert nth_school_day_after(DAYS, D(2026, 3, 27), 1) == D(2026, 4, 13)
    # 2027: Good Friday 26 March and Easter Monday 29 March are inside the spring term.
    assert not is_school_day(DAYS, D(2027, 3, 26))
    assert not is_school_day(DAYS, D(2027, 3, 29))
    assert nth_school_day_after(DAYS, D(2027, 3, 25), 1) == D(2027, 3, 30)


def test_may_bank_holidays():
    assert not is_school_day(DAYS, D(2026, 5, 4))  # early May, in term
    assert is_school_day(DAYS, D(2026, 5, 5))
    assert not is_school_day(DAYS, D(2027, 5, 3))
    # The late May bank holiday is closed even for a school whose half term is a week later.
    late_half_term = build_school_days(
        [TermDates(D(2026, 4, 13), D(2026, 7, 22), D(2026, 6, 1), D(2026, 6, 5))]
    )
    assert not is_school_day(late_half_term, D(2026, 5, 25))
    assert is_school_day(late_half_term, D(2026, 5, 26))
    assert not is_school_day(late_half_term, D(2026, 6, 1))


def test_christmas_and_new_year():
    assert not is_school_day(DAYS, D(2025, 12, 25))
    # Term ends 19 December; 1 January is a bank holiday; spring term starts Monday 5 January.
    assert nth_school_day_after(DAYS, D(2025, 12, 19), 1) == D(2026, 1, 5)
    assert school_days_between(DAYS, D(2025, 12, 19), D(2026, 1, 5)) == 2


def test_inset_days_are_not_school_days():
    assert not is_school_day(DAYS, D(2025, 9, 1))
    assert not is_school_day(DAYS, D(2025, 9, 2))
    assert nth_school_day_after(DAYS, D(2025, 9, 1), 1) == D(2025, 9, 3)
    assert not is_school_day(DAYS, D(2026, 9, 1))
    assert is_school_day(DAYS, D(2026, 9, 2))


def test_school_days_between_a_weekend_and_a_bank_holiday_counts_both_ends():
    # Fri 1 May, (Sat, Sun, bank holiday Mon 4 May), Tue 5 - Fri 8 May.
    assert school_days_between(DAYS, D(2026, 5, 1), D(2026, 5, 8)) == 5
    assert school_days_between(DAYS, D(2026, 5, 2), D(2026, 5, 4)) == 0
    assert school_days_between(DAYS, D(2026, 5, 8), D(2026, 5, 8)) == 1
    assert school_days_between(DAYS, D(2026, 5, 8), D(2026, 5, 1)) == 0  # end before start


def test_school_days_in_lists_weekdays_in_order():
    days = school_days_in(DAYS, D(2026, 4, 30), D(2026, 5, 6))
    assert days == (D(2026, 4, 30), D(2026, 5, 1), D(2026, 5, 5), D(2026, 5, 6))


def test_clock_changes_do_not_move_school_days():
    # The clocks go back on Sunday 25 October 2026 and forward on Sunday 28 March 2027; that Sunday is
    # 25 or 23 hours long, but a date has no time of day, so counting is unchanged.
    london = ZoneInfo("Europe/London")
    sunday, monday = (dt.datetime(2027, 3, d, tzinfo=london) for d in (28, 29))
    assert monday.timestamp() - sunday.timestamp() == 23 * 3600
    assert school_days_between(DAYS, D(2026, 10, 23), D(2026, 11, 2)) == 2  # half term follows
    assert school_days_between(DAYS, D(2027, 3, 25), D(2027, 3, 31)) == 3  # Easter on that weekend
    assert nth_school_day_after(DAYS, D(2027, 3, 25), 2) == D(2027, 3, 31)


def test_outside_the_calendar_is_an_error_not_a_guess():
    with pytest.raises(CalendarNotCovered):
        is_school_day(DAYS, D(2027, 9, 6))
    with pytest.raises(CalendarNotCovered):
        school_days_between(DAYS, D(2025, 8, 1), D(2025, 9, 10))
    with pytest.raises(CalendarNotCovered, match="terms end on 21 July 2027"):
        nth_school_day_after(DAYS, D(2027, 7, 20), 5)
    with pytest.raises(ValueError):
        nth_school_day_after(DAYS, D(2026, 5, 1), 0)


@given(
    date=st.dates(min_value=DAYS.first, max_value=DAYS.last),
    n=st.integers(min_value=1, max_value=120),
)
def test_nth_school_day_after_lands_on_a_school_day_n_school_days_later(date, n):
    try:
        result = nth_school_day_after(DAYS, date, n)
    except CalendarNotCovered:
        assume(False)
    assert is_school_day(DAYS, result)
    assert school_days_between(DAYS, date + dt.timedelta(days=1), result) == n


@given(date=st.dates(min_value=DAYS.first, max_value=DAYS.last))
def test_weekends_are_never_school_days(date):
    if date.weekday() >= 5:
        assert not is_school_day(DAYS, date)


# --- stored calendars -------------------------------------------------------------------------------


def _calendar(owner, **kwargs):
    calendar = SchoolCalendar.objects.create(name="Term dates", **{owner: kwargs.pop("of")})
    for i, term in enumerate(TERMS):
        Term.objects.create(calendar=calendar, name=f"Term {i}", **term._asdict())
    return calendar


def test_a_school_without_a_calendar_uses_its_las_and_its_own_overrides_it(db):
    la = f.LocalAuthorityFactory()
    follows_la, own_dates = f.SchoolFactory(la=la), f.SchoolFactory(la=la)
    with pytest.raises(NoCalendar, match="no calendar"):
        calendar_for(follows_la)
    _calendar("la", of=la)
    academy = _calendar("school", of=own_dates)
    NonSchoolDay.objects.create(calendar=academy, date=D(2026, 5, 5), kind=NonSchoolDayKind.CLOSURE)

    assert is_school_day(calendar_for(follows_la), D(2026, 5, 5))
    assert not is_school_day(calendar_for(own_dates), D(2026, 5, 5))


def test_the_database_refuses_impossible_terms_and_ownerless_calendars(db):
    la = f.LocalAuthorityFactory()
    calendar = SchoolCalendar.objects.create(name="Term dates", la=la)
    bad_terms = [
        TermDates(D(2026, 9, 1), D(2026, 8, 1), D(2026, 8, 10), D(2026, 8, 12)),  # ends before it starts
        TermDates(D(2026, 9, 1), D(2026, 12, 18), D(2026, 12, 21), D(2026, 12, 25)),  # half term after
        TermDates(D(2026, 9, 1), D(2026, 12, 18), D(2026, 10, 30), D(2026, 10, 26)),  # half term reversed
    ]
    for term in bad_terms:
        with pytest.raises(IntegrityError), transaction.atomic():
            Term.objects.create(calendar=calendar, name="Bad", **term._asdict())
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolCalendar.objects.create(name="Nobody's")
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolCalendar.objects.create(name="Both", la=la, school=f.SchoolFactory(la=la))


def test_demo_default_calendar_counts_school_days(db):
    la = f.LocalAuthorityFactory()
    create_default_calendar(la)
    days = calendar_for(f.SchoolFactory(la=la))
    assert not is_school_day(days, D(2025, 9, 2))  # INSET
    assert nth_school_day_after(days, D(2025, 10, 24), 10) == D(2025, 11, 14)
    assert (days.first, days.last) == (D(2025, 9, 1), D(2027, 7, 21))


def test_admin_edits_a_calendar_with_its_terms_and_non_school_days(client, world):
    calendar = _calendar("la", of=world.la)
    client.force_login(world.users.system_admin)
    page = client.get(f"/admin/schools/schoolcalendar/{calendar.pk}/change/").content.decode()
    assert "Term 5" in page and "Non school days" in page
