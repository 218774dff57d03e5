"""Every write of the mock evaluation: rounds, weights (data the office edits), survey imports,
negative-list findings, and the computation of the predicted score, per-unit indices and the
points at risk.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for the system itself).
"""

import calendar
import copy
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import IO, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.photos import check_photo
from chuangwen.core import audit
from chuangwen.core.errors import InvalidInput, InvalidTransition, NotFound, PermissionDenied
from chuangwen.core.services import notify
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
from chuangwen.inspections.models import Notice, NoticeCounter
from chuangwen.inspections.services import lock_counter
from chuangwen.org.actors import actor_scope, actor_user, require_office, require_unit
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import City, Membership, Unit
from chuangwen.org.registry import unit_finding_recorded
from chuangwen.org.scope import Scope
from chuangwen.tasks.evidence import check_file
from chuangwen.tasks.formula import FormulaError

from . import accountability, bulletins, periods, quantities, rollup, selectors
from .choices import (
    ACCOUNTABILITY_TRANSITIONS,
    COMPONENT_NAMES,
    COUNTED_FINDINGS,
    DECIDED_BY_LEADER,
    DECIDED_BY_OFFICE,
    DEFAULT_WEIGHTS,
    FINDING_TRANSITIONS,
    LIST_TRANSITIONS,
    SANCTION_GRADES,
    SUBMISSION_TRANSITIONS,
    VISIBLE_TO_UNIT,
    AccountabilityKind,
    AccountabilityState,
    BulletinKind,
    BulletinStatus,
    Disclosure,
    FindingAction,
    FindingSource,
    FindingStatus,
    ItemKind,
    ListEntryStatus,
    ListKind,
    ListMode,
    PeriodKind,
    PeriodStatus,
    ReportPeriod,
    ResultStatus,
    RiskKind,
    RoundStatus,
    SchemeStatus,
    ScoreLevel,
    ScoreStatus,
    SubmissionKind,
    SubmissionStatus,
    UnitGroup,
    UnitSanction,
)
from .models import (
    AccountabilityRecord,
    AssessmentPeriod,
    AssessmentResult,
    AssessmentScheme,
    AssessmentScore,
    Bulletin,
    BulletinReceipt,
    BulletinSection,
    FindingEvent,
    IndicatorScore,
    ListEntry,
    MockEvaluation,
    NegativeFinding,
    ReportTemplate,
    RoundNegative,
    SchemeItem,
    ScoreAdjustment,
    SiteTypeScore,
    Submission,
    SubmissionPhoto,
    SurveyResult,
    UnitScore,
)
from .quantities import Window

logger = logging.getLogger(__name__)

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
        raise InvalidInput(_("权重必须是数字"), code="bad_weights") from exc
    numbers = [
        *out["components"].values(),
        *out["cycle_year_weights"],
        out["minors_threshold"],
        out["minors_share_percent"],
        *out["survey_weights"].values(),
    ]
    if any(v < 0 for v in numbers):
        raise InvalidInput(_("权重不能为负数"), code="bad_weights")
    if len(out["cycle_year_weights"]) != 3 or sum(out["cycle_year_weights"]) <= 0:
        raise InvalidInput(_("创建周期权重须为三个年度的非负数，且不全为 0"), code="bad_weights")
    if out["minors_share_percent"] > 100:
        raise InvalidInput(_("未成年人测评占比不能超过 100%"), code="bad_weights")
    if sum(out["survey_weights"].values()) <= 0:
        raise InvalidInput(_("问卷三率的权重不能全为 0"), code="bad_weights")
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
        raise InvalidInput(_("名称不能为空"), code="required")
    system = (
        system
        or EvaluationSystem.objects.filter(
            city=city, kind=SystemKind.MAIN, title=CityTitle.CIVILIZED, status=SystemStatus.ACTIVE
        ).first()
    )
    if system is None or system.city_id != city.pk:
        raise InvalidInput(_("本市没有启用的测评体系"), code="no_system")
    if minors_system is None:
        minors_system = EvaluationSystem.objects.filter(
            city=city, kind=SystemKind.MINORS, title=CityTitle.CIVILIZED, status=SystemStatus.ACTIVE
        ).first()
    as_of = as_of or timezone.now()
    plans = list(plans)
    if any(p.city_id != city.pk for p in plans):
        raise InvalidInput(_("督查计划不属于本城市"), code="bad_plan")
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
                raise InvalidInput(
                    _("标准编号「%(code)s」不在该测评体系中") % {"code": code}, code="bad_indicator"
                )
            try:
                ratio = float(v)
            except (TypeError, ValueError) as exc:
                raise InvalidInput(
                    _("「%(code)s」的得分率必须是数字") % {"code": code}, code="bad_value"
                ) from exc
            if not 0 <= ratio <= 1:
                raise InvalidInput(
                    _("「%(code)s」的得分率必须在 0–1 之间") % {"code": code}, code="bad_value"
                )
            clean[code] = ratio
        rnd.materials = clean
        fields.append("materials")
    if minors_input is not False:
        if minors_input is not None and not 0 <= float(minors_input) <= 100:
            raise InvalidInput(_("未成年人测评得分须在 0–100 之间"), code="bad_value")
        rnd.minors_input = minors_input
        fields.append("minors_input")
    if prior_scores is not None:
        try:
            rnd.prior_scores = {str(int(y)): float(s) for y, s in prior_scores.items()}
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("往年成绩格式：年度 → 分数"), code="bad_value") from exc
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
                errors.add(number, "区县编码", _("单位「%(code)s」不存在") % {"code": code})
        key = unit.pk if unit else None
        if key in seen:
            errors.add(number, "区县编码", _("与第 %(row)s 行重复") % {"row": seen[key]})
        seen[key] = number
        values = {}
        for col in ("知晓率", "支持率", "满意率"):
            try:
                v = _percent(row.get(col))
            except (TypeError, ValueError):
                v = None
            if v is None or not 0 <= v <= 100:
                errors.add(number, col, _("须为 0–100 的百分数"))
            values[col] = v or 0.0
        n = row.get("样本量") or 0
        try:
            n = int(n)
        except (TypeError, ValueError):
            errors.add(number, "样本量", _("须为整数"))
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
        errors.add(None, "", _("文件中没有数据行"))
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
def add_round_negative(
    rnd: MockEvaluation,
    item: NegativeListItem,
    *,
    points: float | None = None,
    note: str = "",
    acting_user: Any,
) -> RoundNegative:
    require_office(acting_user, rnd.city_id)
    if item.system_id != rnd.system_id:
        raise InvalidInput(_("负面清单条目不属于本轮的测评体系"), code="bad_item")
    finding = RoundNegative.objects.create(round=rnd, item=item, points=points, note=note)
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
            _("比较维度只能是 indicator / district / street / responsible / site_type"),
            code="bad_by",
        )
    for row in ordered:
        row["series"] = [row["values"].get(pk) for pk in ids]
    return {
        "rounds": [{"id": r.pk, "title": r.title, "year": r.year} for r in rounds],
        "rows": ordered,
    }


# --- unit assessment ---------------------------------------------------------------------------
# Schemes (versioned), periods, the computation of explainable scores, rankings and red/black
# lists, manual bonus/penalty entries, the way off the black list, and negative-list findings
# against units with their rectification. The quantities are in ``quantities.py``.

SCHEME_FIELDS = [
    "name",
    "period_kind",
    "version",
    "status",
    "total",
    "groups",
    "list_mode",
    "list_size",
    "red_threshold",
    "black_threshold",
    "note",
]
MAX_POINTS = Decimal("10000")
CENT = Decimal("0.01")


def _decimal(value: Any, what: str, *, low: Decimal = Decimal(0), high: Decimal = MAX_POINTS):
    try:
        d = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise InvalidInput(_("%(what)s必须是数字") % {"what": what}, code="bad_number") from exc
    if not d.is_finite() or not low <= d <= high:
        raise InvalidInput(
            _("%(what)s须在 %(lo)s–%(hi)s 之间") % {"what": what, "lo": low, "hi": high},
            code="bad_number",
        )
    return d


def _clean_scheme_settings(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "name" in data:
        name = (data["name"] or "").strip()
        if not name:
            raise InvalidInput(_("方案名称不能为空"), code="required")
        out["name"] = name[:100]
    if "total" in data:
        out["total"] = _decimal(data["total"], _("满分"), low=Decimal(1))
    if "groups" in data:
        groups = list(dict.fromkeys(data["groups"] or []))
        unknown = [g for g in groups if g not in UnitGroup.values]
        if unknown:
            raise InvalidInput(
                _("未知的考核对象：%(g)s") % {"g": "、".join(map(str, unknown))}, code="bad_group"
            )
        out["groups"] = groups
    if "list_mode" in data:
        if data["list_mode"] not in ListMode.values:
            raise InvalidInput(_("红黑榜规则只能按名次或按分数线"), code="bad_list_mode")
        out["list_mode"] = data["list_mode"]
    if "list_size" in data:
        try:
            size = int(data["list_size"])
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("红黑榜名次数必须是整数"), code="bad_number") from exc
        if not 0 <= size <= 100:
            raise InvalidInput(_("红黑榜名次数须在 0–100 之间"), code="bad_number")
        out["list_size"] = size
    for key, what in (("red_threshold", _("红榜分数线")), ("black_threshold", _("黑榜分数线"))):
        if key in data:
            v = data[key]
            out[key] = None if v in (None, "") else _decimal(v, what)
    if "note" in data:
        out["note"] = (data["note"] or "")[:2000]
    return out


def _check_list_rule(scheme: AssessmentScheme) -> None:
    if scheme.list_mode == ListMode.THRESHOLD:
        if scheme.red_threshold is None or scheme.black_threshold is None:
            raise InvalidInput(_("按分数线评红黑榜时须填写红榜和黑榜分数线"), code="bad_list_rule")
        if scheme.black_threshold > scheme.red_threshold:
            raise InvalidInput(_("黑榜分数线不能高于红榜分数线"), code="bad_list_rule")


@transaction.atomic
def create_scheme(
    city: City,
    *,
    name: str,
    period_kind: str,
    groups: Iterable[str],
    total: Any = 100,
    list_mode: str = ListMode.COUNT,
    list_size: int = 3,
    red_threshold: Any = None,
    black_threshold: Any = None,
    note: str = "",
    acting_user: Any,
) -> AssessmentScheme:
    """A new scheme (its first version, or the next version number of its period kind), as a
    draft to add items to."""
    require_office(acting_user, city.pk)
    if period_kind not in PeriodKind.values:
        raise InvalidInput(_("考核周期只能是月度、季度或年度"), code="bad_kind")
    clean = _clean_scheme_settings(
        {
            "name": name,
            "total": total,
            "groups": list(groups),
            "list_mode": list_mode,
            "list_size": list_size,
            "red_threshold": red_threshold,
            "black_threshold": black_threshold,
            "note": note,
        }
    )
    if AssessmentScheme.objects.filter(
        city=city, period_kind=period_kind, status=SchemeStatus.DRAFT
    ).exists():
        raise InvalidInput(_("该考核周期已有草稿方案，请先编辑或启用它"), code="draft_exists")
    version = (
        AssessmentScheme.objects.filter(city=city, period_kind=period_kind).aggregate(
            v=Max("version")
        )["v"]
        or 0
    ) + 1
    scheme = AssessmentScheme(
        city=city,
        period_kind=period_kind,
        version=version,
        created_by=actor_user(acting_user),
        **clean,
    )
    _check_list_rule(scheme)
    scheme.save()
    audit.record(
        "assessment.scheme.created",
        scheme,
        actor=acting_user,
        after=audit.snapshot(scheme, SCHEME_FIELDS),
        summary=str(scheme),
    )
    return scheme


