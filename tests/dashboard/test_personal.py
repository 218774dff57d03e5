"""The workbench of the people the city serves, through the home page: a volunteer's
activities to come (and what to do on the day), activities open to join, hours and points; an
outlet clerk's cashier; a citizen's own reports. Each link and button leads where the job is
done; the providers' queries do not grow with the number of activities, outlets or reports."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from chuangwen.cases.choices import Source, State
from chuangwen.cases.models import Case, Report
from chuangwen.dashboard import personal
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role
from chuangwen.org.scope import scope_for_user
from chuangwen.volunteers import services as volunteers
from chuangwen.volunteers.choices import CheckAction
from chuangwen.volunteers.models import Activity
from chuangwen.volunteers.moral import services as moral
from tests import factories
from tests.cases.conftest import CaseCity
from tests.conftest import login
from tests.volunteers.helpers import VolunteerCity, activity, id_number, register
from tests.volunteers.moral.helpers import MoralCity

pytestmark = pytest.mark.django_db

EMPTY = "您的账号没有需要在工作台办理的事项"


def card(html: str, key: str) -> str:
    """The HTML of one workbench card (``section.item``)."""
    m = re.search(
        rf'<div class="card[^"]*" data-item="{re.escape(key)}">(.*?)\n    </div>\n', html, re.S
    )
    assert m, f"no card {key}"
    return m.group(1)


def cards(html: str) -> set[str]:
    return set(re.findall(r'data-item="([\w.]+)"', html))


def nothing(html: str) -> str:
    m = re.search(r'data-testid="nothing">(.*?)</p>', html, re.S)
    return m.group(1) if m else ""


def home(person) -> str:
    response = login(person).get("/")
    assert response.status_code == 200
    return response.text


def _in(days: int, hour: int = 9) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


# --- volunteers ------------------------------------------------------------------------------


def test_a_volunteer_sees_the_activities_to_come_and_what_to_do_on_the_day(small_city):
    vc = VolunteerCity(small_city)  # an activity of community A running now
    me = vc.volunteer
    a = small_city.community_a
    tomorrow = activity(vc.city, a, start=_in(1))
    past = activity(vc.city, a, start=_in(1, 18))
    joinable = activity(vc.city, a, start=_in(2, 14), capacity=5)
    full = activity(vc.city, a, start=_in(2, 15), capacity=1)
    volunteers.sign_up(full, register(vc.city, a, name="别人"), acting_user=SYSTEM)
    for act in (vc.activity, tomorrow, past):
        volunteers.sign_up(act, me, acting_user=me.person.user)
    # (signed up for when it was still to come)
    Activity.objects.filter(pk=past.pk).update(starts_at=_in(-3), ends_at=_in(-3, 12))

    html = home(me.person)
    assert EMPTY not in html
    mine = card(html, "volunteer.my_activities")
    # running now first, then tomorrow's; the one three days ago is gone
    assert mine.index(vc.activity.title) < mine.index(tomorrow.title)
    assert past.title not in mine
    assert f'href="/volunteers/activities/{vc.activity.pk}/"' in mine
    assert f'href="/volunteers/activities/{tomorrow.pk}/"' in mine
    assert "明天 09:00" in mine and "人民广场" in mine
    # on the day: check in by the organiser's QR code (the only check-in the app has: a
    # signed code that changes every few minutes, shown at the place) — not for tomorrow's
    notes = re.findall(r'data-testid="row-note">([^<]*)<', mine)
    assert notes == ["到达现场后，用手机扫描组织方出示的签到二维码"]
    assert "/volunteers/scan/" not in html
    # open to join: only the one with room left, with the sign-up button to its page
    open_ = card(html, "volunteer.open_activities")
    assert joinable.title in open_ and full.title not in open_ and tomorrow.title not in open_
    assert re.search(
        rf'href="/volunteers/activities/{joinable.pk}/" data-testid="act">报名<', open_
    )

    # the activity page of the row answers and tells how to check in
    page = login(me.person).get(f"/volunteers/activities/{vc.activity.pk}/")
    assert page.status_code == 200 and "扫描组织方出示的签到二维码" in page.text
    # checked in by the code: the workbench says so, and how to check out
    vc.check(CheckAction.IN)
    mine = card(home(me.person), "volunteer.my_activities")
    assert "服务结束时扫描签退二维码" in mine and "已签到" in mine
    # the sign-up button's page signs up: the activity moves to mine
    client = login(me.person)
    assert client.get(f"/volunteers/activities/{joinable.pk}/").status_code == 200
    client.post(f"/volunteers/activities/{joinable.pk}/signup/")
    html = home(me.person)
    assert joinable.title in card(html, "volunteer.my_activities")
    assert "volunteer.open_activities" not in cards(html)
    assert "可报名的活动" in nothing(html)


def test_a_volunteer_sees_hours_and_points_and_a_new_one_has_nothing_yet(small_city):
    vc = VolunteerCity(small_city)
    me = vc.volunteer
    # nothing yet: every item under 暂无, no card
    html = home(me.person)
    assert EMPTY not in html
    assert not {k for k in cards(html) if k != "volunteer.open_activities"}
    assert "我报名的活动" in nothing(html) and "我的服务时长" in nothing(html)
    # served, confirmed by the organiser: hours this year and in all; the bank credits points
    mc = MoralCity(small_city)
    volunteers.sign_up(vc.activity, me, acting_user=me.person.user)
    now = timezone.now()
    vc.check(CheckAction.IN, at=now - dt.timedelta(minutes=120))
    vc.check(CheckAction.OUT, at=now)
    volunteers.confirm_hours(vc.activity, acting_user=SYSTEM)
    me.refresh_from_db()
    html = home(me.person)
    hours = card(html, "volunteer.hours")
    assert "今年 2.0 小时 · 累计 2.0 小时" in hours
    assert "再服务至 100 小时可升星" in hours
    points = card(html, "volunteer.moral")
    assert "余额 4 分" in points  # 2 points an hour
    assert 'href="/volunteers/bank/me/"' in points
    assert login(me.person).get("/volunteers/bank/me/").status_code == 200
    assert mc.bank_a.accounts.filter(person=me.person).exists()  # the hours earned there


# --- citizens: outlet clerks, holders, reporters ---------------------------------------------


def test_a_clerk_sees_the_cashier_with_todays_redemptions(small_city):
    mc = MoralCity(small_city)
    html = home(mc.clerk)
    assert EMPTY not in html
    cashier = card(html, "citizen.outlet")
    assert "兑换点收银" in cashier and "爱心超市 · 幸福路 1 号" in cashier
    assert "今日兑换 0 笔，共 0 分" in cashier
    assert 'href="/volunteers/bank/outlet/"' in cashier
    # the button's page is the cashier; a redemption there counts today
    client = login(mc.clerk)
    assert client.get("/volunteers/bank/outlet/").status_code == 200
    mc.fund()
    moral.redeem_points(mc.outlet, mc.code(), 30, key="k1", acting_user=mc.clerk.user)
    assert "今日兑换 1 笔，共 30 分" in card(home(mc.clerk), "citizen.outlet")
    # the holder sees the points left, and the link to 我的道德银行
    holder = card(home(mc.holder), "citizen.moral")
    assert "余额 70 分" in holder and 'href="/volunteers/bank/me/"' in holder
    assert "citizen.outlet" not in cards(home(mc.holder))


def test_a_clerk_of_two_outlets_has_a_button_for_each(small_city):
    mc = MoralCity(small_city)
    other = moral.create_outlet(mc.bank_b, name="便民理发店", acting_user=SYSTEM)
    moral.add_outlet_member(other, mc.clerk, acting_user=SYSTEM)
    cashier = card(home(mc.clerk), "citizen.outlet")
    assert f'href="/volunteers/bank/outlet/{other.pk}/" data-testid="act">收银<' in cashier
    assert f'href="/volunteers/bank/outlet/{mc.outlet.pk}/" data-testid="act">收银<' in cashier
    assert login(mc.clerk).get(f"/volunteers/bank/outlet/{other.pk}/").status_code == 200


def test_a_citizen_with_neither_sees_the_empty_message(small_city):
    MoralCity(small_city)  # a bank, an outlet, a holder — none of them this citizen's
    citizen = factories.person(small_city.city, small_city.community_a, Role.CITIZEN, name="路人")
    html = home(citizen)
    assert EMPTY in html
    assert not cards(html) and 'data-section="citizen"' not in html


def test_a_citizen_follows_the_problems_they_reported_and_rates_the_closed_one(small_city):
    cc = CaseCity(small_city)
    citizen = small_city.citizen
    first = cc.intake(text="小区门口垃圾满溢", source=Source.CITIZEN, acting_user=citizen.user)
    second = cc.intake(
        text="人行道井盖缺失", source=Source.CITIZEN, acting_user=citizen.user, point=None
    )
    cc.intake(text="别人反映的护栏倒伏", source=Source.CITIZEN)  # not by this citizen
    reports = card(home(citizen), "citizen.reports")
    assert 'data-testid="count">2<' in reports
    assert "别人反映的护栏倒伏" not in reports
    assert f'href="/cases/track/{first.report.tracking_code}/"' in reports
    assert "已受理，待审核" in reports and 'data-testid="act"' not in reports
    # closed: the rating button, to the tracking page where the form is; rating it ends it
    Case.objects.filter(pk=second.case.pk).update(state=State.CLOSED)
    reports = card(home(citizen), "citizen.reports")
    track = f"/cases/track/{second.report.tracking_code}/"
    assert f'href="{track}" data-testid="act">评价<' in reports
    client = login(citizen)
    assert client.get(track).status_code == 200
    my = f"/citizens/p/{small_city.city.code}/my/"
    assert ">评价<" in client.get(my).content.decode()  # the closed one waits for my rating
    client.post(track, {"rating": 5, "comment": "处理及时"})
    reports = card(home(citizen), "citizen.reports")
    assert track not in reports and 'data-testid="count">1<' in reports
    # the card's own link: the portal's 我的上报, where every report of the account is listed
    assert f'href="{my}"' in reports
    page = client.get(my).content.decode()
    listed = page.split('data-testid="account-reports"')[1].split("</ul>")[0]
    assert first.report.tracking_code in listed and second.report.tracking_code in listed
    assert "小区门口垃圾满溢" in listed  # in my own words
    assert "已受理，待审核" in listed and ">评价<" not in listed  # rated already: no button
    others = Report.objects.exclude(reporter=citizen).values_list("tracking_code", flat=True)
    assert others and not any(code in page for code in others)
    assert 'data-testid="account-reports"' not in Client().get(my).content.decode()


def test_a_clerk_who_also_volunteers_sees_the_cashier_once(small_city):
    mc = MoralCity(small_city)
    volunteers.enroll_person(
        mc.clerk, id_number=id_number(), area=small_city.community_a, acting_user=SYSTEM
    )
    html = home(mc.clerk)
    assert "volunteer.outlet" in cards(html)
    assert "citizen.outlet" not in cards(html) and 'data-section="citizen"' not in html


# --- queries ---------------------------------------------------------------------------------


def _queries(fn, scope) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn(scope, timezone.localdate())
    return len(ctx.captured_queries)


PROVIDERS = [
    personal.volunteer_activities,
    personal.volunteer_hours,
    personal.moral_points,
    personal.outlet_cashier,
    personal.my_reports,
]


def test_the_providers_answer_in_as_many_queries_with_more_activities_outlets_and_reports(
    small_city,
):
    """One person who is a volunteer, a holder, a clerk and a reporter: every provider has
    something to show; then five times as much of everything."""
    vc = VolunteerCity(small_city)
    mc = MoralCity(small_city)
    me = vc.volunteer.person
    cc = CaseCity(small_city)
    a = small_city.community_a
    moral.add_outlet_member(mc.outlet, me, acting_user=SYSTEM)
    moral.open_account(mc.bank_a, me, acting_user=SYSTEM)
    mc.fund()  # the holder's points, spent at my outlets

    def more(k: int) -> None:
        mine = activity(vc.city, a, start=_in(k + 1))
        volunteers.sign_up(mine, vc.volunteer, acting_user=SYSTEM)
        activity(vc.city, a, start=_in(k + 1, 15))  # open to join
        outlet = moral.create_outlet(mc.bank_a, name=f"兑换点{k}", acting_user=SYSTEM)
        moral.add_outlet_member(outlet, me, acting_user=SYSTEM)
        moral.redeem_points(outlet, mc.code(), 1, key=f"r{k}", acting_user=me.user)
        case = cc.intake(
            text=f"第{k}处井盖缺失", source=Source.CITIZEN, acting_user=me.user, point=None
        ).case
        if k % 2:
            Case.objects.filter(pk=case.pk).update(state=State.CLOSED)

    more(0)
    more(1)
    scope = scope_for_user(me.user)
    shown = {fn.__name__: fn(scope, timezone.localdate()) for fn in PROVIDERS}
    assert all(shown.values()), [k for k, v in shown.items() if not v]
    before = {fn.__name__: _queries(fn, scope) for fn in PROVIDERS}
    for k in range(2, 12):
        more(k)
    after = {fn.__name__: _queries(fn, scope) for fn in PROVIDERS}
    assert after == before
    assert max(after.values()) <= 6
