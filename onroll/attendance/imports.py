"""Reading and checking an attendance marks CSV before anything is saved.

The file has the header `upn,laestab,date,session,code` (see docs/admin-guide.md, "Attendance imports").
`check_file` reads the WHOLE file and answers either a list of marks ready to save or a list of row errors
(line, column, problem in plain words); the service saves only when there are no errors.

Everything the checks need from the database (pupils by UPN, schools by LAESTAB, roll spells, each school's
days) is read once into dictionaries, a few queries per file, so the per-row work is dictionary look-ups.
"""

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db.models import Q

from onroll.accounts.permissions import is_la_staff, is_school_staff
from onroll.children.models import Child, Enrolment
from onroll.core.upn import UPNError
from onroll.core.upn import validate as validate_upn
from onroll.schools.calendar import SchoolDays, england_bank_holidays
from onroll.schools.models import School
from onroll.schools.queries import NoCalendar, calendar_for

from .codes import CodeInfo, is_valid_on, load_code_table
from .models import Session

COLUMNS = ["upn", "laestab", "date", "session", "code"]
SESSION_NAMES = {Session.AM: "morning", Session.PM: "afternoon"}
CHUNK = 2000  # ids per IN (...) query: well under SQLite's and PostgreSQL's parameter limits
PROGRESS_EVERY = 5000

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


class _Row(NamedTuple):
    line: int
    upn: str
    laestab: str
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
    codes = codes if codes is not None else load_code_table()
    result = Checked()
    rows = _parse(lines, codes, result, total, progress)
    if rows is None:
        return result
    context = _Context.load(user, rows)
    _check_rows(rows, context, result)
    result.errors.sort(key=lambda e: e.line)
    if result.errors:
        result.marks = []
    result.schools = context.schools_by_id
    return result


def _parse(lines, codes, result: Checked, total: int, progress) -> list[_Row] | None:
    """The checks that need nothing but the row and the code table."""
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader, [])]
    if header[:1] and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if header != COLUMNS:
        result.errors.append(RowError(1, "header", f"The first line must be exactly {','.join(COLUMNS)}"))
        return None

    errors = result.errors
    upns: dict[str, str | UPNError] = {}
    dates: dict[str, dt.date | None] = {}
    code_on: dict[tuple[str, dt.date], str] = {}  # (code, date) → "" if fine, else the problem
    rows = []
    count = 0
    for line, raw in enumerate(reader, start=2):
        if not raw or raw == [""]:
            continue  # blank lines, often at the end of an export
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("Checking", count, total)
        if len(raw) != len(COLUMNS):
            errors.append(RowError(line, "row", f"Expected {len(COLUMNS)} values, found {len(raw)}"))
            continue
        upn_text, laestab, date_text, session, code = (value.strip() for value in raw)
        ok = True

        upn = upns.get(upn_text)
        if upn is None:
            try:
                upn = validate_upn(upn_text)
            except UPNError as exc:
                upn = exc
            upns[upn_text] = upn
        if isinstance(upn, UPNError):
            errors.append(RowError(line, "upn", f"'{upn_text}' is not a valid UPN: {upn}"))
            ok = False

        if not (len(laestab) == 7 and laestab.isdigit()):
            errors.append(
                RowError(line, "laestab", f"'{laestab}' should be 7 digits: the LA number, then the school's")
            )
            ok = False

        if date_text in dates:
            date = dates[date_text]
        else:
            try:
                date = dt.date.fromisoformat(date_text) if len(date_text) == 10 else None
            except ValueError:
                date = None
            dates[date_text] = date
        if date is None:
            errors.append(RowError(line, "date", f"'{date_text}' is not a date written as YYYY-MM-DD"))
            ok = False

        session = session.upper()
        if session not in SESSION_NAMES:
            errors.append(RowError(line, "session", f"'{session}' should be AM or PM"))
            ok = False

        info = codes.get(code)
        if info is None:
            errors.append(RowError(line, "code", f"'{code}' is not an attendance code"))
            ok = False
        elif date is not None:
            problem = code_on.get((code, date))
            if problem is None:
                problem = "" if is_valid_on(info, date) else _not_valid_on(info, date)
                code_on[code, date] = problem
            if problem:
                errors.append(RowError(line, "code", problem))
                ok = False

        if ok:
            rows.append(_Row(line, upn, laestab, date, session, code))
    result.rows = count
    if progress:
        progress("Checking", count, total or count)
    return rows


def _not_valid_on(info: CodeInfo, date: dt.date) -> str:
    if info.valid_until and date > info.valid_until:
        return f"Code '{info.code}' could only be used until {_long(info.valid_until)}, not on {_long(date)}"
    return f"Code '{info.code}' can only be used from {_long(info.valid_from)}, not on {_long(date)}"


