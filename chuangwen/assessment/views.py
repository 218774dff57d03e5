import io
from typing import Any

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from chuangwen.core.errors import (
    ImportFailed,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
)
from chuangwen.core.filtering import checked_filter
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import list_template, paginate, stored_file
from chuangwen.indicators.models import NegativeListItem
from chuangwen.inspections.models import InspectionPlan
from chuangwen.inspections.services import active_system
from chuangwen.org.actors import require_office
from chuangwen.org.models import City, Unit

from . import exports, quantities, selectors, services
from .choices import (
    FINDING_TRANSITIONS,
    SANCTION_GRADES,
    FindingAction,
    FindingStatus,
    ItemKind,
    ListEntryStatus,
    ListKind,
    ListMode,
    PeriodStatus,
    ScoreLevel,
    UnitGroup,
    UnitSanction,
)
from .filters import FindingFilter, PeriodFilter, RoundFilter, SchemeFilter
from .forms import (
    AdjustmentForm,
    AnnualForm,
    FindingForm,
    ItemFormSet,
    NoteFileForm,
    PeriodForm,
    PublishForm,
    ReasonForm,
    RoundForm,
    SchemeForm,
    SurveyForm,
    VerifyForm,
    WeightsForm,
    item_specs,
)
from .models import (
    AssessmentPeriod,
    AssessmentResult,
    AssessmentScore,
    FindingEvent,
    IndicatorScore,
    NegativeFinding,
    ScoreAdjustment,
    SiteTypeScore,
    UnitScore,
)

MAX_EXPORT_ROWS = 50_000


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


@member_required
def round_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = RoundFilter(request.GET, queryset=selectors.rounds_for_user(scope))
    page = paginate(request, f.qs)
    plans = InspectionPlan.objects.filter(city_id=scope.city_id).order_by("-id")[:50]
    form = RoundForm(request.POST or None, plans=plans)
    if request.method == "POST":
        require_office(request.user, scope.city_id, "只有创建办可以新建模拟测评")
        if form.is_valid():
            rnd = services.create_round(
                City.objects.get(pk=scope.city_id),
                title=form.cleaned_data["title"],
                window_days=form.cleaned_data["window_days"],
                plans=InspectionPlan.objects.filter(
                    city_id=scope.city_id, pk__in=form.cleaned_data["plans"]
                ),
                acting_user=request.user,
            )
            return redirect("assessment:round", rnd.pk)
    template = list_template(request, "assessment/round_list.html", "assessment/_round_rows.html")
    return render(request, template, {"filter": f, "page": page, "form": form})


@member_required
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = selectors.get_round_for_user(_scope(request), pk)
    scores = (
        IndicatorScore.objects.filter(round=rnd)
        .select_related("indicator")
        .order_by("indicator__path")
    )
    units = {
        level: UnitScore.objects.filter(round=rnd, level=level).select_related("unit")[:30]
        for level in ScoreLevel.values
    }
    return render(
        request,
        "assessment/round_detail.html",
        {
            "round": rnd,
            "scores": scores,
            "districts": units[ScoreLevel.DISTRICT],
            "streets": units[ScoreLevel.STREET],
            "responsible": units[ScoreLevel.RESPONSIBLE],
            "types": SiteTypeScore.objects.filter(round=rnd).select_related("site_type"),
            "risks": services.points_at_risk(rnd, limit=30) if rnd.computed_at else [],
            "weights_form": WeightsForm(initial=WeightsForm.initial_from(rnd)),
            "survey_form": SurveyForm(),
            "surveys": rnd.surveys.select_related("unit"),
            "negatives": rnd.negatives.select_related("item"),
            "negative_items": NegativeListItem.objects.filter(system=rnd.system),
        },
    )


