"""Demo history of the case loop for the demo city, reproducible from the seed.

About 4,000 reports over the past 150 days from every channel go through the real batch intake
(grid lookup, category defaults, duplicate check: repeats become 并单). Their lifecycle is then
simulated with the real working-day calendar and written in bulk — register, dispatch, accept,
handle, verify (≈12 % reworked once), close (a few as not ours / unfixable), rate — with the
CaseEvents at their historical times; recent cases are still open and some are overdue. A few
dozen cases get before/after photos drawn locally with Pillow. The maintained state counts are
rebuilt at the end. Runs in well under a minute on SQLite.
"""

import io
import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw

from chuangwen.core import audit
from chuangwen.core.models import Notification
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Grid, Membership, Unit

from . import services
from .choices import Action, PhotoKind, Resolution, Source, State
from .models import Case, CaseEvent, Category, Extension, Report
from .photos import check_photo
from .workdays import WorkCalendar

N_REPORTS = 4000
DAYS = 150
SOURCES = [
    (Source.PATROL, 34),
    (Source.CITIZEN, 24),
    (Source.HOTLINE, 22),
    (Source.INSPECTION, 12),
    (Source.EVALUATION, 4),
    (Source.MEDIA, 4),
]
DETAILS = [
    "已持续多日，影响市容",
    "居民反映强烈，请尽快处理",
    "位置在路口东侧",
    "早晚高峰尤为明显",
    "靠近小学门口",
    "多次反映未解决",
    "影响行人通行",
    "存在安全隐患",
    "",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超"


def _photo(rng: random.Random, after: bool) -> bytes:
    """A small synthetic street scene: grey road, a kerb, litter (before) or none (after)."""
    img = Image.new("RGB", (480, 360), (135, 170, 205))
    d = ImageDraw.Draw(img)
    d.rectangle([0, 200, 480, 360], fill=(95, 95, 100))
    d.rectangle([0, 190, 480, 205], fill=(180, 180, 175))
    for _ in range(4):
        x = rng.randint(0, 440)
        d.rectangle([x, 60, x + 40, 190], fill=(rng.randint(150, 220), 140, 120))
    if not after:
        for _ in range(rng.randint(6, 15)):
            x, y = rng.randint(20, 440), rng.randint(215, 330)
            color = rng.choice([(230, 60, 50), (240, 240, 240), (60, 120, 200), (220, 200, 60)])
            d.ellipse([x, y, x + rng.randint(10, 35), y + rng.randint(8, 20)], fill=color)
    else:
        d.rectangle([380, 150, 420, 200], fill=(30, 130, 60))  # a new bin
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=80)
    return buf.getvalue()


def _liaisons(city: City) -> tuple[dict[int, int], dict[int, Any]]:
    users = dict(
        Membership.objects.filter(unit__city=city, role=Role.UNIT_LIAISON)
        .order_by("id")
        .values_list("unit_id", "person__user_id")
    )
    parents = dict(Unit.objects.filter(city=city).values_list("pk", "parent_id"))
    return users, parents


def _liaison_for(unit_id: int | None, users: dict, parents: dict) -> int | None:
    while unit_id is not None:
        if unit_id in users:
            return users[unit_id]
        unit_id = parents.get(unit_id)
    return None


