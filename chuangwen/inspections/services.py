"""Every write of inspections: plans and their recorded sampling, check results (idempotent by
the phone's UUID; a failed check becomes a case), notices, meetings and action items.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for management commands and the demo builder).
"""

import base64
import binascii
import secrets
import uuid as uuidlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases import services as case_services
from chuangwen.cases.choices import OPEN, Channel, Source, State
from chuangwen.cases.models import Case, Category
from chuangwen.cases.photos import check_photo
from chuangwen.core import audit
from chuangwen.core.errors import (
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from chuangwen.core.geo import to_wgs84
from chuangwen.indicators.choices import CityTitle, SystemKind, SystemStatus
from chuangwen.indicators.models import CheckItem, EvaluationSystem
from chuangwen.org.actors import SYSTEM, SystemActor, actor_scope, actor_user, require_office
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Person, Unit
from chuangwen.org.scope import Scope
from chuangwen.sites.places import describe_text

from . import sampling
from .choices import (
    ACTION_TRANSITIONS,
    OPEN_FOR_CHECKS,
    PLAN_TRANSITIONS,
    ActionStatus,
    MeetingKind,
    NoticeStatus,
    PlanKind,
    PlanStatus,
)
from .models import (
    ActionItem,
    CheckPhoto,
    CheckResult,
    InspectionPlan,
    Meeting,
    Notice,
    NoticeCounter,
    PlanSample,
)
from .scoring import score_observation

PLAN_FIELDS = ["kind", "title", "status", "seed", "sample_sizes", "stratify", "system"]
MAX_PHOTOS = 6
CHECK_ROLES = {Role.OFFICE_ADMIN, Role.INSPECTOR}


# --- who may act: the role checks the services below run, for pages to offer only the
# buttons that would pass (``None`` is the system)


def may_check(scope: Scope | None, plan: InspectionPlan | None = None) -> bool:
    """Submit check results (to ``plan`` when given: it must be open for checks)."""
    if plan is not None and plan.status not in OPEN_FOR_CHECKS:
        return False
    return scope is None or (
        (plan is None or scope.city_id == plan.city_id) and scope.has_role(*CHECK_ROLES)
    )


def may_acknowledge(scope: Scope | None, notice: Notice) -> bool:
    """签收 a notice: a liaison of its unit (or above), or the office (the service also
    wants it still issued)."""
    if scope is None:
        return True
    return (
        scope.city_id == notice.city_id
        and (scope.write_all or scope.has_role(Role.UNIT_LIAISON))
        and (scope.see_all or scope.covers_path(notice.unit_path))
    )


def may_update_action(scope: Scope | None, item: ActionItem) -> bool:
    """Report progress on / finish a meeting's action item: its unit or the office."""
    if scope is None:
        return True
    return scope.city_id == item.city_id and (scope.write_all or scope.covers_path(item.unit_path))


def _transition(plan: InspectionPlan, to: str) -> None:
    if to not in PLAN_TRANSITIONS[PlanStatus(plan.status)]:
        raise InvalidTransition(
            _("计划当前状态为「%(plan_status_label)s」，不能变为「%(to_label)s」")
            % {"plan_status_label": PlanStatus(plan.status).label, "to_label": PlanStatus(to).label}
        )


# --- plans and sampling ----------------------------------------------------------------------


def active_system(city: City | int, kind: str = SystemKind.MAIN) -> EvaluationSystem | None:
    city_id = city if isinstance(city, int) else city.pk
    return EvaluationSystem.objects.filter(
        city_id=city_id, kind=kind, title=CityTitle.CIVILIZED, status=SystemStatus.ACTIVE
    ).first()


def _clean_sizes(system: EvaluationSystem, sizes: dict[str, Any]) -> dict[str, int]:
    known = set(CheckItem.objects.filter(system=system).values_list("site_type__code", flat=True))
    from chuangwen.indicators.models import SiteType

    codes = set(SiteType.objects.filter(city_id=system.city_id).values_list("code", flat=True))
    out = {}
    for code, n in (sizes or {}).items():
        if code not in codes:
            raise InvalidInput(
                _("点位类型「%(code)s」不存在") % {"code": code}, code="bad_site_type"
            )
        try:
            value = int(n)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(
                _("「%(code)s」的抽样数量必须是整数") % {"code": code}, code="bad_size"
            ) from exc
        if value < 0:
            raise InvalidInput(
                _("「%(code)s」的抽样数量不能为负数") % {"code": code}, code="bad_size"
            )
        if value and code not in known:
            raise InvalidInput(
                _("点位类型「%(code)s」在该测评体系中没有检查项") % {"code": code},
                code="no_checklist",
            )
        if value:
            out[code] = value
    if not out:
        raise InvalidInput(_("请至少为一个点位类型设置抽样数量"), code="sizes_required")
    return out


@transaction.atomic
def create_plan(
    city: City,
    *,
    kind: str,
    title: str,
    sample_sizes: dict[str, Any],
    system: EvaluationSystem | None = None,
    seed: int | None = None,
    stratify: bool = True,
    starts_on: date | None = None,
    ends_on: date | None = None,
    auto_dispatch: bool = True,
    rectify_days: int = 7,
    inspectors: Iterable[Person] = (),
    note: str = "",
    acting_user: Any,
) -> InspectionPlan:
    require_office(acting_user, city.pk)
    if kind not in PlanKind.values:
        raise InvalidInput(_("计划类型「%(kind)s」无效") % {"kind": kind}, code="bad_kind")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("计划名称不能为空"), code="required")
    system = system or active_system(city)
    if system is None or system.city_id != city.pk:
        raise InvalidInput(_("本市没有启用的测评体系"), code="no_system")
    if starts_on and ends_on and ends_on < starts_on:
        raise InvalidInput(_("结束日期不能早于开始日期"), code="bad_dates")
    plan = InspectionPlan.objects.create(
        city=city,
        kind=kind,
        title=title[:200],
        system=system,
        seed=seed if seed is not None else secrets.randbelow(2**31),
        sample_sizes=_clean_sizes(system, sample_sizes),
        stratify=stratify,
        starts_on=starts_on,
        ends_on=ends_on,
        auto_dispatch=auto_dispatch,
        rectify_days=max(1, int(rectify_days)),
        note=note,
        created_by=actor_user(acting_user),
    )
    plan.inspectors.set(list(inspectors))
    audit.record(
        "inspections.plan.created",
        plan,
        actor=acting_user,
        after=audit.snapshot(plan, PLAN_FIELDS),
        summary=plan.title,
    )
    return plan


