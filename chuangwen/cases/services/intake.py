"""Intake from every channel (form, 随手拍, 12345, Open311 …), one report or many: validate,
locate, apply the category defaults, link duplicates (并单), write cases, reports, events, audit."""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import IO, Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit
from chuangwen.core.bulk import bulk_insert
from chuangwen.core.errors import InvalidInput, NotFound, PermissionDenied, ServiceError
from chuangwen.core.geo import Coordinate, to_wgs84
from chuangwen.core.models import AuditEvent
from chuangwen.core.text import is_mobile
from chuangwen.org.actors import actor_scope, actor_user, is_public, require_office
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Grid, Person, Unit
from chuangwen.org.scope import Scope
from chuangwen.org.services import locate_points
from chuangwen.sites.places import describe_many

from .. import dedupe
from ..choices import MERGEABLE, Action, Channel, PhotoKind, Source, State
from ..models import Case, CaseEvent, Category, Report
from ..photos import check_photo
from .addresses import AddressBook
from .common import _bump_counts, new_tracking_code, save_photo
from .configuration import duplicate_settings

MAX_DESCRIPTION = 4000  # the Open311 (GeoReport v2) limit of a description
INTAKE_ROLES = {
    Role.OFFICE_ADMIN,
    Role.INSPECTOR,
    Role.GRID_WORKER,
    Role.UNIT_LIAISON,
    Role.CITIZEN,
    Role.VOLUNTEER,
}
_SOURCES = frozenset(Source.values)

# The source follows from the channel, and on the staff form / JSON API from the actor's roles
# (in this order: the first is the default). 12345 comes only from the hotline importer, 督查
# from inspections (or an inspector's own report), media and evaluation feedback only from the
# office; nobody types in an external id (工单编号): only its importer sets it.
CHANNEL_SOURCES: dict[str, tuple[str, ...]] = {
    Channel.PUBLIC: (Source.CITIZEN,),
    Channel.HOTLINE: (Source.HOTLINE,),
    Channel.INSPECTION: (Source.INSPECTION,),
    Channel.OPEN311: (Source.OPEN311,),
}
ROLE_SOURCES: dict[str, tuple[str, ...]] = {
    Role.OFFICE_ADMIN: (
        Source.INSPECTION,
        Source.PATROL,
        Source.CITIZEN,
        Source.MEDIA,
        Source.EVALUATION,
    ),
    Role.INSPECTOR: (Source.INSPECTION,),
    Role.GRID_WORKER: (Source.PATROL,),
    Role.UNIT_LIAISON: (Source.PATROL,),
    Role.CITIZEN: (Source.CITIZEN,),
    Role.VOLUNTEER: (Source.CITIZEN,),
}
EXTERNAL_ID_CHANNELS = frozenset({Channel.HOTLINE, Channel.INSPECTION})
# channels only the platform's own code may use for a person: the importer / inspections check
# their actor themselves (the office; an inspector of the plan)
_PUBLIC_CHANNELS = frozenset({Channel.PUBLIC, Channel.OPEN311})


@dataclass
class IntakeData:
    """One report as it arrives from any channel (form, 随手拍, 12345, Open311 …)."""

    source: str = ""  # empty: the default for the channel and the actor's role
    description: str = ""
    category: Category | str | None = None  # a Category or its code (Open311 service_code)
    lon: Coordinate = None
    lat: Coordinate = None
    crs: str = "wgs84"
    address: str = ""
    external_id: str = ""
    reporter_name: str = ""
    reporter_phone: str = ""
    reporter_email: str = ""
    reporter: Person | None = None
    photos: Sequence[IO[bytes] | bytes] = ()
    reported_at: datetime | None = None
    indicator_id: int | None = None


@dataclass
class IntakeResult:
    case: Case
    report: Report
    merged: bool  # attached to an existing open case (并单) instead of opening a new one


