"""Batch duplicate detection over 1,000,000 synthetic children: blocking, scoring and accuracy.

    python bench/matching_batch.py                   # 1,000,000 records
    python bench/matching_batch.py --records 100000  # smaller, for trying it out
    python bench/matching_batch.py --records 100000 --check  # also the Python scorer on every pair
    python bench/matching_batch.py --database onroll_bench_matching  # the nightly job from PostgreSQL

The records come from the synthetic generator (seed 2027) with known truth, UPNs left out. The job is the
one `manage.py matching_duplicates` runs after reading the register (`onroll.matching.batch`: the
profiles as arrays, blocking, levels, and `Model.score` once per combination of levels); reading the
children's profiles from the database is not included here (see "matching, batch duplicates from the
database"). Reported: time per phase, peak resident memory, and precision, recall and F1 at the model's
threshold, and sibling or twin pairs above it. `--check` also runs `blocking.candidate_pairs` and
`Model.score` on every pair and fails unless they find exactly the same pairs with the same probabilities.

`--database` runs `duplicates.find_duplicates` step by step on the children of LA 990 in a PostgreSQL
register built by `bench/matching_lookup.py --db onroll_bench_matching --no-write` (1,000,000 children; it
also runs its look-ups), reading the children's stored matching rows in one streamed query, then deletes
the pairs it saved; it writes its own section, "matching, batch duplicates from the database".
"""

