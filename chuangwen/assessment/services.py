"""Every write of the mock evaluation: rounds, weights (data the office edits), survey imports,
negative-list findings, and the computation of the predicted score, per-unit indices and the
points at risk.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for the system itself).
"""

import copy
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput
from chuangwen.core.xlsx import ErrorCollector, read_rows
from chuangwen.indicators.choices import (
    METHOD_FAMILY,
    CityTitle,
    Method,
    Sanction,
    SystemKind,
    SystemStatus,
)
from chuangwen.indicators.models import EvaluationSystem, Indicator, NegativeListItem
from chuangwen.org.actors import actor_user, require_office
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City, Unit

from . import rollup
from .choices import COMPONENT_NAMES, DEFAULT_WEIGHTS, RiskKind, RoundStatus, ScoreLevel
from .models import (
    IndicatorScore,
    MockEvaluation,
    NegativeFinding,
    SiteTypeScore,
    SurveyResult,
    UnitScore,
)

ROUND_FIELDS = ["title", "year", "as_of", "system", "window_days", "weights", "status"]
SCORE_FIELDS = [
    "field_score",
    "materials_score",
    "survey_score",
    "deductions",
    "annual_score",
    "minors_score",
    "overall_score",
    "cycle_score",
    "eligible",
]
DOCUMENT_METHODS = {Method.DOCUMENT, Method.ONLINE_FILING}


# --- weights ---------------------------------------------------------------------------------


def weights_from_system(system: EvaluationSystem | None) -> dict[str, Any]:
    """The defaults, overridden by what the evaluation system's ``weights`` says (its Chinese
    component names are mapped to ``materials`` / ``field`` / ``survey``)."""
    out = copy.deepcopy(DEFAULT_WEIGHTS)
    data = (system.weights if system is not None else None) or {}
    components = data.get("components") or {}
    for key, names in COMPONENT_NAMES.items():
        for name in (key, *names):
            if name in components:
                out["components"][key] = float(components[name])
                break
    for key in ("cycle_year_weights", "minors_threshold", "minors_share_percent", "survey_weights"):
        if key in data:
            out[key] = data[key]
    return out


def clean_weights(weights: dict[str, Any]) -> dict[str, Any]:
    """Validate weights the office typed in (every number non-negative, three cycle years)."""
    out = copy.deepcopy(DEFAULT_WEIGHTS)
    try:
        comps = weights.get("components") or {}
        for key in out["components"]:
            if key in comps:
                out["components"][key] = float(comps[key])
        years = weights.get("cycle_year_weights", out["cycle_year_weights"])
        out["cycle_year_weights"] = [float(v) for v in years]
        out["minors_threshold"] = float(weights.get("minors_threshold", out["minors_threshold"]))
        out["minors_share_percent"] = float(
            weights.get("minors_share_percent", out["minors_share_percent"])
        )
        sw = weights.get("survey_weights") or {}
        for key in out["survey_weights"]:
            if key in sw:
                out["survey_weights"][key] = float(sw[key])
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput("权重必须是数字", code="bad_weights") from exc
    numbers = [
        *out["components"].values(),
        *out["cycle_year_weights"],
        out["minors_threshold"],
        out["minors_share_percent"],
        *out["survey_weights"].values(),
    ]
    if any(v < 0 for v in numbers):
        raise InvalidInput("权重不能为负数", code="bad_weights")
    if len(out["cycle_year_weights"]) != 3 or sum(out["cycle_year_weights"]) <= 0:
        raise InvalidInput("创建周期权重须为三个年度的非负数，且不全为 0", code="bad_weights")
    if out["minors_share_percent"] > 100:
        raise InvalidInput("未成年人测评占比不能超过 100%", code="bad_weights")
    if sum(out["survey_weights"].values()) <= 0:
        raise InvalidInput("问卷三率的权重不能全为 0", code="bad_weights")
    return out


# --- rounds ----------------------------------------------------------------------------------


