"""Vectorised attendance measures: hand-made registers, and agreement with the per-pupil loop."""

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from onroll.attendance.measures import (
    CodeIndex,
    all_measures,
    empty_marks,
    encode_marks,
    session_index,
    window_rates,
)
from onroll.attendance.measures.reference import FIELDS, loop_measures
from onroll.schools.calendar import TermDates, build_school_days

INDEX = CodeIndex.from_table()


def register(*days: str) -> np.ndarray:
    """One pupil; each argument is a day as 'AM PM' codes, '-' for no mark."""
    marks = []
    for d, day in enumerate(days):
        for half, code in enumerate(day.split()):
            if code != "-":
                marks.append((0, 2 * d + half, code))
    return encode_marks(INDEX, 1, 2 * len(days), marks)


def one(codes, as_of=None, **kw):
    as_of = codes.shape[1] - 1 if as_of is None else as_of
    result = all_measures(codes, INDEX, as_of, **kw)
    return {name: getattr(result, name)[0].item() for name in FIELDS}


def test_code_index_sets():
    number = INDEX.number
    assert INDEX.decode(number["G"]) == "G" and INDEX.decode(0) == ""
    assert {c for c in INDEX.codes if INDEX.gno[number[c]]} == {"G", "N", "O"}
    assert {c for c in INDEX.codes if INDEX.unauthorised[number[c]]} == {"G", "N", "O", "U"}
    assert {c for c in INDEX.codes if INDEX.leave[number[c]]} == {"C", "C1", "C2", "J1", "M", "S", "H", "F"}
    assert not INDEX.possible[number["D"]] and not INDEX.possible[number["#"]] and not INDEX.possible[0]
    assert INDEX.illness[number["I"]] and INDEX.n_code[number["N"]] and INDEX.authorised[number["I"]]
    with pytest.raises(ValueError, match="unknown attendance code 'ZZ'"):
        INDEX.encode("ZZ")


def test_encode_marks_rejects_a_cell_given_twice_and_cells_outside():
    with pytest.raises(ValueError, match="more than once"):
        encode_marks(INDEX, 1, 2, [(0, 0, "/"), (0, 0, "N")])
    with pytest.raises(ValueError, match="outside"):
        encode_marks(INDEX, 1, 2, [(1, 0, "/")])
    with pytest.raises(ValueError, match="AM, PM"):
        empty_marks(1, 3)
    assert encode_marks(INDEX, 2, 4, []).shape == (2, 4)


def test_gno_run_is_broken_by_a_present_mark_and_counts_only_whole_gno_days():
    codes = register("O O", "/ \\", "G G", "N O", "O O")
    assert one(codes)["gno_run_days"] == 3
    assert one(codes, as_of=3)["gno_run_days"] == 0  # as of day 1 PM: present
    # A day with a U (came in late) is unauthorised but not a whole G/N/O day.
    codes = register("O O", "O U", "O O")
    assert one(codes)["gno_run_days"] == 1
    assert one(codes)["unauthorised_run_days"] == 3


def test_a_run_across_a_weekend_or_half_term_continues_because_the_axis_is_school_days():
    days = build_school_days(
        [TermDates(dt.date(2025, 9, 1), dt.date(2025, 12, 19), dt.date(2025, 10, 27), dt.date(2025, 10, 31))]
    )
    friday, monday = (
        session_index(days, dt.date(2025, 10, 24)),
        session_index(days, dt.date(2025, 11, 3), pm=True),
    )
    assert monday - friday == 3  # Friday AM, Friday PM, Monday AM, Monday PM: half term is not on the axis
    codes = encode_marks(INDEX, 1, 2 * len(days.days), [(0, c, "O") for c in range(friday, monday + 1)])
    assert one(codes, as_of=monday)["gno_run_days"] == 2
    with pytest.raises(ValueError, match="not a school day"):
        session_index(days, dt.date(2025, 10, 28))


def test_an_am_as_of_judges_the_day_on_its_am():
    codes = register("O O", "O /")
    assert one(codes, as_of=2)["gno_run_days"] == 2
    assert one(codes, as_of=3)["gno_run_days"] == 0


def test_not_counted_codes_are_not_possible_sessions():
    codes = register("/ \\", "D D", "O O", "Y4 Y4", "# #")
    m = one(codes)
    assert (m["possible_sessions"], m["present_sessions"], m["absent_sessions"]) == (4, 2, 2)
    assert m["attendance_rate"] == m["absence_rate"] == 0.5
    assert math.isnan(one(register("D D"))["absence_rate"])


