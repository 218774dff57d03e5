"""Scoped reads of the mock evaluation: the city's prediction is the office's and the leaders'
(``see_all``); others see nothing of it (404 alike). Below: unit assessment."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from chuangwen.core.errors import NotFound
from chuangwen.org.choices import Role
from chuangwen.org.models import Unit
from chuangwen.org.scope import Scope

from . import periods
from .choices import (
    COUNTED_FINDINGS,
    VISIBLE_TO_UNIT,
    BulletinStatus,
    Disclosure,
    ListKind,
    PeriodStatus,
    ResultStatus,
    SchemeStatus,
    SubmissionKind,
    Timeliness,
    UnitGroup,
)
from .models import (
    AccountabilityRecord,
    AssessmentPeriod,
    AssessmentResult,
    AssessmentScheme,
    AssessmentScore,
    Bulletin,
    BulletinReceipt,
    FindingEvent,
    ListEntry,
    MockEvaluation,
    NegativeFinding,
    ReportTemplate,
    Submission,
)


def rounds_for_user(scope: Scope) -> QuerySet[MockEvaluation]:
    if scope.city_id is None or not scope.see_all:
        return MockEvaluation.objects.none()
    return MockEvaluation.objects.filter(city_id=scope.city_id)


def get_round_for_user(scope: Scope, pk: int) -> MockEvaluation:
    rnd = rounds_for_user(scope).select_related("system", "minors_system").filter(pk=pk).first()
    if rnd is None:
        raise NotFound()
    return rnd


# --- unit assessment ----------------------------------------------------------------------------
# The office and leaders (``see_all``) see every scheme, period, score and finding of the city.
# A unit sees the active and earlier schemes (the formulas its scores come from), published
# periods only, its own results and details (its subtree's), and of other units what the office
# disclosed on publishing: the ranking, totals and red/black lists, or every detail.


def schemes_for_user(scope: Scope) -> QuerySet[AssessmentScheme]:
    if scope.city_id is None:
        return AssessmentScheme.objects.none()
    qs = AssessmentScheme.objects.filter(city_id=scope.city_id)
    return qs if scope.see_all else qs.exclude(status=SchemeStatus.DRAFT)


def get_scheme_for_user(scope: Scope, pk: int) -> AssessmentScheme:
    scheme = schemes_for_user(scope).filter(pk=pk).first()
    if scheme is None:
        raise NotFound()
    return scheme


def periods_for_user(scope: Scope) -> QuerySet[AssessmentPeriod]:
    if scope.city_id is None:
        return AssessmentPeriod.objects.none()
    qs = AssessmentPeriod.objects.filter(city_id=scope.city_id)
    return qs if scope.see_all else qs.filter(status=PeriodStatus.PUBLISHED)


def get_period_for_user(scope: Scope, pk: int) -> AssessmentPeriod:
    period = periods_for_user(scope).select_related("scheme").filter(pk=pk).first()
    if period is None:
        raise NotFound()
    return period


def sees_ranking(scope: Scope, period: AssessmentPeriod) -> bool:
    """Other units' totals, ranks and the red/black lists."""
    return scope.see_all or period.disclosure in (Disclosure.RANKING, Disclosure.FULL)


def sees_details(scope: Scope, period: AssessmentPeriod, unit: Unit) -> bool:
    """A unit's item scores and explanations."""
    return scope.see_all or period.disclosure == Disclosure.FULL or scope.covers_path(unit.path)


def results_for_user(scope: Scope, period: AssessmentPeriod) -> QuerySet[AssessmentResult]:
    """The period's results the user may see, units' names joined (one query)."""
    qs = AssessmentResult.objects.filter(period=period).select_related("unit")
    if sees_ranking(scope, period):
        return qs
    return qs.filter(scope.units_q("unit__"))


def get_unit_for_period(scope: Scope, period: AssessmentPeriod, unit_id: int) -> Unit:
    """A unit assessed in ``period`` whose details the user may see (404 alike otherwise)."""
    unit = Unit.objects.filter(city_id=period.city_id, pk=unit_id).first()
    if (
        unit is None
        or not sees_details(scope, period, unit)
        or not AssessmentResult.objects.filter(period=period, unit=unit).exists()
    ):
        raise NotFound()
    return unit


