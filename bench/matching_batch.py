"""Batch duplicate detection over 1,000,000 synthetic children: blocking, scoring and accuracy.

    python bench/matching_batch.py                   # 1,000,000 records
    python bench/matching_batch.py --records 100000  # smaller, for trying it out

The records come from the synthetic generator (seed 2027) with known truth, UPNs left out. The job is the
one `manage.py matching_duplicates` runs after reading the register (`blocking.candidate_pairs`, then the
model's score for each pair); reading 1,000,000 children's profiles from the database is not included
here (bench/matching_lookup.py's register could be used for that). Reported: time per phase, peak
resident memory, and precision, recall and F1 at the model's threshold, and sibling or twin pairs above it.
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
TARGET_SECONDS = 60.0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onroll.settings")
    import django

    django.setup()
    from results import machine, write_section

    from onroll.matching import scoring
    from onroll.matching.blocking import candidate_pairs
    from onroll.matching.synthetic import generate, profile_of

    model = scoring.current()
    t0 = time.perf_counter()
    records = generate(int(args.records / 1.3) + 1000, seed=2027)[: args.records]
    t1 = time.perf_counter()
    profiles = [profile_of(r, with_upn=False) for r in records]
    t2 = time.perf_counter()
    pairs = candidate_pairs(profiles)
    t3 = time.perf_counter()
    found = [(i, j) for i, j in pairs if model.score(profiles[i], profiles[j]).probability >= model.threshold]
    t4 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

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
    lines = [
        f"Data: {len(records):,} synthetic child records (generator seed 2027; "
        f"{truth:,} true duplicate pairs), UPNs left out, in memory.",
        "",
        "| phase | seconds |",
        "|---|---|",
        f"| generate records (not part of the job) | {t1 - t0:.1f} |",
        f"| profiles (names folded, keys; reading from the database not included) | {t2 - t1:.1f} |",
        f"| blocking: {len(pairs):,} pairs ({blocked_true / truth:.1%} of true pairs) | {t3 - t2:.1f} |",
        f"| scoring {len(pairs):,} pairs in Python | {t4 - t3:.1f} |",
        f"| **the job (blocking + scoring)** | **{job:.1f}** |",
        "",
        f"Peak resident memory: {peak:,.0f} MiB. At threshold {model.threshold}: precision {precision:.4f}, "
        f"recall {recall:.4f}, F1 {f1:.4f}; sibling or twin pairs above the threshold: {siblings}.",
        "",
        f"Target: ≤ {TARGET_SECONDS:.0f} s over 1,000,000 children: "
        + ("met" if job <= TARGET_SECONDS and len(records) >= 1_000_000 else "not met")
        + f" ({job:.0f} s for blocking and scoring alone"
        + ("" if len(records) >= 1_000_000 else f", {len(records):,} records only")
        + "). "
        "Run with nice on a shared 2-core machine.",
        "",
    ]
    print("\n".join(lines))
    if not args.no_write:
        write_section(TITLE, machine(), lines, f"python bench/matching_batch.py --records {args.records}")


if __name__ == "__main__":
    main()
