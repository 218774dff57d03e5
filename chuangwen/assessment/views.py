from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.db.models import Count, F, Q
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from chuangwen.core.errors import (
    ImportFailed,
    InvalidInput,
    InvalidTransition,
    NotFound,
    PermissionDenied,
    ServiceError,
)
from chuangwen.core.filtering import checked_filter
from chuangwen.core.models import BY_RANK
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.schemas import DB_INT_MAX
from chuangwen.core.views import download, form_page, list_template, stored_file
from chuangwen.indicators.models import NegativeListItem
from chuangwen.inspections.models import InspectionPlan
from chuangwen.inspections.services import active_system
from chuangwen.org.actors import require_office
from chuangwen.org.choices import Role
from chuangwen.org.models import City, Unit

from . import accountability, bulletins, exports, jobs, periods, quantities, selectors, services
from .choices import (
    FINDING_TRANSITIONS,
    SANCTION_GRADES,
    AccountabilityState,
    BulletinKind,
    BulletinStatus,
    FindingAction,
    FindingStatus,
    ItemKind,
    ListEntryStatus,
    ListKind,
    ListMode,
    PeriodStatus,
    ScoreLevel,
    SubmissionKind,
    SubmissionStatus,
    Timeliness,
    UnitGroup,
    UnitSanction,
)
from .filters import (
    AccountabilityFilter,
    BulletinFilter,
    FindingFilter,
    PeriodFilter,
    RoundFilter,
    SchemeFilter,
    SubmissionFilter,
)
from .forms import (
    AccountabilityForm,
    AdjustmentForm,
    AnnualForm,
    BulletinDraftForm,
    BulletinTitleForm,
    DecideForm,
    FindingForm,
    InfoEditForm,
    InfoForm,
    IssueForm,
    ItemFormSet,
    NoteFileForm,
    NoteForm,
    PeriodForm,
    PublishForm,
    ReasonForm,
    ReportForm,
    ReportTemplateForm,
    ReviewForm,
    RoundForm,
    SchemeForm,
    SectionForm,
    SurveyForm,
    VerifyForm,
    WeightsForm,
    item_specs,
)
from .models import (
    AssessmentPeriod,
    AssessmentResult,
    AssessmentScore,
    BulletinSection,
    FindingEvent,
    IndicatorScore,
    NegativeFinding,
    ReportTemplate,
    ScoreAdjustment,
    SiteTypeScore,
    SubmissionPhoto,
    UnitScore,
)
from .tables import (
    AccountabilityTable,
    BulletinTable,
    FindingTable,
    PeriodTable,
    RoundTable,
    SubmissionTable,
)

MAX_EXPORT_ROWS = 50_000


def _scope(request: HttpRequest) -> Any:
    return request.scope  # type: ignore[attr-defined]


@member_required
def round_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = RoundFilter(request.GET, queryset=selectors.rounds_for_user(scope))
    table = RoundTable(request, f.qs)
    plans = InspectionPlan.objects.filter(city_id=scope.city_id).order_by("-id")[:50]
    form = RoundForm(request.POST or None, plans=plans)
    if request.method == "POST":
        require_office(request.user, scope.city_id, _("只有创建办可以新建模拟测评"))
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
    context = {"filter": f, "table": table, "page": table.page, "form": form}
    return render(request, template, context)


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
        },
    )


