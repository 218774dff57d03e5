"""The city of the case benchmarks (bench/case_queries.py, bench/workbench.py): generated once
per database and reused (``reuse=True``) when a city with the same number of cases is there.

One city with 6 districts × 8 streets × 6 communities (288 块 units) and 20 departments (条),
1,000 grids spread over the communities, the 118 standard categories. Cases are written with
PostgreSQL COPY (executemany on SQLite) in one pass: random grid and category, the 块 unit of the
grid as responsible unit (30 % a department), reported over the past 365 days, a state drawn
from a realistic mix (≈ 81 % closed/rated, 4 % rejected, the rest spread over the open states),
deadlines 1–5 days after dispatch (so some open cases are overdue). Reports and events are not
generated. The maintained StateCount table is rebuilt, then VACUUM ANALYZE (ANALYZE on SQLite).
"""

import random
import time
from datetime import timedelta
from typing import Any

from chuangwen.org.actors import SYSTEM

STATES = [
    ("closed", 45), ("rated", 36), ("rejected", 4), ("reported", 1), ("registered", 1),
    ("dispatched", 3), ("in_progress", 5), ("handled", 2), ("verified", 1.5),
    ("returned", 0.5), ("rework", 1),
]  # fmt: skip


def case_city(n: int, seed: int, reuse: bool) -> tuple[Any, Any, Any, Any, float]:
    """(city, office admin, district liaison, street liaison, seconds spent generating)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from chuangwen.cases import services
    from chuangwen.cases.models import Case, Category
    from chuangwen.org import services as org
    from chuangwen.org.choices import Role, UnitKind
    from chuangwen.org.models import Grid, Unit

    rng = random.Random(seed)
    vendor = connection.vendor

    def generate():
        code = f"q{int(time.time())}"
        city = org.create_city(
            code=code, name="查询基准市", center=(113.0, 28.0), acting_user=SYSTEM
        )
        hq = org.create_unit(
            city, code=f"{code}-hq", name="指挥部", kind=UnitKind.HQ, acting_user=SYSTEM
        )
        departments = [
            org.create_unit(
                city,
                code=f"{code}-dp{i}",
                name=f"部门{i}",
                kind=UnitKind.DEPARTMENT,
                parent=hq,
                acting_user=SYSTEM,
            )
            for i in range(20)
        ]
        communities = []
        districts = []
        for d in range(6):
            du = org.create_unit(
                city,
                code=f"{code}-d{d}",
                name=f"区{d}",
                kind=UnitKind.DISTRICT,
                parent=hq,
                acting_user=SYSTEM,
            )
            districts.append(du)
            for s in range(8):
                su = org.create_unit(
                    city,
                    code=f"{code}-d{d}s{s}",
                    name=f"街道{d}-{s}",
                    kind=UnitKind.STREET,
                    parent=du,
                    acting_user=SYSTEM,
                )
                for c in range(6):
                    communities.append(
                        org.create_unit(
                            city,
                            code=f"{code}-d{d}s{s}c{c}",
                            name=f"社区{d}-{s}-{c}",
                            kind=UnitKind.COMMUNITY,
                            parent=su,
                            acting_user=SYSTEM,
                        )
                    )
        square = {
            "type": "Polygon",
            "coordinates": [[[0, 0], [0.001, 0], [0.001, 0.001], [0, 0.001], [0, 0]]],
        }
        grids = Grid.objects.bulk_create(
            [
                Grid(city=city, code=f"G{i:04d}", unit=communities[i % len(communities)],
                     geometry=square,
                     centroid_lon=113 + (i % 40) * 0.001, centroid_lat=28 + (i // 40) * 0.001)
                for i in range(1000)
            ]
        )  # fmt: skip
        services.load_categories(city, acting_user=SYSTEM)
        cats = list(Category.objects.filter(city=city).values_list("pk", flat=True))
        paths = dict(Unit.objects.filter(city=city).values_list("pk", "path"))
        office = org.create_person(
            city,
            name="办",
            username=f"{code}-office",
            memberships=[(hq, Role.OFFICE_ADMIN)],
            acting_user=SYSTEM,
        )
        liaison = org.create_person(
            city,
            name="联",
            username=f"{code}-liaison",
            memberships=[(districts[0], Role.UNIT_LIAISON)],
            acting_user=SYSTEM,
        )

        now = timezone.now()
        states, weights = [s for s, _w in STATES], [w for _s, w in STATES]
        cols = [
            "created_at", "updated_at", "city_id", "source", "category_id", "description",
            "address", "lon", "lat", "cell", "grid_id", "area_unit_id", "area_path", "unit_id",
            "unit_path", "state", "resolution", "external_id", "reported_at", "registered_at",
            "dispatched_at", "deadline", "deadline_overridden", "handled_at", "verified_at",
            "closed_at", "rework_count", "report_count", "rating", "handler_path", "place",
        ]  # fmt: skip
        sources = ["patrol", "citizen", "hotline", "inspection", "media", "evaluation"]

        def rows():
            for i in range(n):
                g = grids[rng.randrange(len(grids))]
                area = g.unit_id
                unit = departments[rng.randrange(20)].pk if rng.random() < 0.3 else area
                state = rng.choices(states, weights)[0]
                reported = now - timedelta(days=rng.random() * 365)
                dispatched = (
                    reported + timedelta(hours=2)
                    if state not in ("reported", "registered", "rejected")
                    else None
                )
                deadline = dispatched + timedelta(days=rng.randint(1, 5)) if dispatched else None
                handled = None
                if state in ("handled", "verified", "closed", "rated"):
                    handled = dispatched + timedelta(days=rng.random() * 6)  # type: ignore[operator]
                closed = (
                    handled + timedelta(hours=10)
                    if state in ("closed", "rated") and handled
                    else None
                )
                yield (
                    now, now, city.pk, sources[i % 6], cats[rng.randrange(len(cats))],
                    f"问题{i}", "", g.centroid_lon, g.centroid_lat, None, g.pk, area, paths[area],
                    unit, paths[unit], state, "fixed" if closed else "", "", reported,
                    reported + timedelta(hours=1)
                    if state not in ("reported", "rejected") else None,
                    dispatched, deadline, False, handled, None, closed, int(rng.random() < 0.1), 1,
                    None, "", "",
                )  # fmt: skip

        t0 = time.perf_counter()
        with transaction.atomic():
            if vendor == "postgresql":
                with connection.cursor() as cur:
                    raw = cur.cursor
                    with raw.copy(f"COPY cases_case ({', '.join(cols)}) FROM STDIN") as copy:
                        for row in rows():
                            copy.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(cols))
                sql = f"INSERT INTO cases_case ({', '.join(cols)}) VALUES ({marks})"
                batch = []
                with connection.cursor() as cur:
                    for row in rows():
                        batch.append(
                            [
                                connection.ops.adapt_datetimefield_value(v)
                                if hasattr(v, "tzinfo")
                                else v
                                for v in row
                            ]
                        )
                        if len(batch) == 5000:
                            cur.executemany(sql, batch)
                            batch = []
                    if batch:
                        cur.executemany(sql, batch)
        services.rebuild_state_counts(city)
        with connection.cursor() as cur:
            # what autovacuum does on a live database after a bulk load: statistics, and the
            # visibility map that lets counts read the index alone
            pg = connection.vendor == "postgresql"
            cur.execute("VACUUM ANALYZE cases_case" if pg else "ANALYZE")
        gen_s = time.perf_counter() - t0
        return city, office, liaison, gen_s

    def latest():
        from chuangwen.org.models import City, Person

        for city in City.objects.filter(name="查询基准市").order_by("-id"):
            if Case.objects.filter(city=city).count() == n:
                office = Person.objects.get(user__username=f"{city.code}-office")
                liaison = Person.objects.get(user__username=f"{city.code}-liaison")
                return city, office, liaison, 0.0
        return None

    found = latest() if reuse else None
    city, office, liaison, gen_s = found or generate()
    from chuangwen.org.models import Person

    street_user = f"{city.code}-street"  # added here so that reused cities get one too
    street_liaison = Person.objects.filter(user__username=street_user).first() or (
        org.create_person(
            city,
            name="街",
            username=street_user,
            memberships=[
                (Unit.objects.filter(city=city, kind=UnitKind.STREET)[0], Role.UNIT_LIAISON)
            ],
            acting_user=SYSTEM,
        )
    )
    return city, office, liaison, street_liaison, gen_s
