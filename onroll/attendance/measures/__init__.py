"""Attendance measures for every pupil at once: pure, vectorised functions over a school year's register.

Data layout
-----------
A school year's marks are one NumPy matrix

    codes: np.ndarray, dtype uint8, shape (n_pupils, 2 * n_school_days)

`codes[p, 2*d]` is pupil p's AM mark on the d-th school day of the calendar (`SchoolDays.days[d]`) and
`codes[p, 2*d + 1]` the PM mark. Values are small integers from a `CodeIndex` (1..n for the codes of
`reference/attendance_codes.csv`); 0 means no mark (not on roll yet, register not taken yet). The session
axis holds school days only, so weekends, half terms, bank holidays and INSET days are simply not there:
"consecutive school days" are adjacent column pairs and "5 school days" is 10 columns. Pupils of several
schools share a matrix only when they share a calendar. 200,000 pupils x 380 sessions is 76 MB.

A `CodeIndex` maps code strings to those integers and holds, per code set, a boolean lookup vector of 256
entries (so `index.possible[codes]` is the mask of possible sessions) and one bit per set in `index.bits`,
which the measures gather once per chunk of pupils and then test with cheap bitwise ANDs.

"As of" is a session column `as_of` (`session_index(days, date, pm)`): every measure ignores the columns
after it, as if those registers were not taken yet, so the measures on any past date are the same
computation on the same matrix. When `as_of` is an AM session, the as-of day is judged on its AM alone.

Definitions (the reference is /work/shared/reference/working_together.md and the code file)
-----------------------------------------------------------------------------------------
- gno_run_days: consecutive school days, ending on the as-of day, on which every session is G, N or O
  (regulation 9(1)(i)). A day with any other mark, or no mark, ends the run; 0 if the as-of day breaks it.
- unauthorised_run_days: the same, for days with at least one unauthorised session (G, N, O or U).
- days_since_leave_unreturned: leave-of-absence codes are the authorised-absence codes whose 2024 group is
  "Absent - leave of absence" (C, C1, C2, J1, M, S) plus the pre-2024 agreed holidays H and F; X is in that
  group but is "not counted" (a non-compulsory-school-age pupil not required to attend), so it is not
  leave to return from. If the pupil's last leave session at or before as-of has no present session after
  it (up to as-of), this is the number of school days from the leave's last day to the as-of day (leave
  ended on a Friday, absent Monday to Wednesday, as of Wednesday: 3). Otherwise 0: no leave, leave still
  running on the as-of day, or the pupil has attended since.
- possible / present / absent sessions, attendance_rate, absence_rate: year to date (columns 0..as_of),
  or any window with `window_rates`. Possible sessions are the codes with counts_as_possible_session (so
  the "not counted" and administrative codes, and unmarked sessions, are excluded); absent = possible
  sessions coded authorised or unauthorised absence. Rates are NaN when there is no possible session.
- persistent / severe: year-to-date absence rate >= 10 % / >= 50 %, compared in integers
  (absent * 10 >= possible) so exactly 10 % is persistent with no float rounding.
- unauthorised_10_weeks: unauthorised sessions (G, N, O, U: the penalty-notice framework's "any mix") in
  the 100 sessions (50 school days = 10 school weeks) ending at the as-of session; fewer at the start of
  the matrix. The framework lets the period span school years: to get that, prepend the previous year's
  last 100 columns. penalty_notice_threshold: unauthorised_10_weeks >= 10.
- illness: illness_sessions is the year-to-date count of I sessions; illness_run_days the consecutive
  school days ending on the as-of day on which every session is I. illness_15_days is set when
  illness_sessions >= 30, i.e. 15 school days of illness **in total in the year, consecutive or not** (the
  reference's "15+ days illness absence"; DfE's guidance on education for children with health needs
  says "whether consecutive or cumulative" [K]). A consecutive-only rule reads illness_run_days >= 15.
- overdue_n_sessions: N marks on school days more than 5 school days before the as-of day (day k with
  as_of_day - k > 5), i.e. not replaced within the 5 school days the regulations allow; n_overdue when any.

Everything here is pure: no clock, no database (building a `CodeIndex` from the file reads the file once).
Work is done in chunks of pupils (temporaries stay small) on a thread per core; NumPy releases the GIL.
"""

