"""Search pickers' endpoints: scoped to the user (a district cannot search another district's
people or units), bounded (20 rows a page, 50 pages, clipped queries, at most 20 ``values``),
garbage ignored (never a 500), rate-limited; and the forms that used to list hundreds of
options render a search picker holding only the chosen value."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from chuangwen.core import widgets
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import Unit
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
             "cases:pick_cases", "indicators:pick_indicators", "indicators:pick_site_types"]
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


def test_forms_render_pickers_not_long_selects(small_city, client_for):
    """The unit fields of forms that used to list every unit of the city hold only the
    chosen option and search the endpoint."""
    client = client_for(small_city.office)
    for name in (
        "citizens:campaign_create",
        "assessment:accountability_new",
        "volunteers:teams",
        "volunteers:activity_new",
    ):
        body = client.get(reverse(name)).content.decode()
        assert 'data-cw-picker="/' in body, name
        assert body.count(">乙社区<") == 0, name  # no option per unit
    membership_roles = {m.role for m in small_city.office.memberships.all()}
    assert Role.OFFICE_ADMIN in membership_roles
