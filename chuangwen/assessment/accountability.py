"""奖惩问责: the kinds of facts a record can cite (each rendered as a link) and the rules that
propose records from the data. Both are registries other parts of the app fill in.

Facts::

    register_fact_type("score", "考核得分", url=score_url, resolve=score_labels,
                       candidates=recent_scores_of_unit)

``resolve(city_id, ids)`` answers the label of each id of that type that exists in the city
(ids it leaves out are refused as unknown); ``url(pk)`` is the page the fact links to;
``candidates(unit)`` (optional) offers the unit's facts of that type on the proposal form,
as ``(id, label)`` pairs.

Rules::

    register_accountability_rule("black_list_twice", "连续两期黑榜末位", rule)

``rule(city, *, today)`` yields ``Proposal`` rows; ``services.run_accountability_rules``
records each as a proposed record (once per ``key``: a proposal dismissed is not made again)
and a person decides.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.choices import OPEN
from chuangwen.cases.models import Case
from chuangwen.cases.selectors import open_overdue_q
from chuangwen.inspections.models import Notice
from chuangwen.org.models import City, Unit
from chuangwen.tasks.models import Task
from chuangwen.tasks.selectors import overdue_q as task_overdue_q

from .choices import AccountabilityKind, ListKind, PeriodStatus

# --- facts -----------------------------------------------------------------------------------

Resolver = Callable[[int, list[int]], dict[int, str]]
Candidates = Callable[[Unit], list[tuple[int, str]]]


@dataclass(frozen=True)
class FactType:
    code: str
    label: str
    url: Callable[[int], str]
    resolve: Resolver
    candidates: Candidates | None = None


FACT_TYPES: dict[str, FactType] = {}
MAX_FACTS = 200
MAX_CANDIDATES = 50  # per type, on the proposal form


def register_fact_type(
    code: str,
    label: str,
    *,
    url: Callable[[int], str],
    resolve: Resolver,
    candidates: Candidates | None = None,
) -> None:
    """Register a kind of fact records may cite (in ``AppConfig.ready``); one owner per code."""
    current = FACT_TYPES.get(code)
    if current is not None and (current.url is not url or current.resolve is not resolve):
        raise ValueError(f"fact type {code!r} is already registered")
    FACT_TYPES[code] = FactType(code, label, url, resolve, candidates)


def fact_candidates(unit: Unit) -> list[tuple[str, str]]:
    """The facts the proposal form offers for ``unit``: ``("type:id", "类型 · label")``."""
    out = []
    for ft in sorted(FACT_TYPES.values(), key=lambda f: f.code):
        if ft.candidates is None:
            continue
        out += [(f"{ft.code}:{pk}", f"{ft.label} · {label}") for pk, label in ft.candidates(unit)]
    return out


def fact_links(facts: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The stored facts with the link and type name of each (no link for an unknown type)."""
    out = []
    for f in facts or []:
        ft = FACT_TYPES.get(str(f.get("type")))
        url = ""
        if ft is not None:
            try:
                url = ft.url(int(f["id"]))
            except (KeyError, TypeError, ValueError):
                url = ""
        out.append(
            {
                "type": f.get("type", ""),
                "type_label": ft.label if ft else str(f.get("type", "")),
                "id": f.get("id"),
                "label": f.get("label", ""),
                "url": url,
            }
        )
    return out


def case_fact(c: Case) -> dict[str, Any]:
    return {
        "type": "case",
        "id": c.pk,
        "label": f"案件 {c.number}：{(c.description or c.address)[:40]}",
    }


def task_fact(t: Task) -> dict[str, Any]:
    what = (t.target or t.content or t.indicator.title)[:40]
    due = f"（时限 {t.deadline:%Y-%m-%d}）" if t.deadline else ""
    return {"type": "task", "id": t.pk, "label": f"任务 {t.indicator.code}：{what}{due}"}


def notice_fact(n: Notice) -> dict[str, Any]:
    label = f"{n.number} {n.title[:40]}（整改时限 {n.deadline:%Y-%m-%d}）"
    return {"type": "notice", "id": n.pk, "label": label}


def list_fact(e: Any) -> dict[str, Any]:
    """A black/red-list entry (``ListEntry``) as a fact: period, list, rank and total."""
    label = (
        f"{e.period.label} {e.get_group_display()}{e.get_kind_display()} "
        f"第 {e.rank or '—'} 名（{e.unit.name}，总分 {e.total if e.total is not None else '—'}）"
    )
    return {"type": "list_entry", "id": e.pk, "label": label}


