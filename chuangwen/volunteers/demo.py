"""Demo data of volunteer service and the moral bank, made through the services.

``build_demo`` runs each part in turn; the volunteers part is ``build_volunteer_demo``: the
demo city's volunteer accounts registered as volunteers (ID numbers synthetic, in the
non-existent region 99, with valid check characters), teams under streets and departments, a
month of activities with check-ins and check-outs, confirmed hours with a few corrections,
upcoming activities with sign-ups (the ``volunteer`` demo login signed up for tomorrow's and
the one in three days), one activity running now for the ``volunteer`` demo login to scan, and
the certificate organisation (without a seal image: the certificate shows the drawn seal). All
names are invented.
"""

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from chuangwen.core.errors import InvalidInput
from chuangwen.org.actors import SystemActor
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import City, Membership, Unit

from . import idcard, services
from .choices import SKILLS, CheckAction, OrganiserKind
from .models import Activity, Team, Volunteer
from .moral.demo import build_moral_demo
from .pairs.demo import build_demo as build_pairs_demo

DEMO = SystemActor("demo")

# ==== volunteers ==============================================================================

ACTIVITY_KINDS = [
    ("文明交通劝导", "路口劝导行人和非机动车文明出行，不闯红灯、不逆行"),
    ("社区环境清洁", "清理小区楼道堆物和绿化带垃圾，劝导垃圾分类投放"),
    ("背街小巷清扫", "清扫背街小巷卫生死角，清理乱贴乱画"),
    ("关爱空巢老人", "上门探望空巢老人，陪伴聊天、帮助打扫卫生"),
    ("农贸市场秩序维护", "引导商户规范经营、顾客文明购物"),
    ("公交站台文明引导", "引导乘客排队候车、先下后上"),
    ("图书馆志愿服务", "图书整理上架、读者咨询引导"),
    ("文明餐桌宣传", "宣传光盘行动、公筷公勺"),
]


def _stamp(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _place(unit: Unit, rng: random.Random) -> tuple[float, float]:
    grid = unit.grids.order_by("code").first()
    lon = (grid.centroid_lon if grid else unit.city.center_lon) or 113.02
    lat = (grid.centroid_lat if grid else unit.city.center_lat) or 28.19
    return lon + rng.uniform(-0.0003, 0.0003), lat + rng.uniform(-0.0003, 0.0003)


def _enroll(city: City, rng: random.Random, n: int) -> list[Volunteer]:
    """The city's volunteer accounts ("volunteer", the demo login, sorts before "zyz…")."""
    memberships = list(
        Membership.objects.filter(person__city=city, role=Role.VOLUNTEER)
        .select_related("person__user", "unit")
        .order_by("person__user__username")[:n]
    )
    out = []
    skills = [str(s) for s in SKILLS]
    for k, m in enumerate(memberships):
        born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 45))
        number = idcard.make_id_number(f"9901{k % 100:02d}", born, k)
        out.append(
            services.enroll_person(
                m.person,
                id_number=number,
                area=m.unit,
                skills=rng.sample(skills, rng.randint(1, 3)),
                acting_user=DEMO,
            )
        )
    return out


def _teams(city: City, volunteers: list[Volunteer], rng: random.Random) -> list[Team]:
    streets = list(Unit.objects.filter(city=city, kind=UnitKind.STREET).order_by("path")[:8])
    departments = list(
        Unit.objects.filter(city=city, kind=UnitKind.DEPARTMENT).order_by("path")[:4]
    )
    teams = [
        services.create_team(
            city,
            name=f"{u.name}志愿服务队",
            unit=u,
            leader=f"队长{i + 1:02d}",
            description="演示数据",
            acting_user=DEMO,
        )
        for i, u in enumerate([*streets, *departments])
    ]
    for v in volunteers:
        for team in rng.sample(teams, rng.randint(1, 2)):
            v.teams.add(team)
    return teams


def _activity(city, rng, day, teams, communities, *, title_no: int) -> Activity:
    title, text = rng.choice(ACTIVITY_KINDS)
    roll = rng.random()
    team: Team | None = None
    unit: Unit | None = None
    if roll < 0.5:
        kind, team = OrganiserKind.TEAM, rng.choice(teams)
        where = rng.choice(communities)
    elif roll < 0.8:
        kind, unit = OrganiserKind.COMMUNITY, rng.choice(communities)
        where = unit
    else:
        kind, unit = OrganiserKind.UNIT, rng.choice(communities).parent
        where = rng.choice(communities)
    start = _stamp(day, rng.choice([8, 9, 14, 15]), rng.choice([0, 30]))
    lon, lat = _place(where, rng)
    return services.create_activity(
        city,
        services.ActivityData(
            title=f"{title}（第{title_no}期）",
            organiser_kind=kind,
            team=team,
            unit=unit,
            description=text,
            place=f"{where.name}活动点",
            lon=lon,
            lat=lat,
            starts_at=start,
            ends_at=start + dt.timedelta(hours=rng.choice([2, 2, 3, 4])),
            capacity=rng.randint(10, 30),
            contact="演示数据",
        ),
        acting_user=DEMO,
    )


