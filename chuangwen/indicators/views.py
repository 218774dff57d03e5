from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from chuangwen.core.errors import ImportFailed, InvalidInput, NotFound
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.tables import fold_tree
from chuangwen.core.views import download, list_template
from chuangwen.core.widgets import pick_response

from . import selectors, services
from .choices import SystemStatus
from .filters import IndicatorFilter, LinkFilter
from .forms import ImportForm, IndicatorForm, LinkForm, MoveForm, PickForm, RetireForm, TitleForm
from .models import EvaluationSystem, Indicator, IndicatorMapping, NegativeListItem
from .tables import IndicatorTable, LinkTable, MappingTable

FILTER_KEYS = ("q", "method", "site_type", "level", "negative", "city_added", "retired")


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


def _city(request: HttpRequest) -> Any:
    from chuangwen.org.models import City

    return City.objects.get(pk=_scope(request).city_id)


@member_required
def tree(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    system = selectors.current_system(scope, request.GET.get("system"))
    qs = selectors.indicators_for_user(scope, system) if system else Indicator.objects.none()
    f = IndicatorFilter(request.GET, queryset=qs)
    filtering = any(request.GET.get(k) not in (None, "", "unknown") for k in FILTER_KEYS)
    context: dict[str, Any] = {"filter": f, "system": system, "filtering": filtering}
    if filtering:
        context["table"] = table = IndicatorTable(request, f.qs.order_by("path"))
        context["page"] = table.page
        template = list_template(request, "indicators/tree.html", "indicators/_node_rows.html")
        ids = {a for n in context["page"] for a in n.ancestor_ids()}
        context["names"] = dict(Indicator.objects.filter(pk__in=ids).values_list("pk", "title"))
    else:
        context["rows"] = fold_tree(selectors.tree_rows(scope, system) if system else [], 3)
        template = "indicators/tree.html"
    context["systems"] = selectors.systems_for_user(scope)
    return render(request, template, context)


@member_required
def node_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    node = selectors.get_indicator_for_user(scope, pk)
    context = {
        "node": node,
        "ancestors": selectors.ancestors(node),
        "children": node.children.order_by("path"),
        "check_items": node.check_items.select_related("site_type"),
        "metrics": node.metrics.all(),
        "history": selectors.node_history(node).select_related("old", "new")[:50],
        "can_edit": scope.write_all and node.system.status != SystemStatus.ARCHIVED,
        "move_form": MoveForm(system_id=node.system_id),
        "retire_form": RetireForm(),
    }
    return render(request, "indicators/node_detail.html", context)


def _form_initial(node: Indicator) -> dict[str, Any]:
    from .services.common import clauses_text, methods_cell

    return {
        "code": node.code,
        "title": node.title,
        "level": node.level,
        "level_name": node.level_name,
        "text": node.text,
        "clauses": clauses_text(node.clauses),
        "methods": methods_cell(node.methods, node.clauses),
        "points": node.points,
        "weight": node.weight,
        "negative": node.negative,
        "veto": node.veto,
    }


@office_required
def node_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = selectors.get_indicator_for_user(_scope(request), pk)
    form = IndicatorForm(request.POST or None, initial=_form_initial(node))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_indicator(node, acting_user=request.user, **form.cleaned_data)
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已保存"))
            return redirect("indicators:node", pk=node.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "indicators/node_form.html",
        {"form": form, "node": node, "system": node.system},
        status=status,
    )


@office_required
def node_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    system = selectors.get_system_for_user(scope, pk)
    parent = None
    parent_id = request.GET.get("parent") or request.POST.get("parent")
    if parent_id:
        parent = selectors.get_indicator_for_user(scope, int(parent_id))
    form = IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            node = services.create_indicator(
                system,
                code=data.pop("code"),
                title=data.pop("title"),
                level=data.pop("level"),
                parent=parent,
                acting_user=request.user,
                **data,
            )
        except InvalidInput as exc:
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("已添加（标记为本市增补）"))
            return redirect("indicators:node", pk=node.pk)
    status = 400 if form.errors else 200
    return render(
        request,
        "indicators/node_form.html",
        {"form": form, "system": system, "parent": parent},
        status=status,
    )


