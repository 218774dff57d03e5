"""The built-in workbench providers: each ``(scope, today) → [Item]`` in a fixed number of
queries (a capped count, the first ROWS rows, and per row at most the one or two queries the
permission check needs), whatever the size of the city.

Buttons come from the checks the services run: ``cases.services.actions_for_scope`` (the same
role, state and precondition checks as ``allowed_actions``), ``org.actors.office_allows``,
``tasks.services.can_act_on``, ``inspections.services.may_*``.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.assessment.choices import RiskKind
from chuangwen.cases import services as case_services
from chuangwen.cases.choices import WITH_UNIT, Action, ExtensionStatus, Source, State
from chuangwen.cases.models import Case, Extension
from chuangwen.cases.selectors import capped_count, inbox_for_user, open_overdue_q
from chuangwen.inspections import services as inspection_services
from chuangwen.inspections.choices import ActionStatus, NoticeStatus
from chuangwen.inspections.models import ActionItem, Notice
from chuangwen.inspections.selectors import ACK_DAYS, actions_for_user, notices_for_user
from chuangwen.org.actors import office_allows
from chuangwen.org.choices import Role
from chuangwen.org.models import Grid, Unit
from chuangwen.org.scope import Scope
from chuangwen.tasks import services as task_services
from chuangwen.tasks.choices import OPEN_STATUSES
from chuangwen.tasks.models import Task
from chuangwen.tasks.selectors import pending_reports, unit_tasks_q

from . import participation, selectors
from .registry import Item, Row, register_items

CAP = 999  # counts stop here ("999+"): a to-do list, not a statistic
ROWS = 5  # rows shown per item
NEAREST_ROWS = 30  # the inspector's sites: enough to sort by distance on the phone
WEEK = 7
LONG_OVERDUE_DAYS = 7  # the leader's list: cases overdue for more than a week


def list_url(name: str, *args: Any, **query: Any) -> str:
    url = reverse(name, args=args)
    params = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def _count(qs: QuerySet) -> tuple[int, bool]:
    n = capped_count(qs, CAP)
    return min(n, CAP), n > CAP


def _role_paths(scope: Scope, role: str) -> list[str]:
    ids = [u for u, r in scope.memberships if r == role]
    if not ids:
        return []
    return list(Unit.objects.filter(pk__in=ids, active=True).values_list("path", flat=True))


def _paths_q(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for p in paths:
        q |= Q(**{f"{field}__startswith": p})
    return q


# --- cases -----------------------------------------------------------------------------------


def _case_row(case: Case, scope: Scope, verbs: Mapping[Any, str], now: datetime) -> Row:
    allowed = case_services.actions_for_scope(case, scope, only=verbs) if verbs else set()
    verb = next((label for action, label in verbs.items() if action in allowed), "")
    late = case.state in WITH_UNIT and case.deadline is not None and case.deadline < now
    place = case.address or (case.grid.code if case.grid_id and case.grid else "")
    category = case.category.name if case.category_id and case.category else _("未分类")
    return Row(
        label=f"{case.number} · {category}",
        url=reverse("cases:detail", args=[case.pk]),
        detail=" · ".join(
            x for x in (case.description[:40], place, case.unit.name if case.unit else "") if x
        ),
        due=case.deadline if case.state in WITH_UNIT else None,
        late=late,
        action=verb,
    )


def _case_item(
    key: str,
    title: str,
    qs: QuerySet[Case],
    scope: Scope,
    *,
    url: str,
    verbs: Mapping[Any, str] | None = None,
    order: tuple[str, ...] = ("id",),
    count_late: bool = False,
) -> Item:
    now = timezone.now()
    count, capped = _count(qs)
    rows = []
    if count:
        page = qs.select_related("category", "unit", "grid").order_by(*order)[:ROWS]
        rows = [_case_row(c, scope, verbs or {}, now) for c in page]
    late = _count(qs.filter(open_overdue_q(now)))[0] if count_late and count else 0
    return Item(key, title, count, url, rows, late=late, capped=capped)


def _city_cases(scope: Scope) -> QuerySet[Case]:
    return Case.objects.filter(city_id=scope.city_id or 0)


def office_to_register(scope: Scope, today: date) -> list[Item]:
    qs = _city_cases(scope).filter(state=State.REPORTED)
    url = list_url("cases:list", state=State.REPORTED)
    return [
        _case_item(
            "to_register", _("待立案"), qs, scope, url=url, verbs={Action.REGISTER: _("立案")}
        )
    ]


def office_to_dispatch(scope: Scope, today: date) -> list[Item]:
    qs = _city_cases(scope).filter(state=State.REGISTERED)
    url = list_url("cases:list", state=State.REGISTERED)
    return [
        _case_item(
            "to_dispatch", _("待派遣"), qs, scope, url=url, verbs={Action.DISPATCH: _("派遣")}
        )
    ]


def office_returned(scope: Scope, today: date) -> list[Item]:
    qs = _city_cases(scope).filter(state=State.RETURNED)
    url = list_url("cases:list", state=State.RETURNED)
    verbs = {Action.DISPATCH: _("改派")}
    return [_case_item("returned", _("单位退回，待改派"), qs, scope, url=url, verbs=verbs)]


def office_to_close(scope: Scope, today: date) -> list[Item]:
    qs = _city_cases(scope).filter(state=State.VERIFIED)
    url = list_url("cases:list", state=State.VERIFIED)
    verbs = {Action.CLOSE: _("结案")}
    return [_case_item("to_close", _("核查通过，待结案"), qs, scope, url=url, verbs=verbs)]


def office_overdue(scope: Scope, today: date) -> list[Item]:
    qs = _city_cases(scope).filter(open_overdue_q())
    url = list_url("cases:list", overdue="open")
    item = _case_item("overdue", _("超期未处置"), qs, scope, url=url, order=("deadline", "id"))
    item.late = item.count or 0
    return [item]


def office_extensions(scope: Scope, today: date) -> list[Item]:
    qs = Extension.objects.filter(case__city_id=scope.city_id or 0, status=ExtensionStatus.PENDING)
    count, capped = _count(qs)
    rows = []
    for ext in qs.select_related("case", "case__category").order_by("id")[:ROWS] if count else []:
        only = {Action.EXTENSION_APPROVE}
        may = Action.EXTENSION_APPROVE in case_services.actions_for_scope(ext.case, scope, only)
        rows.append(
            Row(
                label=ext.case.number,
                url=reverse("cases:detail", args=[ext.case_id]),
                detail=_("申请延至 %(d)s：%(r)s")
                % {
                    "d": f"{timezone.localtime(ext.requested_deadline):%m-%d %H:%M}",
                    "r": ext.reason,
                },
                due=ext.case.deadline,
                action=_("审批") if may else "",
            )
        )
    url = list_url("cases:inbox", tab="to_dispatch")
    return [Item("extensions", _("延期申请待审批"), count, url, rows, capped=capped)]


# --- tasks -----------------------------------------------------------------------------------


def office_evidence(scope: Scope, today: date) -> list[Item]:
    """Progress reports with their evidence, waiting for the office's review."""
    qs = pending_reports(scope)
    count, capped = _count(qs)
    rows = [
        Row(
            label=f"{r.task.indicator.code} · {r.unit.name}",
            url=reverse("tasks:detail", args=[r.task_id]),
            detail=r.text[:60],
            action=_("审核") if office_allows(scope, r.city_id) else "",
        )
        for r in (qs[:ROWS] if count else [])
    ]
    return [Item("evidence", _("进展与佐证材料待审核"), count, "", rows, capped=capped)]