@office_required
@require_POST
def round_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    rnd = selectors.get_round_for_user(_scope(request), pk)
    if action == "compute":
        rnd = services.compute_round(rnd, acting_user=request.user)
        messages.success(
            request, _("测算完成：预测综合成绩 %(score).2f 分") % {"score": rnd.overall_score}
        )
    elif action == "weights":
        form = WeightsForm(request.POST)
        if not form.is_valid():
            raise InvalidInput(_("权重填写有误"), code="bad_weights")
        services.update_round_inputs(
            rnd,
            weights=form.weights(rnd.weights),
            minors_input=form.cleaned_data["minors_input"],
            acting_user=request.user,
        )
        messages.success(request, _("权重已保存，请重新测算"))
    elif action == "survey":
        sform = SurveyForm(request.POST, request.FILES)
        if not sform.is_valid():
            raise InvalidInput(_("请选择文件"), code="required")
        try:
            n = services.import_survey(
                rnd, sform.cleaned_data["file"].read(), acting_user=request.user
            )
        except ImportFailed as exc:
            for e in exc.errors[:20]:
                messages.error(request, str(e))
        else:
            messages.success(request, _("已导入问卷调查 %(n)s 行") % {"n": n})
    elif action == "negative":
        item = NegativeListItem.objects.filter(
            system=rnd.system, pk=request.POST.get("item") or 0
        ).first()
        if item is None:
            raise InvalidInput(_("请选择负面清单条目"), code="required")
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


def _xlsx(data: bytes, filename: str) -> HttpResponse:
    return download(data, filename)


def _city(scope: Any) -> City:
    return City.objects.get(pk=scope.city_id)


def _group_of(period: AssessmentPeriod, requested: str | None) -> str:
    groups = list(period.scheme.groups or [])
    return str(requested) if requested in groups else (str(groups[0]) if groups else "")


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
    page = PeriodTable(request, f.qs.order_by("-starts_on", "kind")).page
    form = PeriodForm(
        request.POST or None,
        initial={"year": timezone.localdate().year, "number": timezone.localdate().month},
    )
    if request.method == "POST":
        require_office(request.user, scope.city_id, _("只有创建办可以新建考核期"))
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
        .order_by("kind", BY_RANK, "id")
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
        messages.success(request, _("计算完成：%(n)s 个单位") % {"n": period.n_units})
    elif action in ("publish", "disclosure"):
        pform = PublishForm(request.POST)
        if not pform.is_valid():
            raise InvalidInput(_("请选择公开范围"), code="required")
        disclosure = pform.cleaned_data["disclosure"]
        if action == "publish":
            services.publish_period(period, disclosure=disclosure, acting_user=request.user)
            messages.success(request, _("已发布，考核结果冻结"))
        else:
            services.set_disclosure(period, disclosure, acting_user=request.user)
            messages.success(request, _("公开范围已更新"))
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
        messages.success(request, _("加减分已登记，重新计算后计入"))
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
    messages.success(request, _("已撤销该加减分"))
    return redirect("assessment:period", adj.period_id)


@member_required
def adjustment_file(request: HttpRequest, pk: int) -> Any:
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


@member_required
def period_export(request: HttpRequest, pk: int) -> Any:
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
        raise PermissionDenied(_("年度汇总仅限创建办和领导查看"))
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
        require_office(request.user, scope.city_id, _("只有创建办可以新建考核方案"))
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
                messages.success(request, _("方案已保存"))
                return redirect("assessment:scheme", scheme.pk)
            messages.error(request, _("填写有误，请检查标红的字段"))
    elif request.method == "POST":
        raise InvalidTransition(_("已启用或停用的方案不能修改，请先生成新版本"))
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
        messages.success(request, _("方案已启用"))
    elif action == "version":
        scheme = services.new_scheme_version(scheme, acting_user=request.user)
        messages.success(request, _("已生成第 %(version)s 版草稿") % {"version": scheme.version})
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
    shown = entries.filter(period=period).order_by("group", "kind", BY_RANK, "id") if period else []
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


def _rectify(request: HttpRequest, submit: Callable[..., Any], record: Any) -> None:
    """A unit's rectification of a black-list entry or a negative-list finding: the posted
    整改情况 and evidence file, to ``submit`` (its service)."""
    form = NoteFileForm(request.POST, request.FILES)
    if not form.is_valid():
        raise InvalidInput(_form_errors(form), code="invalid")
    d = form.cleaned_data
    submit(record, note=d["note"], file=d.get("file"), acting_user=request.user)
    messages.success(request, _("整改情况已提交，等待创建办核查"))