@transaction.atomic
def create_round(
    city: City,
    *,
    title: str,
    year: int | None = None,
    as_of: Any = None,
    system: EvaluationSystem | None = None,
    minors_system: EvaluationSystem | None = None,
    plans: Iterable[Any] = (),
    window_days: int = 120,
    weights: dict[str, Any] | None = None,
    acting_user: Any,
) -> MockEvaluation:
    require_office(acting_user, city.pk)
    title = (title or "").strip()
    if not title:
        raise InvalidInput("名称不能为空", code="required")
    system = (
        system
        or EvaluationSystem.objects.filter(
            city=city, kind=SystemKind.MAIN, title=CityTitle.CIVILIZED, status=SystemStatus.ACTIVE
        ).first()
    )
    if system is None or system.city_id != city.pk:
        raise InvalidInput("本市没有启用的测评体系", code="no_system")
    if minors_system is None:
        minors_system = EvaluationSystem.objects.filter(
            city=city, kind=SystemKind.MINORS, title=CityTitle.CIVILIZED, status=SystemStatus.ACTIVE
        ).first()
    as_of = as_of or timezone.now()
    plans = list(plans)
    if any(p.city_id != city.pk for p in plans):
        raise InvalidInput("督查计划不属于本城市", code="bad_plan")
    rnd = MockEvaluation.objects.create(
        city=city,
        title=title[:200],
        year=year or timezone.localtime(as_of).year,
        as_of=as_of,
        system=system,
        minors_system=minors_system,
        window_days=max(1, int(window_days)),
        weights=clean_weights(weights) if weights is not None else weights_from_system(system),
        created_by=actor_user(acting_user),
    )
    rnd.plans.set(plans)
    audit.record(
        "assessment.round.created",
        rnd,
        actor=acting_user,
        after={**audit.snapshot(rnd, ROUND_FIELDS), "plans": [p.pk for p in plans]},
        summary=rnd.title,
    )
    return rnd


@transaction.atomic
def update_round_inputs(
    rnd: MockEvaluation,
    *,
    weights: dict[str, Any] | None = None,
    materials: dict[str, Any] | None = None,
    minors_input: float | bool | None = False,
    prior_scores: dict[str, Any] | None = None,
    acting_user: Any,
) -> MockEvaluation:
    """Change what the office controls: the weights (when the central office changes them),
    manual materials ratios, the minors' score, earlier years' scores."""
    rnd = MockEvaluation.objects.select_for_update().get(pk=rnd.pk)
    require_office(acting_user, rnd.city_id)
    names = ["weights", "materials", "minors_input", "prior_scores"]
    before = audit.snapshot(rnd, names)
    fields = ["updated_at"]
    if weights is not None:
        rnd.weights = clean_weights(weights)
        fields.append("weights")
    if materials is not None:
        codes = set(Indicator.objects.filter(system=rnd.system).values_list("code", flat=True))
        clean = {}
        for code, v in materials.items():
            if code not in codes:
                raise InvalidInput(f"标准编号「{code}」不在该测评体系中", code="bad_indicator")
            try:
                ratio = float(v)
            except (TypeError, ValueError) as exc:
                raise InvalidInput(f"「{code}」的得分率必须是数字", code="bad_value") from exc
            if not 0 <= ratio <= 1:
                raise InvalidInput(f"「{code}」的得分率必须在 0–1 之间", code="bad_value")
            clean[code] = ratio
        rnd.materials = clean
        fields.append("materials")
    if minors_input is not False:
        if minors_input is not None and not 0 <= float(minors_input) <= 100:
            raise InvalidInput("未成年人测评得分须在 0–100 之间", code="bad_value")
        rnd.minors_input = minors_input
        fields.append("minors_input")
    if prior_scores is not None:
        try:
            rnd.prior_scores = {str(int(y)): float(s) for y, s in prior_scores.items()}
        except (TypeError, ValueError) as exc:
            raise InvalidInput("往年成绩格式：年度 → 分数", code="bad_value") from exc
        fields.append("prior_scores")
    rnd.save(update_fields=fields)
    b, a = audit.changes(before, audit.snapshot(rnd, names))
    audit.record(
        "assessment.round.updated", rnd, actor=acting_user, before=b, after=a, summary=rnd.title
    )
    return rnd


