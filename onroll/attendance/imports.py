"""Reading and checking an attendance marks CSV before anything is saved.

The file has the header `upn,laestab,date,session,code` (see docs/admin-guide.md, "Attendance imports").
`check_file` reads the WHOLE file and answers either a list of marks ready to save or a list of row errors
(line, column, problem in plain words); the service saves only when there are no errors.

Everything the checks need from the database (pupils by UPN, schools by LAESTAB, roll spells, each school's
days) is read into dictionaries a few queries at a time, as new pupils and schools turn up, so the per-row
work is dictionary look-ups. The file is read in chunks (`_Checker.chunks`), so a year's file need not be
held in memory: the COPY path in `services` saves each chunk as it goes, in one transaction that is rolled
back if any row turns out to be wrong.
"""

import csv
import datetime as dt
import gc
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import mul
from typing import NamedTuple

from django.db import connection
from django.db.models import Q

from onroll.accounts.permissions import is_la_staff, is_school_staff
from onroll.children.models import Child, Enrolment
from onroll.core.dates import long_date
from onroll.core.upn import CHECK_LETTERS, UPNError
from onroll.core.upn import validate as validate_upn
from onroll.schools.calendar import SchoolDays, england_bank_holidays
from onroll.schools.models import School, SchoolCalendar
from onroll.schools.queries import NoCalendar, calendar_for, school_days_of

from .codes import CodeInfo, is_valid_on, load_code_table
from .models import Session

COLUMNS = ["upn", "laestab", "date", "session", "code"]
SESSION_NAMES = {Session.AM: "morning", Session.PM: "afternoon"}
CHUNK = 2000  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter limits
UPN_WEIGHTS = range(2, 14)  # the weights of a UPN's 12 characters after its check letter
UPN_OFFSET = 48 * sum(UPN_WEIGHTS)  # the characters' codes are summed: "0" is 48

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    column: str
    message: str

    def __str__(self):
        return f"line {self.line}, {self.column}: {self.message}"


class Mark(NamedTuple):
    line: int
    child_id: object
    school_id: object
    date: dt.date
    session: str
    code: str


@dataclass
class Checked:
    rows: int = 0
    marks: list[Mark] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    schools: dict = field(default_factory=dict)  # id → School, for the summary


def check_file(
    user,
    lines: Iterable[str],
    *,
    codes: Mapping[str, CodeInfo] | None = None,
    total: int = 0,
    progress: Progress | None = None,
) -> Checked:
    """Read and check every row; `marks` holds one entry per (pupil, school, date, session)."""
    checker = _Checker(user, codes if codes is not None else load_code_table())
    with gc_paused():
        marks = [mark for chunk in checker.chunks(lines, total=total, progress=progress) for mark in chunk]
    errors = sorted(checker.errors, key=lambda e: e.line)
    return Checked(
        rows=checker.rows,
        marks=[] if errors else marks,
        errors=errors,
        schools=checker.context.schools_by_id,
    )


