"""All attendance measures for a county's school year, vectorised, against the per-pupil Python loop.

    python bench/attendance_measures.py                  # 200,000 pupils x 380 sessions (76 million marks)
    python bench/attendance_measures.py --pupils 20000   # quicker, same shape

Builds a synthetic register matrix (seeded, so reruns measure the same data): mostly present, a share of
pupils with persistent and severe absence, unauthorised runs, leave of absence not returned from, illness
spells, unreplaced N codes, dual registration, mid-year joiners (unmarked sessions) and two whole-school
closure sessions. Then times `all_measures` as of the last session (best of 3), and the straightforward
per-pupil loop (`measures.reference.loop_measures`) over every pupil, once (with --sample N, on N random
pupils, scaled linearly: the loop costs the same per pupil). Its results are checked equal to the
vectorised ones.
Peak memory: tracemalloc's peak of NumPy allocations during one extra `all_measures` call (the input
matrix excluded), and the process's ru_maxrss (whole run, data generation included).
"""

import argparse
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onroll.settings")

TITLE = "attendance measures, county school year"
TARGET_SECONDS = 2.0
TARGET_SPEEDUP = 5.0
SESSIONS = 380


def _spells(rng, block, share, numbers, min_days, max_days):
    """Give a share of the block's pupils one spell of whole days coded with one of `numbers`."""
    days = block.shape[1] // 2
    who = np.flatnonzero(rng.random(len(block)) < share)
    length = rng.integers(min_days, max_days + 1, size=len(who))
    first = rng.integers(0, days - min_days, size=len(who))
    for row, day, span in zip(who, first, length, strict=True):
        block[row, 2 * day : 2 * min(days, day + span)] = rng.choice(numbers)
    return who, first, length


