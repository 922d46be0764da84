"""Saving checked marks on PostgreSQL with COPY and set-based SQL.

`imports._Checker` hands over each chunk of checked marks as lines of COPY text, split by whether the
school already has marks stored for that day (an index probe per school and day, `stored_among`):

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

The COPY lines go through one `CopyStream`, kept open from chunk to chunk and fed by a writer thread, so
PostgreSQL stores one chunk while Python checks the next.

A file much bigger than the marks table (a first import of a year's history) is a `BulkLoad`: the unique
constraint and the school-and-date index are dropped inside the import's transaction and built again at
the end. Building an index from sorted rows is several times cheaper than inserting tens of millions of
keys into it one by one; the price is that the marks table is locked (no reads) until the import commits.
If the import fails, the rollback brings the indexes back as they were.
"""

import datetime as dt
from typing import NamedTuple

from django.db import connection
from psycopg.copy import QueuedLibpqWriter

STAGING = "onroll_attendance_staging"
MARKS = "attendance_attendancemark"
FIELDS = "child_id, school_id, date, session, code, created_at, modified_at"
KEY = "m.child_id = s.child_id AND m.school_id = s.school_id AND m.date = s.date AND m.session = s.session"
DROP_STORED = f"DELETE FROM {STAGING} s USING {MARKS} m WHERE {KEY}"  # a test skips it to mimic a race
COPY_BLOCK = 20_000  # lines per write to the COPY stream
BULK_MIN_ROWS = 2_000_000  # smaller files gain little from rebuilding the indexes
BULK_SHARE = 2  # ... and the file must hold at least twice as many rows as the table
REGISTER_CHANGES = "attendance_registerchange"


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


def stored_among(pairs: list[tuple[str, dt.date]]) -> set[tuple[str, dt.date]]:
    """Which of these (school id, date) pairs have any mark stored: one query, an index probe each."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s::text, d FROM unnest(%s::uuid[], %s::date[]) AS day(s, d) "
            f"WHERE EXISTS (SELECT 1 FROM {MARKS} WHERE school_id = day.s AND date = day.d)",
            [[school for school, _date in pairs], [date for _school, date in pairs]],
        )
        return set(cursor.fetchall())


class CopyStream:
    """COPY text into one table at a time, the COPY left open between writes.

    A writer thread sends the lines (psycopg's QueuedLibpqWriter), so `write` returns at once and the
    caller goes on checking the next chunk while PostgreSQL stores this one. While a COPY is open the
    connection can run nothing else: `pause` ends it, waiting for PostgreSQL to catch up, before any query."""

    def __init__(self):
        self.table = None
        self._cursor = None
        self._context = None  # psycopg's copy() context manager, entered by hand: it spans many writes
        self._copy = None

    def write(self, table: str, lines: list[str]) -> None:
        if self.table != table:
            self.pause()
            self._cursor = connection.cursor()
            raw = self._cursor.cursor
            self._context = raw.copy(f"COPY {table} ({FIELDS}) FROM STDIN", writer=QueuedLibpqWriter(raw))
            self._copy = self._context.__enter__()
            self.table = table
        for start in range(0, len(lines), COPY_BLOCK):
            self._copy.write("".join(lines[start : start + COPY_BLOCK]))

    def pause(self) -> None:
        """End the open COPY, if any (raises what the COPY raised, e.g. IntegrityError on a clash)."""
        self._end(None)

    def abort(self, error: BaseException) -> None:
        """End the open COPY without keeping it: the caller is failing with `error`."""
        self._end(error)

    def _end(self, error: BaseException | None) -> None:
        context, cursor = self._context, self._cursor
        self.table = self._context = self._copy = self._cursor = None
        if context is None:
            return
        try:
            context.__exit__(type(error) if error else None, error, None)
        finally:
            cursor.close()


def make_staging() -> None:
    """The temporary staging table, empty (it is dropped at commit)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING}")
        cursor.execute(
            f"CREATE TEMP TABLE {STAGING} ON COMMIT DROP AS SELECT {FIELDS} FROM {MARKS} WITH NO DATA"
        )


class BulkLoad:
    """Drop the marks table's secondary indexes for a big first import, and build them again after.

    The definitions are read from the catalogue before dropping, so they are rebuilt exactly as the
    migrations made them. Change logging (migration 0006's triggers) is switched off too, because one
    COPY of millions of rows would hold every row in its transition table; `log_changes` writes the
    school-days instead. Everything happens in the caller's transaction."""

    def __init__(self):
        self.indexes: list[str] = []
        self.constraints: list[tuple[str, str]] = []

    @staticmethod
    def wanted(total_rows: int) -> bool:
        if total_rows < BULK_MIN_ROWS:
            return False
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [MARKS])
            row = cursor.fetchone()
        return total_rows >= BULK_SHARE * max(row[0] if row else 0, 0)

    def start(self) -> set[tuple[str, dt.date]]:
        """Drop the indexes; answers (school id, date) of every school-day with marks stored, read first
        while the school-and-date index is there, because the checks need it and the index is going."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT DISTINCT school_id::text, date FROM {MARKS}")
            stored = set(cursor.fetchall())
        self.drop_indexes()
        return stored

    def drop_indexes(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {MARKS} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = %s::regclass AND contype = 'u'",
                [MARKS],
            )
            self.constraints = cursor.fetchall()
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [MARKS, MARKS],
            )
            found = cursor.fetchall()
            self.indexes = [definition for _name, definition in found]
            for name, _definition in self.constraints:
                cursor.execute(f'ALTER TABLE {MARKS} DROP CONSTRAINT "{name}"')
            for name, _definition in found:
                cursor.execute(f'DROP INDEX "{name}"')
            cursor.execute(f"ALTER TABLE {MARKS} DISABLE TRIGGER USER")

    def restore_indexes(self) -> None:
        """Build the indexes again (a clash among the new marks fails here, as the COPY would have)."""
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE {MARKS} ENABLE TRIGGER USER")
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            for definition in self.indexes:
                cursor.execute(definition)
            for name, definition in self.constraints:
                cursor.execute(f'ALTER TABLE {MARKS} ADD CONSTRAINT "{name}" {definition}')

    @staticmethod
    def log_changes(school_days: list[tuple[str, dt.date]], now: dt.datetime) -> None:
        """What the change-log triggers would have written for the marks COPYed meanwhile."""
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {REGISTER_CHANGES} (school_id, date, changed_at) "
                "SELECT s, d, %s FROM unnest(%s::uuid[], %s::date[]) AS day(s, d)",
                [now, [s for s, _d in school_days], [d for _s, d in school_days]],
            )


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
