"""Case read paths at scale: the case list page, the inbox and the counts-by-state/unit summary
with N cases (default 1,000,000): p50 and p95 latency of each, through the real views (Django
test client: session, scope, FilterSet, capped paginator, template).

Data generation (documented, reproducible with --seed): one city with 6 districts × 8 streets ×
6 communities (288 块 units) and 20 departments (条), 1,000 grids spread over the communities,
the 118 standard categories. Cases are written with PostgreSQL COPY (executemany on SQLite)
in one pass: random grid and category, the 块 unit of the grid as responsible unit (30 % a
department), reported over the past 365 days, a state drawn from a realistic mix (≈ 81 %
closed/rated, 4 % rejected, the rest spread over the open states), deadlines 1–5 days after
dispatch (so some open cases are overdue). Reports and events are not generated: none of the
measured paths reads them. The maintained StateCount table is rebuilt,
then VACUUM ANALYZE (ANALYZE on SQLite).

Measured (each 40 runs after 3 warm-ups):
- list: /cases/ as the office (whole city), as a district and a street liaison (scope filter
  on the materialized paths), and filtered by state;
- inbox: /cases/inbox/ as the office and as the district and street liaisons;
- summary: /api/cases/summary/units (counts by unit and state, from StateCount) and, as a
  baseline, the same counts by GROUP BY over the case table.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_cases_bench
    .venv/bin/python bench/case_queries.py
    .venv/bin/python bench/case_queries.py --n 100000      # SQLite
    .venv/bin/python bench/case_queries.py --reuse         # measure the last city again

Target: p95 under 100 ms on PostgreSQL.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from case_city import case_city
from common import emit, ensure_pg_database, parser, setup_django

RUNS, WARM = 40, 3


def main() -> None:
    p = parser(__doc__.splitlines()[0], 1_000_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument(
        "--reuse",
        action="store_true",
        help="measure the latest benchmark city of this database again if it has --n cases"
        " (after migrating it), instead of generating a new one",
    )
    args = p.parse_args()
    ensure_pg_database()
    url = setup_django("case_queries")
    from django.db import connection
    from django.test import Client

    from chuangwen.cases.models import Case

    vendor = connection.vendor
    print(f"database: {vendor} ({url.split('@')[-1]}), n = {args.n:,}")

    city, office, liaison, street_liaison, gen_s = case_city(args.n, args.seed, args.reuse)
    total = Case.objects.filter(city=city).count()
    print(f"{'reused' if not gen_s else 'generated'} {total:,} cases in {gen_s:.1f} s")

    def client(person):
        c = Client()
        c.force_login(person.user)
        return c

    co, cl, cs = client(office), client(liaison), client(street_liaison)

    def timed(fn):
        for _ in range(WARM):
            fn()
        xs = []
        for _ in range(RUNS):
            t = time.perf_counter()
            fn()
            xs.append((time.perf_counter() - t) * 1000)
        xs.sort()
        return statistics.median(xs), xs[int(len(xs) * 0.95) - 1]

    def get(c, url):
        def run():
            r = c.get(url)
            assert r.status_code == 200, (url, r.status_code)

        return run

    def group_by():
        from django.db.models import Count

        list(
            Case.objects.filter(city=city)
            .values("unit_id", "state")
            .annotate(n=Count("id"))
            .order_by()
        )

    paths_ = {
        "list_office": get(co, "/cases/"),
        "list_district": get(cl, "/cases/"),
        "list_street": get(cs, "/cases/"),
        "list_state_filter": get(co, "/cases/?state=in_progress"),
        "list_overdue_filter": get(co, "/cases/?overdue=open"),
        "inbox_office": get(co, "/cases/inbox/"),
        "inbox_district": get(cl, "/cases/inbox/"),
        "inbox_street": get(cs, "/cases/inbox/"),
        "summary_units": get(co, "/api/cases/summary/units"),
        "summary_units_district": get(cl, "/api/cases/summary/units"),
        "baseline_group_by_unit_state": group_by,
    }
    figures: dict = {"database": vendor, "n": total, "generate_s": round(gen_s, 1)}
    worst = 0.0
    for name, fn in paths_.items():
        p50, p95 = timed(fn)
        if not name.startswith("baseline"):
            worst = max(worst, p95)
        print(f"{name:32s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
        figures[f"{name}_p50_ms"] = round(p50, 1)
        figures[f"{name}_p95_ms"] = round(p95, 1)
    figures["worst_p95_ms"] = round(worst, 1)
    print(f"worst p95 over the pages: {worst:.1f} ms (target < 100 ms on PostgreSQL)")
    emit(figures)


if __name__ == "__main__":
    main()
