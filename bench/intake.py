"""Case intake throughput: N reports through the full batch intake service
(``chuangwen.cases.services.intake_cases``: validation, point → grid with the STRtree index,
category defaults and the 条块 rule, the indexed duplicate check, case + report + CaseEvent +
audit rows, the maintained state counts), against the same rows bulk-inserted raw
(``cursor.executemany``) in the same run.

The city: 20 × 20 grids of 0.001° (about 100 m) owned by 40 communities, the 118 standard
categories. Reports: random points over the grids, random categories, texts drawn from a
few hundred templates; about 3 % are repeats of an earlier report (same category, a few
metres away, same text) and are merged (并单) by the duplicate check.

    .venv/bin/python bench/intake.py --n 100000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cw_cases_bench .venv/bin/python bench/intake.py

Figures: service cases/s (reports/s), raw rows-equivalent cases/s, and their ratio.
"""

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, ensure_pg_database, parser, setup_django

from chuangwen.org.actors import SYSTEM

BATCH = 2000


def main() -> None:
    args = parser(__doc__.splitlines()[0], 100_000).parse_args()
    ensure_pg_database()
    url = setup_django("intake")
    from django.db import connection, transaction

    from chuangwen.cases import services
    from chuangwen.cases.choices import Source
    from chuangwen.cases.models import Case, CaseEvent, Category, Report
    from chuangwen.core.models import AuditEvent
    from chuangwen.org import services as org
    from chuangwen.org.choices import UnitKind

    vendor = connection.vendor
    print(f"database: {vendor} ({url.split('@')[-1]})")
    code = f"bench{int(time.time())}"
    city = org.create_city(code=code, name="基准市", center=(113.01, 28.01), acting_user=SYSTEM)
    district = org.create_unit(
        city, code=f"{code}-d", name="基准区", kind=UnitKind.DISTRICT, acting_user=SYSTEM
    )
    communities = [
        org.create_unit(
            city,
            code=f"{code}-c{i}",
            name=f"社区{i}",
            kind=UnitKind.COMMUNITY,
            parent=district,
            acting_user=SYSTEM,
        )
        for i in range(40)
    ]
    for gx in range(20):
        for gy in range(20):
            x0, y0 = 113.0 + gx * 0.001, 28.0 + gy * 0.001
            ring = [
                [x0, y0],
                [x0 + 0.001, y0],
                [x0 + 0.001, y0 + 0.001],
                [x0, y0 + 0.001],
                [x0, y0],
            ]
            org.create_grid(
                city,
                code=f"G{gx:02d}{gy:02d}",
                unit=communities[(gx // 5) * 10 + gy // 2],
                geometry={"type": "Polygon", "coordinates": [ring]},
                acting_user=SYSTEM,
            )
    services.load_categories(city, acting_user=SYSTEM)
    codes = list(Category.objects.filter(city=city).values_list("code", flat=True))
    rng = random.Random(7)
    words = [
        "垃圾",
        "井盖",
        "路灯",
        "占道",
        "广告",
        "积水",
        "破损",
        "乱停",
        "油烟",
        "噪声",
        "树木",
        "围挡",
    ]
    places = ["路口", "小区门口", "学校旁", "菜市场", "公交站", "河边", "广场", "背街小巷"]
    items: list[services.IntakeData] = []
    for i in range(args.n):
        if items and rng.random() < 0.03:
            prev = items[rng.randrange(max(0, len(items) - 200), len(items))]
            items.append(
                services.IntakeData(
                    source=Source.HOTLINE,
                    description=prev.description,
                    category=prev.category,
                    lon=float(prev.lon or 0) + 0.00002,
                    lat=prev.lat,
                )
            )
            continue
        what = rng.choice(words) + rng.choice(words)
        text = f"{rng.choice(places)}{what}问题{rng.randint(1, 9999)}号"
        items.append(
            services.IntakeData(
                source=rng.choice([Source.PATROL, Source.CITIZEN, Source.HOTLINE]),
                description=text,
                category=rng.choice(codes),
                lon=113.0 + rng.random() * 0.02,
                lat=28.0 + rng.random() * 0.02,
                reporter_phone="138" + f"{rng.randint(0, 99999999):08d}" if i % 3 == 0 else "",
            )
        )
    # warm the grid index and the category cache
    services.intake_cases(city, items[:10], acting_user=SYSTEM)
    first_id = (Case.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    import os

    prof = None
    if os.environ.get("BENCH_PROFILE"):
        import cProfile

        prof = cProfile.Profile()
        prof.enable()
    t0 = time.perf_counter()
    merged = 0
    for k in range(0, len(items), BATCH):
        results = services.intake_cases(city, items[k : k + BATCH], acting_user=SYSTEM)
        merged += sum(r.merged for r in results)
    service_s = time.perf_counter() - t0
    if prof is not None:
        import pstats

        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(35)
    n_cases = Case.objects.filter(city=city, id__gte=first_id).count()
    print(f"service: {args.n} reports → {n_cases} cases ({merged} merged) in {service_s:.2f} s")

    # the baseline: the same rows (copied from what the service wrote) inserted raw
    tables = []
    for model, flt in (
        (Case, {"city": city, "id__gte": first_id}),
        (Report, {"case_id__gte": first_id}),
        (CaseEvent, {"case_id__gte": first_id}),
        (AuditEvent, {"city": city, "code__startswith": "cases.case."}),
    ):
        cols = [f.column for f in model._meta.concrete_fields if not f.primary_key]
        rows = list(
            model.objects.filter(**flt).values_list(
                *[f.attname for f in model._meta.concrete_fields if not f.primary_key]
            )
        )
        if model is Report:  # tracking codes are unique: give the copies new ones
            ci = cols.index("tracking_code")
            rows = [(*r[:ci], f"Z{j:011d}", *r[ci + 1 :]) for j, r in enumerate(rows)]
        if model is AuditEvent or model is CaseEvent:
            rows = [tuple(_json(v) for v in r) for r in rows]
        tables.append((model._meta.db_table, cols, rows))
    total_rows = sum(len(t[2]) for t in tables)
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        for start in range(0, n_cases + 1, BATCH):
            # per batch, one transaction with the four tables, like the service
            with transaction.atomic():
                for table, cols, rows in tables:
                    share = len(rows) / max(n_cases, 1)
                    lo, hi = int(start * share), int(min(start + BATCH, n_cases) * share)
                    if start + BATCH >= n_cases:
                        hi = len(rows)
                    if hi <= lo:
                        continue
                    names = ", ".join(f'"{c}"' for c in cols)
                    sql = (
                        f'INSERT INTO "{table}" ({names}) VALUES ({", ".join(["%s"] * len(cols))})'
                    )
                    cur.executemany(sql, rows[lo:hi])
    raw_s = time.perf_counter() - t0
    print(f"raw executemany: {total_rows} rows (cases, reports, events, audit) in {raw_s:.2f} s")
    service_rate = args.n / service_s
    raw_rate = args.n / raw_s
    ratio = service_s / raw_s
    print(
        f"service {service_rate:,.0f} reports/s · raw {raw_rate:,.0f} reports/s"
        f" · ratio {ratio:.2f}×"
    )
    print("targets: ≥ 1,000 cases/s on SQLite, within 5× of the raw insert")
    emit(
        {
            "database": vendor,
            "n": args.n,
            "cases": n_cases,
            "merged": merged,
            "intake_cases_per_s": round(n_cases / service_s, 1),
            "intake_reports_per_s": round(service_rate, 1),
            "raw_insert_per_s": round(raw_rate, 1),
            "service_vs_raw_ratio": round(ratio, 2),
            "service_s": round(service_s, 2),
            "raw_s": round(raw_s, 2),
        }
    )


def _json(value):
    import json

    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


if __name__ == "__main__":
    main()