def _serve(activity: Activity, people: list[Volunteer], rng: random.Random, now) -> int:
    """Check the people in and (mostly) out, as they would have on the day."""
    checked = 0
    token_in = services.checkin_token(activity, CheckAction.IN)
    token_out = services.checkin_token(activity, CheckAction.OUT)
    for v in people:
        at_in = activity.starts_at + dt.timedelta(minutes=rng.randint(-15, 20))
        if at_in > now:
            continue
        services.check_in_or_out(
            activity, v, token=token_in, lon=activity.lon, lat=activity.lat, at=at_in,
            acting_user=DEMO,
        )  # fmt: skip
        checked += 1
        at_out = activity.ends_at + dt.timedelta(minutes=rng.randint(-25, 15))
        if at_out > now or rng.random() < 0.04:  # a few forget to check out
            continue
        services.check_in_or_out(
            activity, v, token=token_out, lon=activity.lon, lat=activity.lat, at=at_out,
            acting_user=DEMO,
        )  # fmt: skip
    return checked


def _metric_formula(city: City) -> None:
    """The seed edition's 2.3.1 target (registered share) gets its formula."""
    from chuangwen.indicators.models import Metric
    from chuangwen.tasks import metrics

    found = Metric.objects.filter(city=city, indicator__code="2.3.1", formula="")
    updated = [
        metrics.update_metric(metric, formula="volunteers.share()", acting_user=DEMO)
        for metric in found
    ]
    if updated:  # the updated rows: the ones read above still have no formula
        metrics.recompute_metrics(city, metrics=updated)


def build_volunteer_demo(
    city: City,
    seed: int,
    log: Callable[[str], Any],
    volunteers: int = 600,
    days: int = 30,
) -> None:
    rng = random.Random(seed + 13)
    now = timezone.now()
    today = timezone.localdate()
    services.update_volunteer_settings(
        city,
        resident_population=8000,  # a demo figure for the invented city, not a statistic
        star_hours=[100, 300, 600, 1000, 1500],
        checkin_radius_m=300,
        qr_minutes=10,
        acting_user=DEMO,
    )
    services.save_issuer(
        city,
        name=f"{city.name}志愿服务联合会",
        person_in_charge="演示负责人",
        handler="演示经办人",
        contact="0000-00000000（演示）",
        acting_user=DEMO,
    )
    people = _enroll(city, rng, volunteers)
    teams = _teams(city, people, rng)
    communities = list(
        Unit.objects.filter(city=city, kind=UnitKind.COMMUNITY)
        .select_related("parent", "city")
        .order_by("path")[:60]
    )
    demo_volunteer = next((v for v in people if v.person.user.username == "volunteer"), None)
    n_acts = checked = confirmed = 0
    for offset in range(days, 0, -1):
        day = today - dt.timedelta(days=offset)
        for _ in range(rng.randint(1, 3)):
            n_acts += 1
            activity = _activity(city, rng, day, teams, communities, title_no=n_acts)
            crowd = rng.sample(people, min(len(people), rng.randint(5, activity.capacity)))
            if demo_volunteer is not None and offset % 6 == 0 and demo_volunteer not in crowd:
                crowd[0] = demo_volunteer
            checked += _serve(activity, crowd, rng, now)
            if offset > 1:  # yesterday's are still waiting for the organiser
                try:
                    records = services.confirm_hours(activity, acting_user=DEMO)
                except InvalidInput:  # nobody checked out
                    records = []
                confirmed += len(records)
                if records and rng.random() < 0.15:
                    services.correct_record(
                        records[0],
                        minutes=rng.choice([-30, 15, 30]),
                        reason="组织方现场核实后更正（演示）",
                        acting_user=DEMO,
                    )
                services.close_activity(activity, acting_user=DEMO)
    # one running now (for the demo login to scan) and a week of upcoming ones
    lon, lat = _place(communities[0], rng)
    running = services.create_activity(
        city,
        services.ActivityData(
            title="今日文明交通劝导（进行中）",
            organiser_kind=OrganiserKind.COMMUNITY,
            unit=communities[0],
            description="演示：在活动二维码页扫码签到",
            place=f"{communities[0].name}路口",
            lon=lon,
            lat=lat,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=3),
            capacity=30,
        ),
        acting_user=DEMO,
    )
    if demo_volunteer is not None:
        services.sign_up(running, demo_volunteer, acting_user=DEMO)
    for offset in range(1, 8):
        day = today + dt.timedelta(days=offset)
        n_acts += 1
        activity = _activity(city, rng, day, teams, communities, title_no=n_acts)
        crowd = rng.sample(people, min(len(people), rng.randint(0, activity.capacity // 2)))
        # the demo login has tomorrow's and the one in three days to come on its workbench
        if demo_volunteer is not None and offset in (1, 3) and demo_volunteer not in crowd:
            crowd.append(demo_volunteer)
        for v in crowd:
            services.sign_up(activity, v, acting_user=DEMO)
    _metric_formula(city)
    log(
        f"志愿服务：{len(people)} 名志愿者，{len(teams)} 支服务队，{n_acts + 1} 项活动，"
        f"{checked} 人次签到，{confirmed} 条已确认时长（演示账号 volunteer）。"
    )


def build_demo(city: City, seed: int, log: Callable[[str], Any], **extra: Any) -> None:
    # the moral bank first: the hours confirmed below earn points at the volunteers' banks
    build_moral_demo(city, random.Random(seed + 13), log)
    build_pairs_demo(city, seed, log)
    volunteer_keys = {"volunteers", "days"}
    build_volunteer_demo(city, seed, log, **{k: v for k, v in extra.items() if k in volunteer_keys})


# ==== end of volunteers ========================================================================
