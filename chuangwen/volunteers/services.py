"""Every write of volunteer service and of the moral bank. Two sections, kept apart:
volunteers (registration, teams, activities, check-in/out, the hours ledger, records,
certificates) and the moral bank.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, ``PUBLIC`` for the
public registration page, or a ``SystemActor`` for the demo and commands).
"""

import datetime as dt
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.core import audit, crypto
from chuangwen.core.errors import InvalidInput, InvalidTransition, PermissionDenied
from chuangwen.core.geo import Coordinate, distance_m, to_wgs84
from chuangwen.core.text import is_mobile
from chuangwen.core.xlsx import ErrorCollector, Sheet, max_lengths, read_rows, write_workbook
from chuangwen.org import services as org_services
from chuangwen.org.actors import (
    SystemActor,
    actor_user,
    is_system,
    require_office,
    require_unit,
)
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import City, Person, Unit

from . import hooks, idcard
from .choices import (
    ACTIVITY_TRANSITIONS,
    DEFAULT_STAR_HOURS,
    STAR_LABELS,
    ActivityStatus,
    Channel,
    CheckAction,
    OrganiserKind,
    RecordKind,
    SignupStatus,
)
from .models import (
    Activity,
    Attendance,
    Award,
    Certificate,
    Evaluation,
    Issuer,
    RecordConsent,
    ServiceRecord,
    Signup,
    Team,
    Training,
    Volunteer,
    VolunteerSettings,
)

User = get_user_model()

# ==== volunteers ==============================================================================

REGISTRAR = SystemActor("volunteers.register")  # creates the login of a registering volunteer
ID_PURPOSE = "volunteer-id"
MAX_SKILLS, MAX_SKILL_LENGTH = 10, 20
CHECKIN_EARLY = dt.timedelta(hours=1)  # a check-in opens this long before the start
CHECKOUT_LATE = dt.timedelta(hours=12)  # a check-out closes this long after the end
MAX_ACTIVITY = dt.timedelta(days=7)
MAX_CAPACITY = 100_000
MAX_CORRECTION_MINUTES = 24 * 60
QR_SALT = "chuangwen.volunteers.checkin"
SEAL_MAX_BYTES = 2 * 1024 * 1024
VOLUNTEER_FIELDS = ["area", "skills", "active"]
ACTIVITY_FIELDS = [
    "title",
    "organiser_kind",
    "team",
    "unit",
    "place",
    "lon",
    "lat",
    "starts_at",
    "ends_at",
    "capacity",
    "status",
]


# --- settings and stars ------------------------------------------------------------------------


def settings_for(city_id: int) -> VolunteerSettings:
    """The city's volunteer settings (the defaults, unsaved, until the office saves its own)."""
    row = VolunteerSettings.objects.filter(city_id=city_id).first()
    return row or VolunteerSettings(city_id=city_id)


def _clean_star_hours(values: Sequence[Any]) -> list[int]:
    try:
        hours = [int(v) for v in values]
    except (TypeError, ValueError):
        raise InvalidInput(_("星级门槛必须是整数小时"), code="bad_stars") from None
    if len(hours) != 5:
        raise InvalidInput(_("星级门槛须填写一星到五星共 5 个"), code="bad_stars")
    if hours[0] <= 0 or any(b <= a for a, b in itertools.pairwise(hours)):
        raise InvalidInput(_("星级门槛须为正数且逐级递增"), code="bad_stars")
    if hours[-1] > 1_000_000:
        raise InvalidInput(_("星级门槛过大"), code="bad_stars")
    return hours


@transaction.atomic
def update_volunteer_settings(
    city: City,
    *,
    resident_population: int,
    star_hours: Sequence[Any],
    checkin_radius_m: int,
    qr_minutes: int,
    acting_user: Any,
) -> VolunteerSettings:
    require_office(acting_user, city)
    if not 0 <= int(resident_population) <= 100_000_000:
        raise InvalidInput(_("常住人口应在 0 到 1 亿之间"), code="bad_population")
    if not 10 <= int(checkin_radius_m) <= 5000:
        raise InvalidInput(_("签到半径应在 10 到 5000 米之间"), code="bad_radius")
    if not 1 <= int(qr_minutes) <= 240:
        raise InvalidInput(_("二维码有效期应在 1 到 240 分钟之间"), code="bad_qr_minutes")
    row, _created = VolunteerSettings.objects.select_for_update().get_or_create(city=city)
    fields = ["resident_population", "star_hours", "checkin_radius_m", "qr_minutes"]
    before = audit.snapshot(row, fields)
    row.resident_population = int(resident_population)
    row.star_hours = _clean_star_hours(star_hours)
    row.checkin_radius_m = int(checkin_radius_m)
    row.qr_minutes = int(qr_minutes)
    row.save()
    b, a = audit.changes(before, audit.snapshot(row, fields))
    audit.record("volunteers.settings.updated", row, actor=acting_user, before=b, after=a)
    return row


def star_level(total_minutes: int, star_hours: Sequence[int] | None = None) -> int:
    """0–5 stars: the number of thresholds the total hours have reached."""
    hours = total_minutes / 60
    return sum(1 for t in (star_hours or DEFAULT_STAR_HOURS) if hours >= t)


def star_label(level: int) -> str:
    return str(STAR_LABELS[level]) if level else _("注册志愿者")


# --- registration and import ------------------------------------------------------------------


@dataclass
class Registration:
    name: str
    phone: str
    id_number: str
    area: Unit | None
    password: str | None = None
    skills: list[str] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)


def _clean_skills(skills: Sequence[str]) -> list[str]:
    cleaned = list(dict.fromkeys(s.strip() for s in skills if s and s.strip()))
    if len(cleaned) > MAX_SKILLS:
        raise InvalidInput(_("技能特长最多填写 %d 项") % MAX_SKILLS, code="bad_skills")
    long = [s for s in cleaned if len(s) > MAX_SKILL_LENGTH]
    if long:
        raise InvalidInput(
            _("技能「%(s)s」超过 %(n)d 个字") % {"s": long[0][:30], "n": MAX_SKILL_LENGTH},
            code="bad_skills",
        )
    return cleaned


def _check_area(city: City, area: Unit | None) -> Unit:
    if area is None or area.city_id != city.pk or not area.active:
        raise InvalidInput(_("请选择本市的服务区域（街道或社区）"), code="bad_area")
    if area.kind not in (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.DISTRICT):
        raise InvalidInput(
            _("服务区域须为区县、街道或社区，「%s」不是") % area.name, code="bad_area"
        )
    return area


