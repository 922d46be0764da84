"""The daily run for a county's 200,000 pupils on PostgreSQL: register read, measures, triggers, changes.

    python bench/daily_run.py                 # build once (kept in database onroll_bench_run), then measure
    python bench/daily_run.py --days 30,90    # measure as of these school days of 2026/27

The LA is built once by the demo generator without marks (`attendance=False`); the marks are written here
by COPY for every pupil on roll on every school day of 2026/27 up to --last-day (seeded: reruns measure the
same data). Mostly present, some scattered absence, and about 1.5 % of pupils with a spell of G, N or O
of 1 to 40 school days starting on a random day, so at any day some runs are current and procedures open.
The marks are written in date order, as registers arrive, with the secondary indexes and foreign keys
dropped and rebuilt afterwards (much faster than maintaining them row by row).

Each measured day runs `daily_run` on the school day before (the catch-up: it reads the whole register and
keeps it, `matrix.read_register`), then puts that day's marks in (they were taken out first: registers
arrive after the previous day's run, and the database's change log sees them) and runs `daily_run(on)`
twice (the second must change nothing), then the baseline reads: the whole register read again by the
fast read (`matrix.read_matrix`, what every run did before registers were kept) and by the generic
row-by-row ORM read (`matrix.read_matrix_generic`), checked equal. Everything the runs write is rolled
back at the end (the runs' own transactions become savepoints of one outer transaction), so a rerun
measures the same thing. The days run in order on the same
database state, as a real year would, with the runs between them missed (the run catches up by itself).
Time per phase is taken by wrapping the phases' functions in `onroll.procedures.run` with timers.
"""

import argparse
import datetime as dt
import os
import resource
import sys
import time
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DB = "onroll_bench_run"
TITLE = "daily run, county on PostgreSQL"
TARGET_SECONDS = 60.0
N_CHILDREN = 230_000
SEED = 2026
GENERATED_ON = dt.date(2026, 9, 1)  # the generator's "today": rolls as at the start of 2026/27
DEFAULT_LAST = dt.date(2027, 7, 21)  # the last day of 2026/27 in the demo calendar


