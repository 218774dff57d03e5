from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from chuangwen.core.endpoints import act
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import ActionFilter, NoticeFilter, PlanFilter
from .schemas import (
    ActionOut,
    InspectionCheckItemOut,
    NoticeOut,
    PlanDetailOut,
    PlanOut,
    ResultIn,
    ResultOut,
    SampleOut,
)

router = Router(tags=["督查检查"])


@router.get(
    "/plans", response=list[PlanOut], summary="督查计划列表", openapi_extra=filter_doc(PlanFilter)
)
@paginate(Paged)
def list_plans(request: HttpRequest):
    qs = selectors.plans_for_user(scope_of(request))
    return filtered(PlanFilter, request, qs).order_by("-id")


@router.get("/plans/{plan_id}", response=PlanDetailOut, summary="督查计划详情（含抽样记录）")
def get_plan(request: HttpRequest, plan_id: int):
    return selectors.get_plan_for_user(scope_of(request), plan_id)


@router.get("/plans/{plan_id}/samples", response=list[SampleOut], summary="抽样点位")
@paginate(Paged)
def list_samples(request: HttpRequest, plan_id: int):
    plan = selectors.get_plan_for_user(scope_of(request), plan_id)
    return plan.samples.order_by("site_type__sort", "rank")


@router.get(
    "/plans/{plan_id}/samples/{sample_id}/checklist",
    response=list[InspectionCheckItemOut],
    summary="抽样点位的检查项",
)
def get_checklist(request: HttpRequest, plan_id: int, sample_id: int):
    scope = scope_of(request)
    plan = selectors.get_plan_for_user(scope, plan_id)
    return services.checklist(plan, selectors.get_sample_for_user(scope, plan, sample_id))


@router.post(
    "/plans/{plan_id}/results",
    response={200: ResultOut, 201: ResultOut},
    summary="提交检查结果（按 uuid 幂等：重复提交返回已存的结果）",
)
def submit_result(request: HttpRequest, plan_id: int, payload: ResultIn):
    plan = selectors.get_plan_for_user(scope_of(request), plan_id)
    data = services.CheckData(
        **payload.dict(exclude={"photos"}),
        photos=[services.decode_photo(p) for p in payload.photos],
    )
    out = act(request, services.submit_check, plan, data)
    r = out.result
    body = ResultOut(
        id=r.pk,
        uuid=r.uuid,
        created=out.created,
        score=r.score,
        failed=r.failed,
        case_id=r.case_id,
        place=r.place,
    )
    return Status(201 if out.created else 200, body)


@router.get(
    "/notices",
    response=list[NoticeOut],
    summary="督查通知书",
    openapi_extra=filter_doc(NoticeFilter),
)
@paginate(Paged)
def list_notices(request: HttpRequest):
    qs = selectors.notices_for_user(scope_of(request))
    return filtered(NoticeFilter, request, qs).order_by("-id")


@router.post("/notices/{notice_id}/acknowledge", response=NoticeOut, summary="签收通知书")
def acknowledge(request: HttpRequest, notice_id: int):
    notice = selectors.get_notice_for_user(scope_of(request), notice_id)
    return act(request, services.acknowledge_notice, notice)


@router.get(
    "/actions", response=list[ActionOut], summary="议定事项", openapi_extra=filter_doc(ActionFilter)
)
@paginate(Paged)
def list_actions(request: HttpRequest):
    qs = selectors.actions_for_user(scope_of(request))
    return filtered(ActionFilter, request, qs).order_by("deadline", "id")
