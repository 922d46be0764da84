"""The statutory rules, checked against the worked examples in reference/rules.md."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onroll.core import school_age, upn

D = dt.date


@pytest.mark.parametrize(
    "body, letter",
    [
        ("801200005001", "B"),
        ("938123417001", "Q"),
        ("80120000500A", "M"),
    ],
)
def test_check_letter_worked_examples(body, letter):
    assert upn.check_letter(body) == letter


@pytest.mark.parametrize("value", ["B801200005001", "Q938123417001", "M80120000500A", " b801 2000 05001 "])
def test_valid_upns_accepted(value):
    assert upn.validate(value) == value.replace(" ", "").upper()


@pytest.mark.parametrize(
    "value, message",
    [
        ("A801200005001", "check letter of this UPN should be B"),
        ("B80120000500", "13 characters"),
        ("B8012000050X1", "starts with a letter, then 11 digits"),
        ("B80120000500I", "cannot end in I"),
    ],
)
def test_invalid_upns_rejected_with_reason(value, message):
    with pytest.raises(upn.UPNError, match=message):
        upn.validate(value)


def test_temporary_upn_recognised():
    assert upn.is_temporary("M80120000500A") and not upn.is_temporary("B801200005001")


@given(st.text(alphabet="0123456789", min_size=12, max_size=12))
def test_any_body_gets_a_letter_that_validates(body):
    assert upn.validate(upn.check_letter(body) + body)


@pytest.mark.parametrize(
    "dob, start",
    [
        (D(2019, 2, 10), D(2024, 3, 31)),
        (D(2018, 12, 31), D(2023, 12, 31)),
        (D(2018, 9, 1), D(2023, 12, 31)),
        (D(2019, 4, 1), D(2024, 8, 31)),
        (D(2019, 9, 1), D(2024, 12, 31)),
        (D(2016, 2, 29), D(2021, 3, 31)),
    ],
)
def test_csa_start_worked_examples(dob, start):
    assert school_age.csa_start(dob) == start


@pytest.mark.parametrize(
    "dob, end",
    [
        (D(2007, 9, 23), D(2024, 6, 28)),
        (D(2008, 8, 15), D(2024, 6, 28)),
        (D(2008, 6, 28), D(2024, 6, 28)),
        (D(2009, 6, 26), D(2025, 6, 27)),
        (D(2008, 9, 1), D(2025, 6, 27)),
    ],
)
def test_csa_end_worked_examples(dob, end):
    assert school_age.csa_end(dob) == end


def test_csa_end_with_late_term_start_is_the_june_before():
    assert school_age.csa_end(D(2008, 9, 1), school_year_starts=(9, 3)) == D(2024, 6, 28)


@pytest.mark.parametrize(
    "year, friday",
    [
        (2024, D(2024, 6, 28)),
        (2025, D(2025, 6, 27)),
        (2026, D(2026, 6, 26)),
        (2027, D(2027, 6, 25)),
        (2028, D(2028, 6, 30)),
        (2029, D(2029, 6, 29)),
        (2030, D(2030, 6, 28)),
        (2031, D(2031, 6, 27)),
        (2032, D(2032, 6, 25)),
    ],
)
def test_last_friday_in_june(year, friday):
    assert school_age.last_friday_in_june(year) == friday


@pytest.mark.parametrize(
    "dob, year",
    [
        (D(2019, 2, 10), 1),
        (D(2019, 9, 1), 0),
        (D(2008, 9, 1), 11),
        (D(2008, 8, 31), 12),
    ],
)
def test_nc_year_worked_examples_2024_25(dob, year):
    assert school_age.nc_year(dob, D(2024, 10, 1)) == year
    assert school_age.nc_year(dob, D(2025, 7, 20)) == year


def test_nc_year_changes_on_1_september():
    dob = D(2019, 2, 10)
    assert school_age.nc_year(dob, D(2025, 8, 31)) == 1
    assert school_age.nc_year(dob, D(2025, 9, 1)) == 2


@given(
    st.dates(min_value=D(2000, 1, 1), max_value=D(2022, 12, 31)),
    st.dates(min_value=D(2010, 1, 1), max_value=D(2030, 12, 31)),
)
def test_cohort_range_contains_exactly_its_year(dob, on):
    year = school_age.nc_year(dob, on)
    born_from, born_to = school_age.nc_year_born_between(year, on)
    assert born_from <= dob <= born_to


def test_compulsory_school_age_window():
    dob = D(2019, 2, 10)
    assert not school_age.is_compulsory_school_age(dob, D(2024, 3, 30))
    assert school_age.is_compulsory_school_age(dob, D(2024, 3, 31))
    assert school_age.is_compulsory_school_age(dob, school_age.csa_end(dob))
    assert not school_age.is_compulsory_school_age(dob, school_age.csa_end(dob) + dt.timedelta(days=1))