import argparse
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TITLE = "matching, batch duplicates"
DATABASE_TITLE = "matching, batch duplicates from the database"
TARGET_SECONDS = 60.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument("--check", action="store_true", help="compare with the Python scorer on every pair")
    parser.add_argument("--database", help="a PostgreSQL register built by bench/matching_lookup.py")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onroll.settings")
    if args.database:
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.database}"
        os.environ["ONROLL_DEBUG"] = "0"  # Django keeps every query in memory when debugging
    import django

    django.setup()
    if args.database:
        from_database(args.database, write=not args.no_write)
        return
    from results import machine, write_section

    from onroll.matching import batch, scoring
    from onroll.matching.conflicts import twin_conflicts
    from onroll.matching.synthetic import generate, profile_of

    model = scoring.current()
    t0 = time.perf_counter()
    records = generate(int(args.records / 1.3) + 1000, seed=2027)[: args.records]
    t1 = time.perf_counter()
    profiles = [profile_of(r, with_upn=False) for r in records]
    t2 = time.perf_counter()
    coded = batch.encode(profiles)
    t_encoded = time.perf_counter()
    a, b = batch.candidate_pairs(coded)
    t3 = time.perf_counter()
    result = batch.score(model, profiles, coded, a, b)
    t_scored = time.perf_counter()
    found = list(zip(result.a.tolist(), result.b.tolist(), strict=True))
    conflicts = twin_conflicts(found, profiles, model)
    found = [pair for pair in found if pair not in conflicts]
    t4 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pairs = zip(a.tolist(), b.tolist(), strict=True)
    if args.check:
        _check(model, profiles, result, a, b)

    groups = defaultdict(list)
    for i, r in enumerate(records):
        groups[r.entity].append(i)
    truth = sum(len(v) * (len(v) - 1) // 2 for v in groups.values())
    tp = sum(1 for i, j in found if records[i].entity == records[j].entity)
    siblings = sum(
        1
        for i, j in found
        if records[i].entity != records[j].entity and records[i].family == records[j].family
    )
    blocked_true = sum(1 for i, j in pairs if records[i].entity == records[j].entity)
    precision = tp / len(found) if found else 1.0
    recall = tp / truth if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    job = t4 - t2
    combinations = len(result.reasons)
    lines = [
        f"Data: {len(records):,} synthetic child records (generator seed 2027; "
        f"{truth:,} true duplicate pairs), UPNs left out, in memory.",
        "",
        "| phase | seconds |",
        "|---|---|",
        f"| generate records (not part of the job) | {t1 - t0:.1f} |",
        f"| profiles (names folded; not part of the job, nor is reading the database) | {t2 - t1:.1f} |",
        f"| the profiles as arrays (every name, postcode, phone interned) | {t_encoded - t2:.1f} |",
        f"| blocking: {len(a):,} pairs ({blocked_true / truth:.1%} of true pairs) | {t3 - t_encoded:.1f} |",
        "| scoring: levels in NumPy, `Model.score` once per combination of levels and family details "
        f"({combinations:,}) | {t_scored - t3:.1f} |",
        f"| records linked to two twins: {len(conflicts):,} links dropped (`conflicts.twin_conflicts`) "
        f"| {t4 - t_scored:.1f} |",
        f"| **the job (arrays + blocking + scoring + conflicts)** | **{job:.1f}** |",
        "",
        f"Peak resident memory: {peak:,.0f} MiB. At threshold {model.threshold}: precision {precision:.4f}, "
        f"recall {recall:.4f}, F1 {f1:.4f}; sibling or twin pairs above the threshold: {siblings}.",
        "",
        f"Target: ≤ {TARGET_SECONDS:.0f} s over 1,000,000 children: "
        + ("met" if job <= TARGET_SECONDS and len(records) >= 1_000_000 else "not met")
        + f" ({job:.0f} s"
        + ("" if len(records) >= 1_000_000 else f", {len(records):,} records only")
        + "). "
        "Run with nice on a shared 2-core machine.",
        "",
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(TITLE, machine(), lines, f"python bench/matching_batch.py --records {args.records}")


def from_database(db: str, *, write: bool):
    """The nightly job on a register in PostgreSQL: read, pair and score, save; the pairs saved are then
    deleted again so that the register is as it was."""
    from django.db import connection
    from django.utils import timezone
    from results import machine, write_section

    from onroll.children.models import Child
    from onroll.matching import scoring
    from onroll.matching.duplicates import Report, likely_pairs, read_profiles, save_pairs
    from onroll.matching.models import DuplicatePair
    from onroll.schools.models import LocalAuthority

    la = LocalAuthority.objects.filter(code="990").first()
    children = Child.objects.filter(la=la).count() if la else 0
    if not children:
        raise SystemExit(
            f"No children of LA 990 in {db}: build the register with "
            f"`python bench/matching_lookup.py --db {db} --no-write`"
        )
    model = scoring.current()
    started = timezone.now()
    t0 = time.perf_counter()
    profiles = read_profiles(la)
    t1 = time.perf_counter()
    compared, pairs = likely_pairs(profiles, model)
    t2 = time.perf_counter()
    report = save_pairs(la, profiles, pairs, Report(children=len(profiles), compared=compared))
    t3 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    deleted, _ = DuplicatePair.objects.filter(la_code=la.code, created_at__gte=started).delete()
    lines = [
        f"Data: the {children:,} children of LA 990 in database {db} (built by bench/matching_lookup.py: "
        "names, an address and parents each), UPNs blank. `duplicates.find_duplicates` step by step:",
        "",
        "| step | seconds |",
        "|---|---|",
        f"| read the profiles, {len(profiles):,} children's stored rows in one streamed query "
        "(`duplicates.read_profiles`) "
        f"| {t1 - t0:.1f} |",
        f"| pair and score (`batch.likely_duplicates`): {compared:,} pairs, {report.found:,} found "
        f"| {t2 - t1:.1f} |",
        f"| save the pairs for review ({report.new:,} new) | {t3 - t2:.1f} |",
        f"| **the whole job** | **{t3 - t0:.1f}** |",
        "",
        f"Peak resident memory: {peak:,.0f} MiB. The {deleted:,} pairs saved were deleted again afterwards. "
        "Run with nice on a shared 2-core machine.",
        "",
    ]
    print("\n".join(lines))
    if write:
        write_section(
            DATABASE_TITLE, machine(connection), lines, f"python bench/matching_batch.py --database {db}"
        )


def _check(model, profiles, result, a, b):
    """The Python scorer on every blocked pair must find the same pairs with the same probabilities."""
    from onroll.matching.blocking import candidate_pairs

    pairs = candidate_pairs(profiles)
    assert pairs == set(zip(a.tolist(), b.tolist(), strict=True)), "blocking differs from blocking.py"
    want = {}
    for i, j in pairs:
        s = model.score(profiles[i], profiles[j])
        if s.probability >= model.threshold:
            want[(i, j)] = s.probability
    got = {(i, j): p for i, j, p, _ in result.pairs()}
    assert want.keys() == got.keys(), f"{len(want.keys() ^ got.keys())} pairs differ from Model.score"
    assert all(abs(want[k] - got[k]) <= 1e-9 for k in want), "probabilities differ from Model.score"
    print(f"Checked: the Python scorer finds the same {len(want):,} pairs with the same probabilities.")


if __name__ == "__main__":
    main()
