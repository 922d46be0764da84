"""Server time per request for the register, search, child and case pages.

    python bench/web_requests.py --scale demo      # SQLite, the demo LA (12,000 children, 200 cases)
    python bench/web_requests.py --scale county    # PostgreSQL, 1,000,000 children, 100,000 cases

Requests run in-process through Django's test client (server time, no network). The data set is built
once by the demo generator and kept (SQLite file in var/, PostgreSQL database onroll_bench), so a rerun
only measures. Figures go to docs/benchmarks.md between this benchmark's markers.

Baseline, run in the same process at the same random deep positions (database time only): the naive read,
OFFSET paging with an exact count over the whole register, which the keyset pages and capped counts replace.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SCALES = {
    "demo": {"db": f"sqlite:///{ROOT / 'var' / 'bench-demo.sqlite3'}", "children": 12_000, "cases": 200},
    "county": {
        "db": "postgres://postgres@127.0.0.1:5432/onroll_bench",
        "children": 1_000_000,
        "cases": 100_000,
    },
}
TARGETS_MS = {"register": 200, "search": 200, "child": 50, "case": 50}


def configure(scale: str):
    os.environ["DATABASE_URL"] = SCALES[scale]["db"]
    os.environ["ONROLL_DEBUG"] = "0"  # DEBUG keeps every query in memory, which is not what production does
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onroll.settings")
    if scale == "county":
        import psycopg

        with psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True) as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname='onroll_bench'").fetchone():
                conn.execute("CREATE DATABASE onroll_bench")
    import django

    django.setup()


def build(scale: str):
    from django.core.management import call_command
    from django.db import connection

    from onroll.demo.generator import generate

    call_command("migrate", verbosity=0)
    spec = SCALES[scale]
    started = time.perf_counter()
    result = generate(
        n_children=spec["children"],
        n_cases=spec["cases"],
        batch_size=5_000,
        attendance=False,  # a million children's registers would be ~500 million rows
        progress=lambda done, total: print(f"\r  {done:,}/{total:,} children", end="", flush=True),
    )
    if result.created:
        print(f"\n  built in {time.perf_counter() - started:.0f} s")
        if connection.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute("VACUUM ANALYZE")
    return result


def timed(client, url, params=None) -> float:
    started = time.perf_counter()
    response = client.get(url, params or {})
    elapsed = (time.perf_counter() - started) * 1000
    assert response.status_code == 200, (url, params, response.status_code)
    return elapsed


def scenarios(rng: random.Random, n: int):
    """(name, group, list of (url, params)) built from real rows of the data set."""
    from django.urls import reverse

    from onroll.casework.models import Case, Category, Reason
    from onroll.casework.queries import encode_cursor
    from onroll.children.models import Child

    case_ids = list(Case.objects.values_list("pk", flat=True)[:20_000])
    sample_cases = [
        Case.objects.select_related("child").get(pk=pk) for pk in rng.sample(case_ids, min(n, len(case_ids)))
    ]
    child_ids = [c.child_id for c in sample_cases]
    register = reverse("web:register")
    reasons = list(Reason.objects.values_list("code", flat=True))
    deep = [encode_cursor(c) for c in sample_cases]
    surnames = [c.child.legal_last_name for c in sample_cases]
    upns = list(Child.objects.exclude(upn="").values_list("upn", flat=True)[:n])
    dobs = [c.child.date_of_birth.strftime("%d/%m/%Y") for c in sample_cases]
    return [
        ("register, first page", "register", [(register, {})] * n),
        (
            "register, category filter",
            "register",
            [(register, {"category": rng.choice(Category.values[:-1])}) for _ in range(n)],
        ),
        (
            "register, reason + year group",
            "register",
            [
                (register, {"reason": rng.choice(reasons), "year_group": str(rng.randint(1, 11))})
                for _ in range(n)
            ],
        ),
        ("register, any deep page (keyset)", "register", [(register, {"after": c}) for c in deep]),
        ("search, surname prefix", "search", [(register, {"q": s[:4]}) for s in surnames]),
        (
            "search, full name",
            "search",
            [
                (register, {"q": f"{c.child.legal_first_name} {c.child.legal_last_name}"})
                for c in sample_cases
            ],
        ),
        ("search, UPN", "search", [(register, {"q": u}) for u in upns]),
        ("search, date of birth", "search", [(register, {"q": d}) for d in dobs]),
        ("child page", "child", [(reverse("web:child", args=[pk]), {}) for pk in child_ids]),
        ("case page", "case", [(reverse("web:case", args=[c.pk]), {}) for c in sample_cases]),
    ]


def deep_page_reads(user, rng: random.Random, n: int) -> tuple[list[float], list[float]]:
    """Query time only, same random deep positions: Onroll's keyset read and the naive read (an exact
    count plus OFFSET, as many products page their lists). Returns (keyset times, naive times)."""
    from onroll.casework.queries import RegisterFilters, encode_cursor, register_page, visible_cases

    cases = visible_cases(user).exclude(category="closed").order_by("-date_identified", "-id")
    total = cases.count()
    related = ("child", "primary_reason", "responsible_org", "lead_professional")
    keyset, naive = [], []
    for _ in range(n):
        offset = rng.randrange(max(total - 26, 1))
        cursor = encode_cursor(cases[offset])
        started = time.perf_counter()
        register_page(user, RegisterFilters(), cursor)
        keyset.append((time.perf_counter() - started) * 1000)
        started = time.perf_counter()
        cases.count()
        list(cases.select_related(*related)[offset + 1 : offset + 26])
        naive.append((time.perf_counter() - started) * 1000)
    return keyset, naive


def summarise(times: list[float]) -> tuple[float, float]:
    ordered = sorted(times)
    return statistics.median(ordered), ordered[max(int(len(ordered) * 0.95) - 1, 0)]


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", choices=SCALES, default="demo")
    parser.add_argument("--requests", type=int, default=200, help="requests per scenario")
    args = parser.parse_args()
    configure(args.scale)
    build(args.scale)

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from results import machine, write_section

    from onroll.accounts.models import User

    settings.ALLOWED_HOSTS = ["testserver"]
    officer = User.objects.get(username="cme.officer")
    client = Client()
    client.force_login(officer)
    rng = random.Random(7)
    rows = []
    for name, group, requests in scenarios(rng, args.requests):
        for url, params in requests[:5]:
            timed(client, url, params)  # warm caches and connections
        median, p95 = summarise([timed(client, url, params) for url, params in requests])
        target = TARGETS_MS[group]
        rows.append((name, median, p95, target))
        print(f"{name:38} median {median:7.1f} ms  p95 {p95:7.1f} ms  target p95 <= {target} ms")
    keyset_times, naive_times = deep_page_reads(officer, rng, min(args.requests, 50))
    (key_median, key_p95), (base_median, base_p95) = summarise(keyset_times), summarise(naive_times)
    print(f"{'deep page query, keyset':38} median {key_median:7.1f} ms  p95 {key_p95:7.1f} ms")
    print(
        f"{'deep page query, baseline OFFSET+count':38} median {base_median:7.1f} ms  p95 {base_p95:7.1f} ms"
    )

    from onroll.casework.models import Case
    from onroll.children.models import Child

    lines = [
        f"Data: {Child.objects.count():,} children, {Case.objects.count():,} cases on {connection.vendor}; "
        f"{args.requests} requests per scenario, signed in as an LA CME officer; server time in-process.",
        "",
        "| scenario | median (ms) | p95 (ms) | target p95 (ms) | p95 / target |",
        "|---|---|---|---|---|",
        *[f"| {n} | {m:.1f} | {p:.1f} | {t} | {p / t:.2f} |" for n, m, p, t in rows],
        "",
        "Baseline, same process and same random deep positions, database time only: Onroll's keyset read "
        "against the naive read (exact count + OFFSET).",
        "",
        "| deep page read | median (ms) | p95 (ms) |",
        "|---|---|---|",
        f"| keyset with capped count (Onroll) | {key_median:.1f} | {key_p95:.1f} |",
        f"| OFFSET with exact count (baseline) | {base_median:.1f} | {base_p95:.1f} |",
        f"| ratio keyset / baseline | {key_median / base_median:.2f} | {key_p95 / base_p95:.2f} |",
    ]
    write_section(
        f"web requests, {args.scale} scale",
        machine(connection),
        lines,
        f"python bench/web_requests.py --scale {args.scale}",
    )


if __name__ == "__main__":
    main()
