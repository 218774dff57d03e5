"""Today's work for the demo logins, so that every role's workbench has something to do: the
grid worker's patrol reports (one handled by the street and waiting for the worker's
verification, one waiting for the office to register), an inspection plan for today with sites
still to check for the demo inspector, a case and a notice waiting for the demo street, an
extension request from the first district, and a problem reported by 随手拍 by each of the
``shop`` (a citizen) and ``volunteer`` logins (the office dispatches the first and has registered
the second, which waits for dispatch: the simulated history may leave none at that step).
Everything goes through the services, acting as the demo users themselves."""

import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from chuangwen.cases import services as cases
from chuangwen.cases.choices import WITH_UNIT, Source
from chuangwen.cases.models import Case, Category
from chuangwen.core.errors import ServiceError
from chuangwen.indicators.models import CheckItem, SiteType
from chuangwen.inspections import services as inspections
from chuangwen.inspections.choices import PlanKind
from chuangwen.org.actors import SYSTEM
from chuangwen.org.models import City, Grid, Person

PATROL = [
    ("SJ0102", "绿化带内有一堆暴露垃圾，已影响通行"),
    ("SJ0201", "公交站台张贴大量非法小广告"),
]

# what the citizen and volunteer logins report by 随手拍
CITIZEN_REPORTS = [
    ("SJ0201", "小区门口电线杆上贴满小广告"),
    ("SJ0102", "楼道口垃圾桶满溢，周围有散落垃圾"),
]


def build_demo(city: City, seed: int, log: Callable[[str], Any]) -> None:
    rng = random.Random(f"dashboard:{seed}")
    users = {u.username: u for u in get_user_model().objects.filter(person__city=city)}
    done = []
    worker, office = users.get("grid"), users.get("office")
    grids = list(Grid.objects.filter(workers__user=worker).order_by("code")) if worker else []
    if grids and office:
        reports = []
        for code, text in PATROL:
            grid = grids[rng.randrange(len(grids))]
            category = Category.objects.filter(city=city, code=code).first()
            result = cases.intake_case(
                city,
                cases.IntakeData(
                    source=Source.PATROL,
                    description=text,
                    category=category.code if category else None,
                    lon=grid.centroid_lon,
                    lat=grid.centroid_lat,
                ),
                acting_user=worker,
            )
            reports.append(result.case)
        first = reports[0]
        cases.register_case(first, acting_user=office)
        first = cases.dispatch_case(first, acting_user=office)
        liaison = _liaison_of(first)
        if liaison is not None:
            cases.accept_case(first, acting_user=liaison)
            cases.handle_case(first, note="已组织保洁人员清理完毕", acting_user=liaison)
        done.append(f"网格员巡查上报 {len(reports)} 件")
    inspector = users.get("inspector")
    plan = _todays_plan(city, inspector, seed) if inspector else None
    if plan is not None:
        done.append(f"今日督查计划「{plan.title}」{plan.samples.count()} 个点位待检查")
    street = users.get("street")
    if street is not None and office is not None and _street_work(city, street, office):
        done.append("街道待签收案件和督查通知书各 1 件")
    district = users.get("district")
    if district is not None and _extension(district):
        done.append("区县延期申请 1 件")
    citizens = [u for u in (users.get("shop"), users.get("volunteer")) if u is not None]
    if office is not None and citizens and _citizen_reports(city, citizens, office):
        done.append("市民、志愿者随手拍各 1 件")
    log(f"工作台：{'，'.join(done) or '没有演示账号，跳过'}。")


