"""Every link a role's menu offers opens for that role: a page the viewer would be refused is
not in their menu (the walk through the demo found 上报问题 for a leader, 汇报与信息 for a grid
worker and 兑换点收银 for everyone: the cashier page is offered on the clerk's own pages)."""

import re

import pytest

from chuangwen.org.choices import Role, UnitKind
from chuangwen.volunteers.moral.services import bank as bank_services
from tests.factories import SYSTEM, SmallCity, person

pytestmark = pytest.mark.django_db

MENU = re.compile(r'<a class="(?:dropdown-item|nav-link)" href="(/[^"]*)"')


@pytest.fixture
def town():
    return SmallCity()


def _menu(client) -> list[str]:
    page = client.get("/")
    assert page.status_code == 200
    return sorted(set(MENU.findall(page.content.decode())))


def _refused(client, links: list[str]) -> dict[str, int]:
    return {
        url: status for url in links if (status := client.get(url).status_code) not in (200, 302)
    }


@pytest.mark.parametrize(
    "who", ["office", "leader", "liaison_a", "dept_liaison", "grid_worker_a", "citizen"]
)
def test_every_menu_link_of_a_role_opens(town, client_for, who):
    client = client_for(getattr(town, who))
    links = _menu(client)
    assert links
    assert _refused(client, links) == {}


def test_an_inspector_and_a_volunteer_are_offered_only_what_opens(town, client_for):
    for role in (Role.INSPECTOR, Role.VOLUNTEER):
        client = client_for(person(town.city, town.street_a, role, name=str(role)))
        assert _refused(client, _menu(client)) == {}


def test_the_menu_follows_the_roles(town, client_for):
    leader = _menu(client_for(town.leader))
    assert "/cases/new/" not in leader  # a leader reads, reports nothing
    assert "/assessment/submissions/" in leader
    grid = _menu(client_for(town.grid_worker_a))
    assert "/cases/new/" in grid
    assert "/assessment/submissions/" not in grid  # not a unit's liaison
    assert "/volunteers/bank/outlet/" not in grid
    assert "/assessment/submissions/" in _menu(client_for(town.liaison_a))


def test_a_citizen_or_volunteer_is_offered_their_own_things_not_the_staff_lists(town, client_for):
    volunteer = person(town.city, town.community_a, Role.VOLUNTEER, name="志愿者")
    for who in (town.citizen, volunteer):
        links = _menu(client_for(who))
        assert {"/volunteers/me/", "/volunteers/bank/me/"} <= set(links)
        assert not {"/org/units/", "/tasks/", "/cases/", "/assessment/periods/"} & set(links)
    assert "/org/units/" in _menu(client_for(town.grid_worker_a))


def test_an_outlet_clerk_finds_the_cashier_page_on_their_moral_bank_page(town, client_for):
    community = town.community_a
    assert community.kind == UnitKind.COMMUNITY
    bank = bank_services.create_bank(community, acting_user=SYSTEM)
    outlet = bank_services.create_outlet(bank, name="便民超市", acting_user=SYSTEM)
    cashier = 'href="/volunteers/bank/outlet/"'
    assert cashier not in client_for(town.citizen).get("/volunteers/bank/me/").content.decode()
    bank_services.add_outlet_member(outlet, town.citizen, acting_user=SYSTEM)
    client = client_for(town.citizen)
    assert cashier in client.get("/volunteers/bank/me/").content.decode()
    assert client.get("/volunteers/bank/outlet/").status_code == 200
    assert _refused(client, _menu(client)) == {}