@office_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rnd = selectors.get_round_for_user(_scope(request), pk)
    if action == "compute":
        rnd = services.compute_round(rnd, acting_user=request.user)
        messages.success(request, f"测算完成：预测综合成绩 {rnd.overall_score:.2f} 分")
    elif action == "weights":
        form = WeightsForm(request.POST)
        if not form.is_valid():
            raise InvalidInput("权重填写有误", code="bad_weights")
        services.update_round_inputs(
            rnd,
            weights=form.weights(rnd.weights),
            minors_input=form.cleaned_data["minors_input"],
            acting_user=request.user,
        )
        messages.success(request, "权重已保存，请重新测算")
    elif action == "survey":
        sform = SurveyForm(request.POST, request.FILES)
        if not sform.is_valid():
            raise InvalidInput("请选择文件", code="required")
        try:
            n = services.import_survey(
                rnd, sform.cleaned_data["file"].read(), acting_user=request.user
            )
        except ImportFailed as exc:
            for e in exc.errors[:20]:
                messages.error(request, str(e))
        else:
            messages.success(request, f"已导入问卷调查 {n} 行")
    elif action == "negative":
        item = NegativeListItem.objects.filter(
            system=rnd.system, pk=request.POST.get("item") or 0
        ).first()
        if item is None:
            raise InvalidInput("请选择负面清单条目", code="required")
        services.add_round_negative(
            rnd, item, note=request.POST.get("note", ""), acting_user=request.user
        )
    else:
        raise NotFound()
    return redirect("assessment:round", rnd.pk)


@member_required
def compare(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    ids = [int(x) for x in request.GET.get("rounds", "").split(",") if x.strip().isdigit()]
    qs = selectors.rounds_for_user(scope)
    rounds = (
        list(qs.filter(pk__in=ids).order_by("as_of", "id"))
        if ids
        else list(qs.filter(computed_at__isnull=False).order_by("-as_of", "-id")[:4])[::-1]
    )
    by = request.GET.get("by", "indicator")
    table = services.compare_rounds(rounds, by=by) if rounds else {"rounds": [], "rows": []}
    return render(
        request,
        "assessment/compare.html",
        {"table": table, "by": by, "all_rounds": qs.order_by("-as_of")[:20]},
    )


# --- unit assessment -------------------------------------------------------------------------


def _xlsx(data: bytes, filename: str) -> FileResponse:
    return FileResponse(io.BytesIO(data), as_attachment=True, filename=filename)


def _city(scope: Any) -> City:
    return City.objects.get(pk=scope.city_id)


def _group_of(period: AssessmentPeriod, requested: str | None) -> str:
    groups = list(period.scheme.groups or [])
    return requested if requested in groups else (groups[0] if groups else "")


def _trend_data(rows: list[AssessmentResult]) -> dict[str, Any]:
    return {
        "labels": [r.period.label for r in rows],
        "totals": [float(r.total) if r.total is not None else None for r in rows],
        "ranks": [r.rank for r in rows],
    }


@member_required
def period_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    qs = selectors.periods_for_user(scope).select_related("scheme")
    f = PeriodFilter(request.GET, queryset=qs)
    page = paginate(request, f.qs.order_by("-starts_on", "kind"))
    form = PeriodForm(
        request.POST or None,
        initial={"year": timezone.localdate().year, "number": timezone.localdate().month},
    )
    if request.method == "POST":
        require_office(request.user, scope.city_id, "只有创建办可以新建考核期")
        if form.is_valid():
            d = form.cleaned_data
            period = services.create_period(
                _city(scope),
                kind=d["kind"],
                year=d["year"],
                number=d.get("number"),
                acting_user=request.user,
            )
            return redirect("assessment:period", period.pk)
    template = list_template(request, "assessment/period_list.html", "assessment/_period_rows.html")
    return render(request, template, {"filter": f, "page": page, "form": form})


@member_required
def period_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    period = selectors.get_period_for_user(scope, pk)
    group = _group_of(period, request.GET.get("group"))
    results = list(
        selectors.results_for_user(scope, period)
        .filter(group=group)
        .order_by(F("rank").asc(nulls_last=True), F("total").desc(nulls_last=True), "unit__path")
    )
    detail_ok = {r.unit_id for r in results if selectors.sees_details(scope, period, r.unit)}
    entries = (
        selectors.list_entries_for_user(scope)
        .filter(period=period, group=group)
        .order_by("kind", "rank", "id")
    )
    context: dict[str, Any] = {
        "period": period,
        "scheme": period.scheme,
        "items": period.scheme.items.all(),
        "group": group,
        "groups": [(g, UnitGroup(g).label) for g in period.scheme.groups],
        "results": results,
        "detail_ok": detail_ok,
        "sees_ranking": selectors.sees_ranking(scope, period),
        "red": [e for e in entries if e.kind == ListKind.RED],
        "black": [e for e in entries if e.kind == ListKind.BLACK],
    }
    if scope.is_office:
        manual = period.scheme.items.filter(kind=ItemKind.MANUAL)
        units = Unit.objects.filter(city_id=period.city_id, active=True).order_by("path")
        context.update(
            reason_form=ReasonForm(),
            publish_form=PublishForm(initial={"disclosure": period.disclosure}),
            adjustment_form=AdjustmentForm(items=manual, units=units) if manual else None,
            adjustments=period.adjustments.select_related("unit", "item", "created_by__person"),
        )
    return render(request, "assessment/period_detail.html", context)


@office_required
@require_POST
def period_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    period = selectors.get_period_for_user(_scope(request), pk)
    if action == "compute":
        form = ReasonForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        period = services.compute_period(period, reason=reason, acting_user=request.user)
        messages.success(request, f"计算完成：{period.n_units} 个单位")
    elif action in ("publish", "disclosure"):
        pform = PublishForm(request.POST)
        if not pform.is_valid():
            raise InvalidInput("请选择公开范围", code="required")
        disclosure = pform.cleaned_data["disclosure"]
        if action == "publish":
            services.publish_period(period, disclosure=disclosure, acting_user=request.user)
            messages.success(request, "已发布，考核结果冻结")
        else:
            services.set_disclosure(period, disclosure, acting_user=request.user)
            messages.success(request, "公开范围已更新")
    elif action == "adjustment":
        manual = period.scheme.items.filter(kind=ItemKind.MANUAL)
        units = Unit.objects.filter(city_id=period.city_id, active=True)
        aform = AdjustmentForm(request.POST, request.FILES, items=manual, units=units)
        if not aform.is_valid():
            raise InvalidInput(_form_errors(aform), code="invalid")
        d = aform.cleaned_data
        services.add_adjustment(
            period,
            item=d["item"],
            unit=d["unit"],
            points=d["points"],
            reason=d["reason"],
            file=d.get("file"),
            acting_user=request.user,
        )
        messages.success(request, "加减分已登记，重新计算后计入")
    else:
        raise NotFound()
    return redirect("assessment:period", period.pk)


def _form_errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[k].label if k in form.fields else ''}：{v[0]}"
        for k, v in form.errors.items()
    )