class _Context:
    """Everything the row checks look up, read in a few queries."""

    def __init__(self, user):
        self.user = user
        self.schools: dict[str, School] = {}  # LAESTAB → school
        self.schools_by_id: dict = {}
        self.children: dict[str, list] = {}  # UPN → ids of the children it names
        self.spells: dict[tuple, list[tuple]] = defaultdict(list)  # (child, school) → [(entry, leaving)]
        self.days: dict = {}  # school id → SchoolDays, or the problem as text

    @classmethod
    def load(cls, user, rows: list[_Row]):
        context = cls(user)
        la_codes = {row.laestab[:3] for row in rows}
        for school in School.objects.filter(la__code__in=la_codes).select_related("la"):
            context.schools[school.laestab] = school
            context.schools_by_id[school.pk] = school

        upns = sorted({row.upn for row in rows})
        current, former = defaultdict(set), defaultdict(set)
        for chunk in _chunks(upns):
            found = Child.objects.filter(Q(upn__in=chunk) | Q(former_upn__in=chunk))
            for child_id, upn, former_upn in found.values_list("id", "upn", "former_upn"):
                current[upn].add(child_id)
                if former_upn:
                    former[former_upn].add(child_id)
        # A current UPN wins over a former one; a pupil who has changed UPN is still found by the old one.
        for upn in upns:
            ids = current.get(upn) or former.get(upn)
            if ids:
                context.children[upn] = sorted(ids, key=str)

        child_ids = sorted({i for ids in context.children.values() for i in ids}, key=str)
        school_ids = list(context.schools_by_id)
        for chunk in _chunks(child_ids):
            spells = Enrolment.objects.filter(child_id__in=chunk, school_id__in=school_ids)
            for child_id, school_id, entry, leaving in spells.values_list(
                "child_id", "school_id", "entry_date", "leaving_date"
            ):
                context.spells[child_id, school_id].append((entry, leaving))
        return context

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
            try:
                self.days[school.pk] = calendar_for(school)
            except NoCalendar as exc:
                self.days[school.pk] = f"School days cannot be checked: {exc}"
        return self.days[school.pk]


def _check_rows(rows: list[_Row], context: _Context, result: Checked) -> None:
    errors, marks = result.errors, result.marks
    seen: dict[tuple, tuple[str, int]] = {}  # (child, school, date, session) → (code, line)
    scope: dict = {}  # school id → problem text
    not_school_day: dict[tuple, str] = {}  # (school id, date) → problem text, "" when a school day
    for row in rows:
        line = row.line
        school = context.schools.get(row.laestab)
        if school is None:
            errors.append(RowError(line, "laestab", f"No school has the LAESTAB {row.laestab}"))
            continue
        school_id = school.pk  # a property: read it once per row
        if school_id not in scope:
            scope[school_id] = context.scope_problem(school)
        if scope[school_id]:
            errors.append(RowError(line, "laestab", scope[school_id]))
            continue

        key = (school_id, row.date)
        problem = not_school_day.get(key)
        if problem is None:
            problem = not_school_day[key] = _school_day_problem(context.school_days(school), school, row.date)
        if problem:
            errors.append(RowError(line, "date", problem))
            continue

        ids = context.children.get(row.upn)
        if not ids:
            errors.append(RowError(line, "upn", f"No pupil with the UPN {row.upn} is known to Onroll"))
            continue
        if len(ids) > 1:
            errors.append(
                RowError(line, "upn", f"More than one pupil has the UPN {row.upn}; merge or correct them")
            )
            continue
        child_id = ids[0]
        spells = context.spells.get((child_id, school_id), ())
        if not any(entry <= row.date and (end is None or end >= row.date) for entry, end in spells):
            message = f"The pupil {row.upn} was not on the roll of {school} on {_long(row.date)}"
            errors.append(RowError(line, "upn", message))
            continue

        slot = (child_id, school_id, row.date, row.session)
        earlier = seen.get(slot)
        if earlier is not None:
            if earlier[0] != row.code:
                errors.append(
                    RowError(
                        line,
                        "code",
                        f"Line {earlier[1]} gives code '{earlier[0]}' for this pupil's "
                        f"{SESSION_NAMES[row.session]} session on {_long(row.date)}; this line gives "
                        f"'{row.code}'. Keep one of them",
                    )
                )
            continue  # the same mark twice is harmless: save it once
        seen[slot] = (row.code, line)
        marks.append(Mark(line, child_id, school_id, row.date, row.session, row.code))


def _school_day_problem(days: SchoolDays | str, school: School, date: dt.date) -> str:
    if isinstance(days, str):
        return days
    if date in days:
        return ""
    when = f"{date:%A} {_long(date)}"
    if not days.first <= date <= days.last:
        return (
            f"{when} is outside the term dates held for {school} ({_long(days.first)} to {_long(days.last)})"
        )
    if date.weekday() >= 5:
        return f"{when} is a weekend, not a school day"
    if date in england_bank_holidays([date.year]):
        return f"{when} is a bank holiday, not a school day"
    return f"{when} is not a school day at {school} (a holiday, half term, INSET day or closure)"


def _long(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"  # "2 September 2024"; %-d is not portable


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]