@transaction.atomic
def sample_plan(plan: InspectionPlan, *, acting_user: Any) -> list[PlanSample]:
    """Draw the plan's sites (stratified, from its seed) and record the draw. A plan may be
    re-drawn until the first check result arrives."""
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    require_office(acting_user, plan.city_id)
    _transition(plan, PlanStatus.SAMPLED)
    if plan.results.exists():
        raise InvalidTransition(_("已有检查结果，不能重新抽样"))
    draws, record = sampling.draw(plan.city_id, plan.seed, plan.sample_sizes, plan.stratify)
    if not draws:
        raise InvalidInput(_("没有可抽取的点位（请先录入点位）"), code="no_sites")
    before = {"sampled": plan.samples.count()}
    plan.samples.all().delete()
    rows = PlanSample.objects.bulk_create(
        [
            PlanSample(
                plan=plan,
                site_id=d.site_id,
                site_type_id=d.site_type_id,
                district_id=d.district_id,
                stratum=d.stratum,
                rank=d.rank,
            )
            for d in draws
        ],
        batch_size=500,
    )
    record["drawn_at"] = timezone.now().isoformat()
    plan.sampling, plan.status, plan.sampled_at = record, PlanStatus.SAMPLED, timezone.now()
    plan.save(update_fields=["sampling", "status", "sampled_at", "updated_at"])
    audit.record(
        "inspections.plan.sampled",
        plan,
        actor=acting_user,
        before=before,
        after={"seed": plan.seed, "sampled": len(rows), "algorithm": record["algorithm"]},
        summary=f"{plan.title}：抽取 {len(rows)} 个点位",
    )
    return rows