@office_required
@require_POST
def adjustment_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    adj = ScoreAdjustment.objects.filter(period__city_id=scope.city_id, pk=pk).first()
    if adj is None:
        raise NotFound()
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    services.withdraw_adjustment(adj, reason=reason, acting_user=request.user)
    messages.success(request, "已撤销该加减分")
    return redirect("assessment:period", adj.period_id)


@member_required  # type: ignore[arg-type]
def adjustment_file(request: HttpRequest, pk: int) -> FileResponse:
    scope = _scope(request)
    adj = ScoreAdjustment.objects.select_related("unit", "period").filter(pk=pk).first()
    if adj is None:
        raise NotFound()
    period = selectors.get_period_for_user(scope, adj.period_id)
    if not selectors.sees_details(scope, period, adj.unit):
        raise NotFound()
    return stored_file(adj.evidence, adj.evidence_name or "佐证材料")


@member_required
def unit_detail(request: HttpRequest, pk: int, unit_pk: int) -> HttpResponse:
    scope = _scope(request)
    period = selectors.get_period_for_user(scope, pk)
    unit = selectors.get_unit_for_period(scope, period, unit_pk)
    results = list(AssessmentResult.objects.filter(period=period, unit=unit).order_by("group"))
    trend = selectors.unit_trend(scope, unit, period.kind)
    findings = selectors.period_findings(period).filter(unit_path__startswith=unit.path)
    return render(
        request,
        "assessment/unit_detail.html",
        {
            "period": period,
            "unit": unit,
            "results": results,
            "scores": selectors.unit_scores(period, unit),
            "adjustments": period.adjustments.filter(unit=unit, withdrawn_at__isnull=True),
            "findings": findings,
            "trend": _trend_data(trend),
            "sees_ranking": selectors.sees_ranking(scope, period),
        },
    )


@member_required  # type: ignore[arg-type]
def period_export(request: HttpRequest, pk: int) -> FileResponse:
    scope = _scope(request)
    period = selectors.get_period_for_user(scope, pk)
    results = list(
        selectors.results_for_user(scope, period).order_by(
            "group", F("rank").asc(nulls_last=True), "unit__path"
        )
    )
    visible = {r.unit_id for r in results if selectors.sees_details(scope, period, r.unit)}
    scores = (
        AssessmentScore.objects.filter(period=period, unit_id__in=visible)
        .select_related("unit", "item")
        .order_by("unit__path", "item__sort")
    )
    return _xlsx(exports.period_workbook(period, results, scores), f"考核结果-{period.label}.xlsx")


