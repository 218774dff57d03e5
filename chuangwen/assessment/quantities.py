"""The quantities unit assessment computes from live data: a registry.

A quantity computes, for one period, the inputs of every unit of the city at once, in a constant
number of grouped queries (never one query per unit)::

    register_quantity(
        "cases.on_time_close_rate",
        label="按期结案率",
        numerator="按期结案数",
        denominator="应结案数",
        doc="考核期内处置时限到期的案件中，按期处置并已结案的比例",
        compute=on_time_close,  # compute(window) → {unit id: (numerator, denominator)}
    )

``compute(window)`` answers the figures of the units it finds (the responsible unit of a case,
the lead unit of a task …); with ``rollup=True`` (the default) a unit's inputs then add up its
own figures and those of every unit below it (a 区县 answers for its 街道 and 社区). A quantity
with no ``denominator`` is an amount (points, a count) rather than a rate.

Scheme items name quantities in formulas of the shared formula language
(``chuangwen.tasks.formula``): ``cases.on_time_close_rate()``, ``1 - cases.rework_rate()``,
``0.5 * tasks.done_rate() + 0.5 * tasks.on_time_rate()``. A name not registered is refused
with the list of known names.

Another app (or this one's ``AppConfig.ready``) adds a quantity with one ``register_quantity``
call; the built-in quantities are registered at the bottom of this module.
"""

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from chuangwen.tasks import formula

Number = int | float | Decimal
Raw = Mapping[int, tuple[Number, Number | None]]
ZERO = Decimal(0)


@dataclass
class Window:
    """One period of one city, as the quantities see it: the dates (``ends_on`` included), the
    moment of the computation, and every unit of the city (id → path, kind) for roll-ups."""

    city_id: int
    starts_on: date
    ends_on: date
    now: datetime
    units: dict[int, tuple[str, str]]
    _memo: dict[str, Any] = field(default_factory=dict)

    @property
    def start(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.starts_on, time.min))

    @property
    def end(self) -> datetime:
        """The first moment after the period (midnight after ``ends_on``, local time)."""
        return timezone.make_aware(datetime.combine(self.ends_on + timedelta(days=1), time.min))

    @property
    def as_of(self) -> datetime:
        """What "now" means for the period: its end, or the present for a running period."""
        return min(self.end, self.now)

    @property
    def as_of_date(self) -> date:
        return timezone.localtime(self.as_of).date()

    def memo(self, key: str, compute: Callable[[], Any]) -> Any:
        """One query shared by several quantities (e.g. the four case rates)."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]


@dataclass(frozen=True)
class Inputs:
    """What one unit's quantity is made of: numerator / denominator for a rate, an amount."""

    numerator: Decimal
    denominator: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "numerator", Decimal(self.numerator))
        if self.denominator is not None:
            object.__setattr__(self, "denominator", Decimal(self.denominator))

    @property
    def value(self) -> Decimal | None:
        """The rate (None when its denominator is 0: no data), or the amount."""
        if self.denominator is None:
            return self.numerator
        if self.denominator == 0:
            return None
        return self.numerator / self.denominator


@dataclass(frozen=True)
class Quantity:
    name: str
    label: str
    compute: Callable[[Window], Raw]
    doc: str
    numerator: str = ""
    denominator: str = ""
    rollup: bool = True

    @property
    def is_rate(self) -> bool:
        return bool(self.denominator)

    @property
    def call(self) -> str:
        """How a formula names it."""
        return f"{self.name}()"

    @property
    def definition(self) -> str:
        """The formula of the quantity itself, for people: 按期结案数 ÷ 应结案数."""
        if self.is_rate:
            return f"{self.label} = {self.numerator} ÷ {self.denominator}"
        return f"{self.label}（{self.numerator or '数值'}）"


