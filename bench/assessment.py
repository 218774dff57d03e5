"""Unit assessment: compute one period's scores for every unit of a city with N cases.

Set-up (not timed, reproducible with --seed): the demo city's unit tree (org demo: districts,
streets, communities, departments), the shipped evaluation system and the demo sites; N cases
(default 100,000; the issue's target is 1,000,000 on PostgreSQL) responsible to random units,
their deadlines in last month, a realistic mix of on-time, late, reworked, rated and open
ones; N/100 tasks (10,000 at a million) led by random units with deadlines in the period; N/20
check results (50,000 at a million) on the sampled sites, one in five failing. Written with
bulk_create.

Timed: ``assessment.services.compute_period`` of a monthly scheme with every built-in
quantity (the demo scheme: case rates, tasks, evidence, inspections, notices, meeting action
items, the negative list, a manual item) for all 区县, 街道 and 职能部门 (each its own
ranking); then recomputed (an audited recompute); then half the units are deactivated and the
period recomputed again: the number of SQL queries of the two recomputes must be the same (it
does not depend on the number of units).

    .venv/bin/python bench/assessment.py                      # SQLite, N = 100,000
    # PostgreSQL: the database named is the benchmark's own, dropped and made again
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_assess_bench \\
        .venv/bin/python bench/assessment.py --n 1000000

Target: under 10 s on PostgreSQL with 1,000,000 cases.
"""

import os
import random
import sys
import time
import uuid
from datetime import datetime, timedelta
from datetime import time as dtime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, parser, setup_django

from chuangwen.org.actors import SYSTEM


