"""Synthetic register marks for the demo LA, so the daily run finds absence to act on by itself.

`add_attendance` writes one AttendanceMark per session (AM and PM) for every pupil on a roll of the LA's
schools, on every school day of the LA's default calendar in the window, and only while the pupil is on
that school's roll (entry date to leaving date, both included). The window ends on the last school day
before `today` (today's registers are not taken yet) and starts on the first day of the school year
`today` is in (never before 1 September 2025, where the demo calendar starts): on 22 November 2026 that is
the autumn term to 20 November 2026, about 1.2 million marks for the 12,000-child demo; by July it is the
whole school year.

Why not further back: on SQLite every mark costs about 9 microseconds and a few hundred bytes (two UUID
keys in the table and its indexes), so adding 2025/26 would take the demo build from ~20 s to over a
minute and the file past a gigabyte, and the measures and procedures work on the current school year
only. On SQLite the secondary indexes of the mark table
are dropped for the insert and rebuilt from their own stored SQL afterwards, in the same transaction
(building an index once is several times faster than updating five on every row).

The register is built as one uint8 matrix of code numbers (the `measures.CodeIndex` numbering), pupils x
sessions, with NumPy; only the final write walks rows. What it holds, all drawn from a seeded Generator:

- most pupils attend 95-97 %: scattered illness (I) spells, the odd unauthorised day (O) or term-time
  holiday (G), medical appointments (M), lateness (L, U), trips (V, P, B), Year 10 work experience (W),
  Year 11 study leave (S), religious observance (R), and part-time nursery pupils (X in the afternoon);
- about 10 % persistent absentees (absence of 12-32 %, a few severe at 50-75 %), mostly I, O and G;
- a few % with a long illness spell, suspensions (E runs of 1-5 days, older pupils), authorised leave (C,
  a little C1), part-time timetables (C2 in the afternoons) and interviews (J1);
- a few pupils who did not come back from agreed leave: C, then every session G or O up to now, with 2 to
  35 school days since the leave ended;
- about 0.75 % of the pupils on roll now (at least 8) in a current run of whole days of G, N or O that ends
  on the last school day before today, with lengths spread over 1..30 school days (stratified, so the 1, 5,
  10 and 20 day thresholds are each crossed); N appears only in the last 0-3 days of such a run, and
  otherwise only for a handful of pupils whose N was never replaced (more than 5 school days old);
- spells that ended with a "deleted" reason end the way the reason says (20 days of O; leave then 10 days
  of G), a permanent exclusion ends with E, and children who left for an unknown destination stopped
  coming first;
- about a third of schools closed (#) for polling day, 7 May 2026, when it is far enough in the past.

Every code written is in reference/attendance_codes.csv and valid under the 2024 regulations.
"""

import bisect
import datetime as dt
import itertools
from zoneinfo import ZoneInfo

import numpy as np
from django.conf import settings
from django.db import connection

from onroll.attendance.codes import load_code_table
from onroll.attendance.measures import CodeIndex
from onroll.attendance.models import AttendanceMark
from onroll.attendance.queries import school_year_start
from onroll.children.models import Child, Enrolment
from onroll.core.school_age import academic_year_start, nc_year
from onroll.schools.models import SchoolCalendar
from onroll.schools.queries import school_days_of

FIRST_DAY = dt.date(2025, 9, 1)
POLLING_DAY = dt.date(2026, 5, 7)
MARKS_TAKEN_AT = dt.time(16, 30)  # the day's registers reach Onroll after school
MAX_SPELL_DAYS = 10

PERSISTENT_SHARE = 0.065  # drawn to miss 12-32 % of days; chance takes some others over 10 % too
SEVERE_SHARE = 0.01
CURRENT_RUN_SHARE = 0.0075
CURRENT_RUN_MIN = 8
# Length bins (first day, last day, share) of current G/N/O runs, sampled stratified.
CURRENT_RUN_BINS = ((1, 4, 0.35), (5, 9, 0.25), (10, 19, 0.22), (20, 30, 0.18))
NOT_RETURNED_SHARE = 0.003
NOT_RETURNED_MIN = 3
OVERDUE_N_SHARE = 0.0005
OVERDUE_N_MIN = 3

LEFT_UNKNOWN = (
    "Left: destination unknown",
    "Believed to have moved abroad",
    "Moved out of the area",
    "Moved away",
    "Withdrawn",
    "Withdrawn by parents",
    "Family moved into temporary accommodation",
)