def liaison_tasks(scope: Scope, today: date) -> list[Item]:
    """The unit's unfinished tasks due within a week (and those already overdue)."""
    paths = _role_paths(scope, Role.UNIT_LIAISON)
    if not paths:
        return []
    until = today + timedelta(days=WEEK)
    qs = Task.objects.filter(
        unit_tasks_q(paths),
        city_id=scope.city_id or 0,
        status__in=list(OPEN_STATUSES),
        deadline__lte=until,
    )
    count, capped = _count(qs)
    rows = []
    for task in qs.select_related("indicator", "lead_unit").order_by("deadline", "id")[:ROWS]:
        rows.append(
            Row(
                label=f"{task.indicator.code} {task.indicator.title}"[:60],
                url=reverse("tasks:detail", args=[task.pk]),
                detail=task.target or task.lead_unit.name,
                due=task.deadline,
                late=task.is_overdue,
                action=_("报送进展") if task_services.can_act_on(scope, task) else "",
            )
        )
    late = _count(qs.filter(deadline__lt=today))[0] if count else 0
    url = list_url("tasks:list", due_before=until.isoformat())
    return [Item("tasks_due", _("本周到期任务"), count, url, rows, late=late, capped=capped)]


# --- inspections -----------------------------------------------------------------------------


def _notice_rows(qs: QuerySet[Notice], scope: Scope, *, may_sign: bool, now: datetime) -> list[Row]:
    late_before = now - timedelta(days=ACK_DAYS)
    return [
        Row(
            label=f"{n.number} · {n.unit.name}",
            url=reverse("inspections:notice", args=[n.pk]),
            detail=n.title,
            due=n.deadline,
            late=n.issued_at < late_before,
            action=_("签收") if may_sign and inspection_services.may_acknowledge(scope, n) else "",
        )
        for n in qs.select_related("unit").order_by("issued_at", "id")[:ROWS]
    ]