def configure():
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
    os.environ["ONROLL_DEBUG"] = "0"  # DEBUG keeps every query in memory
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onroll.settings")
    import psycopg

    with psycopg.connect("postgresql://postgres@127.0.0.1:5432/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [DB]).fetchone():
            conn.execute(f"CREATE DATABASE {DB}")
    import django

    django.setup()


def build_la():
    from django.core.management import call_command
    from django.db import connection

    from onroll.demo.generator import generate
    from onroll.procedures.services import load_packs

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    result = generate(
        n_children=N_CHILDREN,
        n_cases=2_000,
        batch_size=5_000,
        today=GENERATED_ON,
        attendance=False,
        progress=lambda done, total: print(f"\r  {done:,}/{total:,} children", end="", flush=True),
    )
    load_packs()
    la = result.la
    if la.procedure_pack != "achieving-for-children":
        la.procedure_pack = "achieving-for-children"
        la.save()
    if result.created:
        print(f"\n  LA built in {time.perf_counter() - started:.0f} s")
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    return la


def school_days(la, first: dt.date, last: dt.date) -> list[dt.date]:
    from onroll.schools.models import SchoolCalendar
    from onroll.schools.queries import school_days_of

    calendar = SchoolCalendar.objects.get(la=la, school__isnull=True)
    return [d for d in school_days_of(calendar).days if first <= d <= last]


def synthetic_codes(index, n_pupils: int, n_days: int, seed: int = SEED) -> np.ndarray:
    """Pupil x session code numbers: mostly present, scattered absence, and whole-day G/N/O spells."""
    rng = np.random.default_rng(seed)
    n = index.number
    sessions = 2 * n_days
    codes = np.empty((n_pupils, sessions), dtype=np.uint8)
    codes[:, 0::2], codes[:, 1::2] = n["/"], n["\\"]
    scattered = np.array([n[c] for c in ("I", "I", "M", "C", "U", "L", "L", "E", "B", "O")], np.uint8)
    for start in range(0, n_pupils, 20_000):
        block = codes[start : start + 20_000]
        rate = np.where(rng.random(len(block)) < 0.1, 0.08, 0.02).astype(np.float32)
        absent = rng.random(block.shape, dtype=np.float32) < rate[:, None]
        block[absent] = rng.choice(scattered, size=int(absent.sum()))
    # Spells of whole days of G, N or O: 60 % one day, 25 % two to four, 15 % five to forty (mean ~4.6
    # days); started at 0.32 % of pupil-days, so ~1.5 % of pupils are in one on any day.
    n_spells = rng.poisson(0.0032 * n_pupils * n_days)
    who = rng.integers(0, n_pupils, n_spells)
    first = rng.integers(0, n_days, n_spells)
    kind = rng.random(n_spells)
    length = np.where(
        kind < 0.6, 1, np.where(kind < 0.85, rng.integers(2, 5, n_spells), rng.integers(5, 41, n_spells))
    )
    gno = np.array([n["N"], n["N"], n["O"], n["G"]], np.uint8)[rng.integers(0, 4, n_spells)]
    for row, day, span, code in zip(who, first, length, gno, strict=True):
        codes[row, 2 * day : 2 * min(n_days, day + span)] = code
    return codes


def marks_table():
    from onroll.attendance.models import AttendanceMark

    return AttendanceMark._meta.db_table


def load_marks(la, last: dt.date) -> int:
    """Write every on-roll pupil's marks from 1 September 2026 to `last` (once; kept for reruns)."""
    from django.db import connection, transaction

    from onroll.attendance.matrix import code_index
    from onroll.children.models import Enrolment

    table = marks_table()
    with connection.cursor() as cur:
        cur.execute(f"SELECT count(*), max(date) FROM {table}")
        count, newest = cur.fetchone()
    if count and newest == last:
        return count
    days = school_days(la, dt.date(2026, 9, 1), last)
    pupils = list(
        Enrolment.objects.filter(school__la=la, entry_date__lte=days[0])
        .exclude(leaving_date__lt=days[-1])
        .order_by("pk")
        .values_list("child_id", "school_id")
    )
    index = code_index()
    print(f"  writing marks: {len(pupils):,} pupils x {len(days)} days ...", flush=True)
    started = time.perf_counter()
    codes = synthetic_codes(index, len(pupils), len(days))
    prefixes = [f"{child}\t{school}\t".encode() for child, school in pupils]
    escaped = {code: code.replace("\\", "\\\\") for code in index.number}  # COPY text's escape
    text_of = {number: escaped[code] for code, number in index.number.items()}
    with connection.cursor() as cur:
        cur.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype <> 'p'",
            [table],
        )
        constraints = cur.fetchall()
        cur.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index i "
            "WHERE indrelid = %s::regclass AND NOT indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)",
            [table],
        )
        indexes = cur.fetchall()
    (ROOT / "var").mkdir(exist_ok=True)
    (ROOT / "var" / "bench-daily-run-ddl.txt").write_text(repr((constraints, indexes)))  # if interrupted
    with transaction.atomic(), connection.cursor() as cur:
        for name, _ in constraints:
            cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _ in indexes:
            cur.execute(f"DROP INDEX {name}")
        cur.execute(f"TRUNCATE {table}")
        sql = (
            f"COPY {table} (child_id, school_id, date, session, code, created_at, modified_at) "
            "FROM STDIN (FREEZE)"
        )
        with cur.cursor.copy(sql) as copy:
            for d, day in enumerate(days):
                stamp = f"{day} 09:30:00+00"
                for s, session in enumerate(("AM", "PM")):
                    column = codes[:, 2 * d + s]
                    suffix = {
                        int(k): f"{day}\t{session}\t{text_of[int(k)]}\t{stamp}\t{stamp}\n".encode()
                        for k in np.unique(column)
                    }
                    lines = [p + suffix[k] for p, k in zip(prefixes, column.tolist(), strict=True)]
                    copy.write(b"".join(lines))
                if d % 10 == 9:
                    elapsed = time.perf_counter() - started
                    print(f"\r  {d + 1}/{len(days)} days, {elapsed:.0f} s", end="", flush=True)
        print(f"\n  copied in {time.perf_counter() - started:.0f} s; rebuilding indexes ...", flush=True)
        cur.execute("SET LOCAL maintenance_work_mem = '2GB'")
        cur.execute("SET LOCAL max_parallel_maintenance_workers = 2")
        for _, definition in indexes:
            cur.execute(definition)
        for name, definition in constraints:
            cur.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    with connection.cursor() as cur:
        cur.execute(f"VACUUM ANALYZE {table}")
    print(f"  marks written in {time.perf_counter() - started:.0f} s", flush=True)
    return len(pupils) * len(days) * 2