def _list_entries(city_id: int) -> Any:
    from .models import ListEntry

    return ListEntry.objects.filter(period__city_id=city_id).select_related("period", "unit")


def _list_labels(city_id: int, ids: list[int]) -> dict[int, str]:
    return {e.pk: list_fact(e)["label"] for e in _list_entries(city_id).filter(pk__in=ids)}


def _list_url(pk: int) -> str:
    from .models import ListEntry

    row = ListEntry.objects.filter(pk=pk).values_list("period_id", "unit_id").first()
    if row is None:
        return reverse("assessment:lists")
    return reverse("assessment:unit_detail", args=[row[0], row[1]])


def _unit_list_entries(unit: Unit) -> list[tuple[int, str]]:
    """The unit's black-list entries, the latest period first."""
    rows = (
        _list_entries(unit.city_id)
        .filter(unit=unit, kind=ListKind.BLACK)
        .order_by("-period__ends_on", "-pk")[:MAX_CANDIDATES]
    )
    return [(e.pk, list_fact(e)["label"]) for e in rows]


def _case_labels(city_id: int, ids: list[int]) -> dict[int, str]:
    rows = Case.objects.filter(city_id=city_id, pk__in=ids).only(
        "pk", "reported_at", "description", "address"
    )
    return {c.pk: case_fact(c)["label"] for c in rows}


def _task_labels(city_id: int, ids: list[int]) -> dict[int, str]:
    rows = Task.objects.filter(city_id=city_id, pk__in=ids).select_related("indicator")
    return {t.pk: task_fact(t)["label"] for t in rows}


def _notice_labels(city_id: int, ids: list[int]) -> dict[int, str]:
    return {
        n.pk: notice_fact(n)["label"] for n in Notice.objects.filter(city_id=city_id, pk__in=ids)
    }


def _unit_cases(unit: Unit) -> list[tuple[int, str]]:
    """The unit's (subtree's) open cases past their deadline, the oldest deadline first."""
    rows = (
        Case.objects.filter(city_id=unit.city_id, unit_path__startswith=unit.path)
        .filter(open_overdue_q())
        .order_by("deadline", "pk")[:MAX_CANDIDATES]
    )
    return [(c.pk, case_fact(c)["label"]) for c in rows]


def _unit_tasks(unit: Unit) -> list[tuple[int, str]]:
    """The overdue tasks the unit (or a unit below it) leads."""
    rows = (
        Task.objects.filter(city_id=unit.city_id, lead_unit__path__startswith=unit.path)
        .filter(task_overdue_q(timezone.localdate()))
        .select_related("indicator")
        .order_by("deadline", "pk")[:MAX_CANDIDATES]
    )
    return [(t.pk, task_fact(t)["label"]) for t in rows]


def _unit_notices(unit: Unit) -> list[tuple[int, str]]:
    """The notices to the unit's subtree, the latest first."""
    rows = Notice.objects.filter(city_id=unit.city_id, unit_path__startswith=unit.path).order_by(
        "-issued_at", "-pk"
    )[:MAX_CANDIDATES]
    return [(n.pk, notice_fact(n)["label"]) for n in rows]


def register_builtin_fact_types() -> None:
    register_fact_type(
        "case",
        "案件",
        url=lambda pk: reverse("cases:detail", args=[pk]),
        resolve=_case_labels,
        candidates=_unit_cases,
    )
    register_fact_type(
        "task",
        "任务",
        url=lambda pk: reverse("tasks:detail", args=[pk]),
        resolve=_task_labels,
        candidates=_unit_tasks,
    )
    register_fact_type(
        "notice",
        "督查通知书",
        url=lambda pk: reverse("inspections:notice", args=[pk]),
        resolve=_notice_labels,
        candidates=_unit_notices,
    )
    register_fact_type(
        "list_entry",
        "红黑榜",
        url=_list_url,
        resolve=_list_labels,
        candidates=_unit_list_entries,
    )


