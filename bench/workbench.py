"""Workbenches and the cockpit at scale: the office's, a district's and a street's home page
(工作台) and the cockpit's data (/dashboard/cockpit/data/) with N cases (default 1,000,000), p50
and p95 of each through the real views (Django test client: session, scope, every provider,
template), and the number of queries of each.

The city is the case benchmarks' city (bench/case_city.py, reused when this database already
has one with N cases). The query counts are measured twice — on that city and on a second
city with N / 10 cases (at least 2,000) — and printed side by side: they must be equal (no
query per case).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_cases_bench
    .venv/bin/python bench/workbench.py --reuse          # the 1,000,000-case city of case_queries
    .venv/bin/python bench/workbench.py --n 20000        # SQLite

Target: p95 under 150 ms per page on PostgreSQL.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from case_city import case_city
from common import emit, ensure_pg_database, parser, setup_django

RUNS, WARM = 30, 3
PAGES = {
    "workbench_office": ("office", "/"),
    "workbench_district": ("district", "/"),
    "workbench_street": ("street", "/"),
    "cockpit_data": ("office", "/dashboard/cockpit/data/"),
}


def main() -> None:
    p = parser(__doc__.splitlines()[0], 1_000_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--reuse", action="store_true", help="reuse a benchmark city with --n cases")
    args = p.parse_args()
    ensure_pg_database()
    url = setup_django("workbench")
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from chuangwen.cases.models import Case

    print(f"database: {connection.vendor} ({url.split('@')[-1]}), n = {args.n:,}")

    def clients(n: int, reuse: bool) -> dict[str, Client]:
        city, office, district, street, gen_s = case_city(n, args.seed, reuse)
        total = Case.objects.filter(city=city).count()
        how = f"generated in {gen_s:.1f} s" if gen_s else "reused"
        print(f"city {city.code}: {total:,} cases ({how})")
        out = {}
        for role, person in (("office", office), ("district", district), ("street", street)):
            c = Client()
            c.force_login(person.user)
            out[role] = c
        return out

    def queries(c: Client, path: str) -> int:
        cache.clear()  # the points-at-risk cache would hide queries
        with CaptureQueriesContext(connection) as ctx:
            r = c.get(path)
        assert r.status_code == 200, (path, r.status_code)
        return len(ctx.captured_queries)

    small_n = max(2000, args.n // 10)
    small = clients(small_n, reuse=args.reuse)
    small_queries = {name: queries(small[role], path) for name, (role, path) in PAGES.items()}
    big = clients(args.n, reuse=args.reuse)

    figures: dict = {"database": connection.vendor, "n": args.n}
    worst = 0.0
    for name, (role, path) in PAGES.items():
        c = big[role]
        n_queries = queries(c, path)
        for _ in range(WARM):
            c.get(path)
        xs = []
        for _ in range(RUNS):
            t = time.perf_counter()
            r = c.get(path)
            xs.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        xs.sort()
        p50, p95 = statistics.median(xs), xs[int(len(xs) * 0.95) - 1]
        worst = max(worst, p95)
        print(
            f"{name:20s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   "
            f"queries {n_queries} (with {small_n:,} cases: {small_queries[name]})"
        )
        figures[f"{name}_p50_ms"] = round(p50, 1)
        figures[f"{name}_p95_ms"] = round(p95, 1)
        figures[f"{name}_queries"] = n_queries
        figures[f"{name}_queries_small_city"] = small_queries[name]
    figures["worst_p95_ms"] = round(worst, 1)
    figures["queries_independent_of_cases"] = all(
        figures[f"{k}_queries"] == small_queries[k] for k in PAGES
    )
    print(f"worst p95: {worst:.1f} ms (target < 150 ms on PostgreSQL)")
    emit(figures)


if __name__ == "__main__":
    main()