def office_notices(scope: Scope, today: date) -> list[Item]:
    """Notices the units have not signed for (the office follows them up; signing is theirs)."""
    now = timezone.now()
    qs = notices_for_user(scope).filter(status=NoticeStatus.ISSUED)
    count, capped = _count(qs)
    rows = _notice_rows(qs, scope, may_sign=False, now=now) if count else []
    late = _count(qs.filter(issued_at__lt=now - timedelta(days=ACK_DAYS)))[0] if count else 0
    url = list_url("inspections:notices", status=NoticeStatus.ISSUED)
    return [Item("notices", _("通知书未签收"), count, url, rows, late=late, capped=capped)]


def liaison_notices(scope: Scope, today: date) -> list[Item]:
    paths = _role_paths(scope, Role.UNIT_LIAISON)
    if not paths:
        return []
    now = timezone.now()
    qs = notices_for_user(scope).filter(_paths_q("unit_path", paths), status=NoticeStatus.ISSUED)
    count, capped = _count(qs)
    rows = _notice_rows(qs, scope, may_sign=True, now=now) if count else []
    url = list_url("inspections:notices", status=NoticeStatus.ISSUED)
    return [Item("notices", _("督查通知书待签收"), count, url, rows, capped=capped)]


def _action_rows(qs: QuerySet[ActionItem], scope: Scope, today: date) -> list[Row]:
    return [
        Row(
            label=a.text[:60],
            url=list_url("inspections:meeting", a.meeting_id),
            detail=f"{a.meeting.title} · {a.unit.name}",
            due=a.deadline,
            late=a.deadline < today,
            action=_("办理") if inspection_services.may_update_action(scope, a) else "",
        )
        for a in qs.select_related("meeting", "unit").order_by("deadline", "id")[:ROWS]
    ]