def _citizen_reports(city: City, users: list[Any], office: Any) -> bool:
    """Each of these logins (a citizen, a volunteer) reports a problem in its own community by
    随手拍, which records them as its reporter; the office registers both and dispatches the
    first one."""
    reported = []
    for user, (code, text) in zip(users, CITIZEN_REPORTS, strict=False):
        membership = Person.objects.get(user=user).memberships.select_related("unit").first()
        grid = (
            Grid.objects.filter(unit__path__startswith=membership.unit.path)
            .order_by("code")
            .first()
            if membership is not None
            else None
        )
        category = Category.objects.filter(city=city, code=code).first()
        if grid is None or category is None:
            continue
        reported.append(
            cases.intake_case(
                city,
                cases.IntakeData(
                    source=Source.CITIZEN,
                    description=text,
                    category=category.code,
                    lon=grid.centroid_lon,
                    lat=grid.centroid_lat,
                ),
                acting_user=user,
            ).case
        )
    if not reported:
        return False
    registered = [cases.register_case(case, acting_user=office) for case in reported]
    cases.dispatch_case(registered[0], acting_user=office)
    return True


def _liaison_of(case: Case) -> Any:
    """A liaison of the case's responsible unit or of a unit above it."""
    ids = [int(p) for p in case.unit_path.strip(".").split(".") if p]
    person = (
        Person.objects.filter(memberships__unit_id__in=ids, memberships__role="unit_liaison")
        .select_related("user")
        .order_by("-memberships__unit__depth", "id")
        .first()
    )
    return person.user if person else None


def _todays_plan(city: City, inspector: Any, seed: int) -> Any:
    system = inspections.active_system(city)
    if system is None:
        return None
    with_items = set(CheckItem.objects.filter(system=system).values_list("site_type", flat=True))
    types = list(SiteType.objects.filter(city=city, pk__in=with_items).order_by("sort", "code")[:3])
    if not types:
        return None
    today = timezone.localdate()
    plan = inspections.create_plan(
        city,
        kind=PlanKind.SPECIAL,
        title=f"{today:%m月%d日}专项督查",
        seed=seed + 1,
        sample_sizes={t.code: 4 for t in types},
        starts_on=today,
        ends_on=today + timedelta(days=2),
        inspectors=Person.objects.filter(user=inspector),
        note="演示数据：今日待检查的点位",
        acting_user=SYSTEM,
    )
    inspections.sample_plan(plan, acting_user=SYSTEM)
    return plan


def _street_work(city: City, user: Any, office: Any) -> bool:
    """An inspection case dispatched to the street login's unit and a notice listing it, both
    waiting for the street (the mock round's sample reaches streets by chance)."""
    membership = Person.objects.get(user=user).memberships.select_related("unit").first()
    if membership is None:
        return False
    unit = membership.unit
    grid = Grid.objects.filter(unit__path__startswith=unit.path).order_by("code").first()
    category = Category.objects.filter(city=city, code=PATROL[1][0]).first()
    if grid is None or category is None:
        return False
    case = cases.intake_case(
        city,
        cases.IntakeData(
            source=Source.INSPECTION,
            description="督查发现：沿街商铺门前张贴非法小广告，限期清理",
            category=category.code,
            lon=grid.centroid_lon,
            lat=grid.centroid_lat,
        ),
        acting_user=office,
    ).case
    cases.register_case(case, acting_user=office)
    case = cases.dispatch_case(case, unit=unit, acting_user=office)
    inspections.issue_notice(
        city,
        unit=unit,
        cases=[case],
        deadline=timezone.localdate() + timedelta(days=7),
        acting_user=office,
    )
    return True


def _extension(user: Any) -> bool:
    """The district asks for more time on one of its open cases still within its deadline."""
    scope_paths = Person.objects.get(user=user).memberships.values_list("unit__path", flat=True)
    now = timezone.now()
    for path in scope_paths:
        case = (
            Case.objects.filter(unit_path__startswith=path, state__in=WITH_UNIT, deadline__gt=now)
            .order_by("deadline", "id")
            .first()
        )
        if case is None or case.deadline is None:
            continue
        try:
            cases.request_extension(
                case,
                until=case.deadline + timedelta(days=3),
                reason="需协调产权单位共同处置",
                acting_user=user,
            )
        except ServiceError:
            return False
        return True
    return False