def _identity(number: str) -> dict[str, Any]:
    return {
        "id_cipher": crypto.encrypt(number),
        "id_digest": crypto.blind_index(number, ID_PURPOSE),
        "id_masked": idcard.mask_id_number(number),
        "gender": idcard.gender(number),
        "birth_date": idcard.birth_date(number),
    }


def _check_registration(city: City, data: Registration) -> tuple[str, str, str, Unit]:
    name = (data.name or "").strip()
    if not name or len(name) > 50:
        raise InvalidInput(_("请填写真实姓名（不超过 50 个字）"), code="bad_name")
    phone = re.sub(r"[\s-]", "", data.phone or "")
    if not is_mobile(phone):
        raise InvalidInput(_("手机号「%s」格式不正确，应为 11 位手机号") % phone, code="bad_phone")
    number = idcard.validate_id_number(data.id_number)
    area = _check_area(city, data.area)
    for team in data.teams:
        if team.city_id != city.pk or not team.active:
            raise InvalidInput(_("服务队「%s」不存在或已停用") % team.name, code="bad_team")
    return name, phone, number, area


@transaction.atomic
def register_volunteer(city: City, data: Registration, *, acting_user: Any) -> Volunteer:
    """Self-registration (public page, actor PUBLIC) or by the office: the login (the phone
    number is the login name), the person with the volunteer role in the area, and the
    volunteer with the encrypted ID number. A volunteer imported earlier (no password yet)
    registering with the same phone and ID number sets their password instead."""
    if not is_system(acting_user) and actor_user(acting_user) is not None:
        require_office(acting_user, city, _("只有创建办管理员可以代为登记志愿者"))
    name, phone, number, area = _check_registration(city, data)
    skills = _clean_skills(data.skills)
    if not data.password:
        raise InvalidInput(_("请设置登录密码"), code="password_required")
    digest = crypto.blind_index(number, ID_PURPOSE)
    existing = (
        Volunteer.objects.select_related("person__user").filter(city=city, id_digest=digest).first()
    )
    if existing is not None:
        user = existing.person.user
        if existing.person.phone != phone or user.has_usable_password():
            raise InvalidInput(
                _("该身份证号码已注册为志愿者，请直接登录（忘记密码请联系所在社区）"),
                code="duplicate_id",
            )
        _check_password(data.password, user, name)
        user.set_password(data.password)
        user.save(update_fields=["password"])
        audit.record("volunteers.volunteer.activated", existing, actor=acting_user, summary=name)
        return existing
    if User.objects.filter(username=phone).exists():
        raise InvalidInput(_("手机号 %s 已注册账号，请直接登录") % phone, code="duplicate_phone")
    _check_password(data.password, User(username=phone, first_name=name), name)
    person = org_services.create_person(
        city,
        name=name,
        username=phone,
        phone=phone,
        title=str(_("志愿者")),
        password=data.password,
        memberships=[(area, Role.VOLUNTEER)],
        acting_user=REGISTRAR,
    )
    return _create_volunteer(
        city, person, number, area, skills, data.teams, Channel.SELF, acting_user
    )


