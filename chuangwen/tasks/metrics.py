"""Quantified targets (量化指标): the platform quantities formulas may use, the metric services
(formula validated on save) and the scheduled recomputation into ``MetricValue`` rows.

The vocabulary (every quantity counts the city's own rows)::

    sites.count(type)                 active sites of a type (name or code, e.g. "农贸市场");
                                      no argument: all sites
    sites.sum(type, field)            sum over those sites of "length_m", "length_km",
                                      "area_m2" or a numeric attribute (e.g. "摊位数")
    sites.without_open_cases(type)    sites of the type with no open case in their grid
                                      (a case carries its grid, not a site)
    cases.count(...)                  cases; keywords narrow them:
    cases.open(...)                     indicator="6.1" (code or prefix), category="SJ01"
    cases.closed(...)                   (code or prefix), source="citizen", days=30
    cases.overdue(...)                  (reported within the last N days)
    tasks.count(indicator, status)    tasks (not withdrawn) of a standard or subtree
    tasks.done_ratio(indicator)       done / all tasks (0–1) of a standard or subtree
    tasks.overdue(indicator)          unfinished tasks past their deadline

Apps above tasks add their own namespaces with ``register_quantities`` (e.g. ``volunteers.*``,
registered in ``VolunteersConfig.ready``).

Sites and cases are below tasks in the layering, so their models, states and the overdue
rule are imported from those apps (``cases.choices``, ``cases.selectors``), never copied.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chuangwen.cases.choices import FINISHED, OPEN, State
from chuangwen.cases.models import Case
from chuangwen.cases.selectors import open_overdue_q
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.indicators.choices import SystemStatus
from chuangwen.indicators.models import Indicator, Metric, SiteType
from chuangwen.org.actors import require_office
from chuangwen.org.models import City
from chuangwen.sites.models import Site

from . import formula
from .choices import TaskStatus
from .formula import FormulaError, Quantity
from .models import MetricValue, Task
from .services import OFFICE_TASKS

CASE_CLOSED = frozenset({State.CLOSED, State.RATED})  # 结案 (rejected ones never were cases)
SITE_NUMBER_FIELDS = {
    "length_m": ("length_m", 1),
    "length_km": ("length_m", 1000),
    "area_m2": ("area_m2", 1),
}


@dataclass
class MetricContext:
    city_id: int


def _site_qs(ctx: MetricContext, site_type: str = "") -> QuerySet:
    qs = Site.objects.filter(city_id=ctx.city_id, active=True)
    if site_type:
        type_ids = list(
            SiteType.objects.filter(city_id=ctx.city_id)
            .filter(Q(name=site_type) | Q(code=site_type))
            .values_list("pk", flat=True)
        )
        if not type_ids:
            raise FormulaError(_("点位类型「%(site_type)s」不存在") % {"site_type": site_type})
        qs = qs.filter(site_type_id__in=type_ids)
    return qs


def sites_count(ctx: MetricContext, site_type: str = "") -> Decimal:
    return Decimal(_site_qs(ctx, str(site_type)).count())


def sites_sum(ctx: MetricContext, site_type: str, field: str) -> Decimal:
    qs = _site_qs(ctx, str(site_type))
    field = str(field)
    if field in SITE_NUMBER_FIELDS:
        column, divisor = SITE_NUMBER_FIELDS[field]
        total = qs.aggregate(v=Sum(column))["v"] or 0
        return Decimal(str(total)) / divisor
    total = Decimal(0)
    for attrs in qs.values_list("attributes", flat=True):
        value = (attrs or {}).get(field)
        if value in (None, ""):
            continue
        try:
            total += Decimal(str(value))
        except ArithmeticError as exc:
            raise FormulaError(
                _("点位属性「%(field)s」有非数字的值「%(value)s」")
                % {"field": field, "value": value}
            ) from exc
    return total


def sites_without_open_cases(ctx: MetricContext, site_type: str) -> Decimal:
    qs = _site_qs(ctx, str(site_type))
    # a case carries its grid: an open case in the site's grid is a problem of the site
    problem = Case.objects.filter(city_id=ctx.city_id, state__in=OPEN, grid_id=OuterRef("grid_id"))
    return Decimal(qs.filter(~Exists(problem)).count())


def _case_qs(
    ctx: MetricContext,
    indicator: str = "",
    category: str = "",
    source: str = "",
    days: Any = None,
) -> QuerySet:
    qs = Case.objects.filter(city_id=ctx.city_id)
    if indicator:
        code = str(indicator).rstrip(".")
        qs = qs.filter(Q(indicator__code=code) | Q(indicator__code__startswith=code + "."))
    if category:
        qs = qs.filter(category__code__startswith=str(category))
    if source:
        qs = qs.filter(source=str(source))
    if days not in (None, ""):
        qs = qs.filter(reported_at__gte=timezone.now() - dt.timedelta(days=int(Decimal(days))))
    return qs


def cases_count(ctx: MetricContext, **kw: Any) -> Decimal:
    return Decimal(_case_qs(ctx, **kw).count())


def cases_open(ctx: MetricContext, **kw: Any) -> Decimal:
    return Decimal(_case_qs(ctx, **kw).exclude(state__in=FINISHED).count())


def cases_closed(ctx: MetricContext, **kw: Any) -> Decimal:
    return Decimal(_case_qs(ctx, **kw).filter(state__in=CASE_CLOSED).count())


def cases_overdue(ctx: MetricContext, **kw: Any) -> Decimal:
    return Decimal(_case_qs(ctx, **kw).filter(open_overdue_q()).count())


def _task_qs(ctx: MetricContext, indicator: str = "") -> QuerySet:
    qs = Task.objects.filter(city_id=ctx.city_id, indicator__system__status=SystemStatus.ACTIVE)
    qs = qs.exclude(status=TaskStatus.CLOSED)
    if indicator:
        code = str(indicator).rstrip(".")
        qs = qs.filter(Q(indicator__code=code) | Q(indicator__code__startswith=code + "."))
    return qs


def tasks_count(ctx: MetricContext, indicator: str = "", status: str = "") -> Decimal:
    qs = _task_qs(ctx, indicator)
    if status:
        if status not in TaskStatus.values:
            raise FormulaError(
                _("任务状态「%(status)s」无效（可用：%(taskstatus_values)s）")
                % {"status": status, "taskstatus_values": "、".join(TaskStatus.values)}
            )
        qs = qs.filter(status=status)
    return Decimal(qs.count())


def tasks_done_ratio(ctx: MetricContext, indicator: str = "") -> Decimal:
    qs = _task_qs(ctx, indicator)
    total = qs.count()
    if total == 0:
        raise FormulaError(
            _("指标「%(indicator)s」没有任务，完成率无法计算") % {"indicator": indicator}
            if indicator
            else _("没有任务，完成率无法计算")
        )
    return Decimal(qs.filter(status=TaskStatus.DONE).count()) / Decimal(total)


def tasks_overdue(ctx: MetricContext, indicator: str = "") -> Decimal:
    from .selectors import overdue_q

    return Decimal(_task_qs(ctx, indicator).filter(overdue_q()).count())


CASE_KW = frozenset({"indicator", "category", "source", "days"})
CASE_LABELS = {
    "count": gettext_lazy("案件数（可按指标、类别、来源、最近天数筛选）"),
    "open": gettext_lazy("未办结的案件数"),
    "closed": gettext_lazy("已结案的案件数"),
    "overdue": gettext_lazy("已超期未办结的案件数"),
}
VOCABULARY: dict[str, dict[str, Quantity]] = {
    "sites": {
        "count": Quantity(
            sites_count,
            0,
            1,
            doc='sites.count("点位类型")',
            label=gettext_lazy("某类点位的数量（不填类型则为全部在用点位）"),
        ),
        "sum": Quantity(
            sites_sum,
            2,
            2,
            doc='sites.sum("点位类型", "length_km")',
            label=gettext_lazy(
                "某类点位的长度（length_m 米、length_km 公里）、面积（area_m2）或数值属性之和"
            ),
        ),
        "without_open_cases": Quantity(
            sites_without_open_cases,
            1,
            1,
            doc='sites.without_open_cases("农贸市场")',
            label=gettext_lazy("所在网格没有未办结案件的某类点位数"),
        ),
    },
    "cases": {
        name: Quantity(
            func,
            0,
            0,
            CASE_KW,
            doc=f'cases.{name}(indicator="6.1", days=30)',
            label=CASE_LABELS[name],
        )
        for name, func in {
            "count": cases_count,
            "open": cases_open,
            "closed": cases_closed,
            "overdue": cases_overdue,
        }.items()
    },
    "tasks": {
        "count": Quantity(
            tasks_count,
            0,
            2,
            frozenset({"indicator", "status"}),
            doc='tasks.count("6.1", "done")',
            label=gettext_lazy("某指标（含下级）的任务数，可按状态筛选"),
        ),
        "done_ratio": Quantity(
            tasks_done_ratio,
            0,
            1,
            frozenset({"indicator"}),
            doc='tasks.done_ratio("6.1")',
            label=gettext_lazy("某指标（含下级）任务的完成率（0–1）"),
        ),
        "overdue": Quantity(
            tasks_overdue,
            0,
            1,
            frozenset({"indicator"}),
            doc='tasks.overdue("6.1")',
            label=gettext_lazy("某指标（含下级）已超期未完成的任务数"),
        ),
    },
}


@dataclass(frozen=True)
class QuantityHelp:
    name: str  # namespace.name
    example: str
    label: str


def quantities_help() -> list[QuantityHelp]:
    """Every quantity a formula may use, with an example call and what it counts (the editor's
    reference list; apps above tasks appear once they registered theirs)."""
    return [
        QuantityHelp(f"{ns}.{name}", q.doc, str(q.label or ""))
        for ns, names in VOCABULARY.items()
        for name, q in names.items()
    ]


def register_quantities(namespace: str, quantities: dict[str, Quantity]) -> None:
    """Add an app's quantities to the vocabulary under ``namespace`` (from the app's
    ``AppConfig.ready``): apps above tasks (volunteers …) offer their counts to formulas this
    way, without tasks importing them. Each function is called as ``func(ctx, *args)`` with a
    ``MetricContext``; the built-in namespaces cannot be replaced."""
    if namespace in {"sites", "cases", "tasks"}:
        raise ValueError(f"namespace {namespace!r} is built in")
    VOCABULARY.setdefault(namespace, {}).update(quantities)


def validate_formula(source: str) -> formula.Formula:
    return formula.parse(source, VOCABULARY)


def evaluate_formula(source: str, city_id: int, cache: dict | None = None) -> Decimal:
    return formula.evaluate(validate_formula(source), VOCABULARY, MetricContext(city_id), cache)


# --- metric services ------------------------------------------------------------------------

METRIC_FIELDS = ["indicator", "name", "formula", "unit_label", "target"]


@transaction.atomic
def create_metric(
    city: City,
    *,
    indicator: Indicator,
    name: str,
    formula_text: str,
    unit_label: str = "",
    target: Decimal | None = None,
    acting_user: Any,
) -> Metric:
    require_office(acting_user, city, OFFICE_TASKS)
    if indicator.system.city_id != city.pk:
        raise InvalidInput(_("指标不属于本城市"), code="bad_indicator")
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("请填写量化指标名称"), code="required")
    validate_formula(formula_text)  # refused before anything is saved
    metric = Metric.objects.create(
        city=city,
        indicator=indicator,
        name=name[:200],
        formula=formula_text.strip(),
        unit_label=unit_label[:20],
        target=target,
    )
    audit.record(
        "tasks.metric.created",
        metric,
        actor=acting_user,
        after=audit.snapshot(metric, METRIC_FIELDS),
        summary=metric.name,
    )
    return metric


@transaction.atomic
def update_metric(metric: Metric, *, acting_user: Any, **changes: Any) -> Metric:
    metric = Metric.objects.select_for_update().get(pk=metric.pk)
    require_office(acting_user, metric.city_id, OFFICE_TASKS)
    if "formula" in changes:
        changes["formula"] = (changes["formula"] or "").strip()
        validate_formula(changes["formula"])
    before = audit.snapshot(metric, METRIC_FIELDS)
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()[:200]
        if not changes["name"]:
            raise InvalidInput(_("请填写量化指标名称"), code="required")
    indicator = changes.get("indicator")
    if indicator is not None and indicator.system.city_id != metric.city_id:
        raise InvalidInput(_("指标不属于本城市"), code="bad_indicator")
    for key, value in changes.items():
        if key not in {"indicator", "name", "formula", "unit_label", "target"}:
            raise InvalidInput(_("不能修改字段：%(key)s") % {"key": key}, code="bad_field")
        setattr(metric, key, value)
    metric.save(update_fields=[*changes.keys(), "updated_at"])
    b, a = audit.changes(before, audit.snapshot(metric, METRIC_FIELDS))
    audit.record("tasks.metric.updated", metric, actor=acting_user, before=b, after=a)
    return metric


@dataclass
class RecomputeResult:
    computed: int = 0
    failed: int = 0


def recompute_metrics(
    city: City | int, metrics: Iterable[Metric] | None = None, at: dt.datetime | None = None
) -> RecomputeResult:
    """Evaluate every metric of the city's active versions and keep the values (the trend)."""
    city_id: int = city if isinstance(city, int) else city.pk
    qs = (
        list(metrics)
        if metrics is not None
        else list(
            Metric.objects.filter(city_id=city_id, indicator__system__status=SystemStatus.ACTIVE)
            .exclude(formula="")  # a target without a formula is not computed
            .order_by("pk")
        )
    )
    at = at or timezone.now()
    cache: dict = {}
    rows, result = [], RecomputeResult()
    for metric in qs:
        try:
            value = evaluate_formula(metric.formula, city_id, cache)
            rows.append(MetricValue(metric=metric, at=at, value=value.quantize(Decimal("0.0001"))))
            result.computed += 1
        except FormulaError as exc:
            rows.append(MetricValue(metric=metric, at=at, error=str(exc.message)[:300]))
            result.failed += 1
    MetricValue.objects.bulk_create(rows)
    return result