@office_required
@require_POST
def node_move(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    node = selectors.get_indicator_for_user(scope, pk)
    form = MoveForm(request.POST)
    if form.is_valid():
        code = form.cleaned_data["parent_code"].strip()
        parent = None
        if code:
            parent = Indicator.objects.filter(system=node.system, code=code).first()
            if parent is None:
                raise InvalidInput(
                    _("上级编号「%(code)s」不存在") % {"code": code}, code="bad_parent"
                )
        services.move_indicator(node, parent, acting_user=request.user)
        messages.success(request, _("已移动"))
    return redirect("indicators:node", pk=node.pk)


@office_required
@require_POST
def node_retire(request: HttpRequest, pk: int) -> HttpResponse:
    node = selectors.get_indicator_for_user(_scope(request), pk)
    restore = request.POST.get("restore") == "1"
    form = RetireForm(request.POST)
    if restore:
        services.retire_indicator(node, retired=False, acting_user=request.user)
        messages.success(request, _("已恢复"))
    elif form.is_valid():
        services.retire_indicator(
            node, reason=form.cleaned_data["reason"], acting_user=request.user
        )
        messages.success(request, _("已停用（含下级）"))
    else:
        raise InvalidInput(_("请填写停用原因"), code="reason_required")
    return redirect("indicators:node", pk=node.pk)


@member_required
def site_types(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    system = selectors.current_system(scope, request.GET.get("system"))
    types = selectors.site_types_with_checklists(system, scope) if system else []
    return render(request, "indicators/site_types.html", {"system": system, "types": types})


@member_required
def negative_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    system = selectors.current_system(scope, request.GET.get("system"))
    items = selectors.negative_list(system) if system else []
    return render(request, "indicators/negative_list.html", {"system": system, "items": items})


@member_required
def system_list(request: HttpRequest) -> HttpResponse:
    systems = selectors.systems_for_user(_scope(request)).select_related("previous")
    return render(request, "indicators/systems.html", {"systems": systems})


@member_required
def system_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    system = selectors.get_system_for_user(scope, pk)
    report = services.diff_report(system) if system.previous_id else None
    unmatched = (
        selectors.mappings(system).filter(new__isnull=True).count() if system.previous_id else 0
    )
    return render(
        request,
        "indicators/system_detail.html",
        {
            "system": system,
            "report": report,
            "unmatched": unmatched,
            "count": system.indicators.count(),
            "pending": services.pending_references(system)
            if system.status == SystemStatus.ACTIVE
            else [],
            "is_office": scope.write_all,
            "title_form": TitleForm(
                initial={"title": system.title, "title_other": system.title_other}
            ),
        },
    )


@member_required
def system_export(request: HttpRequest, pk: int) -> HttpResponse:
    system = selectors.get_system_for_user(_scope(request), pk)
    return download(services.export_system_xlsx(system), f"测评体系-{system.name}.xlsx")


@office_required
def import_page(request: HttpRequest) -> HttpResponse:
    city = _city(request)
    form = ImportForm(
        request.POST or None, request.FILES or None, initial={"city_level": city.level}
    )
    failure = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            system = services.import_evaluation_system(
                city,
                data["file"].read(),
                fmt=data["file"].fmt,
                name=data["name"],
                version_year=data["version_year"],
                kind=data["kind"],
                title=data["title"],
                title_other=data["title_other"],
                city_level=data["city_level"],
                source=data["source"],
                acting_user=request.user,
            )
        except ImportFailed as exc:
            failure = exc
        else:
            messages.success(
                request, _("导入成功：%(n)s 个节点（草稿）") % {"n": system.indicators.count()}
            )
            return redirect("indicators:system", pk=system.pk)
    status = 400 if failure or form.errors else 200
    return render(
        request, "indicators/import.html", {"form": form, "failure": failure}, status=status
    )


def _draft_or_active(request: HttpRequest, pk: int) -> EvaluationSystem:
    system = selectors.get_system_for_user(_scope(request), pk)
    if system.previous_id is None:
        raise NotFound(_("该版本没有可对比的上一版本"))
    return system


@member_required
def diff(request: HttpRequest, pk: int) -> HttpResponse:
    system = _draft_or_active(request, pk)
    report = services.diff_report(system)
    kind = request.GET.get("kind", "")
    rows = [r for r in report.rows if not kind or r.kind == kind]
    return render(
        request,
        "indicators/diff.html",
        {"system": system, "report": report, "rows": rows, "kind": kind},
    )


@member_required
def diff_export(request: HttpRequest, pk: int) -> HttpResponse:
    system = _draft_or_active(request, pk)
    return download(
        services.diff_xlsx(services.diff_report(system)), f"版本差异-{system.name}.xlsx"
    )


@office_required
def mapping(request: HttpRequest, pk: int) -> HttpResponse:
    system = _draft_or_active(request, pk)
    if request.method == "POST":
        mapping_id = request.POST.get("mapping", "")
        row = (
            IndicatorMapping.objects.filter(system=system, pk=mapping_id).first()
            if mapping_id.isdigit()
            else None
        )
        if row is None:
            raise NotFound()
        code = (request.POST.get("new_code") or "").strip()
        target = None
        if code:
            target = Indicator.objects.filter(system=system, code=code).first()
            if target is None:
                messages.error(request, _("新版本中没有编号「%(code)s」") % {"code": code})
                return redirect(request.get_full_path())
        services.set_mapping(row, target, acting_user=request.user)
        messages.success(request, _("映射已更新"))
        return redirect(request.get_full_path())
    qs = selectors.mappings(system).order_by("old__path")
    only = request.GET.get("only", "")
    if only == "unmatched":
        qs = qs.filter(new__isnull=True)
    elif only == "similar":
        qs = qs.filter(match="similar")
    table = MappingTable(request, qs)
    context = {"system": system, "table": table, "page": table.page, "only": only}
    return render(request, "indicators/mapping.html", context)


@office_required
@require_POST
def adopt(request: HttpRequest, pk: int) -> HttpResponse:
    system = selectors.get_system_for_user(_scope(request), pk)
    result = services.adopt_system(system, acting_user=request.user)
    messages.success(
        request,
        _("已启用「%(name)s」：迁移关联对象 %(moved)s 个，待处理（未映射）指标 %(unmapped)s 个")
        % {"name": system.name, "moved": result.moved_total, "unmapped": len(result.unmapped)},
    )
    return redirect("indicators:system", pk=system.pk)


@office_required
@require_POST
def move_attached(request: HttpRequest, pk: int) -> HttpResponse:
    system = _draft_or_active(request, pk)
    result = services.move_attached(system, acting_user=request.user)
    messages.success(
        request,
        _("迁移关联对象 %(moved)s 个，仍未映射 %(unmapped)s 个")
        % {"moved": result.moved_total, "unmapped": len(result.unmapped)},
    )
    return redirect("indicators:system", pk=system.pk)


# --- 多城联创: standards linked across systems, the title of a system --------------------------


@office_required
@require_POST
def system_title(request: HttpRequest, pk: int) -> HttpResponse:
    system = selectors.get_system_for_user(_scope(request), pk)
    form = TitleForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("请选择创建称号"), code="bad_title")
    services.set_system_title(
        system,
        title=form.cleaned_data["title"],
        title_other=form.cleaned_data["title_other"],
        acting_user=request.user,
    )
    messages.success(request, _("已保存创建称号"))
    return redirect("indicators:system", pk=system.pk)


@member_required
def links(request: HttpRequest) -> HttpResponse:
    """跨体系标准对应: the list (filtered by system) and, for the office, the link form."""
    scope = _scope(request)
    f = LinkFilter(request.GET, queryset=selectors.links_for_user(scope))
    systems = selectors.systems_for_user(scope).exclude(status=SystemStatus.ARCHIVED)
    f.form.fields["system"].widget = forms.Select(
        choices=[("", "全部"), *((s.pk, s.name) for s in systems)]
    )
    page = LinkTable(request, f.qs).page
    template = list_template(request, "indicators/links.html", "indicators/_link_rows.html")
    context = {"filter": f, "page": page, "form": LinkForm(), "systems": systems}
    return render(request, template, context)


@office_required
@require_POST
def link_create(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = LinkForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("请分别搜索并选择两条测评标准"), code="required")
    a = selectors.get_indicator_for_user(scope, form.cleaned_data["a"])
    b = selectors.get_indicator_for_user(scope, form.cleaned_data["b"])
    services.link_standards(a, b, note=form.cleaned_data["note"], acting_user=request.user)
    messages.success(request, _("已建立对应：%(a)s ↔ %(b)s") % {"a": a.code, "b": b.code})
    return redirect("indicators:links")


@office_required
@require_POST
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = selectors.get_link_for_user(_scope(request), pk)
    services.unlink_standards(link, acting_user=request.user)
    messages.success(request, _("已删除对应"))
    return redirect("indicators:links")


@member_required
def standard_pick(request: HttpRequest) -> HttpResponse:
    """The standards search picker (htmx): matching standards as radio buttons or check boxes
    named ``name``; ``system`` narrows to one system, ``exclude`` leaves one out."""
    scope = _scope(request)
    form = PickForm(request.GET)
    if not form.is_valid():
        raise InvalidInput(_("参数有误"), code="bad_params")
    d = form.cleaned_data
    q = d["q"] or request.GET.get(f"q_{d['name']}", "")[:50]
    rows = selectors.standards_to_pick(scope, q, d["system"])
    if d["exclude"]:
        rows = [r for r in rows if r.system_id != d["exclude"]]
    return render(
        request,
        "indicators/_standard_choices.html",
        {"rows": rows, "name": d["name"], "multiple": d["multiple"], "q": q},
    )


# --- pickers (searchable selects, see core/widgets.py) ---------------------------------------


def _picked_system(request: HttpRequest, scope: Any) -> EvaluationSystem | None:
    """The version named by ``?system=`` (an id; anything else: the current version)."""
    raw = request.GET.get("system", "")
    return selectors.current_system(scope, raw if raw.isdigit() and len(raw) < 19 else None)


@member_required
@require_GET
def pick_indicators(request: HttpRequest) -> JsonResponse:
    """Indicators of ``?system=`` (else the current version) by code or text; value: the code."""
    scope = _scope(request)
    system = _picked_system(request, scope)
    qs = selectors.indicators_for_user(scope, system) if system else Indicator.objects.none()
    return pick_response(
        request,
        qs.order_by("path"),
        search=lambda qs, q: qs.filter(Q(code__startswith=q) | Q(title__icontains=q)),
        rows=lambda nodes: [
            {"value": n.code, "text": f"{n.code} {n.title}", "hint": n.display_level()}
            for n in nodes
        ],
        value_field="code",
    )


@member_required
@require_GET
def pick_negative_items(request: HttpRequest) -> JsonResponse:
    """Negative-list items of ``?system=`` (else the current version) by code or text."""
    scope = _scope(request)
    system = _picked_system(request, scope)
    qs = selectors.negative_list(system) if system else NegativeListItem.objects.none()
    return pick_response(
        request,
        qs.order_by("sort", "code"),
        search=lambda qs, q: qs.filter(Q(code__startswith=q) | Q(text__icontains=q)),
        rows=lambda items: [
            {
                "value": str(i.pk),
                "text": f"{i.code} {Truncator(i.text).chars(40)}",
                "hint": i.get_sanction_display(),
            }
            for i in items
        ],
    )


@member_required
@require_GET
def pick_site_types(request: HttpRequest) -> JsonResponse:
    return pick_response(
        request,
        selectors.site_types_for_user(_scope(request)).order_by("sort", "code"),
        search=lambda qs, q: qs.filter(Q(name__icontains=q) | Q(code__istartswith=q)),
        rows=lambda types: [{"value": str(t.pk), "text": t.name, "hint": t.code} for t in types],
    )