_NAME = re.compile(r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$")
_registry: dict[str, Quantity] = {}
_vocabulary: formula.Vocabulary | None = None


def register_quantity(
    name: str,
    *,
    label: str,
    compute: Callable[[Window], Raw],
    doc: str,
    numerator: str = "",
    denominator: str = "",
    rollup: bool = True,
) -> Quantity:
    """Register a quantity (``namespace.name``, lower case). Registering the same name again
    with the same function is harmless; with another function it is an error."""
    if not _NAME.match(name):
        raise ValueError(f"quantity name must be namespace.name in lower case: {name!r}")
    current = _registry.get(name)
    if current is not None and current.compute is not compute:
        raise ValueError(f"quantity {name!r} is already registered to {current.compute!r}")
    global _vocabulary
    q = Quantity(name, label, compute, doc, numerator, denominator, rollup)
    _registry[name] = q
    _vocabulary = None
    return q


def registered() -> list[Quantity]:
    return [_registry[k] for k in sorted(_registry)]


def get(name: str) -> Quantity:
    return _registry[name]


class NoData(Exception):
    """A rate of the formula has a zero denominator for this unit."""

    def __init__(self, name: str):
        self.name = name
        super().__init__(name)


def _reader(name: str) -> Callable[..., Decimal]:
    def read(ctx: Mapping[str, Inputs]) -> Decimal:
        value = ctx[name].value
        if value is None:
            raise NoData(name)
        return value

    return read


def vocabulary() -> formula.Vocabulary:
    """The registered quantities as the formula language's vocabulary (built once per change
    of the registry)."""
    global _vocabulary
    if _vocabulary is None:
        vocab: dict[str, dict[str, formula.Quantity]] = defaultdict(dict)
        for q in _registry.values():
            ns, short = q.name.split(".")
            vocab[ns][short] = formula.Quantity(func=_reader(q.name), doc=q.definition)
        _vocabulary = vocab
    return _vocabulary


def parse(source: str) -> formula.Formula:
    """Parse a scheme item's formula; unknown names, bad syntax: ``FormulaError`` (Chinese)."""
    return formula.parse(source, vocabulary())


def names_in(parsed: formula.Formula) -> list[str]:
    """The quantities a parsed formula uses, in order, once each."""
    return list(dict.fromkeys(f"{ns}.{name}" for ns, name in parsed.quantities))


def evaluate(parsed: formula.Formula, inputs: Mapping[str, Inputs]) -> Decimal:
    """The formula's value for one unit; ``NoData`` when a rate it reads has no data."""
    return formula.evaluate(parsed, vocabulary(), inputs)


_CALL = re.compile(r"\b([a-z][a-z0-9_]*\.[a-z][a-z0-9_]*)\(\)")


def readable(source: str) -> str:
    """A formula with each quantity call written as its Chinese name: ``1 - 返工率``."""
    return _CALL.sub(lambda m: _registry[m[1]].label if m[1] in _registry else m[0], source)


def _ancestors(path: str) -> Iterable[int]:
    return (int(part) for part in path.split(".") if part)


def compute(window: Window, names: Iterable[str], unit_ids: Iterable[int]) -> dict[str, dict]:
    """{quantity: {unit id: Inputs}} for every unit of ``unit_ids``: each quantity computed once
    for the whole city, then rolled up the unit tree when it asks for it."""
    targets = set(unit_ids)
    out: dict[str, dict[int, Inputs]] = {}
    for name in dict.fromkeys(names):
        q = _registry[name]
        raw = q.compute(window)
        num: dict[int, Decimal] = defaultdict(Decimal)
        den: dict[int, Decimal] = defaultdict(Decimal)
        for unit_id, (n, d) in raw.items():
            receivers: Iterable[int] = (unit_id,)
            if q.rollup:
                path = window.units.get(unit_id, ("", ""))[0]
                receivers = _ancestors(path)
            for uid in receivers:
                if uid in targets:
                    num[uid] += Decimal(n)
                    den[uid] += Decimal(d or 0)
        out[name] = {
            uid: Inputs(num[uid], den[uid] if q.is_rate else None) for uid in sorted(targets)
        }
    return out


# --- the built-in quantities ------------------------------------------------------------------


def _local_date(value: datetime | None) -> date | None:
    return timezone.localtime(value).date() if value is not None else None


def _case_counts(window: Window) -> dict[int, dict[str, int]]:
    """The case summary's standard counts per responsible unit, over the cases whose deadline
    falls in the period (the period's 应结案 cases), as of the end of the period."""

    def run() -> dict[int, dict[str, int]]:
        from chuangwen.cases.models import Case
        from chuangwen.cases.selectors import RATES, standard_counts

        counts = standard_counts(window.as_of)
        needed = {k for pair in RATES.values() for k in pair}
        rows = (
            Case.objects.filter(
                city_id=window.city_id,
                unit__isnull=False,
                deadline__gte=window.start,
                deadline__lt=window.end,
            )
            .values("unit_id")
            .annotate(**{k: v for k, v in counts.items() if k in needed})
            .order_by()
        )
        return {r["unit_id"]: r for r in rows}  # type: ignore[misc]

    return window.memo("cases", run)


def _case_rate(rate: str) -> Callable[[Window], Raw]:
    def compute(window: Window) -> Raw:
        from chuangwen.cases.selectors import RATES

        num, den = RATES[rate]
        return {uid: (r[num], r[den]) for uid, r in _case_counts(window).items()}

    compute.__name__ = f"case_{rate}"
    return compute


def _task_counts(window: Window) -> dict[int, tuple[int, int, int]]:
    """Per lead unit: tasks due (deadline in the period and passed, or already done; withdrawn
    ones left out), done, done by the deadline."""

    def run() -> dict[int, tuple[int, int, int]]:
        from chuangwen.tasks.choices import TaskStatus
        from chuangwen.tasks.models import Task

        rows = (
            Task.objects.filter(
                city_id=window.city_id,
                deadline__gte=window.starts_on,
                deadline__lte=window.ends_on,
            )
            .exclude(status=TaskStatus.CLOSED)
            .values_list("lead_unit_id", "status", "done_at", "deadline")
        )
        acc: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
        for unit_id, status, done_at, deadline in rows:
            done = status == TaskStatus.DONE
            if not done and (deadline is None or deadline >= window.as_of_date):
                continue  # not due yet
            a = acc[unit_id]
            a[0] += 1
            if done:
                a[1] += 1
                finished = _local_date(done_at)
                if finished is not None and deadline is not None and finished <= deadline:
                    a[2] += 1
        return {k: (v[0], v[1], v[2]) for k, v in acc.items()}

    return window.memo("tasks", run)


def task_done(window: Window) -> Raw:
    return {uid: (done, n) for uid, (n, done, _on_time) in _task_counts(window).items()}


def task_on_time(window: Window) -> Raw:
    return {uid: (on_time, n) for uid, (n, _done, on_time) in _task_counts(window).items()}


def evidence_passed(window: Window) -> Raw:
    """Progress reports (with their evidence files) reviewed in the period: accepted ÷ reviewed,
    per reporting unit."""
    from chuangwen.tasks.choices import ReportStatus
    from chuangwen.tasks.models import ProgressReport

    rows = (
        ProgressReport.objects.filter(
            city_id=window.city_id,
            status__in=[ReportStatus.ACCEPTED, ReportStatus.RETURNED],
            reviewed_at__gte=window.start,
            reviewed_at__lt=window.end,
        )
        .values("unit_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(status=ReportStatus.ACCEPTED)))
        .order_by()
    )
    return {r["unit_id"]: (r["ok"], r["n"]) for r in rows}


def inspection_pass(window: Window) -> Raw:
    """Check results observed in the period at a unit's sites — those it owns, those in its
    territory and those it looks after (包保), each counted once per unit, its ancestors
    included: results without a problem ÷ results."""
    from chuangwen.inspections.models import CheckResult
    from chuangwen.sites.models import Site, SiteAssignment

    per_site = {
        r["site_id"]: (r["ok"], r["n"])
        for r in CheckResult.objects.filter(
            city_id=window.city_id, observed_at__gte=window.start, observed_at__lt=window.end
        )
        .values("site_id")
        .annotate(n=Count("id"), ok=Count("id", filter=Q(failed=False)))
        .order_by()
    }
    if not per_site:
        return {}
    responsible: dict[int, set[int]] = defaultdict(set)
    for site_id, owner_id, area_id in Site.objects.filter(city_id=window.city_id).values_list(
        "pk", "owner_id", "area_unit_id"
    ):
        if site_id in per_site:
            responsible[site_id].update(u for u in (owner_id, area_id) if u)
    for site_id, unit_id in SiteAssignment.objects.filter(site__city_id=window.city_id).values_list(
        "site_id", "unit_id"
    ):
        if site_id in per_site:
            responsible[site_id].add(unit_id)
    acc: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for site_id, units in responsible.items():
        ok, n = per_site[site_id]
        reached: set[int] = set()
        for unit_id in units:
            reached.update(_ancestors(window.units.get(unit_id, ("", ""))[0]))
        for uid in reached:
            acc[uid][0] += ok
            acc[uid][1] += n
    return {k: (v[0], v[1]) for k, v in acc.items()}


def notice_acknowledged(window: Window) -> Raw:
    """督查通知书 issued in the period: signed for within the inspections app's time limit
    (``ACK_DAYS`` days) ÷ issued (those still within the limit and unsigned are not counted)."""
    from chuangwen.inspections.models import Notice
    from chuangwen.inspections.selectors import ACK_DAYS

    limit = timedelta(days=ACK_DAYS)
    acc: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, issued, acked in Notice.objects.filter(
        city_id=window.city_id, issued_at__gte=window.start, issued_at__lt=window.end
    ).values_list("unit_id", "issued_at", "acknowledged_at"):
        if acked is None and window.as_of - issued <= limit:
            continue  # still within the time limit
        acc[unit_id][1] += 1
        if acked is not None and acked - issued <= limit:
            acc[unit_id][0] += 1
    return {k: (v[0], v[1]) for k, v in acc.items()}


def notice_rectified(window: Window) -> Raw:
    """督查通知书 whose rectification deadline fell in the period (and has passed): every case
    of the notice handled (or closed) by the deadline ÷ notices."""
    from chuangwen.inspections.models import Notice

    notices = {
        pk: (unit_id, deadline)
        for pk, unit_id, deadline in Notice.objects.filter(
            city_id=window.city_id,
            deadline__gte=window.starts_on,
            deadline__lte=window.ends_on,
            deadline__lt=window.as_of_date,
        ).values_list("pk", "unit_id", "deadline")
    }
    if not notices:
        return {}
    late: set[int] = set()
    through = Notice.cases.through
    for notice_id, handled, closed in through.objects.filter(
        notice__city_id=window.city_id,
        notice__deadline__gte=window.starts_on,
        notice__deadline__lte=window.ends_on,
    ).values_list("notice_id", "case__handled_at", "case__closed_at"):
        if notice_id not in notices:
            continue
        finished = _local_date(handled or closed)
        if finished is None or finished > notices[notice_id][1]:
            late.add(notice_id)
    acc: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for pk, (unit_id, _deadline) in notices.items():
        acc[unit_id][1] += 1
        if pk not in late:
            acc[unit_id][0] += 1
    return {k: (v[0], v[1]) for k, v in acc.items()}


def actions_on_time(window: Window) -> Raw:
    """Meeting action items (议定事项) due in the period (not cancelled): done by the deadline ÷
    due (an open item counts once its deadline has passed)."""
    from chuangwen.inspections.choices import ActionStatus
    from chuangwen.inspections.models import ActionItem

    acc: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for unit_id, status, done_at, deadline in (
        ActionItem.objects.filter(
            city_id=window.city_id,
            deadline__gte=window.starts_on,
            deadline__lte=window.ends_on,
        )
        .exclude(status=ActionStatus.CANCELLED)
        .values_list("unit_id", "status", "done_at", "deadline")
    ):
        done = status == ActionStatus.DONE
        if not done and deadline >= window.as_of_date:
            continue
        acc[unit_id][1] += 1
        finished = _local_date(done_at) if done else None
        if finished is not None and finished <= deadline:
            acc[unit_id][0] += 1
    return {k: (v[0], v[1]) for k, v in acc.items()}


def mock_index(window: Window) -> Raw:
    """The 文明程度指数 (0–100) of the unit's area in the latest computed mock evaluation up to
    the end of the period: a 区县's district index, a 街道's street index, any other unit's
    index as responsible / 包保 unit."""
    from chuangwen.org.choices import UnitKind

    from .choices import ScoreLevel
    from .models import MockEvaluation, UnitScore

    rnd = (
        MockEvaluation.objects.filter(
            city_id=window.city_id, computed_at__isnull=False, as_of__lt=window.end
        )
        .order_by("-as_of", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if rnd is None:
        return {}
    level_of: dict[str, str] = {
        UnitKind.DISTRICT: ScoreLevel.DISTRICT,
        UnitKind.STREET: ScoreLevel.STREET,
    }
    out: dict[int, tuple[Number, Number]] = {}
    for unit_id, level, index in UnitScore.objects.filter(round_id=rnd).values_list(
        "unit_id", "level", "index"
    ):
        kind = window.units.get(unit_id, ("", ""))[1]
        if level == level_of.get(kind, ScoreLevel.RESPONSIBLE):
            out[unit_id] = (Decimal(str(round(index, 2))), 100)
    return out


def _finding_sums(window: Window) -> dict[int, tuple[Decimal, int]]:
    def run() -> dict[int, tuple[Decimal, int]]:
        from .choices import COUNTED_FINDINGS
        from .models import NegativeFinding

        rows = (
            NegativeFinding.objects.filter(
                city_id=window.city_id,
                found_on__gte=window.starts_on,
                found_on__lte=window.ends_on,
                status__in=list(COUNTED_FINDINGS),
            )
            .values("unit_id")
            .annotate(p=Sum("points"), n=Count("id"))
            .order_by()
        )
        return {r["unit_id"]: (r["p"] or ZERO, r["n"]) for r in rows}

    return window.memo("findings", run)


def finding_points(window: Window) -> Raw:
    return {uid: (p, None) for uid, (p, _n) in _finding_sums(window).items()}


def finding_count(window: Window) -> Raw:
    return {uid: (n, None) for uid, (_p, n) in _finding_sums(window).items()}


CASE_POPULATION = "处置时限在考核期内的案件（本单位及下级单位为责任单位），口径同案件统计"

register_quantity(
    "cases.on_time_close_rate",
    label="按期结案率",
    numerator="按期结案数",
    denominator="应结案数",
    doc=f"{CASE_POPULATION}：按期处置且已结案 ÷ 应结案",
    compute=_case_rate("on_time_close_rate"),
)
register_quantity(
    "cases.close_rate",
    label="结案率",
    numerator="结案数",
    denominator="应结案数",
    doc=f"{CASE_POPULATION}：已结案 ÷ 应结案",
    compute=_case_rate("close_rate"),
)
register_quantity(
    "cases.rework_rate",
    label="返工率",
    numerator="返工案件数",
    denominator="应结案数",
    doc=f"{CASE_POPULATION}：核查不通过返工过的案件 ÷ 应结案（越低越好，公式可写 1 - 返工率）",
    compute=_case_rate("rework_rate"),
)
register_quantity(
    "cases.satisfaction_rate",
    label="满意率",
    numerator="满意案件数",
    denominator="已评价结案数",
    doc=f"{CASE_POPULATION}：结案后评价 4–5 分的 ÷ 已评价的结案案件",
    compute=_case_rate("satisfaction_rate"),
)
register_quantity(
    "tasks.done_rate",
    label="任务完成率",
    numerator="已完成任务数",
    denominator="应完成任务数",
    doc="完成时限在考核期内、已到期或已完成的任务（牵头单位，已撤销的不计）：已完成 ÷ 应完成",
    compute=task_done,
)
register_quantity(
    "tasks.on_time_rate",
    label="任务按期完成率",
    numerator="按期完成任务数",
    denominator="应完成任务数",
    doc="同上口径：在完成时限当天或之前完成的 ÷ 应完成",
    compute=task_on_time,
)
register_quantity(
    "tasks.evidence_pass_rate",
    label="佐证材料审核通过率",
    numerator="审核通过的进展报送数",
    denominator="已审核的进展报送数",
    doc="考核期内审核的进展报送（含佐证材料）：通过 ÷ 通过与退回之和",
    compute=evidence_passed,
)
register_quantity(
    "inspections.pass_rate",
    label="督查合格率",
    numerator="未发现问题的检查项次",
    denominator="检查项次",
    doc="考核期内在本单位（及下级）负责、属地或包保的点位上的检查结果：未发现问题 ÷ 全部",
    compute=inspection_pass,
    rollup=False,  # the sites' units and their ancestors, each result once per unit
)
register_quantity(
    "inspections.notice_ack_rate",
    label="通知书按时签收率",
    numerator="按时签收数",
    denominator="下发通知书数",
    doc="考核期内下发的督查通知书：下发后 2 日内签收的 ÷ 下发的（尚在签收期内的不计）",
    compute=notice_acknowledged,
)
register_quantity(
    "inspections.notice_rectify_rate",
    label="通知书按期整改率",
    numerator="按期整改的通知书数",
    denominator="整改到期的通知书数",
    doc="整改时限在考核期内且已到期的督查通知书：所列问题均在时限内处置完毕的 ÷ 到期的",
    compute=notice_rectified,
)
register_quantity(
    "inspections.action_on_time_rate",
    label="议定事项按期办结率",
    numerator="按期办结数",
    denominator="到期事项数",
    doc="完成时限在考核期内的会议议定事项（取消的不计）：按期办结 ÷ 已到期或已办结",
    compute=actions_on_time,
)
register_quantity(
    "assessment.mock_index",
    label="模拟测评文明程度指数",
    numerator="指数",
    denominator="满分 100",
    doc="考核期结束前最近一次模拟测评中本单位（区县、街道或责任/包保单位）的文明程度指数 ÷ 100",
    compute=mock_index,
    rollup=False,
)
register_quantity(
    "negative.points",
    label="负面清单扣分",
    numerator="扣分合计",
    doc="考核期内认定的负面清单问题（本单位及下级，撤销的不计）的扣分之和",
    compute=finding_points,
)
register_quantity(
    "negative.count",
    label="负面清单问题数",
    numerator="问题数",
    doc="考核期内认定的负面清单问题数（本单位及下级，撤销的不计）",
    compute=finding_count,
)


def reports_on_time(window: Window) -> Raw:
    """Per unit that owes work reports: reports sent by their due day ÷ reports due (due day in
    the period and passed; a missing one counts as due and not on time)."""
    from .selectors import report_timeliness

    return report_timeliness(window.city_id, window.starts_on, window.ends_on)


register_quantity(
    "reports.on_time_rate",
    label="工作汇报按时报送率",
    numerator="按时报送数",
    denominator="应报数",
    doc="报送时限在考核期内且已到期的工作汇报（汇报模板规定的报送单位）：按时报送 ÷ 应报"
    "（逾期报送、逾期未报都不算按时）",
    compute=reports_on_time,
    rollup=False,
)