SURVEY_COLUMNS = ["区县编码", "知晓率", "支持率", "满意率", "样本量"]


def _percent(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, str):
        value = value.strip().rstrip("%％")
    v = float(value)
    return v * 100 if 0 < v <= 1 and not isinstance(value, str) and v != 1 else v


@transaction.atomic
def import_survey(rnd: MockEvaluation, file: IO[bytes] | bytes, *, acting_user: Any) -> int:
    """问卷调查 results from Excel: 区县编码 (empty = the whole city), 知晓率, 支持率, 满意率
    (percent, or 0–1 fractions), 样本量. Replaces the round's survey rows; all or nothing."""
    require_office(acting_user, rnd.city_id)
    errors = ErrorCollector("问卷调查")
    units = {u.code: u for u in Unit.objects.filter(city_id=rnd.city_id)}
    rows: list[SurveyResult] = []
    seen: dict[Any, int] = {}
    for number, row in read_rows(file, ["知晓率", "支持率", "满意率"], ["区县编码", "样本量"]):
        code = str(row.get("区县编码") or "")
        unit = None
        if code:
            unit = units.get(code)
            if unit is None:
                errors.add(number, "区县编码", f"单位「{code}」不存在")
        key = unit.pk if unit else None
        if key in seen:
            errors.add(number, "区县编码", f"与第 {seen[key]} 行重复")
        seen[key] = number
        values = {}
        for col in ("知晓率", "支持率", "满意率"):
            try:
                v = _percent(row.get(col))
            except (TypeError, ValueError):
                v = None
            if v is None or not 0 <= v <= 100:
                errors.add(number, col, "须为 0–100 的百分数")
            values[col] = v or 0.0
        n = row.get("样本量") or 0
        try:
            n = int(n)
        except (TypeError, ValueError):
            errors.add(number, "样本量", "须为整数")
            n = 0
        rows.append(
            SurveyResult(
                round=rnd,
                unit=unit,
                awareness=values["知晓率"],
                support=values["支持率"],
                satisfaction=values["满意率"],
                respondents=n,
            )
        )
    if not rows and not errors:
        errors.add(None, "", "文件中没有数据行")
    errors.raise_if_any()
    rnd.surveys.all().delete()
    SurveyResult.objects.bulk_create(rows)
    audit.record(
        "assessment.survey.imported",
        rnd,
        actor=acting_user,
        after={"rows": len(rows)},
        summary=f"导入问卷调查 {len(rows)} 行",
    )
    return len(rows)


@transaction.atomic
def add_negative_finding(
    rnd: MockEvaluation,
    item: NegativeListItem,
    *,
    points: float | None = None,
    note: str = "",
    acting_user: Any,
) -> NegativeFinding:
    require_office(acting_user, rnd.city_id)
    if item.system_id != rnd.system_id:
        raise InvalidInput("负面清单条目不属于本轮的测评体系", code="bad_item")
    finding = NegativeFinding.objects.create(round=rnd, item=item, points=points, note=note)
    audit.record(
        "assessment.negative.added",
        rnd,
        actor=acting_user,
        after={"item": item.pk, "points": points, "note": note[:200]},
        summary=f"{item.code} {item.text[:40]}",
    )
    return finding


# --- computing -------------------------------------------------------------------------------


@dataclass
class FieldData:
    """What one field roll-up needs, loaded once per round."""

    nodes: list[rollup.Node]
    standards_of: dict[int, list[int]]  # check item → its standards
    observations: list[tuple[int, float, int, int | None]]  # (item, score, site, result id)


def _nodes(system: EvaluationSystem) -> tuple[list[rollup.Node], dict[int, Indicator]]:
    rows = list(
        Indicator.objects.filter(system=system, retired=False).only(
            "id",
            "parent_id",
            "points",
            "weight",
            "code",
            "title",
            "methods",
            "method_tags",
            "level",
        )
    )
    nodes = [
        rollup.Node(
            r.pk,
            r.parent_id,
            float(r.points) if r.points is not None else None,
            float(r.weight) if r.weight is not None else None,
        )
        for r in rows
    ]
    return nodes, {r.pk: r for r in rows}


