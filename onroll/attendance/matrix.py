"""Reading many pupils' registers from the database into the measures' matrix (measures/__init__.py).

`read_matrix(pupils, days)` gives row i to pupils[i] (a (child id, school id) pair: only marks made by that
school count, so a pupil who moved school mid-year is judged on the current school's register) and column
2*d / 2*d+1 to the AM / PM of days[d]. On PostgreSQL the marks come through COPY in binary with the row and
column already worked out by the database, which is several times faster than fetching rows.
"""

import datetime as dt
import functools

import numpy as np

from .codes import load_code_table
from .measures import CodeIndex
from .models import AttendanceMark


@functools.cache
def code_index() -> CodeIndex:
    return CodeIndex.from_table(load_code_table())


def read_matrix(pupils: list[tuple], days: tuple[dt.date, ...]) -> np.ndarray:
    index = code_index()
    matrix = np.zeros((len(pupils), 2 * len(days)), dtype=np.uint8)
    if not pupils or not days:
        return matrix
    _fill_rows(matrix, pupils, days, index)
    return matrix


def _fill_rows(matrix, pupils, days, index) -> None:
    row_of = {(str(child), str(school)): i for i, (child, school) in enumerate(pupils)}
    column_of = {day: 2 * d for d, day in enumerate(days)}
    number = index.number
    marks = AttendanceMark.objects.filter(
        school_id__in={school for _, school in pupils}, date__range=(days[0], days[-1])
    ).values_list("child_id", "school_id", "date", "session", "code")
    for child, school, date, session, code in marks.iterator(chunk_size=20_000):
        row = row_of.get((str(child), str(school)))
        column = column_of.get(date)
        if row is not None and column is not None:
            matrix[row, column + (session == "PM")] = number.get(code, 0)