def build_demo(
    city: City, seed: int, log: Callable[[str], object], *, reports: int = N_REPORTS
) -> None:
    rng = random.Random(seed + 4)
    created, _kept = services.load_categories(city, acting_user=SYSTEM)
    log(f"案件类别：{created} 个（数字城管部件/事件大类、小类）")
    categories = list(Category.objects.filter(city=city, active=True).order_by("code"))
    weights = [3 if c.family == "event" else 1 for c in categories]
    grids = list(
        Grid.objects.filter(city=city).order_by("code").values_list("centroid_lon", "centroid_lat")
    )
    now = timezone.now()

    items: list[services.IntakeData] = []
    for i in range(reports):
        if items and rng.random() < 0.06:  # someone else reports the same problem (并单)
            prev = rng.choice(items[-50:])
            at: Any = min(prev.reported_at + timedelta(hours=rng.uniform(1, 48)), now)  # type: ignore[operator]
            items.append(
                services.IntakeData(
                    source=rng.choice([Source.CITIZEN, Source.HOTLINE]),
                    description=prev.description,
                    category=prev.category,
                    lon=float(prev.lon) + rng.uniform(-0.0001, 0.0001),  # type: ignore[arg-type]
                    lat=float(prev.lat) + rng.uniform(-0.0001, 0.0001),  # type: ignore[arg-type]
                    reporter_phone="1" + str(rng.randint(3000000000, 9999999999)),
                    reporter_name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    reported_at=at,
                )
            )
            continue
        cat = rng.choices(categories, weights)[0]
        lon, lat = (float(v or 0) for v in rng.choice(grids))
        source = rng.choices([s for s, _w in SOURCES], [w for _s, w in SOURCES])[0]
        citizen = source in (Source.CITIZEN, Source.HOTLINE)
        # more recent days carry more reports (the campaign is ramping up)
        age = DAYS * (rng.random() ** 1.4)
        items.append(
            services.IntakeData(
                source=source,
                description=f"{cat.name}：{rng.choice(DETAILS)}".rstrip("："),
                category=cat.code,
                lon=lon + rng.uniform(-0.0004, 0.0004),
                lat=lat + rng.uniform(-0.0004, 0.0004),
                external_id=f"12345-{i:06d}" if source == Source.HOTLINE else "",
                reporter_phone=("1" + str(rng.randint(3000000000, 9999999999))) if citizen else "",
                reporter_name=(rng.choice(SURNAMES) + rng.choice(GIVEN)) if citizen else "",
                reported_at=now - timedelta(days=age, minutes=rng.randint(0, 600)),
            )
        )
    items.sort(key=lambda d: d.reported_at)  # type: ignore[arg-type,return-value]
    results = []
    for k in range(0, len(items), 1000):
        results += services.intake_cases(city, items[k : k + 1000], acting_user=SYSTEM)
    cases = {r.case.pk: r.case for r in results if not r.merged}
    log(f"案件上报：{len(results)} 条上报，{len(cases)} 件案件，{len(results) - len(cases)} 条并单")
    _simulate(city, rng, list(cases.values()), now)
    _photos(city, rng)
    services.rebuild_state_counts(city)
    audit.record(
        "cases.demo.built",
        None,
        actor=None,
        city=city,
        after={"reports": len(results), "cases": len(cases)},
        object_type="cases.case",
    )
    states = dict(Case.objects.filter(city=city).values_list("state").annotate(n=Count("id")))
    log("案件状态：" + "，".join(f"{State(s).label} {n}" for s, n in sorted(states.items())))