def resolve_facts(city_id: int, refs: Iterable[Any]) -> list[dict[str, Any]]:
    """``[{"type", "id"}]`` (or ``"type:id"`` strings) → stored facts with their labels;
    InvalidInput for an unknown type or an id that is not in the city."""
    from chuangwen.core.errors import InvalidInput

    wanted: dict[str, list[int]] = defaultdict(list)
    order: list[tuple[str, int]] = []
    raw: Any
    for ref in refs:
        if isinstance(ref, str):
            kind, _sep, raw = ref.partition(":")
        elif isinstance(ref, dict):
            kind, raw = str(ref.get("type", "")), ref.get("id")
        else:
            raise InvalidInput(_("依据事实格式有误"), code="bad_fact")
        if kind not in FACT_TYPES:
            raise InvalidInput(_("未知的事实类型「%(kind)s」") % {"kind": kind}, code="bad_fact")
        try:
            pk = int(raw)
        except (TypeError, ValueError):
            raise InvalidInput(
                _("事实编号「%(raw)s」无效") % {"raw": raw}, code="bad_fact"
            ) from None
        if (kind, pk) not in order:
            order.append((kind, pk))
            wanted[kind].append(pk)
    if len(order) > MAX_FACTS:
        raise InvalidInput(
            _("依据事实最多 %(max_facts)s 条") % {"max_facts": MAX_FACTS}, code="bad_fact"
        )
    labels = {kind: FACT_TYPES[kind].resolve(city_id, ids) for kind, ids in wanted.items()}
    out = []
    for kind, pk in order:
        label = labels[kind].get(pk)
        if label is None:
            raise InvalidInput(
                _("%(fact_types_label)s %(pk)s 不存在或不属于本城市")
                % {"fact_types_label": FACT_TYPES[kind].label, "pk": pk},
                code="bad_fact",
            )
        out.append({"type": kind, "id": pk, "label": label})
    return out


# --- rules -----------------------------------------------------------------------------------


@dataclass
class Proposal:
    """What a rule proposes: a record of ``kind`` against ``unit``, once per ``key``."""

    unit: Unit
    kind: str
    title: str
    key: str
    facts: list[dict[str, Any]] = field(default_factory=list)
    reason: str = ""


RuleFunc = Callable[..., Iterable[Proposal]]


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    func: RuleFunc


RULES: dict[str, Rule] = {}


def register_accountability_rule(code: str, label: str, func: RuleFunc) -> None:
    """Register a rule (in ``AppConfig.ready``): ``func(city, *, today)`` yields Proposals."""
    if not code or len(code) > 40:  # AccountabilityRecord.rule is a CharField(40)
        raise ValueError(f"bad rule code: {code!r}")
    current = RULES.get(code)
    if current is not None and current.func is not func:
        raise ValueError(f"accountability rule {code!r} is already registered")
    RULES[code] = Rule(code, label, func)


# thresholds of the built-in rules (the office's practice, not an official standard)
OVERDUE_CASES_MIN = 5  # open cases past their deadline before a 提醒谈话 is proposed
MAX_FACTS_PER_PROPOSAL = 30


def overdue_notices(city: City, *, today: date) -> Iterator[Proposal]:
    """督查通知书 past its rectification deadline with cases still open → 通报批评 proposed
    (the notice itself announces it: 逾期未整改的，将按有关规定予以通报、约谈)."""
    open_cases = Notice.cases.through.objects.filter(notice_id=OuterRef("pk"), case__state__in=OPEN)
    notices = (
        Notice.objects.filter(city=city, deadline__lt=today)
        .filter(Exists(open_cases))
        .select_related("unit")
        .order_by("pk")
    )
    for notice in notices:
        cases = list(notice.cases.filter(state__in=OPEN).order_by("pk")[:MAX_FACTS_PER_PROPOSAL])
        yield Proposal(
            unit=notice.unit,
            kind=AccountabilityKind.CRITICISM,
            title=f"{notice.number}逾期未整改到位",
            key=f"overdue_notice:{notice.pk}",
            reason=(
                f"督查通知书 {notice.number} 要求于 {notice.deadline:%Y年%m月%d日} 前整改，"
                f"截至 {today:%Y年%m月%d日} 仍有问题未办结。"
            ),
            facts=[notice_fact(notice), *(case_fact(c) for c in cases)],
        )


def as_of(today: date) -> datetime:
    """The moment a rule looks from: now when ``today`` is today, else the start of that day."""
    if today == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.combine(today, time.min))