def liaison_actions(scope: Scope, today: date) -> list[Item]:
    """Meeting decisions the unit carries out, due within a week or already late."""
    paths = _role_paths(scope, Role.UNIT_LIAISON)
    if not paths:
        return []
    qs = actions_for_user(scope).filter(
        _paths_q("unit_path", paths),
        status=ActionStatus.OPEN,
        deadline__lte=today + timedelta(days=WEEK),
    )
    count, capped = _count(qs)
    rows = _action_rows(qs, scope, today) if count else []
    late = _count(qs.filter(deadline__lt=today))[0] if count else 0
    url = list_url("inspections:actions", status=ActionStatus.OPEN)
    return [Item("actions", _("会议议定事项"), count, url, rows, late=late, capped=capped)]


def office_inspections_today(scope: Scope, today: date) -> list[Item]:
    plans = list(selectors.open_plans(scope, today)[:ROWS])
    progress = selectors.plan_progress(plans, today)
    rows = []
    for plan in plans:
        p = progress[plan.pk]
        rows.append(
            Row(
                label=plan.title,
                url=reverse("inspections:plan", args=[plan.pk]),
                detail=_("抽样点位 %(s)d 个，未检 %(r)d 个，今日检查 %(t)d 条")
                % {"s": p["sites"], "r": p["remaining"], "t": p["today"]},
                due=plan.ends_on,
            )
        )
    count = selectors.open_plans(scope, today).count() if len(plans) == ROWS else len(plans)
    return [Item("inspections", _("今日督查"), count, reverse("inspections:plans"), rows)]


def inspector_sites(scope: Scope, today: date) -> list[Item]:
    """The sites still to check in the inspector's open plans; the phone sorts them by distance
    when the inspector taps the button (the browser asks for the position only then)."""
    count, samples = selectors.my_remaining_samples(scope, today, NEAREST_ROWS)
    rows = []
    for s in samples:
        may = inspection_services.may_check(scope, s.plan)
        rows.append(
            Row(
                label=s.site.name,
                url=(
                    reverse("inspections:check", args=[s.plan_id, s.pk])
                    if may
                    else reverse("inspections:plan", args=[s.plan_id])
                ),
                detail=" · ".join(
                    x for x in (s.plan.title, s.site_type.name, s.district and s.district.name) if x
                ),
                action=_("检查") if may else "",
                lon=s.site.lon,
                lat=s.site.lat,
            )
        )
    return [
        Item(
            "sites",
            _("待检查点位"),
            count,
            reverse("inspections:plans"),
            rows,
            nearest=True,
            note=_("点“按距离排序”后浏览器才会询问您的位置") if rows else "",
        )
    ]


# --- verification (inspectors and grid workers) ------------------------------------------


def to_verify(scope: Scope, today: date) -> list[Item]:
    qs = inbox_for_user(scope).to_verify
    if qs is None:
        return []
    url = list_url("cases:inbox", tab="to_verify")
    verbs = {Action.VERIFY: _("核查")}
    return [_case_item("to_verify", _("已处置，待核查"), qs, scope, url=url, verbs=verbs)]


# --- unit liaisons ---------------------------------------------------------------------------


def liaison_inbox(scope: Scope, today: date) -> list[Item]:
    """The unit's cases, nearest deadline first (the late ones on top)."""
    qs = inbox_for_user(scope).to_handle
    if qs is None or Role.UNIT_LIAISON not in scope.roles:
        return []  # (a grid worker's own cases are in grid_cases)
    url = list_url("cases:inbox", tab="to_handle")
    verbs = {Action.ACCEPT: _("签收"), Action.HANDLE: _("处置")}
    item = _case_item(
        "inbox",
        _("待处置案件"),
        qs,
        scope,
        url=url,
        verbs=verbs,
        order=("deadline", "id"),
        count_late=True,
    )
    return [item]


# --- grid workers ----------------------------------------------------------------------------


def _my_grids(scope: Scope) -> list[tuple[int, str]]:
    return list(
        Grid.objects.filter(workers__pk=scope.person_id or 0)
        .order_by("code")
        .values_list("pk", "code")
    )


