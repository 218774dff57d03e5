from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from chuangwen.core.errors import ImportFailed, InvalidInput, NotFound
from chuangwen.core.permissions import member_required, office_required
from chuangwen.core.views import list_template, paginate
from chuangwen.indicators.models import NegativeListItem
from chuangwen.inspections.models import InspectionPlan
from chuangwen.org.actors import require_office
from chuangwen.org.models import City

from . import selectors, services
from .choices import ScoreLevel
from .filters import RoundFilter
from .forms import RoundForm, SurveyForm, WeightsForm
from .models import IndicatorScore, SiteTypeScore, UnitScore


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
        services.add_negative_finding(
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
