"""The demo LA's default term dates for 2025/26 and 2026/27, shaped like a typical English LA's."""

import datetime as dt

from onroll.schools.models import LocalAuthority, NonSchoolDay, NonSchoolDayKind, SchoolCalendar, Term

D = dt.date
# name, first day, half term first and last day, last day
TERMS = [
    ("Autumn 2025", D(2025, 9, 1), D(2025, 10, 27), D(2025, 10, 31), D(2025, 12, 19)),
    ("Spring 2026", D(2026, 1, 5), D(2026, 2, 16), D(2026, 2, 20), D(2026, 3, 27)),
    ("Summer 2026", D(2026, 4, 13), D(2026, 5, 25), D(2026, 5, 29), D(2026, 7, 22)),
    ("Autumn 2026", D(2026, 9, 1), D(2026, 10, 26), D(2026, 10, 30), D(2026, 12, 18)),
    ("Spring 2027", D(2027, 1, 4), D(2027, 2, 15), D(2027, 2, 19), D(2027, 3, 31)),
    ("Summer 2027", D(2027, 4, 19), D(2027, 5, 31), D(2027, 6, 4), D(2027, 7, 21)),
]
# Schools usually spend the first days of the year on staff training.
INSET_DAYS = [D(2025, 9, 1), D(2025, 9, 2), D(2026, 9, 1), D(2026, 9, 2)]


def create_default_calendar(la: LocalAuthority) -> SchoolCalendar:
    calendar = SchoolCalendar.objects.create(name=f"{la.name} term dates", la=la)
    Term.objects.bulk_create(
        Term(calendar=calendar, name=name, start=start, half_term_start=hts, half_term_end=hte, end=end)
        for name, start, hts, hte, end in TERMS
    )
    NonSchoolDay.objects.bulk_create(
        NonSchoolDay(calendar=calendar, date=date, kind=NonSchoolDayKind.INSET, description="Staff training")
        for date in INSET_DAYS
    )
    return calendar
