"""结对共建 and 六联 activities over the JSON API (mounted at /api/pairs)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from chuangwen.core.endpoints import act, created
from chuangwen.core.errors import InvalidInput, NotFound
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.org import services as org_services
from chuangwen.org.models import City, Pair, Unit
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import ActivityFilter, PairFilter
from .schemas import ActivityIn, ActivityOut, PairEndIn, PairIn, PairOut

router = Router(tags=["结对共建"])


def _stats(request: HttpRequest, qs: QuerySet[Pair]) -> QuerySet[Pair]:
    scope = scope_of(request)
    return selectors.with_stats(qs, selectors.inactive_cutoff(scope.city_id))


def _pair_out(request: HttpRequest, pk: int) -> Pair:
    return _stats(request, Pair.objects.filter(pk=pk).select_related("unit", "community")).get()


def _city(request: HttpRequest) -> City:
    city_id = scope_of(request).city_id
    if city_id is None:
        raise NotFound()
    return City.objects.get(pk=city_id)


def _units(request: HttpRequest, payload: PairIn) -> tuple[Unit, Unit]:
    city_id = _city(request).pk
    units = {
        u.pk: u
        for u in Unit.objects.filter(
            city_id=city_id, pk__in=[payload.unit_id, payload.community_id]
        )
    }
    if payload.unit_id not in units:
        raise InvalidInput(_("共建单位不存在"), code="bad_unit")
    if payload.community_id not in units:
        raise InvalidInput(_("结对社区/村不存在"), code="bad_community")
    return units[payload.unit_id], units[payload.community_id]


@router.get("", response=list[PairOut], summary="结对列表", openapi_extra=filter_doc(PairFilter))
@paginate(Paged)
def list_pairs(request: HttpRequest):
    scope = scope_of(request)
    qs = selectors.pair_list_qs(scope, selectors.inactive_cutoff(scope.city_id))
    return filtered(PairFilter, request, qs)


# the fields of PairIn that create_pair and update_pair take as rows (or plain values) found here
PAIR_ROWS = {"unit_id", "community_id", "mechanisms"}


@router.post("", response={201: PairOut}, summary="新建结对（创建办）")
def create_pair(request: HttpRequest, payload: PairIn):
    unit, community = _units(request, payload)
    pair = act(
        request,
        org_services.create_pair,
        _city(request),
        **payload.dict(exclude=PAIR_ROWS),
        unit=unit,
        community=community,
        mechanisms=[m.value for m in payload.mechanisms],
    )
    return Status(201, _pair_out(request, pair.pk))


@router.get(
    "/activities",
    response=list[ActivityOut],
    summary="六联活动列表",
    openapi_extra=filter_doc(ActivityFilter),
)
@paginate(Paged)
def list_activities(request: HttpRequest):
    qs = selectors.activities_for_user(scope_of(request)).prefetch_related("photos")
    return filtered(ActivityFilter, request, qs).order_by("-held_on", "-id")


@router.get("/{pair_id}", response=PairOut, summary="结对详情")
def get_pair(request: HttpRequest, pair_id: int):
    pair = selectors.get_pair_for_user(scope_of(request), pair_id)
    return _pair_out(request, pair.pk)


@router.put("/{pair_id}", response=PairOut, summary="修改结对（创建办）")
def update_pair(request: HttpRequest, pair_id: int, payload: PairIn):
    pair = selectors.get_pair_for_user(scope_of(request), pair_id)
    unit, community = _units(request, payload)
    act(
        request,
        org_services.update_pair,
        pair,
        **payload.dict(exclude=PAIR_ROWS),
        unit=unit,
        community=community,
        mechanisms=[m.value for m in payload.mechanisms],
    )
    return _pair_out(request, pair.pk)


@router.post("/{pair_id}/end", response=PairOut, summary="结束结对（创建办）")
def end_pair(request: HttpRequest, pair_id: int, payload: PairEndIn):
    pair = selectors.get_pair_for_user(scope_of(request), pair_id)
    act(request, org_services.end_pair, pair, **payload.dict())
    return _pair_out(request, pair.pk)


@router.get("/{pair_id}/activities", response=list[ActivityOut], summary="结对的六联活动")
@paginate(Paged)
def pair_activities(request: HttpRequest, pair_id: int):
    return selectors.pair_activities(selectors.get_pair_for_user(scope_of(request), pair_id))


@router.post("/{pair_id}/activities", response={201: ActivityOut}, summary="记录六联活动")
def record_activity(request: HttpRequest, pair_id: int, payload: ActivityIn):
    pair = selectors.get_pair_for_user(scope_of(request), pair_id)
    return created(
        request,
        services.record_activity,
        pair,
        **payload.dict(exclude={"kind"}),
        kind=payload.kind.value,
    )


@router.post(
    "/activities/{activity_id}/photos", response=ActivityOut, summary="补充活动照片（multipart）"
)
def add_photos(request: HttpRequest, activity_id: int, files: File[list[UploadedFile]]):
    activity = selectors.get_activity_for_user(scope_of(request), activity_id)
    return act(request, services.add_activity_photos, activity, photos=files)