def overdue_cases(city: City, *, today: date) -> Iterator[Proposal]:
    """A unit with at least OVERDUE_CASES_MIN open cases past their deadline → 提醒谈话
    proposed, at most once a month."""
    now = as_of(today)
    counts = (
        Case.objects.filter(city=city, unit__isnull=False)
        .filter(open_overdue_q(now))
        .values("unit_id")
        .annotate(n=Count("id"))
        .filter(n__gte=OVERDUE_CASES_MIN)
        .order_by("unit_id")
    )
    per_unit = {r["unit_id"]: r["n"] for r in counts}
    units = Unit.objects.in_bulk(list(per_unit))
    for unit_id, n in per_unit.items():
        cases = (
            Case.objects.filter(city=city, unit_id=unit_id)
            .filter(open_overdue_q(now))
            .order_by("deadline", "pk")[:MAX_FACTS_PER_PROPOSAL]
        )
        yield Proposal(
            unit=units[unit_id],
            kind=AccountabilityKind.REMINDER_TALK,
            title=f"超期未处置案件 {n} 件",
            key=f"overdue_cases:{unit_id}:{today:%Y-%m}",
            reason=(
                f"截至 {today:%Y年%m月%d日}，{units[unit_id].name}有 {n} 件案件"
                "超过处置时限仍未处置。"
            ),
            facts=[case_fact(c) for c in cases],
        )


def overdue_tasks(city: City, *, today: date) -> Iterator[Proposal]:
    """A lead unit with tasks past their deadline → 责令整改 proposed, at most once a month."""
    rows = (
        Task.objects.filter(city=city)
        .filter(task_overdue_q(today))
        .select_related("indicator", "lead_unit")
        .order_by("lead_unit_id", "deadline", "pk")
    )
    by_unit: dict[int, list[Task]] = defaultdict(list)
    for task in rows:
        by_unit[task.lead_unit_id].append(task)
    for unit_id, tasks in by_unit.items():
        unit = tasks[0].lead_unit
        yield Proposal(
            unit=unit,
            kind=AccountabilityKind.RECTIFY,
            title=f"牵头任务逾期 {len(tasks)} 项",
            key=f"overdue_tasks:{unit_id}:{today:%Y-%m}",
            reason=(
                f"截至 {today:%Y年%m月%d日}，{unit.name}牵头的 {len(tasks)} 项创建任务"
                "已过完成时限仍未完成。"
            ),
            facts=[task_fact(t) for t in tasks[:MAX_FACTS_PER_PROPOSAL]],
        )


def black_list_bottom_twice(city: City, *, today: date) -> Iterator[Proposal]:
    """The last of a black list (the lowest ranked entry of a unit group) in two consecutive
    computed or published periods of the same kind → 约谈 proposed; a person decides."""
    from .models import AssessmentPeriod, ListEntry

    periods = list(
        AssessmentPeriod.objects.filter(
            city=city,
            ends_on__lte=today,
            status__in=[PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED],
        ).order_by("kind", "-ends_on", "-id")
    )
    latest: dict[str, list[Any]] = defaultdict(list)
    for p in periods:
        if len(latest[p.kind]) < 2:
            latest[p.kind].append(p)
    for pair in latest.values():
        if len(pair) < 2:
            continue
        current, previous = pair
        bottoms: dict[tuple[int, str], dict[int, Any]] = defaultdict(dict)
        entries = (
            ListEntry.objects.filter(period__in=pair, kind=ListKind.BLACK)
            .select_related("period", "unit")
            .order_by("period_id", "group", "-rank", "id")
        )
        for e in entries:
            bottoms[(e.period_id, e.group)].setdefault(0, e)  # the highest rank comes first
        for (period_id, group), found in sorted(bottoms.items()):
            if period_id != current.pk:
                continue
            now = found[0]
            before = bottoms.get((previous.pk, group), {}).get(0)
            if before is None or before.unit_id != now.unit_id:
                continue
            yield Proposal(
                unit=now.unit,
                kind=AccountabilityKind.INTERVIEW,
                title=f"连续两期黑榜末位（{previous.label}、{current.label}）",
                key=f"{current.pk}:{group}:{now.unit_id}",
                reason=(
                    f"{now.unit.name}在{previous.label}和{current.label}考核中连续两期"
                    f"列黑榜末位（{now.get_group_display()}），建议约谈。"
                ),
                facts=[list_fact(before), list_fact(now)],
            )


def register_builtin_rules() -> None:
    register_accountability_rule("black_list_bottom", "连续两期黑榜末位", black_list_bottom_twice)
    register_accountability_rule("overdue_notice", "督查通知书逾期未整改", overdue_notices)
    register_accountability_rule("overdue_cases", "超期未处置案件较多", overdue_cases)
    register_accountability_rule("overdue_tasks", "牵头任务逾期", overdue_tasks)


def default_response_due(today: date | None = None) -> date:
    """When the unit is asked to answer by default: ten days after the decision."""
    return (today or timezone.localdate()) + timedelta(days=10)