def verify_sampling(plan: InspectionPlan) -> bool | None:
    """Re-run the draw from the recorded seed and sizes; True when it gives the stored sample.
    (Sites added or retired since the draw change the population, and the answer says so.)
    None when the sample was drawn by an older version of the algorithm: this one cannot
    re-draw it, which says nothing about the sites."""
    if (plan.sampling or {}).get("algorithm", sampling.ALGORITHM) != sampling.ALGORITHM:
        return None
    draws, record = sampling.draw(plan.city_id, plan.seed, plan.sample_sizes, plan.stratify)
    stored = set(plan.samples.values_list("site_id", "stratum", "rank"))
    same_population = record["types"] == (plan.sampling or {}).get("types")
    return same_population and stored == {(d.site_id, d.stratum, d.rank) for d in draws}


@transaction.atomic
def close_plan(plan: InspectionPlan, *, acting_user: Any) -> InspectionPlan:
    plan = InspectionPlan.objects.select_for_update().get(pk=plan.pk)
    require_office(acting_user, plan.city_id)
    _transition(plan, PlanStatus.CLOSED)
    before = plan.status
    plan.status = PlanStatus.CLOSED
    plan.save(update_fields=["status", "updated_at"])
    audit.record(
        "inspections.plan.closed",
        plan,
        actor=acting_user,
        before={"status": before},
        after={"status": plan.status},
        summary=plan.title,
    )
    return plan


def checklist(plan: InspectionPlan, sample: PlanSample) -> list[CheckItem]:
    """The check items of the sampled site's type in the plan's evaluation system."""
    return list(
        CheckItem.objects.filter(
            system_id=plan.system_id, site_type_id=sample.site_type_id, retired=False
        )
        .prefetch_related("standards")
        .order_by("sort", "code")
    )


# --- check results ---------------------------------------------------------------------------


@dataclass
class CheckData:
    """One answer from the check page (or the API): the phone's UUID makes it idempotent."""

    uuid: str | uuidlib.UUID
    sample_id: int
    check_item_id: int
    passed: bool | None = None
    value: float | None = None
    missing: int | None = None
    count: int | None = None
    total: int | None = None
    duration_min: float | None = None
    lon: Any = None
    lat: Any = None
    crs: str = "wgs84"
    note: str = ""
    observed_at: datetime | None = None
    photos: Sequence[bytes] = ()
    category_id: int | None = None
    category_code: str = ""  # the category by its code (the check page's picker), if no id
    raise_case: bool = True


@dataclass
class SubmitResult:
    result: CheckResult
    created: bool  # False: the same UUID was already stored (a resend), nothing changed


def decode_photo(data: str) -> bytes:
    """A photo sent by the phone as a data URL or plain base64."""
    if "," in data[:100] and data.startswith("data:"):
        data = data.split(",", 1)[1]
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidInput(_("照片编码错误"), code="bad_photo") from exc


def _parse_uuid(value: Any) -> uuidlib.UUID:
    try:
        return value if isinstance(value, uuidlib.UUID) else uuidlib.UUID(str(value))
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(_("观测编号（UUID）无效"), code="bad_uuid") from exc


def _existing(uid: uuidlib.UUID, city_id: int) -> CheckResult | None:
    row = CheckResult.objects.filter(uuid=uid).first()
    if row is not None and row.city_id != city_id:
        raise NotFound()
    return row


def _category_for(city_id: int, item: CheckItem, standard_id: int | None) -> Category | None:
    if standard_id is None:
        return None
    return (
        Category.objects.filter(city_id=city_id, active=True, indicators__id=standard_id)
        .order_by("family", "major_code", "minor_code")
        .first()
    )


def submit_check(plan: InspectionPlan, data: CheckData, *, acting_user: Any) -> SubmitResult:
    """Store one observation once (by its UUID); a failed check becomes a case (source 督查,
    the standard, the site, the photos) registered and dispatched by the case rules."""
    uid = _parse_uuid(data.uuid)
    found = _existing(uid, plan.city_id)
    if found is not None:
        return SubmitResult(found, False)
    try:
        with transaction.atomic():
            return SubmitResult(_submit(plan, uid, data, acting_user=acting_user), True)
    except IntegrityError:
        # the same UUID arrived twice at once: the other request stored it
        found = _existing(uid, plan.city_id)
        if found is None:
            raise
        return SubmitResult(found, False)


