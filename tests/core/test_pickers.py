"""Search pickers' endpoints: scoped to the user (a district cannot search another district's
people or units), bounded (20 rows a page, 50 pages, clipped queries, at most 20 ``values``),
garbage ignored (never a 500), rate-limited; and the forms that used to list hundreds of
options render a search picker holding only the chosen value."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from chuangwen.citizens.voice.models import Topic, TopicStatus
from chuangwen.core import widgets
from chuangwen.indicators.services import load_evaluation_system
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import Unit
from chuangwen.volunteers.models import Team
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_limits(db):
    cache.clear()
    yield
    cache.clear()


def _texts(response) -> list[str]:
    assert response.status_code == 200, response.content[:200]
    return [r["text"] for r in response.json()["results"]]


def test_a_district_cannot_search_another_districts_people(small_city, client_for):
    client = client_for(small_city.liaison_a)
    url = reverse("org:pick_people")
    found = _texts(client.get(url, {"q": "联络员"}))
    assert "甲区联络员" in found and "乙区联络员" not in found
    assert _texts(client.get(url, {"q": "乙"})) == []
    # the office finds both
    office = _texts(client_for(small_city.office).get(url, {"q": "区联络员"}))
    assert {"甲区联络员", "乙区联络员"} <= set(office)


def test_a_district_cannot_search_or_resolve_another_districts_units(small_city, client_for):
    client = client_for(small_city.liaison_a)
    url = reverse("org:pick_units")
    assert "乙社区" not in _texts(client.get(url, {"q": "社区"}))
    assert "甲社区" in _texts(client.get(url, {"q": "社区"}))
    # a label of a unit out of scope is not given away through ?values=
    other = str(small_city.community_b.pk)
    assert _texts(client.get(url, {"values": other})) == []
    # ?under= a unit out of scope narrows to nothing
    assert _texts(client.get(url, {"under": other})) == []


def test_under_and_role_narrow_people_to_a_subtree(small_city, client_for):
    client = client_for(small_city.office)
    url = reverse("org:pick_people")
    found = _texts(client.get(url, {"role": "grid_worker", "under": small_city.street_a.pk}))
    assert found == ["甲网格员"]
    assert _texts(client.get(url, {"role": "grid_worker", "under": small_city.street_b.pk})) == []
    units = _texts(client.get(reverse("org:pick_units"), {"under": small_city.district_a.pk}))
    assert set(units) == {"甲街道", "甲社区"}


def test_answers_are_bounded_and_paged(small_city, client_for):
    c = small_city.city
    for i in range(widgets.PICK_PAGE + 5):
        factories.unit(c, UnitKind.COMMUNITY, parent=small_city.street_a, name=f"测试社区{i:02d}")
    client = client_for(small_city.office)
    url = reverse("org:pick_units")
    first = client.get(url, {"q": "测试社区"}).json()
    assert len(first["results"]) == widgets.PICK_PAGE and first["next"]
    second = client.get(first["next"]).json()
    assert len(second["results"]) == 5 and second["next"] is None
    # the query is clipped, the page bounded, values capped: never a 500
    for params in (
        {"q": "x" * 10_000},
        {"page": "99999999999999999999"},
        {"page": "-1"},
        {"page": "abc"},
        {"values": ",".join(str(i) for i in range(1000))},
        {"values": "abc,%00,99999999999999999999999"},
        {"under": "abc"},
        {"under": "99999999999999999999"},
        {"exclude": "-1"},
        {"axis": "nope", "kind": "nope", "role": "nope"},
    ):
        r = client.get(url, params)
        assert r.status_code == 200, params
        assert len(r.json()["results"]) <= widgets.PICK_PAGE
    many = client.get(
        url, {"values": ",".join(str(u.pk) for u in Unit.objects.filter(city=c))}
    ).json()
    assert len(many["results"]) <= widgets.PICK_VALUES_MAX


@pytest.mark.parametrize(
    "name", ["org:pick_units", "org:pick_people", "org:pick_grids", "cases:pick_categories",
             "cases:pick_cases", "indicators:pick_indicators", "indicators:pick_site_types",
             "indicators:pick_negative_items", "volunteers:pick_teams"]
)  # fmt: skip
def test_every_picker_needs_a_login_and_answers_json(small_city, client_for, client, name):
    url = reverse(name)
    assert client.get(url).status_code in (302, 401, 403)
    r = client_for(small_city.liaison_a).get(url, {"q": "甲", "page": "2"})
    assert r.status_code == 200 and set(r.json()) == {"results", "next"}


def test_pickers_are_rate_limited(small_city, client_for, monkeypatch):
    monkeypatch.setattr(widgets, "PICK_LIMIT", (3, 60))
    client = client_for(small_city.office)
    url = reverse("org:pick_units")
    codes = [client.get(url, {"q": "区"}).status_code for _ in range(5)]
    assert codes[:3] == [200, 200, 200] and codes[3:] == [429, 429]


def test_hot_topics_are_searched_by_the_office_only(small_city, client_for):
    c = small_city.city
    target = Topic.objects.create(city=c, name="幸福小区烧烤油烟", heat=5)
    other = Topic.objects.create(city=c, name="幸福路噪音", heat=3)
    Topic.objects.create(city=c, name="幸福路积水", status=TopicStatus.DISCARDED)
    Topic.objects.create(city=factories.city(code="other"), name="幸福路外市")
    url = reverse("citizens:pick_topics")
    office = client_for(small_city.office)
    assert _texts(office.get(url, {"q": "幸福", "exclude": target.pk})) == ["幸福路噪音"]
    assert client_for(small_city.liaison_a).get(url).status_code == 403
    # the topic page's merge form searches it and merges what was picked
    page = office.get(reverse("citizens:topic", args=[target.pk])).content.decode()
    assert f'data-cw-picker="{url}?exclude={target.pk}"' in page
    office.post(reverse("citizens:topic_action", args=[target.pk, "merge"]), {"others": other.pk})
    other.refresh_from_db()
    assert other.merged_into_id == target.pk


def test_negative_list_items_by_code_or_text(small_city, client_for):
    system = load_evaluation_system(small_city.city, activate=True, acting_user=SYSTEM)
    item = system.negative_items.order_by("sort", "code").first()
    url = reverse("indicators:pick_negative_items")
    client = client_for(small_city.liaison_a)
    every = client.get(url).json()["results"]
    assert len(every) == system.negative_items.count()
    assert _texts(client.get(url, {"q": item.text[2:8]}))[0].startswith(item.code)
    assert _texts(client.get(url, {"q": item.code, "system": system.pk}))[0].startswith(item.code)


def test_teams_to_organise_and_teams_to_join(small_city, client_for):
    from chuangwen.volunteers import services as volunteers
    from tests.volunteers.helpers import register

    c = small_city.city
    for unit in (small_city.community_a, small_city.community_b):
        volunteers.create_team(
            c, name=f"{unit.name}服务队", unit=unit, acting_user=small_city.office.user
        )
    url = reverse("volunteers:pick_teams")
    liaison = client_for(small_city.liaison_a)
    assert _texts(liaison.get(url, {"managed": "1"})) == ["甲社区服务队"]  # its own district's
    assert set(_texts(liaison.get(url))) == {"甲社区服务队", "乙社区服务队"}  # anyone may join
    volunteer = register(c, small_city.community_a)
    volunteers.join_team(
        volunteer, Team.objects.get(name="甲社区服务队"), acting_user=volunteer.person.user
    )
    mine = client_for(volunteer.person)
    assert _texts(mine.get(url, {"joinable": "1"})) == ["乙社区服务队"]
    assert 'data-cw-picker="/volunteers/teams/pick/?joinable=1"' in (
        mine.get(reverse("volunteers:me")).content.decode()
    )


def test_public_areas_are_the_citys_streets_and_communities_by_name(small_city, monkeypatch):
    """The volunteer registration page (no account) picks where one lives: names of streets
    and communities only, of the city asked for, counted per client address."""
    client = Client()
    url = reverse("org:public_areas")
    code = small_city.city.code
    assert set(_texts(client.get(url, {"city": code}))) == {"甲街道", "甲社区", "乙街道", "乙社区"}
    assert _texts(client.get(url, {"city": code, "q": "乙"})) == ["乙街道", "乙社区"]
    assert _texts(client.get(url, {"city": "nowhere"})) == []
    assert _texts(client.get(url)) == []
    row = client.get(url, {"city": code, "q": "甲社区"}).json()["results"][0]
    assert set(row) == {"value", "text", "hint"}  # nothing personal
    page = client.get(reverse("volunteers:register", args=[code])).content.decode()
    assert f'data-cw-picker="{url}?city={code}"' in page and ">乙社区<" not in page
    monkeypatch.setattr(widgets, "PICK_LIMIT", (2, 60))
    cache.clear()
    assert [client.get(url, {"city": code}).status_code for _ in range(3)] == [200, 200, 429]
    other = Client(REMOTE_ADDR="10.0.0.2")  # another address has its own count
    assert other.get(url, {"city": code}).status_code == 200


def test_forms_render_pickers_not_long_selects(small_city, client_for):
    """The unit fields of forms that used to list every unit of the city hold only the
    chosen option and search the endpoint."""
    client = client_for(small_city.office)
    for name in (
        "citizens:campaign_create",
        "assessment:accountability_new",
        "assessment:finding_new",
        "assessment:report_templates",
        "volunteers:teams",
        "volunteers:activity_new",
    ):
        body = client.get(reverse(name)).content.decode()
        assert 'data-cw-picker="/' in body, name
        assert body.count(">乙社区<") == 0, name  # no option per unit
        # no select of units, teams or negative-list items lists its options
        for select in re.findall(r'<select name="(?:units|unit|team|item)"[^>]*>', body):
            assert "data-cw-picker" in select, (name, select)
    membership_roles = {m.role for m in small_city.office.memberships.all()}
    assert Role.OFFICE_ADMIN in membership_roles
