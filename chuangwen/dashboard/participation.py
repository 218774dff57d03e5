"""Workbench items and cockpit panels drawn from the assessment, citizens and volunteers apps:
reports a unit owes and its rank, accountability proposals waiting for a decision; the
campaigns, volunteer service and the red/black list on the wall. Each in a fixed number of
queries, whatever the size of the city."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.assessment import selectors as assessment
from chuangwen.assessment import services as assessment_services
from chuangwen.assessment.choices import (
    AccountabilityState,
    ListKind,
    PeriodStatus,
    ResultStatus,
    Timeliness,
)
from chuangwen.assessment.models import AssessmentResult, ListEntry
from chuangwen.citizens.choices import CampaignStatus
from chuangwen.citizens.models import BudgetLine
from chuangwen.citizens.progress import rollup
from chuangwen.citizens.selectors import campaigns_for_user
from chuangwen.core.models import BY_RANK
from chuangwen.org.choices import Role
from chuangwen.org.scope import Scope
from chuangwen.volunteers.choices import RecordKind
from chuangwen.volunteers.models import Activity, ServiceRecord, Volunteer, VolunteerSettings

from .registry import Chart, Figure, Item, Panel, PanelRow, Row, Series

ROWS = 5
WEEKS = 8  # the volunteers' chart: service hours per week
REPORT_WINDOW = 7  # reports due within a week (and those already missing this month)


def _liaison_units(scope: Scope) -> list[int]:
    return [u for u, r in scope.memberships if r == Role.UNIT_LIAISON]


# --- workbench items -------------------------------------------------------------------------


def liaison_reports(scope: Scope, today: date) -> list[Item]:
    """Work reports my units owe: missing ones first, then those due within a week."""
    units = _liaison_units(scope)
    if not units or scope.city_id is None:
        return []
    owed = [
        r
        for r in assessment.owed_reports(
            scope.city_id,
            today.replace(day=1) - timedelta(days=31),
            today + timedelta(days=REPORT_WINDOW),
            units,
        )
        if r.status in (Timeliness.MISSING, Timeliness.PENDING)
    ]
    owed.sort(key=lambda r: (r.status != Timeliness.MISSING, r.due_on, r.unit_name))
    rows = [
        Row(
            label=f"{r.template.title} · {r.unit_name}",
            url=reverse("assessment:report_new", args=[r.template.pk]),
            detail=_("%(a)s 至 %(b)s") % {"a": r.period_start, "b": r.period_end},
            due=r.due_on,
            late=r.status == Timeliness.MISSING,
            action=_("填报"),
        )
        for r in owed[:ROWS]
    ]
    late = sum(1 for r in owed if r.status == Timeliness.MISSING)
    return [
        Item(
            "reports",
            _("待报送的工作汇报"),
            len(owed),
            reverse("assessment:submissions"),
            rows,
            late=late,
        )
    ]


def liaison_rank(scope: Scope, today: date) -> list[Item]:
    """My units' place in the latest published assessment."""
    units = _liaison_units(scope)
    if not units:
        return []
    published = assessment.periods_for_user(scope).filter(status=PeriodStatus.PUBLISHED)
    results = list(
        AssessmentResult.objects.filter(unit_id__in=units, period__in=published)
        .select_related("period", "unit")
        .order_by("unit_id", "-period__starts_on", "group")
        .distinct()
    )
    latest: dict[int, AssessmentResult] = {}
    for r in results:
        latest.setdefault(r.unit_id, r)
    if not latest:
        return []
    rows = []
    for r in sorted(latest.values(), key=lambda r: r.unit.name)[:ROWS]:
        if r.status == ResultStatus.RANKED and r.rank:
            place = _("第 %(r)d 名 / %(n)d") % {"r": r.rank, "n": r.ranked_count}
        else:
            place = str(ResultStatus(r.status).label)
        listed = str(ListKind(r.list_kind).label) if r.list_kind else ""
        rows.append(
            Row(
                label=f"{r.unit.name} · {place}",
                url=reverse("assessment:unit_detail", args=[r.period_id, r.unit_id]),
                detail=_("%(p)s 总分 %(t)s %(l)s")
                % {"p": r.period.label, "t": r.total if r.total is not None else "—", "l": listed},
                late=r.list_kind == ListKind.BLACK,
            )
        )
    return [
        Item("rank", _("本单位考核排名"), None, reverse("assessment:my_scores"), rows, figure=" ")
    ]


def accountability_to_decide(scope: Scope, today: date) -> list[Item]:
    """Proposed commendations and accountability records waiting for a person's decision."""
    qs = assessment.records_for_user(scope).filter(state=AccountabilityState.PROPOSED)
    records = list(qs.select_related("unit").order_by("created_at", "id")[:ROWS])
    if not records:
        return []
    rows = [
        Row(
            label=f"{r.get_kind_display()} · {r.unit.name}",
            url=reverse("assessment:accountability", args=[r.pk]),
            detail=r.title,
            due=r.created_at,
            action=_("决定") if assessment_services.scope_may_decide(scope, r) else "",
        )
        for r in records
    ]
    return [
        Item(
            "accountability",
            _("待决定的奖惩问责"),
            qs.count(),
            reverse("assessment:accountability_list") + "?state=proposed",
            rows,
        )
    ]


# --- cockpit panels --------------------------------------------------------------------------