def _fresh_pg_database() -> None:
    """On PostgreSQL the benchmark's database (its own, named in DATABASE_URL) is dropped and
    made again: the demo city's code is unique."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def statements(captured) -> int:
    """Queries with a bulk INSERT counted once: SQLite splits a bulk_create into batches by its
    limit of bound parameters (999), so more rows take more INSERTs there (not on PostgreSQL)."""
    n, previous = 0, ""
    for q in captured:
        head = q["sql"][:60]
        if not (head.startswith("INSERT") and head == previous):
            n += 1
        previous = head
    return n


def main() -> None:
    p = parser(__doc__.splitlines()[0], 100_000)
    p.add_argument("--seed", type=int, default=11)
    args = p.parse_args()
    _fresh_pg_database()
    url = setup_django("assessment")
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from chuangwen.assessment import services
    from chuangwen.assessment.choices import PeriodKind, UnitGroup
    from chuangwen.assessment.demo import ITEMS
    from chuangwen.cases import services as case_services
    from chuangwen.cases.models import Case, Category
    from chuangwen.indicators.models import CheckItem, Indicator
    from chuangwen.indicators.services import load_evaluation_system
    from chuangwen.inspections import services as inspections
    from chuangwen.inspections.choices import PlanKind
    from chuangwen.inspections.models import CheckResult
    from chuangwen.org.demo import build_demo_city
    from chuangwen.org.models import Unit
    from chuangwen.sites.demo import build_demo as build_sites
    from chuangwen.sites.models import Site
    from chuangwen.tasks.models import Task

    rng = random.Random(args.seed)
    print(f"database: {connection.vendor} ({url.split('@')[-1]}), n = {args.n:,}")
    t0 = time.perf_counter()
    city = build_demo_city(seed=args.seed).city
    system = load_evaluation_system(city, activate=True, acting_user=SYSTEM)
    build_sites(city, args.seed, lambda s: None)
    case_services.load_categories(city, acting_user=SYSTEM)
    cats = list(Category.objects.filter(city=city).values_list("pk", flat=True))
    units = list(Unit.objects.filter(city=city, active=True).values_list("pk", "path", "kind"))
    responsible = [u for u in units if u[2] in ("community", "street", "department")]

    today = timezone.localdate()
    first = today.replace(day=1) - timedelta(days=1)
    start = first.replace(day=1)
    days = (first - start).days + 1

    def at(day: int, hour: float) -> datetime:
        base = datetime.combine(start + timedelta(days=day), dtime(8))
        return timezone.make_aware(base) + timedelta(hours=hour)

    batch: list[Case] = []
    for i in range(args.n):
        uid, path, _kind = responsible[rng.randrange(len(responsible))]
        deadline = at(rng.randrange(days), rng.random() * 10)
        dispatched = deadline - timedelta(days=rng.randint(1, 5))
        r = rng.random()
        handled = closed = None
        state = "in_progress"
        if r < 0.9:
            handled = dispatched + timedelta(hours=rng.random() * (24 * 6))
            state = "closed" if r < 0.7 else ("rated" if r < 0.85 else "handled")
            closed = handled + timedelta(hours=8) if state in ("closed", "rated") else None
        batch.append(
            Case(
                city=city, source="patrol", category_id=cats[i % len(cats)],
                description=f"问题{i}", unit_id=uid, unit_path=path, area_unit_id=uid,
                area_path=path, state=state, reported_at=dispatched - timedelta(hours=2),
                registered_at=dispatched - timedelta(hours=1), dispatched_at=dispatched,
                deadline=deadline, handled_at=handled, closed_at=closed,
                rework_count=int(rng.random() < 0.08),
                rating=rng.randint(1, 5) if state == "rated" else None,
                resolution="fixed" if closed else "",
            )
        )  # fmt: skip
        if len(batch) == 5000:
            Case.objects.bulk_create(batch)
            batch = []
    Case.objects.bulk_create(batch)

    leaves = list(
        Indicator.objects.filter(system=system, children__isnull=True).values_list("pk", flat=True)
    )
    leads = [u for u in units if u[2] in ("district", "street", "department")]
    tasks = []
    for i in range(max(1, args.n // 100)):
        due = start + timedelta(days=rng.randrange(days))
        done = rng.random() < 0.7
        tasks.append(
            Task(
                city=city, indicator_id=leaves[i % len(leaves)],
                lead_unit_id=leads[rng.randrange(len(leads))][0], content="按标准落实",
                deadline=due, status="done" if done else "in_progress",
                done_at=at((due - start).days, rng.uniform(-48, 24)) if done else None,
            )
        )  # fmt: skip
    Task.objects.bulk_create(tasks, batch_size=5000)

    counts = dict.fromkeys(
        CheckItem.objects.filter(system=system).values_list("site_type__code", flat=True), 0
    )
    for code in Site.objects.filter(city=city).values_list("site_type__code", flat=True):
        if code in counts:
            counts[code] += 1
    plan = inspections.create_plan(
        city, kind=PlanKind.SPECIAL, title="基准：专项督查", seed=1, sample_sizes=counts,
        acting_user=SYSTEM,
    )  # fmt: skip
    samples = inspections.sample_plan(plan, acting_user=SYSTEM)
    items: dict[int, list] = {}
    for item in CheckItem.objects.filter(system=system):
        items.setdefault(item.site_type_id, []).append(item)
    pairs = [(s, i) for s in samples for i in items.get(s.site_type_id, [])]
    results = []
    for k in range(max(1, args.n // 20)):
        sample, item = pairs[k % len(pairs)]
        failed = rng.random() < 0.2
        results.append(
            CheckResult(
                city=city, uuid=uuid.UUID(int=rng.getrandbits(128), version=4), plan=plan,
                sample=sample, site_id=sample.site_id, check_item=item,
                observed_at=at(rng.randrange(days), rng.random() * 8), passed=not failed,
                failed=failed, score=0 if failed else 1,
            )
        )  # fmt: skip
    CheckResult.objects.bulk_create(results, batch_size=5000)

    scheme = services.create_scheme(
        city, name="基准月度考核", period_kind=PeriodKind.MONTH,
        groups=[UnitGroup.DISTRICT, UnitGroup.STREET, UnitGroup.DEPARTMENT], acting_user=SYSTEM,
    )  # fmt: skip
    services.save_scheme_items(
        scheme, [services.ItemSpec(*row) for row in ITEMS], acting_user=SYSTEM
    )
    services.activate_scheme(scheme, acting_user=SYSTEM)
    period = services.create_period(
        city, kind=PeriodKind.MONTH, year=start.year, number=start.month, acting_user=SYSTEM
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")
    setup_s = time.perf_counter() - t0
    print(
        f"set-up {setup_s:.1f} s: {len(units)} units, {args.n:,} cases, {len(tasks):,} tasks, "
        f"{len(results):,} check results"
    )

    reset_queries()
    with CaptureQueriesContext(connection) as q_all:
        t = time.perf_counter()
        period = services.compute_period(period, acting_user=SYSTEM)
        compute_s = time.perf_counter() - t
    n_all = period.n_units
    print(f"compute_period: {compute_s:.2f} s, {len(q_all)} queries, {n_all} unit results")
    # the query count is compared between two recomputes (a recompute also reads the stored
    # totals for the audit trail): all the units, then half of them
    with CaptureQueriesContext(connection) as q_re:
        t = time.perf_counter()
        period = services.compute_period(period, reason="基准：全部单位", acting_user=SYSTEM)
        recompute_s = time.perf_counter() - t
    print(f"recompute, all the units: {recompute_s:.2f} s, {len(q_re)} queries")

    assessed = [u[0] for u in units if u[2] in ("district", "street", "department")]
    rng.shuffle(assessed)
    Unit.objects.filter(pk__in=assessed[: len(assessed) // 2]).update(active=False)
    with CaptureQueriesContext(connection) as q_half:
        t = time.perf_counter()
        period = services.compute_period(period, reason="基准：半数单位", acting_user=SYSTEM)
        half_s = time.perf_counter() - t
    print(f"half the units: {half_s:.2f} s, {len(q_half)} queries, {period.n_units} unit results")
    emit(
        {
            "bench": "assessment",
            "database": connection.vendor,
            "n_cases": args.n,
            "n_tasks": len(tasks),
            "n_check_results": len(results),
            "n_units_assessed": n_all,
            "compute_s": round(compute_s, 3),
            "queries": len(q_all),
            "recompute_s": round(recompute_s, 3),
            "queries_recompute": len(q_re),
            "n_units_half": period.n_units,
            "compute_half_s": round(half_s, 3),
            "queries_half": len(q_half),
            "queries_equal": len(q_re) == len(q_half),
            "statements": statements(q_re),
            "statements_half": statements(q_half),
            "statements_equal": statements(q_re) == statements(q_half),
            "setup_s": round(setup_s, 1),
        }
    )


if __name__ == "__main__":
    main()