def unit_scores(period: AssessmentPeriod, unit: Unit) -> QuerySet[AssessmentScore]:
    return (
        AssessmentScore.objects.filter(period=period, unit=unit)
        .select_related("item")
        .order_by("item__sort", "item_id")
    )


def unit_trend(scope: Scope, unit: Unit, kind: str, limit: int = 12) -> list[AssessmentResult]:
    """The unit's results over the latest ``limit`` periods of ``kind`` the user may see,
    oldest first (one row per period: the unit's first group)."""
    periods = list(
        periods_for_user(scope)
        .filter(kind=kind, status__in=[PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED])
        .order_by("-starts_on")
        .values_list("pk", flat=True)[:limit]
    )
    seen: dict[int, AssessmentResult] = {}
    for r in (
        AssessmentResult.objects.filter(unit=unit, period_id__in=periods)
        .select_related("period")
        .order_by("period__starts_on", "id")
    ):
        seen.setdefault(r.period_id, r)
    return list(seen.values())


def list_entries_for_user(scope: Scope) -> QuerySet[ListEntry]:
    """Red/black list entries of the periods the user sees: every entry for the office; for a
    unit its own, and those of periods whose ranking was disclosed."""
    qs = ListEntry.objects.filter(period__in=periods_for_user(scope)).select_related(
        "unit", "period"
    )
    if scope.see_all:
        return qs
    own = Q()
    for path in scope.unit_paths:
        own |= Q(unit_path__startswith=path)
    disclosed = Q(period__disclosure__in=[Disclosure.RANKING, Disclosure.FULL])
    return qs.filter(disclosed | own) if scope.unit_paths else qs.filter(disclosed)


def get_list_entry_for_user(scope: Scope, pk: int) -> ListEntry:
    entry = list_entries_for_user(scope).filter(pk=pk).first()
    if entry is None:
        raise NotFound()
    return entry


@dataclass(frozen=True)
class RepeatBlackListed:
    unit: Unit
    group: str
    periods: list[AssessmentPeriod]


def repeat_black_listed(period: AssessmentPeriod, times: int = 2) -> list[RepeatBlackListed]:
    """Units on the black list of ``period`` and of the ``times - 1`` periods of the same kind
    just before it (``times`` periods running), e.g. for proposing a 约谈. Leaving the list by
    rectification does not erase having been on it."""
    if times < 1:
        raise ValueError("times must be at least 1")
    earlier = AssessmentPeriod.objects.filter(
        city_id=period.city_id,
        kind=period.kind,
        starts_on__lt=period.starts_on,
        status__in=[PeriodStatus.COMPUTED, PeriodStatus.PUBLISHED],
    ).order_by("-starts_on")[: times - 1]
    series = [period, *earlier]
    if len(series) < times:
        return []
    hits: dict[tuple[int, str], set[int]] = {}
    for unit_id, group, period_id in ListEntry.objects.filter(
        period__in=series, kind=ListKind.BLACK
    ).values_list("unit_id", "group", "period_id"):
        hits.setdefault((unit_id, group), set()).add(period_id)
    keys = [k for k, ps in hits.items() if len(ps) == len(series)]
    units = Unit.objects.in_bulk([u for u, _g in keys])
    return sorted(
        (RepeatBlackListed(units[u], g, series) for u, g in keys),
        key=lambda r: (r.group, r.unit.path),
    )


def findings_for_user(scope: Scope) -> QuerySet[NegativeFinding]:
    if scope.city_id is None:
        return NegativeFinding.objects.none()
    qs = NegativeFinding.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    if not scope.unit_paths:
        return qs.none()
    q = Q()
    for path in scope.unit_paths:
        q |= Q(unit_path__startswith=path)
    return qs.filter(q)


def finding_list_qs(scope: Scope) -> QuerySet[NegativeFinding]:
    """What the list page, the API and the export read (names joined)."""
    return findings_for_user(scope).select_related("unit", "item").order_by("-found_on", "-id")


def get_finding_for_user(scope: Scope, pk: int) -> NegativeFinding:
    finding = (
        findings_for_user(scope).select_related("unit", "item", "created_by").filter(pk=pk).first()
    )
    if finding is None:
        raise NotFound()
    return finding


def finding_events(finding: NegativeFinding) -> QuerySet[FindingEvent]:
    return finding.events.select_related("actor__person").order_by("at", "id")