import bisect
import datetime as dt
import os
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from onroll.attendance.codes import Category, CodeInfo, code_sets, load_code_table

LEAVE_GROUP = "Absent - leave of absence"
PRE_2024_LEAVE = frozenset({"H", "F"})  # agreed (extended) family holiday: leave granted under older rules
ILLNESS = "I"
NOT_YET_ESTABLISHED = "N"
N_REPLACE_WITHIN_DAYS = 5
ROLLING_SESSIONS = 100  # 10 school weeks = 50 school days
PENALTY_NOTICE_SESSIONS = 10
ILLNESS_SESSIONS = 30  # 15 school days
CHUNK_ROWS = 8192

# One bit per set in CodeIndex.bits.
POSSIBLE, PRESENT, ABSENT, UNAUTHORISED, GNO, ILL, N_CODE, LEAVE = (1 << i for i in range(8))


@dataclass(frozen=True, eq=False)
class CodeIndex:
    """Code strings <-> uint8 (0 = no mark), with a 256-entry boolean lookup vector per code set."""

    codes: tuple[str, ...]  # codes[i - 1] is the code stored as i
    number: Mapping[str, int] = field(repr=False)
    possible: np.ndarray = field(repr=False)
    present: np.ndarray = field(repr=False)
    authorised: np.ndarray = field(repr=False)
    unauthorised: np.ndarray = field(repr=False)
    absent: np.ndarray = field(repr=False)
    gno: np.ndarray = field(repr=False)
    illness: np.ndarray = field(repr=False)
    n_code: np.ndarray = field(repr=False)
    leave: np.ndarray = field(repr=False)
    bits: np.ndarray = field(repr=False)  # uint8: POSSIBLE | PRESENT | ... per code number

    @classmethod
    def from_table(cls, table: Mapping[str, CodeInfo] | None = None) -> "CodeIndex":
        table = load_code_table() if table is None else table
        if len(table) > 255:
            raise ValueError("at most 255 codes fit in a uint8 matrix")
        sets = code_sets(table)
        codes = tuple(table)  # file order
        number = {code: i for i, code in enumerate(codes, start=1)}
        leave = frozenset(
            code
            for code, info in table.items()
            if info.group_2024 == LEAVE_GROUP and info.category == Category.AUTHORISED
        ) | (PRE_2024_LEAVE & set(table))

        def vector(members):
            v = np.zeros(256, dtype=bool)
            v[[number[c] for c in members if c in number]] = True
            v.flags.writeable = False
            return v

        vectors = {
            "possible": vector(sets.possible),
            "present": vector(sets.present & sets.possible),
            "authorised": vector(sets.authorised),
            "unauthorised": vector(sets.unauthorised),
            "absent": vector((sets.authorised | sets.unauthorised) & sets.possible),
            "gno": vector(sets.gno),
            "illness": vector({ILLNESS}),
            "n_code": vector({NOT_YET_ESTABLISHED}),
            "leave": vector(leave),
        }
        bits = np.zeros(256, dtype=np.uint8)
        for name, bit in zip(
            ("possible", "present", "absent", "unauthorised", "gno", "illness", "n_code", "leave"),
            (POSSIBLE, PRESENT, ABSENT, UNAUTHORISED, GNO, ILL, N_CODE, LEAVE),
            strict=True,
        ):
            bits[vectors[name]] |= bit
        bits.flags.writeable = False
        return cls(codes=codes, number=number, bits=bits, **vectors)

    def encode(self, code: str) -> int:
        try:
            return self.number[code]
        except KeyError:
            raise ValueError(f"unknown attendance code '{code}'") from None

    def decode(self, value: int) -> str:
        return "" if value == 0 else self.codes[value - 1]