def _submit(
    plan: InspectionPlan, uid: uuidlib.UUID, data: CheckData, *, acting_user: Any
) -> CheckResult:
    plan = InspectionPlan.objects.select_related("city").get(pk=plan.pk)
    scope = actor_scope(acting_user)
    if scope is not None:
        if scope.city_id != plan.city_id:
            raise NotFound()
        if not may_check(scope):
            raise PermissionDenied(_("只有督查员或创建办可以提交检查结果"))
    if plan.status not in OPEN_FOR_CHECKS:
        raise InvalidTransition(
            _("计划当前状态为「%(plan_status_label)s」，不能提交检查结果")
            % {"plan_status_label": PlanStatus(plan.status).label}
        )
    sample = (
        PlanSample.objects.select_related("site", "site__owner")
        .filter(pk=data.sample_id, plan=plan)
        .first()
    )
    if sample is None:
        raise InvalidInput(_("该点位不在本计划的抽样中"), code="bad_sample")
    item = (
        CheckItem.objects.filter(
            pk=data.check_item_id, system_id=plan.system_id, site_type_id=sample.site_type_id
        )
        .prefetch_related("standards")
        .first()
    )
    if item is None:
        raise InvalidInput(_("检查项不属于该点位类型"), code="bad_item")
    scored = score_observation(
        item,
        passed=data.passed,
        value=data.value,
        missing=data.missing,
        count=data.count,
        total=data.total,
    )
    lon = lat = None
    if data.lon not in (None, "") and data.lat not in (None, ""):
        lon, lat = to_wgs84(data.lon, data.lat, data.crs)
    if len(data.photos) > MAX_PHOTOS:
        raise InvalidInput(
            _("每项最多 %(max_photos)s 张照片") % {"max_photos": MAX_PHOTOS}, code="too_many_photos"
        )
    checked = [check_photo(p) for p in data.photos]
    now = timezone.now()
    observed_at = data.observed_at or now
    if observed_at > now + timedelta(minutes=5):
        raise InvalidInput(_("观测时间不能晚于当前时间"), code="bad_time")
    standards = sorted(s.pk for s in item.standards.all())
    site = sample.site
    person = (
        Person.objects.filter(pk=scope.person_id).first() if scope and scope.person_id else None
    )
    result = CheckResult.objects.create(
        city_id=plan.city_id,
        uuid=uid,
        plan=plan,
        sample=sample,
        site=site,
        check_item=item,
        standard_id=standards[0] if standards else None,
        inspector=person,
        observed_at=observed_at,
        passed=scored.passed,
        value=scored.value,
        missing=scored.missing,
        count=data.count,
        total=data.total,
        duration_min=data.duration_min,
        score=scored.score,
        failed=scored.failed,
        lon=lon,
        lat=lat,
        place=describe_text(plan.city_id, lon, lat)[:300],
        note=(data.note or "").strip()[:2000],
        created_by=actor_user(acting_user),
    )
    for photo in checked:
        CheckPhoto(result=result, exif_lon=photo.lon, exif_lat=photo.lat).store(photo)
    if plan.status == PlanStatus.SAMPLED:
        InspectionPlan.objects.filter(pk=plan.pk, status=PlanStatus.SAMPLED).update(
            status=PlanStatus.IN_PROGRESS, updated_at=now
        )
    if scored.failed and data.raise_case:
        result.case = _raise_case(plan, result, item, data, acting_user=acting_user)
        result.save(update_fields=["case", "updated_at"])
    audit.record(
        "inspections.check.submitted",
        result,
        actor=acting_user,
        after={
            "uuid": str(uid),
            "site": site.pk,
            "check_item": item.pk,
            "score": scored.score,
            "case": result.case_id,
        },
        summary=f"{site.name}：{item.code} 得分率 {scored.score:.2f}",
    )
    return result