def period_findings(period: AssessmentPeriod) -> QuerySet[NegativeFinding]:
    """The negative-list findings that count in ``period`` (found in it, not withdrawn), for
    bulletins (通报): unit and item joined, by date."""
    return (
        NegativeFinding.objects.filter(
            city_id=period.city_id,
            found_on__gte=period.starts_on,
            found_on__lte=period.ends_on,
            status__in=list(COUNTED_FINDINGS),
        )
        .select_related("unit", "item")
        .order_by("found_on", "id")
    )


def my_units(scope: Scope) -> QuerySet[Unit]:
    """The units a unit-bound user answers for (their memberships' units, not the subtree)."""
    if scope.city_id is None:
        return Unit.objects.none()
    return Unit.objects.filter(city_id=scope.city_id, pk__in=list(scope.unit_ids)).order_by("path")


@dataclass
class AnnualRow:
    """One unit's year in the shape of the city's performance appraisal (绩效目标考核)."""

    unit: Unit
    group: str
    periods: int
    ratio: Decimal | None  # mean of total ÷ full marks over the periods with a total
    score: Decimal | None  # ratio × the weight the appraisal gives the creation work
    rank: int | None = None
    vetoed: int = 0
    insufficient: int = 0
    black: int = 0
    red: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def group_label(self) -> str:
        return str(UnitGroup(self.group).label)

    @property
    def percent(self) -> str:
        return f"{self.ratio * 100:.2f}%" if self.ratio is not None else ""


def annual_appraisal(city_id: int, year: int, kind: str, weight: Decimal) -> list[AnnualRow]:
    """Every assessed unit's year from the published periods of ``kind`` that start in
    ``year``: the mean of its totals as a share of full marks, times ``weight`` (the points
    the appraisal gives the creation work), ranked within its group. One row per unit (its
    first group when it is in several)."""
    results = (
        AssessmentResult.objects.filter(
            period__city_id=city_id,
            period__kind=kind,
            period__status=PeriodStatus.PUBLISHED,
            period__starts_on__year=year,
        )
        .select_related("unit", "period__scheme")
        .order_by("period__starts_on", "id")
    )
    rows: dict[int, AnnualRow] = {}
    ratios: dict[int, list[Decimal]] = {}
    seen: set[tuple[int, int]] = set()
    for r in results:
        row = rows.get(r.unit_id)
        if row is None:
            row = rows[r.unit_id] = AnnualRow(r.unit, r.group, 0, None, None)
        if row.group != r.group or (r.unit_id, r.period_id) in seen:
            continue
        seen.add((r.unit_id, r.period_id))
        row.periods += 1
        if r.total is not None and r.status == ResultStatus.RANKED:
            ratios.setdefault(r.unit_id, []).append(r.total / r.period.scheme.total)
        row.vetoed += int(r.vetoed)
        row.insufficient += int(r.status == ResultStatus.INSUFFICIENT)
        row.black += int(r.list_kind == ListKind.BLACK)
        row.red += int(r.list_kind == ListKind.RED)
    for unit_id, row in rows.items():
        values = ratios.get(unit_id)
        if values:
            row.ratio = sum(values, Decimal(0)) / len(values)
            row.score = (row.ratio * weight).quantize(Decimal("0.01"), ROUND_HALF_UP)
        if row.vetoed:
            row.notes.append(f"一票否决 {row.vetoed} 期")
        if row.insufficient:
            row.notes.append(f"样本不足 {row.insufficient} 期")
        if row.red:
            row.notes.append(f"红榜 {row.red} 次")
        if row.black:
            row.notes.append(f"黑榜 {row.black} 次")
    by_group: dict[str, list[AnnualRow]] = {}
    for row in rows.values():
        by_group.setdefault(row.group, []).append(row)
    out: list[AnnualRow] = []
    for group in UnitGroup.values:
        members = by_group.get(group, [])
        scored = sorted((r for r in members if r.score is not None), key=lambda r: -r.score)  # type: ignore[operator]
        previous, rank = None, 0
        for position, row in enumerate(scored, start=1):
            if row.score != previous:
                rank, previous = position, row.score
            row.rank = rank
        out += scored + sorted((r for r in members if r.score is None), key=lambda r: r.unit.path)
    return out


