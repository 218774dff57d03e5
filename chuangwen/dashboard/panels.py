"""The built-in cockpit panels (数据大屏): each ``(scope, today) → Panel | None`` in a fixed
number of queries. Every figure, bar and point carries the URL of the list it counts, so on a
normal screen a click opens that list."""

from datetime import date, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.assessment.choices import RiskKind
from chuangwen.org.choices import UnitKind
from chuangwen.org.models import City
from chuangwen.org.scope import Scope

from . import participation, selectors
from .items import list_url, risk_url
from .registry import Chart, Figure, MapLayer, Panel, PanelRow, Point, Series, register_panel

MAP_DAYS = 30  # the inspection map shows the checks of the last 30 days
TOP_RISKS = 8


def _score(value: float | None) -> float | None:
    return round(value, 2) if value is not None else None


def score_panel(scope: Scope, today: date) -> Panel | None:
    """The predicted score (mock evaluation) and its trend over the last rounds."""
    rounds = selectors.computed_rounds(scope)
    if not rounds:
        return Panel("score", _("预测成绩"), note=_("尚未测算模拟测评"))
    latest = rounds[-1]
    url = reverse("assessment:round", args=[latest.pk])
    urls = [reverse("assessment:round", args=[r.pk]) for r in rounds]
    labels = [f"{timezone.localtime(r.as_of):%Y-%m-%d}" for r in rounds]
    return Panel(
        "score",
        _("预测成绩"),
        url=url,
        figures=[
            Figure(_("综合成绩"), _score(latest.overall_score), _("分"), url),
            Figure(_("年度测评"), _score(latest.annual_score), _("分"), url),
            Figure(_("创建周期"), _score(latest.cycle_score), _("分"), url),
        ],
        chart=Chart(
            labels,
            [
                Series(_("综合成绩"), [_score(r.overall_score) for r in rounds], urls, "line"),
                Series(_("年度测评"), [_score(r.annual_score) for r in rounds], urls, "line"),
            ],
            scale=True,
        ),
        note=latest.title,
    )


def risk_panel(scope: Scope, today: date) -> Panel | None:
    rounds = selectors.computed_rounds(scope, limit=1)
    if not rounds:
        return Panel("risks", _("失分风险"), note=_("尚未测算模拟测评"))
    rnd = rounds[-1]
    risks = selectors.risks_of(rnd)
    top = risks[:TOP_RISKS]
    url = reverse("assessment:round", args=[rnd.pk])
    kinds = {k: sum(1 for r in risks if r.kind == k) for k in RiskKind.values}
    return Panel(
        "risks",
        _("失分风险"),
        url=url,
        figures=[
            Figure(_("可挽回"), round(sum(r.points for r in risks), 2), _("分"), url, "bad"),
            Figure(
                _("未办结案件"),
                kinds[RiskKind.CASE],
                _("件"),
                list_url("cases:list", overdue="open"),
            ),
            Figure(_("未完成任务"), kinds[RiskKind.TASK], _("项"), list_url("tasks:list")),
        ],
        chart=Chart(
            [f"{r.indicator_code} {r.label}"[:24] for r in reversed(top)],
            [
                Series(
                    _("可挽回分值"),
                    [round(r.points, 3) for r in reversed(top)],
                    [risk_url(r) for r in reversed(top)],
                )
            ],
            horizontal=True,
        ),
        rows=[
            PanelRow(f"[{RiskKind(r.kind).label}] {r.label}", f"{r.points:.3f}", risk_url(r))
            for r in top
        ],
    )


