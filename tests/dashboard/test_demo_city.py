"""The workbenches and the cockpit on the demo city: every role lands on its own to-dos, the
cockpit fills every panel (none left "待接入"), acting on a to-do removes it."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from chuangwen.cases import services as cases
from chuangwen.cases.models import Case
from chuangwen.dashboard.registry import cockpit_panels
from chuangwen.org.models import Person
from chuangwen.org.scope import scope_for_user
from tests.conftest import login

# each demo login and cards its workbench must show (section.item keys)
EXPECTED = {
    "office": {"office.to_register", "office.to_dispatch", "office.to_close", "office.risks"},
    "leader": {"leader.lagging_closure", "leader.accountability"},
    "district": {"liaison.inbox", "liaison.tasks_due", "liaison.rank"},
    "street": {"liaison.inbox", "liaison.notices"},
    "inspector": {"inspector.sites"},
    "grid": {"grid.to_verify", "grid.patrol"},
}


def _as(username: str) -> Client:
    return login(Person.objects.get(user__username=username))


def _cards(html: str) -> set[str]:
    return set(re.findall(r'data-item="([\w.]+)"', html))


def _count(html: str, key: str) -> int:
    m = re.search(rf'data-item="{re.escape(key)}".*?data-testid="count">(\d+)', html, re.S)
    assert m, key
    return int(m.group(1))


@pytest.mark.django_db
def test_every_role_lands_on_its_own_work_and_the_cockpit_is_full():
    call_command("build_demo_city", "--small", stdout=io.StringIO())
    for username, cards in EXPECTED.items():
        html = _as(username).get("/").text
        assert cards <= _cards(html), (username, cards - _cards(html))
    # the cockpit: every panel filled with figures
    leader = Person.objects.get(user__username="leader")
    panels = cockpit_panels(scope_for_user(leader.user), timezone.localdate())
    assert {p.key for p in panels} >= {
        "score",
        "districts",
        "map",
        "campaigns",
        "volunteers",
        "redblack",
    }
    assert not [p.key for p in panels if p.pending]
    for p in panels:
        assert p.figures or p.rows or p.map, p.key
    data = _as("leader").get("/dashboard/cockpit/data/").json()
    assert {p["key"] for p in data["panels"]} >= {"campaigns", "volunteers", "redblack"}

    # acting on a to-do removes it: the office registers the first case waiting
    office = _as("office")
    before = _count(office.get("/").text, "office.to_register")
    first = (
        Case.objects.filter(city__code="demo", state="reported")
        .order_by("reported_at", "id")
        .first()
    )
    cases.register_case(first, acting_user=Person.objects.get(user__username="office").user)
    assert _count(office.get("/").text, "office.to_register") == before - 1
