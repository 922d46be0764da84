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

from django.db import connection
from django.db.models import Q

from onroll.accounts.permissions import is_la_staff, is_school_staff
from onroll.children.models import Child, Enrolment
from onroll.core.upn import UPNError
from onroll.core.upn import validate as validate_upn
from onroll.schools.calendar import SchoolDays, england_bank_holidays
from onroll.schools.models import School, SchoolCalendar
from onroll.schools.queries import NoCalendar, calendar_for, school_days_of

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


def _parse(lines, codes, result: Checked, total: int, progress) -> list[tuple] | None:
    """The checks that need nothing but the row and the code table.

    A file repeats the same few values (a date, two sessions, a dozen codes, a school's LAESTAB, each UPN
    twice a day), so each distinct raw value is checked once and remembered as (value, problem), problem
    "" when fine; a good row then costs five dictionary look-ups. Rows come back as plain tuples
    (line, upn, laestab, date, session, code)."""
    reader = csv.reader(lines)
    header = [name.strip().lower() for name in next(reader, [])]
    if header[:1] and header[0].startswith("\ufeff"):
        header[0] = header[0][1:]
    if header != COLUMNS:
        result.errors.append(RowError(1, "header", f"The first line must be exactly {','.join(COLUMNS)}"))
        return None

    errors = result.errors
    width = len(COLUMNS)
    upns: dict[str, tuple] = {}
    laestabs: dict[str, tuple] = {}
    dates: dict[str, tuple] = {}
    sessions: dict[str, tuple] = {}
    code_on: dict[tuple[str, str], tuple] = {}  # (raw code, raw date) → (code, problem)
    rows = []
    append = rows.append
    count = 0
    for line, raw in enumerate(reader, start=2):
        if len(raw) != width:
            if not raw or raw == [""]:
                continue  # blank lines, often at the end of an export
            count += 1
            errors.append(RowError(line, "row", f"Expected {width} values, found {len(raw)}"))
            continue
        count += 1
        if progress and count % PROGRESS_EVERY == 0:
            progress("Checking", count, total)
        upn_text, laestab_text, date_text, session_text, code_text = raw
        upn = upns.get(upn_text) or upns.setdefault(upn_text, _check_upn(upn_text.strip()))
        laestab = laestabs.get(laestab_text) or laestabs.setdefault(
            laestab_text, _check_laestab(laestab_text.strip())
        )
        date = dates.get(date_text) or dates.setdefault(date_text, _check_date(date_text.strip()))
        session = sessions.get(session_text) or sessions.setdefault(
            session_text, _check_session(session_text.strip().upper())
        )
        code = code_on.get((code_text, date_text))
        if code is None:
            code = code_on[code_text, date_text] = _check_code(codes, code_text.strip(), date[0])
        if upn[1] or laestab[1] or date[1] or session[1] or code[1]:
            for column, (_value, problem) in zip(COLUMNS, (upn, laestab, date, session, code), strict=True):
                if problem:
                    errors.append(RowError(line, column, problem))
            continue
        append((line, upn[0], laestab[0], date[0], session[0], code[0]))
    result.rows = count
    if progress:
        progress("Checking", count, total or count)
    return rows


def _check_upn(text: str) -> tuple:
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
    def load(cls, user, rows: list[tuple]):
        context = cls(user)
        laestabs = {row[2] for row in rows}
        la_codes = {laestab[:3] for laestab in laestabs}
        for school in School.objects.filter(la__code__in=la_codes).select_related("la"):
            context.schools[school.laestab] = school
            context.schools_by_id[school.pk] = school
        named = [context.schools[code] for code in laestabs if code in context.schools]
        context._load_calendars(named)

        upns = sorted({row[1] for row in rows})
        current, former = defaultdict(set), defaultdict(set)
        for child_id, upn, former_upn in _children_named(upns):
            current[upn].add(child_id)
            if former_upn:
                former[former_upn].add(child_id)
        # A current UPN wins over a former one; a pupil who has changed UPN is still found by the old one.
        for upn in upns:
            ids = current.get(upn) or former.get(upn)
            if ids:
                context.children[upn] = list(ids) if len(ids) == 1 else sorted(ids, key=str)

        # The spells at the file's schools that overlap its dates: one query, whatever the file's size.
        if named and rows:
            days = {row[3] for row in rows}
            wanted = {i for ids in context.children.values() for i in ids}
            spells = Enrolment.objects.filter(
                Q(leaving_date__isnull=True) | Q(leaving_date__gte=min(days)),
                school_id__in=[school.pk for school in named],
                entry_date__lte=max(days),
            )
            for child_id, school_id, entry, leaving in spells.values_list(
                "child_id", "school_id", "entry_date", "leaving_date"
            ).iterator(chunk_size=20_000):
                if child_id in wanted:
                    context.spells[child_id, school_id].append((entry, leaving))
        return context

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
        school_id = school.pk  # a property: read it once
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
        return None, None, "upn", f"The pupil {upn} was not on the roll of {school} on {_long(date)}"


def _check_rows(rows: list[tuple], context: _Context, result: Checked) -> None:
    errors, marks = result.errors, result.marks
    append = marks.append
    seen: dict[tuple, tuple[str, int]] = {}  # (child, school, date, session) → (code, line)
    pupils: dict[tuple, tuple] = {}  # (upn, laestab, date) → context.pupil(...)
    scope: dict = {}  # school id → problem text
    day_problems: dict[tuple, str] = {}  # (school id, date) → problem text, "" when a school day
    for line, upn, laestab, date, session, code in rows:
        key = (upn, laestab, date)
        found = pupils.get(key)
        if found is None:
            found = pupils[key] = context.pupil(upn, laestab, date, scope, day_problems)
        child_id, school_id, column, problem = found
        if problem:
            errors.append(RowError(line, column, problem))
            continue
        slot = (child_id, school_id, date, session)
        earlier = seen.get(slot)
        if earlier is not None:
            if earlier[0] != code:
                errors.append(
                    RowError(
                        line,
                        "code",
                        f"Line {earlier[1]} gives code '{earlier[0]}' for this pupil's "
                        f"{SESSION_NAMES[session]} session on {_long(date)}; this line gives "
                        f"'{code}'. Keep one of them",
                    )
                )
            continue  # the same mark twice is harmless: save it once
        seen[slot] = (code, line)
        append(Mark(line, child_id, school_id, date, session, code))


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


def _children_named(upns: list[str]):
    """(id, upn, former_upn) of every child whose UPN or former UPN is in `upns`. PostgreSQL takes the
    whole list as one array parameter; elsewhere it goes in chunks under the parameter limit."""
    if connection.vendor == "postgresql":
        table = Child._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT id, upn, former_upn FROM {table} WHERE upn = ANY(%s) "
                f"UNION SELECT id, upn, former_upn FROM {table} WHERE former_upn = ANY(%s)",
                [upns, upns],
            )
            yield from cursor.fetchall()
        return
    for chunk in _chunks(upns):
        found = Child.objects.filter(Q(upn__in=chunk) | Q(former_upn__in=chunk))
        yield from found.values_list("id", "upn", "former_upn")


def _chunks(items: list, size: int = CHUNK):
    for start in range(0, len(items), size):
        yield items[start : start + size]