def _standards_of(system: EvaluationSystem) -> dict[int, list[int]]:
    from chuangwen.indicators.models import CheckItem

    through = CheckItem.standards.through
    out: dict[int, list[int]] = defaultdict(list)
    for item_id, std_id in through.objects.filter(checkitem__system=system).values_list(
        "checkitem_id", "indicator_id"
    ):
        out[item_id].append(std_id)
    return out


def _observations(rnd: MockEvaluation) -> list[tuple[int, float, int, int | None]]:
    from chuangwen.inspections.models import CheckResult

    qs = CheckResult.objects.filter(city_id=rnd.city_id, check_item__system_id=rnd.system_id)
    plan_ids = list(rnd.plans.values_list("pk", flat=True))
    if plan_ids:
        qs = qs.filter(plan_id__in=plan_ids)
    else:
        qs = qs.filter(
            observed_at__lte=rnd.as_of, observed_at__gt=rnd.as_of - timedelta(days=rnd.window_days)
        )
    return list(qs.values_list("check_item_id", "score", "site_id", "case_id"))


def _is_document(ind: Indicator) -> bool:
    tags = {t for t in (ind.method_tags or "").strip("|").split("|") if t}
    tags |= set(ind.methods or [])
    tags |= {str(METHOD_FAMILY[m]) for m in list(tags) if m in METHOD_FAMILY}  # type: ignore[index]
    return bool(tags & {str(m) for m in DOCUMENT_METHODS})


def ledger_ratios(rnd: MockEvaluation) -> dict[int, float]:
    """Materials ratio per standard from the evidence ledger's review status: the share of the
    standard's tasks with evidence in an accepted progress report (the tasks app)."""
    from chuangwen.tasks.selectors import evidence_review_ratios

    return {int(k): float(v) for k, v in evidence_review_ratios(rnd.system).items()}


def _materials_leaf(rnd: MockEvaluation, by_id: dict[int, Indicator]) -> dict[int, float]:
    ledger = ledger_ratios(rnd)
    manual = rnd.materials or {}
    leaf = {}
    leaves = {i for i in by_id} - {n.parent_id for n in by_id.values() if n.parent_id}
    for pk in leaves:
        ind = by_id[pk]
        if not _is_document(ind):
            continue
        if ind.code in manual:
            leaf[pk] = float(manual[ind.code])
        else:
            leaf[pk] = ledger.get(pk, 0.0)
    return leaf


def _survey_ratio(rnd: MockEvaluation) -> float | None:
    rows = list(rnd.surveys.all())
    if not rows:
        return None
    city_rows = [r for r in rows if r.unit_id is None] or rows
    sw = rnd.weights.get("survey_weights") or DEFAULT_WEIGHTS["survey_weights"]
    total_w = sum(float(v) for v in sw.values())
    n = sum(r.respondents for r in city_rows)
    acc = 0.0
    for r in city_rows:
        weight = r.respondents / n if n else 1 / len(city_rows)
        mixed = (
            float(sw.get("awareness", 0)) * r.awareness
            + float(sw.get("support", 0)) * r.support
            + float(sw.get("satisfaction", 0)) * r.satisfaction
        ) / total_w
        acc += weight * mixed
    return acc / 100


def field_ratios(
    nodes: list[rollup.Node],
    standards_of: dict[int, list[int]],
    observations: Iterable[tuple[int, float]],
) -> tuple[dict[int, tuple[float, int]], dict[int, float], dict[int, float]]:
    """(item ratios, standard ratios, every node's ratio incl. ROOT) for some observations."""
    items = rollup.item_ratios(observations)
    stds = rollup.standard_ratios(items, standards_of)
    return items, stds, rollup.roll_up(nodes, stds)


