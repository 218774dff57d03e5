from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.pagination import paginate

from chuangwen.core.endpoints import act, created
from chuangwen.core.errors import InvalidInput
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import Paged
from chuangwen.indicators.selectors import indicators_for_user
from chuangwen.org.actors import require_office
from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import TaskFilter
from .formula import FormulaError
from .metrics import evaluate_formula
from .schemas import (
    BattleMapItem,
    BattleMapOut,
    FormulaIn,
    FormulaOut,
    MetricOut,
    ReviewIn,
    TaskOut,
    TaskReportOut,
    TaskStandardOut,
    TaskStandardsIn,
)

router = Router(tags=["任务分解"])


@router.get(
    "/",
    response=list[TaskOut],
    summary="任务列表（牵头或配合，含下级单位）",
    openapi_extra=filter_doc(TaskFilter),
)
@paginate(Paged)
def list_tasks(request: HttpRequest):
    return filtered(TaskFilter, request, selectors.task_list_qs(scope_of(request)))


@router.get(
    "/battle-map",
    response=BattleMapOut,
    summary="作战图：按时限排列的任务与状态统计",
    openapi_extra=filter_doc(TaskFilter),
)
def battle_map(request: HttpRequest):
    qs = filtered(TaskFilter, request, selectors.tasks_for_user(scope_of(request)))
    items = [
        BattleMapItem(
            id=pk,
            indicator_code=code,
            lead_unit=lead,
            deadline=deadline,
            status="overdue" if overdue else st,
        )
        for pk, code, lead, deadline, st, overdue in _rows(qs)
    ]
    return BattleMapOut(counts=selectors.status_counts(qs), items=items)


def _rows(qs):
    from django.utils import timezone

    from .choices import OPEN_STATUSES

    today = timezone.localdate()
    for pk, code, lead, deadline, st in qs.order_by("deadline", "id").values_list(
        "pk", "indicator__code", "lead_unit__name", "deadline", "status"
    )[:5000]:
        yield (
            pk,
            code,
            lead,
            deadline,
            st,
            bool(deadline and deadline < today and st in OPEN_STATUSES),
        )


@router.get("/metrics", response=list[MetricOut], summary="量化指标及最新值")
def list_metrics(request: HttpRequest):
    rows = list(selectors.metrics_for_user(scope_of(request)).order_by("indicator__path", "id"))
    trends = selectors.metric_trends(rows, limit=1)
    out = []
    for m in rows:
        values = trends.get(m.pk) or []
        latest = values[-1] if values else None
        out.append(
            MetricOut(
                id=m.pk,
                indicator_id=m.indicator_id,
                name=m.name,
                formula=m.formula,
                unit_label=m.unit_label,
                target=m.target,
                value=latest.value if latest else None,
                error=latest.error if latest else "",
                at=latest.at if latest else None,
            )
        )
    return out


@router.post("/formula/check", response=FormulaOut, summary="校验并试算量化公式")
def check_formula(request: HttpRequest, payload: FormulaIn):
    scope = scope_of(request)
    require_office(request.auth, scope.city_id)  # type: ignore[attr-defined]
    assert scope.city_id is not None  # only the city's office gets past require_office
    try:
        value = evaluate_formula(payload.formula, scope.city_id)
    except FormulaError as exc:
        return FormulaOut(valid=False, message=str(exc.message))
    return FormulaOut(valid=True, value=value)


@router.get("/{task_id}", response=TaskOut, summary="任务详情")
def get_task(request: HttpRequest, task_id: int):
    return selectors.get_task_for_user(scope_of(request), task_id)


@router.get("/{task_id}/reports", response=list[TaskReportOut], summary="任务的进展报送")
def list_reports(request: HttpRequest, task_id: int):
    task = selectors.get_task_for_user(scope_of(request), task_id)
    return selectors.task_reports(task)


@router.post("/{task_id}/reports", response={201: TaskReportOut}, summary="报送进展（可附文件）")
def create_report(
    request: HttpRequest,
    task_id: int,
    text: Form[str],
    complete: Form[bool] = False,
    files: File[list[UploadedFile]] = None,  # type: ignore[assignment]
):
    task = selectors.get_task_for_user(scope_of(request), task_id)
    return created(
        request, services.report_progress, task, text=text, files=files or [], complete=complete
    )


@router.post("/reports/{report_id}/review", response=TaskReportOut, summary="审核进展（通过/退回）")
def review_report(request: HttpRequest, report_id: int, payload: ReviewIn):
    report = selectors.get_report_for_user(scope_of(request), report_id)
    return act(request, services.review_report, report, **payload.dict())


@router.get(
    "/{task_id}/standards", response=list[TaskStandardOut], summary="任务同时服务的其他体系标准"
)
def list_task_standards(request: HttpRequest, task_id: int):
    task = selectors.get_task_for_user(scope_of(request), task_id)
    return task.extra_standards.select_related("indicator__system").order_by("indicator_id")


@router.put(
    "/{task_id}/standards",
    response=list[TaskStandardOut],
    summary="设置任务同时服务的其他体系标准（创建办）",
)
def set_task_standards(request: HttpRequest, task_id: int, payload: TaskStandardsIn):
    scope = scope_of(request)
    task = selectors.get_task_for_user(scope, task_id)
    ids = sorted(set(payload.indicator_ids))
    found = list(indicators_for_user(scope).filter(pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput(_("测评标准不存在"), code="bad_indicator")
    act(request, services.set_task_standards, task, indicators=found)
    return task.extra_standards.select_related("indicator__system").order_by("indicator_id")