def add_attendance(la, today: dt.date, rng_seed: int) -> int:
    """Write the LA's synthetic register marks (see the module docstring); returns the rows written.

    Runs inside the caller's transaction. Writes nothing when the LA has no default calendar or no school
    day of the window has passed yet."""
    calendar = SchoolCalendar.objects.filter(la=la).first()
    if calendar is None:
        return 0
    days = school_days_of(calendar).days
    first = _window_start(today)
    window = days[bisect.bisect_left(days, first) : bisect.bisect_left(days, today)]
    if not window:
        return 0
    spells = _spells(la, window)
    if not spells:
        return 0
    index = CodeIndex.from_table(load_code_table())
    rng = np.random.default_rng([rng_seed, int(la.code) if la.code.isdigit() else 0])
    register = Register(index, rng, window, spells, _birth_dates(la))
    return _write(register.build(), register, window)


def _window_start(today: dt.date) -> dt.date:
    """The first day of the school year `today` is in (or FIRST_DAY)."""
    return max(FIRST_DAY, school_year_start(today))


def _spells(la, window) -> list[tuple]:
    """(child id, school id, first session column, end column exclusive, leaving reason or "" if still on
    that roll after the window), by child.

    A spell that overlaps the next one of the same child ends the day before the next begins."""
    rows = list(
        Enrolment.objects.filter(school__la=la, entry_date__lte=window[-1])
        .exclude(leaving_date__lt=window[0])
        .order_by("child_id", "entry_date", "pk")
        .values_list("child_id", "school_id", "entry_date", "leaving_date", "leaving_reason")
    )
    spells = []
    for i, (child, school, entry, leaving, reason) in enumerate(rows):
        first = 2 * bisect.bisect_left(window, entry)
        last = window[-1] if leaving is None or leaving > window[-1] else leaving
        end = 2 * bisect.bisect_right(window, last)
        if i + 1 < len(rows) and rows[i + 1][0] == child:
            end = min(end, 2 * bisect.bisect_left(window, rows[i + 1][2]))
        if end > first:
            left = leaving is not None and leaving <= window[-1]
            spells.append((child, school, first, end, (reason or "Left") if left else ""))
    return spells


def _birth_dates(la) -> dict[int, dt.date]:
    return dict(Child.objects.filter(la=la).values_list("id", "date_of_birth"))