@member_required
def annual(request: HttpRequest) -> HttpResponse:
    """年度考核结果（按绩效目标考核的格式）: preview and Excel."""
    scope = _scope(request)
    if not scope.see_all:
        raise PermissionDenied("年度汇总仅限创建办和领导查看")
    form = AnnualForm(request.GET or None, initial={"year": timezone.localdate().year})
    rows: list[Any] = []
    if form.is_valid():
        d = form.cleaned_data
        rows = selectors.annual_appraisal(scope.city_id, d["year"], d["kind"], d["weight"])
        if request.GET.get("format") == "xlsx":
            title = f"{d['year']}年度创建工作考核"
            data = exports.annual_workbook(rows, d["weight"], title)
            return _xlsx(data, f"{title}.xlsx")
    return render(request, "assessment/annual.html", {"form": form, "rows": rows})


@member_required
def scheme_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = SchemeFilter(request.GET, queryset=selectors.schemes_for_user(scope))
    schemes = f.qs.annotate(
        n_items=Count("items", distinct=True), n_periods=Count("periods", distinct=True)
    )
    form = SchemeForm(request.POST or None, initial={"list_mode": ListMode.COUNT})
    if request.method == "POST":
        require_office(request.user, scope.city_id, "只有创建办可以新建考核方案")
        if form.is_valid():
            d = form.cleaned_data
            scheme = services.create_scheme(
                _city(scope),
                period_kind=d["period_kind"],
                acting_user=request.user,
                **form.settings(),
            )
            return redirect("assessment:scheme", scheme.pk)
    return render(
        request,
        "assessment/scheme_list.html",
        {"filter": f, "schemes": schemes.order_by("period_kind", "-version"), "form": form},
    )


def _quantity_rows() -> list[dict[str, str]]:
    return [
        {"call": q.call, "label": q.label, "definition": q.definition, "doc": q.doc}
        for q in quantities.registered()
    ]


