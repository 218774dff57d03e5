from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Lat, Lon, Paged
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import GridFilter, PersonFilter, UnitFilter
from .schemas import GridDetailOut, GridOut, LocateOut, PersonOut, UnitOut

router = Router(tags=["组织架构"])


@router.get(
    "/units",
    response=list[UnitOut],
    summary="单位列表（本单位及下级）",
    openapi_extra=filter_doc(UnitFilter),
)
@paginate(Paged)
def list_units(request: HttpRequest):
    qs = selectors.units_for_user(scope_of(request))
    return filtered(UnitFilter, request, qs).order_by("path")


@router.get("/units/{unit_id}", response=UnitOut, summary="单位详情")
def get_unit(request: HttpRequest, unit_id: int):
    return selectors.get_unit_for_user(scope_of(request), unit_id)


@router.get(
    "/grids", response=list[GridOut], summary="网格列表", openapi_extra=filter_doc(GridFilter)
)
@paginate(Paged)
def list_grids(request: HttpRequest):
    qs = selectors.grids_for_user(scope_of(request))
    return filtered(GridFilter, request, qs).order_by("code")


@router.get("/grids/{grid_id}", response=GridDetailOut, summary="网格详情（含边界）")
def get_grid(request: HttpRequest, grid_id: int):
    grid = selectors.get_grid_for_user(scope_of(request), grid_id)
    grid.worker_ids = list(grid.workers.values_list("pk", flat=True))  # type: ignore[attr-defined]
    return grid


@router.get(
    "/people",
    response=list[PersonOut],
    summary="人员列表（手机号脱敏）",
    openapi_extra=filter_doc(PersonFilter),
)
@paginate(Paged)
def list_people(request: HttpRequest):
    qs = selectors.people_for_user(scope_of(request)).prefetch_related("memberships")
    return filtered(PersonFilter, request, qs).order_by("name", "pk")


@router.get("/people/{person_id}", response=PersonOut, summary="人员详情")
def get_person(request: HttpRequest, person_id: int):
    return selectors.get_person_for_user(scope_of(request), person_id)


class LocateQuery(Schema):
    lon: Lon
    lat: Lat
    crs: str = "wgs84"


@router.get("/locate", response=LocateOut, summary="坐标定位网格（支持 WGS-84 / GCJ-02）")
def locate(request: HttpRequest, query: Query[LocateQuery]):
    scope = scope_of(request)
    if scope.city_id is None:
        return LocateOut(found=False, message="账号未关联城市")
    hit = services.locate_point(scope.city_id, query.lon, query.lat, query.crs)
    if hit is None:
        return LocateOut(found=False, message="该位置不在任何网格内")
    return LocateOut(found=True, grid_id=hit.grid_id, grid_code=hit.code, unit_id=hit.unit_id)