@transaction.atomic
def _simulate(city: City, rng: random.Random, cases: list[Case], now) -> None:
    cal = WorkCalendar.for_city(city.pk)
    office = (
        Membership.objects.filter(unit__city=city, role=Role.OFFICE_ADMIN)
        .values_list("person__user_id", flat=True)
        .first()
    )
    verifiers = list(
        Membership.objects.filter(unit__city=city, role__in=[Role.INSPECTOR, Role.GRID_WORKER])
        .order_by("id")
        .values_list("person__user_id", flat=True)[:200]
    )
    users, parents = _liaisons(city)
    departments = list(
        Unit.objects.filter(city=city, axis="line").order_by("code").values_list("pk", "path")
    )
    paths = dict(Unit.objects.filter(city=city).values_list("pk", "path"))
    events: list[CaseEvent] = []
    extensions: list[Extension] = []
    rated_cases: list[int] = []
    fields = [
        "state", "resolution", "registered_at", "dispatched_at", "deadline", "handled_at",
        "handled_by", "verified_at", "closed_at", "rework_count", "unit", "unit_path",
    ]  # fmt: skip

    def ev(case: Case, at, action: str, frm: str, to: str, actor, note: str = "") -> None:
        if at <= now:
            events.append(
                CaseEvent(
                    case_id=case.pk,
                    at=at,
                    actor_id=actor,
                    action=action,
                    from_state=frm,
                    to_state=to,
                    note=note,
                )
            )

    for case in cases:
        t = case.reported_at
        cat = case.category
        # register (or reject)
        t = t + timedelta(hours=rng.uniform(0.2, 6))
        if t > now:
            continue
        if rng.random() < 0.04:
            case.state, case.resolution, case.closed_at = State.REJECTED, Resolution.INVALID, t
            ev(
                case,
                t,
                Action.REJECT,
                State.REPORTED,
                State.REJECTED,
                office,
                "经核实不属于城市管理问题",
            )
            continue
        case.state, case.registered_at = State.REGISTERED, t
        ev(case, t, Action.REGISTER, State.REPORTED, State.REGISTERED, office)
        # dispatch
        t = t + timedelta(hours=rng.uniform(0.1, 3))
        if t > now:
            continue
        if case.unit_id is None:
            case.unit_id, case.unit_path = rng.choice(departments)
        case.state, case.dispatched_at = State.DISPATCHED, t
        case.deadline = cal.deadline(t, cat.deadline_value, cat.deadline_unit, cat.deadline_working)  # type: ignore[union-attr]
        ev(case, t, Action.DISPATCH, State.REGISTERED, State.DISPATCHED, office)
        liaison = _liaison_for(case.unit_id, users, parents)
        # a few disputes: returned, then re-dispatched to the right unit
        if rng.random() < 0.03:
            t = t + timedelta(hours=rng.uniform(1, 8))
            ev(
                case,
                t,
                Action.RETURN,
                State.DISPATCHED,
                State.RETURNED,
                liaison,
                "不属于本单位职责",
            )
            if t > now or rng.random() < 0.3:
                case.state = State.RETURNED
                continue
            case.unit_id, case.unit_path = rng.choice(departments)
            liaison = _liaison_for(case.unit_id, users, parents)
            t = t + timedelta(hours=rng.uniform(0.5, 4))
            # the re-dispatch starts the unit's time afresh
            case.dispatched_at = t
            case.deadline = cal.deadline(
                t,
                cat.deadline_value,  # type: ignore[union-attr]
                cat.deadline_unit,  # type: ignore[union-attr]
                cat.deadline_working,  # type: ignore[union-attr]
            )
            ev(case, t, Action.DISPATCH, State.RETURNED, State.DISPATCHED, office, "改派")
        t = t + timedelta(hours=rng.uniform(0.1, 4))
        if t > now:
            continue
        case.state = State.IN_PROGRESS
        ev(case, t, Action.ACCEPT, State.DISPATCHED, State.IN_PROGRESS, liaison)
        last = t  # the latest event so far: handling comes after it
        span = (case.deadline - case.dispatched_at).total_seconds()
        if rng.random() < 0.04:  # an approved extension
            new = case.deadline + timedelta(days=rng.randint(2, 7))
            at = t + timedelta(seconds=span * 0.3)
            extensions.append(
                Extension(
                    case_id=case.pk,
                    requested_by_id=liaison,
                    old_deadline=case.deadline,
                    requested_deadline=new,
                    reason="需协调产权单位",
                    status="approved",
                    decided_by_id=office,
                    decided_at=at + timedelta(hours=2),
                )
            )
            ev(case, at, Action.EXTENSION_REQUEST, State.IN_PROGRESS, "", liaison, "需协调产权单位")
            ev(
                case,
                at + timedelta(hours=2),
                Action.EXTENSION_APPROVE,
                State.IN_PROGRESS,
                "",
                office,
            )
            case.deadline = new
            span = (case.deadline - case.dispatched_at).total_seconds()
            last = at + timedelta(hours=2)
        late = rng.random() < 0.14
        t = case.dispatched_at + timedelta(
            seconds=span * (rng.uniform(1.05, 2.5) if late else rng.uniform(0.15, 0.95))
        )
        t = max(t, last + timedelta(minutes=30))  # 签收 (and any extension) before 处置
        if t > now:
            continue  # still being handled (overdue if the deadline has passed)
        if rng.random() < 0.025:  # closed without a fix
            res = rng.choice([Resolution.NOT_OURS, Resolution.UNFIXABLE])
            case.state, case.resolution, case.closed_at = State.CLOSED, res, t
            ev(
                case,
                t,
                Action.CLOSE,
                State.IN_PROGRESS,
                State.CLOSED,
                office,
                str(Resolution(res).label),
            )
            continue
        case.state, case.handled_at, case.handled_by_id = State.HANDLED, t, liaison
        ev(case, t, Action.HANDLE, State.IN_PROGRESS, State.HANDLED, liaison, "已处置完毕")
        verifier = rng.choice(verifiers) if verifiers else office
        t = t + timedelta(hours=rng.uniform(1, 20))
        if t > now:
            continue
        if rng.random() < 0.12:
            case.state, case.rework_count = State.REWORK, 1
            ev(
                case,
                t,
                Action.REWORK,
                State.HANDLED,
                State.REWORK,
                verifier,
                "现场仍有问题，整改不彻底",
            )
            t = t + timedelta(hours=rng.uniform(2, 30))
            if t > now:
                continue
            case.state, case.handled_at = State.HANDLED, t
            ev(case, t, Action.HANDLE, State.REWORK, State.HANDLED, liaison, "已重新整改")
            t = t + timedelta(hours=rng.uniform(1, 20))
            if t > now:
                continue
        case.state, case.verified_at = State.VERIFIED, t
        ev(case, t, Action.VERIFY, State.HANDLED, State.VERIFIED, verifier, "现场核查通过")
        t = t + timedelta(hours=rng.uniform(0.5, 24))
        if t > now:
            continue
        case.state, case.resolution, case.closed_at = State.CLOSED, Resolution.FIXED, t
        ev(case, t, Action.CLOSE, State.VERIFIED, State.CLOSED, office)
        if case.source in (Source.CITIZEN, Source.HOTLINE) and rng.random() < 0.6:
            t = t + timedelta(hours=rng.uniform(1, 72))
            if t <= now:
                case.state = State.RATED
                rated_cases.append(case.pk)
                ev(case, t, Action.RATE, State.CLOSED, State.RATED, None)
    for case in cases:
        if case.unit_id and not case.unit_path:
            case.unit_path = paths.get(case.unit_id, "")
    Case.objects.bulk_update(cases, fields, batch_size=500)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    Extension.objects.bulk_create(extensions)
    # ratings: mostly satisfied
    reports = list(Report.objects.filter(case_id__in=rated_cases).order_by("id"))
    for r in reports:
        r.rating = rng.choices([5, 4, 3, 2, 1], [55, 25, 10, 6, 4])[0]
        r.rated_at = now
    Report.objects.bulk_update(reports, ["rating", "rated_at"], batch_size=500)
    by_case: dict[int, list[int]] = {}
    for r in reports:
        by_case.setdefault(r.case_id, []).append(r.rating)  # type: ignore[arg-type]
    rated = [Case(pk=pk, rating=round(sum(v) / len(v))) for pk, v in by_case.items()]
    Case.objects.bulk_update(rated, ["rating"], batch_size=500)
    # unread notifications for the demo logins, so the navbar badge shows
    notes = []
    for case in cases[-400:]:
        url = reverse("cases:detail", args=[case.pk])
        if case.state == State.DISPATCHED:
            user = _liaison_for(case.unit_id, users, parents)
            if user:
                notes.append(
                    Notification(
                        user_id=user, topic="cases", url=url, text=f"新派遣案件 {case.number}"
                    )
                )
        elif case.state == State.HANDLED and office:
            notes.append(
                Notification(
                    user_id=office,
                    topic="cases",
                    url=url,
                    text=f"案件 {case.number} 已处置，待核查",
                )
            )
    Notification.objects.bulk_create(notes)


def _photos(city: City, rng: random.Random) -> None:
    """Before/after photos for a sample of cases, drawn locally and stored like uploads."""
    sample = list(
        Case.objects.filter(city=city).exclude(state=State.REJECTED).order_by("-id")[:400]
    )
    rng.shuffle(sample)
    for case in sample[:40]:
        services.save_photo(case, check_photo(_photo(rng, after=False)), PhotoKind.BEFORE)
        if case.handled_at is not None:
            services.save_photo(case, check_photo(_photo(rng, after=True)), PhotoKind.AFTER)