def test_exactly_ten_percent_is_persistent_and_fifty_is_severe():
    ten = register(*["/ \\"] * 9, "O I")  # 2 of 20 sessions
    assert one(ten)["absence_rate"] == pytest.approx(0.1)
    assert one(ten)["persistent"] and not one(ten)["severe"]
    just_under = register(*["/ \\"] * 10, "O -")  # 1 of 21
    assert not one(just_under)["persistent"]
    half = register("/ \\", "O C")
    assert one(half)["persistent"] and one(half)["severe"]


def test_window_rates():
    codes = register("/ \\", "O O", "/ O", "D D")
    rates = window_rates(codes, INDEX, 2, 7)
    assert rates.possible_sessions[0] == 4 and rates.absent_sessions[0] == 3
    assert rates.absence_rate[0] == pytest.approx(0.75)
    with pytest.raises(ValueError):
        window_rates(codes, INDEX, 3, 2)


def test_leave_of_absence_not_returned_from():
    codes = register("/ \\", "C C", "C C", "O O", "N N", "O O")
    assert one(codes)["days_since_leave_unreturned"] == 3
    assert one(codes, as_of=5)["days_since_leave_unreturned"] == 0  # leave still running
    returned = register("C C", "O /", "O O")
    assert one(returned)["days_since_leave_unreturned"] == 0
    assert one(register("O O", "O O"))["days_since_leave_unreturned"] == 0  # no leave at all
    # X is in the leave group but "not counted" (not required to attend): not leave to return from.
    assert one(register("X X", "O O"))["days_since_leave_unreturned"] == 0


def test_ten_unauthorised_sessions_in_a_rolling_ten_school_weeks():
    days = ["U -", *["/ \\"] * 45, "O O", "G G", "N N", "O U"]  # 50 days: the first U is in the window
    codes = register(*days)
    assert one(codes)["unauthorised_10_weeks"] == 9
    assert not one(codes)["penalty_notice_threshold"]
    codes = register(*days, "O /")  # one more day: the first U drops out, a new O comes in
    assert one(codes)["unauthorised_10_weeks"] == 9
    codes = register(*days, "O O")
    assert one(codes)["unauthorised_10_weeks"] == 10 and one(codes)["penalty_notice_threshold"]


def test_fifteen_days_of_illness_counts_the_year_total_and_reports_the_run():
    codes = register(*["I I"] * 8, "/ \\", *["I I"] * 7)
    m = one(codes)
    assert (m["illness_sessions"], m["illness_run_days"], m["illness_15_days"]) == (30, 7, True)
    assert not one(register(*["I I"] * 14, "I /"))["illness_15_days"]


def test_n_left_unreplaced_for_more_than_five_school_days():
    codes = register("N /", *["/ \\"] * 5)  # as of 5 school days after the N: still in time
    assert not one(codes)["n_overdue"]
    codes = register("N /", *["/ \\"] * 6)
    assert one(codes)["n_overdue"] and one(codes)["overdue_n_sessions"] == 1


def test_chunks_and_threads_give_the_same_answer():
    rng = np.random.default_rng(1)
    codes = rng.integers(0, len(INDEX.codes) + 1, size=(1000, 60), dtype=np.uint8)
    a = all_measures(codes, INDEX, 41, chunk_rows=64, workers=2)
    b = all_measures(codes, INDEX, 41, chunk_rows=10_000, workers=1)
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


# Codes weighted towards the ones the measures look at, so runs and thresholds actually happen.
COMMON = ["/", "\\", "O", "G", "N", "U", "I", "C", "M", "D", "X", "#", "E", "L"]


@st.composite
def registers(draw):
    pupils = draw(st.integers(1, 6))
    days = draw(st.integers(1, 70))
    numbers = [0, *(INDEX.number[c] for c in COMMON), *range(1, len(INDEX.codes) + 1)]
    cells = draw(st.lists(st.sampled_from(numbers), min_size=pupils * days * 2, max_size=pupils * days * 2))
    codes = np.array(cells, dtype=np.uint8).reshape(pupils, days * 2)
    as_of = draw(st.integers(0, days * 2 - 1))
    return codes, as_of


@settings(max_examples=300, deadline=None)
@given(registers(), st.integers(1, 4))
def test_vectorised_measures_equal_the_per_pupil_loop(case, chunk_rows):
    codes, as_of = case
    fast = all_measures(codes, INDEX, as_of, chunk_rows=chunk_rows)
    slow = loop_measures(codes, INDEX, as_of)
    for name in FIELDS:
        expected = np.array([pupil[name] for pupil in slow])
        np.testing.assert_array_equal(getattr(fast, name), expected, err_msg=name)
