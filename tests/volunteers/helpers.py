"""Test data for volunteer service, made through the services."""

import datetime as dt
import itertools

from django.utils import timezone

from chuangwen.org.actors import PUBLIC, SYSTEM
from chuangwen.org.choices import UnitKind
from chuangwen.volunteers import idcard, services
from chuangwen.volunteers.choices import OrganiserKind
from tests.factories import PASSWORD, SmallCity

_seq = itertools.count(1)
PLACE = (113.005, 28.005)  # inside community A's grid


def id_number(n: int | None = None) -> str:
    n = next(_seq) if n is None else n
    return idcard.make_id_number("990102", dt.date(1990, 1, 1) + dt.timedelta(days=n), n)


def register(city, area, name="志愿者", phone=None, number=None):
    n = next(_seq)
    return services.register_volunteer(
        city,
        services.Registration(
            name=name,
            phone=phone or f"139{n:08d}",
            id_number=number or id_number(n),
            area=area,
            password=PASSWORD,
        ),
        acting_user=PUBLIC,
    )


def activity(city, unit, *, kind=OrganiserKind.UNIT, team=None, capacity=10, start=None, hours=4,
             actor=SYSTEM, place=PLACE):  # fmt: skip
    start = start or timezone.now() - dt.timedelta(minutes=150)
    return services.create_activity(
        city,
        services.ActivityData(
            title=f"文明劝导活动{next(_seq)}",
            organiser_kind=kind,
            unit=unit,
            team=team,
            place="人民广场",
            lon=place[0],
            lat=place[1],
            starts_at=start,
            ends_at=start + dt.timedelta(hours=hours),
            capacity=capacity,
        ),
        acting_user=actor,
    )


class VolunteerCity:
    """SmallCity with a volunteer in community A and an activity of community A running now."""

    def __init__(self, sc: SmallCity | None = None) -> None:
        self.sc = sc or SmallCity()
        self.city = self.sc.city
        assert self.sc.community_a.kind == UnitKind.COMMUNITY
        self.volunteer = register(self.city, self.sc.community_a, name="李志愿")
        self.user = self.volunteer.person.user
        self.activity = activity(self.city, self.sc.community_a, kind=OrganiserKind.COMMUNITY)

    def check(self, action, *, at=None, place=PLACE, volunteer=None, activity=None, token=None):
        activity = activity or self.activity
        volunteer = volunteer or self.volunteer
        return services.check_in_or_out(
            activity,
            volunteer,
            token=token or services.checkin_token(activity, action),
            lon=place[0] if place else None,
            lat=place[1] if place else None,
            at=at,
            acting_user=volunteer.person.user,
        )