def _verify(request: HttpRequest, verify: Callable[..., Any], record: Any) -> None:
    """The office's check of that rectification (passed, or back with the reason), to
    ``verify`` (its service)."""
    form = VerifyForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_form_errors(form), code="invalid")
    d = form.cleaned_data
    verify(record, approved=d["approved"], note=d["note"], acting_user=request.user)
    messages.success(request, _("核查结果已记录"))


@member_required
@require_POST
def list_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    entry = selectors.get_list_entry_for_user(_scope(request), pk)
    if action == "rectify":
        _rectify(request, services.submit_list_rectification, entry)
    elif action == "verify":
        _verify(request, services.verify_list_exit, entry)
    else:
        raise NotFound()
    return redirect(f"{reverse('assessment:lists')}?period={entry.period_id}")


@member_required
def list_file(request: HttpRequest, pk: int) -> Any:
    entry = selectors.get_list_entry_for_user(_scope(request), pk)
    return stored_file(entry.rectification_file, entry.rectification_name or "整改佐证")


@member_required
def finding_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = FindingFilter(request.GET, queryset=selectors.finding_list_qs(scope))
    page = FindingTable(request, f.qs).page
    template = list_template(
        request, "assessment/finding_list.html", "assessment/_finding_rows.html"
    )
    return render(request, template, {"filter": f, "page": page})


@member_required
def finding_export(request: HttpRequest) -> Any:
    """The list as filtered (the same FilterSet), at most ``MAX_EXPORT_ROWS`` rows."""
    qs = checked_filter(FindingFilter, request.GET, selectors.finding_list_qs(_scope(request))).qs
    return _xlsx(exports.findings_workbook(qs[:MAX_EXPORT_ROWS]), "负面清单问题.xlsx")