def _raise_case(
    plan: InspectionPlan,
    result: CheckResult,
    item: CheckItem,
    data: CheckData,
    *,
    acting_user: Any,
) -> Case:
    site = result.site
    category = None
    if data.category_id or data.category_code:
        chosen = {"pk": data.category_id} if data.category_id else {"code": data.category_code}
        category = Category.objects.filter(city_id=plan.city_id, active=True, **chosen).first()
        if category is None:
            raise InvalidInput(_("案件类别不存在或已停用"), code="bad_category")
    category = category or _category_for(plan.city_id, item, result.standard_id)
    note = f"（{result.note}）" if result.note else ""
    description = f"【{plan.get_kind_display()}·{plan.title}】{site.name}：{item.text}{note}"
    intake = case_services.intake_case(
        plan.city,
        case_services.IntakeData(
            source=Source.INSPECTION,
            description=description[:2000],
            category=category,
            lon=result.lon if result.lon is not None else site.lon,
            lat=result.lat if result.lat is not None else site.lat,
            address=f"{site.name}（{site.code}）",
            photos=list(data.photos),
            reported_at=result.observed_at,
            indicator_id=result.standard_id,
            reporter=result.inspector,
            external_id=f"CHK-{result.uuid}"[:64],
        ),
        acting_user=acting_user or SYSTEM,
        channel=Channel.INSPECTION,
    )
    case = intake.case
    if plan.auto_dispatch and not intake.merged and case.state == State.REPORTED:
        # the inspector found it on the spot: the system registers it and dispatches it by the
        # case rules (grid → 块 unit, or the category's department); the site's owner is the
        # fallback when the rules name no unit
        system = SystemActor("inspections.auto_dispatch")
        case = case_services.register_case(case, acting_user=system)
        unit = None
        if case.unit_id is None:
            unit = site.owner
            if unit is None:
                return case
        deadline = None
        if case.category_id is None:
            deadline = timezone.now() + timedelta(days=plan.rectify_days)
        case = case_services.dispatch_case(
            case,
            unit=unit,
            deadline=deadline,
            note=f"督查发现：{plan.title}",
            acting_user=system,
        )
    return case


# --- notices ---------------------------------------------------------------------------------


def default_prefix(city: City) -> str:
    """发文机关代字, e.g. 示创督 for 示范市."""
    return f"{city.name[:1]}创督"


def lock_counter(city: City, prefix: str, year: int) -> NoticeCounter:
    """The 文号 counter of (city, prefix, year), locked until the transaction ends. Every
    numbered document of the office draws from it: the notices here and the bulletins
    (``assessment``), so a number is never given twice."""
    counter, _c = NoticeCounter.objects.get_or_create(city=city, prefix=prefix, year=year)
    return NoticeCounter.objects.select_for_update().get(pk=counter.pk)


