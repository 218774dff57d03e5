"""Decomposition rules applied to the full shipped evaluation system for the demo city's 60
departments and 300 communities: seconds and SQL queries.

Rules: one per department (a content-level code prefix each, round robin, two other
departments supporting), every community leading the standards checked at 社区 sites and
those evaluated by field visit, and the demo's site-type rules (market regulator leads the
农贸市场 standards, the street of each market supports …). Measures, in one run:
- the first application (creates every task and supporting unit in bulk);
- a second application (idempotent: creates nothing);
- the baseline: the same tasks created one by one through ``services.create_task`` (the
  way a form would), on the first N/10 tasks, rolled back.

    .venv/bin/python bench/decompose.py --n 300
"""

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, parser, setup_django

from chuangwen.org.actors import SYSTEM


def main() -> None:
    p = parser(__doc__.splitlines()[0], 300)
    p.add_argument("--show-queries", action="store_true", help="print the most frequent SQL")
    args = p.parse_args()
    setup_django("decompose")
    import datetime as dt

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from chuangwen.indicators.choices import Level
    from chuangwen.indicators.models import Indicator
    from chuangwen.indicators.services import load_evaluation_system
    from chuangwen.org.choices import UnitKind
    from chuangwen.org.demo import build_demo_city
    from chuangwen.org.models import Unit
    from chuangwen.sites.demo import build_demo as build_sites
    from chuangwen.tasks import decomposition, services
    from chuangwen.tasks.choices import LeadMode
    from chuangwen.tasks.demo import create_demo_rules
    from chuangwen.tasks.models import Task, TaskSupport

    city = build_demo_city(seed=2026).city
    system = load_evaluation_system(city, activate=True, acting_user=SYSTEM)
    build_sites(city, 2026, lambda _msg: None)
    departments = list(Unit.objects.filter(city=city, kind=UnitKind.DEPARTMENT).order_by("code"))
    communities = list(Unit.objects.filter(city=city, kind=UnitKind.COMMUNITY).order_by("code"))
    # --n communities take part (default: all 300); the others are deactivated for the run
    Unit.objects.filter(pk__in=[u.pk for u in communities[args.n :]]).update(active=False)
    contents = list(Indicator.objects.filter(system=system, level=Level.CONTENT).order_by("path"))
    deadline = dt.date(2026, 12, 31)
    rules = create_demo_rules(city, deadline)
    for i, dept in enumerate(departments):
        others = [departments[(i + 1) % len(departments)], departments[(i + 7) % len(departments)]]
        rules.append(
            decomposition.create_rule(
                city,
                name=f"{dept.name}牵头",
                code_prefix=contents[i % len(contents)].code,
                lead_unit=dept,
                supporting_units=others,
                deadline=deadline,
                acting_user=SYSTEM,
            )
        )
    rules.append(
        decomposition.create_rule(
            city,
            name="实地考察标准由各社区落实",
            method="field",
            lead_mode=LeadMode.EACH_OF_KIND,
            lead_kind=UnitKind.COMMUNITY,
            deadline=deadline,
            acting_user=SYSTEM,
        )
    )
    standards = Indicator.objects.filter(system=system, level=Level.STANDARD).count()
    print(
        f"standards: {standards}, rules: {len(rules)}, departments: {len(departments)}, "
        f"communities: {min(args.n, len(communities))}"
    )

    with CaptureQueriesContext(connection) as first_q:
        t = time.perf_counter()
        first = decomposition.apply_rules(system, acting_user=SYSTEM)
        first_s = time.perf_counter() - t
    if "--show-queries" in sys.argv:
        from collections import Counter

        print(Counter(q["sql"][:60] for q in first_q.captured_queries).most_common(8))
    with CaptureQueriesContext(connection) as again_q:
        t = time.perf_counter()
        again = decomposition.apply_rules(system, acting_user=SYSTEM)
        again_s = time.perf_counter() - t
    assert again.created == 0 and again.existing == first.created
    n_tasks = Task.objects.filter(city=city).count()
    n_supports = TaskSupport.objects.filter(task__city=city).count()
    assert n_tasks == first.created and n_supports == first.supports_added
    assert set(Task.objects.filter(city=city).values_list("lead_unit__kind", flat=True)) >= {
        UnitKind.DEPARTMENT,
        UnitKind.COMMUNITY,
    }

    # baseline: one task at a time through the service, rolled back
    sample = list(
        Task.objects.filter(city=city)
        .order_by("pk")
        .values_list("indicator_id", "lead_unit_id")[: max(1, n_tasks // 10)]
    )
    indicators = Indicator.objects.in_bulk({i for i, _ in sample})
    units = Unit.objects.in_bulk({u for _, u in sample})
    with CaptureQueriesContext(connection) as base_q:
        t = time.perf_counter()
        with transaction.atomic():
            for ind, lead in sample:
                services.create_task(
                    city,
                    indicator=indicators[ind],
                    lead_unit=units[lead],
                    deadline=deadline,
                    acting_user=SYSTEM,
                )
            base_s = time.perf_counter() - t
            transaction.set_rollback(True)

    figures = {
        "standards": standards,
        "rules": len(rules),
        "tasks_created": first.created,
        "supports_created": first.supports_added,
        "apply_s": round(first_s, 3),
        "apply_queries": len(first_q.captured_queries),
        "apply_tasks_per_s": round(first.created / first_s),
        "reapply_s": round(again_s, 3),
        "reapply_queries": len(again_q.captured_queries),
        "baseline_tasks": len(sample),
        "baseline_queries_per_task": round(len(base_q.captured_queries) / len(sample), 1),
        "baseline_tasks_per_s": round(len(sample) / base_s),
    }
    figures["bulk_vs_baseline_ratio"] = round(
        figures["apply_tasks_per_s"] / max(1, figures["baseline_tasks_per_s"]), 1
    )
    emit(figures)


if __name__ == "__main__":
    main()