def _draft(scheme: AssessmentScheme) -> AssessmentScheme:
    locked = AssessmentScheme.objects.select_for_update().get(pk=scheme.pk)
    if locked.status != SchemeStatus.DRAFT:
        raise InvalidTransition(
            _("已启用或停用的方案不能修改，请先生成新版本"), code="scheme_frozen"
        )
    return locked


@transaction.atomic
def update_scheme(
    scheme: AssessmentScheme, *, acting_user: Any, **changes: Any
) -> AssessmentScheme:
    """Change a draft's settings (name, total, groups, red/black list rule, note)."""
    require_office(acting_user, scheme.city_id)
    scheme = _draft(scheme)
    unknown = set(changes) - {
        "name",
        "total",
        "groups",
        "list_mode",
        "list_size",
        "red_threshold",
        "black_threshold",
        "note",
    }
    if unknown:
        raise InvalidInput(_("不能修改的字段：%(f)s") % {"f": "、".join(sorted(unknown))})
    before = audit.snapshot(scheme, SCHEME_FIELDS)
    for key, value in _clean_scheme_settings(changes).items():
        setattr(scheme, key, value)
    _check_list_rule(scheme)
    scheme.save()
    b, a = audit.changes(before, audit.snapshot(scheme, SCHEME_FIELDS))
    audit.record(
        "assessment.scheme.updated",
        scheme,
        actor=acting_user,
        before=b,
        after=a,
        summary=str(scheme),
    )
    return scheme


@dataclass
class ItemSpec:
    """One item as the office types it in the scheme editor."""

    code: str
    name: str
    kind: str
    weight: Any
    formula: str = ""
    min_volume: int = 0
    description: str = ""


def _clean_items(scheme: AssessmentScheme, specs: list[ItemSpec]) -> list[SchemeItem]:
    if not specs:
        raise InvalidInput(_("方案至少需要一个考核项目"), code="no_items")
    items, seen = [], set()
    for n, spec in enumerate(specs, start=1):
        where = _("第 %(n)d 项") % {"n": n}
        code, name = (spec.code or "").strip(), (spec.name or "").strip()
        if not code or not name:
            raise InvalidInput(_("%(w)s：编号和名称不能为空") % {"w": where}, code="required")
        if code in seen:
            raise InvalidInput(_("%(w)s：编号「%(c)s」重复") % {"w": where, "c": code})
        seen.add(code)
        if spec.kind not in ItemKind.values:
            raise InvalidInput(_("%(w)s：未知的项目类型") % {"w": where}, code="bad_kind")
        weight = _decimal(spec.weight, _("%(w)s的分值") % {"w": where}, low=CENT)
        source = (spec.formula or "").strip()
        if spec.kind == ItemKind.MANUAL:
            source = ""
        else:
            try:
                quantities.parse(source)
            except FormulaError as exc:
                raise InvalidInput(
                    _("%(w)s「%(name)s」的公式有误：%(e)s")
                    % {"w": where, "name": name, "e": exc.message},
                    code="bad_formula",
                ) from exc
        try:
            min_volume = int(spec.min_volume or 0)
        except (TypeError, ValueError) as exc:
            raise InvalidInput(_("%(w)s：最低样本量必须是整数") % {"w": where}) from exc
        if not 0 <= min_volume <= 1_000_000:
            raise InvalidInput(_("%(w)s：最低样本量须在 0–1000000 之间") % {"w": where})
        items.append(
            SchemeItem(
                scheme=scheme,
                code=code[:20],
                name=name[:100],
                kind=spec.kind,
                formula=source,
                weight=weight,
                min_volume=min_volume,
                description=(spec.description or "")[:2000],
                sort=n,
            )
        )
    rate_sum = sum((i.weight for i in items if i.kind == ItemKind.RATE), Decimal(0))
    if rate_sum != scheme.total:
        raise InvalidInput(
            _(
                "计分项分值合计 %(s)s，与方案满分 %(t)s 不一致"
                "（扣分项、加减分项的分值是上限，不计入合计）"
            )
            % {"s": _fmt(rate_sum), "t": _fmt(scheme.total)},
            code="bad_weights",
        )
    return items


@transaction.atomic
def save_scheme_items(
    scheme: AssessmentScheme, specs: list[ItemSpec], *, acting_user: Any
) -> list[SchemeItem]:
    """Replace a draft's items with ``specs``, all or nothing: every formula must name known
    quantities, the 计分项 weights must add up to the scheme's total."""
    require_office(acting_user, scheme.city_id)
    scheme = _draft(scheme)
    items = _clean_items(scheme, specs)
    before = [_item_snapshot(i) for i in scheme.items.all()]
    scheme.items.all().delete()
    SchemeItem.objects.bulk_create(items)
    audit.record(
        "assessment.scheme.items_saved",
        scheme,
        actor=acting_user,
        before={"items": before},
        after={"items": [_item_snapshot(i) for i in items]},
        summary=f"{scheme}：{len(items)} 个考核项目",
    )
    return list(scheme.items.all())


@transaction.atomic
def edit_scheme(
    scheme: AssessmentScheme, *, items: list[ItemSpec], acting_user: Any, **settings: Any
) -> AssessmentScheme:
    """The scheme editor's save: a draft's settings and its items together, all or nothing
    (the items are checked against the total saved with them)."""
    scheme = update_scheme(scheme, acting_user=acting_user, **settings)
    save_scheme_items(scheme, items, acting_user=acting_user)
    return scheme


def _item_snapshot(item: SchemeItem) -> dict[str, Any]:
    return {
        "code": item.code,
        "name": item.name,
        "kind": item.kind,
        "formula": item.formula,
        "weight": str(item.weight),
        "min_volume": item.min_volume,
    }


@transaction.atomic
def activate_scheme(scheme: AssessmentScheme, *, acting_user: Any) -> AssessmentScheme:
    """Put a draft in use; the active version of the same period kind is retired (its periods
    keep it). Checked again: items, weights, formulas, groups."""
    require_office(acting_user, scheme.city_id)
    scheme = _draft(scheme)
    if not scheme.groups:
        raise InvalidInput(_("请选择考核对象（区县、街道、职能部门……）"), code="no_groups")
    items = list(scheme.items.all())
    _clean_items(
        scheme,
        [
            ItemSpec(i.code, i.name, i.kind, i.weight, i.formula, i.min_volume, i.description)
            for i in items
        ],
    )
    _check_list_rule(scheme)
    for old in AssessmentScheme.objects.select_for_update().filter(
        city_id=scheme.city_id, period_kind=scheme.period_kind, status=SchemeStatus.ACTIVE
    ):
        old.status = SchemeStatus.RETIRED
        old.save(update_fields=["status", "updated_at"])
        audit.record(
            "assessment.scheme.retired",
            old,
            actor=acting_user,
            before={"status": SchemeStatus.ACTIVE},
            after={"status": SchemeStatus.RETIRED},
            summary=str(old),
        )
    scheme.status, scheme.activated_at = SchemeStatus.ACTIVE, timezone.now()
    scheme.save(update_fields=["status", "activated_at", "updated_at"])
    audit.record(
        "assessment.scheme.activated",
        scheme,
        actor=acting_user,
        before={"status": SchemeStatus.DRAFT},
        after={"status": SchemeStatus.ACTIVE},
        summary=str(scheme),
    )
    return scheme


@transaction.atomic
def new_scheme_version(scheme: AssessmentScheme, *, acting_user: Any) -> AssessmentScheme:
    """A draft copy of ``scheme`` (settings and items) with the next version number."""
    require_office(acting_user, scheme.city_id)
    if AssessmentScheme.objects.filter(
        city_id=scheme.city_id, period_kind=scheme.period_kind, status=SchemeStatus.DRAFT
    ).exists():
        raise InvalidInput(_("该考核周期已有草稿方案，请先编辑或启用它"), code="draft_exists")
    version = (
        AssessmentScheme.objects.filter(
            city_id=scheme.city_id, period_kind=scheme.period_kind
        ).aggregate(v=Max("version"))["v"]
        or 0
    ) + 1
    items = list(scheme.items.all())
    copy_ = AssessmentScheme.objects.create(
        city_id=scheme.city_id,
        name=scheme.name,
        period_kind=scheme.period_kind,
        version=version,
        total=scheme.total,
        groups=list(scheme.groups),
        list_mode=scheme.list_mode,
        list_size=scheme.list_size,
        red_threshold=scheme.red_threshold,
        black_threshold=scheme.black_threshold,
        note=scheme.note,
        created_by=actor_user(acting_user),
    )
    for item in items:
        item.pk, item.scheme = None, copy_
    SchemeItem.objects.bulk_create(items)
    audit.record(
        "assessment.scheme.versioned",
        copy_,
        actor=acting_user,
        after={"from": scheme.pk, "version": version},
        summary=f"{scheme} → 第 {version} 版（草稿）",
    )
    return copy_


# --- periods ---


def period_bounds(kind: str, year: int, number: int | None = None) -> tuple[date, date, str]:
    """(first day, last day, label) of month ``number`` / quarter ``number`` / the year."""
    if not 2000 <= year <= 2100:
        raise InvalidInput(_("年份须在 2000–2100 之间"), code="bad_year")
    if kind == PeriodKind.YEAR:
        return date(year, 1, 1), date(year, 12, 31), f"{year}年度"
    top = 12 if kind == PeriodKind.MONTH else 4
    if number is None or not 1 <= number <= top:
        what = _("月份须在 1–12 之间") if top == 12 else _("季度须在 1–4 之间")
        raise InvalidInput(what, code="bad_number")
    first_month = number if kind == PeriodKind.MONTH else 3 * (number - 1) + 1
    last_month = first_month + (0 if kind == PeriodKind.MONTH else 2)
    start = date(year, first_month, 1)
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    label = f"{year}年{number}月" if kind == PeriodKind.MONTH else f"{year}年第{number}季度"
    return start, end, label


@transaction.atomic
def create_period(
    city: City,
    *,
    kind: str,
    year: int,
    number: int | None = None,
    starts_on: date | None = None,
    ends_on: date | None = None,
    label: str = "",
    acting_user: Any,
) -> AssessmentPeriod:
    """A period under the active scheme of its kind: a calendar month / quarter / year, or
    explicit dates. Refused when it overlaps a period of the same kind (frozen or not)."""
    require_office(acting_user, city.pk)
    if kind not in PeriodKind.values:
        raise InvalidInput(_("考核周期只能是月度、季度或年度"), code="bad_kind")
    scheme = (
        AssessmentScheme.objects.filter(city=city, period_kind=kind, status=SchemeStatus.ACTIVE)
        .order_by("-version")
        .first()
    )
    if scheme is None:
        raise InvalidInput(
            _("本市没有启用的%(k)s考核方案，请先建立并启用方案") % {"k": PeriodKind(kind).label},
            code="no_scheme",
        )
    if starts_on is not None or ends_on is not None:
        if starts_on is None or ends_on is None or ends_on < starts_on:
            raise InvalidInput(_("请填写起止日期，截止日期不能早于起始日期"), code="bad_dates")
        if (ends_on - starts_on).days > 366:
            raise InvalidInput(_("考核期不能超过一年"), code="bad_dates")
        start, end = starts_on, ends_on
        label = (label or "").strip() or f"{start:%Y-%m-%d}至{end:%Y-%m-%d}"
    else:
        start, end, default_label = period_bounds(kind, year, number)
        label = (label or "").strip() or default_label
    clash = (
        AssessmentPeriod.objects.select_for_update()
        .filter(city=city, kind=kind, starts_on__lte=end, ends_on__gte=start)
        .order_by("-status")
        .first()
    )
    if clash is not None:
        if clash.frozen:
            raise InvalidInput(
                _("与已发布（冻结）的考核期「%(p)s」（%(a)s 至 %(b)s）重叠")
                % {"p": clash.label, "a": clash.starts_on, "b": clash.ends_on},
                code="overlaps_frozen",
            )
        raise InvalidInput(
            _("与考核期「%(p)s」（%(a)s 至 %(b)s）重叠")
            % {"p": clash.label, "a": clash.starts_on, "b": clash.ends_on},
            code="overlaps",
        )
    period = AssessmentPeriod.objects.create(
        city=city, scheme=scheme, kind=kind, starts_on=start, ends_on=end, label=label[:40]
    )
    audit.record(
        "assessment.period.created",
        period,
        actor=acting_user,
        after={"scheme": scheme.pk, "starts_on": start, "ends_on": end},
        summary=period.label,
    )
    return period