@contextmanager
def gc_paused():
    """No cyclic garbage collection meanwhile: a file makes hundreds of thousands of tuples and lists,
    none of them in cycles, and each collection would walk them all (a third of the checking time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _check_upn(text: str) -> tuple:
    """A permanent UPN already in canonical form is checked here with one sum (most of a file's); anything
    else, and any UPN whose check letter is wrong, goes to `core.upn.validate` for its message."""
    if len(text) == 13 and text[1:].isascii() and text[1:].isdigit() and text[0] in CHECK_LETTERS:
        if CHECK_LETTERS[(sum(map(mul, UPN_WEIGHTS, text[1:].encode())) - UPN_OFFSET) % 23] == text[0]:
            return text, ""
    try:
        return validate_upn(text), ""
    except UPNError as exc:
        return None, f"'{text}' is not a valid UPN: {exc}"


def _check_laestab(text: str) -> tuple:
    if len(text) == 7 and text.isdigit():
        return text, ""
    return None, f"'{text}' should be 7 digits: the LA number, then the school's"


def _check_date(text: str) -> tuple:
    try:
        date = dt.date.fromisoformat(text) if len(text) == 10 else None
    except ValueError:
        date = None
    return (date, "") if date is not None else (None, f"'{text}' is not a date written as YYYY-MM-DD")


def _check_session(text: str) -> tuple:
    return (text, "") if text in SESSION_NAMES else (None, f"'{text}' should be AM or PM")


def _check_code(codes, code: str, date: dt.date | None) -> tuple:
    info = codes.get(code)
    if info is None:
        return None, f"'{code}' is not an attendance code"
    if date is not None and not is_valid_on(info, date):
        return None, _not_valid_on(info, date)
    return code, ""


def _not_valid_on(info: CodeInfo, date: dt.date) -> str:
    if info.valid_until and date > info.valid_until:
        return (
            f"Code '{info.code}' could only be used until {long_date(info.valid_until)}, "
            f"not on {long_date(date)}"
        )
    return f"Code '{info.code}' can only be used from {long_date(info.valid_from)}, not on {long_date(date)}"


# Streaming checker: each raw value is looked up in a cache of values already found good; anything not
# found there takes the full checks (`_slow`), which report exactly what was wrong.

CHUNK_ROWS = 100_000  # rows read, checked and handed over at a time: memory stays flat whatever the size
FAR_PAST, FAR_FUTURE = dt.date.min, dt.date.max


class _Checker:
    """Checks rows chunk by chunk, remembering only per-pupil, per-day and per-slot state.

    Good rows come out either as `Mark` tuples (`copy_now` None) or as lines of PostgreSQL COPY text
    `child, school, date, session, code, created_at, modified_at` split in two lists: marks for a school
    and day with no stored marks and the rest, which need merging. `stored(pairs)` answers which of the
    (school id, date) pairs had marks before; it is asked once per chunk for the chunk's new school-days
    (a year's file sorted by pupil names tens of thousands of them).

    A mark's slot (pupil-school pair, day, session) is remembered in one byte per slot (which code) and
    four (which line), per day, so spotting the same mark twice in a file costs five bytes a mark, not
    a dictionary entry."""

    def __init__(
        self,
        user,
        codes,
        *,
        copy_now: dt.datetime | None = None,
        stored=None,
        ask_ahead: bool = True,
        before_query=None,
    ):
        self.codes = codes
        self.context = _Context(user, before_query)
        self.copy = copy_now is not None
        self.now = copy_now.isoformat() if copy_now is not None else ""
        self.stored = stored
        self.ask_ahead = ask_ahead  # False when `stored` is a set look-up: asking per chunk only costs
        self.was_stored: dict[tuple[str, dt.date], bool] = {}
        self.raw_school_days: set[tuple[str, str]] = set()  # (raw LAESTAB, raw date) asked about
        self.rows = 0
        self.good = 0
        self.errors: list[RowError] = []
        self.pupils: dict[tuple[str, str], tuple] = {}  # (raw UPN, raw LAESTAB) → see _resolve
        self.not_fast: set[tuple[str, str]] = set()  # keys the fast path must leave to _slow
        self.pairs: dict[
            tuple, tuple
        ] = {}  # (child id, school id) → (child, school, prefix, 2·index, school)
        self.dates: dict[str, tuple] = {}  # raw date → (date, "iso\t", open, codes, lines, session-codes)
        self.days: dict[dt.date, tuple] = {}  # date → the same tuple
        self.code_index: dict[str, int] = {}
        self.code_names: list[str] = [""]
        self.capacity = 1024  # slots per day: 2 per pupil-school pair
        self.touched: set = set()  # school ids with a mark in the file
        # the original per-row caches of the full checks
        self.upns: dict[str, tuple] = {}
        self.laestabs: dict[str, tuple] = {}
        self.raw_dates: dict[str, tuple] = {}
        self.sessions: dict[str, tuple] = {}
        self.code_on: dict[tuple[str, str], tuple] = {}
        self.scope: dict = {}
        self.day_problems: dict[tuple, str] = {}

    def chunks(self, lines, *, total=0, progress=None, size=0):
        """Yield, per chunk of rows, a list of Marks, or (fresh, stored) lists of COPY lines."""
        size = size or CHUNK_ROWS
        reader = csv.reader(lines)
        header = [name.strip().lower() for name in next(reader, [])]
        if header[:1] and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        if header != COLUMNS:
            self.errors.append(RowError(1, "header", f"The first line must be exactly {','.join(COLUMNS)}"))
            return
        line = 2
        batch = list(islice(reader, size))
        self._prepare(batch)
        while batch:
            self.rows += len(batch)
            out = ([], []) if self.copy else []
            pos = 0
            while pos < len(batch):
                pos = self._run(batch, pos, line, out)
                if pos < len(batch):
                    self._resolve(batch[pos:])
            line += len(batch)
            if progress:
                progress("Checking", self.rows, total or self.rows)
            # The next chunk's pupils are looked up before this chunk is handed over, so the caller's COPY
            # of this chunk can run while the next is checked without the checks needing the database.
            batch = list(islice(reader, size))
            self._prepare(batch)
            yield out
        if progress:
            progress("Checking", self.rows, total or self.rows)

    def _prepare(self, batch) -> None:
        """Everything the checks of `batch` need from the database, read before they start."""
        self._resolve(batch)
        if self.stored is None or not self.ask_ahead:
            return
        new = {(r[1], r[2]) for r in batch if len(r) == 5} - self.raw_school_days
        self.raw_school_days |= new
        asked = set()
        for laestab_t, date_t in new:
            laestab = self.laestabs.get(laestab_t)
            school_id = laestab and not laestab[1] and self.context.school_ids.get(laestab[0])
            date = self._cached(self.raw_dates, date_t, _check_date, date_t.strip())
            if school_id and not date[1] and (school_id, date[0]) not in self.was_stored:
                asked.add((school_id, date[0]))
        self._ask_stored(asked)

    def _ask_stored(self, pairs: set) -> None:
        if pairs:
            stored = self.stored(sorted(pairs))
            self.was_stored.update((pair, pair in stored) for pair in pairs)

    def fresh_school_days(self) -> list[tuple[str, dt.date]]:
        """(school id, date) of every school-day whose marks went straight into the marks table."""
        return [
            (school, date) for date, day in self.days.items() for school, dest in day[2].items() if not dest
        ]

    def _run(self, batch, pos, first_line, out) -> int:
        """The fast path from `pos`; answers where it stopped for a pupil not yet looked up (or the end)."""
        pupils, dates, not_fast, errors, slow = (
            self.pupils,
            self.dates,
            self.not_fast,
            self.errors,
            self._slow,
        )
        copy = self.copy
        if copy:
            add = (out[0].append, out[1].append)
        else:
            add = out.append
        good = 0
        for line in range(first_line + pos, first_line + len(batch)):
            raw = batch[line - first_line]
            try:
                upn_t, laestab_t, date_t, session_t, code_t = raw
                p = pupils[upn_t, laestab_t]
                d = dates[date_t]
                sc = d[5][session_t, code_t]
                date = d[0]
                if not p[5] <= date <= p[6]:
                    raise KeyError
                dest = d[2][p[4]]
            except (ValueError, KeyError):
                if len(raw) == 5 and (raw[0], raw[1]) not in pupils and (raw[0], raw[1]) not in not_fast:
                    self.good += good
                    return line - first_line
                found = slow(line, raw)
                if found is None:
                    continue
                p, d, sc, dest = found
            slot = p[3] + sc[3]
            codes = d[3]
            earlier = codes[slot]
            if earlier:
                if earlier != sc[2]:
                    errors.append(self._clash(line, d, slot, sc))
                continue  # the same mark twice is harmless: save it once
            codes[slot] = sc[2]
            d[4][slot] = line
            good += 1
            if copy:
                add[dest](p[2] + d[1] + sc[4])
            else:
                add(Mark(line, p[0], p[1], d[0], sc[0], sc[1]))
        self.good += good
        return len(batch)

    def _clash(self, line, d, slot, sc) -> RowError:
        earlier_code = self.code_names[d[3][slot]]
        return RowError(
            line,
            "code",
            f"Line {d[4][slot]} gives code '{earlier_code}' for this pupil's "
            f"{SESSION_NAMES[sc[0]]} session on {long_date(d[0])}; this line gives "
            f"'{sc[1]}'. Keep one of them",
        )

    def _resolve(self, rows) -> None:
        """Look up, in a few queries, every pupil named in `rows` not looked up before."""
        keys = {(r[0], r[1]) for r in rows if len(r) == 5}
        keys.difference_update(self.pupils, self.not_fast)
        if not keys:
            return
        found = {}
        for key in keys:
            upn, problem = self._cached(self.upns, key[0], _check_upn, key[0].strip())
            laestab, problem2 = self._cached(self.laestabs, key[1], _check_laestab, key[1].strip())
            if problem or problem2:
                self.not_fast.add(key)
            else:
                found[key] = (upn, laestab)
        context = self.context
        context.add({v[1] for v in found.values()}, {v[0] for v in found.values()})
        for key, (upn, laestab) in found.items():
            school = context.schools.get(laestab)
            ids = context.children.get(upn)
            if school is None or not ids or len(ids) != 1:
                self.not_fast.add(key)
                continue
            school_id = context.school_ids[laestab]
            if school_id not in self.scope:
                self.scope[school_id] = context.scope_problem(school)
            spells = context.spells.get((ids[0], school_id), ())
            if self.scope[school_id] or not spells:
                self.not_fast.add(key)
                continue
            entry, leaving = spells[0] if len(spells) == 1 else (FAR_FUTURE, FAR_PAST)  # several: slow
            self.pupils[key] = (*self._pair(ids[0], school_id), entry, leaving or FAR_FUTURE)

    @staticmethod
    def _cached(cache, raw, check, text):
        found = cache.get(raw)
        if found is None:
            found = cache[raw] = check(text)
        return found

    def _pair(self, child_id, school_id) -> tuple:
        pair = self.pairs.get((child_id, school_id))
        if pair is None:
            index = len(self.pairs)
            if 2 * index + 2 > self.capacity:
                grow = self.capacity
                self.capacity *= 2
                for day in self.days.values():
                    day[3].extend(bytes(grow))
                    day[4].frombytes(bytes(day[4].itemsize * grow))
            pair = self.pairs[child_id, school_id] = (
                child_id,
                school_id,
                f"{child_id}\t{school_id}\t",
                2 * index,
                str(school_id),
            )
        return pair

    def _day(self, date_t: str, date: dt.date) -> tuple:
        day = self.days.get(date)
        if day is None:
            day = self.days[date] = (
                date,
                f"{date.isoformat()}\t",
                {},  # school key → 0 (no stored marks that day) or 1
                bytearray(self.capacity),  # code index per slot, 0 when not in the file yet
                array("I", bytes(4 * self.capacity)),  # line per slot
                {},  # (raw session, raw code) → (session, code, code index, 0/1, COPY text)
            )
        self.dates[date_t] = day
        return day

    def _slow(self, line: int, raw: list[str]):
        """The full checks for one row: its errors are recorded and None answered, or (pair, day,
        session-code, destination) for a good row, remembered so that rows like it take the fast path."""
        errors = self.errors
        if len(raw) != len(COLUMNS):
            if not raw or raw == [""]:
                self.rows -= 1
                return None  # blank lines, often at the end of an export
            errors.append(RowError(line, "row", f"Expected {len(COLUMNS)} values, found {len(raw)}"))
            return None
        upn_t, laestab_t, date_t, session_t, code_t = raw
        upn = self._cached(self.upns, upn_t, _check_upn, upn_t.strip())
        laestab = self._cached(self.laestabs, laestab_t, _check_laestab, laestab_t.strip())
        date = self._cached(self.raw_dates, date_t, _check_date, date_t.strip())
        session = self._cached(self.sessions, session_t, _check_session, session_t.strip().upper())
        code = self.code_on.get((code_t, date_t))
        if code is None:
            code = self.code_on[code_t, date_t] = _check_code(self.codes, code_t.strip(), date[0])
        if upn[1] or laestab[1] or date[1] or session[1] or code[1]:
            for column, (_value, problem) in zip(COLUMNS, (upn, laestab, date, session, code), strict=True):
                if problem:
                    errors.append(RowError(line, column, problem))
            return None
        context = self.context
        if upn[0] not in context.children or laestab[0] not in context.schools:
            context.add({laestab[0]}, {upn[0]})
        child_id, school_id, column, problem = context.pupil(
            upn[0], laestab[0], date[0], self.scope, self.day_problems
        )
        if problem:
            errors.append(RowError(line, column, problem))
            return None
        pair = self._pair(child_id, school_id)
        day = self._day(date_t, date[0])
        dest = day[2].get(pair[4])
        if dest is None:
            if self.stored is not None and (school_id, date[0]) not in self.was_stored:
                self._ask_stored({(school_id, date[0])})
            dest = day[2][pair[4]] = int(self.was_stored.get((school_id, date[0]), False))
            self.touched.add(school_id)
        sc = day[5].get((session_t, code_t))
        if sc is None:
            index = self.code_index.get(code[0])
            if index is None:
                index = self.code_index[code[0]] = len(self.code_names)
                self.code_names.append(code[0])
            text = code[0].replace("\\", "\\\\")  # "\" is a register code; COPY text escapes it
            sc = day[5][session_t, code_t] = (
                session[0],
                code[0],
                index,
                0 if session[0] == Session.AM else 1,
                f"{session[0]}\t{text}\t{self.now}\t{self.now}\n",
            )
        return pair, day, sc, dest


class _Context:
    """Everything the row checks look up, read in a few queries."""

    def __init__(self, user, before_query=None):
        self.user = user
        self.before_query = before_query or (lambda: None)  # e.g. end an open COPY on the connection
        self.schools: dict[str, School] = {}  # LAESTAB → school
        self.schools_by_id: dict = {}
        self.children: dict[str, list] = {}  # UPN → ids of the children it names
        self.spells: dict[tuple, list[tuple]] = defaultdict(list)  # (child, school) → [(entry, leaving)]
        self.days: dict = {}  # school id → SchoolDays, or the problem as text
        self.school_ids: dict[str, str] = {}  # LAESTAB → the school's id as text, like child ids here
        self.la_codes: set[str] = set()
        self.upns_read: set[str] = set()
        self.spells_read: set = set()

    def add(self, laestabs: set[str], upns: set[str]) -> None:
        """Read the schools, pupils and roll spells these LAESTABs and UPNs name, unless read already."""
        la_codes = {laestab[:3] for laestab in laestabs} - self.la_codes
        upns = sorted(set(upns) - self.upns_read)
        unread = {
            code for code in laestabs if code not in self.schools or self.schools[code].pk not in self.days
        }
        if not (la_codes or upns or unread):
            return
        self.before_query()
        if la_codes:
            self.la_codes |= la_codes
            for school in School.objects.filter(la__code__in=la_codes).select_related("la"):
                self.schools[school.laestab] = school
                self.schools_by_id[school.pk] = school
                self.school_ids[school.laestab] = str(school.pk)
        named = [self.schools[code] for code in laestabs if code in self.schools]
        self._load_calendars([school for school in named if school.pk not in self.days])
        if not upns:
            return
        self.upns_read.update(upns)
        current, former = defaultdict(set), defaultdict(set)
        for child_id, upn, former_upn in _children_named(upns):
            current[upn].add(child_id)
            if former_upn:
                former[former_upn].add(child_id)
        # A current UPN wins over a former one; a pupil who has changed UPN is still found by the old one.
        new_ids = set()
        for upn in upns:
            ids = current.get(upn) or former.get(upn)
            if ids:
                self.children[upn] = list(ids) if len(ids) == 1 else sorted(ids)
                new_ids.update(ids)
        new_ids -= self.spells_read
        self.spells_read |= new_ids
        for child_id, school_id, entry, leaving in _spells_of(sorted(new_ids)):
            self.spells[child_id, school_id].append((entry, leaving))

    def _load_calendars(self, schools: list[School]) -> None:
        """Which calendar applies to each school (its own, else its LA's), in one query; each calendar's
        days are built once however many schools share it."""
        own, default = {}, {}
        found = SchoolCalendar.objects.filter(
            Q(school_id__in=[s.pk for s in schools]) | Q(la_id__in={s.la_id for s in schools})
        )
        for calendar in found:
            if calendar.school_id is not None:
                own[calendar.school_id] = calendar
            else:
                default[calendar.la_id] = calendar
        built: dict = {}
        for school in schools:
            calendar = own.get(school.pk) or default.get(school.la_id)
            if calendar is None:
                self.days[school.pk] = (
                    f"School days cannot be checked: {school} has no calendar and its LA has no default "
                    "calendar; add the term dates in the admin"
                )
                continue
            if calendar.pk not in built:
                try:
                    built[calendar.pk] = school_days_of(calendar)
                except NoCalendar as exc:
                    built[calendar.pk] = f"School days cannot be checked: {exc}"
            self.days[school.pk] = built[calendar.pk]

    def scope_problem(self, school: School) -> str:
        """Why this user may not import marks for this school, or "" if they may."""
        org = self.user.organisation
        if is_school_staff(self.user):
            if school.organisation_id != org.pk:
                return f"You can only import marks for your own school, not {school} ({school.laestab})"
            return ""
        if is_la_staff(self.user):
            if school.la.code != org.la_code:
                return f"You can only import marks for schools in your LA, not {school} ({school.laestab})"
            return ""
        return f"You cannot import marks for {school} ({school.laestab})"

    def school_days(self, school: School) -> SchoolDays | str:
        if school.pk not in self.days:
            self.before_query()
            try:
                self.days[school.pk] = calendar_for(school)
            except NoCalendar as exc:
                self.days[school.pk] = f"School days cannot be checked: {exc}"
        return self.days[school.pk]

    def pupil(self, upn: str, laestab: str, date: dt.date, schools: dict, day_problems: dict) -> tuple:
        """(child id, school id, "", "") when this pupil may have a mark at this school on this date,
        else (None, None, column, problem). The same for every session, so the caller remembers it."""
        school = self.schools.get(laestab)
        if school is None:
            return None, None, "laestab", f"No school has the LAESTAB {laestab}"
        school_id = self.school_ids[laestab]
        if school_id not in schools:
            schools[school_id] = self.scope_problem(school)
        if schools[school_id]:
            return None, None, "laestab", schools[school_id]
        key = (school_id, date)
        problem = day_problems.get(key)
        if problem is None:
            problem = day_problems[key] = _school_day_problem(self.school_days(school), school, date)
        if problem:
            return None, None, "date", problem

        ids = self.children.get(upn)
        if not ids:
            return None, None, "upn", f"No pupil with the UPN {upn} is known to Onroll"
        if len(ids) > 1:
            return None, None, "upn", f"More than one pupil has the UPN {upn}; merge or correct them"
        child_id = ids[0]
        for entry, end in self.spells.get((child_id, school_id), ()):
            if entry <= date and (end is None or end >= date):
                return child_id, school_id, "", ""
        return None, None, "upn", f"The pupil {upn} was not on the roll of {school} on {long_date(date)}"


def _school_day_problem(days: SchoolDays | str, school: School, date: dt.date) -> str:
    if isinstance(days, str):
        return days
    if date in days:
        return ""
    when = f"{date:%A} {long_date(date)}"
    if not days.first <= date <= days.last:
        return (
            f"{when} is outside the term dates held for {school} "
            f"({long_date(days.first)} to {long_date(days.last)})"
        )
    if date.weekday() >= 5:
        return f"{when} is a weekend, not a school day"
    if date in england_bank_holidays([date.year]):
        return f"{when} is a bank holiday, not a school day"
    return f"{when} is not a school day at {school} (a holiday, half term, INSET day or closure)"


def _children_named(upns: list[str]):
    """(id, upn, former_upn) of every child whose UPN or former UPN is in `upns`. PostgreSQL takes the
    whole list as one array parameter; elsewhere it goes in chunks under the parameter limit."""
    if connection.vendor == "postgresql":
        table = Child._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id::text, upn, former_upn FROM {table} WHERE upn = ANY(%s::text[]) "
                f"UNION SELECT id::text, upn, former_upn FROM {table} WHERE former_upn = ANY(%s::text[])",
                [_array(upns)] * 2,
            )
            yield from cursor.fetchall()
        return
    for chunk in _chunks(upns):
        found = Child.objects.filter(Q(upn__in=chunk) | Q(former_upn__in=chunk))
        for child_id, upn, former_upn in found.values_list("id", "upn", "former_upn"):
            yield str(child_id), upn, former_upn


def _spells_of(child_ids: list):
    """(child, school, entry, leaving) of every roll spell of these children, at any school."""
    spells = Enrolment.objects.values_list("child_id", "school_id", "entry_date", "leaving_date")
    if connection.vendor == "postgresql":
        table = Enrolment._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT child_id::text, school_id::text, entry_date, leaving_date FROM {table} "
                "WHERE child_id = ANY(%s::uuid[])",
                [_array(child_ids)],
            )
            yield from cursor.fetchall()
        return
    for chunk in _chunks(child_ids):
        for child_id, school_id, entry, leaving in spells.filter(child_id__in=chunk):
            yield str(child_id), str(school_id), entry, leaving


def _array(items: list[str]) -> str:
    """A PostgreSQL array literal of plain words (checked UPNs, ids): far cheaper than adapting a list."""
    return "{" + ",".join(items) + "}"


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]
