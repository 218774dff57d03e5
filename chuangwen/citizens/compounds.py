"""Best and worst residential compounds (最佳最差小区评选, part B).

A ranking covers the compounds of one site type (the residential-compound type of the sites
registry, e.g. 小区) over a period. Residents score their compound (1–5) in the ranking's
vote round — the same one-ballot-per-person rules as every round. At publication each compound
gets, from the period:

- 检查得分率: the average score (0–100 %) of the check results of inspections at the compound
  (检查次数: the inspections that visited it — each plan's visit counts once, whatever the
  number of checklist items);
- 居民评价: the residents' average score mapped to 0–100 % ((avg − 1) / 4);
- 案件办结率: of the cases located inside the compound (its polygon; a point or line site:
  within 50 m), the share closed; a compound without cases counts 100 %;

combined with the office's weights. Only compounds with at least ``min_votes`` ballots and
``min_checks`` checks are ranked (the others are listed as 样本不足). The best and worst are
published (``list_sizes``: fewer ranked than both lists hold share them in proportion); each
worst compound gets a rectification campaign (lead: the compound's owning unit, else the unit
of its area) and is marked for re-checking in the next ranking of the type.

Re-exported from ``chuangwen.citizens.services``.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import shapely
from django.db import transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _
from shapely.geometry import shape

from chuangwen.cases.choices import State
from chuangwen.cases.models import Case
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.core.geo import PolygonIndex
from chuangwen.indicators.models import SiteType
from chuangwen.inspections.models import CheckResult
from chuangwen.org.actors import require_office
from chuangwen.org.models import City
from chuangwen.sites.models import Site

from .campaigns import add_milestone, create_campaign, start_campaign
from .choices import CampaignKind, RoundKind, RoundStatus, Verdict
from .models import Candidate, CompoundRanking, CompoundScore, Round
from .votes import (
    MAX_TEXT,
    TallyRow,
    check_publishable,
    clean_text,
    create_round,
    freeze_result,
    locked_round,
    tally,
)

NEAR_DEG = 0.00045  # about 50 m: how far from a point or line compound a case still counts
CLOSED_STATES = frozenset({State.CLOSED, State.RATED})


def compound_types(city: City | int) -> list[SiteType]:
    """The site types that hold residential compounds: named 小区 (居民小区, 住宅小区 …)."""
    city_id: int = city if isinstance(city, int) else city.pk
    return list(SiteType.objects.filter(city_id=city_id, active=True, name__contains="小区"))


@transaction.atomic
def create_ranking(
    city: City,
    *,
    title: str,
    site_type: SiteType,
    period_start: dt.date,
    period_end: dt.date,
    closes_at: dt.datetime,
    opens_at: dt.datetime | None = None,
    min_votes: int = 10,
    min_checks: int = 3,
    weights: tuple[int, int, int] = (50, 30, 20),
    best_n: int = 5,
    worst_n: int = 5,
    acting_user: Any,
) -> CompoundRanking:
    """A new ranking with its vote round (draft) and one candidate per active compound."""
    require_office(acting_user, city)
    if site_type.city_id != city.pk:
        raise InvalidInput(_("点位类型不属于本城市"), code="bad_type")
    if period_start is None or period_end is None or period_end < period_start:
        raise InvalidInput(_("请填写考察期，结束日期不能早于开始日期"), code="bad_dates")
    if any(w < 0 for w in weights) or sum(weights) != 100:
        raise InvalidInput(_("三项权重之和应为 100"), code="bad_weights")
    if best_n + worst_n < 1 or best_n > 100 or worst_n > 100:
        raise InvalidInput(_("最佳、最差小区数应在 0–100 之间且不能都为 0"), code="bad_counts")
    if min_votes > 1_000_000 or min_checks > 10_000:
        raise InvalidInput(_("最少票数或检查次数超出范围"), code="bad_minimum")
    compounds = list(
        Site.objects.filter(city=city, site_type=site_type, active=True).order_by("code")
    )
    if not compounds:
        raise InvalidInput(
            _("「%(t)s」类型下没有有效的小区点位") % {"t": site_type.name}, code="no_compounds"
        )
    round_ = create_round(
        city,
        kind=RoundKind.COMPOUND,
        title=title,
        description=_("请为您居住的小区打分（1–5 分）。"),
        closes_at=closes_at,
        opens_at=opens_at,
        max_choices=1,
        select_count=min(100, best_n + worst_n),
        acting_user=acting_user,
    )
    Candidate.objects.bulk_create(
        [
            Candidate(round=round_, title=s.name, site=s, source_note=s.address[:300], sort=i)
            for i, s in enumerate(compounds, start=1)
        ]
    )
    previous = (
        CompoundRanking.objects.filter(
            city=city, site_type=site_type, round__status=RoundStatus.PUBLISHED
        )
        .order_by("-period_end", "-id")
        .first()
    )
    ranking = CompoundRanking.objects.create(
        city=city,
        round=round_,
        site_type=site_type,
        period_start=period_start,
        period_end=period_end,
        min_votes=min_votes,
        min_checks=min_checks,
        weight_checks=weights[0],
        weight_votes=weights[1],
        weight_cases=weights[2],
        best_n=best_n,
        worst_n=worst_n,
        previous=previous,
    )
    audit.record(
        "citizens.ranking.created",
        ranking,
        actor=acting_user,
        after={
            "round": round_.pk,
            "site_type": site_type.pk,
            "compounds": len(compounds),
            "weights": list(weights),
            "previous": previous.pk if previous else None,
        },
        summary=round_.title,
    )
    return ranking


@dataclass
class ScoreRow:
    site: Site
    candidate: Candidate
    checks: int = 0
    check_rate: float | None = None
    votes: int = 0
    vote_rate: float | None = None
    cases: int = 0
    closed: int = 0
    score: float | None = None
    eligible: bool = False
    rank: int | None = None
    verdict: str = ""
    was_worst: bool = False

    @property
    def closure_rate(self) -> float | None:
        return round(100 * self.closed / self.cases, 1) if self.cases else None


def _period(ranking: CompoundRanking) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(ranking.period_start, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(ranking.period_end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return start, end


def _area(site: Site) -> shapely.Geometry | None:
    try:
        geom = shape(site.geometry)
    except (ValueError, TypeError, AttributeError, KeyError):
        return None
    if geom.geom_type not in ("Polygon", "MultiPolygon"):
        geom = geom.buffer(NEAR_DEG)
    return geom if geom.is_valid and not geom.is_empty else None


def _case_counts(
    city_id: int, sites: Sequence[Site], start: dt.datetime, end: dt.datetime
) -> dict[int, tuple[int, int]]:
    """site id → (cases located in it in the period, of which closed)."""
    areas = [(s.pk, a) for s in sites if (a := _area(s)) is not None]
    if not areas:
        return {}
    index = PolygonIndex([k for k, _a in areas], [a for _k, a in areas])
    x0 = min(a.bounds[0] for _k, a in areas)
    y0 = min(a.bounds[1] for _k, a in areas)
    x1 = max(a.bounds[2] for _k, a in areas)
    y1 = max(a.bounds[3] for _k, a in areas)
    rows = list(
        Case.objects.filter(
            city_id=city_id,
            reported_at__gte=start,
            reported_at__lt=end,
            lon__gte=x0,
            lon__lte=x1,
            lat__gte=y0,
            lat__lte=y1,
        )
        .exclude(state=State.REJECTED)
        .values_list("lon", "lat", "state")
    )
    if not rows:
        return {}
    keys = index.locate_many([r[0] or 0.0 for r in rows], [r[1] or 0.0 for r in rows])
    out: dict[int, list[int]] = {}
    for key, (_lon, _lat, state) in zip(keys, rows, strict=True):
        if key is None:
            continue
        n = out.setdefault(key, [0, 0])
        n[0] += 1
        n[1] += state in CLOSED_STATES
    return {k: (v[0], v[1]) for k, v in out.items()}


def compute_scores(ranking: CompoundRanking) -> list[ScoreRow]:
    """Every compound's figures and rank from the data as it is now (the office previews this
    before publishing; publication stores it)."""
    round_ = ranking.round
    candidates = list(
        round_.candidates.filter(withdrawn=False, site__isnull=False).select_related("site")
    )
    sites = [c.site for c in candidates if c.site is not None]
    start, end = _period(ranking)
    checks = {
        r["site_id"]: r
        for r in CheckResult.objects.filter(
            city_id=ranking.city_id,
            site_id__in=[s.pk for s in sites],
            observed_at__gte=start,
            observed_at__lt=end,
        )
        .values("site_id")
        .annotate(n=Count("sample_id", distinct=True), avg=Avg("score"))
        .order_by()
    }
    votes: dict[int, TallyRow] = {r.candidate.pk: r for r in tally(round_)}
    cases = _case_counts(ranking.city_id, sites, start, end)
    worst_before: set[int] = set()
    if ranking.previous_id:
        worst_before = set(
            CompoundScore.objects.filter(
                ranking_id=ranking.previous_id, verdict=Verdict.WORST
            ).values_list("site_id", flat=True)
        )
    rows = []
    for c in candidates:
        site = c.site
        if site is None:
            continue
        row = ScoreRow(site=site, candidate=c, was_worst=site.pk in worst_before)
        ch = checks.get(site.pk)
        if ch:
            row.checks, row.check_rate = ch["n"], round(100 * ch["avg"], 1)
        t = votes.get(c.pk)
        if t is not None and t.votes:
            row.votes = t.votes
            row.vote_rate = round(100 * ((t.score or 1) - 1) / 4, 1)
        row.cases, row.closed = cases.get(site.pk, (0, 0))
        row.eligible = row.votes >= ranking.min_votes and row.checks >= ranking.min_checks
        if row.eligible:
            closure = row.closure_rate if row.closure_rate is not None else 100.0
            row.score = round(
                (
                    ranking.weight_checks * (row.check_rate or 0)
                    + ranking.weight_votes * (row.vote_rate or 0)
                    + ranking.weight_cases * closure
                )
                / 100,
                2,
            )
        rows.append(row)
    ranked = sorted(
        (r for r in rows if r.eligible),
        key=lambda r: (-(r.score or 0), r.cases, -r.votes, r.site.code),
    )
    for i, r in enumerate(ranked, start=1):
        r.rank = i
    best_n, worst_n = list_sizes(len(ranked), ranking.best_n, ranking.worst_n)
    best = ranked[:best_n]
    worst = ranked[len(ranked) - worst_n :] if worst_n else []
    for r in best:
        r.verdict = Verdict.BEST
    for r in worst:
        r.verdict = Verdict.WORST
    rest = sorted((r for r in rows if not r.eligible), key=lambda r: r.site.code)
    return [*ranked, *rest]


def list_sizes(ranked: int, best_n: int, worst_n: int) -> tuple[int, int]:
    """How many of ``ranked`` compounds go on the best and on the worst list. With enough
    ranked, the office's ``best_n`` and ``worst_n``; with fewer, the lists share them in that
    proportion (rounded, the best first), so that five ranked of a 5 + 3 selection are 3 best
    and 2 worst rather than 5 best and no worst."""
    if ranked >= best_n + worst_n:
        return best_n, worst_n
    total = best_n + worst_n
    best = min(best_n, (ranked * best_n * 2 + total) // (total * 2))
    return best, min(worst_n, ranked - best)


def _lead_of(site: Site) -> Any:
    return site.owner if site.owner_id else site.area_unit


@transaction.atomic
def publish_ranking(
    ranking: CompoundRanking,
    *,
    note: str = "",
    confirm_unverified: bool = False,
    rectify_days: int = 60,
    acting_user: Any,
) -> list[ScoreRow]:
    """公布最佳最差小区: store every compound's figures, and open a rectification campaign
    (started, with its milestone "整改并接受复查") for each worst compound."""
    require_office(acting_user, ranking.city_id)
    round_: Round = locked_round(ranking.round)
    note = clean_text(note, MAX_TEXT, _("公布说明"))
    if not 7 <= rectify_days <= 366:
        raise InvalidInput(_("整改期限应在 7–366 天之间"), code="bad_days")
    figures = check_publishable(round_, confirm_unverified=confirm_unverified, note=note)
    ranking.round = round_
    rows = compute_scores(ranking)
    worst = [r for r in rows if r.verdict == Verdict.WORST]
    orphans = [r.site.name for r in worst if _lead_of(r.site) is None]
    if orphans:
        raise InvalidInput(
            _("最差小区「%(s)s」没有责任单位或属地单位，请先在点位中补全")
            % {"s": "、".join(orphans)},
            code="no_unit",
        )
    freeze_result(
        round_,
        [TallyRow(r.candidate, r.votes, None, 0) for r in rows],
        {r.candidate.pk for r in rows if r.verdict},
        note,
        figures,
        acting_user=acting_user,
    )
    scored = [r.score for r in rows if r.score is not None]
    average = Decimal(str(round(sum(scored) / len(scored), 2))) if scored else Decimal(0)
    city = City.objects.get(pk=ranking.city_id)
    today = timezone.localdate()
    stored = []
    for r in rows:
        campaign = None
        if r.verdict == Verdict.WORST:
            campaign = create_campaign(
                city,
                kind=CampaignKind.COMPOUND,
                title=_("%(s)s整改（%(r)s）") % {"s": r.site.name, "r": round_.title},
                description=_("在“%(r)s”中列为最差小区，限期整改，下一轮评选复查。")
                % {"r": round_.title},
                lead_unit=_lead_of(r.site),
                target_text=_("下一轮评选综合得分不低于本轮参评小区平均分"),
                target_value=average,
                target_unit=_("分"),
                baseline_value=Decimal(str(r.score)) if r.score is not None else None,
                starts_on=today,
                ends_on=today + dt.timedelta(days=rectify_days),
                site=r.site,
                acting_user=acting_user,
            )
            add_milestone(
                campaign,
                title=_("完成整改并接受下一轮复查"),
                deadline=campaign.ends_on,
                acting_user=acting_user,
            )
            start_campaign(campaign, acting_user=acting_user)
        stored.append(
            CompoundScore(
                ranking=ranking,
                site=r.site,
                checks=r.checks,
                check_rate=r.check_rate,
                votes=r.votes,
                vote_rate=r.vote_rate,
                cases=r.cases,
                closed=r.closed,
                closure_rate=r.closure_rate,
                score=r.score,
                eligible=r.eligible,
                rank=r.rank,
                verdict=r.verdict,
                was_worst=r.was_worst,
                campaign=campaign,
            )
        )
    CompoundScore.objects.bulk_create(stored)
    audit.record(
        "citizens.ranking.published",
        ranking,
        actor=acting_user,
        after={
            "ranked": sum(r.eligible for r in rows),
            "best": [r.site.pk for r in rows if r.verdict == Verdict.BEST],
            "worst": [r.site.pk for r in worst],
        },
        summary=round_.title,
    )
    return rows
