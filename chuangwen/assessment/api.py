from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router
from ninja.pagination import paginate

from chuangwen.core.errors import InvalidParameters
from chuangwen.core.filtering import filter_doc, filtered
from chuangwen.core.schemas import DB_INT_MAX, Paged, PageLimit
from chuangwen.org.scope import scope_of

from . import selectors, services
from .choices import ScoreLevel
from .filters import RoundFilter
from .schemas import CompareOut, IndicatorScoreOut, RiskOut, RoundOut, UnitScoreOut

MAX_COMPARED = 50

router = Router(tags=["考核评价"])


@router.get(
    "/rounds",
    response=list[RoundOut],
    summary="模拟测评轮次",
    openapi_extra=filter_doc(RoundFilter),
)
@paginate(Paged)
def list_rounds(request: HttpRequest):
    qs = selectors.rounds_for_user(scope_of(request))
    return filtered(RoundFilter, request, qs).order_by("-as_of", "-id")


@router.get("/rounds/{round_id}", response=RoundOut, summary="模拟测评结果（预测得分）")
def get_round(request: HttpRequest, round_id: int):
    return selectors.get_round_for_user(scope_of(request), round_id)


@router.get(
    "/rounds/{round_id}/risks", response=list[RiskOut], summary="失分风险：按可挽回分值排序"
)
def list_risks(request: HttpRequest, round_id: int, limit: PageLimit = 100):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return services.points_at_risk(rnd, limit=limit)


@router.get("/rounds/{round_id}/indicators", response=list[IndicatorScoreOut], summary="各指标得分")
@paginate(Paged)
def list_indicator_scores(request: HttpRequest, round_id: int):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return rnd.scores.order_by("indicator__path")


@router.get("/rounds/{round_id}/units", response=list[UnitScoreOut], summary="文明程度指数与排名")
@paginate(Paged)
def list_unit_scores(request: HttpRequest, round_id: int, level: ScoreLevel = ScoreLevel.DISTRICT):
    rnd = selectors.get_round_for_user(scope_of(request), round_id)
    return rnd.unit_scores.filter(level=level).order_by("rank")


def _round_ids(rounds: str) -> list[int]:
    """``rounds`` as a list of ids: comma-separated positive whole numbers, at most 50."""
    try:
        ids = [int(x) for x in rounds.split(",") if x.strip()]
    except ValueError:
        ids = []
    if not ids or len(ids) > MAX_COMPARED or not all(1 <= i <= DB_INT_MAX for i in ids):
        raise InvalidParameters(
            {"rounds": _("应为逗号分隔的轮次编号（正整数，最多 %(n)d 个）") % {"n": MAX_COMPARED}}
        )
    return ids


@router.get(
    "/compare",
    response=CompareOut,
    summary="多轮对比（indicator / district / street / responsible / site_type）",
)
def compare(
    request: HttpRequest,
    rounds: Annotated[str, Field(pattern=r"^\d+(,\d+)*$", description="轮次编号，逗号分隔")],
    by: Literal["indicator", "district", "street", "responsible", "site_type"] = "indicator",
):
    ids = _round_ids(rounds)
    qs = selectors.rounds_for_user(scope_of(request)).filter(pk__in=ids).order_by("as_of", "id")
    return services.compare_rounds(list(qs), by=by)