def _finding_form(scope: Any, data: Any = None, files: Any = None) -> FindingForm:
    units = Unit.objects.filter(city_id=scope.city_id, active=True).order_by("path")
    return FindingForm(
        data,
        files,
        units=units,
        system=active_system(scope.city_id),
        initial={"found_on": timezone.localdate()},
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
        messages.success(request, _("负面清单问题已认定，已通知责任单位"))
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
        _rectify(request, services.submit_finding_rectification, finding)
    elif action == "verify":
        _verify(request, services.verify_finding, finding)
    elif action == "withdraw":
        rform = ReasonForm(request.POST)
        reason = rform.cleaned_data["reason"] if rform.is_valid() else ""
        services.withdraw_finding(finding, reason=reason, acting_user=request.user)
        messages.success(request, _("已撤销"))
    else:
        raise NotFound()
    return redirect("assessment:finding", finding.pk)


@member_required
def finding_file(request: HttpRequest, pk: int) -> Any:
    finding = selectors.get_finding_for_user(_scope(request), pk)
    return stored_file(finding.evidence, finding.evidence_name or "问题佐证")


@member_required
def finding_event_file(request: HttpRequest, pk: int) -> Any:
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


# --- accountability, submissions, bulletins ---------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LATE_WINDOW_DAYS = 92  # the late list's default range: the reports due in the last quarter


def _city_of(request: HttpRequest) -> City:
    return City.objects.get(pk=_scope(request).city_id)


def _download(data: bytes, filename: str) -> HttpResponse:
    """Bytes as an attachment with a (Chinese) file name, never sniffed."""
    content_type = "application/pdf" if filename.endswith(".pdf") else None
    if filename.endswith(".docx"):
        content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return download(data, filename, content_type) if content_type else download(data, filename)


def _fail(request: HttpRequest, exc: ServiceError) -> None:
    messages.error(request, str(exc.message))


def _image(field: Any) -> FileResponse:
    response = FileResponse(field.open("rb"), content_type="image/jpeg")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _liaison_units(scope: Any) -> Any:
    """The units a user reports for: every unit for the office, their liaison units else."""
    if scope.write_all:
        return Unit.objects.filter(city_id=scope.city_id, active=True).order_by("path")
    return Unit.objects.filter(pk__in=selectors.liaison_unit_ids(scope), active=True).order_by(
        "path"
    )


# 奖惩问责 -------------------------------------------------------------------------------------


def _require_accountability_reader(scope: Any) -> None:
    if not selectors.reads_unit_reports(scope):
        raise PermissionDenied(_("奖惩问责记录仅创建办、市领导和被问责单位联络员可见"))


@member_required
def accountability_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    _require_accountability_reader(scope)
    f = AccountabilityFilter(request.GET, queryset=selectors.record_list_qs(scope))
    page = AccountabilityTable(request, f.qs).page
    template = list_template(
        request, "assessment/accountability_list.html", "assessment/_accountability_rows.html"
    )
    return render(
        request,
        template,
        {
            "filter": f,
            "page": page,
            "export_url": reverse("assessment:accountability_export"),
            "rules": sorted(accountability.RULES.values(), key=lambda r: r.code),
        },
    )


@member_required
def accountability_export(request: HttpRequest) -> Any:
    scope = _scope(request)
    _require_accountability_reader(scope)
    qs = AccountabilityFilter(request.GET, queryset=selectors.record_list_qs(scope)).qs
    return _download(
        exports.accountability_workbook(qs[: exports.MAX_EXPORT_ROWS]),
        f"奖惩问责-{timezone.localdate():%Y%m%d}.xlsx",
    )


@office_required
@require_POST
def accountability_rules(request: HttpRequest) -> HttpResponse:
    made = services.run_accountability_rules(_city_of(request), acting_user=request.user)
    messages.success(request, _("规则提出建议 %(n)s 条") % {"n": len(made)})
    return redirect(reverse("assessment:accountability_list") + "?state=proposed")


@office_required
def accountability_facts(request: HttpRequest) -> HttpResponse:
    """The proposal form's fact checkboxes for the chosen unit (htmx fragment)."""
    unit = Unit.objects.filter(
        city_id=_scope(request).city_id, pk=_int(request.GET.get("unit"))
    ).first()
    form = AccountabilityForm(facts=accountability.fact_candidates(unit) if unit else ())
    return render(request, "assessment/_accountability_facts.html", {"form": form})


def _int(value: Any) -> int:
    try:
        return max(0, min(int(value), DB_INT_MAX))
    except (TypeError, ValueError):
        return 0


@office_required
def accountability_new(request: HttpRequest) -> HttpResponse:
    city = _city_of(request)
    units = Unit.objects.filter(city=city, active=True).order_by("path")
    unit = units.filter(pk=_int(request.POST.get("unit") or request.GET.get("unit"))).first()
    facts = accountability.fact_candidates(unit) if unit else []
    form = AccountabilityForm(
        request.POST or None, units=units, facts=facts, initial={"unit": unit}
    )
    return form_page(
        request,
        form,
        "assessment/accountability_new.html",
        {},
        save=lambda d: services.propose_accountability(city, **d, acting_user=request.user),
        done=_("已提出，待决定"),
        then=lambda record: redirect("assessment:accountability", record.pk),
    )


@member_required
def accountability_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    record = selectors.get_record_for_user(scope, pk)
    return render(
        request,
        "assessment/accountability_detail.html",
        {
            "record": record,
            "facts": accountability.fact_links(record.facts),
            "can_decide": services.may_decide(request.user, record),
            "can_respond": record.state == AccountabilityState.DECIDED
            and (scope.write_all or selectors.is_liaison_of(scope, record.unit_id)),
            "decide_form": DecideForm(),
            "note_form": NoteForm(),
        },
    )


ACCOUNTABILITY_ACTIONS = {
    "decide": gettext_lazy("已决定"),
    "dismiss": gettext_lazy("已不予处理"),
    "respond": gettext_lazy("已反馈"),
    "follow_up": gettext_lazy("已记录跟踪问效"),
    "close": gettext_lazy("已办结"),
}


@member_required
@require_POST
def accountability_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    record = selectors.get_record_for_user(_scope(request), pk)
    if action not in ACCOUNTABILITY_ACTIONS:
        raise NotFound()
    user = request.user
    try:
        if action == "decide":
            form = DecideForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(_("请填写决定意见，反馈时限须为有效日期"), code="invalid")
            services.decide_accountability(
                record,
                decision=form.cleaned_data["decision"],
                response_due=form.cleaned_data["response_due"],
                referral_to=form.cleaned_data["referral_to"],
                acting_user=user,
            )
        else:
            nform = NoteForm(request.POST)
            note = nform.cleaned_data["note"] if nform.is_valid() else ""
            if action == "dismiss":
                services.dismiss_accountability(record, reason=note, acting_user=user)
            elif action == "respond":
                services.respond_accountability(record, response=note, acting_user=user)
            elif action == "follow_up":
                services.follow_up_accountability(record, note=note, acting_user=user)
            else:
                services.close_accountability(record, note=note, acting_user=user)
    except ServiceError as exc:
        if exc.status == 404:
            raise
        _fail(request, exc)
    else:
        messages.success(request, ACCOUNTABILITY_ACTIONS[action])
    return redirect("assessment:accountability", record.pk)


# 汇报点评 and 信息报送 ------------------------------------------------------------------------


def _require_submission_reader(scope: Any) -> None:
    if not selectors.reads_unit_reports(scope):
        raise PermissionDenied(_("汇报和信息仅创建办、市领导和单位联络员可见"))


@member_required
def submission_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    _require_submission_reader(scope)
    f = SubmissionFilter(request.GET, queryset=selectors.submission_list_qs(scope))
    page = SubmissionTable(request, f.qs).page
    template = list_template(
        request, "assessment/submission_list.html", "assessment/_submission_rows.html"
    )
    return render(
        request,
        template,
        {"filter": f, "page": page, "templates": selectors.templates_for_user(scope)},
    )


@office_required
def report_templates(request: HttpRequest) -> HttpResponse:
    return _template_form(request, None)


@office_required
def report_template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = ReportTemplate.objects.filter(city_id=_scope(request).city_id, pk=pk).first()
    if template is None:
        raise NotFound()
    return _template_form(request, template)


def _template_form(request: HttpRequest, template: ReportTemplate | None) -> HttpResponse:
    city = _city_of(request)
    units = Unit.objects.filter(city=city, active=True).order_by("path")
    initial = (
        {
            "title": template.title,
            "period": template.period,
            "due_day": template.due_day,
            "sections": ReportTemplateForm.sections_text(template.sections),
            "units": list(template.units.all()),
            "active": template.active,
        }
        if template
        else {"active": True, "due_day": 5}
    )
    form = ReportTemplateForm(request.POST or None, units=units, initial=initial)
    return form_page(
        request,
        form,
        "assessment/report_templates.html",
        {
            "template": template,
            "templates": ReportTemplate.objects.filter(city=city).prefetch_related("units"),
        },
        save=lambda d: services.save_report_template(
            city,
            template=template,
            title=d["title"],
            period=d["period"],
            sections=form.section_list(),
            due_day=d["due_day"],
            units=d["units"],
            active=d["active"],
            acting_user=request.user,
        ),
        done=lambda saved: _("已保存汇报模板「%(title)s」") % {"title": saved.title},
        then=lambda _saved: redirect("assessment:report_templates"),
    )


def _period_choices(template: ReportTemplate) -> list[tuple[str, str]]:
    """The current period and the one before it (a report is usually sent after its period)."""
    today = timezone.localdate()
    out = []
    for start, end in (
        periods.previous_period(template.period, today),
        periods.period_of(template.period, today),
    ):
        due = periods.due_date(end, template.due_day)
        label = periods.period_label(template.period, start)
        out.append((start.isoformat(), f"{label}（{due:%m月%d日}前报送）"))
    return out


@member_required
def report_new(request: HttpRequest, template_pk: int) -> HttpResponse:
    scope = _scope(request)
    template = selectors.templates_for_user(scope).filter(pk=template_pk, active=True).first()
    if template is None:
        raise NotFound()
    units = _liaison_units(scope).filter(pk__in=template.units.values("pk"))
    form = ReportForm(
        request.POST or None,
        template=template,
        units=units,
        periods=_period_choices(template),
        initial={"unit": units.first(), "period_start": _period_choices(template)[0][0]},
    )
    return form_page(
        request,
        form,
        "assessment/report_form.html",
        {"template": template},
        save=lambda d: services.submit_report(
            template,
            unit=d["unit"],
            period_start=date.fromisoformat(d["period_start"]),
            texts=form.texts(),
            acting_user=request.user,
        ),
        done=_("汇报已报送"),
        then=lambda sub: redirect("assessment:submission", sub.pk),
    )


@member_required
def info_new(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    units = _liaison_units(scope)
    if not units.exists():
        raise PermissionDenied(_("只有单位联络员可以报送信息"))
    form = InfoForm(request.POST or None, request.FILES or None, units=units)
    form.fields["unit"].initial = units.first()
    return form_page(
        request,
        form,
        "assessment/info_form.html",
        {},
        save=lambda d: services.submit_info(_city_of(request), **d, acting_user=request.user),
        done=_("信息已报送"),
        then=lambda sub: redirect("assessment:submission", sub.pk),
    )


@member_required
def info_edit(request: HttpRequest, pk: int) -> HttpResponse:
    sub = selectors.get_submission_for_user(_scope(request), pk)
    if sub.kind != SubmissionKind.INFO or sub.status != SubmissionStatus.RETURNED:
        raise InvalidTransition(_("只有被退回的信息可以修改后重新报送"))
    form = InfoEditForm(
        request.POST or None,
        request.FILES or None,
        initial={"title": sub.title, "body": sub.body},
    )
    return form_page(
        request,
        form,
        "assessment/info_form.html",
        {"submission": sub},
        save=lambda d: services.resubmit_info(sub, **d, acting_user=request.user),
        done=_("已重新报送"),
        then=lambda _saved: redirect("assessment:submission", sub.pk),
    )


@member_required
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    sub = selectors.get_submission_for_user(scope, pk)
    can_review = sub.status == SubmissionStatus.SUBMITTED and (
        scope.write_all or scope.has_role(Role.LEADER)
    )
    return render(
        request,
        "assessment/submission_detail.html",
        {
            "sub": sub,
            "photos": list(sub.photos.all()),
            "can_review": can_review,
            "can_resubmit": sub.status == SubmissionStatus.RETURNED
            and scope.can_write_unit(sub.unit),
            "review_form": ReviewForm(),
        },
    )


@member_required
@require_POST
def submission_review(request: HttpRequest, pk: int) -> HttpResponse:
    sub = selectors.get_submission_for_user(_scope(request), pk)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(
                _("请选择点评结果并填写点评意见，得分须为 0–100 的整数"), code="invalid"
            )
        d = form.cleaned_data
        services.review_submission(
            sub,
            approve=d["decision"] == "approve",
            score=d["score"],
            comment=d["comment"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        if exc.status == 404:
            raise
        _fail(request, exc)
    else:
        messages.success(request, _("点评已保存"))
    return redirect("assessment:submission", sub.pk)


@member_required
def submission_photo(request: HttpRequest, pk: int) -> Any:
    photo = SubmissionPhoto.objects.filter(pk=pk).first()
    if photo is None:
        raise NotFound()
    selectors.get_submission_for_user(_scope(request), photo.submission_id)
    return _image(photo.public)


def _date_param(request: HttpRequest, name: str, default: date) -> date:
    raw = request.GET.get(name) or ""
    if not raw:
        return default
    try:
        value = date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            _("日期「%(raw)s」无效，应为 2026-01-31 这样的日期") % {"raw": raw[:20]},
            code="bad_date",
        ) from None
    if not 1900 <= value.year <= 2100:
        raise InvalidInput(_("日期超出范围"), code="bad_date")
    return value


@member_required
def late_reports(request: HttpRequest) -> HttpResponse:
    """迟报漏报: every report due in the range with its timeliness (a unit sees its own)."""
    scope = _scope(request)
    _require_submission_reader(scope)
    today = timezone.localdate()
    start = _date_param(request, "start", today - timedelta(days=LATE_WINDOW_DAYS))
    end = _date_param(request, "end", today)
    if start > end:
        raise InvalidInput(_("开始日期不能晚于结束日期"), code="bad_date")
    unit_ids = None if scope.see_all else selectors.liaison_unit_ids(scope)
    rows = selectors.owed_reports(scope.city_id, start, end, unit_ids)
    show = request.GET.get("show", "late")
    if show == "late":
        rows = [r for r in rows if r.status in (Timeliness.LATE, Timeliness.MISSING)]
    counts = {s: 0 for s in Timeliness.values}
    for r in selectors.owed_reports(scope.city_id, start, end, unit_ids):
        counts[r.status] += 1
    return render(
        request,
        "assessment/late_reports.html",
        {"rows": rows, "start": start, "end": end, "show": show, "counts": counts},
    )


# 通报 ----------------------------------------------------------------------------------------


@member_required
def bulletin_list(request: HttpRequest) -> HttpResponse:
    scope = _scope(request)
    f = BulletinFilter(request.GET, queryset=selectors.bulletin_list_qs(scope))
    page = BulletinTable(request, f.qs).page
    today = timezone.localdate()
    start, end = periods.last_complete_period(BulletinKind.MONTHLY, today)
    template = list_template(
        request, "assessment/bulletin_list.html", "assessment/_bulletin_rows.html"
    )
    return render(
        request,
        template,
        {
            "filter": f,
            "page": page,
            "draft_form": BulletinDraftForm(
                initial={"kind": BulletinKind.MONTHLY, "start": start, "end": end}
            ),
        },
    )


@office_required
@require_POST
def bulletin_draft(request: HttpRequest) -> HttpResponse:
    form = BulletinDraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择通报类型并填写有效的统计期"))
        return redirect("assessment:bulletins")
    d = form.cleaned_data
    try:
        job = jobs.submit_draft(
            _city_of(request),
            kind=d["kind"],
            start=d["start"],
            end=d["end"],
            acting_user=request.user,
        )
    except ServiceError as exc:
        _fail(request, exc)
        return redirect("assessment:bulletins")
    messages.success(request, _("已提交后台起草，完成后可从本页打开通报"))
    return redirect("job", pk=job.pk)


@member_required
def bulletin_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _scope(request)
    bulletin = selectors.get_bulletin_for_user(scope, pk)
    sections = list(bulletin.sections.all())
    draft = bulletin.status == BulletinStatus.DRAFT
    units = Unit.objects.filter(city_id=bulletin.city_id, active=True).order_by("path")
    return render(
        request,
        "assessment/bulletin_detail.html",
        {
            "bulletin": bulletin,
            "sections": sections,
            "draft": draft,
            "editable": draft and scope.is_office,
            "receipts": bulletin.receipts.select_related("unit", "signed_by__person")
            if scope.see_all
            else [],
            "to_sign": selectors.pending_receipts(scope, bulletin),
            "title_form": BulletinTitleForm(initial={"title": bulletin.title}),
            "issue_form": IssueForm(
                units=units,
                initial={
                    "prefix": services.DEFAULT_BULLETIN_PREFIX,
                    "issuer": bulletin.issuer,
                    "recipients": list(services.default_recipients(bulletin.city_id)),
                },
            ),
        },
    )


@office_required
def bulletin_section(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    bulletin = selectors.get_bulletin_for_user(_scope(request), pk)
    section = BulletinSection.objects.filter(bulletin=bulletin, pk=section_pk).first()
    if section is None:
        raise NotFound()
    offered = [(f"{p['source']}:{p['id']}", p.get("caption", "")) for p in section.photos or []]
    form = SectionForm(
        request.POST or None,
        offered=offered,
        initial={
            "title": section.title,
            "text": section.text,
            "included": section.included,
            "photos": [f"{p['source']}:{p['id']}" for p in section.photos or [] if p.get("chosen")],
        },
    )
    return form_page(
        request,
        form,
        "assessment/bulletin_section.html",
        {"bulletin": bulletin, "section": section},
        save=lambda d: services.edit_bulletin_section(
            section,
            title=d["title"],
            text=d["text"],
            included=d["included"],
            chosen_photos=d["photos"],
            acting_user=request.user,
        ),
        done=lambda _saved: _("已保存「%(title)s」") % {"title": form.cleaned_data["title"]},
        then=lambda _saved: redirect(
            reverse("assessment:bulletin", args=[bulletin.pk]) + f"#s{section.pk}"
        ),
    )


@member_required
@require_POST
def bulletin_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = _scope(request)
    bulletin = selectors.get_bulletin_for_user(scope, pk)
    user = request.user
    try:
        if action == "sign":
            n = services.sign_bulletin(bulletin, acting_user=user)
            messages.success(request, _("已签收（%(n)s 个单位）") % {"n": n})
        elif action == "regenerate":
            services.regenerate_bulletin(bulletin, acting_user=user)
            messages.success(request, _("已按最新数据重新生成"))
        elif action == "rename":
            form = BulletinTitleForm(request.POST)
            if not form.is_valid():
                raise InvalidInput(_("请填写标题（不超过 200 字）"), code="invalid")
            services.rename_bulletin(bulletin, title=form.cleaned_data["title"], acting_user=user)
            messages.success(request, _("标题已保存"))
        elif action == "issue":
            units = Unit.objects.filter(city_id=bulletin.city_id, active=True)
            iform = IssueForm(request.POST, units=units)
            if not iform.is_valid():
                errors = "；".join(
                    f"{iform.fields[k].label}：{v[0]}" if k in iform.fields else str(v[0])
                    for k, v in iform.errors.items()
                )
                raise InvalidInput(
                    _("印发信息有误 — %(errors)s") % {"errors": errors}, code="invalid"
                )
            d = iform.cleaned_data
            bulletin = services.issue_bulletin(
                bulletin,
                prefix=d["prefix"],
                seq=d["seq"],
                issuer=d["issuer"],
                recipients=d["recipients"],
                acting_user=user,
            )
            messages.success(request, _("已印发 %(number)s") % {"number": bulletin.number})
        else:
            raise NotFound()
    except ServiceError as exc:
        if exc.status == 404:
            raise
        _fail(request, exc)
    return redirect("assessment:bulletin", bulletin.pk)


@member_required
def bulletin_file(request: HttpRequest, pk: int, fmt: str) -> Any:
    """The issued Word / PDF as archived; a draft's rendered on demand (the office only)."""
    bulletin = selectors.get_bulletin_for_user(_scope(request), pk)
    if fmt not in ("docx", "pdf"):
        raise NotFound()
    if bulletin.status == BulletinStatus.ISSUED:
        return stored_file(getattr(bulletin, fmt), bulletins.bulletin_filename(bulletin, fmt))
    render_doc = bulletins.bulletin_docx if fmt == "docx" else bulletins.bulletin_pdf
    return _download(render_doc(bulletin), bulletins.bulletin_filename(bulletin, fmt))


@member_required
def bulletin_photo(request: HttpRequest, pk: int, source: str, photo_id: int) -> Any:
    """A photo offered in one of the bulletin's sections, for whoever may read the bulletin."""
    bulletin = selectors.get_bulletin_for_user(_scope(request), pk)
    offered = any(
        p.get("source") == source and int(p.get("id") or 0) == photo_id
        for photos in bulletin.sections.values_list("photos", flat=True)
        for p in photos or []
    )
    f = bulletins.photo_files(bulletin.city_id, [{"source": source, "id": photo_id}]).get(
        (source, photo_id)
    )
    if not offered or f is None:
        raise NotFound()
    return _image(f)
