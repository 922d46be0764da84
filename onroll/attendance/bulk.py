"""Saving checked marks on PostgreSQL: COPY into a temporary staging table, then set-based SQL.

Instead of building a model instance per mark, the marks are streamed with COPY into a staging table
(one round trip for the whole file), then, in the caller's transaction:

1. the stored marks whose code the file changes are read with their old codes (and locked), for the audit;
2. one UPDATE ... FROM staging sets the new codes of exactly those marks;
3. one DELETE ... USING drops from the staging table every mark already stored (changed or not);
4. one INSERT ... SELECT adds what is left, the new marks. A mark that another import inserts meanwhile
   makes this INSERT fail on the unique constraint (IntegrityError), as bulk_create did, so the caller
   can refuse the whole file and ask for a retry rather than overwrite it unaudited.

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
KEY = "m.child_id = s.child_id AND m.school_id = s.school_id AND m.date = s.date AND m.session = s.session"
DROP_STORED = f"DELETE FROM {STAGING} s USING {MARKS} m WHERE {KEY}"  # a test skips it to mimic a race
COPY_BLOCK = 20_000  # rows per write to the COPY stream


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


def save_marks(marks, now: dt.datetime, progress=None) -> Saved:
    """Stage `marks` (imports.Mark tuples) and apply them; must run inside a transaction."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS "
            f"SELECT child_id, school_id, date, session, code FROM {MARKS} WITH NO DATA"
        )
        _copy(cursor.cursor, marks, progress)
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
        cursor.execute(
            f"INSERT INTO {MARKS} (child_id, school_id, date, session, code, created_at, modified_at) "
            f"SELECT s.child_id, s.school_id, s.date, s.session, s.code, %s, %s FROM {STAGING} s",
            [now, now],
        )
        added = cursor.rowcount
        cursor.execute(f"DROP TABLE {STAGING}")
    return Saved(added, changes)


def _copy(cursor, marks, progress) -> None:
    """COPY in text format, each line formatted here: far cheaper than adapting values one by one."""
    ids: dict = {}  # uuid → its text, for children and schools alike
    days: dict = {}
    total = len(marks)
    with cursor.copy(f"COPY {STAGING} (child_id, school_id, date, session, code) FROM STDIN") as copy:
        block = []
        for done, (_line, child_id, school_id, date, session, code) in enumerate(marks, start=1):
            child = ids.get(child_id)
            if child is None:
                child = ids[child_id] = str(child_id)
            school = ids.get(school_id)
            if school is None:
                school = ids[school_id] = str(school_id)
            day = days.get(date)
            if day is None:
                day = days[date] = date.isoformat()
            if "\\" in code:
                code = code.replace("\\", "\\\\")  # "\" is a register code; COPY text escapes it
            block.append(f"{child}\t{school}\t{day}\t{session}\t{code}\n")
            if len(block) == COPY_BLOCK:
                copy.write("".join(block))
                block.clear()
                if progress:
                    progress("Saving", done, total)
        if block:
            copy.write("".join(block))
    if progress:
        progress("Saving", total, total)
