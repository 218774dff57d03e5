"""Demo 六联 activities for the demo city's 100 pairs over the past eight months: most pairs
active, about one in six without an activity for more than three months (flagged as inactive),
a few pairs ended. Reproducible from the seed; all names and texts are invented."""

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from chuangwen.core import audit
from chuangwen.org import services as org_services
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Mechanism
from chuangwen.org.models import City, Pair

from .models import PairActivity
from .selectors import inactive_cutoff, with_stats

TITLES = {
    Mechanism.CIVILITY: ["文明实践进社区", "移风易俗宣讲", "文明交通劝导"],
    Mechanism.HYGIENE: ["背街小巷大扫除", "垃圾分类入户宣传", "楼道杂物清理"],
    Mechanism.SECURITY: ["夜间联合巡逻", "反诈宣传进楼栋", "消防隐患排查"],
    Mechanism.EMERGENCY: ["防汛应急演练", "应急物资清点", "急救技能培训"],
    Mechanism.HARDSHIP: ["走访慰问困难群众", "为独居老人送餐", "助学结对帮扶"],
    Mechanism.PROSPERITY: ["农产品产销对接", "就业技能培训", "电商直播助农"],
}
RESULTS = [
    "参与群众反响良好，形成问题清单并已交办。",
    "整治完成，社区环境明显改善。",
    "建立长效机制，每月开展一次。",
    "",
]


def build_demo(city: City, seed: int, log: Callable[[str], Any]) -> None:
    rng = random.Random(seed * 31 + 13)
    today = timezone.localdate()
    cutoff = inactive_cutoff(city.pk, today)
    pairs = list(Pair.objects.filter(city=city).order_by("id"))
    if not pairs:
        log("结对共建：没有结对，跳过。")
        return
    starts = {}
    for pair in pairs:  # pairs began a year or two ago
        pair.started_on = starts[pair.pk] = today - timedelta(days=rng.randint(300, 720))
    Pair.objects.bulk_update(pairs, ["started_on"])
    rows = []
    for k, pair in enumerate(pairs):
        kinds = pair.mechanisms or list(Mechanism.values)
        quiet = k % 6 == 5  # no activity for more than three months → flagged
        latest = (cutoff - timedelta(days=rng.randint(5, 60))) if quiet else today
        for n in range(0 if k % 12 == 11 else rng.randint(2, 9)):
            kind = rng.choice(kinds)
            # an active pair's latest activity lies within the last two months
            spread = 60 if (n == 0 and not quiet) else (120 if quiet else 240)
            day = latest - timedelta(days=rng.randint(0, spread))
            rows.append(
                PairActivity(
                    city=city,
                    pair=pair,
                    kind=kind,
                    held_on=max(day, starts[pair.pk]),
                    title=rng.choice(TITLES[Mechanism(kind)]),
                    participants=rng.randint(5, 80),
                    result=rng.choice(RESULTS),
                )
            )
    PairActivity.objects.bulk_create(rows)
    ended = pairs[-3:]
    for pair in ended:
        org_services.end_pair(
            pair, ended_on=today - timedelta(days=20), reason="单位职能调整", acting_user=SYSTEM
        )
    stats = with_stats(Pair.objects.filter(city=city), inactive_cutoff(city.pk, today))
    flagged = len([p for p in stats if getattr(p, "inactive", False)])
    audit.record(
        "volunteers.pair_activity.demo",
        city,
        actor=None,
        city=city,
        after={"activities": len(rows), "pairs": len(pairs)},
        summary="生成六联活动演示数据",
    )
    log(
        f"结对共建：六联活动 {len(rows)} 条，{flagged} 对长期无活动（已标注），"
        f"{len(ended)} 对已结束。"
    )
