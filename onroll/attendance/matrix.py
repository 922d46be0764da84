"""Reading many pupils' registers from the database into the measures' matrix (measures/__init__.py).

`read_matrix(pupils, days)` gives row i to pupils[i] (a (child id, school id) pair: only marks made by that
school count, so a pupil who moved school mid-year is judged on the current school's register) and column
2*d / 2*d+1 to the AM / PM of days[d]. Sessions with no mark, marks on dates that are not in `days` and
codes not in the code table stay 0.

On PostgreSQL the database does the work that does not need Python: the pupils go into a temporary table
by COPY, the marks are joined to it there (giving each mark its row), and each mark comes back as four
bytes, (calendar day since days[0], session, code number), packed into one `bytea` per pupil by
`string_agg`. Python then sees one row per pupil instead of one per mark and NumPy scatters the marks into
the matrix. Elsewhere (SQLite) the marks are read row by row through the ORM (`read_matrix_generic`),
which gives the same matrix; at 200,000 pupils a school year is 76 million marks, which that path reads
in minutes (docs/benchmarks.md, "daily run").
"""

import datetime as dt
import functools
import uuid
import zlib

import numpy as np
import psycopg
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from .codes import load_code_table
from .measures import CodeIndex
from .models import AttendanceMark, RegisterChange, RegisterSnapshot


@functools.cache
def code_index() -> CodeIndex:
    return CodeIndex.from_table(load_code_table())


def read_matrix(pupils: list[tuple], days: tuple[dt.date, ...]) -> np.ndarray:
    if connection.vendor == "postgresql":
        return _read(pupils, days, _fill_postgresql)
    return read_matrix_generic(pupils, days)


def read_matrix_generic(pupils: list[tuple], days: tuple[dt.date, ...]) -> np.ndarray:
    """The row-by-row read through the ORM: any database."""
    return _read(pupils, days, _fill_rows)


def _read(pupils, days, fill) -> np.ndarray:
    matrix = np.zeros((len(pupils), 2 * len(days)), dtype=np.uint8)
    if pupils and days:
        fill(matrix, pupils, days, code_index())
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


def _fill_postgresql(matrix, pupils, days, index, school_days=None) -> None:
    """The packed read (module docstring); with `school_days`, only the marks of those (school id, date)
    pairs, found through the (school, date) index."""
    # Matrix column of each (calendar day since days[0]) * 2 + (PM); -1 for days not in `days`.
    offsets = np.array([(day - days[0]).days for day in days])
    column_of = np.full(2 * (offsets[-1] + 1), -1, dtype=np.int64)
    column_of[2 * offsets] = 2 * np.arange(len(days))
    column_of[2 * offsets + 1] = 2 * np.arange(len(days)) + 1
    codes, numbers = zip(*index.number.items(), strict=True)
    table = connection.ops.quote_name(f"matrix_pupils_{uuid.uuid4().hex}")
    pairs = connection.ops.quote_name(f"matrix_days_{uuid.uuid4().hex}")
    mark_table = connection.ops.quote_name(AttendanceMark._meta.db_table)
    with transaction.atomic(), connection.cursor() as cur:
        # The planner takes (child, school) for independent columns and expects ~1 mark per pupil, so
        # it would look each pupil up by index (random reads all over the table: ~50 s for 13 million
        # marks); a hash join reads the marks once. The hash of pupils and the per-pupil aggregates need
        # more than the default 4 MB of work_mem not to spill to disk (a school year of 200,000 pupils'
        # packed marks is ~300 MB). Both settings hold for this transaction or savepoint only.
        cur.execute(
            "SELECT current_setting('enable_nestloop'), current_setting('work_mem'), "
            "set_config('enable_nestloop', %s, true), set_config('work_mem', '1GB', true)",
            ["on" if school_days is not None else "off"],  # a few school-days: the index is right
        )
        nestloop, work_mem = cur.fetchone()[:2]
        cur.execute(f"CREATE TEMPORARY TABLE {table} (row_number integer, child_id uuid, school_id uuid)")
        try:
            with cur.cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row, (child, school) in enumerate(pupils):
                    copy.write_row((row, child, school))
            cur.execute(f"ANALYZE {table}")
            only = ""
            if school_days is not None:
                cur.execute(f"CREATE TEMPORARY TABLE {pairs} (school_id uuid, date date)")
                with cur.cursor.copy(f"COPY {pairs} FROM STDIN") as copy:
                    for pair in school_days:
                        copy.write_row(pair)
                cur.execute(f"ANALYZE {pairs}")
                only = f"JOIN {pairs} d ON d.school_id = m.school_id AND d.date = m.date"
            # 4 bytes a mark: calendar days since days[0] and session (2 bytes), code number (1 byte).
            query = f"""
                SELECT p.row_number,
                       string_agg(int4send(((m.date - %s) * 2 + (m.session = 'PM')::int) << 8 | c.number),
                                  ''::bytea)
                FROM {mark_table} m
                JOIN {table} p ON p.child_id = m.child_id AND p.school_id = m.school_id
                {only}
                JOIN unnest(%s::text[], %s::int[]) AS c(code, number) ON c.code = m.code
                WHERE m.date BETWEEN %s AND %s
                GROUP BY p.row_number
            """
            params = [days[0], list(codes), list(numbers), days[0], days[-1]]
            # A server-binding cursor on the same connection: Django's client-side ones cannot return
            # binary results (bytea as bytes rather than hex text, half the bytes).
            with psycopg.Cursor(connection.connection) as raw:
                raw.execute(query, params, binary=True)
                while rows := raw.fetchmany(8192):
                    _scatter(matrix, rows, column_of)
        finally:
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"DROP TABLE IF EXISTS {pairs}")
            cur.execute(
                "SELECT set_config('enable_nestloop', %s, true), set_config('work_mem', %s, true)",
                [nestloop, work_mem],
            )