def grid_cases(scope: Scope, today: date) -> list[Item]:
    """Open cases in the worker's own grids, still with the responsible unit, and those passed
    down (下派) to the worker."""
    grids = _my_grids(scope)
    if not grids and Role.GRID_WORKER not in scope.roles:
        return []
    mine = Q(grid_id__in=[pk for pk, _code in grids]) | Q(handler_id=scope.person_id or 0)
    qs = _city_cases(scope).filter(mine, state__in=WITH_UNIT)
    url = list_url("cases:list", grid=grids[0][1]) if len(grids) == 1 else list_url("cases:list")
    verbs = {Action.ACCEPT: _("签收"), Action.HANDLE: _("处置")}
    item = _case_item(
        "grid_cases",
        _("我的网格内待处置"),
        qs,
        scope,
        url=url,
        verbs=verbs,
        order=("deadline", "id"),
        count_late=True,
    )
    return [item]


def grid_patrol(scope: Scope, today: date) -> list[Item]:
    """Today's patrol: the worker's grids and the problems they reported today."""
    grids = _my_grids(scope)
    start = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    mine = _city_cases(scope).filter(created_by_id=scope.user_id or 0, reported_at__gte=start)
    count, capped = _count(mine)
    page = mine.select_related("category", "unit", "grid").order_by("-id")[:ROWS] if count else []
    rows = [_case_row(c, scope, {}, timezone.now()) for c in page]
    may_report = Source.PATROL in case_services.sources_for_scope(scope)
    codes = "、".join(code for _pk, code in grids[:10]) + ("…" if len(grids) > 10 else "")
    return [
        Item(
            "patrol",
            _("今日巡查上报"),
            count,
            list_url("cases:list", grid=grids[0][1]) if len(grids) == 1 else "",
            rows,
            capped=capped,
            note=_("我的网格：%(g)s") % {"g": codes} if grids else _("尚未分配网格"),
            action=_("巡查上报") if may_report else "",
            action_url=reverse("cases:new") if may_report else "",
        )
    ]


# --- leaders ---------------------------------------------------------------------------------


def leader_long_overdue(scope: Scope, today: date) -> list[Item]:
    now = timezone.now()
    qs = _city_cases(scope).filter(
        state__in=WITH_UNIT, deadline__lt=now - timedelta(days=LONG_OVERDUE_DAYS)
    )
    url = list_url("cases:list", overdue="open")
    title = _("超期一周以上的案件")
    item = _case_item("long_overdue", title, qs, scope, url=url, order=("deadline", "id"))
    item.late = item.count or 0
    return [item]


def leader_disputed(scope: Scope, today: date) -> list[Item]:
    qs = _city_cases(scope).filter(state=State.RETURNED)
    url = list_url("cases:list", state=State.RETURNED)
    return [_case_item("disputed", _("单位有异议、被退回的案件"), qs, scope, url=url)]


def leader_actions(scope: Scope, today: date) -> list[Item]:
    qs = actions_for_user(scope).filter(status=ActionStatus.OPEN, deadline__lt=today)
    count, capped = _count(qs)
    rows = _action_rows(qs, scope, today) if count else []
    url = list_url("inspections:actions", overdue="true")
    return [Item("late_actions", _("逾期未办结的会议议定事项"), count, url, rows, capped=capped)]


def leader_late_notices(scope: Scope, today: date) -> list[Item]:
    now = timezone.now()
    qs = notices_for_user(scope).filter(
        status=NoticeStatus.ISSUED, issued_at__lt=now - timedelta(days=ACK_DAYS)
    )
    count, capped = _count(qs)
    rows = _notice_rows(qs, scope, may_sign=False, now=now) if count else []
    url = list_url("inspections:notices", status=NoticeStatus.ISSUED)
    title = _("超过 %(d)d 天未签收的通知书") % {"d": ACK_DAYS}
    return [Item("late_notices", title, count, url, rows, late=count, capped=capped)]


