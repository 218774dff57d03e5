"""Workbench items of the people the city serves rather than of its staff: a volunteer's
activities, hours and moral-bank points; an outlet clerk's cashier; the problems a citizen
reported. Each in a fixed number of queries, whatever the number of activities, outlets,
accounts or reports — through the volunteers app's own selectors.

A person may be both a citizen and a volunteer: the items both sections offer (cashier,
points, reports) are then shown once, in the volunteer section (``once``).
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chuangwen.cases.choices import OPEN, PUBLIC_STATE, RATEABLE, State
from chuangwen.cases.models import Report
from chuangwen.org.choices import Role
from chuangwen.org.scope import Scope
from chuangwen.volunteers import selectors as volunteers
from chuangwen.volunteers import services as volunteer_services
from chuangwen.volunteers.choices import ActivityStatus
from chuangwen.volunteers.models import Activity, Attendance, Volunteer
from chuangwen.volunteers.moral import selectors as moral

from .items import ROWS, _count
from .registry import Item, ItemProvider, Row, register_items

# --- volunteers ------------------------------------------------------------------------------


def _when(activity: Activity, today: date) -> str:
    start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
    if start.date() == today:
        day = _("今天")
    elif start.date() == today + timedelta(days=1):
        day = _("明天")
    else:
        day = f"{start:%m-%d}"
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%m-%d %H:%M}"
    return f"{day} {start:%H:%M}–{until}"


def _on_the_day(activity: Activity, attendance: Attendance | None, now: datetime) -> str:
    """What to do at an activity that is on today (or running): check in by the organiser's
    QR code, or check out; nothing for one further off."""
    if attendance is not None:
        if attendance.checked_out_at is None:
            return _("已签到 %(t)s，服务结束时扫描签退二维码") % {
                "t": f"{timezone.localtime(attendance.checked_in_at):%H:%M}"
            }
        return _("已签退，%(m)s 分钟，待组织方确认") % {"m": attendance.minutes}
    if timezone.localtime(activity.starts_at).date() > timezone.localtime(now).date():
        return ""
    return _("到达现场后，用手机扫描组织方出示的签到二维码")


def volunteer_activities(scope: Scope, today: date) -> list[Item]:
    """The activities I signed up for that are still to come (or running), soonest first, and
    the open activities I could still join."""
    volunteer = volunteers.volunteer_of(scope)
    if volunteer is None:
        return []
    now = timezone.now()
    mine = volunteers.my_activities(volunteer)
    coming = sorted(
        (
            r
            for r in mine
            if r["activity"].status == ActivityStatus.PUBLISHED and r["activity"].ends_at > now
        ),
        key=lambda r: (r["activity"].starts_at, r["activity"].pk),
    )
    rows = [
        Row(
            label=r["activity"].title,
            url=reverse("volunteers:activity", args=[r["activity"].pk]),
            detail=f"{_when(r['activity'], today)} · {r['activity'].place}",
            note=_on_the_day(r["activity"], r["attendance"], now),
        )
        for r in coming[:ROWS]
    ]
    me = reverse("volunteers:me")
    signed = Item("my_activities", _("我报名的活动"), len(coming), me, rows)
    return [signed, _open_activities(scope, volunteer, {r["activity"].pk for r in mine}, today)]


def _open_activities(scope: Scope, volunteer: Volunteer, signed: set[int], today: date) -> Item:
    qs = volunteers.open_activities(scope).exclude(pk__in=sorted(signed))
    qs = qs.filter(n_signed__lt=F("capacity"))  # type: ignore[misc]  # (an annotation)
    count, capped = _count(qs)
    rows = [
        Row(
            label=a.title,
            url=reverse("volunteers:activity", args=[a.pk]),
            detail=_("%(w)s · %(p)s · 已报 %(n)d/%(c)d")
            % {"w": _when(a, today), "p": a.place, "n": a.n_signed, "c": a.capacity},  # type: ignore[attr-defined]
            # the sign-up service's own checks: published, not over, not yet signed up (the
            # query), room left (the query), the volunteer still active
            action=_("报名") if volunteer.active else "",
        )
        for a in (qs[:ROWS] if count else [])
    ]
    return Item(
        "open_activities", _("可报名的活动"), count, reverse("volunteers:me"), rows, capped=capped
    )


def volunteer_hours(scope: Scope, today: date) -> list[Item]:
    """My confirmed service hours: this year's (by the day they were confirmed) and in all,
    with my star level."""
    volunteer = volunteers.volunteer_of(scope)
    if volunteer is None:
        return []
    this_year = volunteers.hours_by_volunteer(
        Volunteer.objects.filter(pk=volunteer.pk), date(today.year, 1, 1), None
    ).first()
    year = (this_year.period_minutes if this_year else 0) or 0  # type: ignore[attr-defined]
    total = volunteer.total_minutes
    stars = volunteer_services.settings_for(volunteer.city_id).star_hours
    level = volunteer_services.star_level(total, stars)
    next_hours = next((h for h in stars if total < h * 60), None)
    note = volunteer_services.star_label(level)
    if next_hours:
        note += _("，再服务至 %(h)d 小时可升星") % {"h": next_hours}
    return [
        Item(
            "hours",
            _("我的服务时长"),
            None,
            reverse("volunteers:me"),
            figure_tone="",
            figure=_("今年 %(y)s 小时 · 累计 %(t)s 小时")
            % {"y": round(year / 60, 1), "t": volunteer.hours}
            if total or year
            else "",
            note=note if total else "",
        )
    ]


# --- the moral bank --------------------------------------------------------------------------


def moral_points(scope: Scope, today: date) -> list[Item]:
    """My points at the moral bank (my own account and my household's), when I hold one."""
    accounts = moral.my_accounts(scope)
    if not accounts:
        return []
    rows = (
        [
            Row(
                label=a.bank.name,
                url=reverse("volunteers:my_bank"),
                detail=_("%(h)s · 余额 %(b)d 分") % {"h": a.holder_name, "b": a.balance},
            )
            for a in accounts[:ROWS]
        ]
        if len(accounts) > 1
        else []
    )
    url = reverse("volunteers:my_bank")
    return [
        Item(
            "moral",
            _("道德银行积分"),
            None,
            url,
            rows,
            figure=_("余额 %(b)d 分") % {"b": sum(a.balance for a in accounts)},
            figure_tone="",
            note=_("在兑换点出示积分码即可兑换") if len(accounts) == 1 else "",
            action=_("我的道德银行"),
            action_url=url,
        )
    ]


def outlet_cashier(scope: Scope, today: date) -> list[Item]:
    """兑换点收银 for the clerks of a redemption outlet: today's redemptions at my outlets."""
    outlets = moral.my_outlets(scope)
    if not outlets:
        return []
    totals = moral.outlet_redemptions([o.pk for o in outlets], today)
    n = sum(t[0] for t in totals.values())
    points = sum(t[1] for t in totals.values())
    rows = []
    if len(outlets) > 1:
        for o in outlets[:ROWS]:
            k, p = totals.get(o.pk, (0, 0))
            rows.append(
                Row(
                    label=o.name,
                    url=reverse("volunteers:outlet_for", args=[o.pk]),
                    detail=_("%(b)s · 今日兑换 %(n)d 笔，%(p)d 分")
                    % {"b": o.bank.name, "n": k, "p": p},
                    action=_("收银"),
                )
            )
    only = outlets[0]
    return [
        Item(
            "outlet",
            _("兑换点收银"),
            None,
            reverse("volunteers:outlet"),
            rows,
            figure=_("今日兑换 %(n)d 笔，共 %(p)d 分") % {"n": n, "p": points},
            figure_tone="",
            note=" · ".join(x for x in (only.name, only.address) if x) if len(outlets) == 1 else "",
            action=_("扫码收银"),
            action_url=reverse("volunteers:outlet"),
        )
    ]


# --- problems I reported ---------------------------------------------------------------------


def my_reports(scope: Scope, today: date) -> list[Item]:
    """The problems I reported (随手拍 while logged in records me as the reporter) whose case is
    still being handled, or closed and waiting for my rating; none when I reported nothing."""
    if scope.person_id is None or scope.city_id is None:
        return []
    mine = Report.objects.filter(city_id=scope.city_id, reporter_id=scope.person_id)
    city_code = mine.values_list("city__code", flat=True).first()  # also: did I report at all
    if city_code is None:
        return []
    # a report still concerns its reporter while the case is open, and once it is closed until
    # they have rated it (``Report.awaits_rating``: the tracking page's rating form)
    pending = mine.filter(
        Q(case__state__in=list(OPEN)) | Q(rating__isnull=True, case__state__in=list(RATEABLE))
    )
    count, capped = _count(pending)
    page = (
        pending.select_related("case", "case__category").order_by("-reported_at", "-id")[:ROWS]
        if count
        else []
    )
    rows = []
    for r in page:
        case = r.case
        category = case.category.name if case.category_id and case.category else _("未分类")
        rows.append(
            Row(
                label=(r.description or case.description)[:40] or category,
                url=reverse("cases:track", args=[r.tracking_code]),
                detail=_("%(s)s · %(c)s · %(d)s 上报")
                % {
                    "s": PUBLIC_STATE[State(case.state)],
                    "c": category,
                    "d": f"{timezone.localtime(r.reported_at):%m-%d}",
                },
                # the tracking page's rating form: the case closed, not yet rated by me
                action=_("评价") if r.awaits_rating else "",
            )
        )
    return [
        Item(
            "reports",
            _("我反映的问题"),
            count,
            # the portal's 我的上报: every report of mine with its state, made for a phone
            reverse("citizens:p_my", args=[city_code]),
            rows,
            capped=capped,
        )
    ]


# --- registration ----------------------------------------------------------------------------


def once(provider: ItemProvider) -> ItemProvider:
    """The citizen section's copy of an item the volunteer section shows already."""

    def citizen_only(scope: Scope, today: date) -> Any:
        return [] if Role.VOLUNTEER in scope.roles else provider(scope, today)

    citizen_only.__name__ = f"{provider.__name__}_once"
    return citizen_only


def register() -> None:
    """Called from ``DashboardConfig.ready``."""
    providers: dict[str, list[tuple[str, Callable[[Scope, date], Any]]]] = {
        "volunteer": [
            ("activities", volunteer_activities),
            ("hours", volunteer_hours),
            ("moral", moral_points),
            ("outlet", outlet_cashier),
            ("reports", my_reports),
        ],
        "citizen": [
            ("outlet", once(outlet_cashier)),
            ("moral", once(moral_points)),
            ("reports", once(my_reports)),
        ],
    }
    register_items(providers)
