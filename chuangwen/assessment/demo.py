"""Demo mock evaluation: a round over the demo inspection plan, with a survey and the
materials review ratios the office typed in (until the evidence ledger supplies them).

Demo unit assessment: a monthly scheme (its items and points are an example, said so in its
note: the office sets its own from the city's assessment rules), the last 12 months as periods
computed from the demo data (published except the current month; months before the demo's case
history show 无数据 / 样本不足), negative-list findings in every state, a few bonus / penalty
entries, and black-list entries on their way off the list."""

import random
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from chuangwen.indicators.models import Indicator, NegativeListItem
from chuangwen.inspections.models import InspectionPlan
from chuangwen.inspections.services import active_system
from chuangwen.org.actors import SYSTEM, SystemActor
from chuangwen.org.models import City, Unit

from . import services
from .choices import (
    SANCTION_GRADES,
    FindingSource,
    ItemKind,
    ListKind,
    PeriodKind,
    UnitGroup,
    UnitSanction,
)
from .models import AssessmentPeriod, ListEntry, SurveyResult

DEMO = SystemActor("demo")
MONTHS = 12
SCHEME_NOTE = (
    "演示数据：考核项目和分值仅为示例，不是任何正式考核办法。请创建办按本市考核办法设置方案。"
)
ITEMS = [
    ("A1", "按期结案", ItemKind.RATE, 25, "cases.on_time_close_rate()", 5),
    ("A2", "返工控制", ItemKind.RATE, 10, "1 - cases.rework_rate()", 5),
    ("A3", "群众满意", ItemKind.RATE, 10, "cases.satisfaction_rate()", 0),
    (
        "A4",
        "任务推进",
        ItemKind.RATE,
        20,
        "0.5 * tasks.done_rate() + 0.5 * tasks.on_time_rate()",
        0,
    ),
    ("A5", "佐证材料", ItemKind.RATE, 10, "tasks.evidence_pass_rate()", 0),
    ("A6", "督查合格", ItemKind.RATE, 15, "inspections.pass_rate()", 0),
    ("A7", "议定事项", ItemKind.RATE, 10, "inspections.action_on_time_rate()", 0),
    ("D1", "负面清单", ItemKind.DEDUCTION, 10, "negative.points()", 0),
    ("M1", "加减分", ItemKind.MANUAL, 5, "", 0),
]


def build_demo(city: City, seed: int, log: Callable[[str], Any], **extra: Any) -> None:
    _mock_round(city, seed, log)
    _unit_assessment(city, seed, log, months=int(extra.get("months", MONTHS)))


def _mock_round(city: City, seed: int, log: Callable[[str], Any]) -> None:
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


def _month_start(today: date, back: int) -> date:
    month = today.month - 1 - back
    return date(today.year + month // 12, month % 12 + 1, 1)


def _unit_assessment(city: City, seed: int, log: Callable[[str], Any], months: int) -> None:
    rng = random.Random(f"assessment-units:{seed}")
    scheme = services.create_scheme(
        city,
        name="月度创建工作考核（演示）",
        period_kind=PeriodKind.MONTH,
        groups=[UnitGroup.DISTRICT, UnitGroup.STREET, UnitGroup.DEPARTMENT],
        list_size=3,
        note=SCHEME_NOTE,
        acting_user=DEMO,
    )
    services.save_scheme_items(
        scheme,
        [services.ItemSpec(c, n, k, w, f, v) for c, n, k, w, f, v in ITEMS],
        acting_user=DEMO,
    )
    services.activate_scheme(scheme, acting_user=DEMO)
    today = timezone.localdate()
    periods = []
    for back in range(months - 1, -1, -1):
        start = _month_start(today, back)
        periods.append(
            services.create_period(
                city, kind=PeriodKind.MONTH, year=start.year, number=start.month, acting_user=DEMO
            )
        )
    _findings(city, rng, periods, log)
    manual = scheme.items.get(code="M1")
    units = list(Unit.objects.filter(city=city, kind__in=["district", "street"], active=True))
    for period in periods[-4:]:
        for unit in rng.sample(units, min(2, len(units))):
            services.add_adjustment(
                period,
                item=manual,
                unit=unit,
                points=rng.choice([2, 3, -2]),
                reason=rng.choice(["创建工作经验被省级简报刊发", "重点任务推进迟缓，被市领导点名"]),
                acting_user=DEMO,
            )
    for period in periods:
        services.compute_period(period, acting_user=DEMO)
    for period in periods[:-1]:
        services.publish_period(period, disclosure="ranking", acting_user=DEMO)
    _black_list_exits(periods)
    ranked = (
        AssessmentPeriod.objects.filter(pk=periods[-2].pk).first() if len(periods) > 1 else None
    )
    log(
        f"单位考核：{len(periods)} 个月度考核期（已发布 {len(periods) - 1} 个），"
        f"{ranked.n_units if ranked else 0} 个单位参与，红黑榜 "
        f"{ListEntry.objects.filter(period__city=city).count()} 条。"
    )


def _findings(city: City, rng: random.Random, periods: list, log: Callable[[str], Any]) -> None:
    system = active_system(city)
    items = list(NegativeListItem.objects.filter(system=system)) if system else []
    streets = list(Unit.objects.filter(city=city, kind="street", active=True))
    if not items or not streets:
        log("负面清单问题：没有负面清单条目或街道，跳过。")
        return
    made = []
    for period in periods[-6:]:
        for _n in range(2):
            item = rng.choice(items)
            grades = [g for g in SANCTION_GRADES.get(item.sanction, ()) if g != UnitSanction.VETO]
            sanction = rng.choice(grades or [UnitSanction.DEDUCT])
            day = period.starts_on + timedelta(days=rng.randint(0, 20))
            day = min(day, timezone.localdate())
            made.append(
                services.record_finding(
                    city,
                    unit=rng.choice(streets),
                    item=item,
                    source=rng.choice(FindingSource.values),
                    description="演示：督查发现该问题，要求限期整改。",
                    sanction=sanction,
                    found_on=day,
                    points=2 if sanction == UnitSanction.DEDUCT else None,
                    rectify_by=day + timedelta(days=15),
                    acting_user=DEMO,
                )
            )
    for i, finding in enumerate(made):
        if i % 4 == 3:
            continue  # still open
        services.submit_finding_rectification(
            finding, note="已完成整改，附整改前后照片。", acting_user=DEMO
        )
        if i % 4 == 0:
            services.verify_finding(finding, approved=True, note="核查通过", acting_user=DEMO)
        elif i % 4 == 1:
            services.verify_finding(
                finding, approved=False, note="现场仍有问题，请重新整改", acting_user=DEMO
            )
    if made:
        services.withdraw_finding(made[-1], reason="申诉成立，撤销认定", acting_user=DEMO)


def _black_list_exits(periods: list) -> None:
    if len(periods) < 2:
        return  # the latest period stays unpublished: nothing to rectify yet
    entries = list(
        ListEntry.objects.filter(period=periods[-2], kind=ListKind.BLACK).order_by("id")[:2]
    )
    for i, entry in enumerate(entries):
        services.submit_list_rectification(
            entry, text="已对照问题清单逐项整改完毕，附整改材料。", acting_user=DEMO
        )
        if i == 0:
            services.verify_list_exit(entry, approved=True, note="核查通过", acting_user=DEMO)