# --- accountability, submissions, bulletins ---------------------------------------------------
#
# 奖惩问责 is stricter than cases: the office and leaders see every record of the city; a unit
# liaison sees the records against their own unit(s) only — not those of units below — and
# only once decided (never a proposal, never a dismissed one); nobody else sees any.
# Submissions: the office and leaders see all, a liaison those of their units' subtree.
# Bulletins: the office and leaders see all (drafts too); a member of a unit sees the issued
# bulletins sent to a unit in their subtree.


def liaison_unit_ids(scope: Scope) -> list[int]:
    return sorted({u for u, r in scope.memberships if r == Role.UNIT_LIAISON})


def reads_unit_reports(scope: Scope) -> bool:
    """Reports, late reports and accountability records: the office and leaders read all of
    them, a unit's liaison those of their units, nobody else any."""
    return scope.see_all or bool(liaison_unit_ids(scope))


def liaison_paths(scope: Scope) -> list[str]:
    ids = liaison_unit_ids(scope)
    if not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids, active=True).values_list("path", flat=True))


def is_liaison_of(scope: Scope, unit_id: int) -> bool:
    return unit_id in liaison_unit_ids(scope)


def records_for_user(scope: Scope) -> QuerySet[AccountabilityRecord]:
    if scope.city_id is None:
        return AccountabilityRecord.objects.none()
    qs = AccountabilityRecord.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    ids = liaison_unit_ids(scope)
    if not ids:
        return AccountabilityRecord.objects.none()
    return qs.filter(unit_id__in=ids, state__in=sorted(VISIBLE_TO_UNIT))


def can_see_record(scope: Scope, record: AccountabilityRecord) -> bool:
    """The rule of ``records_for_user`` for one loaded record."""
    if scope.city_id is None or scope.city_id != record.city_id:
        return False
    if scope.see_all:
        return True
    return record.state in VISIBLE_TO_UNIT and is_liaison_of(scope, record.unit_id)


def get_record_for_user(scope: Scope, pk: int) -> AccountabilityRecord:
    record = (
        records_for_user(scope)
        .select_related("unit", "decided_by__person", "responded_by__person")
        .filter(pk=pk)
        .first()
    )
    if record is None:
        raise NotFound()
    return record


def record_list_qs(scope: Scope) -> QuerySet[AccountabilityRecord]:
    """What the list page, the API list and the export read."""
    return records_for_user(scope).select_related("unit").order_by("-id")


def submissions_for_user(scope: Scope) -> QuerySet[Submission]:
    if scope.city_id is None:
        return Submission.objects.none()
    qs = Submission.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    paths = liaison_paths(scope)
    if not paths:
        return Submission.objects.none()
    return qs.filter(reduce(or_, (Q(unit_path__startswith=p) for p in paths)))


def submission_list_qs(scope: Scope) -> QuerySet[Submission]:
    return (
        submissions_for_user(scope)
        .select_related("unit", "template")
        .annotate(n_photos=Count("photos"))
        .order_by("-submitted_at", "-id")
    )


def get_submission_for_user(scope: Scope, pk: int) -> Submission:
    sub = (
        submissions_for_user(scope)
        .select_related("unit", "template", "reviewed_by__person", "submitted_by__person")
        .filter(pk=pk)
        .first()
    )
    if sub is None:
        raise NotFound()
    return sub


def templates_for_user(scope: Scope) -> QuerySet[ReportTemplate]:
    """The office and leaders: every template; a liaison: the active ones their units owe."""
    if scope.city_id is None:
        return ReportTemplate.objects.none()
    qs = ReportTemplate.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    return qs.filter(active=True, units__in=liaison_unit_ids(scope)).distinct()


@dataclass
class OwedReport:
    """A report a unit owes for a period, and what it sent (if anything)."""

    template: ReportTemplate
    unit_id: int
    unit_name: str
    period_start: date
    period_end: date
    due_on: date
    submission_id: int | None
    submitted_at: datetime | None
    status: str

    @property
    def status_label(self) -> str:
        return str(Timeliness(self.status).label)

    @property
    def period_label(self) -> str:
        return periods.period_label(self.template.period, self.period_start)