@dataclass
class _Prepared:
    data: IntakeData
    category: Category | None
    lon: float | None
    lat: float | None
    reported_at: datetime
    photos: list = field(default_factory=list)
    grid_id: int | None = None
    area_unit_id: int | None = None
    place: str = ""


def _category_map(city_id: int) -> dict[Any, Category]:
    cats = Category.objects.filter(city_id=city_id, active=True).select_related("department")
    out: dict[Any, Category] = {}
    for c in cats:
        out[c.code] = c
        out[c.pk] = c
    return out


def _prepare(item: IntakeData, categories: dict[Any, Category], now: datetime) -> _Prepared:
    description = (item.description or "").strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidInput(_("问题描述不能超过 %(n)d 字") % {"n": MAX_DESCRIPTION}, code="too_long")
    item.description = description
    item.address = (item.address or "").strip()[:300]
    category = None
    if item.category is not None and item.category != "":
        key = item.category.pk if isinstance(item.category, Category) else item.category
        category = categories.get(key)
        if category is None:
            raise InvalidInput(
                _("案件类别「%(c)s」不存在或已停用") % {"c": item.category}, code="bad_category"
            )
    lon = lat = None
    if item.lon not in (None, "") or item.lat not in (None, ""):
        lon, lat = to_wgs84(item.lon, item.lat, item.crs)
    if lon is None and not item.address and not description:
        raise InvalidInput(_("请提供问题位置（坐标或地址）或描述"), code="required")
    phone = re.sub(r"[\s-]", "", item.reporter_phone or "")
    if phone and not (is_mobile(phone) or re.fullmatch(r"\d{7,12}", phone)):
        raise InvalidInput(_("联系电话「%(p)s」格式不正确") % {"p": phone}, code="bad_phone")
    item.reporter_phone = phone
    reported_at = item.reported_at or now
    if reported_at > now + timedelta(minutes=5):
        raise InvalidInput(_("上报时间不能晚于当前时间"), code="bad_time")
    photos = [check_photo(p) for p in item.photos]
    return _Prepared(item, category, lon, lat, reported_at, photos)


def suggest_unit(
    category: Category | None, area_unit_id: int | None
) -> tuple[int | None, Unit | None]:
    """条块 rule: 部件 先属主、后属地 (the asset's owner department first), 事件 先属地、后属主
    (the grid's 块 unit first). Returns (unit_id, the department when it was chosen)."""
    dept = category.department if category is not None else None
    if dept is not None and category is not None and category.owner_first:
        return dept.pk, dept
    if area_unit_id is not None:
        return area_unit_id, None
    if dept is not None:
        return dept.pk, dept
    return None, None


def allowed_sources(*, acting_user: Any, channel: str = Channel.FORM) -> tuple[str, ...]:
    """The sources ``acting_user`` may file through ``channel``, the default first (the staff
    form offers these). The system may file any source through the form channel."""
    if channel not in Channel.values:
        raise InvalidInput(_("上报渠道无效"), code="bad_channel")
    if channel in CHANNEL_SOURCES:
        return CHANNEL_SOURCES[channel]
    return sources_for_scope(actor_scope(acting_user))


def sources_for_scope(scope: Scope | None) -> tuple[str, ...]:
    """``allowed_sources`` of the staff form for a scope already read: empty for a role that
    may not report at all (a leader), so pages offer the report button only when it works."""
    if scope is None:
        return tuple(Source.values)
    allowed = {s for role in scope.roles for s in ROLE_SOURCES.get(role, ())}
    return tuple(s for s in Source.values if s in allowed)


def _check_intake_actor(acting_user: Any, scope: Scope | None, city: City, channel: str) -> None:
    if scope is None:
        return
    if channel in _PUBLIC_CHANNELS:
        if not is_public(acting_user):
            raise PermissionDenied(_("公众渠道只受理公众上报"))
        return
    if scope.city_id != city.pk or not scope.roles & INTAKE_ROLES:
        raise PermissionDenied(_("无权在本城市上报问题"))