def _next_number(city: City, prefix: str, year: int) -> int:
    counter = lock_counter(city, prefix, year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return counter.last


@transaction.atomic
def issue_notice(
    city: City,
    *,
    unit: Unit,
    cases: Sequence[Case],
    deadline: date,
    plan: InspectionPlan | None = None,
    prefix: str = "",
    title: str = "",
    body: str = "",
    issuer: str = "",
    acting_user: Any,
) -> Notice:
    """督查通知书 to a unit listing its cases, numbered 〔year〕N号 per prefix and year."""
    require_office(acting_user, city.pk)
    if unit.city_id != city.pk:
        raise InvalidInput(_("主送单位不属于本城市"), code="bad_unit")
    if not cases:
        raise InvalidInput(_("通知书至少要列出一个问题案件"), code="cases_required")
    for case in cases:
        if case.city_id != city.pk or not (case.unit_path or "").startswith(unit.path):
            raise InvalidInput(
                _("案件 %(case_number)s 不属于「%(unit_name)s」")
                % {"case_number": case.number, "unit_name": unit.name},
                code="bad_case",
            )
    if deadline < timezone.localdate():
        raise InvalidInput(_("整改时限不能早于今天"), code="bad_deadline")
    prefix = (prefix or default_prefix(city)).strip()[:20]
    year = timezone.localdate().year
    seq = _next_number(city, prefix, year)
    source = f"{plan.get_kind_display()}（{plan.title}）" if plan else "督查检查"
    notice = Notice.objects.create(
        city=city,
        plan=plan,
        unit=unit,
        unit_path=unit.path,
        prefix=prefix,
        year=year,
        seq=seq,
        title=(title or f"关于{source}发现问题限期整改的通知")[:200],
        body=body
        or (
            f"在{source}中发现你单位责任范围内存在以下问题，请高度重视，"
            f"于{deadline:%Y年%m月%d日}前整改到位，并将整改情况（附整改前后照片）"
            "通过创文平台反馈。逾期未整改的，将按有关规定予以通报、约谈。"
        ),
        issuer=(issuer or f"{city.name}创建全国文明城市工作指挥部办公室")[:100],
        deadline=deadline,
        issued_by=actor_user(acting_user),
    )
    notice.cases.set(list(cases))
    audit.record(
        "inspections.notice.issued",
        notice,
        actor=acting_user,
        after={"number": notice.number, "unit": unit.pk, "cases": [c.pk for c in cases]},
        summary=f"{notice.number} → {unit.name}",
    )
    return notice


def issue_notices_for_plan(
    plan: InspectionPlan, *, deadline: date, acting_user: Any
) -> list[Notice]:
    """One notice per responsible unit for the plan's open cases not yet in a notice."""
    require_office(acting_user, plan.city_id)
    noticed = set(
        Notice.cases.through.objects.filter(notice__plan=plan).values_list("case_id", flat=True)
    )
    case_ids = (
        CheckResult.objects.filter(plan=plan, case__isnull=False)
        .exclude(case_id__in=noticed)
        .values_list("case_id", flat=True)
    )
    cases = Case.objects.filter(pk__in=set(case_ids), state__in=OPEN, unit__isnull=False)
    by_unit: dict[int, list[Case]] = {}
    for case in cases.order_by("pk"):
        by_unit.setdefault(case.unit_id, []).append(case)  # type: ignore[arg-type]
    units = Unit.objects.in_bulk(list(by_unit))
    with transaction.atomic():
        return [
            issue_notice(
                plan.city,
                unit=units[unit_id],
                cases=cases_of_unit,
                deadline=deadline,
                plan=plan,
                acting_user=acting_user,
            )
            for unit_id, cases_of_unit in sorted(by_unit.items())
        ]


@transaction.atomic
def acknowledge_notice(notice: Notice, *, acting_user: Any) -> Notice:
    """签收: a liaison of the notice's unit (or above), or the office."""
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    scope = actor_scope(acting_user)
    if scope is not None:
        if scope.city_id != notice.city_id or not (
            scope.see_all or scope.covers_path(notice.unit_path)
        ):
            raise NotFound()
        if not may_acknowledge(scope, notice):
            raise PermissionDenied(_("只有主送单位的联络员可以签收"))
    if notice.status != NoticeStatus.ISSUED:
        raise InvalidTransition(_("通知书已签收"))
    notice.status = NoticeStatus.ACKNOWLEDGED
    notice.acknowledged_at, notice.acknowledged_by = timezone.now(), actor_user(acting_user)
    notice.save(update_fields=["status", "acknowledged_at", "acknowledged_by", "updated_at"])
    audit.record(
        "inspections.notice.acknowledged",
        notice,
        actor=acting_user,
        before={"status": NoticeStatus.ISSUED},
        after={"status": notice.status},
        summary=notice.number,
    )
    return notice


# --- meetings and action items ---------------------------------------------------------------


@transaction.atomic
def create_meeting(
    city: City,
    *,
    kind: str,
    title: str,
    held_at: datetime,
    location: str = "",
    agenda: str = "",
    chair: Person | None = None,
    attendees: Iterable[Person] = (),
    attendee_units: Iterable[Unit] = (),
    acting_user: Any,
) -> Meeting:
    require_office(acting_user, city.pk)
    if kind not in MeetingKind.values:
        raise InvalidInput(_("会议类型「%(kind)s」无效") % {"kind": kind}, code="bad_kind")
    title = (title or "").strip()
    if not title:
        raise InvalidInput(_("会议名称不能为空"), code="required")
    people, units = list(attendees), list(attendee_units)
    if any(p.city_id != city.pk for p in people) or any(u.city_id != city.pk for u in units):
        raise InvalidInput(_("参会人员和单位必须属于本城市"), code="bad_attendee")
    meeting = Meeting.objects.create(
        city=city,
        kind=kind,
        title=title[:200],
        held_at=held_at,
        location=location,
        agenda=agenda,
        chair=chair,
        created_by=actor_user(acting_user),
    )
    meeting.attendees.set(people)
    meeting.attendee_units.set(units)
    audit.record(
        "inspections.meeting.created",
        meeting,
        actor=acting_user,
        after={
            "kind": kind,
            "title": meeting.title,
            "held_at": held_at,
            "attendees": [p.pk for p in people],
            "units": [u.pk for u in units],
        },
        summary=meeting.title,
    )
    return meeting


@transaction.atomic
def record_minutes(meeting: Meeting, minutes: str, *, acting_user: Any) -> Meeting:
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    require_office(acting_user, meeting.city_id)
    before = meeting.minutes
    meeting.minutes = minutes or ""
    meeting.save(update_fields=["minutes", "updated_at"])
    audit.record(
        "inspections.meeting.minutes",
        meeting,
        actor=acting_user,
        before={"minutes": before[:500]},
        after={"minutes": meeting.minutes[:500]},
        summary=meeting.title,
    )
    return meeting


@transaction.atomic
def add_action_item(
    meeting: Meeting,
    *,
    text: str,
    unit: Unit,
    deadline: date,
    owner: Person | None = None,
    acting_user: Any,
) -> ActionItem:
    """A decision of the meeting → an action item with an owner unit (person) and a deadline."""
    require_office(acting_user, meeting.city_id)
    text = (text or "").strip()
    if not text:
        raise InvalidInput(_("议定事项不能为空"), code="required")
    if unit.city_id != meeting.city_id or (owner is not None and owner.city_id != meeting.city_id):
        raise InvalidInput(_("责任单位或责任人不属于本城市"), code="bad_unit")
    item = ActionItem.objects.create(
        city_id=meeting.city_id,
        meeting=meeting,
        text=text,
        unit=unit,
        unit_path=unit.path,
        owner=owner,
        deadline=deadline,
    )
    audit.record(
        "inspections.action.created",
        item,
        actor=acting_user,
        after={"meeting": meeting.pk, "unit": unit.pk, "deadline": deadline, "text": text[:200]},
        summary=text[:100],
    )
    return item


@transaction.atomic
def update_action_item(
    item: ActionItem,
    *,
    status: str | None = None,
    progress: str | None = None,
    acting_user: Any,
) -> ActionItem:
    """Report progress (the owner unit's liaison) or change the status (done / reopened by the
    unit or the office; cancelled by the office only)."""
    item = ActionItem.objects.select_for_update().get(pk=item.pk)
    scope = actor_scope(acting_user)
    if scope is not None:
        if scope.city_id != item.city_id or not (
            scope.see_all or scope.covers_path(item.unit_path)
        ):
            raise NotFound()
        if not may_update_action(scope, item):
            raise PermissionDenied(_("只有责任单位或创建办可以办理议定事项"))
        if status == ActionStatus.CANCELLED:
            require_office(acting_user, item.city_id, _("只有创建办可以取消议定事项"))
    before = audit.snapshot(item, ["status", "progress"])
    fields = ["updated_at"]
    if status is not None and status != item.status:
        if status not in ACTION_TRANSITIONS[ActionStatus(item.status)]:
            raise InvalidTransition(
                _("议定事项当前状态为「%(item_status_label)s」，不能改为「%(status)s」")
                % {"item_status_label": ActionStatus(item.status).label, "status": status}
            )
        item.status = status
        item.done_at = timezone.now() if status == ActionStatus.DONE else None
        fields += ["status", "done_at"]
    if progress is not None:
        item.progress = progress.strip()
        fields.append("progress")
    item.save(update_fields=fields)
    b, a = audit.changes(before, audit.snapshot(item, ["status", "progress"]))
    audit.record(
        "inspections.action.updated",
        item,
        actor=acting_user,
        before=b,
        after=a,
        summary=item.text[:100],
    )
    return item
