"""Mock evaluation over the full shipped evaluation system with N check results.

Set-up (not timed): the demo city, the shipped seed evaluation system, the demo sites, one
mock-evaluation plan sampling every site, N check results (scored by their items' rules, about
one in five failing) and an open case for every fifth failure. Then, timed:
- ``assessment.services.compute_round``: the predicted score (field roll-up of every
  observation, materials, survey, negative list, minors, cycle), the per-indicator scores, the
  district / street / 包保 unit indices and the site-type scores, all written;
- ``assessment.services.points_at_risk``: every open case and unfinished task ranked by the
  points it would recover;
- the baseline: the field ratio by one aggregate query per check item (then the same roll-up),
  which must give the same field score.

    .venv/bin/python bench/mock_evaluation.py --n 50000
"""

import random
import sys
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import emit, parser, pin_one_core, setup_django

from chuangwen.org.actors import SYSTEM


def main() -> None:
    args = parser(__doc__.splitlines()[0], 50_000).parse_args()
    pin_one_core()
    setup_django("mock_evaluation")
    from django.db.models import Avg
    from django.utils import timezone

    from chuangwen.assessment import rollup
    from chuangwen.assessment import services as assessment
    from chuangwen.assessment.models import SurveyResult
    from chuangwen.cases import services as cases
    from chuangwen.cases.choices import Source
    from chuangwen.indicators.models import CheckItem, Indicator
    from chuangwen.indicators.services import load_evaluation_system
    from chuangwen.inspections import services as inspections
    from chuangwen.inspections.choices import PlanKind
    from chuangwen.inspections.models import CheckResult
    from chuangwen.inspections.scoring import score_observation
    from chuangwen.org.demo import build_demo_city
    from chuangwen.sites.demo import build_demo as build_sites
    from chuangwen.sites.models import Site

    t0 = time.perf_counter()
    city = build_demo_city(seed=2026).city
    system = load_evaluation_system(city, activate=True, acting_user=SYSTEM)
    build_sites(city, 2026, lambda s: None)
    counts = dict.fromkeys(
        CheckItem.objects.filter(system=system).values_list("site_type__code", flat=True), 0
    )
    for code in Site.objects.filter(city=city).values_list("site_type__code", flat=True):
        if code in counts:
            counts[code] += 1
    plan = inspections.create_plan(
        city,
        kind=PlanKind.MOCK,
        title="基准：模拟测评",
        seed=1,
        sample_sizes=counts,
        acting_user=SYSTEM,
    )
    samples = inspections.sample_plan(plan, acting_user=SYSTEM)
    items_by_type: dict[int, list] = {}
    for item in CheckItem.objects.filter(system=system).prefetch_related("standards"):
        items_by_type.setdefault(item.site_type_id, []).append(item)
    rng = random.Random(7)
    now = timezone.now()
    rows = []
    pairs = [(s, i) for s in samples for i in items_by_type.get(s.site_type_id, [])]
    for k in range(args.n):
        sample, item = pairs[k % len(pairs)]
        fail = rng.random() < 0.2
        answer: dict[str, Any]
        if item.rule == "pass_fail":
            answer = {"passed": not fail}
        elif item.rule == "ratio":
            answer = {"value": round(rng.uniform(0.5, 0.95), 2) if fail else 1.0}
        else:
            answer = {"missing": rng.randint(1, 4) if fail else 0}
        scored = score_observation(item, **answer)
        stds = sorted(s.pk for s in item.standards.all())
        rows.append(
            CheckResult(
                city=city,
                uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                plan=plan,
                sample=sample,
                site_id=sample.site_id,
                check_item=item,
                standard_id=stds[0] if stds else None,
                observed_at=now,
                passed=scored.passed,
                value=scored.value,
                missing=scored.missing,
                score=scored.score,
                failed=scored.failed,
            )
        )
    CheckResult.objects.bulk_create(rows, batch_size=2000)
    failed = list(
        CheckResult.objects.filter(plan=plan, failed=True).select_related("site")[: args.n // 25]
    )
    intake = cases.intake_cases(
        city,
        [
            cases.IntakeData(
                source=Source.INSPECTION,
                description=f"{r.site.name} 检查不合格",
                lon=r.site.lon,
                lat=r.site.lat,
                indicator_id=r.standard_id,
            )
            for r in failed
        ],
        acting_user=SYSTEM,
        check_duplicates=False,
    )
    for r, res in zip(failed, intake, strict=True):
        r.case_id = res.case.pk
    CheckResult.objects.bulk_update(failed, ["case"], batch_size=2000)
    rnd = assessment.create_round(city, title="基准轮次", plans=[plan], acting_user=SYSTEM)
    SurveyResult.objects.create(
        round=rnd, awareness=91.0, support=94.0, satisfaction=85.0, respondents=3000
    )
    leaves = Indicator.objects.filter(system=system, children__isnull=True)
    assessment.update_round_inputs(
        rnd, materials={c: 0.8 for c in leaves.values_list("code", flat=True)}, acting_user=SYSTEM
    )
    setup_s = time.perf_counter() - t0
    print(
        f"set-up {setup_s:.1f} s: {len(samples)} sampled sites, {args.n} check results, "
        f"{len(failed)} open cases, {Indicator.objects.filter(system=system).count()} indicators"
    )

    t = time.perf_counter()
    rnd = assessment.compute_round(rnd, acting_user=SYSTEM)
    assert rnd.field_ratio is not None and rnd.overall_score is not None
    compute_s = time.perf_counter() - t

    t = time.perf_counter()
    risks = assessment.points_at_risk(rnd, limit=None)
    risk_s = time.perf_counter() - t

    # baseline: one aggregate query per check item, then the same roll-up
    t = time.perf_counter()
    item_means = {}
    for item in CheckItem.objects.filter(system=system):
        avg = CheckResult.objects.filter(plan=plan, check_item=item).aggregate(a=Avg("score"))["a"]
        if avg is not None:
            item_means[item.pk] = (avg, 1)
    nodes, _by_id = assessment._nodes(system)
    std_ratios = rollup.standard_ratios(item_means, assessment._standards_of(system))
    baseline_ratio = rollup.roll_up(nodes, std_ratios)[rollup.ROOT]
    baseline_s = time.perf_counter() - t
    assert abs(baseline_ratio - rnd.field_ratio) < 1e-9, (baseline_ratio, rnd.field_ratio)

    print(
        f"score {rnd.overall_score:.2f} (annual {rnd.annual_score:.2f}); "
        f"{len(risks)} items at risk, top {risks[0].points:.3f} points"
    )
    emit(
        {
            "observations": args.n,
            "open_cases": len(failed),
            "compute_s": round(compute_s, 3),
            "points_at_risk_s": round(risk_s, 3),
            "observations_per_s": round(args.n / compute_s),
            "baseline_field_only_ms": round(baseline_s * 1000, 1),
            "compute_vs_baseline_ratio": round(compute_s / baseline_s, 2),
            "risk_items": len(risks),
            "predicted_score": round(rnd.overall_score, 2),
        }
    )


if __name__ == "__main__":
    main()
