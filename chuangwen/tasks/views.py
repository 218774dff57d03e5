import tempfile
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from chuangwen.core.documents import DOCX
from chuangwen.core.errors import ImportFailed, InvalidInput, NotFound
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import PDF, download, list_template, stored_file
from chuangwen.core.xlsx import XLSX
from chuangwen.indicators.choices import CityTitle
from chuangwen.indicators.selectors import (
    active_system,
    get_indicator_for_user,
    indicators_for_user,
)
from chuangwen.org.actors import unit_allows
from chuangwen.org.models import City
from chuangwen.org.selectors import get_unit_for_user

from . import booklets, decomposition, ledger, metrics, selectors, services
from .choices import TaskStatus
from .filters import TaskFilter
from .forms import FormulaCheckForm, MetricForm, RuleForm
from .models import DecompositionRule, Webhook
from .tables import TaskTable

# --- tasks ------------------------------------------------------------------------------------


@member_required
def task_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    f = TaskFilter(request.GET, queryset=selectors.task_list_qs(scope))
    table = TaskTable(request, f.qs)
    template = list_template(request, "tasks/task_list.html", "tasks/_task_rows.html")
    return render(request, template, {"filter": f, "table": table, "page": table.page})


@member_required
def export(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    qs = TaskFilter(request.GET, queryset=selectors.tasks_for_user(scope)).qs
    return download(decomposition.export_decomposition(qs), "任务分解.xlsx", XLSX)


@member_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    task = selectors.get_task_for_user(scope, pk)
    return render(
        request,
        "tasks/task_detail.html",
        {
            "task": task,
            "supporting": task.supporting_units.order_by("path"),
            "reports": selectors.task_reports(task),
            "can_report": services.can_act_on(scope, task)
            and not scope.read_only
            and task.status not in (TaskStatus.DONE, TaskStatus.CLOSED),
            "metrics": task.indicator.metrics.all(),
            "extra": task.extra_standards.select_related("indicator__system").order_by(
                "indicator__system_id", "indicator__path"
            ),
            "proposed": services.proposed_standards(task),
        },
    )


@office_required
@require_POST
def task_standards(request: HttpRequest, pk: int) -> HttpResponse:
    """多城联创: set the other systems' standards the task also serves (check boxes: the current
    ones, the proposals from the standard links and any found with the search picker)."""
    scope = request.scope  # type: ignore[attr-defined]
    task = selectors.get_task_for_user(scope, pk)
    try:
        ids = sorted({int(v) for v in request.POST.getlist("standards")})
    except ValueError as exc:
        raise InvalidInput(_("测评标准编号无效"), code="bad_indicator") from exc
    found = list(indicators_for_user(scope).filter(pk__in=ids))
    if len(found) != len(ids):
        raise InvalidInput(_("测评标准不存在"), code="bad_indicator")
    services.set_task_standards(task, indicators=found, acting_user=request.user)
    messages.success(request, _("已保存：兼顾其他体系标准 %(n)s 条") % {"n": len(found)})
    return redirect("tasks:detail", task.pk)


@office_required
@require_POST
def apply_links(request: HttpRequest) -> HttpResponse:
    city = City.objects.get(pk=request.scope.city_id)  # type: ignore[attr-defined]
    n = services.apply_links_to_tasks(city, acting_user=request.user)
    messages.success(request, _("已按跨体系对应关系为任务新增兼顾标准 %(n)s 条") % {"n": n})
    return redirect("tasks:titles")


@member_required
def titles(request: HttpRequest) -> HttpResponse:
    """多城联创总览 (for leaders and the office): each title's standards, coverage by tasks, links
    to other systems and the tasks' progress; filter by title."""
    scope = request.scope  # type: ignore[attr-defined]
    title = request.GET.get("title", "")
    if title and title not in CityTitle.values:
        raise InvalidInput(_("未知的创建称号"), code="bad_title")
    rows = selectors.titles_overview(scope, title)
    return render(
        request,
        "tasks/titles.html",
        {"rows": rows, "title": title, "titles": CityTitle.choices},
    )


@member_required
@require_POST
def report(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    task = selectors.get_task_for_user(scope, pk)
    try:
        services.report_progress(
            task,
            text=request.POST.get("text", ""),
            files=request.FILES.getlist("files"),
            complete=request.POST.get("complete") == "on",
            acting_user=request.user,
        )
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("进展已报送，等待创建办审核"))
    return redirect("tasks:detail", pk=task.pk)


@office_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    progress = selectors.get_report_for_user(scope, pk)
    try:
        services.review_report(
            progress,
            accept=request.POST.get("decision") == "accept",
            comment=request.POST.get("comment", ""),
            acting_user=request.user,
        )
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    return redirect("tasks:detail", pk=progress.task_id)


@member_required  # type: ignore[arg-type]
def evidence(request: HttpRequest, pk: int) -> FileResponse:
    item = selectors.get_evidence_for_user(request.scope, pk)  # type: ignore[attr-defined]
    return stored_file(item.file, item.original_name)


@office_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.get_task_for_user(request.scope, pk)  # type: ignore[attr-defined]
    try:
        services.close_task(task, reason=request.POST.get("reason", ""), acting_user=request.user)
    except InvalidInput as exc:
        messages.error(request, str(exc.message))
    return redirect("tasks:stranded")


@office_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    task = selectors.get_task_for_user(scope, pk)
    system = active_system(scope)
    code = (request.POST.get("code") or "").strip()
    target = system.indicators.filter(code=code).first() if system else None
    if target is None:
        messages.error(request, _("现行版本中没有指标「%(code)s」") % {"code": code})
    else:
        try:
            services.update_task(task, indicator=target, acting_user=request.user)
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
    return redirect("tasks:stranded")


@office_required
def stranded(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    rows = selectors.stranded_tasks(scope)
    return render(request, "tasks/stranded.html", {"rows": rows, "system": active_system(scope)})


# --- decomposition ---------------------------------------------------------------------------


@office_required
def rules(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    system = active_system(scope)
    form = RuleForm(
        request.POST if request.POST.get("action") == "create" else None, city_id=scope.city_id
    )
    if request.method == "POST" and request.POST.get("action") == "create":
        if form.is_valid():
            data: dict[str, Any] = dict(form.cleaned_data)
            for key in ("method", "lead_kind", "support_from_sites"):
                data[key] = data[key] or ""
            try:
                decomposition.create_rule(
                    City.objects.get(pk=scope.city_id), acting_user=request.user, **data
                )
            except InvalidInput as exc:
                form.add_error(None, str(exc.message))
            else:
                messages.success(request, _("规则已保存"))
                return redirect("tasks:rules")
    elif request.method == "POST":
        if system is None:
            messages.error(request, _("尚未启用测评体系"))
        else:
            result = decomposition.apply_rules(system, acting_user=request.user)
            messages.success(
                request,
                _(
                    "分解完成：新建任务 %(created)s 项，已有 %(existing)s 项，"
                    "补充配合单位 %(supports)s 个"
                )
                % {
                    "created": result.created,
                    "existing": result.existing,
                    "supports": result.supports_added,
                },
            )
            for warning in result.warnings:
                messages.warning(request, warning)
        return redirect("tasks:rules")
    rows = (
        DecompositionRule.objects.filter(city_id=scope.city_id)
        .select_related("site_type", "lead_unit")
        .prefetch_related("supporting_units")
    )
    status = 400 if form.errors else 200
    return render(
        request, "tasks/rules.html", {"rows": rows, "system": system, "form": form}, status=status
    )


@office_required
def import_page(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    system = active_system(scope)
    failure = None
    if request.method == "POST":
        upload = request.FILES.get("file")
        if system is None or upload is None:
            messages.error(request, _("请先启用测评体系并选择文件"))
        else:
            try:
                n = decomposition.import_decomposition(
                    system, upload.read(), acting_user=request.user
                )
            except ImportFailed as exc:
                failure = exc
            else:
                messages.success(request, _("导入成功：%(n)s 项任务") % {"n": n})
                return redirect("tasks:import")
    return render(
        request,
        "tasks/import.html",
        {"failure": failure, "system": system, "columns": decomposition.IMPORT_COLUMNS},
        status=400 if failure else 200,
    )


# --- battle map ------------------------------------------------------------------------------


def _battle_map(request: HttpRequest, unit=None) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    params = request.GET.copy()
    if unit is not None:
        params["unit"] = str(unit.pk)
    f = TaskFilter(params, queryset=selectors.task_list_qs(scope))
    board = selectors.battle_map(f.qs)
    return render(
        request,
        "tasks/battle_map.html",
        {
            "filter": f,
            "unit": unit,
            "board": board,
            "list_query": params.urlencode(),
            "chart": {
                "months": [f"{m['month']:%Y-%m}" for m in board.months],
                "overdue": [m["overdue"] for m in board.months],
                "open": [m["open"] for m in board.months],
                "done": [m["done"] for m in board.months],
            },
        },
    )


@member_required
def battle_map(request: HttpRequest) -> HttpResponse:
    return _battle_map(request)


@member_required
def battle_map_unit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_unit_for_user(request.scope, unit_id)  # type: ignore[attr-defined]
    return _battle_map(request, unit)


# --- documents -------------------------------------------------------------------------------


@member_required
def pledges(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError as exc:
        raise InvalidInput(_("年度无效")) from exc
    if request.method == "POST":
        # a Word document per unit takes minutes for a big city: a background job does it
        city = City.objects.get(pk=scope.city_id)
        job = booklets.submit_pledge_generation(
            city, year, kind=request.POST.get("kind", "pledge"), acting_user=request.user
        )
        messages.success(
            request, _("已提交后台任务「%(title)s」，本页显示进度和结果") % {"title": job.title}
        )
        return redirect("job", pk=job.pk)
    rows = list(selectors.pledges_for_user(scope).filter(year=year).order_by("unit__path"))
    for p in rows:  # the upload form only where the service would take the file
        p.can_sign = unit_allows(scope, p.unit)  # type: ignore[attr-defined]
    unsigned = [p for p in rows if not p.is_signed]
    return render(request, "tasks/pledges.html", {"rows": rows, "year": year, "unsigned": unsigned})


@member_required  # type: ignore[arg-type]
def pledge_document(request: HttpRequest, pk: int, which: str) -> FileResponse:
    pledge = selectors.get_pledge_for_user(request.scope, pk)  # type: ignore[attr-defined]
    if which == "signed":
        return stored_file(
            pledge.signed_scan,
            f"{pledge.title}-{pledge.unit.name}-签署件{str(pledge.signed_scan.name)[-4:]}",
        )
    if which != "docx":
        raise NotFound()
    return stored_file(pledge.document, f"{pledge.title}-{pledge.unit.name}.docx")


@member_required
@require_POST
def pledge_sign(request: HttpRequest, pk: int) -> HttpResponse:
    pledge = selectors.get_pledge_for_user(request.scope, pk)  # type: ignore[attr-defined]
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择签署扫描件"))
    else:
        try:
            services.upload_signed_pledge(
                pledge, name=upload.name or "file", data=upload.read(), acting_user=request.user
            )
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("签署扫描件已上传"))
    return redirect(f"{redirect('tasks:pledges').url}?year={pledge.year}")


@member_required
def pocket_book(request: HttpRequest, unit_id: int, fmt: str) -> HttpResponse:
    unit = get_unit_for_user(request.scope, unit_id)  # type: ignore[attr-defined]
    if fmt == "docx":
        return download(
            booklets.pocket_book_docx(unit), booklets.booklet_filename(unit, "docx"), DOCX
        )
    if fmt == "pdf":
        return download(
            booklets.pocket_book_pdf(unit),
            booklets.booklet_filename(unit, "pdf"),
            PDF,
        )
    raise NotFound()


@member_required  # type: ignore[arg-type]
def ledger_zip(request: HttpRequest) -> FileResponse:
    scope = request.scope  # type: ignore[attr-defined]
    tasks = TaskFilter(request.GET, queryset=selectors.tasks_for_user(scope)).qs
    out = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the FileResponse)
    ledger.write_ledger(
        ledger.ledger_evidence(tasks, include_pending=request.GET.get("pending") == "1"), out
    )
    out.seek(0)
    return FileResponse(out, as_attachment=True, filename=f"台账-{timezone.localdate():%Y%m%d}.zip")


# --- metrics, webhooks ---------------------------------------------------------------------------


@member_required
def metric_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    rows = list(selectors.metrics_for_user(scope).order_by("indicator__path", "id"))
    trends = selectors.metric_trends(rows)
    for m in rows:
        m.trend = trends.get(m.pk, [])  # type: ignore[attr-defined]
        m.latest = m.trend[-1] if m.trend else None  # type: ignore[attr-defined]
    return render(request, "tasks/metrics.html", {"rows": rows, "can_edit": scope.is_office})


@office_required
def metric_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """The office's metric editor: the indicator chosen by search, the formula checked and
    previewed live (``metric_check``), the quantities it may use listed beside."""
    scope = request.scope  # type: ignore[attr-defined]
    metric = selectors.get_metric_for_user(scope, pk) if pk else None
    chosen = metric.indicator if metric else None
    if request.method == "POST":
        form = MetricForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            chosen = (
                indicators_for_user(scope)
                .select_related("system")
                .filter(pk=d["indicator"])
                .first()
            )
            if chosen is None:
                form.add_error("indicator", _("请搜索并选择所属指标"))
            else:
                fields = {
                    "name": d["name"],
                    "unit_label": d["unit_label"],
                    "target": d["target"],
                }
                try:
                    if metric is None:
                        metric = metrics.create_metric(
                            City.objects.get(pk=scope.city_id),
                            indicator=chosen,
                            formula_text=d["formula"],
                            acting_user=request.user,
                            **fields,
                        )
                    else:
                        metrics.update_metric(
                            metric,
                            indicator=chosen,
                            formula=d["formula"],
                            acting_user=request.user,
                            **fields,
                        )
                except InvalidInput as exc:
                    form.add_error("formula" if exc.code == "bad_formula" else None, exc.message)
                else:
                    messages.success(request, _("已保存量化指标：%(name)s") % {"name": d["name"]})
                    return redirect("tasks:metrics")
    elif metric is not None:
        form = MetricForm(
            initial={
                "indicator": metric.indicator_id,
                "name": metric.name,
                "formula": metric.formula,
                "target": metric.target,
                "unit_label": metric.unit_label,
            }
        )
    else:
        form = MetricForm()
    return render(
        request,
        "tasks/metric_form.html",
        {
            "form": form,
            "metric": metric,
            "chosen": chosen,
            "quantities": metrics.quantities_help(),
        },
    )


@office_required
def metric_check(request: HttpRequest) -> HttpResponse:
    """htmx: is the formula valid, and what would it give now (on the city's data)."""
    form = FormulaCheckForm(request.GET)
    text = form.cleaned_data["formula"].strip() if form.is_valid() else ""
    context: dict[str, Any] = {"formula": text}
    if not form.is_valid():
        context["error"] = _("公式过长（最多 1000 个字符）")
    elif text:
        try:
            context["value"] = metrics.evaluate_formula(text, request.scope.city_id)  # type: ignore[attr-defined]
        except InvalidInput as exc:
            context["error"] = exc.message
    return render(request, "tasks/_formula_check.html", context)


@office_required
def metric_indicator_pick(request: HttpRequest) -> HttpResponse:
    """htmx: the indicators matching the search, as radio buttons named ``indicator``."""
    q = request.GET.get("q", "")[:50]
    rows = selectors.indicators_for_metric_pick(request.scope, q)  # type: ignore[attr-defined]
    return render(request, "tasks/_metric_indicator_choices.html", {"rows": rows, "q": q})


@member_required
def indicator_tasks(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = get_indicator_for_user(request.scope, indicator_id)  # type: ignore[attr-defined]
    return redirect(f"{redirect('tasks:list').url}?indicator={quote(indicator.code)}")


@office_required
def webhooks(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if request.method == "POST":
        unit = None
        raw = request.POST.get("unit", "")
        if raw:
            if not raw.isdigit() or len(raw) > 18:
                raise NotFound()
            unit = get_unit_for_user(scope, int(raw))
        try:
            services.create_webhook(
                City.objects.get(pk=scope.city_id),
                name=request.POST.get("name", ""),
                kind=request.POST.get("kind", ""),
                url=request.POST.get("url", ""),
                unit=unit,
                acting_user=request.user,
            )
        except InvalidInput as exc:
            messages.error(request, str(exc.message))
        return redirect("tasks:webhooks")
    rows = Webhook.objects.filter(city_id=scope.city_id).select_related("unit")
    return render(request, "tasks/webhooks.html", {"rows": rows})