# --- units compared, points at risk ---------------------------------------------------------


def lagging_units(scope: Scope, today: date) -> list[Item]:
    figures = selectors.unit_figures(scope.city_id or 0, timezone.now())
    by_closure, by_tasks = selectors.lagging(figures, ROWS)
    closure = [
        Row(
            label=f.name,
            url=list_url("cases:list", unit=f.unit_id),
            detail=_("按期结案率 %(r)s%%（应结案 %(n)d 件），超期未处置 %(o)d 件")
            % {"r": f.on_time_rate, "n": f.due, "o": f.overdue},
        )
        for f in by_closure
    ]
    tasks = [
        Row(
            label=f.name,
            url=list_url("tasks:list", unit=f.unit_id, status="overdue"),
            detail=_("逾期任务 %(n)d 项") % {"n": f.overdue_tasks},
            late=True,
        )
        for f in by_tasks
    ]
    note = _("近 %(d)d 天上报的案件") % {"d": selectors.WINDOW_DAYS}
    overdue_tasks = list_url("tasks:list", status="overdue")
    return [
        Item("lagging_closure", _("按期结案率最低的单位"), None, "", closure, note=note),
        Item("lagging_tasks", _("逾期任务最多的单位"), None, overdue_tasks, tasks),
    ]


def risk_url(risk: Any) -> str:
    if risk.kind == RiskKind.CASE:
        return reverse("cases:detail", args=[risk.object_id])
    if risk.kind == RiskKind.TASK:
        return reverse("tasks:detail", args=[risk.object_id])
    return reverse("tasks:indicator", args=[risk.object_id])


def points_at_risk(scope: Scope, today: date) -> list[Item]:
    rounds = selectors.computed_rounds(scope, limit=1)
    if not rounds:
        return []
    rnd = rounds[-1]
    risks = selectors.risks_of(rnd)
    rows = [
        Row(
            label=f"[{RiskKind(r.kind).label}] {r.label}",
            url=risk_url(r),
            detail=_("%(code)s 可挽回 %(p).3f 分") % {"code": r.indicator_code, "p": r.points},
        )
        for r in risks[:ROWS]
    ]
    total = sum(r.points for r in risks)
    return [
        Item(
            "risks",
            _("失分风险（%(t)s）") % {"t": rnd.title},
            len(risks),
            reverse("assessment:round", args=[rnd.pk]),
            rows,
            figure=_("可挽回 %(p).2f 分") % {"p": total},
        )
    ]


def register() -> None:
    """The built-in providers (called from ``DashboardConfig.ready``)."""
    providers: dict[str, list[tuple[str, Any]]] = {
        "office": [
            ("to_register", office_to_register),
            ("to_dispatch", office_to_dispatch),
            ("returned", office_returned),
            ("to_close", office_to_close),
            ("overdue", office_overdue),
            ("extensions", office_extensions),
            ("evidence", office_evidence),
            ("notices", office_notices),
            ("inspections", office_inspections_today),
            ("lagging", lagging_units),
            ("risks", points_at_risk),
            ("accountability", participation.accountability_to_decide),
        ],
        "leader": [
            ("long_overdue", leader_long_overdue),
            ("disputed", leader_disputed),
            ("late_actions", leader_actions),
            ("late_notices", leader_late_notices),
            ("accountability", participation.accountability_to_decide),
            ("lagging", lagging_units),
        ],
        "liaison": [
            ("inbox", liaison_inbox),
            ("tasks_due", liaison_tasks),
            ("notices", liaison_notices),
            ("actions", liaison_actions),
            ("reports", participation.liaison_reports),
            ("rank", participation.liaison_rank),
        ],
        "inspector": [("sites", inspector_sites), ("to_verify", to_verify)],
        "grid": [("to_verify", to_verify), ("grid_cases", grid_cases), ("patrol", grid_patrol)],
    }
    register_items(providers)
