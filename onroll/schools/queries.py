from .calendar import SchoolDays, TermDates, build_school_days
from .models import LocalAuthority, SchoolCalendar


class NoCalendar(LookupError):
    """Neither the school nor its LA has term dates, so no school day can be counted."""


def la_id_of(org):
    """The LA an organisation works in, as a key, so register queries can use the (la, ...) indexes
    directly; joining on the LA's code instead makes PostgreSQL scan every case."""
    return LocalAuthority.objects.filter(code=org.la_code).values_list("id", flat=True).first()


def calendar_for(school) -> SchoolDays:
    """The school days that apply to a school: its own calendar if it has one, else its LA's default."""
    calendar = (
        SchoolCalendar.objects.filter(school=school).first()
        or SchoolCalendar.objects.filter(la_id=school.la_id).first()
    )
    if calendar is None:
        raise NoCalendar(
            f"{school} has no calendar and its LA has no default calendar; add the term dates in the admin"
        )
    return school_days_of(calendar)


def school_days_of(calendar: SchoolCalendar) -> SchoolDays:
    terms = [
        TermDates(*row)
        for row in calendar.terms.values_list("start", "end", "half_term_start", "half_term_end")
    ]
    if not terms:
        raise NoCalendar(f"The calendar {calendar} has no terms yet")
    return build_school_days(terms, calendar.non_school_days.values_list("date", flat=True))