class Phases:
    """Seconds spent in each phase of the run, by wrapping the run module's functions."""

    def __init__(self):
        self.seconds = defaultdict(float)
        self._depth = 0

    @contextmanager
    def timing(self, phase):
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[phase] += time.perf_counter() - started

    def wrap(self, owner, name, phase_of):
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            with self.timing(phase_of(args, kwargs)):
                return original(*args, **kwargs)

        setattr(owner, name, timed)

    def install(self):
        from onroll.procedures import run

        self.wrap(run, "pupils_on_roll", lambda a, k: "pupils on roll")
        self.wrap(run, "read_register", lambda a, k: "read marks")
        self.wrap(run, "read_flags", lambda a, k: "flags")
        self.wrap(
            run,
            "trigger_table",
            lambda a, k: "measures + triggers, today" if k.get("width") == 1 else "triggers, 60-day history",
        )
        for name in ("open_procedure", "stand_down", "advance_tasks"):
            self.wrap(run.GroupRun, name, lambda a, k, name=name: f"changes: {name.replace('_', ' ')}")
        self.wrap(run, "record_first_held", lambda a, k: "changes: record first held")

    def take(self) -> dict[str, float]:
        taken, self.seconds = dict(self.seconds), defaultdict(float)
        return taken


def timed_run(phases, on):
    import gc

    from onroll.procedures.run import daily_run

    gc.collect()
    phases.take()
    started = time.perf_counter()
    report = daily_run(on)
    total = time.perf_counter() - started
    return total, report, phases.take()


