"""The one rule for dates that must not be in the future, and how dates read in sentences."""

import datetime as dt

from onroll.core.dates import long_date, past_date_problem

TODAY = dt.date(2026, 11, 23)


def test_a_past_date_problem_names_the_date_in_the_message():
    assert past_date_problem(None, TODAY, "the date of the enquiry") == "Enter the date of the enquiry"
    assert past_date_problem(TODAY + dt.timedelta(days=1), TODAY, "the date of the enquiry") == (
        "The date of the enquiry must be today or in the past"
    )
    assert past_date_problem(TODAY, TODAY, "the date of the enquiry") == ""
    assert past_date_problem(None, TODAY, "date of birth", required=False) == ""
    assert past_date_problem(dt.date(2027, 1, 1), TODAY, "date of birth", required=False) == (
        "Date of birth must be today or in the past"
    )


def test_long_date_has_no_leading_zero():
    assert long_date(dt.date(2024, 9, 2)) == "2 September 2024"
