"""The same measures the straightforward way: one pupil at a time, session by session, in plain Python.

This is the yardstick the vectorised `all_measures` is tested against (tests/test_measures.py) and timed
against (bench/attendance_measures.py). It reads the definitions in the package docstring literally and
shares nothing with the vectorised code except the code sets of `CodeIndex`.
"""

import math

from . import (
    ILLNESS_SESSIONS,
    N_REPLACE_WITHIN_DAYS,
    PENALTY_NOTICE_SESSIONS,
    ROLLING_SESSIONS,
    CodeIndex,
    Measures,
)


def pupil_measures(row, index: CodeIndex, as_of: int) -> dict:
    """Every measure for one pupil's row of code numbers (any sequence of ints), as of session `as_of`."""
    marks = [int(value) for value in row[: as_of + 1]]
    as_of_day = as_of // 2
    days = [marks[2 * d : 2 * d + 2] for d in range(as_of_day + 1)]  # the as-of day may hold only its AM

    def run(day_ok):
        length = 0
        for sessions in reversed(days):
            if not day_ok(sessions):
                break
            length += 1
        return length

    possible = sum(1 for m in marks if index.possible[m])
    present = sum(1 for m in marks if index.present[m])
    absent = sum(1 for m in marks if index.absent[m])

    last_leave = last_present = -1
    for column, m in enumerate(marks):
        if index.leave[m]:
            last_leave = column
        if index.present[m]:
            last_present = column
    unreturned = as_of_day - last_leave // 2 if last_leave >= 0 and last_present < last_leave else 0

    recent = marks[max(0, len(marks) - ROLLING_SESSIONS) :]
    unauthorised_10_weeks = sum(1 for m in recent if index.unauthorised[m])
    illness = sum(1 for m in marks if index.illness[m])
    overdue_n = sum(
        1
        for column, m in enumerate(marks)
        if index.n_code[m] and as_of_day - column // 2 > N_REPLACE_WITHIN_DAYS
    )
    return {
        "gno_run_days": run(lambda s: all(index.gno[m] for m in s)),
        "unauthorised_run_days": run(lambda s: any(index.unauthorised[m] for m in s)),
        "days_since_leave_unreturned": unreturned,
        "possible_sessions": possible,
        "present_sessions": present,
        "absent_sessions": absent,
        "attendance_rate": present / possible if possible else math.nan,
        "absence_rate": absent / possible if possible else math.nan,
        "persistent": possible > 0 and absent / possible >= 0.10 - 1e-12,
        "severe": possible > 0 and absent / possible >= 0.50 - 1e-12,
        "unauthorised_10_weeks": unauthorised_10_weeks,
        "penalty_notice_threshold": unauthorised_10_weeks >= PENALTY_NOTICE_SESSIONS,
        "illness_sessions": illness,
        "illness_run_days": run(lambda s: all(index.illness[m] for m in s)),
        "illness_15_days": illness >= ILLNESS_SESSIONS,
        "overdue_n_sessions": overdue_n,
        "n_overdue": overdue_n > 0,
    }


def loop_measures(codes, index: CodeIndex, as_of: int) -> list[dict]:
    """`pupil_measures` for each row of the matrix, in a Python loop."""
    return [pupil_measures(row.tolist(), index, as_of) for row in codes]


FIELDS = Measures._fields