class Register:
    """The code matrix for one LA: rows are children, columns are the window's sessions."""

    def __init__(self, index: CodeIndex, rng: np.random.Generator, window, spells, births):
        self.index, self.rng, self.window, self.spells = index, rng, window, spells
        self.children = list(dict.fromkeys(spell[0] for spell in spells))
        self.row = {child: i for i, child in enumerate(self.children)}
        self.n, self.days = len(self.children), len(window)
        self.code = {code: np.uint8(index.encode(code)) for code in index.codes}
        # Day columns each child is on a roll now: the current spell's first day, or -1.
        self.current_from = np.full(self.n, -1, dtype=np.int64)
        for child, _school, first, end, reason in spells:
            if end == 2 * self.days and not reason:
                self.current_from[self.row[child]] = first // 2
        self.nc = self._nc_years(births)
        self.am = np.full((self.n, self.days), self.code["/"], dtype=np.uint8)
        self.pm = np.full((self.n, self.days), self.code["\\"], dtype=np.uint8)
        self.taken: set[int] = set()  # rows given a current pattern, so two patterns never overlap
        self.stats: dict[str, int] = {}

    def _nc_years(self, births) -> np.ndarray:
        """National curriculum year of each child on each day (nursery is negative; 0 if unknown)."""
        years = np.array([academic_year_start(day) for day in self.window])
        last = self.window[-1]
        at_end = np.array(
            [nc_year(births[c], last) if c in births else 0 for c in self.children], dtype=np.int64
        )
        return at_end[:, None] - (years[-1] - years)[None, :]

    # -- building -------------------------------------------------------------------------------------

    def build(self) -> np.ndarray:
        self._everyday()
        self._episodes()
        self._spell_endings()
        self._not_returned_from_leave()
        self._current_runs()
        self._overdue_n()
        codes = np.empty((self.n, 2 * self.days), dtype=np.uint8)
        codes[:, 0::2], codes[:, 1::2] = self.am, self.pm
        return codes

    def _set(self, row: int, first: int, length: int, am: str, pm: str | None = None):
        self.am[row, first : first + length] = self.code[am]
        self.pm[row, first : first + length] = self.code[pm or am]

    def _present(self, row: int, day: int):
        if day >= 0:
            self._set(row, day, 1, "/", "\\")

    def _everyday(self):
        """Absence spells by each pupil's own rate, then single-session codes on days they are in."""
        rng, n, days, c = self.rng, self.n, self.days, self.code
        group = rng.random(n)
        persistent, severe = group < PERSISTENT_SHARE, group < SEVERE_SHARE
        rate = rng.beta(1.3, 60, n)
        rate[persistent] = rng.uniform(0.12, 0.32, persistent.sum())
        rate[severe] = rng.uniform(0.50, 0.75, severe.sum())
        mean_length = np.where(persistent, 2.0, 1.5)
        # Spells of mean length m starting with probability q cover about 1 - exp(-q m) of the days.
        start_p = np.minimum(-np.log1p(-rate) / mean_length, 0.9)
        starts = rng.random((n, days)) < start_p[:, None]
        lengths = np.minimum(rng.geometric(1 / mean_length[:, None], (n, days)), MAX_SPELL_DAYS)
        illness = np.where(persistent, 0.50, 0.82)[:, None]
        other = illness + np.where(persistent, 0.35, 0.14)[:, None]
        pick = rng.random((n, days))
        kind = np.where(pick < illness, c["I"], np.where(pick < other, c["O"], c["G"])).astype(np.uint8)
        holiday = kind == c["G"]
        lengths = np.where(holiday, rng.integers(3, 8, (n, days)), lengths)
        afternoon_only = starts & (lengths == 1) & ~holiday & (rng.random((n, days)) < 0.2)

        absent = np.zeros((n, days), dtype=np.uint8)
        for k in range(min(MAX_SPELL_DAYS, days)):
            on = starts[:, : days - k] & (lengths[:, : days - k] > k)
            absent[:, k:] = np.where(on, kind[:, : days - k], absent[:, k:])
        # Recent absence was reported (illness), so the only current G/N/O runs are the deliberate ones.
        recent = absent[:, -3:]
        recent[(recent == c["G"]) | (recent == c["O"])] = c["I"]
        away = absent > 0
        self.am = np.where(away & ~afternoon_only, absent, self.am)
        self.pm = np.where(away, absent, self.pm)

        def in_school(codes, present, p):
            return (codes == present) & (rng.random((n, days)) < p)

        late = np.where(persistent, 0.05, 0.012)[:, None]
        very_late = np.where(persistent, 0.012, 0.002)[:, None]
        for session, present in ((self.am, c["/"]), (self.pm, c["\\"])):
            session[in_school(session, present, 0.002)] = c["M"]
            session[in_school(session, present, 0.0008)] = c["B"]
        self.pm[in_school(self.pm, c["\\"], 0.0015)] = c["P"]
        self.am[in_school(self.am, c["/"], late)] = c["L"]
        self.am[in_school(self.am, c["/"], very_late)] = c["U"]
        trip = (self.am == c["/"]) & (self.pm == c["\\"]) & (rng.random((n, days)) < 0.002)
        self.am[trip], self.pm[trip] = c["V"], c["V"]

        # Part-time nursery places (15 hours: mornings only) for most nursery children.
        part_time = (rng.random(n) < 0.6)[:, None] & (self.nc < 0)
        self.pm[part_time] = c["X"]
        self.stats["persistent_drawn"] = int(persistent.sum())

    def _dates_between(self, first: dt.date, last: dt.date) -> tuple[int, int]:
        return bisect.bisect_left(self.window, first), bisect.bisect_right(self.window, last)

    def _episodes(self):
        """Events a few % of pupils have: long illness, suspension, leave, study leave, work experience."""
        rng, n, days = self.rng, self.n, self.days

        def some(share, eligible=None):
            chosen = rng.random(n) < share
            return np.flatnonzero(chosen if eligible is None else chosen & eligible)

        def runs(rows, low, high, am, pm=None, times=1):
            for row in rows:
                for _ in range(rng.integers(1, times + 1)):
                    length = min(int(rng.integers(low, high + 1)), days)
                    self._set(row, int(rng.integers(0, days - length + 1)), length, am, pm)

        runs(some(0.02), 5, 20, "I")  # a long illness
        older = self.nc[:, -1] >= 5
        runs(some(0.03, older), 1, 5, "E", times=3)  # suspensions, mostly at secondary
        runs(some(0.02), 2, 10, "C")  # leave granted for exceptional circumstances
        runs(some(0.001), 1, 5, "C1")  # licensed performance
        part_time = some(0.003, self.nc[:, -1] >= 1)
        for row in part_time:  # an agreed part-time timetable: afternoons off for some weeks
            length = min(int(rng.integers(20, 61)), days)
            start = int(rng.integers(0, days - length + 1))
            self.pm[row, start : start + length] = self.code["C2"]
        for row in some(0.005, self.nc[:, -1] >= 11):  # an interview for college or a job
            self.am[row, rng.integers(0, days)] = self.code["J1"]
        for day in (dt.date(2025, 10, 20), dt.date(2026, 3, 20)):  # Diwali, Eid al-Fitr (as expected)
            i = bisect.bisect_left(self.window, day)
            if i < days and self.window[i] == day:
                rows = some(0.02)
                self.am[rows, i], self.pm[rows, i] = self.code["R"], self.code["R"]
        first, end = self._dates_between(dt.date(2026, 5, 11), dt.date(2026, 6, 19))
        if end > first:  # GCSE study leave for Year 11
            leave = (self.nc[:, first:end] == 11) & (rng.random((n, end - first)) < 0.1)
            self.am[:, first:end][leave], self.pm[:, first:end][leave] = self.code["S"], self.code["S"]
        first, end = self._dates_between(dt.date(2026, 6, 29), dt.date(2026, 7, 3))
        if end > first:  # a week of work experience in Year 10
            rows = (rng.random(n) < 0.7)[:, None] & (self.nc[:, first:end] == 10)
            self.am[:, first:end][rows], self.pm[:, first:end][rows] = self.code["W"], self.code["W"]

    def _spell_endings(self):
        """Closures and the absence that led to a child leaving, spell by spell."""
        rng = self.rng
        polling = bisect.bisect_left(self.window, POLLING_DAY)
        closing = polling < self.days - 60 and self.window[polling] == POLLING_DAY
        schools = sorted({spell[1] for spell in self.spells})
        closed = {s for s in schools if rng.random() < 0.33} if closing else set()
        for child, school, first, end, reason in self.spells:
            row, first, end = self.row[child], first // 2, end // 2
            if school in closed and first <= polling < end:
                self._set(row, polling, 1, "#")
            available = end - first
            if reason.startswith("Deleted: 20 school days"):
                length = min(20, available)
                self._set(row, end - length, length, "O")
                self._present(row, end - length - 1 if end - length > first else -1)
            elif reason.startswith("Deleted: did not return"):
                away, leave = min(10, available), min(5, max(available - 10, 0))
                self._set(row, end - away, away, "G")
                if leave:
                    self._set(row, end - away - leave, leave, "C")
            elif reason == "Permanently excluded":
                length = min(int(rng.integers(5, 16)), available)
                self._set(row, end - length, length, "E")
            elif reason in LEFT_UNKNOWN:
                length = min(int(rng.integers(2, 11)), available)
                self._set(row, end - length, length, "O")

    def _choose(self, need_days) -> list[tuple[int, int]]:
        """(row, i): a random pupil on a roll now, not chosen before, whose current spell has at least
        need_days[i] days; an i that no pupil can take is left out."""
        order = self.rng.permutation(np.flatnonzero(self.current_from >= 0))
        order = order[~np.isin(order, list(self.taken))]
        available = self.days - self.current_from[order]
        free = np.ones(len(order), dtype=bool)
        chosen = []
        for i, need in enumerate(need_days):
            fits = np.flatnonzero(free & (available >= need))
            if len(fits):
                free[fits[0]] = False
                chosen.append((int(order[fits[0]]), i))
        self.taken.update(row for row, _ in chosen)
        return chosen

    def _on_roll_now(self) -> int:
        return int((self.current_from >= 0).sum())

    def _not_returned_from_leave(self):
        """Agreed leave (C), then every session G or O: 2 to 35 school days since the leave ended."""
        rng = self.rng
        count = min(max(NOT_RETURNED_MIN, round(NOT_RETURNED_SHARE * self._on_roll_now())), self.n // 20)
        after = 2 + np.floor((np.arange(count) + rng.random(count)) / max(count, 1) * 34).astype(int)
        leave = rng.integers(5, 11, count)
        chosen = self._choose(after + leave + 1)
        for row, i in chosen:
            gone, away = int(after[i]), int(leave[i])
            self._set(row, self.days - gone, gone, "G" if rng.random() < 0.6 else "O")
            self._set(row, self.days - gone - away, away, "C")
            self._present(row, self.days - gone - away - 1)
        self.stats["leave_not_returned"] = len(chosen)

    def _current_runs(self):
        """Whole days of G, N or O ending on the last school day, lengths spread over 1..30."""
        rng = self.rng
        count = min(max(CURRENT_RUN_MIN, round(CURRENT_RUN_SHARE * self._on_roll_now())), self.n // 5)
        shares = np.cumsum([share for _, _, share in CURRENT_RUN_BINS])
        lengths = []
        for u in (np.arange(count) + rng.random(count)) / max(count, 1):
            low, high, _ = CURRENT_RUN_BINS[min(int(np.searchsorted(shares, u)), len(CURRENT_RUN_BINS) - 1)]
            lengths.append(int(rng.integers(low, high + 1)))
        chosen = self._choose(np.array(lengths) + 1)
        for row, i in chosen:
            length = lengths[i]
            start = self.days - length
            holiday = rng.random() < 0.35
            self._set(row, start, length, "G" if holiday else "O")
            unknown = 0 if holiday else min(int(rng.integers(0, 4)), length)
            if unknown:
                self._set(row, self.days - unknown, unknown, "N")
            self._present(row, start - 1)
        self.stats["current_runs"] = len(chosen)

    def _overdue_n(self):
        """A handful of N marks that were never replaced, more than 5 school days old."""
        rng = self.rng
        count = min(max(OVERDUE_N_MIN, round(OVERDUE_N_SHARE * self.n)), self.n // 20)
        if self.days < 12:
            return
        # In the school year of the last day, where the measures look, when it has begun long enough ago.
        year = bisect.bisect_left(self.window, school_year_start(self.window[-1]))
        year = year if self.days - year >= 12 else 0
        chosen = self._choose(np.full(count, self.days - year))
        for row, _ in chosen:
            day = int(rng.integers(max(self.current_from[row], year), self.days - 7))
            self.am[row, day] = self.code["N"]
            if rng.random() < 0.5:
                self.pm[row, day] = self.code["N"]
        self.stats["overdue_n"] = len(chosen)


def _write(codes: np.ndarray, register: Register, window) -> int:
    """Insert the on-roll cells of the matrix: executemany on SQLite, COPY on PostgreSQL."""
    text = np.array(["", *register.index.codes], dtype=object)[codes]
    zone = ZoneInfo(settings.TIME_ZONE)
    stamps = [dt.datetime.combine(day, MARKS_TAKEN_AT, tzinfo=zone) for day in window]
    postgres = connection.vendor == "postgresql"
    if not postgres:
        stamps = [connection.ops.adapt_datetimefield_value(stamp) for stamp in stamps]
        dates = [connection.ops.adapt_datefield_value(day) for day in window]
    else:
        dates = list(window)
    stamp_cols = [stamp for stamp in stamps for _ in (0, 1)]
    date_cols = [day for day in dates for _ in (0, 1)]
    session_cols = ["AM", "PM"] * len(window)
    repeat = itertools.repeat
    # Children and schools have UUID keys, which sqlite3 cannot bind: Django stores them as hex text there.
    child_key = AttendanceMark._meta.get_field("child").target_field
    school_key = AttendanceMark._meta.get_field("school").target_field
    child_ids = {child: child_key.get_db_prep_value(child, connection) for child in register.children}
    school_ids = {
        school: school_key.get_db_prep_value(school, connection) for _c, school, *_ in register.spells
    }

    def rows():
        for child, school, first, end, _reason in register.spells:
            stamp = stamp_cols[first:end]
            yield from zip(
                stamp,
                stamp,
                repeat(child_ids[child]),
                repeat(school_ids[school]),
                date_cols[first:end],
                session_cols[first:end],
                text[register.row[child], first:end].tolist(),
                strict=False,
            )

    columns = ("created_at", "modified_at", "child_id", "school_id", "date", "session", "code")
    quote = connection.ops.quote_name
    table, names = quote(AttendanceMark._meta.db_table), ", ".join(quote(c) for c in columns)
    if postgres:
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows():
                copy.write_row(row)
    else:
        connection.ensure_connection()
        cursor = connection.connection.cursor()  # sqlite3's own: no per-row work in Django's wrapper
        try:
            # Only inside a transaction: otherwise a failed insert would leave the table without its indexes.
            indexes = (
                connection.connection.in_transaction
                and cursor.execute(
                    "SELECT name, sql FROM sqlite_master"
                    " WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
                    [AttendanceMark._meta.db_table],
                ).fetchall()
            )
            for name, _sql in indexes or ():
                cursor.execute(f"DROP INDEX {quote(name)}")
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES (?, ?, ?, ?, ?, ?, ?)", rows())
            for _name, sql in indexes or ():
                cursor.execute(sql)
        finally:
            cursor.close()
    return sum(end - first for _c, _s, first, end, _r in register.spells)
