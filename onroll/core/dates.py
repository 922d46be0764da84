"""Dates as the app writes them in sentences."""

import datetime as dt


def long_date(date: dt.date) -> str:
    """ "2 September 2024"; strftime's %-d would say the same but is not portable."""
    return f"{date.day} {date:%B %Y}"


def past_date_problem(value: dt.date | None, today: dt.date, what: str, *, required: bool = True) -> str:
    """The error for a date that must be given (unless not `required`) and not be in the future, or ""
    when it is fine. `what` names the date as in a sentence: "the date of the enquiry" gives "Enter the
    date of the enquiry" and "The date of the enquiry must be today or in the past"."""
    if value is None:
        return f"Enter {what}" if required else ""
    if value > today:
        return f"{what[0].upper()}{what[1:]} must be today or in the past"
    return ""