def changes(report) -> str:
    return (
        f"{report.procedures_opened:,} opened, {report.stood_down:,} stood down, "
        f"{report.tasks_opened:,} tasks opened, {report.escalated:,} escalated, {report.cases_opened:,} cases"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", default="30,90,190", help="school days of 2026/27 to measure as of")
    parser.add_argument("--last-day", type=dt.date.fromisoformat, default=DEFAULT_LAST)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument(
        "--baseline-days", default="30", help="the measured days on which to time the generic read too"
    )
    args = parser.parse_args()
    configure()

    from django.db import connection, transaction

    from bench.results import machine, write_section
    from onroll.attendance import matrix
    from onroll.attendance.models import RegisterSnapshot
    from onroll.procedures import run

    la = build_la()
    n_marks = load_marks(la, args.last_day)
    if args.build_only:
        return
    year = school_days(la, dt.date(2026, 9, 1), args.last_day)
    measured = [int(n) for n in args.days.split(",")]
    phases = Phases()
    phases.install()
    results = []
    with transaction.atomic():
        for n in measured:
            on = year[n - 1]
            print(f"as of school day {n} ({on}) ...", flush=True)
            # As in a real year: the day's registers arrive after the previous day's run, which kept the
            # register (matrix.read_register). The kept register is rebuilt from scratch by the catch-up run:
            # the marks here were written in bulk before the change-log triggers could see them.
            RegisterSnapshot.objects.all().delete()
            with connection.cursor() as cur:
                cur.execute(
                    f"CREATE TEMPORARY TABLE arriving AS SELECT * FROM {marks_table()} WHERE date = %s", [on]
                )
                cur.execute(f"DELETE FROM {marks_table()} WHERE date = %s", [on])
            catch_up = timed_run(phases, year[n - 2])
            with connection.cursor() as cur:
                cur.execute(f"INSERT INTO {marks_table()} SELECT * FROM arriving")
                cur.execute("DROP TABLE arriving")
            first = timed_run(phases, on)
            again = timed_run(phases, on)
            print(f"  catch-up {catch_up[0]:.1f} s, daily {first[0]:.1f} s, again {again[0]:.1f} s")
            # Baseline: the generic row-by-row read of the same pupils' matrix, and the fast read alone.
            group = run.school_groups(la, run.RunReport(on=on))[0]
            pupils = run.pupils_on_roll(group, on)
            started = time.perf_counter()
            fast = matrix.read_matrix(pupils.keys, pupils.days)
            fast_s = time.perf_counter() - started
            generic_s = None
            if str(n) in args.baseline_days.split(","):
                started = time.perf_counter()
                generic = matrix.read_matrix_generic(pupils.keys, pupils.days)
                generic_s = time.perf_counter() - started
                assert np.array_equal(fast, generic), "the PostgreSQL read differs from the generic read"
                del generic
            print(f"  read: fast {fast_s:.1f} s, generic {generic_s} s", flush=True)
            results.append((n, on, pupils, int((fast > 0).sum()), catch_up, first, again, fast_s, generic_s))
            del fast
            report(args, la, n_marks, results, machine(connection), write_section)  # after each day
        transaction.set_rollback(True)  # leave the database as built, so a rerun measures the same


def report(args, la, n_marks, results, machine_line, write_section):
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    lines = [
        f"Data: synthetic LA, {N_CHILDREN:,} children, {len(results[0][2].keys):,} pupils on the rolls of "
        f"{la.schools.filter(is_open=True).count()} schools sharing one calendar and the Achieving for "
        f"Children pack; {n_marks:,} marks for 2026/27 (every pupil, every school day to {args.last_day}), "
        "mostly present, ~1.5 % of pupils in a whole-day G/N/O spell on any day (60 % of spells one day, "
        "15 % five to forty days), so every day brings new procedures and returns.",
        "",
        "Each point: a run on the school day before (catch-up: it reads the whole register and keeps it, and "
        "everything that holds on that day opens at once), then that day's marks arrive (they were held "
        "back), then the measured daily run on the day, then the same day again (must change nothing).",
        "",
        "| as of | marks read | catch-up run | **daily run** | target | met | same day again "
        "| changes (daily run) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for n, on, _, marks, catch_up, first, again, _, _ in results:
        lines.append(
            f"| school day {n} ({on:%-d %b %Y}) | {marks / 1e6:,.1f} M | {catch_up[0]:.1f} s "
            f"({catch_up[1].procedures_opened:,} opened) | **{first[0]:.1f} s** | ≤ {TARGET_SECONDS:.0f} s | "
            f"{'yes' if first[0] <= TARGET_SECONDS else 'NO'} | {again[0]:.1f} s | {changes(first[1])} |"
        )
    names = sorted({name for r in results for name in r[5][2]}, key=lambda x: (x.startswith("changes"), x))
    lines += [
        "",
        "Time per phase of the daily run (seconds; the rest is the run's own bookkeeping):",
        "",
        "| phase | " + " | ".join(f"day {r[0]}" for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for name in names:
        lines.append(f"| {name} | " + " | ".join(f"{r[5][2].get(name, 0):.2f}" for r in results) + " |")
    lines.append("| rest | " + " | ".join(f"{r[5][0] - sum(r[5][2].values()):.2f}" for r in results) + " |")
    lines += [
        "",
        "Baselines in the same process, the same pupils and days: the daily run's read of its kept register "
        "(`read_register`: the kept matrix plus the school-days changed since) against reading the whole "
        "register again with the PostgreSQL read (`read_matrix`, what every run did before registers were "
        "kept) and with the generic read (`read_matrix_generic`, the ORM row by row, the path SQLite takes). "
        "The whole-register reads were checked equal here; tests/test_attendance_matrix.py checks the kept "
        "read against a whole read.",
        "",
        "| as of | kept register (daily run) | whole register, PostgreSQL | whole register, generic "
        "| kept / whole PostgreSQL |",
        "|---|---|---|---|---|",
    ]
    for n, _, _, _, _, first, _, fast_s, generic_s in results:
        kept_s = first[2].get("read marks", 0)
        generic = "not timed" if generic_s is None else f"{generic_s:.1f} s"
        lines.append(
            f"| school day {n} | {kept_s:.1f} s | {fast_s:.1f} s | {generic} | {kept_s / fast_s:.2f} |"
        )
    lines += [
        "",
        f"Peak resident memory of the whole benchmark process (ru_maxrss): {maxrss_mib:,.0f} MiB. "
        f"Load average {os.getloadavg()[0]:.1f} when the run ended (the machine is shared, reruns vary).",
        "",
    ]
    print("\n".join(lines))
    command = "python bench/daily_run.py" + (f" --days {args.days}" if args.days != "30,90,190" else "")
    command += f" --baseline-days {args.baseline_days}" if args.baseline_days != "30" else ""
    write_section(TITLE, machine_line, lines, command)


if __name__ == "__main__":
    main()