def _check_password(password: str, user: Any, name: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput("；".join(exc.messages), code="weak_password") from exc


def _create_volunteer(
    city: City,
    person: Person,
    number: str,
    area: Unit | None,
    skills: list[str],
    teams: Sequence[Team],
    channel: str,
    acting_user: Any,
) -> Volunteer:
    volunteer = Volunteer(
        city=city, person=person, area=area, skills=skills, channel=channel, **_identity(number)
    )
    try:
        with transaction.atomic():
            volunteer.save()
    except IntegrityError:
        raise InvalidInput(_("该身份证号码已注册为志愿者"), code="duplicate_id") from None
    if teams:
        volunteer.teams.set(list(teams))
    audit.record(
        "volunteers.volunteer.registered",
        volunteer,
        actor=acting_user,
        after={
            "person": person.pk,
            "area": area.pk if area else None,
            "skills": skills,
            "channel": channel,
            "teams": [t.pk for t in teams],
        },
        summary=person.name,
    )
    return volunteer


IMPORT_COLUMNS = ["姓名", "手机号", "身份证号", "服务区域", "技能特长", "志愿服务队"]


@transaction.atomic
def import_volunteers(city: City, file: IO[bytes] | bytes, *, acting_user: Any) -> int:
    """All or nothing: every row checked (ID check digit, phone, area, team, duplicates in
    the file and in the register) before anything is written. Imported volunteers have no
    password until they register on the public page with the same phone and ID number."""
    require_office(acting_user, city)
    errors = ErrorCollector("志愿者")
    units = list(Unit.objects.filter(city=city, active=True))
    by_code = {u.code: u for u in units}
    by_name: dict[str, list[Unit]] = {}
    for u in units:
        by_name.setdefault(u.name, []).append(u)
    teams = {t.name: t for t in Team.objects.filter(city=city, active=True)}
    limits = max_lengths(Person, 姓名="name")
    seen_ids: dict[str, int] = {}
    seen_phones: dict[str, int] = {}
    plan: list[tuple[str, str, str, Unit, list[str], list[Team]]] = []
    optional = ["技能特长", "志愿服务队"]
    for number, row in read_rows(file, ["姓名", "手机号", "身份证号", "服务区域"], optional):
        if not errors.check_lengths(number, row, limits):
            continue
        name = str(row["姓名"] or "")
        if not name:
            errors.add(number, "姓名", _("不能为空"))
        phone = re.sub(r"[\s-]", "", str(row["手机号"] or ""))
        if not is_mobile(phone):
            errors.add(number, "手机号", _("「%(phone)s」不是 11 位手机号") % {"phone": phone})
        elif phone in seen_phones:
            errors.add(number, "手机号", _("与第 %(row)s 行重复") % {"row": seen_phones[phone]})
        else:
            seen_phones[phone] = number
        id_number = ""
        try:
            id_number = idcard.validate_id_number(str(row["身份证号"] or ""))
        except InvalidInput as exc:
            errors.add(number, "身份证号", str(exc.message))
        if id_number:
            if id_number in seen_ids:
                errors.add(
                    number, "身份证号", _("与第 %(row)s 行重复") % {"row": seen_ids[id_number]}
                )
            seen_ids[id_number] = number
        area_text = str(row["服务区域"] or "")
        candidates = [by_code[area_text]] if area_text in by_code else by_name.get(area_text, [])
        area: Unit | None = None
        if len(candidates) != 1:
            errors.add(
                number,
                "服务区域",
                (
                    _("「%(area)s」有重名，请填单位编码")
                    if candidates
                    else _("「%(area)s」不是本市的单位编码或名称")
                )
                % {"area": area_text},
            )
        else:
            area = candidates[0]
            try:
                _check_area(city, area)
            except InvalidInput as exc:
                errors.add(number, "服务区域", str(exc.message))
        skills: list[str] = []
        try:
            skills = _clean_skills(re.split(r"[、,，;；\s]+", str(row.get("技能特长") or "")))
        except InvalidInput as exc:
            errors.add(number, "技能特长", str(exc.message))
        row_teams = []
        for team_name in re.split(r"[、,，;；]+", str(row.get("志愿服务队") or "")):
            team_name = team_name.strip()
            if not team_name:
                continue
            if team_name not in teams:
                errors.add(
                    number,
                    "志愿服务队",
                    _("服务队「%(team_name)s」不存在") % {"team_name": team_name},
                )
            else:
                row_teams.append(teams[team_name])
        if area is not None and id_number:
            plan.append((name, phone, id_number, area, skills, row_teams))
    if not plan and not errors:
        errors.add(None, "", _("文件中没有数据行"))
    digests = {crypto.blind_index(p[2], ID_PURPOSE): i for i, p in enumerate(plan)}
    for digest in Volunteer.objects.filter(city=city, id_digest__in=list(digests)).values_list(
        "id_digest", flat=True
    ):
        row_no = seen_ids[plan[digests[digest]][2]]
        errors.add(row_no, "身份证号", _("该身份证号码已注册为志愿者"))
    taken = set(
        User.objects.filter(username__in=[p[1] for p in plan]).values_list("username", flat=True)
    )
    for phone in sorted(taken):
        errors.add(seen_phones[phone], "手机号", _("手机号 %(phone)s 已有账号") % {"phone": phone})
    errors.raise_if_any()
    for name, phone, id_number, area, skills, row_teams in plan:
        person = org_services.create_person(
            city,
            name=name,
            username=phone,
            phone=phone,
            title=str(_("志愿者")),
            memberships=[(area, Role.VOLUNTEER)],
            acting_user=REGISTRAR,
        )
        _create_volunteer(
            city, person, id_number, area, skills, row_teams, Channel.IMPORT, acting_user
        )
    audit.record(
        "volunteers.volunteer.imported",
        city,
        actor=acting_user,
        city=city,
        after={"rows": len(plan)},
        summary=f"导入志愿者 {len(plan)} 名",
    )
    return len(plan)


def import_template() -> bytes:
    return write_workbook(
        [
            Sheet(
                "志愿者",
                IMPORT_COLUMNS,
                [
                    [
                        "张三",
                        "13800000000",
                        "110101199003074514",
                        "社区编码或名称",
                        "文明劝导、交通引导",
                        "",
                    ]
                ],
            )
        ]
    )


@transaction.atomic
def enroll_person(
    person: Person,
    *,
    id_number: str,
    area: Unit,
    skills: Sequence[str] = (),
    teams: Sequence[Team] = (),
    acting_user: Any,
) -> Volunteer:
    """The office registers an existing person (a staff member, a demo account) as a
    volunteer: the volunteer role in the area is added to their memberships."""
    city = person.city
    require_office(acting_user, city)
    number = idcard.validate_id_number(id_number)
    _check_area(city, area)
    if Volunteer.objects.filter(person=person).exists():
        raise InvalidInput(_("%s 已是注册志愿者") % person.name, code="already_volunteer")
    org_services.add_membership(person, area, Role.VOLUNTEER, acting_user=acting_user)
    return _create_volunteer(
        city, person, number, area, _clean_skills(skills), teams, Channel.IMPORT, acting_user
    )


def _own(volunteer: Volunteer, acting_user: Any) -> None:
    """Only the volunteer themselves (or the system) may act as this volunteer."""
    if is_system(acting_user):
        return
    user = actor_user(acting_user)
    if user is None or volunteer.person.user_id != user.pk:
        raise PermissionDenied(_("只能以本人身份操作"))


@transaction.atomic
def update_profile(
    volunteer: Volunteer,
    *,
    skills: Sequence[str] | None = None,
    area: Unit | None = None,
    acting_user: Any,
) -> Volunteer:
    volunteer = Volunteer.objects.select_for_update().select_related("person").get(pk=volunteer.pk)
    _own(volunteer, acting_user)
    before = audit.snapshot(volunteer, VOLUNTEER_FIELDS)
    fields = ["updated_at"]
    if skills is not None:
        volunteer.skills = _clean_skills(skills)
        fields.append("skills")
    if area is not None and area.pk != volunteer.area_id:
        _check_area(volunteer.city, area)
        org_services.add_membership(volunteer.person, area, Role.VOLUNTEER, acting_user=REGISTRAR)
        volunteer.area = area
        fields.append("area")
    volunteer.save(update_fields=fields)
    b, a = audit.changes(before, audit.snapshot(volunteer, VOLUNTEER_FIELDS))
    audit.record("volunteers.volunteer.updated", volunteer, actor=acting_user, before=b, after=a)
    return volunteer


@transaction.atomic
def reveal_id_number(volunteer: Volunteer, *, reason: str, acting_user: Any) -> str:
    """The plain ID number, for the office only, with the reason in the audit trail."""
    require_office(acting_user, volunteer.city_id, _("只有创建办管理员可以查看完整身份证号码"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise InvalidInput(_("请填写查看完整身份证号码的事由"), code="reason_required")
    number = crypto.decrypt(volunteer.id_cipher)
    audit.record(
        "volunteers.volunteer.id_revealed",
        volunteer,
        actor=acting_user,
        after={"reason": reason[:200]},
        summary=f"查看身份证号：{volunteer.person.name}（{reason[:100]}）",
    )
    return number


# --- teams -------------------------------------------------------------------------------------


@transaction.atomic
def create_team(
    city: City,
    *,
    name: str,
    unit: Unit,
    leader: str = "",
    contact: str = "",
    description: str = "",
    acting_user: Any,
) -> Team:
    if unit is None or unit.city_id != city.pk:
        raise InvalidInput(_("请选择本市的所属单位"), code="bad_unit")
    require_unit(acting_user, unit)
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise InvalidInput(_("请填写服务队名称（不超过 100 个字）"), code="bad_name")
    if Team.objects.filter(city=city, name=name).exists():
        raise InvalidInput(_("服务队「%s」已存在") % name, code="duplicate_team")
    if len(leader) > 50 or len(contact) > 20:
        raise InvalidInput(_("队长姓名或联系电话过长"), code="too_long")
    team = Team.objects.create(
        city=city,
        name=name,
        unit=unit,
        leader=leader.strip(),
        contact=contact.strip(),
        description=description.strip()[:2000],
    )
    audit.record(
        "volunteers.team.created",
        team,
        actor=acting_user,
        after={"name": name, "unit": unit.pk},
        summary=name,
    )
    return team


@transaction.atomic
def join_team(volunteer: Volunteer, team: Team, *, acting_user: Any) -> None:
    """The volunteer joins a team (themselves, or added by the team's unit or the office)."""
    if team.city_id != volunteer.city_id or not team.active:
        raise InvalidInput(_("服务队不存在或已停用"), code="bad_team")
    if volunteer.person.user_id != getattr(actor_user(acting_user), "pk", None):
        require_unit(acting_user, team.unit)
    if volunteer.teams.filter(pk=team.pk).exists():
        raise InvalidInput(_("已是「%s」的队员") % team.name, code="already_member")
    volunteer.teams.add(team)
    audit.record(
        "volunteers.team.joined",
        volunteer,
        actor=acting_user,
        after={"team": team.pk},
        summary=f"{volunteer.person.name} 加入 {team.name}",
    )


@transaction.atomic
def leave_team(volunteer: Volunteer, team: Team, *, acting_user: Any) -> None:
    if volunteer.person.user_id != getattr(actor_user(acting_user), "pk", None):
        require_unit(acting_user, team.unit)
    if not volunteer.teams.filter(pk=team.pk).exists():
        raise InvalidInput(_("不是「%s」的队员") % team.name, code="not_member")
    volunteer.teams.remove(team)
    audit.record(
        "volunteers.team.left",
        volunteer,
        actor=acting_user,
        before={"team": team.pk},
        summary=f"{volunteer.person.name} 退出 {team.name}",
    )


# --- activities --------------------------------------------------------------------------------


@dataclass
class ActivityData:
    title: str
    organiser_kind: str
    place: str
    lon: Coordinate
    lat: Coordinate
    starts_at: dt.datetime
    ends_at: dt.datetime
    capacity: int
    unit: Unit | None = None
    team: Team | None = None
    description: str = ""
    contact: str = ""
    radius_m: int | None = None
    crs: str = "wgs84"


def _check_activity(city: City, data: ActivityData) -> tuple[Unit, Team | None, float, float]:
    title = (data.title or "").strip()
    if not title or len(title) > 200:
        raise InvalidInput(_("请填写活动名称（不超过 200 个字）"), code="bad_title")
    place = (data.place or "").strip()
    if not place or len(place) > 200:
        raise InvalidInput(_("请填写活动地点（不超过 200 个字）"), code="bad_place")
    if data.organiser_kind not in OrganiserKind.values:
        raise InvalidInput(_("组织方类型无效"), code="bad_organiser")
    team = data.team if data.organiser_kind == OrganiserKind.TEAM else None
    if data.organiser_kind == OrganiserKind.TEAM:
        if team is None or team.city_id != city.pk or not team.active:
            raise InvalidInput(_("请选择组织活动的志愿服务队"), code="bad_team")
        unit = team.unit
    else:
        if data.unit is None or data.unit.city_id != city.pk:
            raise InvalidInput(_("请选择本市的组织单位"), code="bad_unit")
        unit = data.unit
        if data.organiser_kind == OrganiserKind.COMMUNITY and unit.kind != UnitKind.COMMUNITY:
            raise InvalidInput(_("「%s」不是社区") % unit.name, code="bad_unit")
    lon, lat = to_wgs84(data.lon, data.lat, data.crs)
    if not (data.starts_at and data.ends_at) or data.ends_at <= data.starts_at:
        raise InvalidInput(_("结束时间必须晚于开始时间"), code="bad_time")
    if data.ends_at - data.starts_at > MAX_ACTIVITY:
        raise InvalidInput(_("单次活动不能超过 7 天，长期项目请分次发布"), code="bad_time")
    if not 1 <= int(data.capacity) <= MAX_CAPACITY:
        raise InvalidInput(_("招募人数应在 1 到 %d 之间") % MAX_CAPACITY, code="bad_capacity")
    if data.radius_m is not None and not 10 <= int(data.radius_m) <= 5000:
        raise InvalidInput(_("签到半径应在 10 到 5000 米之间"), code="bad_radius")
    if len(data.contact or "") > 50:
        raise InvalidInput(_("联系方式不超过 50 个字"), code="too_long")
    return unit, team, lon, lat


@transaction.atomic
def create_activity(city: City, data: ActivityData, *, acting_user: Any) -> Activity:
    unit, team, lon, lat = _check_activity(city, data)
    require_unit(acting_user, unit, _("只能为本单位及下级单位发布志愿服务活动"))
    activity = Activity.objects.create(
        city=city,
        title=data.title.strip(),
        description=(data.description or "").strip()[:5000],
        organiser_kind=data.organiser_kind,
        team=team,
        unit=unit,
        place=data.place.strip(),
        lon=lon,
        lat=lat,
        radius_m=data.radius_m,
        starts_at=data.starts_at,
        ends_at=data.ends_at,
        capacity=int(data.capacity),
        contact=(data.contact or "").strip(),
        created_by=actor_user(acting_user),
    )
    audit.record(
        "volunteers.activity.created",
        activity,
        actor=acting_user,
        after=audit.snapshot(activity, ACTIVITY_FIELDS),
        summary=activity.title,
    )
    return activity


def _transition(activity: Activity, to: str, code: str, acting_user: Any, note: str) -> Activity:
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require_unit(acting_user, activity.unit, _("只能管理本单位及下级单位的活动"))
    if to not in ACTIVITY_TRANSITIONS[ActivityStatus(activity.status)]:
        raise InvalidTransition(
            _("活动「%(t)s」%(s)s，不能再%(a)s")
            % {
                "t": activity.title,
                "s": activity.get_status_display(),
                "a": ActivityStatus(to).label,
            }
        )
    before = activity.status
    activity.status = to
    activity.save(update_fields=["status", "updated_at"])
    audit.record(
        code,
        activity,
        actor=acting_user,
        before={"status": before},
        after={"status": to, "note": note[:200]},
        summary=activity.title,
    )
    return activity


@transaction.atomic
def cancel_activity(activity: Activity, *, reason: str, acting_user: Any) -> Activity:
    if not (reason or "").strip():
        raise InvalidInput(_("请填写取消原因"), code="reason_required")
    if Attendance.objects.filter(activity=activity).exists():
        raise InvalidInput(_("已有志愿者签到的活动不能取消"), code="has_attendance")
    return _transition(
        activity, ActivityStatus.CANCELLED, "volunteers.activity.cancelled", acting_user, reason
    )


@transaction.atomic
def close_activity(activity: Activity, *, acting_user: Any) -> Activity:
    """Ends the activity: no more sign-ups or check-ins; hours may still be confirmed."""
    return _transition(
        activity, ActivityStatus.CLOSED, "volunteers.activity.closed", acting_user, ""
    )


def _signed_up_count(activity: Activity) -> int:
    return Signup.objects.filter(activity=activity, status=SignupStatus.SIGNED_UP).count()


def _add_signup(activity: Activity, volunteer: Volunteer) -> Signup:
    """Sign up under the activity's lock (taken by the caller): capacity is never exceeded."""
    row = Signup.objects.filter(activity=activity, volunteer=volunteer).first()
    if row is not None and row.status == SignupStatus.SIGNED_UP:
        return row
    if _signed_up_count(activity) >= activity.capacity:
        raise InvalidInput(
            _("活动「%(t)s」已报满（%(n)d 人）") % {"t": activity.title, "n": activity.capacity},
            code="full",
        )
    if row is None:
        return Signup.objects.create(activity=activity, volunteer=volunteer)
    row.status = SignupStatus.SIGNED_UP
    row.save(update_fields=["status", "updated_at"])
    return row


@transaction.atomic
def sign_up(activity: Activity, volunteer: Volunteer, *, acting_user: Any) -> Signup:
    _own(volunteer, acting_user)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.city_id != volunteer.city_id:
        raise InvalidInput(_("不能报名其他城市的活动"), code="other_city")
    if not volunteer.active:
        raise PermissionDenied(_("您的志愿者身份已停用"))
    if activity.status != ActivityStatus.PUBLISHED:
        raise InvalidInput(_("活动%s，不能报名") % activity.get_status_display(), code="not_open")
    if activity.ends_at <= timezone.now():
        raise InvalidInput(_("活动已结束，不能报名"), code="ended")
    if Signup.objects.filter(
        activity=activity, volunteer=volunteer, status=SignupStatus.SIGNED_UP
    ).exists():
        raise InvalidInput(_("您已报名该活动"), code="already_signed_up")
    signup = _add_signup(activity, volunteer)
    audit.record(
        "volunteers.signup.created",
        activity,
        actor=acting_user,
        after={"volunteer": volunteer.pk},
        summary=f"{volunteer.person.name} 报名 {activity.title}",
    )
    return signup


@transaction.atomic
def cancel_signup(activity: Activity, volunteer: Volunteer, *, acting_user: Any) -> Signup:
    _own(volunteer, acting_user)
    signup = (
        Signup.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer, status=SignupStatus.SIGNED_UP)
        .first()
    )
    if signup is None:
        raise InvalidInput(_("您没有报名该活动"), code="not_signed_up")
    if Attendance.objects.filter(activity=activity, volunteer=volunteer).exists():
        raise InvalidInput(_("已签到的活动不能取消报名"), code="has_attendance")
    signup.status = SignupStatus.CANCELLED
    signup.save(update_fields=["status", "updated_at"])
    audit.record(
        "volunteers.signup.cancelled",
        activity,
        actor=acting_user,
        after={"volunteer": volunteer.pk},
        summary=f"{volunteer.person.name} 取消报名 {activity.title}",
    )
    return signup


# --- QR codes, check-in and check-out ---------------------------------------------------------


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=QR_SALT)


def checkin_token(activity: Activity, action: str) -> str:
    """The signed, timestamped payload of a QR code shown at the activity: which activity and
    whether it checks in or out. It expires after the city's ``qr_minutes``."""
    if action not in CheckAction.values:
        raise InvalidInput(_("二维码类型无效"), code="bad_action")
    return _signer().sign_object({"a": activity.pk, "x": action})


def read_token(activity: Activity, token: str, max_minutes: int) -> str:
    """The action of a QR code scanned for ``activity``; refused (InvalidInput, nothing
    changed) when it is forged, expired, or belongs to another activity."""
    try:
        payload = _signer().unsign_object(token or "", max_age=dt.timedelta(minutes=max_minutes))
    except signing.SignatureExpired:
        raise InvalidInput(
            _("二维码已过期（有效期 %d 分钟），请重新扫描活动现场正在显示的二维码") % max_minutes,
            code="qr_expired",
        ) from None
    except (signing.BadSignature, ValueError):
        raise InvalidInput(
            _("二维码无效，请扫描活动现场显示的签到二维码"), code="qr_invalid"
        ) from None
    if not isinstance(payload, dict) or payload.get("x") not in CheckAction.values:
        raise InvalidInput(_("二维码无效，请扫描活动现场显示的签到二维码"), code="qr_invalid")
    if payload.get("a") != activity.pk:
        raise InvalidInput(
            _("这不是本活动的二维码（它属于另一项活动），请扫描「%s」现场显示的二维码")
            % activity.title,
            code="qr_other_activity",
        )
    return str(payload["x"])


def _position(activity: Activity, lon: Coordinate, lat: Coordinate, crs: str, radius: int):
    if lon in (None, "") or lat in (None, ""):
        raise InvalidInput(
            _("未获取到您的位置：请在手机上允许浏览器使用定位，然后重试"), code="no_position"
        )
    x, y = to_wgs84(lon, lat, crs)
    distance = distance_m(x, y, activity.lon, activity.lat)
    if distance > radius:
        raise InvalidInput(
            _(
                "您当前位置距活动地点「%(p)s」约 %(d)d 米，超出 %(r)d 米的签到范围，"
                "请到达现场后再扫码"
            )
            % {"p": activity.place, "d": round(distance), "r": radius},
            code="too_far",
        )
    return x, y, round(distance, 1)


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


@dataclass
class CheckResult:
    attendance: Attendance
    action: str


@transaction.atomic
def check_in_or_out(
    activity: Activity,
    volunteer: Volunteer,
    *,
    token: str,
    lon: Coordinate,
    lat: Coordinate,
    crs: str = "wgs84",
    expect: str | None = None,
    at: dt.datetime | None = None,
    acting_user: Any,
) -> CheckResult:
    """Check in or out (as the scanned QR code says) at the activity's place. Refused, with
    nothing changed: a forged, expired or other activity's code, a position outside the
    radius, a second check-in, a check-out before check-in or a second check-out, an activity
    cancelled, ended or not begun. A check-in of someone not signed up signs them up if there
    is room. ``expect`` (in/out) refuses a code of the other kind."""
    _own(volunteer, acting_user)
    conf = settings_for(activity.city_id)
    action = read_token(activity, token, conf.qr_minutes)
    if expect and action != expect:
        raise InvalidInput(
            _("这是%(g)s二维码，请扫描%(e)s二维码")
            % {"g": CheckAction(action).label, "e": CheckAction(expect).label},
            code="qr_wrong_action",
        )
    if activity.city_id != volunteer.city_id or not volunteer.active:
        raise PermissionDenied(_("您不是本市的有效注册志愿者"))
    now = at or timezone.now()
    radius = activity.radius_m or conf.checkin_radius_m
    if action == CheckAction.IN:
        return CheckResult(
            _check_in(activity, volunteer, now, lon, lat, crs, radius, acting_user), action
        )
    return CheckResult(
        _check_out(activity, volunteer, now, lon, lat, crs, radius, acting_user), action
    )


def _check_in(activity, volunteer, now, lon, lat, crs, radius, acting_user) -> Attendance:
    if activity.status != ActivityStatus.PUBLISHED:
        raise InvalidInput(_("活动%s，不能签到") % activity.get_status_display(), code="not_open")
    if now < activity.starts_at - CHECKIN_EARLY:
        raise InvalidInput(
            _("活动尚未开始，签到从 %s 开始") % _local(activity.starts_at - CHECKIN_EARLY),
            code="too_early",
        )
    if now > activity.ends_at:
        raise InvalidInput(
            _("活动已于 %s 结束，不能再签到") % _local(activity.ends_at), code="ended"
        )
    existing = (
        Attendance.objects.filter(activity=activity, volunteer=volunteer)
        .only("checked_in_at")
        .first()
    )
    if existing is not None:
        raise InvalidInput(
            _("您已于 %s 签到，请勿重复签到") % _local(existing.checked_in_at),
            code="already_checked_in",
        )
    x, y, distance = _position(activity, lon, lat, crs, radius)
    if not Signup.objects.filter(
        activity=activity, volunteer=volunteer, status=SignupStatus.SIGNED_UP
    ).exists():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        _add_signup(locked, volunteer)
    try:
        with transaction.atomic():
            attendance = Attendance.objects.create(
                activity=activity,
                volunteer=volunteer,
                checked_in_at=now,
                in_lon=x,
                in_lat=y,
                in_distance_m=distance,
            )
    except IntegrityError:  # the same volunteer's second scan, a moment later
        raise InvalidInput(_("您已签到，请勿重复签到"), code="already_checked_in") from None
    audit.record(
        "volunteers.attendance.checked_in",
        attendance,
        actor=acting_user,
        city=activity.city,
        after={"activity": activity.pk, "distance_m": distance},
        summary=volunteer.person.name,
    )
    return attendance


def _check_out(activity, volunteer, now, lon, lat, crs, radius, acting_user) -> Attendance:
    attendance = (
        Attendance.objects.select_for_update()
        .filter(activity=activity, volunteer=volunteer)
        .first()
    )
    if attendance is None:
        raise InvalidInput(_("您尚未签到，不能签退：请先扫描签到二维码"), code="not_checked_in")
    if attendance.checked_out_at is not None:
        raise InvalidInput(
            _("您已于 %s 签退，请勿重复签退") % _local(attendance.checked_out_at),
            code="already_checked_out",
        )
    if now > activity.ends_at + CHECKOUT_LATE:
        raise InvalidInput(_("签退已截止，请联系活动组织方补录"), code="checkout_closed")
    x, y, distance = _position(activity, lon, lat, crs, radius)
    attendance.checked_out_at = now
    attendance.out_lon, attendance.out_lat, attendance.out_distance_m = x, y, distance
    attendance.minutes = max(0, int((now - attendance.checked_in_at).total_seconds() // 60))
    attendance.save(
        update_fields=[
            "checked_out_at",
            "out_lon",
            "out_lat",
            "out_distance_m",
            "minutes",
            "updated_at",
        ]
    )
    audit.record(
        "volunteers.attendance.checked_out",
        attendance,
        actor=acting_user,
        city=activity.city,
        after={"activity": activity.pk, "minutes": attendance.minutes, "distance_m": distance},
        summary=volunteer.person.name,
    )
    return attendance


# --- the hours ledger --------------------------------------------------------------------------


@transaction.atomic
def confirm_hours(
    activity: Activity, *, attendance_ids: Sequence[int] | None = None, acting_user: Any
) -> list[ServiceRecord]:
    """The organiser confirms the service time of checked-out attendances (all of the
    activity's not yet confirmed, or the given ones): one ``service`` ledger row each, the
    time from check-in to check-out. Then the registered listeners (the moral bank) run."""
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    require_unit(acting_user, activity.unit, _("只能确认本单位及下级单位活动的服务时长"))
    if activity.status == ActivityStatus.CANCELLED:
        raise InvalidInput(_("活动已取消，不能确认时长"), code="cancelled")
    qs = Attendance.objects.select_for_update().filter(activity=activity, confirmed_at=None)
    if attendance_ids is not None:
        qs = qs.filter(pk__in=list(attendance_ids))
    rows = list(qs.select_related("volunteer__person").order_by("id"))
    if attendance_ids is not None and len(rows) != len(set(attendance_ids)):
        raise InvalidInput(_("所选签到记录不存在或已确认"), code="bad_attendance")
    open_rows = [r for r in rows if r.checked_out_at is None]
    if open_rows and attendance_ids is not None:
        names = "、".join(r.volunteer.person.name for r in open_rows[:5])
        raise InvalidInput(
            _("%s 尚未签退，不能确认时长（可先更正签退后再确认）") % names, code="not_checked_out"
        )
    rows = [r for r in rows if r.checked_out_at is not None]
    if not rows:
        raise InvalidInput(_("没有可确认的签到记录（须已签到并签退、尚未确认）"), code="nothing")
    now = timezone.now()
    user = actor_user(acting_user)
    records = ServiceRecord.objects.bulk_create(
        [
            ServiceRecord(
                city_id=activity.city_id,
                volunteer_id=r.volunteer_id,
                activity=activity,
                attendance=r,
                kind=RecordKind.SERVICE,
                minutes=r.minutes or 0,
                started_at=r.checked_in_at,
                ended_at=r.checked_out_at,
                recorded_by=user,
            )
            for r in rows
        ]
    )
    Attendance.objects.filter(pk__in=[r.pk for r in rows]).update(confirmed_at=now)
    for r in rows:
        Volunteer.objects.filter(pk=r.volunteer_id).update(
            total_minutes=F("total_minutes") + (r.minutes or 0)
        )
    records = list(
        ServiceRecord.objects.filter(attendance__in=rows, kind=RecordKind.SERVICE)
        .select_related("volunteer__person", "activity")
        .order_by("id")
    )
    audit.record(
        "volunteers.hours.confirmed",
        activity,
        actor=acting_user,
        after={"records": [r.pk for r in records], "minutes": sum(r.minutes for r in records)},
        summary=f"确认 {len(records)} 人服务时长：{activity.title}",
    )
    hooks.hours_confirmed(records)
    return records


@transaction.atomic
def correct_record(
    record: ServiceRecord, *, minutes: int, reason: str, acting_user: Any
) -> ServiceRecord:
    """A correction is a new ledger row of plus or minus ``minutes`` pointing at the service
    row it corrects; the row itself never changes. The corrected total may not go below 0."""
    record = (
        ServiceRecord.objects.select_for_update(of=("self",))  # (activity: an outer join)
        .select_related("activity__unit", "volunteer__person")
        .get(pk=record.pk)
    )
    if record.activity is not None:
        require_unit(acting_user, record.activity.unit, _("只能更正本单位及下级单位活动的时长"))
    else:
        require_office(acting_user, record.city_id)
    if record.kind != RecordKind.SERVICE:
        raise InvalidInput(_("只能更正服务时长记录本身，不能更正一条更正"), code="bad_record")
    try:
        minutes = int(minutes)
    except (TypeError, ValueError):
        raise InvalidInput(_("更正时长须为整数分钟"), code="bad_minutes") from None
    if minutes == 0 or abs(minutes) > MAX_CORRECTION_MINUTES:
        raise InvalidInput(
            _("更正时长须为非零整数分钟，且不超过 ±%d 分钟") % MAX_CORRECTION_MINUTES,
            code="bad_minutes",
        )
    reason = (reason or "").strip()
    if len(reason) < 2 or len(reason) > 300:
        raise InvalidInput(_("请填写更正原因（2–300 字）"), code="reason_required")
    corrected = ServiceRecord.objects.filter(corrects=record).aggregate(s=Sum("minutes"))["s"]
    current = record.minutes + (corrected or 0)
    if current + minutes < 0:
        raise InvalidInput(
            _("更正后时长不能为负：该记录目前为 %(c)d 分钟，最多可减 %(c)d 分钟") % {"c": current},
            code="negative",
        )
    row = ServiceRecord.objects.create(
        city_id=record.city_id,
        volunteer_id=record.volunteer_id,
        activity_id=record.activity_id,
        attendance_id=record.attendance_id,
        kind=RecordKind.CORRECTION,
        minutes=minutes,
        corrects=record,
        note=reason,
        recorded_by=actor_user(acting_user),
    )
    Volunteer.objects.filter(pk=record.volunteer_id).update(
        total_minutes=F("total_minutes") + minutes
    )
    audit.record(
        "volunteers.hours.corrected",
        row,
        actor=acting_user,
        before={"minutes": current},
        after={"minutes": current + minutes, "corrects": record.pk, "reason": reason},
        summary=f"更正 {record.volunteer.person.name} 时长 {minutes:+d} 分钟",
    )
    hooks.hours_confirmed([row])
    return row


# --- the record's other parts: training, awards, evaluations; consent ---------------------------


def _check_text(value: str, label: str, limit: int) -> str:
    value = (value or "").strip()
    if not value or len(value) > limit:
        raise InvalidInput(_("请填写%(l)s（不超过 %(n)d 个字）") % {"l": label, "n": limit})
    return value


@transaction.atomic
def add_training(
    volunteer: Volunteer,
    *,
    title: str,
    held_on: dt.date,
    hours: Any = 0,
    organiser: str = "",
    acting_user: Any,
) -> Training:
    require_unit(acting_user, volunteer.area)
    from decimal import Decimal, InvalidOperation

    try:
        hours_d = Decimal(str(hours or 0))
    except InvalidOperation:
        raise InvalidInput(_("学时须为数字"), code="bad_hours") from None
    if not Decimal(0) <= hours_d <= Decimal(1000):
        raise InvalidInput(_("学时应在 0 到 1000 之间"), code="bad_hours")
    row = Training.objects.create(
        city_id=volunteer.city_id,
        volunteer=volunteer,
        title=_check_text(title, str(_("培训内容")), 200),
        organiser=(organiser or "").strip()[:100],
        held_on=held_on,
        hours=hours_d.quantize(Decimal("0.1")),
    )
    audit.record("volunteers.training.added", row, actor=acting_user, summary=row.title)
    return row


@transaction.atomic
def add_award(
    volunteer: Volunteer,
    *,
    title: str,
    awarded_on: dt.date,
    issuer: str = "",
    acting_user: Any,
) -> Award:
    require_unit(acting_user, volunteer.area)
    row = Award.objects.create(
        city_id=volunteer.city_id,
        volunteer=volunteer,
        title=_check_text(title, str(_("表彰奖励名称")), 200),
        issuer=(issuer or "").strip()[:100],
        awarded_on=awarded_on,
    )
    audit.record("volunteers.award.added", row, actor=acting_user, summary=row.title)
    return row


@transaction.atomic
def evaluate_volunteer(
    volunteer: Volunteer,
    *,
    rating: int,
    comment: str = "",
    activity: Activity | None = None,
    acting_user: Any,
) -> Evaluation:
    """An evaluation by the organiser of an activity the volunteer served at, or by the unit
    of the volunteer's area."""
    if activity is not None:
        require_unit(acting_user, activity.unit)
        if not Attendance.objects.filter(activity=activity, volunteer=volunteer).exists():
            raise InvalidInput(_("该志愿者没有参加这项活动"), code="not_attended")
    else:
        require_unit(acting_user, volunteer.area)
    if rating not in (1, 2, 3, 4, 5):
        raise InvalidInput(_("评价等级须为 1–5"), code="bad_rating")
    row = Evaluation.objects.create(
        city_id=volunteer.city_id,
        volunteer=volunteer,
        activity=activity,
        rating=rating,
        comment=(comment or "").strip()[:300],
        evaluator=actor_user(acting_user),
    )
    audit.record(
        "volunteers.evaluation.added",
        row,
        actor=acting_user,
        after={"rating": rating},
        summary=volunteer.person.name,
    )
    return row


@transaction.atomic
def grant_consent(
    volunteer: Volunteer, *, recipient: str, purpose: str, acting_user: Any
) -> RecordConsent:
    """The volunteer agrees that their record may be given to ``recipient`` for ``purpose``."""
    _own(volunteer, acting_user)
    row = RecordConsent.objects.create(
        city_id=volunteer.city_id,
        volunteer=volunteer,
        recipient=_check_text(recipient, str(_("接收方")), 100),
        purpose=_check_text(purpose, str(_("用途")), 200),
    )
    audit.record(
        "volunteers.consent.granted",
        row,
        actor=acting_user,
        after={"recipient": row.recipient, "purpose": row.purpose},
        summary=volunteer.person.name,
    )
    return row


@transaction.atomic
def revoke_consent(consent: RecordConsent, *, acting_user: Any) -> RecordConsent:
    consent = (
        RecordConsent.objects.select_for_update()
        .select_related("volunteer__person")
        .get(pk=consent.pk)
    )
    _own(consent.volunteer, acting_user)
    if consent.revoked_at is not None:
        raise InvalidInput(_("该同意已撤回"), code="already_revoked")
    consent.revoked_at = timezone.now()
    consent.save(update_fields=["revoked_at", "updated_at"])
    audit.record(
        "volunteers.consent.revoked", consent, actor=acting_user, summary=consent.recipient
    )
    return consent


@transaction.atomic
def disclose_record(consent: RecordConsent, *, acting_user: Any) -> bytes:
    """The volunteer's record (the five parts the 志愿服务条例 names: basic information,
    service, training, awards, evaluations) as an Excel file for the third party the volunteer
    consented to; refused without an active consent."""
    consent = RecordConsent.objects.select_related("volunteer__person", "volunteer__area").get(
        pk=consent.pk
    )
    require_office(acting_user, consent.city_id, _("只有创建办管理员可以向第三方提供志愿者档案"))
    if consent.revoked_at is not None:
        raise PermissionDenied(_("志愿者已撤回向「%s」提供档案的同意") % consent.recipient)
    from .exports import record_workbook

    data = record_workbook(consent.volunteer)
    audit.record(
        "volunteers.record.disclosed",
        consent.volunteer,
        actor=acting_user,
        after={"consent": consent.pk, "recipient": consent.recipient, "purpose": consent.purpose},
        summary=f"向{consent.recipient}提供 {consent.volunteer.person.name} 的志愿服务档案",
    )
    return data


# --- certificates ------------------------------------------------------------------------------


def _check_seal(seal: UploadedFile) -> None:
    from PIL import Image, UnidentifiedImageError

    if seal.size and seal.size > SEAL_MAX_BYTES:
        raise InvalidInput(_("印章图片不能超过 2 MB"), code="bad_seal")
    try:
        with Image.open(seal) as img:
            img.verify()
            if img.format not in ("PNG", "JPEG"):
                raise InvalidInput(_("印章图片须为 PNG 或 JPEG"), code="bad_seal")
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise InvalidInput(_("无法识别的印章图片，请上传 PNG 或 JPEG"), code="bad_seal") from None
    seal.seek(0)


@transaction.atomic
def save_issuer(
    city: City,
    *,
    name: str,
    person_in_charge: str,
    handler: str,
    contact: str,
    unit: Unit | None = None,
    seal: UploadedFile | None = None,
    remove_seal: bool = False,
    acting_user: Any,
) -> Issuer:
    """The organisation named on the city's service certificates, with its seal image."""
    require_office(acting_user, city)
    values = {
        "name": _check_text(name, str(_("出具组织名称")), 100),
        "person_in_charge": _check_text(person_in_charge, str(_("负责人")), 50),
        "handler": _check_text(handler, str(_("经办人")), 50),
        "contact": _check_text(contact, str(_("联系方式")), 50),
        "unit": unit if unit is not None and unit.city_id == city.pk else None,
    }
    if seal is not None:
        _check_seal(seal)
    issuer = Issuer.objects.select_for_update().filter(city=city).first() or Issuer(city=city)
    before = audit.snapshot(issuer, ["name", "person_in_charge", "handler", "contact"])
    for key, value in values.items():
        setattr(issuer, key, value)
    if remove_seal and issuer.seal:
        issuer.seal.delete(save=False)
    if seal is not None:
        issuer.seal.save(
            f"seal-{city.pk}.{(seal.name or 'x.png').rsplit('.', 1)[-1][:4]}", seal, save=False
        )
    issuer.save()
    b, a = audit.changes(
        before, audit.snapshot(issuer, ["name", "person_in_charge", "handler", "contact"])
    )
    a["seal"] = bool(issuer.seal)
    audit.record("volunteers.issuer.saved", issuer, actor=acting_user, before=b, after=a)
    return issuer


@transaction.atomic
def issue_certificate(volunteer: Volunteer, *, acting_user: Any) -> Certificate:
    """志愿服务证明 of the volunteer's confirmed hours, on the volunteer's own request (or the
    office's): numbered, dated, naming the issuing organisation; its content is kept as
    issued."""
    volunteer = Volunteer.objects.select_related("person", "city").get(pk=volunteer.pk)
    if actor_user(acting_user) is None or volunteer.person.user_id != actor_user(acting_user).pk:
        require_office(acting_user, volunteer.city_id, _("只能为本人申请志愿服务证明"))
    issuer = Issuer.objects.filter(city_id=volunteer.city_id).first()
    if issuer is None:
        raise InvalidInput(_("本市尚未设置出具志愿服务证明的组织，请联系创建办"), code="no_issuer")
    from .selectors import service_summary

    rows, total = service_summary(volunteer)
    if total <= 0:
        raise InvalidInput(_("您还没有经组织方确认的服务时长，暂不能出具证明"), code="no_hours")
    conf, _created = VolunteerSettings.objects.select_for_update().get_or_create(
        city_id=volunteer.city_id
    )
    conf.certificate_seq += 1
    conf.save(update_fields=["certificate_seq", "updated_at"])
    today = timezone.localdate()
    serial = f"ZYFW-{volunteer.city.code.upper()}-{today.year}-{conf.certificate_seq:06d}"
    cert = Certificate.objects.create(
        city_id=volunteer.city_id,
        volunteer=volunteer,
        issuer=issuer,
        serial=serial,
        issued_on=today,
        total_minutes=total,
        content={
            "name": volunteer.person.name,
            "gender": volunteer.gender,
            "id_masked": volunteer.id_masked,
            "rows": rows,
            "issuer": {
                "name": issuer.name,
                "person_in_charge": issuer.person_in_charge,
                "handler": issuer.handler,
                "contact": issuer.contact,
            },
        },
        issued_by=actor_user(acting_user),
    )
    audit.record(
        "volunteers.certificate.issued",
        cert,
        actor=acting_user,
        after={"serial": serial, "minutes": total},
        summary=f"{volunteer.person.name} {serial}",
    )
    return cert


# ==== end of volunteers ========================================================================