def session_index(days, date: dt.date, pm: bool = False) -> int:
    """The column of `date`'s AM (or PM) session on a `SchoolDays` calendar; ValueError off school days."""
    i = bisect.bisect_left(days.days, date)
    if i == len(days.days) or days.days[i] != date:
        raise ValueError(f"{date:%d %B %Y} is not a school day")
    return 2 * i + int(pm)


def empty_marks(n_pupils: int, n_sessions: int) -> np.ndarray:
    if n_sessions % 2:
        raise ValueError("the session axis is school days x 2 (AM, PM)")
    return np.zeros((n_pupils, n_sessions), dtype=np.uint8)


def encode_marks(
    index: CodeIndex, n_pupils: int, n_sessions: int, marks: Iterable[tuple[int, int, str]]
) -> np.ndarray:
    """A register matrix from (pupil_row, session_col, code) triples; a cell given twice is an error."""
    matrix = empty_marks(n_pupils, n_sessions)
    marks = list(marks)
    if not marks:
        return matrix
    rows, cols, codes = zip(*marks, strict=True)
    rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
    if rows.min() < 0 or rows.max() >= n_pupils or cols.min() < 0 or cols.max() >= n_sessions:
        raise ValueError("a mark's pupil row or session column is outside the matrix")
    cells = rows * n_sessions + cols
    if np.unique(cells).size != cells.size:
        raise ValueError("a pupil's session is marked more than once")
    distinct, inverse = np.unique(np.asarray(codes, dtype=object).astype(str), return_inverse=True)
    numbers = np.array([index.encode(code) for code in distinct], dtype=np.uint8)
    matrix[rows, cols] = numbers[inverse]
    return matrix


class Rates(NamedTuple):
    possible_sessions: np.ndarray  # int32
    present_sessions: np.ndarray
    absent_sessions: np.ndarray
    attendance_rate: np.ndarray  # float64, NaN when nothing was possible
    absence_rate: np.ndarray


class Measures(NamedTuple):
    gno_run_days: np.ndarray  # int32 unless noted
    unauthorised_run_days: np.ndarray
    days_since_leave_unreturned: np.ndarray
    possible_sessions: np.ndarray
    present_sessions: np.ndarray
    absent_sessions: np.ndarray
    attendance_rate: np.ndarray  # float64
    absence_rate: np.ndarray  # float64
    persistent: np.ndarray  # bool
    severe: np.ndarray  # bool
    unauthorised_10_weeks: np.ndarray
    penalty_notice_threshold: np.ndarray  # bool
    illness_sessions: np.ndarray
    illness_run_days: np.ndarray
    illness_15_days: np.ndarray  # bool
    overdue_n_sessions: np.ndarray
    n_overdue: np.ndarray  # bool


_COUNTS = ("gno_run_days", "unauthorised_run_days", "days_since_leave_unreturned", "possible_sessions")
_COUNTS += ("present_sessions", "absent_sessions", "unauthorised_10_weeks", "illness_sessions")
_COUNTS += ("illness_run_days", "overdue_n_sessions")
_DTYPES = {name: np.int32 for name in _COUNTS} | {"attendance_rate": np.float64, "absence_rate": np.float64}


def _check(codes: np.ndarray, as_of: int) -> None:
    if codes.dtype != np.uint8 or codes.ndim != 2 or codes.shape[1] % 2:
        raise ValueError("codes must be a uint8 matrix (pupils, school days x 2)")
    if not 0 <= as_of < codes.shape[1]:
        raise ValueError(f"as_of {as_of} is outside the {codes.shape[1]} sessions")