def _lock_period(period: AssessmentPeriod) -> AssessmentPeriod:
    return AssessmentPeriod.objects.select_for_update().select_related("scheme").get(pk=period.pk)


def _not_frozen(period: AssessmentPeriod) -> None:
    if period.frozen:
        raise InvalidTransition(
            _("考核期「%(p)s」已发布（冻结），不能更改") % {"p": period.label}, code="frozen"
        )


# --- computing ---


def _fmt(value: Any) -> str:
    """A number as people write it: 412, 16.48, 16.5 (no trailing zeros)."""
    if value is None:
        return "—"
    d = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    text = format(d.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _signed(value: Decimal) -> str:
    return f"+{_fmt(value)}" if value > 0 else _fmt(value)


def _pct(value: Decimal | None) -> str:
    return "—" if value is None else f"{(value * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)}%"


def _describe(q: quantities.Quantity, inp: quantities.Inputs) -> str:
    if q.is_rate:
        return f"{q.label} {_pct(inp.value)} = {_fmt(inp.numerator)}/{_fmt(inp.denominator)}"
    return f"{q.label} {_fmt(inp.numerator)}"


@dataclass
class ItemScore:
    item: SchemeItem
    status: str
    points: Decimal
    value: Decimal | None
    volume: Decimal | None
    inputs: list[dict[str, Any]]
    explanation: str


@dataclass
class UnitTotal:
    status: str
    base: Decimal | None
    adjustments: Decimal
    deductions: Decimal
    total: Decimal | None
    vetoed: bool
    explanation: str


def score_item(
    item: SchemeItem,
    parsed: Any,
    inputs: dict[str, quantities.Inputs],
    adjustments: list[Decimal],
) -> ItemScore:
    """One unit's score on one item, and the sentence that explains it. ``inputs``: the unit's
    inputs of the quantities the formula names; ``adjustments``: its 加减分 entries."""
    w = item.weight
    if item.kind == ItemKind.MANUAL:
        s = sum(adjustments, Decimal(0))
        pts = max(-w, min(w, s))
        if adjustments:
            text = _("%(name)s：%(n)d 条加减分合计 %(s)s，计 %(p)s（上限 ±%(w)s）") % {
                "name": item.name,
                "n": len(adjustments),
                "s": _signed(s),
                "p": _signed(pts),
                "w": _fmt(w),
            }
        else:
            text = _("%(name)s：无加减分，计 0") % {"name": item.name}
        return ItemScore(item, ScoreStatus.SCORED, pts, s, None, [], str(text))
    used = [quantities.get(n) for n in quantities.names_in(parsed)]
    rows = [
        {
            "name": q.name,
            "label": q.label,
            "numerator": float(inp.numerator),
            "denominator": float(inp.denominator) if inp.denominator is not None else None,
        }
        for q, inp in ((q, inputs[q.name]) for q in used)
    ]
    rates = [inputs[q.name].denominator for q in used if q.is_rate]
    volume = min(d for d in rates if d is not None) if rates else None
    facts = "；".join(_describe(q, inputs[q.name]) for q in used)
    try:
        value: Decimal | None = quantities.evaluate(parsed, inputs)
    except quantities.NoData as exc:
        value, missing = None, quantities.get(exc.name)
    if item.min_volume and volume is not None and volume < item.min_volume:
        status = ScoreStatus.INSUFFICIENT
    elif value is None:
        status = ScoreStatus.NO_DATA
    else:
        status = ScoreStatus.SCORED
    single = len(used) == 1 and item.formula.replace(" ", "") == used[0].call
    if value is None:
        pts = Decimal(0)
        body = _("无数据（%(d)s为 0），不计分") % {"d": missing.denominator}
    else:
        if item.kind == ItemKind.RATE:
            pts = (w * max(Decimal(0), min(Decimal(1), value))).quantize(CENT, ROUND_HALF_UP)
            tail = _("得 %(p)s/%(w)s") % {"p": _fmt(pts), "w": _fmt(w)}
        else:
            pts = -min(w, max(Decimal(0), value)).quantize(CENT, ROUND_HALF_UP)
            tail = _("扣 %(p)s（上限 %(w)s）") % {"p": _fmt(-pts), "w": _fmt(w)}
        if single:
            body = f"{facts}，{tail}"
        else:
            shown = value.quantize(Decimal("0.0001"), ROUND_HALF_UP)
            body = f"{quantities.readable(item.formula)} = {_fmt(shown)}（{facts}），{tail}"
    if status == ScoreStatus.INSUFFICIENT:
        body = _("%(b)s；样本不足（%(v)s < 最低 %(m)d），不参与排名") % {
            "b": body,
            "v": _fmt(volume),
            "m": item.min_volume,
        }
    text = f"{item.name}：{body}"
    return ItemScore(item, status, pts, value, volume, rows, str(text))


def unit_total(scheme: AssessmentScheme, scores: list[ItemScore], veto: list[str]) -> UnitTotal:
    """Add a unit's item scores up: the 计分项 (rescaled to the full total when some had no
    data), the 加减分 and the 扣分; 样本不足 on any item keeps the unit out of the ranking."""
    rate = [s for s in scores if s.item.kind == ItemKind.RATE]
    counted = [s for s in rate if s.value is not None]
    weight = sum((s.item.weight for s in counted), Decimal(0))
    earned = sum((s.points for s in counted), Decimal(0))
    adjustments = sum((s.points for s in scores if s.item.kind == ItemKind.MANUAL), Decimal(0))
    deductions = sum((s.points for s in scores if s.item.kind == ItemKind.DEDUCTION), Decimal(0))
    parts = []
    base: Decimal | None = None
    if weight:
        base = (earned * scheme.total / weight).quantize(CENT, ROUND_HALF_UP)
        if weight == scheme.total:
            parts.append(str(_("计分项 %(e)s/%(t)s") % {"e": _fmt(earned), "t": _fmt(weight)}))
        else:
            parts.append(
                str(
                    _("计分项 %(e)s/%(w)s（%(n)d 项无数据不计，按 %(t)s 分折算为 %(b)s）")
                    % {
                        "e": _fmt(earned),
                        "w": _fmt(weight),
                        "n": len(rate) - len(counted),
                        "t": _fmt(scheme.total),
                        "b": _fmt(base),
                    }
                )
            )
    if adjustments:
        parts.append(str(_("加减分 %(a)s") % {"a": _signed(adjustments)}))
    if deductions:
        parts.append(str(_("扣分 %(d)s") % {"d": _fmt(-deductions)}))
    total = None if base is None else max(Decimal(0), base + adjustments + deductions)
    if total is not None:
        explanation = "，".join(parts) + str(_("，总分 %(t)s") % {"t": _fmt(total)})
    else:
        explanation = str(_("各计分项均无数据，不计总分"))
    if any(s.status == ScoreStatus.INSUFFICIENT for s in scores):
        status = ResultStatus.INSUFFICIENT
        explanation += str(_("；样本不足，不参与排名"))
    elif total is None:
        status = ResultStatus.NO_DATA
    else:
        status = ResultStatus.RANKED
    if veto:
        explanation += str(_("；一票否决（负面清单 %(c)s）") % {"c": "、".join(veto)})
    return UnitTotal(status, base, adjustments, deductions, total, bool(veto), explanation)


def assessed_units(scheme: AssessmentScheme, units: dict[int, tuple[str, str, bool]]) -> dict:
    """group → ids of the active units it covers (``units``: id → (path, kind, active))."""
    from chuangwen.sites.models import SiteAssignment

    out: dict[str, list[int]] = {}
    guardians: set[int] = set()
    if UnitGroup.GUARDIAN in scheme.groups:
        guardians = set(
            SiteAssignment.objects.filter(site__city_id=scheme.city_id, site__active=True)
            .values_list("unit_id", flat=True)
            .distinct()
        )
    for group in scheme.groups:
        out[group] = sorted(
            pk
            for pk, (path, kind, active) in units.items()
            if active and (pk in guardians if group == UnitGroup.GUARDIAN else kind == group)
        )
    return out


def _rank(rows: list[tuple[int, Decimal]]) -> dict[int, int]:
    """Competition ranking (1, 2, 2, 4) by total, highest first."""
    ranks: dict[int, int] = {}
    previous, rank = None, 0
    for position, (unit_id, total) in enumerate(sorted(rows, key=lambda r: -r[1]), start=1):
        if total != previous:
            rank, previous = position, total
        ranks[unit_id] = rank
    return ranks


def _lists(
    scheme: AssessmentScheme, ranked: list[tuple[int, Decimal]], vetoed: set[int]
) -> dict[int, str]:
    """unit → red / black for one group's ranked units, by the scheme's rule (ties at the
    boundary are all listed; a vetoed unit is never on the red list; none is on both)."""
    out: dict[int, str] = {}
    if not ranked:
        return out
    ordered = sorted(ranked, key=lambda r: -r[1])
    if scheme.list_mode == ListMode.THRESHOLD:
        red = {
            u for u, t in ordered if scheme.red_threshold is not None and t >= scheme.red_threshold
        }
        black = {
            u
            for u, t in ordered
            if scheme.black_threshold is not None and t < scheme.black_threshold
        }
    else:
        n = min(scheme.list_size, len(ordered))
        if n == 0:
            return out
        red_line, black_line = ordered[n - 1][1], ordered[-n][1]
        red = {u for u, t in ordered if t >= red_line}
        black = {u for u, t in ordered if t <= black_line}
    for u in black:
        out[u] = ListKind.BLACK
    for u in red - vetoed:
        out[u] = ListKind.RED
    return out


def _window(period: AssessmentPeriod, units: dict[int, tuple[str, str, bool]]) -> Window:
    return quantities.Window(
        city_id=period.city_id,
        starts_on=period.starts_on,
        ends_on=period.ends_on,
        now=timezone.now(),
        units={pk: (path, kind) for pk, (path, kind, _a) in units.items()},
    )


def score_period(
    period: AssessmentPeriod, only: Iterable[int] | None = None
) -> tuple[list[AssessmentScore], list[AssessmentResult], list[ListEntry]]:
    """The rows of a period's computation (not saved): every item of every assessed unit, the
    totals and ranks per group, the red/black lists. In a constant number of queries whatever
    the number of units (``only`` restricts the units, for the benchmark's comparison)."""
    scheme = period.scheme
    units = {
        pk: (path, kind, active)
        for pk, path, kind, active in Unit.objects.filter(city_id=period.city_id).values_list(
            "pk", "path", "kind", "active"
        )
    }
    groups = assessed_units(scheme, units)
    if only is not None:
        keep = set(only)
        groups = {g: [u for u in ids if u in keep] for g, ids in groups.items()}
    unit_ids = sorted({u for ids in groups.values() for u in ids})
    items = list(scheme.items.all())
    parsed = {i.pk: quantities.parse(i.formula) for i in items if i.kind != ItemKind.MANUAL}
    names = [n for p in parsed.values() for n in quantities.names_in(p)]
    window = _window(period, units)
    values = quantities.compute(window, names, unit_ids)
    adjustments: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for unit_id, item_id, points in ScoreAdjustment.objects.filter(
        period=period, withdrawn_at__isnull=True
    ).values_list("unit_id", "item_id", "points"):
        adjustments[(unit_id, item_id)].append(points)
    veto: dict[int, list[str]] = defaultdict(list)
    for unit_id, code in NegativeFinding.objects.filter(
        city_id=period.city_id,
        found_on__gte=period.starts_on,
        found_on__lte=period.ends_on,
        status__in=list(COUNTED_FINDINGS),
        sanction=UnitSanction.VETO,
    ).values_list("unit_id", "item__code"):
        veto[unit_id].append(code)

    scores: list[AssessmentScore] = []
    totals: dict[int, UnitTotal] = {}
    for unit_id in unit_ids:
        item_scores = []
        for item in items:
            p = parsed.get(item.pk)
            inp = {n: values[n][unit_id] for n in quantities.names_in(p)} if p is not None else {}
            s = score_item(item, p, inp, adjustments.get((unit_id, item.pk), []))
            item_scores.append(s)
            scores.append(
                AssessmentScore(
                    period=period,
                    unit_id=unit_id,
                    item=item,
                    status=s.status,
                    value=s.value,
                    points=s.points,
                    max_points=item.weight,
                    volume=s.volume,
                    inputs=s.inputs,
                    explanation=s.explanation,
                )
            )
        totals[unit_id] = unit_total(scheme, item_scores, veto.get(unit_id, []))

    results: list[AssessmentResult] = []
    entries: list[ListEntry] = []
    for group, ids in groups.items():
        ranked: list[tuple[int, Decimal]] = []
        for u in ids:
            t = totals[u]
            if t.status == ResultStatus.RANKED and t.total is not None:
                ranked.append((u, t.total))
        ranks = _rank(ranked)
        listed = _lists(scheme, ranked, {u for u in ids if totals[u].vetoed})
        for u in ids:
            t = totals[u]
            results.append(
                AssessmentResult(
                    period=period,
                    unit_id=u,
                    group=group,
                    status=t.status,
                    base=t.base,
                    adjustments=t.adjustments,
                    deductions=t.deductions,
                    total=t.total,
                    vetoed=t.vetoed,
                    rank=ranks.get(u),
                    ranked_count=len(ranked),
                    list_kind=listed.get(u, ""),
                    explanation=t.explanation,
                )
            )
            if u in listed:
                entries.append(
                    ListEntry(
                        period=period,
                        unit_id=u,
                        unit_path=units[u][0],
                        group=group,
                        kind=listed[u],
                        rank=ranks.get(u),
                        total=t.total,
                    )
                )
    return scores, results, entries


@transaction.atomic
def compute_period(
    period: AssessmentPeriod, *, reason: str = "", acting_user: Any
) -> AssessmentPeriod:
    """Compute (or, with a reason, recompute) a period's scores from the live data and store
    them with their inputs; the audit row keeps every unit's total before and after. A
    published period is frozen."""
    period = _lock_period(period)
    require_office(acting_user, period.city_id)
    _not_frozen(period)
    reason = (reason or "").strip()
    recompute = period.status == PeriodStatus.COMPUTED
    if recompute and not reason:
        raise InvalidInput(_("重新计算须填写理由（将记入审计日志）"), code="reason_required")
    before = {
        f"{u}:{g}": str(t) if t is not None else None
        for u, g, t in period.results.values_list("unit_id", "group", "total")
    }
    scores, results, entries = score_period(period)
    period.scores.all().delete()
    period.results.all().delete()
    period.list_entries.all().delete()
    AssessmentScore.objects.bulk_create(scores)
    AssessmentResult.objects.bulk_create(results)
    ListEntry.objects.bulk_create(entries)
    period.status = PeriodStatus.COMPUTED
    period.computed_at, period.computed_by = timezone.now(), actor_user(acting_user)
    period.compute_count += 1
    period.n_units = len({r.unit_id for r in results})
    period.save(
        update_fields=[
            "status",
            "computed_at",
            "computed_by",
            "compute_count",
            "n_units",
            "updated_at",
        ]
    )
    after = {
        f"{r.unit_id}:{r.group}": str(r.total) if r.total is not None else None for r in results
    }
    if recompute:
        b, a = audit.changes(before, after)
        gone = {k: v for k, v in before.items() if k not in after}
        audit.record(
            "assessment.period.recomputed",
            period,
            actor=acting_user,
            before={"totals": {**b, **gone}},
            after={"totals": a, "reason": reason},
            summary=_("%(p)s 重新计算：%(n)d 个单位的总分有变化。理由：%(r)s")
            % {"p": period.label, "n": len(a) + len(gone), "r": reason[:150]},
        )
    else:
        audit.record(
            "assessment.period.computed",
            period,
            actor=acting_user,
            after={"totals": after},
            summary=_("%(p)s 计算完成：%(n)d 个单位") % {"p": period.label, "n": period.n_units},
        )
    return period


@transaction.atomic
def publish_period(
    period: AssessmentPeriod, *, disclosure: str = Disclosure.OWN, acting_user: Any
) -> AssessmentPeriod:
    """Publish a computed period: from now on frozen; units see their own scores and rank (and
    more, as ``disclosure`` says); their liaisons are notified."""
    period = _lock_period(period)
    require_office(acting_user, period.city_id)
    _not_frozen(period)
    if period.status != PeriodStatus.COMPUTED:
        raise InvalidTransition(_("请先计算考核得分再发布"), code="not_computed")
    if disclosure not in Disclosure.values:
        raise InvalidInput(_("未知的公开范围"), code="bad_disclosure")
    period.status, period.disclosure = PeriodStatus.PUBLISHED, disclosure
    period.published_at, period.published_by = timezone.now(), actor_user(acting_user)
    period.save(
        update_fields=["status", "disclosure", "published_at", "published_by", "updated_at"]
    )
    audit.record(
        "assessment.period.published",
        period,
        actor=acting_user,
        before={"status": PeriodStatus.COMPUTED},
        after={"status": PeriodStatus.PUBLISHED, "disclosure": disclosure},
        summary=period.label,
    )
    unit_ids = set(period.results.values_list("unit_id", flat=True))
    notify(
        _liaison_users(unit_ids),
        str(_("考核结果已发布：%(p)s") % {"p": period.label}),
        url=reverse("assessment:my_scores"),
        topic="assessment",
    )
    return period


@transaction.atomic
def set_disclosure(
    period: AssessmentPeriod, disclosure: str, *, acting_user: Any
) -> AssessmentPeriod:
    """What units see of a period besides their own (the scores themselves do not change)."""
    period = _lock_period(period)
    require_office(acting_user, period.city_id)
    if disclosure not in Disclosure.values:
        raise InvalidInput(_("未知的公开范围"), code="bad_disclosure")
    before = period.disclosure
    period.disclosure = disclosure
    period.save(update_fields=["disclosure", "updated_at"])
    audit.record(
        "assessment.period.disclosure",
        period,
        actor=acting_user,
        before={"disclosure": before},
        after={"disclosure": disclosure},
        summary=period.label,
    )
    return period


def _liaison_users(unit_ids: Iterable[int]) -> list[int]:
    return list(
        Membership.objects.filter(
            unit_id__in=list(unit_ids), role=Role.UNIT_LIAISON, person__active=True
        ).values_list("person__user_id", flat=True)
    )


def _stored(file: Any) -> tuple[Any, str]:
    """An uploaded file checked as evidence (type by content): (ContentFile, original name)."""
    if file is None:
        return None, ""
    data = file.read() if hasattr(file, "read") else bytes(file)
    checked = check_file(getattr(file, "name", "") or "file", data)
    return ContentFile(checked.data, name=checked.stored_name), checked.name


@transaction.atomic
def add_adjustment(
    period: AssessmentPeriod,
    *,
    item: SchemeItem,
    unit: Unit,
    points: Any,
    reason: str,
    file: Any = None,
    acting_user: Any,
) -> ScoreAdjustment:
    """A manual bonus (+) or penalty (−) for a unit on a 加减分项, with its reason and
    evidence; it counts at the next computation (the item's weight caps the sum)."""
    period = _lock_period(period)
    require_office(acting_user, period.city_id)
    _not_frozen(period)
    if item.scheme_id != period.scheme_id or item.kind != ItemKind.MANUAL:
        raise InvalidInput(_("请选择本考核期方案中的加减分项"), code="bad_item")
    if unit.city_id != period.city_id:
        raise InvalidInput(_("单位不属于本市"), code="bad_unit")
    value = _decimal(points, _("加减分"), low=-item.weight, high=item.weight)
    if value == 0:
        raise InvalidInput(_("加减分不能为 0"), code="bad_number")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写加减分理由"), code="required")
    content, name = _stored(file)
    adj = ScoreAdjustment(
        period=period,
        item=item,
        unit=unit,
        points=value,
        reason=reason[:2000],
        evidence_name=name,
        created_by=actor_user(acting_user),
    )
    if content is not None:
        adj.evidence.save(content.name, content, save=False)
    adj.save()
    audit.record(
        "assessment.adjustment.added",
        adj,
        actor=acting_user,
        city=period.city,
        after={"period": period.pk, "unit": unit.pk, "item": item.pk, "points": value},
        summary=f"{unit.name} {_signed(value)}：{reason[:80]}",
    )
    return adj


@transaction.atomic
def withdraw_adjustment(adj: ScoreAdjustment, *, reason: str, acting_user: Any) -> ScoreAdjustment:
    adj = ScoreAdjustment.objects.select_for_update().select_related("period").get(pk=adj.pk)
    require_office(acting_user, adj.period.city_id)
    _not_frozen(adj.period)
    if adj.withdrawn_at is not None:
        raise InvalidTransition(_("该加减分已撤销"), code="withdrawn")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写撤销理由"), code="required")
    adj.withdrawn_at, adj.withdraw_reason = timezone.now(), reason[:300]
    adj.save(update_fields=["withdrawn_at", "withdraw_reason", "updated_at"])
    audit.record(
        "assessment.adjustment.withdrawn",
        adj,
        actor=acting_user,
        city=adj.period.city,
        after={"reason": reason[:300]},
        summary=f"{_signed(adj.points)}：{reason[:80]}",
    )
    return adj


# --- the way off the black list ---


def _check_list_transition(entry: ListEntry, to: str) -> None:
    if to not in LIST_TRANSITIONS[entry.status]:
        raise InvalidTransition(
            _("「%(s)s」状态下不能执行此操作") % {"s": ListEntryStatus(entry.status).label}
        )


@transaction.atomic
def submit_list_rectification(
    entry: ListEntry, *, note: str, file: Any = None, acting_user: Any
) -> ListEntry:
    """The unit reports how it rectified what put it on the black list (with evidence)."""
    entry = ListEntry.objects.select_for_update().select_related("unit", "period").get(pk=entry.pk)
    require_unit(acting_user, entry.unit)
    if entry.kind != ListKind.BLACK:
        raise InvalidInput(_("只有黑榜需要整改退出"), code="not_black")
    if not entry.period.frozen:
        raise InvalidTransition(_("考核结果发布后才能提交整改"), code="not_published")
    _check_list_transition(entry, ListEntryStatus.SUBMITTED)
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写整改情况"), code="required")
    content, name = _stored(file)
    entry.status, entry.rectification = ListEntryStatus.SUBMITTED, note[:5000]
    entry.submitted_at, entry.submitted_by = timezone.now(), actor_user(acting_user)
    fields = ["status", "rectification", "submitted_at", "submitted_by", "updated_at"]
    if content is not None:
        entry.rectification_file.save(content.name, content, save=False)
        entry.rectification_name = name
        fields += ["rectification_file", "rectification_name"]
    entry.save(update_fields=fields)
    audit.record(
        "assessment.blacklist.submitted",
        entry,
        actor=acting_user,
        city=entry.period.city,
        before={"status": ListEntryStatus.LISTED},
        after={"status": entry.status, "text": note[:300]},
        summary=f"{entry.unit.name}（{entry.period.label}）提交整改",
    )
    notify(
        _office_users(entry.period.city_id),
        str(
            _("%(u)s 提交了黑榜整改（%(p)s），请核查")
            % {"u": entry.unit.name, "p": entry.period.label}
        ),
        url=reverse("assessment:lists"),
        topic="assessment",
    )
    return entry


@transaction.atomic
def verify_list_exit(
    entry: ListEntry, *, approved: bool, note: str = "", acting_user: Any
) -> ListEntry:
    """The office checks the rectification: the unit leaves the black list (recorded), or it
    stays and must rectify again (the note says why)."""
    entry = ListEntry.objects.select_for_update().select_related("unit", "period").get(pk=entry.pk)
    require_office(acting_user, entry.period.city_id)
    to = ListEntryStatus.EXITED if approved else ListEntryStatus.LISTED
    _check_list_transition(entry, to)
    note = (note or "").strip()
    if not approved and not note:
        raise InvalidInput(_("核查不通过时请写明原因"), code="required")
    entry.status, entry.verify_note = to, note[:500]
    entry.verified_at, entry.verified_by = timezone.now(), actor_user(acting_user)
    entry.save(update_fields=["status", "verify_note", "verified_at", "verified_by", "updated_at"])
    audit.record(
        "assessment.blacklist.exited" if approved else "assessment.blacklist.returned",
        entry,
        actor=acting_user,
        city=entry.period.city,
        before={"status": ListEntryStatus.SUBMITTED},
        after={"status": to, "note": note[:300]},
        summary=f"{entry.unit.name}（{entry.period.label}）"
        + ("整改核查通过，退出黑榜" if approved else "整改核查不通过"),
    )
    notify(
        _liaison_users([entry.unit_id]),
        str(
            _("黑榜整改核查%(r)s：%(p)s")
            % {"r": _("通过，已退出黑榜") if approved else _("不通过"), "p": entry.period.label}
        ),
        url=reverse("assessment:lists"),
        topic="assessment",
    )
    return entry


def _office_users(city_id: int) -> list[int]:
    return list(
        Membership.objects.filter(
            unit__city_id=city_id, role=Role.OFFICE_ADMIN, person__active=True
        ).values_list("person__user_id", flat=True)
    )


# --- negative-list findings against units ---

FINDING_FIELDS = [
    "unit",
    "item",
    "source",
    "found_on",
    "sanction",
    "points",
    "status",
    "rectify_by",
]


def _frozen_on(city_id: int, day: date) -> AssessmentPeriod | None:
    return (
        AssessmentPeriod.objects.filter(
            city_id=city_id,
            status=PeriodStatus.PUBLISHED,
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .order_by("starts_on")
        .first()
    )


@transaction.atomic
def record_finding(
    city: City,
    *,
    unit: Unit,
    item: NegativeListItem,
    source: str,
    description: str,
    sanction: str,
    found_on: date | None = None,
    points: Any = None,
    rectify_by: date | None = None,
    file: Any = None,
    acting_user: Any,
) -> NegativeFinding:
    """A negative-list item found against a unit (by inspection, media exposure, the central
    evaluation's feedback or the office), with the sanction the item's grades allow and the
    points it costs in the assessment of the period it falls in."""
    require_office(acting_user, city.pk)
    if unit.city_id != city.pk:
        raise InvalidInput(_("单位不属于本市"), code="bad_unit")
    if item.system.city_id != city.pk:
        raise InvalidInput(_("负面清单条目不属于本市的测评体系"), code="bad_item")
    if source not in FindingSource.values:
        raise InvalidInput(_("未知的发现途径"), code="bad_source")
    grades = SANCTION_GRADES.get(item.sanction, (UnitSanction.DEDUCT,))
    if sanction not in grades:
        allowed = "、".join(str(UnitSanction(g).label) for g in grades)
        raise InvalidInput(
            _("条目「%(c)s」的处理措施只能是：%(a)s") % {"c": item.code, "a": allowed},
            code="bad_sanction",
        )
    description = (description or "").strip()
    if not description:
        raise InvalidInput(_("请填写问题情况"), code="required")
    today = timezone.localdate()
    found_on = found_on or today
    if found_on > today:
        raise InvalidInput(_("认定日期不能晚于今天"), code="bad_date")
    frozen = _frozen_on(city.pk, found_on)
    if frozen is not None:
        raise InvalidInput(
            _("认定日期所在的考核期「%(p)s」已发布（冻结），请按实际认定日期录入")
            % {"p": frozen.label},
            code="frozen",
        )
    if rectify_by is not None and rectify_by < found_on:
        raise InvalidInput(_("整改时限不能早于认定日期"), code="bad_date")
    if points in (None, ""):
        value = Decimal(item.points or 0) if sanction == UnitSanction.DEDUCT else Decimal(0)
    else:
        value = _decimal(points, _("扣分"), high=Decimal(1000))
    if sanction == UnitSanction.DEDUCT and value <= 0:
        raise InvalidInput(_("处理措施为扣分时，扣分须大于 0"), code="bad_number")
    content, name = _stored(file)
    finding = NegativeFinding(
        city=city,
        unit=unit,
        unit_path=unit.path,
        item=item,
        source=source,
        found_on=found_on,
        description=description[:5000],
        sanction=sanction,
        points=value,
        rectify_by=rectify_by,
        evidence_name=name,
        created_by=actor_user(acting_user),
    )
    if content is not None:
        finding.evidence.save(content.name, content, save=False)
    finding.save()
    FindingEvent.objects.create(
        finding=finding,
        actor=actor_user(acting_user),
        action=FindingAction.FOUND,
        to_state=FindingStatus.OPEN,
        note=description[:500],
    )
    audit.record(
        "assessment.finding.recorded",
        finding,
        actor=acting_user,
        after=audit.snapshot(finding, FINDING_FIELDS),
        summary=f"{unit.name}：{item.code} {UnitSanction(sanction).label}",
    )
    unit_finding_recorded(
        unit,
        ref=f"negativefinding:{finding.pk}",
        reason=f"负面清单：{item.code} {description}"[:300],
    )
    notify(
        _liaison_users([unit.pk]),
        str(
            _("负面清单问题：%(c)s（%(s)s），请按时整改")
            % {"c": item.code, "s": UnitSanction(sanction).label}
        ),
        url=reverse("assessment:finding", args=[finding.pk]),
        topic="assessment",
    )
    return finding


def _finding_transition(
    finding: NegativeFinding,
    action: str,
    *,
    note: str,
    file: Any,
    acting_user: Any,
    office: bool,
) -> NegativeFinding:
    finding = NegativeFinding.objects.select_for_update().select_related("unit").get(pk=finding.pk)
    if office:
        require_office(acting_user, finding.city_id)
    else:
        require_unit(acting_user, finding.unit)
    sources, target = FINDING_TRANSITIONS[action]
    if finding.status not in sources:
        raise InvalidTransition(
            _("「%(s)s」状态下不能%(a)s")
            % {"s": FindingStatus(finding.status).label, "a": FindingAction(action).label}
        )
    content, name = _stored(file)
    before = finding.status
    finding.status = target
    fields = ["status", "updated_at"]
    if target == FindingStatus.RECTIFIED:
        finding.rectified_at = timezone.now()
        fields.append("rectified_at")
    finding.save(update_fields=fields)
    event = FindingEvent(
        finding=finding,
        actor=actor_user(acting_user),
        action=action,
        from_state=before,
        to_state=target,
        note=note[:2000],
        file_name=name,
    )
    if content is not None:
        event.file.save(content.name, content, save=False)
    event.save()
    audit.record(
        f"assessment.finding.{action}",
        finding,
        actor=acting_user,
        before={"status": before},
        after={"status": target, "note": note[:300]},
        summary=f"{finding.unit.name}：{FindingAction(action).label}",
    )
    url = reverse("assessment:finding", args=[finding.pk])
    text = str(
        _("负面清单问题 %(u)s：%(a)s") % {"u": finding.unit.name, "a": FindingAction(action).label}
    )
    if office:
        notify(_liaison_users([finding.unit_id]), text, url=url, topic="assessment")
    else:
        notify(_office_users(finding.city_id), text, url=url, topic="assessment")
    return finding


@transaction.atomic
def submit_finding_rectification(
    finding: NegativeFinding, *, note: str, file: Any = None, acting_user: Any
) -> NegativeFinding:
    """The unit reports its rectification (with evidence) for the office to verify."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("请填写整改情况"), code="required")
    return _finding_transition(
        finding, FindingAction.SUBMIT, note=note, file=file, acting_user=acting_user, office=False
    )


@transaction.atomic
def verify_finding(
    finding: NegativeFinding, *, approved: bool, note: str = "", acting_user: Any
) -> NegativeFinding:
    """The office checks the rectification: 销号 (rectified), or back to the unit (rework)."""
    note = (note or "").strip()
    if not approved and not note:
        raise InvalidInput(_("核查不通过时请写明原因"), code="required")
    action = FindingAction.VERIFY if approved else FindingAction.REWORK
    return _finding_transition(
        finding, action, note=note, file=None, acting_user=acting_user, office=True
    )


@transaction.atomic
def withdraw_finding(finding: NegativeFinding, *, reason: str, acting_user: Any) -> NegativeFinding:
    """Withdraw a finding made in error (e.g. an appeal upheld): it no longer counts in
    periods computed from now on (published ones stay as they were)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("请填写撤销理由"), code="required")
    return _finding_transition(
        finding,
        FindingAction.WITHDRAW,
        note=reason,
        file=None,
        acting_user=acting_user,
        office=True,
    )


# --- accountability, submissions, bulletins ---------------------------------------------------
# (奖惩问责, 汇报点评 and 信息报送, 通报: the written side; reads are in ``selectors``, the
# fact types and proposal rules in ``accountability``, the bulletin sections and documents
# in ``bulletins``)

ACCOUNTABILITY_FIELDS = ["kind", "unit", "title", "state", "decision", "response", "follow_up"]
MAX_TITLE = 200
MAX_TEXT = 20_000


def _text(value: Any, label: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    """A user's text, stripped; InvalidInput when required and empty or when too long."""
    text = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    if required and not text:
        raise InvalidInput(_("请填写%(label)s") % {"label": label}, code="required")
    if len(text) > limit:
        raise InvalidInput(
            _("%(label)s不能超过 %(limit)s 个字") % {"label": label, "limit": limit},
            code="too_long",
        )
    return text


def _users_of(unit_ids: Iterable[int], roles: Iterable[str]) -> list[int]:
    return list(
        Membership.objects.filter(
            unit_id__in=list(unit_ids), role__in=list(roles), person__active=True
        ).values_list("person__user_id", flat=True)
    )


def _liaisons(unit_ids: Iterable[int]) -> list[int]:
    return _users_of(unit_ids, [Role.UNIT_LIAISON])


def _notify(user_ids: Iterable[int], text: str, url: str) -> None:
    notify(user_ids, text, url=url, topic="assessment")


def _check_transition(table: dict[str, set[str]], labels: Any, current: str, to: str) -> None:
    if to not in table[current]:
        raise InvalidTransition(
            _("当前状态为「%(current_label)s」，不能变为「%(to_label)s」")
            % {"current_label": labels(current).label, "to_label": labels(to).label}
        )


# 奖惩问责 -------------------------------------------------------------------------------------


def _create_record(
    city: City,
    *,
    unit: Unit,
    kind: str,
    title: str,
    reason: str,
    facts: list[dict[str, Any]],
    rule: str = "",
    rule_key: str = "",
    acting_user: Any,
) -> AccountabilityRecord:
    record = AccountabilityRecord.objects.create(
        city=city,
        kind=kind,
        unit=unit,
        unit_path=unit.path,
        title=title[:MAX_TITLE],
        reason=reason,
        facts=facts,
        rule=rule,
        rule_key=rule_key,
        proposed_by=actor_user(acting_user),
    )
    audit.record(
        "assessment.accountability.proposed",
        record,
        actor=acting_user,
        after={**audit.snapshot(record, ACCOUNTABILITY_FIELDS), "facts": facts, "rule": rule},
        summary=f"{record.get_kind_display()}：{unit.name} {record.title}",
    )
    return record


def _checked_kind_and_unit(city: City, kind: str, unit: Unit) -> None:
    if kind not in AccountabilityKind.values:
        raise InvalidInput(_("奖惩问责类型「%(kind)s」无效") % {"kind": kind}, code="bad_kind")
    if unit.city_id != city.pk:
        raise InvalidInput(_("对象单位不属于本城市"), code="bad_unit")


@transaction.atomic
def propose_accountability(
    city: City,
    *,
    unit: Unit,
    kind: str,
    title: str,
    reason: str = "",
    facts: Iterable[Any] = (),
    acting_user: Any,
) -> AccountabilityRecord:
    """The office proposes a record against ``unit`` citing ``facts`` (``{"type", "id"}``
    references or ``"type:id"`` strings, each checked to exist in the city)."""
    require_office(acting_user, city.pk, _("只有创建办可以提出奖惩问责建议"))
    _checked_kind_and_unit(city, kind, unit)
    title = _text(title, "事由", limit=MAX_TITLE)
    reason = _text(reason, "情况说明", required=False)
    stored = accountability.resolve_facts(city.pk, facts)
    return _create_record(
        city,
        unit=unit,
        kind=kind,
        title=title,
        reason=reason,
        facts=stored,
        acting_user=acting_user,
    )


def run_accountability_rules(
    city: City, *, today: date | None = None, acting_user: Any
) -> list[AccountabilityRecord]:
    """Run every registered rule and record what it proposes (each ``key`` once: a proposal
    already made — decided, dismissed or pending — is not made again). The office is told
    how many proposals wait for a decision."""
    require_office(acting_user, city.pk, _("只有创建办可以运行奖惩问责规则"))
    today = today or timezone.localdate()
    made: list[AccountabilityRecord] = []
    with transaction.atomic():
        known = set(
            AccountabilityRecord.objects.filter(city=city)
            .exclude(rule_key="")
            .values_list("rule_key", flat=True)
        )
        for code, rule in sorted(accountability.RULES.items()):
            for p in rule.func(city, today=today):
                key = f"{code}:{p.key}"[:120]
                if key in known:
                    continue
                _checked_kind_and_unit(city, p.kind, p.unit)
                known.add(key)
                made.append(
                    _create_record(
                        city,
                        unit=p.unit,
                        kind=p.kind,
                        title=p.title,
                        reason=p.reason,
                        facts=list(p.facts),
                        rule=code,
                        rule_key=key,
                        acting_user=acting_user,
                    )
                )
        if made:
            from django.urls import reverse

            _notify(
                _office_users(city.pk),
                f"规则提出奖惩问责建议 {len(made)} 条，待决定",
                reverse("assessment:accountability_list") + "?state=proposed",
            )
    return made


def _lock_record(record: AccountabilityRecord) -> AccountabilityRecord:
    return AccountabilityRecord.objects.select_for_update().select_related("unit").get(pk=record.pk)


def scope_may_decide(scope: Scope | None, record: AccountabilityRecord) -> bool:
    """The office decides every kind but a 问责建议; a city leader decides 约谈 and 问责建议
    (``None``: the system). The workbench asks this for many records with one scope."""
    if scope is None:
        return True
    if scope.city_id != record.city_id:
        return False
    if record.kind in DECIDED_BY_OFFICE and scope.write_all:
        return True
    return record.kind in DECIDED_BY_LEADER and scope.has_role(Role.LEADER)


def _require_decider(actor: Any, record: AccountabilityRecord) -> None:
    if scope_may_decide(actor_scope(actor), record):
        return
    if record.kind in DECIDED_BY_LEADER and record.kind not in DECIDED_BY_OFFICE:
        raise PermissionDenied(_("问责建议须由市领导决定"))
    raise PermissionDenied(_("只有创建办（约谈也可由市领导）可以决定"))


def may_decide(actor: Any, record: AccountabilityRecord) -> bool:
    """Whether ``actor`` may decide (or dismiss) the proposal now."""
    if record.state != AccountabilityState.PROPOSED:
        return False
    try:
        _require_decider(actor, record)
    except PermissionDenied:
        return False
    return True


def _record_moved(
    record: AccountabilityRecord, to: str, code: str, acting_user: Any, fields: list[str]
) -> AccountabilityRecord:
    """Save ``record`` in state ``to`` with ``fields``, audit the change, tell the unit."""
    before = record.state
    record.state = to
    record.save(update_fields=["state", "updated_at", *fields])
    audit.record(
        f"assessment.accountability.{code}",
        record,
        actor=acting_user,
        before={"state": before},
        after={"state": to, **audit.snapshot(record, fields)},
        summary=f"{record.get_kind_display()}：{record.unit.name} {record.title}",
    )
    if to in VISIBLE_TO_UNIT and to != AccountabilityState.RESPONDED:
        _notify(
            _liaisons([record.unit_id]),
            f"{record.get_kind_display()}（{AccountabilityState(to).label}）：{record.title}",
            reverse("assessment:accountability", args=[record.pk]),
        )
    return record


@transaction.atomic
def decide_accountability(
    record: AccountabilityRecord,
    *,
    decision: str,
    response_due: Any = None,
    referral_to: str = "",
    acting_user: Any,
) -> AccountabilityRecord:
    """The decision on a proposal (the unit is told and may now see the record); a 问责建议
    names the discipline body it is referred to. The outcome of discipline is not recorded."""
    record = _lock_record(record)
    _require_decider(acting_user, record)
    _check_transition(
        ACCOUNTABILITY_TRANSITIONS, AccountabilityState, record.state, AccountabilityState.DECIDED
    )
    record.decision = _text(decision, "决定意见")
    record.referral_to = _text(
        referral_to,
        "移送机关（如市纪委监委）",
        required=record.kind == AccountabilityKind.REFERRAL,
        limit=100,
    )
    today = timezone.localdate()
    if response_due is not None and response_due < today:
        raise InvalidInput(_("反馈时限不能早于今天"), code="bad_deadline")
    record.response_due = response_due or (
        None
        if record.kind == AccountabilityKind.COMMEND
        else accountability.default_response_due(today)
    )
    record.decided_by, record.decided_at = actor_user(acting_user), timezone.now()
    return _record_moved(
        record,
        AccountabilityState.DECIDED,
        "decided",
        acting_user,
        ["decision", "referral_to", "response_due", "decided_by", "decided_at"],
    )


@transaction.atomic
def dismiss_accountability(
    record: AccountabilityRecord, *, reason: str, acting_user: Any
) -> AccountabilityRecord:
    """不予处理: the proposal is dropped (with the reason); the unit never sees it."""
    record = _lock_record(record)
    _require_decider(acting_user, record)
    _check_transition(
        ACCOUNTABILITY_TRANSITIONS, AccountabilityState, record.state, AccountabilityState.DISMISSED
    )
    record.decision = _text(reason, "不予处理的理由")
    record.decided_by, record.decided_at = actor_user(acting_user), timezone.now()
    return _record_moved(
        record,
        AccountabilityState.DISMISSED,
        "dismissed",
        acting_user,
        ["decision", "decided_by", "decided_at"],
    )


@transaction.atomic
def respond_accountability(
    record: AccountabilityRecord, *, response: str, acting_user: Any
) -> AccountabilityRecord:
    """The unit's answer (整改情况, 说明): a liaison of the unit itself, or the office
    recording an answer received on paper."""
    record = _lock_record(record)
    scope = actor_scope(acting_user)
    if scope is not None:
        if not selectors.can_see_record(scope, record):
            raise NotFound()
        if not (scope.write_all or selectors.is_liaison_of(scope, record.unit_id)):
            raise PermissionDenied(_("只有被问责单位的联络员可以反馈"))
    _check_transition(
        ACCOUNTABILITY_TRANSITIONS, AccountabilityState, record.state, AccountabilityState.RESPONDED
    )
    record.response = _text(response, "反馈内容")
    record.responded_by, record.responded_at = actor_user(acting_user), timezone.now()
    _record_moved(
        record,
        AccountabilityState.RESPONDED,
        "responded",
        acting_user,
        ["response", "responded_by", "responded_at"],
    )
    _notify(
        _office_users(record.city_id),
        f"{record.unit.name}已反馈：{record.title}",
        reverse("assessment:accountability", args=[record.pk]),
    )
    return record


@transaction.atomic
def follow_up_accountability(
    record: AccountabilityRecord, *, note: str, acting_user: Any
) -> AccountabilityRecord:
    """跟踪问效: the office checks what the unit did after its answer."""
    record = _lock_record(record)
    require_office(acting_user, record.city_id, _("只有创建办可以跟踪问效"))
    _check_transition(
        ACCOUNTABILITY_TRANSITIONS,
        AccountabilityState,
        record.state,
        AccountabilityState.FOLLOWED_UP,
    )
    record.follow_up = _text(note, "跟踪问效情况")
    record.followed_up_by, record.followed_up_at = actor_user(acting_user), timezone.now()
    return _record_moved(
        record,
        AccountabilityState.FOLLOWED_UP,
        "followed_up",
        acting_user,
        ["follow_up", "followed_up_by", "followed_up_at"],
    )


@transaction.atomic
def close_accountability(
    record: AccountabilityRecord, *, note: str = "", acting_user: Any
) -> AccountabilityRecord:
    """办结: the office closes a decided record (a commendation at once; a measure once the
    unit has answered or the follow-up is done)."""
    record = _lock_record(record)
    require_office(acting_user, record.city_id, _("只有创建办可以办结"))
    _check_transition(
        ACCOUNTABILITY_TRANSITIONS, AccountabilityState, record.state, AccountabilityState.CLOSED
    )
    note = _text(note, "办结说明", required=False)
    fields = ["closed_at"]
    if note:
        record.follow_up = f"{record.follow_up}\n{note}".strip()
        fields.append("follow_up")
    record.closed_at = timezone.now()
    return _record_moved(record, AccountabilityState.CLOSED, "closed", acting_user, fields)


# 汇报点评 and 信息报送 ------------------------------------------------------------------------

MAX_SECTIONS = 20
MAX_INFO_PHOTOS = 6  # as the photo field of the page (cases.forms.MultiPhotoField)
SCORE_RANGE = (0, 100)


def _clean_sections(sections: Iterable[Any]) -> list[dict[str, str]]:
    out = []
    for s in sections:
        if isinstance(s, str):
            title, hint = s, ""
        elif isinstance(s, dict):
            title, hint = s.get("title", ""), s.get("hint", "")
        else:
            raise InvalidInput(_("栏目格式有误"), code="bad_sections")
        title = _text(title, "栏目标题", required=False, limit=100)
        if title:
            out.append({"title": title, "hint": _text(hint, "填写提示", required=False, limit=300)})
    if not out:
        raise InvalidInput(_("汇报模板至少要有一个栏目"), code="bad_sections")
    if len(out) > MAX_SECTIONS:
        raise InvalidInput(
            _("汇报模板最多 %(max_sections)s 个栏目") % {"max_sections": MAX_SECTIONS},
            code="bad_sections",
        )
    return out


@transaction.atomic
def save_report_template(
    city: City,
    *,
    template: ReportTemplate | None = None,
    title: str,
    period: str,
    sections: Iterable[Any],
    due_day: int,
    units: Iterable[Unit],
    active: bool = True,
    acting_user: Any,
) -> ReportTemplate:
    """Create or change a report template: sections (title + hint), monthly or quarterly, due
    on ``due_day`` (1–28) of the month after the period, owed by ``units``."""
    require_office(acting_user, city.pk, _("只有创建办可以设置汇报模板"))
    if template is not None:
        template = ReportTemplate.objects.select_for_update().get(pk=template.pk)
        if template.city_id != city.pk:
            raise NotFound()
    title = _text(title, "模板名称", limit=MAX_TITLE)
    if period not in ReportPeriod.values:
        raise InvalidInput(_("报送周期只能是月报或季报"), code="bad_period")
    try:
        due_day = int(due_day)
    except (TypeError, ValueError):
        raise InvalidInput(_("报送截止日须为 1–28 的整数"), code="bad_due_day") from None
    if not 1 <= due_day <= periods.MAX_DUE_DAY:
        raise InvalidInput(_("报送截止日须为 1–28 的整数"), code="bad_due_day")
    clean = _clean_sections(sections)
    units = list(units)
    if not units:
        raise InvalidInput(_("请选择报送单位"), code="units_required")
    if any(u.city_id != city.pk for u in units):
        raise InvalidInput(_("报送单位不属于本城市"), code="bad_unit")
    names = ["title", "period", "sections", "due_day", "active"]
    before = audit.snapshot(template, names) if template else {}
    if template is None:
        template = ReportTemplate(city=city, created_by=actor_user(acting_user))
    template.title, template.period, template.sections = title, period, clean
    template.due_day, template.active = due_day, bool(active)
    template.save()
    template.units.set(units)
    b, a = audit.changes(before, audit.snapshot(template, names))
    audit.record(
        "assessment.report_template.saved",
        template,
        actor=acting_user,
        before=b,
        after={**a, "units": [u.pk for u in units]},
        summary=template.title,
    )
    return template


def _require_submitter(acting_user: Any, unit: Unit) -> None:
    """A liaison (or another unit-bound member) of the unit or above, or the office."""
    scope = actor_scope(acting_user)
    if scope is None:
        return
    if not scope.can_write_unit(unit):
        raise PermissionDenied(_("只能为本单位报送"))


@transaction.atomic
def submit_report(
    template: ReportTemplate,
    *,
    unit: Unit,
    period_start: date,
    texts: Sequence[str],
    acting_user: Any,
) -> Submission:
    """A unit's work report for the period starting ``period_start``: one text per section
    of the template. A returned report is corrected and sent again (it keeps its first
    submission time for timeliness); one already waiting or reviewed cannot be sent twice."""
    _require_submitter(acting_user, unit)
    if template.city_id != unit.city_id or not template.active:
        raise InvalidInput(_("汇报模板不存在或已停用"), code="bad_template")
    if not template.units.filter(pk=unit.pk).exists():
        raise InvalidInput(
            _("「%(unit_name)s」不在该汇报的报送单位中") % {"unit_name": unit.name}, code="bad_unit"
        )
    start, end = periods.period_of(template.period, period_start)
    if start != period_start:
        raise InvalidInput(_("报告期无效"), code="bad_period")
    if start > timezone.localdate():
        raise InvalidInput(_("不能报送尚未开始的报告期"), code="bad_period")
    texts = list(texts)
    if len(texts) != len(template.sections):
        raise InvalidInput(_("汇报内容与模板栏目不符，请刷新页面后重新填写"), code="bad_sections")
    sections = [
        {"title": s["title"], "text": _text(t, f"「{s['title']}」")}
        for s, t in zip(template.sections, texts, strict=True)
    ]
    now = timezone.now()
    title = f"{unit.name}{periods.period_label(template.period, start)}{template.title}"[:MAX_TITLE]
    existing = (
        Submission.objects.select_for_update()
        .filter(template=template, unit=unit, period_start=start)
        .first()
    )
    if existing is None:
        sub = Submission.objects.create(
            city_id=unit.city_id,
            kind=SubmissionKind.REPORT,
            template=template,
            period_start=start,
            period_end=end,
            due_on=periods.due_date(end, template.due_day),
            unit=unit,
            unit_path=unit.path,
            title=title,
            sections=sections,
            submitted_by=actor_user(acting_user),
            first_submitted_at=now,
            submitted_at=now,
        )
        code = "submitted"
    else:
        _check_transition(
            SUBMISSION_TRANSITIONS, SubmissionStatus, existing.status, SubmissionStatus.SUBMITTED
        )
        sub = existing
        sub.sections, sub.status, sub.submitted_at = sections, SubmissionStatus.SUBMITTED, now
        sub.submitted_by = actor_user(acting_user)
        sub.save(update_fields=["sections", "status", "submitted_at", "submitted_by", "updated_at"])
        code = "resubmitted"
    _submission_done(sub, code, acting_user)
    return sub


def _submission_done(sub: Submission, code: str, acting_user: Any) -> None:
    audit.record(
        f"assessment.submission.{code}",
        sub,
        actor=acting_user,
        after={"kind": sub.kind, "unit": sub.unit_id, "status": sub.status},
        summary=sub.title,
    )
    _notify(
        _office_users(sub.city_id),
        f"{sub.unit.name}报送{sub.get_kind_display()}：{sub.title}",
        reverse("assessment:submission", args=[sub.pk]),
    )


def _save_photos(sub: Submission, checked: list[Any], captions: Sequence[str]) -> None:
    for i, photo in enumerate(checked):
        row = SubmissionPhoto(
            submission=sub,
            width=photo.width,
            height=photo.height,
            size=photo.size,
            caption=(captions[i] if i < len(captions) else "")[:200],
        )
        row.store(photo)


def _checked_photos(photos: Sequence[Any], existing: int = 0) -> list[Any]:
    if existing + len(photos) > MAX_INFO_PHOTOS:
        raise InvalidInput(
            _("每条信息最多 %(max_info_photos)s 张照片") % {"max_info_photos": MAX_INFO_PHOTOS},
            code="too_many_photos",
        )
    return [check_photo(p) for p in photos]


@transaction.atomic
def submit_info(
    city: City,
    *,
    unit: Unit,
    title: str,
    body: str,
    photos: Sequence[IO[bytes] | bytes] = (),
    captions: Sequence[str] = (),
    acting_user: Any,
) -> Submission:
    """信息: work news of the unit with photos (JPEG, PNG or WebP, each checked and re-encoded
    without its metadata; at most six)."""
    _require_submitter(acting_user, unit)
    if unit.city_id != city.pk:
        raise InvalidInput(_("报送单位不属于本城市"), code="bad_unit")
    title = _text(title, "标题", limit=MAX_TITLE)
    body = _text(body, "正文")
    checked = _checked_photos(photos)
    sub = Submission.objects.create(
        city=city,
        kind=SubmissionKind.INFO,
        unit=unit,
        unit_path=unit.path,
        title=title,
        body=body,
        submitted_by=actor_user(acting_user),
    )
    _save_photos(sub, checked, captions)
    _submission_done(sub, "submitted", acting_user)
    return sub


@transaction.atomic
def resubmit_info(
    sub: Submission,
    *,
    title: str,
    body: str,
    photos: Sequence[IO[bytes] | bytes] = (),
    acting_user: Any,
) -> Submission:
    """A returned 信息, corrected (more photos may be added) and sent again."""
    sub = Submission.objects.select_for_update().select_related("unit").get(pk=sub.pk)
    _require_submitter(acting_user, sub.unit)
    if sub.kind != SubmissionKind.INFO:
        raise InvalidInput(_("只有信息可以这样修改"), code="bad_kind")
    _check_transition(
        SUBMISSION_TRANSITIONS, SubmissionStatus, sub.status, SubmissionStatus.SUBMITTED
    )
    sub.title = _text(title, "标题", limit=MAX_TITLE)
    sub.body = _text(body, "正文")
    checked = _checked_photos(photos, sub.photos.count())
    sub.status, sub.submitted_at = SubmissionStatus.SUBMITTED, timezone.now()
    sub.save(update_fields=["title", "body", "status", "submitted_at", "updated_at"])
    _save_photos(sub, checked, ())
    _submission_done(sub, "resubmitted", acting_user)
    return sub


@transaction.atomic
def review_submission(
    sub: Submission,
    *,
    approve: bool,
    comment: str,
    score: int | None = None,
    acting_user: Any,
) -> Submission:
    """点评 by the office or a city leader: approve with a score (0–100) and a comment, or
    return it to the unit with the reason (the unit corrects and sends it again)."""
    sub = Submission.objects.select_for_update().select_related("unit").get(pk=sub.pk)
    scope = actor_scope(acting_user)
    if scope is not None and not (
        scope.city_id == sub.city_id and (scope.write_all or scope.has_role(Role.LEADER))
    ):
        raise PermissionDenied(_("只有创建办或市领导可以点评"))
    to = SubmissionStatus.APPROVED if approve else SubmissionStatus.RETURNED
    _check_transition(SUBMISSION_TRANSITIONS, SubmissionStatus, sub.status, to)
    comment = _text(comment, "点评意见" if approve else "退回理由")
    if approve:
        if score is None:
            raise InvalidInput(_("请填写点评得分（0–100）"), code="score_required")
        try:
            score = int(score)
        except (TypeError, ValueError):
            raise InvalidInput(_("点评得分须为 0–100 的整数"), code="bad_score") from None
        if not SCORE_RANGE[0] <= score <= SCORE_RANGE[1]:
            raise InvalidInput(_("点评得分须为 0–100 的整数"), code="bad_score")
    sub.status, sub.comment = to, comment
    sub.score = score if approve else None
    sub.reviewed_by, sub.reviewed_at = actor_user(acting_user), timezone.now()
    sub.save(
        update_fields=["status", "comment", "score", "reviewed_by", "reviewed_at", "updated_at"]
    )
    audit.record(
        "assessment.submission.reviewed",
        sub,
        actor=acting_user,
        before={"status": SubmissionStatus.SUBMITTED},
        after={"status": to, "score": sub.score, "comment": comment[:500]},
        summary=sub.title,
    )
    _notify(
        _liaisons([sub.unit_id]),
        f"{sub.get_kind_display()}「{sub.title}」{SubmissionStatus(to).label}",
        reverse("assessment:submission", args=[sub.pk]),
    )
    return sub


# 通报 ----------------------------------------------------------------------------------------

MAX_BULLETIN_DAYS = 366
DEFAULT_BULLETIN_PREFIX = "创文办通"
BULLETIN_FIELDS = ["kind", "title", "period_start", "period_end", "status"]


def _build_sections(ctx: bulletins.BulletinContext) -> list[BulletinSection]:
    """Every registered section built for ``ctx`` (a builder that fails leaves a note in an
    excluded section instead of stopping the bulletin; its error goes to the log)."""
    out = []
    for spec in bulletins.registered_sections():
        try:
            draft = spec.build(ctx)
        except Exception:
            logger.exception("bulletin section %s failed", spec.code)
            out.append(
                BulletinSection(
                    code=spec.code,
                    order=spec.order,
                    title=spec.title,
                    included=False,
                    text="（本栏目生成出错，未纳入，请联系管理员）",
                )
            )
            continue
        if draft is None:
            continue
        out.append(
            BulletinSection(
                code=spec.code,
                order=spec.order,
                title=spec.title,
                text=draft.text,
                generated_text=draft.text,
                figures=[asdict(f) for f in draft.figures],
                table=draft.table(),
                photos=draft.photos,
            )
        )
    return out


def bulletin_context(city: City, kind: str, start: date, end: date) -> bulletins.BulletinContext:
    if kind not in BulletinKind.values:
        raise InvalidInput(_("通报类型「%(kind)s」无效") % {"kind": kind}, code="bad_kind")
    if start > end:
        raise InvalidInput(_("统计期起不能晚于统计期止"), code="bad_period")
    if (end - start).days >= MAX_BULLETIN_DAYS:
        raise InvalidInput(_("统计期不能超过一年"), code="bad_period")
    today = timezone.localdate()
    if start > today:
        raise InvalidInput(_("统计期不能在未来"), code="bad_period")
    return bulletins.BulletinContext(city=city, kind=kind, start=start, end=end, today=today)


def draft_bulletin(
    city: City,
    *,
    kind: str,
    start: date,
    end: date,
    title: str = "",
    auto: bool = False,
    acting_user: Any,
) -> Bulletin:
    """Draft a bulletin for [start, end] from the data: every registered section builds its
    text, figures (each with its query and link), table and photo candidates. The queries
    run first; the rows are written in one short transaction."""
    require_office(acting_user, city.pk, _("只有创建办可以起草通报"))
    ctx = bulletin_context(city, kind, start, end)
    title = _text(title, "标题", required=False, limit=MAX_TITLE) or periods.bulletin_title(
        kind, start, end, city.name
    )
    sections = _build_sections(ctx)
    with transaction.atomic():
        bulletin = Bulletin.objects.create(
            city=city,
            kind=kind,
            title=title,
            period_start=start,
            period_end=end,
            auto=auto,
            issuer=bulletins.default_issuer(city),
            drafted_by=actor_user(acting_user),
        )
        for s in sections:
            s.bulletin = bulletin
        BulletinSection.objects.bulk_create(sections)
        audit.record(
            "assessment.bulletin.drafted",
            bulletin,
            actor=acting_user,
            after={
                **audit.snapshot(bulletin, BULLETIN_FIELDS),
                "sections": [s.code for s in sections],
            },
            summary=bulletin.title,
        )
    return bulletin


def _lock_draft(bulletin: Bulletin) -> Bulletin:
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    if bulletin.status != BulletinStatus.DRAFT:
        raise InvalidTransition(_("通报已印发，不能再修改"))
    return bulletin


def regenerate_bulletin(bulletin: Bulletin, *, acting_user: Any) -> Bulletin:
    """Rebuild every section of a draft from today's data (rewritten text is replaced)."""
    require_office(acting_user, bulletin.city_id, _("只有创建办可以修改通报"))
    ctx = bulletin_context(bulletin.city, bulletin.kind, bulletin.period_start, bulletin.period_end)
    sections = _build_sections(ctx)
    with transaction.atomic():
        bulletin = _lock_draft(bulletin)
        bulletin.sections.all().delete()
        for s in sections:
            s.bulletin = bulletin
        BulletinSection.objects.bulk_create(sections)
        bulletin.save(update_fields=["updated_at"])
        audit.record(
            "assessment.bulletin.regenerated",
            bulletin,
            actor=acting_user,
            after={"sections": [s.code for s in sections]},
            summary=bulletin.title,
        )
    return bulletin


@transaction.atomic
def rename_bulletin(bulletin: Bulletin, *, title: str, acting_user: Any) -> Bulletin:
    require_office(acting_user, bulletin.city_id, _("只有创建办可以修改通报"))
    bulletin = _lock_draft(bulletin)
    before = bulletin.title
    bulletin.title = _text(title, "标题", limit=MAX_TITLE)
    bulletin.save(update_fields=["title", "updated_at"])
    audit.record(
        "assessment.bulletin.edited",
        bulletin,
        actor=acting_user,
        before={"title": before},
        after={"title": bulletin.title},
        summary=bulletin.title,
    )
    return bulletin


@transaction.atomic
def edit_bulletin_section(
    section: BulletinSection,
    *,
    title: str | None = None,
    text: str | None = None,
    included: bool | None = None,
    chosen_photos: Iterable[str] | None = None,
    acting_user: Any,
) -> BulletinSection:
    """The office rewrites a section of a draft: its title and text, whether it is printed,
    and which of the offered photos (``"source:id"`` keys) are printed. The figures stay as
    computed."""
    bulletin = Bulletin.objects.select_for_update().get(pk=section.bulletin_id)
    require_office(acting_user, bulletin.city_id, _("只有创建办可以修改通报"))
    bulletin = _lock_draft(bulletin)
    section = BulletinSection.objects.get(pk=section.pk, bulletin=bulletin)
    names = ["title", "text", "included", "photos"]
    before = audit.snapshot(section, names)
    if title is not None:
        section.title = _text(title, "栏目标题", limit=MAX_TITLE)
    if text is not None:
        section.text = _text(text, "栏目正文")
    if included is not None:
        section.included = bool(included)
    if chosen_photos is not None:
        keys = set(chosen_photos)
        offered = {f"{p['source']}:{p['id']}" for p in section.photos}
        unknown = keys - offered
        if unknown:
            raise InvalidInput(_("所选照片不在本栏目的候选照片中"), code="bad_photo")
        section.photos = [
            {**p, "chosen": f"{p['source']}:{p['id']}" in keys} for p in section.photos
        ]
    section.save()
    bulletin.save(update_fields=["updated_at"])
    b, a = audit.changes(before, audit.snapshot(section, names))
    audit.record(
        "assessment.bulletin.section_edited",
        bulletin,
        actor=acting_user,
        before={k: str(v)[:500] for k, v in b.items()},
        after={"section": section.code, **{k: str(v)[:500] for k, v in a.items()}},
        summary=f"{bulletin.title}：{section.title}",
    )
    return section


def default_recipients(city: City | int) -> QuerySet[Unit]:
    """Whom a bulletin goes to unless the office chooses: the active units right under the
    top of the tree (区县, 市直部门, 分指挥部 …)."""
    city_id = city if isinstance(city, int) else city.pk
    return Unit.objects.filter(city_id=city_id, active=True, depth=1).order_by("path")


def number_taken(city_id: int, prefix: str, year: int, seq: int) -> bool:
    """Whether 文号 prefix〔year〕seq号 is already on a notice or a bulletin."""
    return (
        Notice.objects.filter(city_id=city_id, prefix=prefix, year=year, seq=seq).exists()
        or Bulletin.objects.filter(city_id=city_id, prefix=prefix, year=year, seq=seq).exists()
    )


def _claim_number(city: City, prefix: str, year: int, seq: int | None) -> int:
    """Take the next number of the 文号 sequence (shared with the notices), or the one the
    office typed if nobody has used it; the counter stays locked until the transaction ends."""
    counter = lock_counter(city, prefix, year)
    if seq is None:
        seq = counter.last + 1
        while number_taken(city.pk, prefix, year, seq):  # a number typed in ahead of the counter
            seq += 1
    elif number_taken(city.pk, prefix, year, seq):
        raise InvalidInput(
            _("文号 %(prefix)s〔%(year)s〕%(seq)s号 已被使用，请换一个")
            % {"prefix": prefix, "year": year, "seq": seq},
            code="number_taken",
        )
    if seq > counter.last:
        counter.last = seq
        counter.save(update_fields=["last"])
    return seq


def issue_bulletin(
    bulletin: Bulletin,
    *,
    prefix: str = "",
    seq: int | None = None,
    issuer: str = "",
    recipients: Iterable[Unit] | None = None,
    acting_user: Any,
) -> Bulletin:
    """印发: number the draft from the office's 文号 sequence (the next one, or ``seq`` if
    unused — a number already used is refused), store the Word and PDF documents, send it to
    ``recipients`` (default: ``default_recipients``) and tell their liaisons to sign for it.

    The documents are rendered before the counter is locked; if another document took the
    expected number meanwhile, they are rendered again with the number actually given."""
    city = bulletin.city
    require_office(acting_user, city.pk, _("只有创建办可以印发通报"))
    if bulletin.status != BulletinStatus.DRAFT:
        raise InvalidTransition(_("通报已印发"))
    prefix = _text(prefix, "发文机关代字", required=False, limit=20) or DEFAULT_BULLETIN_PREFIX
    issuer = _text(issuer, "发文机关", required=False, limit=100) or bulletin.issuer
    if seq is not None and not 1 <= int(seq) <= 99999:
        raise InvalidInput(_("文号序号须为 1–99999 的整数"), code="bad_number")
    units = list(recipients) if recipients is not None else list(default_recipients(city))
    if not units:
        raise InvalidInput(_("请选择主送单位"), code="recipients_required")
    if any(u.city_id != city.pk for u in units):
        raise InvalidInput(_("主送单位不属于本城市"), code="bad_unit")
    if not bulletin.sections.filter(included=True).exists():
        raise InvalidInput(_("通报没有任何栏目，不能印发"), code="empty")
    year = timezone.localdate().year
    if seq is not None and number_taken(city.pk, prefix, year, seq):
        raise InvalidInput(
            _("文号 %(prefix)s〔%(year)s〕%(seq)s号 已被使用，请换一个")
            % {"prefix": prefix, "year": year, "seq": seq},
            code="number_taken",
        )
    bulletin.issuer, bulletin.prefix, bulletin.year = issuer, prefix, year
    expected = (
        seq
        or (
            NoticeCounter.objects.filter(city=city, prefix=prefix, year=year)
            .values_list("last", flat=True)
            .first()
            or 0
        )
        + 1
    )
    docx = bulletins.bulletin_docx(bulletin, f"{prefix}〔{year}〕{expected}号")
    pdf = bulletins.bulletin_pdf(bulletin, f"{prefix}〔{year}〕{expected}号")
    with transaction.atomic():
        bulletin = _lock_draft(bulletin)
        given = _claim_number(city, prefix, year, seq)
        bulletin.issuer, bulletin.prefix, bulletin.year, bulletin.seq = issuer, prefix, year, given
        bulletin.status = BulletinStatus.ISSUED
        bulletin.issued_at, bulletin.issued_by = timezone.now(), actor_user(acting_user)
        if given != expected:
            docx, pdf = bulletins.bulletin_docx(bulletin), bulletins.bulletin_pdf(bulletin)
        bulletin.docx.save(
            bulletins.bulletin_filename(bulletin, "docx"), ContentFile(docx), save=False
        )
        bulletin.pdf.save(
            bulletins.bulletin_filename(bulletin, "pdf"), ContentFile(pdf), save=False
        )
        bulletin.save()
        BulletinReceipt.objects.bulk_create(
            [BulletinReceipt(bulletin=bulletin, unit=u, unit_path=u.path) for u in units]
        )
        audit.record(
            "assessment.bulletin.issued",
            bulletin,
            actor=acting_user,
            before={"status": BulletinStatus.DRAFT},
            after={
                "status": bulletin.status,
                "number": bulletin.number,
                "recipients": [u.pk for u in units],
            },
            summary=f"{bulletin.number} {bulletin.title}",
        )
        _notify(
            _liaisons([u.pk for u in units]),
            f"请签收通报 {bulletin.number}：{bulletin.title}",
            reverse("assessment:bulletin", args=[bulletin.pk]),
        )
    return bulletin


@transaction.atomic
def sign_bulletin(bulletin: Bulletin, *, acting_user: Any) -> int:
    """签收 by a liaison of a recipient unit (or of a unit above it): every unsigned receipt
    the liaison covers is signed; returns how many."""
    bulletin = Bulletin.objects.select_for_update().get(pk=bulletin.pk)
    scope = actor_scope(acting_user)
    receipts = BulletinReceipt.objects.select_for_update().filter(
        bulletin=bulletin, signed_at__isnull=True
    )
    if scope is not None:
        if scope.city_id != bulletin.city_id or bulletin.status != BulletinStatus.ISSUED:
            raise NotFound()
        if not scope.has_role(Role.UNIT_LIAISON):
            raise PermissionDenied(_("只有收文单位的联络员可以签收"))
        paths = selectors.liaison_paths(scope)
        mine = [r for r in receipts if any(r.unit_path.startswith(p) for p in paths)]
    else:
        mine = list(receipts)
    if not mine:
        raise InvalidTransition(_("没有待签收的通报"))
    now, user = timezone.now(), actor_user(acting_user)
    for r in mine:
        r.signed_at, r.signed_by = now, user
    BulletinReceipt.objects.bulk_update(mine, ["signed_at", "signed_by"])
    audit.record(
        "assessment.bulletin.signed",
        bulletin,
        actor=acting_user,
        after={"units": [r.unit_id for r in mine]},
        summary=f"签收 {bulletin.number}",
    )
    return len(mine)