def _cycle(rnd: MockEvaluation, this_year: float) -> float:
    weights = rnd.weights.get("cycle_year_weights") or DEFAULT_WEIGHTS["cycle_year_weights"]
    prior = dict(rnd.prior_scores or {})
    scores: list[float | None] = []
    for offset in (2, 1):
        year = rnd.year - offset
        if str(year) in prior:
            scores.append(float(prior[str(year)]))
            continue
        earlier = (
            MockEvaluation.objects.filter(
                city_id=rnd.city_id, year=year, status=RoundStatus.COMPUTED
            )
            .exclude(overall_score=None)
            .order_by("-as_of", "-id")
            .values_list("overall_score", flat=True)
            .first()
        )
        scores.append(earlier)
    scores.append(this_year)
    used = [(float(w), s) for w, s in zip(weights, scores, strict=True) if s is not None]
    total = sum(w for w, _s in used)
    return sum(w * s for w, s in used) / total if total else this_year


def _unit_memberships(city_id: int, site_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """site → [(unit, level)]: its 区县 and 街道 (by area), its owner and 包保 units."""
    from chuangwen.sites.models import Site, SiteAssignment

    kinds = dict(Unit.objects.filter(city_id=city_id).values_list("pk", "kind"))
    out: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for pk, area_path, owner_id, district_id in Site.objects.filter(pk__in=site_ids).values_list(
        "pk", "area_path", "owner_id", "district_id"
    ):
        for part in (area_path or "").strip(".").split("."):
            if not part:
                continue
            uid = int(part)
            if kinds.get(uid) == UnitKind.STREET:
                out[pk].append((uid, ScoreLevel.STREET))
        if district_id:
            out[pk].append((district_id, ScoreLevel.DISTRICT))
        if owner_id:
            out[pk].append((owner_id, ScoreLevel.RESPONSIBLE))
    for site_id, unit_id in SiteAssignment.objects.filter(site_id__in=site_ids).values_list(
        "site_id", "unit_id"
    ):
        if (unit_id, ScoreLevel.RESPONSIBLE) not in out[site_id]:
            out[site_id].append((unit_id, ScoreLevel.RESPONSIBLE))
    return out


@transaction.atomic
def compute_round(rnd: MockEvaluation, *, acting_user: Any) -> MockEvaluation:
    """The predicted score: field 40 × root ratio of the observations, materials 40 × root
    ratio of the ledger review, survey 20 × the three rates; negative list deducted; minors'
    precondition and share; cycle over three years; and the per-unit indices and rankings."""
    rnd = MockEvaluation.objects.select_for_update().get(pk=rnd.pk)
    require_office(acting_user, rnd.city_id)
    w = rnd.weights or weights_from_system(rnd.system)
    comps = w.get("components") or DEFAULT_WEIGHTS["components"]
    nodes, by_id = _nodes(rnd.system)
    standards_of = _standards_of(rnd.system)
    obs = _observations(rnd)
    items, stds, field = field_ratios(nodes, standards_of, ((i, s) for i, s, _site, _c in obs))
    materials = rollup.roll_up(nodes, _materials_leaf(rnd, by_id))
    survey = _survey_ratio(rnd)

    field_ratio = field.get(rollup.ROOT)
    materials_ratio = materials.get(rollup.ROOT)
    rnd.field_ratio, rnd.materials_ratio, rnd.survey_ratio = field_ratio, materials_ratio, survey
    rnd.field_score = float(comps["field"]) * (field_ratio or 0.0)
    rnd.materials_score = float(comps["materials"]) * (materials_ratio or 0.0)
    rnd.survey_score = float(comps["survey"]) * (survey or 0.0)

    # negative list
    deductions, sanctions = 0.0, []
    for f in rnd.negatives.select_related("item"):
        if f.item.sanction == Sanction.DEDUCT:
            deductions += float(f.points if f.points is not None else (f.item.points or 0))
        else:
            sanctions.append(
                {"code": f.item.code, "sanction": f.item.sanction, "text": f.item.text}
            )
    rnd.deductions = deductions
    rnd.annual_score = max(
        0.0, rnd.field_score + rnd.materials_score + rnd.survey_score - deductions
    )

    # minors: scored separately; a precondition (threshold) and a share of the total
    minors = rnd.minors_input
    if rnd.minors_system_id:
        m_nodes, _m = _nodes(rnd.minors_system)  # type: ignore[arg-type]
        m_std = _standards_of(rnd.minors_system)  # type: ignore[arg-type]
        from chuangwen.inspections.models import CheckResult

        m_obs = CheckResult.objects.filter(
            city_id=rnd.city_id,
            check_item__system_id=rnd.minors_system_id,
            observed_at__lte=rnd.as_of,
            observed_at__gt=rnd.as_of - timedelta(days=rnd.window_days),
        ).values_list("check_item_id", "score")
        _i, _s, m_field = field_ratios(m_nodes, m_std, m_obs)
        if rollup.ROOT in m_field and minors is None:
            minors = 100 * m_field[rollup.ROOT]
    rnd.minors_score = minors
    threshold = float(w.get("minors_threshold", 85))
    share = float(w.get("minors_share_percent", 20)) / 100
    rnd.eligible = not any(
        s["sanction"]
        in {
            Sanction.DISQUALIFY,
            Sanction.WITHDRAW_TITLE,
            Sanction.SUSPEND_TITLE,
            Sanction.SUSPEND_NOMINATION,
        }
        for s in sanctions
    ) and (minors is None or minors >= threshold)
    rnd.overall_score = (
        rnd.annual_score * (1 - share) + minors * share if minors is not None else rnd.annual_score
    )
    rnd.cycle_score = _cycle(rnd, rnd.overall_score)
    rnd.n_observations = len(obs)

    # per indicator
    f_share = rollup.shares(nodes, field)
    m_share = rollup.shares(nodes, materials)
    n_obs_std: dict[int, int] = defaultdict(int)
    for item, (_r, n) in items.items():
        for std in standards_of.get(item, ()):
            n_obs_std[std] += n
    rnd.scores.all().delete()
    score_rows = []
    for pk in by_id:
        if pk not in field and pk not in materials:
            continue
        fp = float(comps["field"]) * f_share.get(pk, 0.0)
        mp = float(comps["materials"]) * m_share.get(pk, 0.0)
        earned = fp * field.get(pk, 0.0) + mp * materials.get(pk, 0.0)
        score_rows.append(
            IndicatorScore(
                round=rnd,
                indicator_id=pk,
                field_ratio=field.get(pk),
                materials_ratio=materials.get(pk),
                ratio=earned / (fp + mp) if fp + mp else None,
                share=f_share.get(pk, 0.0),
                points=fp + mp,
                earned=earned,
                n_obs=n_obs_std.get(pk, 0),
            )
        )
    IndicatorScore.objects.bulk_create(score_rows, batch_size=1000)

    # per site type
    from chuangwen.indicators.models import CheckItem

    type_of = dict(CheckItem.objects.filter(system=rnd.system).values_list("pk", "site_type_id"))
    per_type: dict[int, list[float]] = defaultdict(list)
    type_n: dict[int, int] = defaultdict(int)
    for item, (r, n) in items.items():
        per_type[type_of[item]].append(r)
        type_n[type_of[item]] += n
    rnd.site_type_scores.all().delete()
    SiteTypeScore.objects.bulk_create(
        [
            SiteTypeScore(round=rnd, site_type_id=t, ratio=sum(v) / len(v), n_obs=type_n[t])
            for t, v in per_type.items()
        ]
    )

    # per district / street / responsible unit: the same roll-up on their sites' observations
    memberships = _unit_memberships(rnd.city_id, {site for _i, _s, site, _c in obs})
    by_unit: dict[tuple[int, str], list[tuple[int, float]]] = defaultdict(list)
    for item, score, site, _c in obs:
        for key in memberships.get(site, ()):
            by_unit[key].append((item, score))
    indices: dict[str, list[tuple[int, float, int]]] = defaultdict(list)
    for (unit_id, level), unit_obs in by_unit.items():
        _i, _s, ratios = field_ratios(nodes, standards_of, unit_obs)
        if rollup.ROOT in ratios:
            indices[level].append((unit_id, 100 * ratios[rollup.ROOT], len(unit_obs)))
    rnd.unit_scores.all().delete()
    unit_rows = []
    for level, rows in indices.items():
        rows.sort(key=lambda r: (-r[1], r[0]))
        for rank, (unit_id, index, n) in enumerate(rows, start=1):
            unit_rows.append(
                UnitScore(round=rnd, unit_id=unit_id, level=level, index=index, rank=rank, n_obs=n)
            )
    UnitScore.objects.bulk_create(unit_rows, batch_size=1000)

    before = audit.snapshot(rnd, SCORE_FIELDS)
    rnd.status, rnd.computed_at = RoundStatus.COMPUTED, timezone.now()
    rnd.detail = {
        "sanctions": sanctions,
        "materials_source": "ledger (manual entries first)",
        "minors_threshold": threshold,
        "standards_with_field_data": len(stds),
    }
    rnd.save()
    audit.record(
        "assessment.round.computed",
        rnd,
        actor=acting_user,
        before=before,
        after=audit.snapshot(rnd, SCORE_FIELDS),
        summary=f"{rnd.title}：预测 {rnd.overall_score:.2f} 分",
    )
    return rnd


# --- points at risk --------------------------------------------------------------------------


@dataclass
class RiskItem:
    kind: str
    object_id: int
    label: str
    indicator_id: int | None
    indicator_code: str
    points: float
    unit_id: int | None = None


def points_at_risk(rnd: MockEvaluation, limit: int | None = 200) -> list[RiskItem]:
    """Open cases and unfinished work ranked by the points they would recover when fixed.

    A case found by a check: fixing it lifts that observation to 1, so its check item's mean
    by (1 − score) / n, each linked standard by that / (its number of scored items), and the
    score by field points × the standard's share. Another open case linked to a scored
    standard counts as one failed observation of it. A standard short of approved materials
    recovers materials points × its share × (1 − ratio), split among its open tasks when the
    tasks app has them (else listed as a materials gap)."""
    from chuangwen.cases.choices import OPEN
    from chuangwen.cases.models import Case
    from chuangwen.inspections.models import CheckResult

    w = rnd.weights or weights_from_system(rnd.system)
    comps = w.get("components") or DEFAULT_WEIGHTS["components"]
    nodes, by_id = _nodes(rnd.system)
    standards_of = _standards_of(rnd.system)
    obs = _observations(rnd)
    items, stds, field = field_ratios(nodes, standards_of, ((i, s) for i, s, _site, _c in obs))
    f_share = rollup.shares(nodes, field)
    n_items_of_std: dict[int, int] = defaultdict(int)
    for item in items:
        for std in standards_of.get(item, ()):
            n_items_of_std[std] += 1
    fp = float(comps["field"])

    out: list[RiskItem] = []
    open_cases = {
        pk: (unit_id, indicator_id, desc)
        for pk, unit_id, indicator_id, desc in Case.objects.filter(
            city_id=rnd.city_id, state__in=OPEN
        ).values_list("pk", "unit_id", "indicator_id", "description")
    }
    by_case: dict[int, float] = defaultdict(float)
    case_item: dict[int, int] = {}
    for pk, item, score in CheckResult.objects.filter(
        city_id=rnd.city_id, case_id__in=list(open_cases), check_item_id__in=list(items)
    ).values_list("case_id", "check_item_id", "score"):
        _mean, n = items[item]
        for std in standards_of.get(item, ()):
            by_case[pk] += fp * f_share.get(std, 0.0) * (1 - score) / n / n_items_of_std[std]
        case_item[pk] = item
    n_obs_std: dict[int, int] = defaultdict(int)
    for item, (_r, n) in items.items():
        for std in standards_of.get(item, ()):
            n_obs_std[std] += n
    for pk, (unit_id, indicator_id, desc) in open_cases.items():
        if pk in by_case:
            gain = by_case[pk]
        elif indicator_id in stds:
            gain = fp * f_share.get(indicator_id, 0.0) / (n_obs_std[indicator_id] + 1)
        else:
            continue
        if gain <= 0:
            continue
        ind = by_id.get(indicator_id) if indicator_id else None
        out.append(
            RiskItem(
                RiskKind.CASE, pk, desc[:80], indicator_id, ind.code if ind else "", gain, unit_id
            )
        )

    # materials: the gap per standard, split over the open tasks of that standard
    materials_leaf = _materials_leaf(rnd, by_id)
    materials = rollup.roll_up(nodes, materials_leaf)
    m_share = rollup.shares(nodes, materials)
    mp = float(comps["materials"])
    tasks = _open_tasks(rnd, [k for k, v in materials_leaf.items() if v < 1])
    for std, ratio in materials_leaf.items():
        gap = mp * m_share.get(std, 0.0) * (1 - ratio)
        if gap <= 0:
            continue
        ind = by_id[std]
        mine = tasks.get(std) or []
        if mine:
            for task_id, title, task_unit in mine:
                out.append(
                    RiskItem(
                        RiskKind.TASK,
                        task_id,
                        title[:80],
                        std,
                        ind.code,
                        gap / len(mine),
                        task_unit,
                    )
                )
        else:
            out.append(RiskItem(RiskKind.MATERIAL, std, ind.title[:80], std, ind.code, gap))
    out.sort(key=lambda r: (-r.points, r.kind, r.object_id))
    return out[:limit] if limit else out


def _open_tasks(
    rnd: MockEvaluation, standard_ids: list[int]
) -> dict[int, list[tuple[int, str, int | None]]]:
    """Unfinished tasks (not started / in progress) per standard, from the tasks app."""
    from chuangwen.tasks.choices import OPEN_STATUSES
    from chuangwen.tasks.models import Task

    out: dict[int, list[tuple[int, str, int | None]]] = defaultdict(list)
    rows = Task.objects.filter(
        city_id=rnd.city_id, indicator_id__in=standard_ids, status__in=list(OPEN_STATUSES)
    ).values_list("pk", "indicator_id", "target", "content", "lead_unit_id")
    for pk, indicator_id, target, content, unit_id in rows:
        out[indicator_id].append((pk, target or content or f"任务 {pk}", unit_id))
    return out


# --- comparing rounds ------------------------------------------------------------------------


def compare_rounds(rounds: list[MockEvaluation], by: str = "indicator") -> dict[str, Any]:
    """A table over rounds: rows of indicators (code/title → earned ratio), districts
    (→ 文明程度指数) or site types (→ ratio), one column per round."""
    ids = [r.pk for r in rounds]
    rows: dict[Any, dict[str, Any]] = {}
    if by == "indicator":
        qs = IndicatorScore.objects.filter(round_id__in=ids).select_related("indicator")
        for s in qs:
            key = s.indicator.code
            row = rows.setdefault(
                key,
                {"key": key, "label": s.indicator.title, "path": s.indicator.path, "values": {}},
            )
            row["values"][s.round_id] = s.ratio
        ordered = sorted(rows.values(), key=lambda r: r["path"])
    elif by in (ScoreLevel.DISTRICT, ScoreLevel.STREET, ScoreLevel.RESPONSIBLE):
        for u in UnitScore.objects.filter(round_id__in=ids, level=by).select_related("unit"):
            row = rows.setdefault(
                u.unit_id, {"key": u.unit.code, "label": u.unit.name, "values": {}}
            )
            row["values"][u.round_id] = u.index
        ordered = sorted(rows.values(), key=lambda r: r["key"])
    elif by == "site_type":
        for t in SiteTypeScore.objects.filter(round_id__in=ids).select_related("site_type"):
            row = rows.setdefault(
                t.site_type_id, {"key": t.site_type.code, "label": t.site_type.name, "values": {}}
            )
            row["values"][t.round_id] = t.ratio
        ordered = sorted(rows.values(), key=lambda r: r["key"])
    else:
        raise InvalidInput(
            "比较维度只能是 indicator / district / street / responsible / site_type", code="bad_by"
        )
    for row in ordered:
        row["series"] = [row["values"].get(pk) for pk in ids]
    return {
        "rounds": [{"id": r.pk, "title": r.title, "year": r.year} for r in rounds],
        "rows": ordered,
    }