def synthetic_register(index, pupils: int, sessions: int = SESSIONS, seed: int = 2026) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = index.number
    codes = np.empty((pupils, sessions), dtype=np.uint8)
    codes[:, 0::2], codes[:, 1::2] = n["/"], n["\\"]
    days = sessions // 2
    chunk = 20_000
    absence_codes = np.array(
        [n[c] for c in ("I", "I", "I", "M", "O", "O", "G", "U", "C", "E", "L")], np.uint8
    )
    for start in range(0, pupils, chunk):
        block = codes[start : start + chunk]
        rows = len(block)
        # Each pupil's own absence rate: most good, ~15 % persistent, ~2 % severe.
        kind = rng.random(rows)
        rate = np.where(kind < 0.02, 0.55, np.where(kind < 0.17, 0.14, 0.03)).astype(np.float32)
        absent = rng.random((rows, sessions), dtype=np.float32) < rate[:, None]
        block[absent] = rng.choice(absence_codes, size=int(absent.sum()))

        _spells(rng, block, 0.03, [n["O"]], 5, 30)  # unauthorised runs
        _spells(rng, block, 0.01, [n["G"], n["O"]], 10, 40)
        _spells(rng, block, 0.05, [n["I"]], 3, 20)  # illness spells
        who, first, length = _spells(rng, block, 0.01, [n["C"]], 5, 10)  # leave of absence...
        for row, day, span in zip(who, first, length, strict=True):  # ...not returned from
            block[row, 2 * min(days, day + span) :] = n["O"]
        joiners = np.flatnonzero(rng.random(rows) < 0.02)  # on roll part-way through: no marks before
        for row, col in zip(joiners, rng.integers(2, sessions, size=len(joiners)), strict=True):
            block[row, :col] = 0
        dual = rng.random(rows) < 0.005
        block[dual, 1::2] = n["D"]
        late_n = rng.random((rows, 10), dtype=np.float32) < 0.02  # N codes in the last 5 days, in time
        block[:, -10:][late_n] = n["N"]
        old_n = np.flatnonzero(rng.random(rows) < 0.005)  # an N never replaced
        block[old_n, rng.integers(0, sessions - 20, size=len(old_n))] = n["N"]
    codes[:, 100:102] = n["#"]  # a planned whole-school closure day
    return codes


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=200_000)
    parser.add_argument(
        "--sample", type=int, default=0, help="time the Python loop on this many pupils and scale (0: all)"
    )
    args = parser.parse_args()

    from bench.results import machine, write_section
    from onroll.attendance.measures import CodeIndex, all_measures
    from onroll.attendance.measures.reference import FIELDS, loop_measures

    index = CodeIndex.from_table()
    print(f"building {args.pupils:,} x {SESSIONS} register ...", flush=True)
    codes = synthetic_register(index, args.pupils)
    as_of = SESSIONS - 1

    fast, result = best_of(lambda: all_measures(codes, index, as_of))
    single, _ = best_of(lambda: all_measures(codes, index, as_of, workers=1))

    tracemalloc.start()
    all_measures(codes, index, as_of)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    sample = min(args.sample or args.pupils, args.pupils)
    rows = np.random.default_rng(7).choice(args.pupils, size=sample, replace=False)
    started = time.perf_counter()
    slow_rows = loop_measures(codes[rows], index, as_of)
    loop_sample = time.perf_counter() - started
    loop_all = loop_sample * args.pupils / sample
    for name in FIELDS:
        expected = np.array([pupil[name] for pupil in slow_rows])
        np.testing.assert_array_equal(getattr(result, name)[rows], expected, err_msg=name)
    maxrss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB

    speedup = loop_all / fast
    persistent, severe = result.persistent.mean() * 100, result.severe.mean() * 100
    lines = [
        f"Data: synthetic register, {args.pupils:,} pupils x {SESSIONS} sessions "
        f"({args.pupils * SESSIONS / 1e6:,.0f} million marks, {codes.nbytes / 2**20:,.0f} MiB uint8); "
        f"measures as of the last session. Mix: {persistent:.1f} % persistent, {severe:.1f} % severe, "
        f"{result.penalty_notice_threshold.mean() * 100:.1f} % at the penalty-notice threshold, "
        f"{(result.days_since_leave_unreturned > 0).mean() * 100:.1f} % not back from leave, "
        f"{result.illness_15_days.mean() * 100:.1f} % with 15 days' illness, "
        f"{result.n_overdue.mean() * 100:.1f} % with an overdue N.",
        "",
        "| what | figure | target | met |",
        "|---|---|---|---|",
        f"| all measures, vectorised, {os.cpu_count()} threads (best of 3) | {fast:.2f} s | "
        f"≤ {TARGET_SECONDS:.0f} s | {'yes' if fast <= TARGET_SECONDS else 'NO'} |",
        f"| all measures, vectorised, 1 thread (best of 3) | {single:.2f} s | | |",
        *(
            [f"| per-pupil Python loop, all {sample:,} pupils | {loop_all:.1f} s | | |"]
            if sample == args.pupils
            else [
                f"| per-pupil Python loop, {sample:,} random pupils timed | {loop_sample:.1f} s | | |",
                f"| per-pupil Python loop, scaled linearly to {args.pupils:,} | {loop_all:.0f} s | | |",
            ]
        ),
        f"| speed-up over the loop | {speedup:,.0f}× | ≥ {TARGET_SPEEDUP:.0f}× | "
        f"{'yes' if speedup >= TARGET_SPEEDUP else 'NO'} |",
        f"| peak memory of one call, tracemalloc (input matrix excluded) | "
        f"{traced_peak / 2**20:,.0f} MiB | | |",
        f"| peak resident memory of the whole run, ru_maxrss | {maxrss_mib:,.0f} MiB | | |",
        "",
        f"The loop's results for the {sample:,} pupils it ran on were checked equal to the vectorised ones. "
        "Speed-up = loop time (scaled, if sampled) / vectorised time with threads. The machine is shared: "
        f"load average {os.getloadavg()[0]:.1f} when the run ended, so reruns vary.",
        "",
    ]
    print("\n".join(lines))
    command = "python bench/attendance_measures.py"
    command += f" --pupils {args.pupils}" if args.pupils != 200_000 else ""
    command += f" --sample {args.sample}" if args.sample else ""
    write_section(TITLE, machine(), lines, command)


if __name__ == "__main__":
    main()
