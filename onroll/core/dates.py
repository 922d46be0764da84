"""Dates as the app writes them in sentences."""

import datetime as dt


def long_date(date: dt.date) -> str:
    """ "2 September 2024"; strftime's %-d would say the same but is not portable."""
    return f"{date.day} {date:%B %Y}"
