from django.http import HttpRequest
from ninja import Router
from ninja.pagination import LimitOffsetPagination, paginate

from chuangwen.org.scope import scope_of

from . import selectors, services
from .filters import RoundFilter
from .schemas import IndicatorScoreOut, RiskOut, RoundOut, UnitScoreOut

router = Router(tags=["考核评价"])


@router.get("/rounds", response=list[RoundOut], summary="模拟测评轮次")
@paginate(LimitOffsetPagination)
def list_rounds(request: HttpRequest, q: str = "", year: int | None = None, status: str = ""):
    params = {"q": q, "year": year, "status": status}
    qs = selectors.rounds_for_user(scope_of(request))
    return RoundFilter(params, queryset=qs).qs.order_by("-as_of", "-id")


@router.get("/rounds/{round_id}", response=RoundOut, summary="模拟测评结果（预测得分）")
def get_round(request: HttpRequest, round_id: int):
    return selectors.get_round_for_user(scope_of(request), round_id)


@router.get(
    "/rounds/{round_id}/risks", response=list[RiskOut], summary="失分风险：按可挽回分值排序"
)
def list_risks(request: HttpRequest, round_id: int, limit: int = 100):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return services.points_at_risk(rnd, limit=min(max(limit, 1), 1000))


@router.get("/rounds/{round_id}/indicators", response=list[IndicatorScoreOut], summary="各指标得分")
@paginate(LimitOffsetPagination)
def list_indicator_scores(request: HttpRequest, round_id: int):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return rnd.scores.order_by("indicator__path")


@router.get("/rounds/{round_id}/units", response=list[UnitScoreOut], summary="文明程度指数与排名")
@paginate(LimitOffsetPagination)
def list_unit_scores(request: HttpRequest, round_id: int, level: str = "district"):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return rnd.unit_scores.filter(level=level).order_by("rank")


@router.get(
    "/compare", summary="多轮对比（indicator / district / street / responsible / site_type）"
)
def compare(request: HttpRequest, rounds: str, by: str = "indicator"):
    ids = [int(x) for x in rounds.split(",") if x.strip().isdigit()]
    qs = selectors.rounds_for_user(scope_of(request)).filter(pk__in=ids).order_by("as_of", "id")
    return services.compare_rounds(list(qs), by=by)