def campaigns_panel(scope: Scope, today: date) -> Panel | None:
    qs = campaigns_for_user(scope)
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    if not by_status:
        return Panel("campaigns", _("专项整治"), note=_("尚无专项整治"))
    money = BudgetLine.objects.filter(campaign__in=qs).aggregate(
        allocated=Sum("allocated"), adjusted=Sum("adjusted"), spent=Sum("spent")
    )
    budget = (money["allocated"] or Decimal(0)) + (money["adjusted"] or Decimal(0))
    spent = money["spent"] or Decimal(0)
    running = list(
        qs.filter(status__in=[CampaignStatus.ACTIVE, CampaignStatus.CLOSING]).order_by(
            "ends_on", "id"
        )[:8]
    )
    progress = rollup(running)
    url = reverse("citizens:campaigns")
    return Panel(
        "campaigns",
        _("专项整治"),
        url=url,
        figures=[
            Figure(
                _("整治中"),
                by_status.get(CampaignStatus.ACTIVE, 0),
                _("项"),
                url + "?status=active",
            ),
            Figure(
                _("已完成"),
                by_status.get(CampaignStatus.CLOSED, 0),
                _("项"),
                url + "?status=closed",
                "good",
            ),
            Figure(
                _("资金执行"), round(float(100 * spent / budget), 1) if budget else None, "%", url
            ),
        ],
        chart=Chart(
            [c.title[:10] for c in running],
            [
                Series(
                    _("进度 %"),
                    [progress[c.pk].percent if c.pk in progress else 0 for c in running],
                    [reverse("citizens:campaign", args=[c.pk]) for c in running],
                )
            ],
            horizontal=True,
        )
        if running
        else None,
        note=_("预算 %(b)s 万元，已支出 %(s)s 万元")
        % {"b": round(budget / 10000, 1), "s": round(spent / 10000, 1)},
    )


def volunteers_panel(scope: Scope, today: date) -> Panel | None:
    if scope.city_id is None:
        return None
    volunteers = Volunteer.objects.filter(city_id=scope.city_id, active=True).count()
    if not volunteers:
        return Panel("volunteers", _("志愿服务"), note=_("尚无注册志愿者"))
    # service time by when it was served (check-in), the last WEEKS weeks, Monday to Sunday
    monday = today - timedelta(days=today.weekday())
    weeks = [monday - timedelta(weeks=k) for k in range(WEEKS - 1, -1, -1)]
    since = timezone.make_aware(datetime.combine(weeks[0], time.min))
    served = ServiceRecord.objects.filter(
        city_id=scope.city_id,
        started_at__gte=since,
        kind__in=[RecordKind.SERVICE, RecordKind.CORRECTION],
    )
    per_day = dict(
        served.annotate(day=TruncDate("started_at"))
        .values_list("day")
        .annotate(m=Sum("minutes"))
        .order_by()
    )
    hours = [
        round(sum(m for d, m in per_day.items() if w <= d < w + timedelta(days=7)) / 60, 1)
        for w in weeks
    ]
    month_start = today.replace(day=1)
    month_hours = round(
        sum(m for d, m in per_day.items() if d >= month_start) / 60
        if weeks[0] <= month_start
        else 0
    )
    activities = Activity.objects.filter(
        city_id=scope.city_id,
        starts_at__gte=timezone.make_aware(datetime.combine(month_start, time.min)),
    ).count()
    population = (
        VolunteerSettings.objects.filter(city_id=scope.city_id)
        .values_list("resident_population", flat=True)
        .first()
    )
    share = round(100 * volunteers / population, 2) if population else None
    url = reverse("volunteers:list")
    return Panel(
        "volunteers",
        _("志愿服务"),
        url=url,
        figures=[
            Figure(_("注册志愿者"), volunteers, _("人"), url),
            Figure(_("占常住人口"), share, "%", url),
            Figure(
                _("近%(n)d周服务") % {"n": WEEKS},
                round(sum(hours)),
                _("小时"),
                reverse("volunteers:activities"),
            ),
        ],
        chart=Chart(
            [f"{w:%m-%d}" for w in weeks],
            [Series(_("服务时长（小时）"), hours, [reverse("volunteers:activities")] * len(weeks))],
        ),
        note=_("本月活动 %(n)d 项，服务 %(h)d 小时") % {"n": activities, "h": month_hours},
    )


def redblack_panel(scope: Scope, today: date) -> Panel | None:
    period = (
        assessment.periods_for_user(scope)
        .filter(status=PeriodStatus.PUBLISHED)
        .order_by("-starts_on", "-id")
        .first()
    )
    if period is None:
        return Panel("redblack", _("红黑榜"), note=_("尚无已发布的考核"))
    entries = list(
        ListEntry.objects.filter(period=period)
        .select_related("unit")
        .order_by("kind", "group", BY_RANK, "id")
    )
    url = reverse("assessment:lists")
    red = [e for e in entries if e.kind == ListKind.RED]
    black = [e for e in entries if e.kind == ListKind.BLACK]
    rows = [
        PanelRow(
            f"{_('红榜')} · {e.unit.name}",
            _("总分 %(t)s") % {"t": e.total if e.total is not None else "—"},
            reverse("assessment:unit_detail", args=[period.pk, e.unit_id]),
            "good",
        )
        for e in red[:4]
    ] + [
        PanelRow(
            f"{_('黑榜')} · {e.unit.name}",
            _("总分 %(t)s · %(s)s")
            % {"t": e.total if e.total is not None else "—", "s": e.get_status_display()},
            reverse("assessment:unit_detail", args=[period.pk, e.unit_id]),
            "bad",
        )
        for e in black[:4]
    ]
    return Panel(
        "redblack",
        _("红黑榜"),
        url=url,
        figures=[
            Figure(_("红榜"), len(red), _("个"), url, "good"),
            Figure(_("黑榜"), len(black), _("个"), url, "bad"),
        ],
        rows=rows,
        note=period.label,
    )
