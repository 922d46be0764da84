"""Saving checked marks on PostgreSQL with COPY and set-based SQL.

`imports._Checker` hands over each chunk of checked marks as lines of COPY text, split by whether the
school already has marks stored for that day (one indexed look-up per school and day, `has_marks`):

* marks for a school-day with nothing stored go straight into the marks table with COPY (`copy_marks`):
  no staging and no join, the common case of a first import. A mark that another import inserts meanwhile
  makes the COPY fail on the unique constraint (IntegrityError), as bulk_create did, so the caller refuses
  the whole file and asks for a retry rather than overwrite it unaudited;
* the rest are COPYed into a temporary staging table (`stage`), then `merge_staged`, in the caller's
  transaction:

  1. the stored marks whose code the file changes are read with their old codes (and locked), for the audit;
  2. one UPDATE ... FROM staging sets the new codes of exactly those marks;
  3. one DELETE ... USING drops from the staging table every mark already stored (changed or not);
  4. one INSERT ... SELECT adds what is left, the new marks (failing, like the COPY, on a clash).

The INSERT deliberately does not test NOT EXISTS against the marks table itself: while the statement runs
the table grows, and a plan that scans it per staged row (likely when its statistics say it is small)
turns quadratic.

Identical marks are left alone, so importing the same file twice writes no mark.
"""

import datetime as dt
from typing import NamedTuple

from django.db import connection

STAGING = "onroll_attendance_staging"
MARKS = "attendance_attendancemark"
FIELDS = "child_id, school_id, date, session, code, created_at, modified_at"
KEY = "m.child_id = s.child_id AND m.school_id = s.school_id AND m.date = s.date AND m.session = s.session"
DROP_STORED = f"DELETE FROM {STAGING} s USING {MARKS} m WHERE {KEY}"  # a test skips it to mimic a race
COPY_BLOCK = 20_000  # lines per write to the COPY stream


class Change(NamedTuple):
    mark_id: int
    old: str
    child_id: object
    school_id: object
    date: dt.date
    session: str
    code: str


class Saved(NamedTuple):
    added: int
    changes: list[Change]


def has_marks(school_id, date: dt.date) -> bool:
    """Whether any mark is stored for this school on this day (the school-and-date index)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {MARKS} WHERE school_id = %s AND date = %s)", [school_id, date]
        )
        return cursor.fetchone()[0]


def copy_marks(lines: list[str]) -> int:
    """COPY lines of `FIELDS` text straight into the marks table; how many."""
    with connection.cursor() as cursor:
        _copy(cursor.cursor, MARKS, lines)
    return len(lines)


def stage(lines: list[str], first: bool) -> None:
    """COPY lines into the staging table, made first (it is dropped at commit)."""
    with connection.cursor() as cursor:
        if first:
            cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
            cursor.execute(
                f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS SELECT {FIELDS} FROM {MARKS} WITH NO DATA"
            )
        _copy(cursor.cursor, STAGING, lines)


def merge_staged(now: dt.datetime) -> Saved:
    """Apply the staged marks: replace changed codes, add new marks; must run inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {STAGING}")
        cursor.execute(
            f"SELECT m.id, m.code, s.child_id, s.school_id, s.date, s.session, s.code "
            f"FROM {STAGING} s JOIN {MARKS} m ON {KEY} WHERE m.code <> s.code FOR UPDATE OF m"
        )
        changes = [Change(*row) for row in cursor.fetchall()]
        if changes:
            cursor.execute(
                f"UPDATE {MARKS} m SET code = s.code, modified_at = %s FROM {STAGING} s "
                f"WHERE {KEY} AND m.code <> s.code",
                [now],
            )
        cursor.execute(DROP_STORED)
        cursor.execute(f"INSERT INTO {MARKS} ({FIELDS}) SELECT {FIELDS} FROM {STAGING}")
        added = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGING}")
    return Saved(added, changes)


def _copy(cursor, table: str, lines: list[str]) -> None:
    """COPY in text format, the lines already formatted: far cheaper than adapting values one by one."""
    with cursor.copy(f"COPY {table} ({FIELDS}) FROM STDIN") as copy:
        for start in range(0, len(lines), COPY_BLOCK):
            copy.write("".join(lines[start : start + COPY_BLOCK]))