@member_required
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The scheme editor (a draft, for the office) or the scheme as units read it."""
    scope = _scope(request)
    scheme = selectors.get_scheme_for_user(scope, pk)
    items = list(scheme.items.all())
    editable = scheme.editable and scope.is_office
    form = formset = None
    if editable:
        initial = {
            "name": scheme.name,
            "period_kind": scheme.period_kind,
            "total": scheme.total,
            "groups": scheme.groups,
            "list_mode": scheme.list_mode,
            "list_size": scheme.list_size,
            "red_threshold": scheme.red_threshold,
            "black_threshold": scheme.black_threshold,
            "note": scheme.note,
        }
        item_initial = [
            {
                "code": i.code,
                "name": i.name,
                "kind": i.kind,
                "formula": i.formula,
                "weight": i.weight,
                "min_volume": i.min_volume,
                "description": i.description,
            }
            for i in items
        ]
        form = SchemeForm(request.POST or None, initial=initial)
        form.fields["period_kind"].disabled = True
        formset = ItemFormSet(request.POST or None, initial=item_initial, prefix="items")
        if request.method == "POST":
            if form.is_valid() and formset.is_valid():
                services.edit_scheme(
                    scheme,
                    items=item_specs(formset),
                    acting_user=request.user,
                    **form.settings(),
                )
                messages.success(request, "方案已保存")
                return redirect("assessment:scheme", scheme.pk)
            messages.error(request, "填写有误，请检查标红的字段")
    elif request.method == "POST":
        raise InvalidTransition("已启用或停用的方案不能修改，请先生成新版本")
    readable = {i.pk: quantities.readable(i.formula) for i in items}
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "items": [(i, readable[i.pk]) for i in items],
            "editable": editable,
            "form": form,
            "formset": formset,
            "quantities": _quantity_rows(),
            "periods": scheme.periods.order_by("-starts_on")[:24],
        },
    )


@office_required
@require_POST
def scheme_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scheme = selectors.get_scheme_for_user(_scope(request), pk)
    if action == "activate":
        services.activate_scheme(scheme, acting_user=request.user)
        messages.success(request, "方案已启用")
    elif action == "version":
        scheme = services.new_scheme_version(scheme, acting_user=request.user)
        messages.success(request, f"已生成第 {scheme.version} 版草稿")
    else:
        raise NotFound()
    return redirect("assessment:scheme", scheme.pk)


@member_required
def lists(request: HttpRequest) -> HttpResponse:
    """红黑榜: the lists of a period, the black-list entries and their way off the list."""
    scope = _scope(request)
    periods = selectors.periods_for_user(scope).filter(
        status__in=[PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED]
    )
    period = None
    wanted = request.GET.get("period", "")
    if wanted.isdigit() and len(wanted) < 19:
        period = periods.filter(pk=int(wanted)).first()
    period = period or periods.order_by("-starts_on", "-id").first()
    entries = selectors.list_entries_for_user(scope)
    shown = entries.filter(period=period).order_by("group", "kind", "rank", "id") if period else []
    pending = entries.filter(kind=ListKind.BLACK).exclude(status=ListEntryStatus.EXITED)
    if not scope.see_all:
        own = Q()
        for path in scope.unit_paths:
            own |= Q(unit_path__startswith=path)
        pending = pending.filter(own) if scope.unit_paths else pending.none()
    return render(
        request,
        "assessment/lists.html",
        {
            "period": period,
            "periods": periods.order_by("-starts_on")[:24],
            "entries": shown,
            "pending": pending.order_by("status", "-period__starts_on", "id")[:200],
            "rectify_form": NoteFileForm(),
            "verify_form": VerifyForm(),
        },
    )


@member_required
@require_POST
def list_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.get_list_entry_for_user(_scope(request), pk)
    if action == "rectify":
        form = NoteFileForm(request.POST, request.FILES)
        if not form.is_valid():
            raise InvalidInput(_form_errors(form), code="invalid")
        services.submit_list_rectification(
            entry,
            text=form.cleaned_data["note"],
            file=form.cleaned_data.get("file"),
            acting_user=request.user,
        )
        messages.success(request, "整改情况已提交，等待创建办核查")
    elif action == "verify":
        vform = VerifyForm(request.POST)
        if not vform.is_valid():
            raise InvalidInput(_form_errors(vform), code="invalid")
        services.verify_list_exit(
            entry,
            approved=vform.cleaned_data["approved"],
            note=vform.cleaned_data["note"],
            acting_user=request.user,
        )
        messages.success(request, "核查结果已记录")
    else:
        raise NotFound()
    return redirect(f"{reverse('assessment:lists')}?period={entry.period_id}")


@member_required  # type: ignore[arg-type]
def list_file(request: HttpRequest, pk: int) -> FileResponse:
    entry = selectors.get_list_entry_for_user(_scope(request), pk)
    return stored_file(entry.rectification_file, entry.rectification_name or "整改佐证")


@member_required
def finding_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = FindingFilter(request.GET, queryset=selectors.finding_list_qs(scope))
    page = paginate(request, f.qs)
    template = list_template(
        request, "assessment/finding_list.html", "assessment/_finding_rows.html"
    )
    return render(request, template, {"filter": f, "page": page})


@member_required  # type: ignore[arg-type]
def finding_export(request: HttpRequest) -> FileResponse:
    """The list as filtered (the same FilterSet), at most ``MAX_EXPORT_ROWS`` rows."""
    qs = checked_filter(FindingFilter, request.GET, selectors.finding_list_qs(_scope(request))).qs
    return _xlsx(exports.findings_workbook(qs[:MAX_EXPORT_ROWS]), "负面清单问题.xlsx")


def _finding_form(scope: Any, data: Any = None, files: Any = None) -> FindingForm:
    system = active_system(scope.city_id)
    items = (
        NegativeListItem.objects.filter(system=system)
        if system
        else NegativeListItem.objects.none()
    )
    units = Unit.objects.filter(city_id=scope.city_id, active=True).order_by("path")
    return FindingForm(
        data, files, units=units, items=items, initial={"found_on": timezone.localdate()}
    )


@office_required
def finding_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    form = _finding_form(scope, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        finding = services.record_finding(
            _city(scope),
            unit=d["unit"],
            item=d["item"],
            source=d["source"],
            description=d["description"],
            sanction=d["sanction"],
            found_on=d["found_on"],
            points=d.get("points"),
            rectify_by=d.get("rectify_by"),
            file=d.get("file"),
            acting_user=request.user,
        )
        messages.success(request, "负面清单问题已认定，已通知责任单位")
        return redirect("assessment:finding", finding.pk)
    grades = {
        code: [str(UnitSanction(g).label) for g in grades]
        for code, grades in SANCTION_GRADES.items()
    }
    return render(request, "assessment/finding_form.html", {"form": form, "grades": grades})


@member_required
def finding_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    finding = selectors.get_finding_for_user(scope, pk)
    return render(
        request,
        "assessment/finding_detail.html",
        {
            "finding": finding,
            "events": selectors.finding_events(finding),
            "can_submit": finding.status in FINDING_TRANSITIONS[FindingAction.SUBMIT][0]
            and scope.can_write_unit(finding.unit),
            "can_verify": scope.is_office
            and finding.status in FINDING_TRANSITIONS[FindingAction.VERIFY][0],
            "can_withdraw": scope.is_office
            and finding.status in FINDING_TRANSITIONS[FindingAction.WITHDRAW][0],
            "rectify_form": NoteFileForm(),
            "verify_form": VerifyForm(),
            "reason_form": ReasonForm(),
        },
    )


@member_required
@require_POST
def finding_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    finding = selectors.get_finding_for_user(_scope(request), pk)
    if action == "submit":
        form = NoteFileForm(request.POST, request.FILES)
        if not form.is_valid():
            raise InvalidInput(_form_errors(form), code="invalid")
        services.submit_finding_rectification(
            finding,
            note=form.cleaned_data["note"],
            file=form.cleaned_data.get("file"),
            acting_user=request.user,
        )
        messages.success(request, "整改情况已提交，等待创建办核查")
    elif action == "verify":
        vform = VerifyForm(request.POST)
        if not vform.is_valid():
            raise InvalidInput(_form_errors(vform), code="invalid")
        services.verify_finding(
            finding,
            approved=vform.cleaned_data["approved"],
            note=vform.cleaned_data["note"],
            acting_user=request.user,
        )
        messages.success(request, "核查结果已记录")
    elif action == "withdraw":
        rform = ReasonForm(request.POST)
        reason = rform.cleaned_data["reason"] if rform.is_valid() else ""
        services.withdraw_finding(finding, reason=reason, acting_user=request.user)
        messages.success(request, "已撤销")
    else:
        raise NotFound()
    return redirect("assessment:finding", finding.pk)


@member_required  # type: ignore[arg-type]
def finding_file(request: HttpRequest, pk: int) -> FileResponse:
    finding = selectors.get_finding_for_user(_scope(request), pk)
    return stored_file(finding.evidence, finding.evidence_name or "问题佐证")


@member_required  # type: ignore[arg-type]
def finding_event_file(request: HttpRequest, pk: int) -> FileResponse:
    event = FindingEvent.objects.filter(pk=pk).first()
    if event is None:
        raise NotFound()
    selectors.get_finding_for_user(_scope(request), event.finding_id)
    return stored_file(event.file, event.file_name or "附件")


@member_required
def my_scores(request: HttpRequest) -> HttpResponse:
    """我的考核: each of the user's units — its latest published results and rank, the trend,
    its negative-list findings and black-list entries to rectify. Made for a phone."""
    scope = _scope(request)
    cards = []
    for unit in selectors.my_units(scope):
        latest = (
            AssessmentResult.objects.filter(
                unit=unit,
                period__in=selectors.periods_for_user(scope).filter(status=PeriodStatus.PUBLISHED),
            )
            .select_related("period")
            .order_by("-period__starts_on", "group")
            .first()
        )
        trend = selectors.unit_trend(scope, unit, latest.period.kind) if latest else []
        cards.append(
            {
                "unit": unit,
                "latest": latest,
                "trend": _trend_data(trend),
                "chart_id": f"trend-{unit.pk}",
            }
        )
    findings = (
        selectors.finding_list_qs(scope).filter(
            status__in=[FindingStatus.OPEN, FindingStatus.REWORK, FindingStatus.SUBMITTED]
        )
        if not scope.see_all
        else NegativeFinding.objects.none()
    )
    black = (
        selectors.list_entries_for_user(scope)
        .filter(kind=ListKind.BLACK)
        .exclude(status=ListEntryStatus.EXITED)
    )
    if not scope.see_all:
        own = Q()
        for path in scope.unit_paths:
            own |= Q(unit_path__startswith=path)
        black = black.filter(own) if scope.unit_paths else black.none()
    return render(
        request,
        "assessment/my_scores.html",
        {
            "cards": cards,
            "findings": findings[:50],
            "black": black.order_by("-period__starts_on")[:20] if not scope.see_all else [],
        },
    )
