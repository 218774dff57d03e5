"""Demo of citizens' voice, reproducible from the seed: suggestions from the public page, the
12345 hotline and a survey about the demo city's own places, likes on them, the hot topics
mined from them and the cases, and a trained category model (on the demo's closed cases).

The texts are made up here from a few templates (never taken from any real data set)."""

import random
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone

from chuangwen.org.actors import PUBLIC, SYSTEM
from chuangwen.org.models import City, Unit

from . import services
from .models import Suggestion, SuggestionSource

N_SUGGESTIONS = 240
DAYS = 120
# (problem, suggestion) pairs: several people raise the same one at the same place → topics
PROBLEMS = [
    ("门口烧烤摊油烟很大，晚上噪音扰民", "建议规范夜市经营时间并加装油烟净化设施"),
    ("路灯坏了好几盏，晚上一片漆黑", "建议尽快修复路灯，保障夜间出行安全"),
    ("公交站没有遮雨棚，下雨天等车淋雨", "建议增设公交站遮雨棚和座椅"),
    ("路面坑洼积水，雨天出行困难", "建议尽快修补路面、疏通排水"),
    ("电动车乱停乱放，堵住人行道", "建议划设非机动车停放区"),
    ("垃圾分类桶经常满溢没人清运", "建议增加清运频次"),
    ("小区周边停车难，车辆占道停放", "建议增设临时停车泊位"),
    ("公厕环境差，异味重", "建议加强公厕保洁和管理"),
    ("上下学时段交通拥堵", "建议在上下学时段安排交警疏导"),
    ("广场舞音响声音太大影响休息", "建议规定音量和时段"),
]
OTHER = [
    "建议多建几个口袋公园，方便老人小孩休息",
    "希望图书馆延长周末开放时间",
    "建议在主干道增设自行车道",
    "希望多组织文明志愿服务活动",
    "建议公共场所多设置直饮水点",
]


def build_demo(city: City, seed: int, log: Callable[[str], object], **_: object) -> None:
    rng = random.Random(seed + 12)
    office = None
    from chuangwen.org.choices import Role
    from chuangwen.org.models import Person

    office = (
        Person.objects.filter(city=city, memberships__role=Role.OFFICE_ADMIN, active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    actor = office.user if office is not None else SYSTEM
    places = list(
        Unit.objects.filter(city=city, kind="community")
        .order_by("path")
        .values_list("name", flat=True)[:40]
    ) or ["人民路", "解放路", "五一广场"]
    hot = [(rng.choice(places), p) for p in PROBLEMS]  # each problem at one place
    now = timezone.now()
    made: list[Suggestion] = []
    sources = (
        [SuggestionSource.PUBLIC] * 6 + [SuggestionSource.HOTLINE] * 3 + [SuggestionSource.SURVEY]
    )
    for i in range(N_SUGGESTIONS):
        source = rng.choice(sources)
        if rng.random() < 0.8:
            place, (problem, fix) = rng.choices(hot, weights=[10, 8, 7, 6, 5, 4, 3, 3, 2, 2])[0]
            text = f"{place}{problem}。{fix}。" if rng.random() < 0.7 else f"{place}{problem}"
        else:
            place, text = "", rng.choice(OTHER)
        phone = f"139{rng.randrange(10**8):08d}"
        when = now - timedelta(days=rng.uniform(0, DAYS), minutes=rng.randrange(600))
        made.append(
            services.submit_suggestion(
                city,
                text=text,
                source=source,
                place=place,
                contact_phone=phone,
                contact_name=rng.choice("王李张刘陈杨黄赵") + rng.choice(["先生", "女士"]),
                external_id=f"DEMO-{i:04d}" if source != SuggestionSource.PUBLIC else "",
                submitted_at=when,
                acting_user=PUBLIC if source == SuggestionSource.PUBLIC else actor,
            )
        )
    likes = 0
    for s in made:
        for k in range(rng.choice([0, 0, 1, 2, 3, 5, 8, 13])):
            likes += services.like_suggestion(
                s, device=f"demo-device-{rng.randrange(10**6):06d}-{k}", acting_user=PUBLIC
            )
    log(f"意见建议：{len(made)} 条，赞同 {likes} 次")
    res = services.recompute_topics(city, acting_user=actor)
    log(f"热点话题：{res['topics']} 个（分析 {res['messages']} 条意见建议和案件）")
    try:
        row = services.train_category_model(city, acting_user=actor)
    except services.InvalidInput as exc:
        log(f"类别推荐模型：未训练（{exc.message}）")
    else:
        log(
            f"类别推荐模型 v{row.version}：宏平均F1 {row.macro_f1:.3f}，准确率 {row.accuracy:.3f}，"
            f"{row.n_train + row.n_test} 件已结案案件"
        )