def _check_source(item: IntakeData, allowed: tuple[str, ...], channel: str, system: bool) -> None:
    """Fill in the default source, refuse one the actor may not claim and an external id
    typed in anywhere but its importer (a 工单编号 would block the real work order later)."""
    if not item.source and allowed:
        item.source = allowed[0]
    if item.source not in _SOURCES:
        raise InvalidInput(_("来源「%(s)s」无效") % {"s": item.source}, code="bad_source")
    if item.source not in allowed:
        raise InvalidInput(
            _("您不能以「%(s)s」为来源上报（可选：%(a)s）")
            % {
                "s": Source(item.source).label,
                "a": "、".join(str(Source(s).label) for s in allowed),
            },
            code="source_not_allowed",
        )
    if (item.external_id or "").strip() and not system and channel not in EXTERNAL_ID_CHANNELS:
        raise InvalidInput(
            _("外部编号（工单编号）只能由对应的导入功能写入，上报时请勿填写"),
            code="external_id_not_allowed",
        )


def intake_case(
    city: City, data: IntakeData, *, acting_user: Any, channel: str = Channel.FORM
) -> IntakeResult:
    """Take one report in: locate it, apply the category's defaults, check for a duplicate
    (then attach to the existing case, 并单), write the case, report, event and audit rows.

    ``channel`` is how it arrived (the staff form / API by default; the public page, the 12345
    importer, inspections and Open311 name theirs): with the actor's roles it decides which
    sources may be claimed and whether an external id may be set."""
    return intake_cases(city, [data], acting_user=acting_user, channel=channel)[0]