def owed_reports(
    city_id: int, start: date, end: date, unit_ids: Iterable[int] | None = None
) -> list[OwedReport]:
    """Every report due within [start, end] of the active templates, per owing unit (only
    ``unit_ids`` when given), with its timeliness: on time (first sent by the end of the due
    day), late, missing (due day past, nothing sent) or pending (not yet due). Three
    queries whatever the number of units and periods."""
    today = timezone.localdate()
    templates = {t.pk: t for t in ReportTemplate.objects.filter(city_id=city_id, active=True)}
    through = ReportTemplate.units.through.objects.filter(reporttemplate_id__in=list(templates))
    if unit_ids is not None:
        through = through.filter(unit_id__in=list(unit_ids))
    owing: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for template_id, unit_id, name in through.values_list(
        "reporttemplate_id", "unit_id", "unit__name"
    ):
        owing[template_id].append((unit_id, name))
    sent = {
        (t, u, p): (pk, first)
        for pk, t, u, p, first in Submission.objects.filter(
            city_id=city_id,
            kind=SubmissionKind.REPORT,
            template_id__in=list(templates),
            due_on__gte=start,
            due_on__lte=end,
        ).values_list("pk", "template_id", "unit_id", "period_start", "first_submitted_at")
    }
    out = []
    for template in sorted(templates.values(), key=lambda t: (t.title, t.pk)):
        for p_start, p_end, due in periods.periods_due_between(
            template.period, template.due_day, start, end
        ):
            for unit_id, name in sorted(owing.get(template.pk, []), key=lambda r: r[1]):
                pk, first = sent.get((template.pk, unit_id, p_start), (None, None))
                if first is not None:
                    on_time = timezone.localtime(first).date() <= due
                    status = Timeliness.ON_TIME if on_time else Timeliness.LATE
                else:
                    status = Timeliness.MISSING if due < today else Timeliness.PENDING
                out.append(
                    OwedReport(template, unit_id, name, p_start, p_end, due, pk, first, status)
                )
    return out


def report_timeliness(city: Any, start: date, end: date) -> dict[int, tuple[int, int]]:
    """For the assessment: unit id → (reports sent on time, reports due) over the reports
    due within [start, end] whose due day has passed (a report not yet due counts neither
    way). Every unit that owes a report of an active template is in it. Three queries."""
    city_id = getattr(city, "pk", city)
    out: dict[int, tuple[int, int]] = {}
    for r in owed_reports(city_id, start, end):
        on_time, due = out.get(r.unit_id, (0, 0))
        if r.status == Timeliness.PENDING:
            out[r.unit_id] = (on_time, due)
            continue
        out[r.unit_id] = (on_time + (r.status == Timeliness.ON_TIME), due + 1)
    return out


def bulletins_for_user(scope: Scope) -> QuerySet[Bulletin]:
    if scope.city_id is None:
        return Bulletin.objects.none()
    qs = Bulletin.objects.filter(city_id=scope.city_id)
    if scope.see_all:
        return qs
    if not scope.unit_paths:
        return Bulletin.objects.none()
    sent = BulletinReceipt.objects.filter(bulletin_id=OuterRef("pk")).filter(
        reduce(or_, (Q(unit_path__startswith=p) for p in scope.unit_paths))
    )
    return qs.filter(status=BulletinStatus.ISSUED).filter(Exists(sent))


def bulletin_list_qs(scope: Scope) -> QuerySet[Bulletin]:
    return (
        bulletins_for_user(scope)
        .annotate(
            n_receipts=Count("receipts", distinct=True),
            n_signed=Count("receipts", filter=Q(receipts__signed_at__isnull=False), distinct=True),
        )
        .order_by("-period_end", "-id")
    )


def get_bulletin_for_user(scope: Scope, pk: int) -> Bulletin:
    bulletin = bulletins_for_user(scope).select_related("city").filter(pk=pk).first()
    if bulletin is None:
        raise NotFound()
    return bulletin


def pending_receipts(scope: Scope, bulletin: Bulletin) -> list[BulletinReceipt]:
    """The unsigned receipts of ``bulletin`` the user (a liaison) may sign."""
    if bulletin.status != BulletinStatus.ISSUED or not scope.has_role(Role.UNIT_LIAISON):
        return []
    paths = liaison_paths(scope)
    return [
        r
        for r in bulletin.receipts.filter(signed_at__isnull=True).select_related("unit")
        if any(r.unit_path.startswith(p) for p in paths)
    ]