def _count(flags: np.ndarray, bit: int) -> np.ndarray:
    # Summing the masked uint8 is several times faster than counting a boolean mask.
    return ((flags & bit).sum(axis=1, dtype=np.uint32) // bit).astype(np.int32)


def _run_ending_at_last(ok: np.ndarray) -> np.ndarray:
    """Per row, how many trailing columns of the boolean matrix are all True."""
    broken = ~ok[:, ::-1]
    distance = broken.argmax(axis=1)  # from the last column back to the nearest False
    any_broken = broken[np.arange(len(broken)), distance]
    return np.where(any_broken, distance, ok.shape[1]).astype(np.int32)


def _last_true(mask: np.ndarray) -> np.ndarray:
    """Per row, the column of the last True, or -1."""
    reverse = mask[:, ::-1]
    distance = reverse.argmax(axis=1)
    found = reverse[np.arange(len(mask)), distance]
    return np.where(found, mask.shape[1] - 1 - distance, -1)


def _rates_from_flags(flags: np.ndarray) -> Rates:
    possible = _count(flags, POSSIBLE)
    present = _count(flags, PRESENT)
    absent = _count(flags, ABSENT)
    with np.errstate(invalid="ignore", divide="ignore"):
        return Rates(possible, present, absent, present / possible, absent / possible)


def window_rates(codes: np.ndarray, index: CodeIndex, start: int, end: int) -> Rates:
    """Attendance and absence over the sessions start..end (both included), for every pupil."""
    _check(codes, end)
    if not 0 <= start <= end:
        raise ValueError("the window must have 0 <= start <= end")
    return _rates_from_flags(index.bits[codes[:, start : end + 1]])


def _chunk_measures(codes: np.ndarray, bits: np.ndarray, as_of: int) -> dict:
    day = as_of // 2
    # Whole days up to the as-of day; an AM as-of copies the AM's flags into the untaken PM, which makes
    # "every session" and "any session" of that day both mean "the AM".
    flags = bits[codes[:, : 2 * day + 2]]
    if as_of % 2 == 0:
        flags[:, -1] = flags[:, -2]
    sessions = flags[:, : as_of + 1]
    am, pm = flags[:, 0::2], flags[:, 1::2]
    every, any_ = am & pm, am | pm

    rates = _rates_from_flags(sessions)
    out = dict(rates._asdict())
    out["gno_run_days"] = _run_ending_at_last((every & GNO) != 0)
    out["unauthorised_run_days"] = _run_ending_at_last((any_ & UNAUTHORISED) != 0)
    out["illness_run_days"] = _run_ending_at_last((every & ILL) != 0)

    last_leave = _last_true((sessions & LEAVE) != 0)
    last_present = _last_true((sessions & PRESENT) != 0)
    unreturned = (last_leave >= 0) & (last_present < last_leave)
    out["days_since_leave_unreturned"] = np.where(unreturned, day - last_leave // 2, 0).astype(np.int32)

    out["unauthorised_10_weeks"] = _count(sessions[:, max(0, as_of + 1 - ROLLING_SESSIONS) :], UNAUTHORISED)
    out["illness_sessions"] = _count(sessions, ILL)
    overdue_columns = max(0, 2 * (day - N_REPLACE_WITHIN_DAYS))
    out["overdue_n_sessions"] = _count(flags[:, :overdue_columns], N_CODE)
    return out


def all_measures(
    codes: np.ndarray,
    index: CodeIndex,
    as_of: int,
    *,
    chunk_rows: int = CHUNK_ROWS,
    workers: int | None = None,
) -> Measures:
    """Every measure for every pupil as of session column `as_of` (see the module docstring)."""
    _check(codes, as_of)
    n = len(codes)
    out = {name: np.empty(n, dtype=dtype) for name, dtype in _DTYPES.items()}

    def run(start):
        part = _chunk_measures(codes[start : start + chunk_rows], index.bits, as_of)
        for name, values in part.items():
            out[name][start : start + chunk_rows] = values

    starts = range(0, n, chunk_rows)
    workers = workers or os.cpu_count() or 1
    if workers == 1 or len(starts) == 1:
        for start in starts:
            run(start)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(run, starts))

    possible, absent = out["possible_sessions"], out["absent_sessions"]
    return Measures(
        **out,
        persistent=(possible > 0) & (absent * 10 >= possible),
        severe=(possible > 0) & (absent * 2 >= possible),
        penalty_notice_threshold=out["unauthorised_10_weeks"] >= PENALTY_NOTICE_SESSIONS,
        illness_15_days=out["illness_sessions"] >= ILLNESS_SESSIONS,
        n_overdue=out["overdue_n_sessions"] > 0,
    )
