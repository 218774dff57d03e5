from typing import Any

from django.db.models import Prefetch
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from chuangwen.core.endpoints import act
from chuangwen.core.errors import NotFound
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import DbId, Paged
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import IndicatorFilter, LinkFilter
from .models import CheckItem, Indicator
from .schemas import (
    ChecklistOut,
    DiffOut,
    DiffRowOut,
    IndicatorOut,
    LinkIn,
    LinkOut,
    NegativeItemOut,
    SiteTypeOut,
    SystemOut,
)

router = Router(tags=["测评体系"])


def _system(scope: Any, system: int | None):
    found = selectors.current_system(scope, system)
    if found is None:
        raise NotFound(_("尚未导入测评体系"))
    return found


@router.get("/systems", response=list[SystemOut], summary="测评体系版本列表")
def list_systems(request: HttpRequest):
    return list(selectors.systems_for_user(scope_of(request)))


@router.get("/systems/{system_id}", response=SystemOut, summary="版本详情")
def get_system(request: HttpRequest, system_id: int):
    return selectors.get_system_for_user(scope_of(request), system_id)


@router.get(
    "/tree",
    response=list[IndicatorOut],
    summary="指标树（按路径排序，可筛选）",
    openapi_extra=filter_doc(IndicatorFilter),
)
@paginate(Paged)
def tree(request: HttpRequest, system: DbId | None = None):
    scope = scope_of(request)
    qs = selectors.indicators_for_user(scope, _system(scope, system))
    return filtered(IndicatorFilter, request, qs).order_by("path")


@router.get("/nodes/{node_id}", response=IndicatorOut, summary="指标详情")
def get_node(request: HttpRequest, node_id: int):
    return selectors.get_indicator_for_user(scope_of(request), node_id)


@router.get("/checklists", response=list[ChecklistOut], summary="点位类型及其检查清单")
def checklists(request: HttpRequest, system: DbId | None = None):
    scope = scope_of(request)
    found = _system(scope, system)
    items = (
        CheckItem.objects.filter(system=found)
        .order_by("sort")
        .prefetch_related(Prefetch("standards", queryset=Indicator.objects.order_by("path")))
    )
    types = selectors.site_types_for_user(scope).prefetch_related(
        Prefetch("check_items", queryset=items, to_attr="items")
    )
    return list(types)


@router.get("/site-types", response=list[SiteTypeOut], summary="点位类型")
def site_types(request: HttpRequest):
    return list(selectors.site_types_for_user(scope_of(request)))


@router.get("/negative-list", response=list[NegativeItemOut], summary="负面清单")
def negative_list(request: HttpRequest, system: DbId | None = None):
    return list(selectors.negative_list(_system(scope_of(request), system)))


@router.get("/systems/{system_id}/diff", response=DiffOut, summary="与上一版本的差异")
def diff(request: HttpRequest, system_id: int):
    found = selectors.get_system_for_user(scope_of(request), system_id)
    report = services.diff_report(found)
    rows = [
        DiffRowOut(
            kind=r.kind,
            old_id=r.old.pk if r.old else None,
            old_code=r.old.code if r.old else None,
            new_id=r.new.pk if r.new else None,
            new_code=r.new.code if r.new else None,
            title=node.title if (node := r.new or r.old) is not None else "",
            detail=r.detail,
        )
        for r in report.rows
    ]
    return DiffOut(
        system_id=found.pk, previous_id=found.previous_id, counts=report.counts, rows=rows
    )


# --- 多城联创: standards linked across systems ------------------------------------------------


@router.get(
    "/links", response=list[LinkOut], summary="跨体系标准对应", openapi_extra=filter_doc(LinkFilter)
)
@paginate(Paged)
def list_links(request: HttpRequest):
    return filtered(LinkFilter, request, selectors.links_for_user(scope_of(request))).order_by("id")


@router.post("/links", response={201: LinkOut}, summary="新建跨体系标准对应（创建办）")
def create_link(request: HttpRequest, payload: LinkIn):
    scope = scope_of(request)
    a = selectors.get_indicator_for_user(scope, payload.a_id)
    b = selectors.get_indicator_for_user(scope, payload.b_id)
    link = act(request, services.link_standards, a, b, **payload.dict(exclude={"a_id", "b_id"}))
    return Status(201, selectors.get_link_for_user(scope, link.pk))


@router.delete(
    "/links/{link_id}", response=LinkOut, summary="删除跨体系标准对应（创建办；返回被删除的对应）"
)
def delete_link(request: HttpRequest, link_id: int):
    link = selectors.get_link_for_user(scope_of(request), link_id)
    out = LinkOut.from_orm(link)
    act(request, services.unlink_standards, link)
    return out
