"""Volunteer service API: volunteers (masked), teams, activities, sign-up, check-in/out by the
QR code's signed token, confirmation and corrections of hours."""

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from chuangwen.core.endpoints import act, created
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.org.models import City, Unit
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import ActivityFilter, TeamFilter, VolunteerFilter
from .models import ServiceRecord, Team
from .schemas import (
    VolunteerActivityIn,
    VolunteerActivityOut,
    VolunteerAttendanceOut,
    VolunteerCheckIn,
    VolunteerCheckOut,
    VolunteerConfirmIn,
    VolunteerCorrectionIn,
    VolunteerMeOut,
    VolunteerOut,
    VolunteerRecordOut,
    VolunteerTeamIn,
    VolunteerTeamOut,
)

router = Router(tags=["志愿服务"])

# ==== volunteers ==============================================================================


def _city(request: HttpRequest) -> City:
    scope = scope_of(request)
    if scope.city_id is None:
        raise NotFound()
    return City.objects.get(pk=scope.city_id)


def _me(request: HttpRequest):
    volunteer = selectors.volunteer_of(scope_of(request))
    if volunteer is None:
        raise NotFound(_("您还不是注册志愿者"))
    return volunteer


@router.get(
    "/volunteers",
    response=list[VolunteerOut],
    summary="志愿者列表（身份证号脱敏）",
    openapi_extra=filter_doc(VolunteerFilter),
)
@paginate(Paged)
def list_volunteers(request: HttpRequest):
    return filtered(VolunteerFilter, request, selectors.volunteer_list_qs(scope_of(request)))


@router.get("/me", response=VolunteerMeOut, summary="我的志愿者信息、时长和星级")
def me(request: HttpRequest):
    volunteer = _me(request)
    conf = services.settings_for(volunteer.city_id)
    level = services.star_level(volunteer.total_minutes, conf.star_hours)
    volunteer.star = level
    volunteer.star_label = services.star_label(level)
    volunteer.team_ids = list(volunteer.teams.values_list("pk", flat=True))
    return volunteer


@router.get(
    "/teams",
    response=list[VolunteerTeamOut],
    summary="志愿服务队",
    openapi_extra=filter_doc(TeamFilter),
)
@paginate(Paged)
def list_teams(request: HttpRequest):
    return filtered(TeamFilter, request, selectors.teams_for_city(scope_of(request)))


@router.post("/teams", response={201: VolunteerTeamOut}, summary="新建志愿服务队")
def create_team(request: HttpRequest, payload: VolunteerTeamIn):
    city = _city(request)
    unit = Unit.objects.filter(city=city, pk=payload.unit_id).first()
    if unit is None:
        raise InvalidInput(_("所属单位不存在"), code="bad_unit")
    return created(
        request, services.create_team, city, **payload.dict(exclude={"unit_id"}), unit=unit
    )


@router.get(
    "/activities",
    response=list[VolunteerActivityOut],
    summary="志愿服务活动",
    openapi_extra=filter_doc(ActivityFilter),
)
@paginate(Paged)
def list_activities(request: HttpRequest):
    return filtered(ActivityFilter, request, selectors.activity_list_qs(scope_of(request)))


@router.post("/activities", response={201: VolunteerActivityOut}, summary="发布志愿服务活动")
def create_activity(request: HttpRequest, payload: VolunteerActivityIn):
    city = _city(request)
    team = unit = None
    if payload.team_id:
        team = Team.objects.filter(city=city, pk=payload.team_id).first()
        if team is None:
            raise InvalidInput(_("志愿服务队不存在"), code="bad_team")
    if payload.unit_id:
        unit = Unit.objects.filter(city=city, pk=payload.unit_id).first()
        if unit is None:
            raise InvalidInput(_("组织单位不存在"), code="bad_unit")
    data = payload.dict(exclude={"team_id", "unit_id"})
    activity = act(
        request, services.create_activity, city, services.ActivityData(**data, team=team, unit=unit)
    )
    return Status(201, selectors.get_activity_for_user(scope_of(request), activity.pk))


@router.get("/activities/{activity_id}", response=VolunteerActivityOut, summary="活动详情")
def get_activity(request: HttpRequest, activity_id: int):
    return selectors.get_activity_for_user(scope_of(request), activity_id)


@router.post("/activities/{activity_id}/signup", response=VolunteerActivityOut, summary="报名")
def signup(request: HttpRequest, activity_id: int):
    scope = scope_of(request)
    activity = selectors.get_activity_for_user(scope, activity_id)
    act(request, services.sign_up, activity, _me(request))
    return selectors.get_activity_for_user(scope, activity_id)


@router.post(
    "/activities/{activity_id}/check",
    response=VolunteerCheckOut,
    summary="扫码签到/签退（二维码链接的签名 + 手机位置）",
)
def check(request: HttpRequest, activity_id: int, payload: VolunteerCheckIn):
    activity = selectors.get_activity_for_user(scope_of(request), activity_id)
    result = act(request, services.check_in_or_out, activity, _me(request), **payload.dict())
    return {"action": result.action, "attendance": result.attendance}


def _managed(request: HttpRequest, activity_id: int):
    scope = scope_of(request)
    activity = selectors.get_activity_for_user(scope, activity_id)
    if not selectors.can_manage(scope, activity):
        raise NotFound()
    return activity


@router.get(
    "/activities/{activity_id}/attendances",
    response=list[VolunteerAttendanceOut],
    summary="签到记录（组织方）",
)
@paginate(Paged)
def attendances(request: HttpRequest, activity_id: int):
    return selectors.attendances_of(_managed(request, activity_id))


@router.post(
    "/activities/{activity_id}/confirm",
    response=list[VolunteerRecordOut],
    summary="确认服务时长（组织方；不传编号则确认全部已签退）",
)
def confirm(request: HttpRequest, activity_id: int, payload: VolunteerConfirmIn):
    return act(request, services.confirm_hours, _managed(request, activity_id), **payload.dict())


@router.post(
    "/records/{record_id}/correct",
    response={201: VolunteerRecordOut},
    summary="更正服务时长（新增一条更正记录）",
)
def correct(request: HttpRequest, record_id: int, payload: VolunteerCorrectionIn):
    scope = scope_of(request)
    record = ServiceRecord.objects.filter(city_id=scope.city_id or 0, pk=record_id).first()
    if record is None or record.activity is None or not scope.can_write_unit(record.activity.unit):
        raise NotFound()
    return created(request, services.correct_record, record, **payload.dict())