@transaction.atomic
def intake_cases(
    city: City,
    items: Sequence[IntakeData],
    *,
    acting_user: Any,
    channel: str = Channel.FORM,
    check_duplicates: bool = True,
) -> list[IntakeResult]:
    """Batch intake: the same validation, grid lookup, defaults and duplicate check as
    ``intake_case`` for many reports at once (imports, Open311 bulk, the benchmark)."""
    scope = actor_scope(acting_user)
    _check_intake_actor(acting_user, scope, city, channel)
    sources = allowed_sources(acting_user=acting_user, channel=channel)
    user = actor_user(acting_user)
    user_id = user.pk if user is not None else None
    reporter_person = None
    if scope is not None and scope.roles <= {Role.CITIZEN, Role.VOLUNTEER}:
        reporter_person = scope.person_id
    now = timezone.now()
    categories = _category_map(city.pk)
    prepared: list[_Prepared] = []
    for i, item in enumerate(items):
        try:
            _check_source(item, sources, channel, scope is None)
            prepared.append(_prepare(item, categories, now))
        except ServiceError as exc:
            if len(items) == 1:
                raise
            raise InvalidInput(
                _("第 %(n)d 条：%(m)s") % {"n": i + 1, "m": exc.message}, code=exc.code
            ) from exc

    # point → grid (vectorised), address → grid/unit
    located = [p for p in prepared if p.lon is not None]
    if located:
        hits = locate_points(city, [(p.lon, p.lat) for p in located])  # type: ignore[misc]
        for p, hit in zip(located, hits, strict=True):
            if hit is not None:
                p.grid_id, p.area_unit_id = hit.grid_id, hit.unit_id
        places = describe_many(city.pk, [(p.lon, p.lat) for p in located])  # type: ignore[misc]
        for p, text in zip(located, places, strict=True):
            p.place = text[:300]
    book = None
    for p in prepared:
        if p.grid_id is None and p.data.address:
            book = book or AddressBook(city.pk)
            p.grid_id, unit_id = book.match(p.data.address)
            p.area_unit_id = unit_id
    grid_units: dict[int, int] = {}
    need_grids = {p.grid_id for p in prepared if p.grid_id and p.area_unit_id is None}
    if need_grids:
        grid_units = dict(Grid.objects.filter(pk__in=need_grids).values_list("pk", "unit_id"))
        for p in prepared:
            if p.grid_id and p.area_unit_id is None:
                p.area_unit_id = grid_units.get(p.grid_id)
    unit_ids = {p.area_unit_id for p in prepared if p.area_unit_id}
    paths = dict(Unit.objects.filter(pk__in=unit_ids).values_list("pk", "path")) if unit_ids else {}

    # duplicate candidates: one indexed query over (city, category, cell, reported_at)
    rule = duplicate_settings(city.pk)
    pool = dedupe.CandidatePool(rule.radius_m, rule.similarity)
    window = timedelta(days=rule.days)
    dup_items = [p for p in prepared if p.lon is not None and p.category is not None]
    if check_duplicates and dup_items:
        dedupe.lock_cells(  # serialises 并单 with concurrent intakes nearby
            city.pk,
            [(p.category.pk, p.lon, p.lat) for p in dup_items],  # type: ignore[union-attr,misc]
            rule.radius_m,
        )
        since = min(p.reported_at for p in dup_items) - window
        wanted = dedupe.wanted_cells(
            ((p.category.pk, p.lon, p.lat) for p in dup_items),  # type: ignore[union-attr,misc]
            rule.radius_m,
        )
        for chunk in dedupe.pair_chunks(wanted):
            pairs = Q()
            for category_id, cells in chunk:
                pairs |= Q(category_id=category_id, cell__in=cells)
            rows = Case.objects.filter(
                pairs, city_id=city.pk, reported_at__gte=since, state__in=MERGEABLE
            ).values_list("pk", "category_id", "lon", "lat", "description", "reported_at")
            pool.extend(dedupe.Candidate(*row) for row in rows)  # type: ignore[arg-type]

    new_cases: list[Case] = []
    reports: list[Report] = []
    merged_into: list[tuple[Report, Any, _Prepared]] = []  # (report, case or pk, item)
    results: list[tuple[Report, Any, bool]] = []
    counts: Counter = Counter()
    for p in prepared:
        d = p.data
        match = None
        if check_duplicates and p.lon is not None and p.category is not None:
            match = pool.match(p.category.pk, p.lon, p.lat, d.description)  # type: ignore[arg-type]
            if match is not None and match.reported_at < p.reported_at - window:  # type: ignore[operator]
                match = None
        report = Report(
            city_id=city.pk,
            source=d.source,
            tracking_code=new_tracking_code(),
            description=d.description,
            address=d.address,
            lon=p.lon,
            lat=p.lat,
            external_id=(d.external_id or "")[:64],
            reporter_name=(d.reporter_name or "").strip()[:50],
            reporter_phone=d.reporter_phone,
            reporter_email=(d.reporter_email or "").strip()[:100],
            reporter_id=d.reporter.pk if d.reporter is not None else reporter_person,
            reported_at=p.reported_at,
        )
        reports.append(report)
        if match is not None:
            target = match.key
            if isinstance(target, Case):
                target.report_count += 1
            merged_into.append((report, target, p))
            results.append((report, target, True))
            continue
        unit_id, _dept = suggest_unit(p.category, p.area_unit_id)
        unit_path = ""
        if unit_id is not None:
            unit_path = paths.get(unit_id) or (_dept.path if _dept is not None else "")
        case = Case(
            city_id=city.pk,
            source=d.source,
            category=p.category,
            indicator_id=d.indicator_id,
            description=d.description,
            address=d.address,
            lon=p.lon,
            lat=p.lat,
            place=p.place,
            cell=dedupe.cell_of(p.lon, p.lat) if p.lon is not None and p.lat is not None else None,
            grid_id=p.grid_id,
            area_unit_id=p.area_unit_id,
            area_path=paths.get(p.area_unit_id, "") if p.area_unit_id else "",
            unit_id=unit_id,
            unit_path=unit_path,
            state=State.REPORTED,
            external_id=(d.external_id or "")[:64],
            reported_at=p.reported_at,
            created_by=user,
            report_count=1,
        )
        new_cases.append(case)
        counts[(unit_id or 0, State.REPORTED)] += 1
        results.append((report, case, False))
        if check_duplicates and p.lon is not None and p.category is not None:
            pool.add(
                dedupe.Candidate(case, p.category.pk, p.lon, p.lat, d.description, p.reported_at)  # type: ignore[arg-type]
            )

    bulk_insert(Case, new_cases)
    existing_merges: Counter = Counter()
    for report, target, _p in merged_into:
        if isinstance(target, Case):
            report.case = target
        else:
            report.case_id = target
            existing_merges[target] += 1
    for report, target, merged in results:
        if not merged:
            report.case = target
    bulk_insert(Report, reports)
    for case_id, n in existing_merges.items():
        Case.objects.filter(pk=case_id).update(report_count=F("report_count") + n)

    events: list[dict] = []
    audits: list[dict] = []
    for report, target, merged in results:
        case_id = report.case_id
        data = {"report": report.pk, "source": report.source}
        if merged:
            events.append(
                {
                    "case_id": case_id,
                    "at": report.reported_at,
                    "actor_id": user_id,
                    "action": Action.MERGED,
                    "note": _("并单：新的上报 %(code)s") % {"code": report.tracking_code},
                    "data": data,
                }
            )
            audit_code, summary = "cases.case.merged", report.tracking_code
        else:
            events.append(
                {
                    "case_id": case_id,
                    "at": report.reported_at,
                    "actor_id": user_id,
                    "action": Action.INTAKE,
                    "to_state": State.REPORTED,
                    "data": data,
                }
            )
            audit_code, summary = "cases.case.reported", report.description[:100]
        audits.append(
            {
                "city_id": city.pk,
                "actor_id": user_id,
                "code": audit_code,
                "object_type": "cases.case",
                "object_id": str(case_id),
                "summary": summary,
                "after": {**data, "unit": target_unit(target)},
            }
        )
    bulk_insert(CaseEvent, events)
    bulk_insert(AuditEvent, audits)
    _bump_counts(city.pk, counts)

    out = []
    case_by_id: dict[int, Case] = {c.pk: c for c in new_cases}
    missing = {r.case_id for r, _t, m in results if m and r.case_id not in case_by_id}
    if missing:
        case_by_id.update(Case.objects.in_bulk(list(missing)))
    for (report, _t, merged), p in zip(results, prepared, strict=True):
        case = case_by_id[report.case_id]
        for photo in p.photos:
            save_photo(case, photo, PhotoKind.BEFORE, report=report, user=user)
        out.append(IntakeResult(case, report, merged))
    return out


def target_unit(target: Any) -> int | None:
    return target.unit_id if isinstance(target, Case) else None


@transaction.atomic
def reveal_reporter_phone(report: Report | int, *, reason: str = "", acting_user: Any) -> str:
    """The reporter's full phone number for a follow-up call (回访): the office only, and every
    reveal is written to the audit trail (who, when, which report, why)."""
    pk = report if isinstance(report, int) else report.pk
    found = Report.objects.select_related("reporter", "case").filter(pk=pk).first()
    if found is None:
        raise NotFound()
    require_office(acting_user, found.city_id)
    phone = found.reporter_phone or (found.reporter.phone if found.reporter else "")
    if not phone:
        raise InvalidInput(_("该上报没有留下联系电话"), code="no_phone")
    audit.record(
        "cases.report.reveal_phone",
        found,
        actor=acting_user,
        after={"case": found.case_id, "reason": reason.strip()[:200]},
        summary=_("查看上报人完整电话（案件 %(n)s）") % {"n": found.case.number},
    )
    return phone
