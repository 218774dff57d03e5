from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.org.scope import scope_of

from . import selectors
from .filters import SiteFilter
from .schemas import AssignmentOut, SiteDetailOut, SiteOut

router = Router(tags=["点位"])


@router.get(
    "/sites", response=list[SiteOut], summary="点位列表", openapi_extra=filter_doc(SiteFilter)
)
@paginate(Paged)
def list_sites(request: HttpRequest):
    qs = selectors.sites_for_user(scope_of(request))
    return filtered(SiteFilter, request, qs).order_by("code")


@router.get("/sites/{site_id}", response=SiteDetailOut, summary="点位详情（含几何与包保单位）")
def get_site(request: HttpRequest, site_id: int):
    site = selectors.get_site_for_user(scope_of(request), site_id)
    site.assignments_list = list(site.assignments.all())  # type: ignore[attr-defined]
    return SiteDetailOut(
        **{k: getattr(site, k) for k in SiteOut.model_fields},
        geometry=site.geometry,
        attributes=site.attributes,
        assignments=[AssignmentOut(unit_id=a.unit_id, role=a.role) for a in site.assignments_list],  # type: ignore[attr-defined]
    )
