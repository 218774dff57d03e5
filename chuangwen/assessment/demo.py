"""Demo mock evaluation: a round over the demo inspection plan, with a survey and the
materials review ratios the office typed in (until the evidence ledger supplies them)."""

import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from chuangwen.indicators.models import Indicator
from chuangwen.inspections.models import InspectionPlan
from chuangwen.org.actors import SYSTEM
from chuangwen.org.models import City

from . import services
from .models import SurveyResult


def build_demo(city: City, seed: int, log: Callable[[str], Any]) -> None:
    plans = list(InspectionPlan.objects.filter(city=city))
    try:
        rnd = services.create_round(city, title="模拟测评（演示）", plans=plans, acting_user=SYSTEM)
    except Exception as exc:  # no active evaluation system: nothing to score
        log(f"模拟测评：跳过（{exc}）。")
        return
    rng = random.Random(f"assessment:{seed}")
    codes = Indicator.objects.filter(system=rnd.system, children__isnull=True).values_list(
        "code", flat=True
    )
    year = timezone.localdate().year
    services.update_round_inputs(
        rnd,
        materials={c: round(rng.uniform(0.6, 1.0), 2) for c in codes},
        minors_input=round(rng.uniform(86, 94), 1),
        prior_scores={str(year - 2): 78.5, str(year - 1): 82.1},
        acting_user=SYSTEM,
    )
    SurveyResult.objects.create(
        round=rnd, awareness=92.5, support=95.1, satisfaction=86.4, respondents=3000
    )
    rnd = services.compute_round(rnd, acting_user=SYSTEM)
    log(
        f"模拟测评：预测年度成绩 {rnd.annual_score:.2f} 分，综合 {rnd.overall_score:.2f} 分，"
        f"周期 {rnd.cycle_score:.2f} 分。"
    )
