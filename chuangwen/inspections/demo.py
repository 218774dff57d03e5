"""Demo inspections for the demo city: a mock evaluation plan sampled from the sites, checks
answered (about one in five failing, each becoming a dispatched case), notices to the units, and
a dispatch meeting with action items. Reproducible from the seed."""

import random
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from chuangwen.indicators.choices import ScoringRule
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Person, Unit

from . import services
from .choices import MeetingKind, PlanKind

SIZES = {
    "ZCGD": 10,
    "BJXX": 15,
    "NMSC": 8,
    "SQ": 10,
    "XQ": 8,
    "GCGY": 4,
    "XXZB": 6,
    "JTLK": 8,
    "GJZD": 8,
    "CKDW": 6,
    "JZGD": 4,
    "YY": 4,
    "JQ": 2,
    "WB": 4,
}


def _answer(rng: random.Random, rule: str) -> dict[str, Any]:
    fail = rng.random() < 0.2
    if rule == ScoringRule.PASS_FAIL:
        return {"passed": not fail}
    if rule == ScoringRule.RATIO:
        total = rng.randint(20, 60)
        return {
            "count": rng.randint(1, total // 5) if fail else 0,
            "total": total,
            "duration_min": 5,
        }
    return {"missing": rng.randint(1, 3) if fail else 0}


def build_demo(city: City, seed: int, log: Callable[[str], Any]) -> None:
    system = services.active_system(city)
    if system is None:
        log("督查：没有启用的测评体系，跳过。")
        return
    from chuangwen.indicators.models import SiteType

    codes = set(SiteType.objects.filter(city=city).values_list("code", flat=True))
    sizes = {k: v for k, v in SIZES.items() if k in codes}
    if not sizes:
        log("督查：没有点位类型，跳过。")
        return
    rng = random.Random(f"inspections:{seed}")
    inspector = get_user_model().objects.filter(username="inspector").first()
    plan = services.create_plan(
        city,
        kind=PlanKind.MOCK,
        title=f"{timezone.localdate().year}年第一次模拟测评",
        seed=seed,
        sample_sizes=sizes,
        note="演示数据",
        acting_user=SYSTEM,
    )
    samples = services.sample_plan(plan, acting_user=SYSTEM)
    now = timezone.now()
    n = failed = 0
    for sample in samples:
        for item in services.checklist(plan, sample):
            answer = _answer(rng, item.rule)
            out = services.submit_check(
                plan,
                services.CheckData(
                    uuid=uuid.UUID(int=rng.getrandbits(128), version=4),
                    sample_id=sample.pk,
                    check_item_id=item.pk,
                    observed_at=now - timedelta(minutes=rng.randint(30, 60 * 24 * 5)),
                    note="演示检查",
                    **answer,
                ),
                acting_user=inspector,
            )
            n += 1
            failed += int(out.result.failed)
    notices = services.issue_notices_for_plan(
        plan, deadline=timezone.localdate() + timedelta(days=7), acting_user=SYSTEM
    )
    # a dispatch meeting with decisions for the three districts that fared worst
    districts = list(Unit.objects.filter(city=city, kind=UnitKind.DISTRICT).order_by("code")[:3])
    office = list(
        Person.objects.filter(city=city, memberships__role="office_admin").order_by("id")[:3]
    )
    meeting = services.create_meeting(
        city,
        kind=MeetingKind.DISPATCH,
        title="创建全国文明城市工作调度会",
        held_at=now - timedelta(days=1),
        location="市委第一会议室",
        agenda="一、通报模拟测评情况\n二、各区汇报整改进展\n三、部署下阶段工作",
        attendees=office,
        attendee_units=districts,
        acting_user=SYSTEM,
    )
    services.record_minutes(
        meeting, "会议通报了模拟测评发现的问题，要求各区限期整改到位。", acting_user=SYSTEM
    )
    for k, unit in enumerate(districts):
        services.add_action_item(
            meeting,
            text=f"{unit.name}完成模拟测评问题整改并报送整改台账",
            unit=unit,
            deadline=timezone.localdate() + timedelta(days=3 * (k - 1)),
            acting_user=SYSTEM,
        )
    log(
        f"督查：计划 1 个，抽样点位 {len(samples)} 个，检查结果 {n} 条（不合格 {failed} 条，"
        f"已转案件），督查通知书 {len(notices)} 份，调度会 1 次。"
    )