def district_panel(scope: Scope, today: date) -> Panel | None:
    """Closure (cases of the last WINDOW_DAYS days) and cases overdue now, per 区县."""
    rows = selectors.unit_figures(scope.city_id or 0, timezone.now(), kinds=[UnitKind.DISTRICT])
    if not rows:
        return None
    due = sum(r.due for r in rows)
    on_time = sum(r.closed_on_time for r in rows)
    closed = sum(r.closed for r in rows)
    overdue = sum(r.overdue for r in rows)
    cases = [list_url("cases:list", unit=r.unit_id) for r in rows]
    late = [list_url("cases:list", unit=r.unit_id, overdue="open") for r in rows]
    return Panel(
        "districts",
        _("各区县结案与超期"),
        url=list_url("cases:summary"),
        figures=[
            Figure(_("结案率"), round(100 * closed / due, 1) if due else None, "%", cases[0]),
            Figure(_("按期结案率"), round(100 * on_time / due, 1) if due else None, "%"),
            Figure(
                _("超期未处置"), overdue, _("件"), list_url("cases:list", overdue="open"), "bad"
            ),
        ],
        chart=Chart(
            [r.name for r in rows],
            [
                Series(_("结案率 %"), [r.close_rate for r in rows], cases),
                Series(_("按期结案率 %"), [r.on_time_rate for r in rows], cases),
                Series(_("超期未处置（件）"), [r.overdue for r in rows], late, "line", axis=1),
            ],
            axis_names=["%", _("件")],
        ),
        rows=[
            PanelRow(
                r.name,
                _("结案率 %(c)s%% · 超期 %(o)d 件")
                % {"c": "—" if r.close_rate is None else r.close_rate, "o": r.overdue},
                late[i] if r.overdue else cases[i],
                "bad" if r.overdue else "",
            )
            for i, r in enumerate(rows)
        ],
        note=_("结案率按近 %(d)d 天上报、已派遣的案件计算") % {"d": selectors.WINDOW_DAYS},
        size="wide",
    )


def burndown_panel(scope: Scope, today: date) -> Panel | None:
    b = selectors.task_burndown(scope, today)
    if b is None:
        return Panel("burndown", _("任务燃尽图"), note=_("尚无任务"))
    tasks = list_url("tasks:list")
    overdue = list_url("tasks:list", status="overdue")
    labels = [f"{w:%m-%d}" for w in b.weeks]
    return Panel(
        "burndown",
        _("任务燃尽图"),
        url=reverse("tasks:battle_map"),
        figures=[
            Figure(_("任务"), b.total, _("项"), tasks),
            Figure(
                _("未完成"), next((r for r in reversed(b.remaining) if r is not None), 0), "", tasks
            ),
            Figure(_("已逾期"), b.overdue, _("项"), overdue, "bad" if b.overdue else "good"),
        ],
        chart=Chart(
            labels,
            [
                Series(_("实际未完成"), list(b.remaining), [tasks] * len(labels), "line"),
                Series(_("按时限应未完成"), list(b.planned), [tasks] * len(labels), "line"),
            ],
        ),
    )


def map_panel(scope: Scope, today: date) -> Panel | None:
    since = timezone.make_aware(
        datetime.combine(today - timedelta(days=MAP_DAYS), datetime.min.time())
    )
    rows = selectors.inspection_points(scope, since)
    city = (
        City.objects.filter(pk=scope.city_id or 0).values_list("center_lon", "center_lat").first()
    )
    center = (city[0], city[1]) if city and city[0] is not None and city[1] is not None else None
    points = [
        Point(
            r["site__lon"],
            r["site__lat"],
            _("%(site)s：检查 %(n)d 项，问题 %(f)d 项")
            % {"site": r["site__name"], "n": r["n"], "f": r["failed"]},
            reverse("sites:detail", args=[r["site_id"]]),
            "bad" if r["failed"] else "",
        )
        for r in rows
        if r["site__lon"] is not None and r["site__lat"] is not None
    ]
    plans = reverse("inspections:plans")
    return Panel(
        "map",
        _("督查地图"),
        url=plans,
        figures=[
            Figure(_("检查点位"), len(points), _("个"), plans),
            Figure(_("发现问题"), sum(r["failed"] for r in rows), _("项"), plans, "bad"),
        ],
        map=MapLayer(points, reverse("org:grid_geojson"), center),
        note=_("近 %(d)d 天的检查；底图为本市网格") % {"d": MAP_DAYS},
        size="big",
    )


def register() -> None:
    """The built-in panels (called from ``DashboardConfig.ready``)."""
    entries: list[tuple[str, Any]] = [
        ("score", score_panel),
        ("risks", risk_panel),
        ("districts", district_panel),
        ("map", map_panel),
        ("burndown", burndown_panel),
        ("campaigns", participation.campaigns_panel),
        ("volunteers", participation.volunteers_panel),
        ("redblack", participation.redblack_panel),
    ]
    for order, (key, fn) in enumerate(entries):
        register_panel(key, fn, order=(order + 1) * 10)