def _scatter(matrix, rows, column_of) -> None:
    """Put (row number, packed marks) rows' marks into the matrix."""
    lengths = np.fromiter((len(packed) for _, packed in rows), dtype=np.int64, count=len(rows)) // 4
    marks = np.frombuffer(b"".join(packed for _, packed in rows), dtype=">u4")
    row = np.repeat(np.fromiter((r for r, _ in rows), dtype=np.int64, count=len(rows)), lengths)
    column = column_of[marks >> 8]
    kept = column >= 0
    matrix[row[kept], column[kept]] = (marks[kept] & 0xFF).astype(np.uint8)


# --- kept between runs -------------------------------------------------------------------------------------

# Changes logged this long before a snapshot was saved are read again: an import that was still running
# when the snapshot was taken commits its change rows later, possibly with lower ids.
CHANGE_OVERLAP = dt.timedelta(hours=1)
SNAPSHOT_STALE = dt.timedelta(days=14)


def read_register(pupils: list[tuple], days: tuple[dt.date, ...], key: str) -> np.ndarray:
    """`read_matrix`, kept under `key` between calls on PostgreSQL, where database triggers log every
    school-day whose marks change (RegisterChange): the next call starts from the kept matrix and reads only
    the pupils it did not hold and the school-days changed since, so a daily run reads one day's marks
    instead of the whole year's. Gives the same matrix as `read_matrix`; elsewhere it is `read_matrix`."""
    if connection.vendor != "postgresql" or not pupils or not days:
        return read_matrix(pupils, days)
    with transaction.atomic():
        through = RegisterChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
        snapshot = RegisterSnapshot.objects.filter(key=key).first()
        kept_days = snapshot and tuple(dt.date.fromisoformat(d) for d in snapshot.days)
        if snapshot and days[: len(kept_days)] == kept_days:
            matrix = _bring_up_to_date(snapshot, kept_days, pupils, days)
        else:
            matrix = read_matrix(pupils, days)
        RegisterSnapshot.objects.update_or_create(
            key=key,
            defaults={
                "days": [d.isoformat() for d in days],
                "pupils": b"".join(_pupil_keys(pupils)),
                "matrix": zlib.compress(matrix.tobytes(), 1),
                "through_change": through,
                "saved_at": timezone.now(),
            },
        )
    return matrix


def prune_register_log(now: dt.datetime) -> tuple[int, int]:
    """Forget kept registers no run has used for `SNAPSHOT_STALE` (a past school year's, a group that has
    gone), then every logged change that no kept register can still need: one is needed while its id is
    after the register's `through_change` or it was logged within CHANGE_OVERLAP before the register was
    saved. Answers (registers, changes) deleted."""
    with transaction.atomic():
        stale, _ = RegisterSnapshot.objects.filter(saved_at__lt=now - SNAPSHOT_STALE).delete()
        kept = RegisterSnapshot.objects.aggregate(through=Min("through_change"), saved=Min("saved_at"))
        # Never the last CHANGE_OVERLAP's changes: a run reading its register whole right now will keep it
        # as of when it started, and its next run needs what was logged meanwhile.
        changes = RegisterChange.objects.filter(changed_at__lte=(kept["saved"] or now) - CHANGE_OVERLAP)
        if kept["through"] is not None:
            changes = changes.filter(id__lte=kept["through"])
        logged, _ = changes.delete()
    return stale, logged


def _pupil_keys(pupils) -> list[bytes]:
    return [uuid.UUID(str(child)).bytes + uuid.UUID(str(school)).bytes for child, school in pupils]


def _bring_up_to_date(snapshot, kept_days, pupils, days) -> np.ndarray:
    kept = np.frombuffer(zlib.decompress(snapshot.matrix), dtype=np.uint8).reshape(-1, 2 * len(kept_days))
    kept_keys = bytes(snapshot.pupils)
    kept_row = {kept_keys[i : i + 32]: i // 32 for i in range(0, len(kept_keys), 32)}
    keys = _pupil_keys(pupils)
    matrix = np.zeros((len(pupils), 2 * len(days)), dtype=np.uint8)
    known = [i for i, k in enumerate(keys) if k in kept_row]
    matrix[known, : kept.shape[1]] = kept[[kept_row[keys[i]] for i in known]]
    new = [i for i, k in enumerate(keys) if k not in kept_row]
    if new:
        matrix[new] = read_matrix([pupils[i] for i in new], days)
    changed = list(
        RegisterChange.objects.filter(
            Q(id__gt=snapshot.through_change) | Q(changed_at__gt=snapshot.saved_at - CHANGE_OVERLAP),
            date__range=(days[0], days[-1]),
        )
        .values_list("school_id", "date")
        .distinct()
    )
    if changed:
        _read_again(matrix, pupils, days, changed)
    return matrix


def _read_again(matrix, pupils, days, changed) -> None:
    """Clear the changed school-days (a removed mark must go) and read their marks again."""
    column_of = {day: 2 * d for d, day in enumerate(days)}
    school_of_row = np.array([str(school) for _, school in pupils])
    for school, date in changed:
        if date in column_of:
            rows = school_of_row == str(school)
            matrix[rows, column_of[date] : column_of[date] + 2] = 0
    _fill_postgresql(matrix, pupils, days, code_index(), school_days=changed)
