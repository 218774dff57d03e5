import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from chuangwen.core.models import ApiToken, AuditEvent
from chuangwen.core.services import issue_api_token, revoke_api_token
from chuangwen.org.actors import SYSTEM
from chuangwen.org.models import Unit
from tests.org.test_services import UNIT_HEADERS, xlsx


def who(c, name):
    return getattr(c, name)


# (url builder, {person attribute: expected status})
MATRIX = [
    (
        lambda c: f"/org/units/{c.district_a.pk}/",
        {
            "office": 200,
            "leader": 200,
            "liaison_a": 200,
            "liaison_b": 404,
            "dept_liaison": 404,
            "citizen": 404,
        },
    ),
    (
        lambda c: f"/org/units/{c.community_b.pk}/",
        {"office": 200, "leader": 200, "liaison_a": 404, "liaison_b": 200, "grid_worker_a": 404},
    ),
    (lambda c: "/org/units/", {"office": 200, "leader": 200, "liaison_a": 200, "citizen": 200}),
    (lambda c: "/org/people/", {"office": 200, "liaison_a": 200}),
    (lambda c: "/org/grids/", {"office": 200, "grid_worker_a": 200}),
    (lambda c: "/org/grids/map/", {"office": 200, "liaison_b": 200}),
    (lambda c: "/org/import/", {"office": 200, "leader": 403, "liaison_a": 403}),
    (lambda c: "/audit/", {"office": 200, "leader": 403, "liaison_a": 403}),
    (lambda c: "/org/export/units.xlsx", {"office": 200, "liaison_a": 200}),
    (lambda c: "/org/export/nothing.xlsx", {"office": 404}),
    (
        lambda c: f"/api/org/units/{c.district_b.pk}",
        {"office": 200, "leader": 200, "liaison_a": 404, "liaison_b": 200},
    ),
    (
        lambda c: f"/api/org/grids/{c.grid_a.pk}",
        {"office": 200, "liaison_a": 200, "liaison_b": 404, "grid_worker_a": 200},
    ),
    (
        lambda c: f"/api/org/people/{c.liaison_a.pk}",
        {"office": 200, "liaison_a": 200, "liaison_b": 404},
    ),
    (lambda c: "/api/org/units/999999", {"office": 404}),
]


@pytest.mark.parametrize(("url", "expected"), MATRIX)
def test_permission_matrix(small_city, client_for, url, expected):
    for person_attr, status in expected.items():
        response = client_for(who(small_city, person_attr)).get(url(small_city))
        assert response.status_code == status, (person_attr, url(small_city))
    anonymous = Client().get(url(small_city))
    assert anonymous.status_code in (302, 401)


def test_scoped_lists_show_only_the_subtree(small_city, client_for):
    c = small_city
    page = client_for(c.liaison_a).get("/org/units/").content.decode()
    assert "甲社区" in page and "乙社区" not in page
    page = client_for(c.office).get("/org/units/").content.decode()
    assert "甲社区" in page and "乙社区" in page
    data = client_for(c.liaison_b).get("/api/org/grids").json()
    assert [g["code"] for g in data["items"]] == [c.grid_b.code]
    geo = client_for(c.liaison_a).get("/org/grids/geojson/").json()
    assert [f["properties"]["code"] for f in geo["features"]] == [c.grid_a.code]


def test_people_list_masks_phones(small_city, client_for):
    c = small_city
    page = client_for(c.office).get("/org/people/").content.decode()
    assert c.liaison_a.phone not in page
    assert c.liaison_a.masked_phone in page
    api = client_for(c.office).get("/api/org/people").json()
    assert all("*" in p["masked_phone"] for p in api["items"])


def test_list_pages_do_not_grow_queries_with_rows(
    small_city, client_for, django_assert_max_num_queries
):
    from tests import factories

    c = small_city
    for _ in range(30):
        factories.person(c.city, c.community_a)
    client = client_for(c.office)
    for url in [
        "/org/people/",
        "/org/grids/",
        "/org/units/",
        "/api/org/people?limit=100",
        "/api/org/units?limit=100",
        "/api/org/grids",
    ]:
        with django_assert_max_num_queries(14):
            assert client.get(url).status_code == 200


def test_import_page_shows_every_error_and_changes_nothing(small_city, client_for):
    c = small_city
    before = Unit.objects.count()
    data = xlsx(UNIT_HEADERS, [["A1", "", "NOPE", "火星", ""]])
    f = io.BytesIO(data)
    f.name = "units.xlsx"
    response = client_for(c.office).post("/org/import/", {"kind": "units", "file": f})
    assert response.status_code == 400
    page = response.content.decode()
    assert "导入失败" in page and "上级单位「NOPE」不存在" in page and "不是有效的单位类型" in page
    assert Unit.objects.count() == before


def test_import_page_refuses_wrong_file_type(small_city, client_for):
    f = io.BytesIO(b"hello")
    f.name = "units.csv"
    response = client_for(small_city.office).post("/org/import/", {"kind": "units", "file": f})
    assert response.status_code == 400
    assert "文件类型不符" in response.content.decode()


def test_import_page_success_and_export_round_trip(small_city, client_for):
    c = small_city
    client = client_for(c.office)
    exported = client.get("/org/export/units.xlsx").content
    rows = list(load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))
    assert rows[0] == tuple(UNIT_HEADERS)
    assert len(rows) - 1 == Unit.objects.filter(city=c.city).count()
    data = xlsx(UNIT_HEADERS, [["NEW1", "新单位", c.hq.code, "职能部门", "条"]])
    f = io.BytesIO(data)
    f.name = "u.xlsx"
    response = client.post("/org/import/", {"kind": "units", "file": f}, follow=True)
    assert "导入成功" in response.content.decode()
    assert Unit.objects.filter(code="NEW1", parent=c.hq).exists()
    # re-importing the export changes nothing but is accepted
    f = io.BytesIO(client.get("/org/export/units.xlsx").content)
    f.name = "again.xlsx"
    assert client.post("/org/import/", {"kind": "units", "file": f}).status_code == 302


def test_locate_endpoint(small_city, client_for):
    client = client_for(small_city.liaison_a)
    r = client.get("/org/locate/", {"lon": 113.005, "lat": 28.005}).json()
    assert r["grid"]["code"] == small_city.grid_a.code
    assert client.get("/org/locate/", {"lon": 1, "lat": 1}).json()["grid"] is None
    bad = client.get("/org/locate/", {"lon": "x", "lat": 1})
    assert bad.status_code == 400 and "经纬度" in bad.json()["message"]
    api = client.get("/api/org/locate", {"lon": 113.015, "lat": 28.005}).json()
    assert api["found"] and api["grid_code"] == small_city.grid_b.code


def test_api_token_auth(small_city):
    token, raw = issue_api_token(small_city.liaison_a.user, name="网格员APP", acting_user=SYSTEM)
    assert ApiToken.objects.get().digest != raw  # only the hash is stored
    client = Client()
    ok = client.get("/api/org/units", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert ok.status_code == 200
    assert {u["name"] for u in ok.json()["items"]} == {"甲区", "甲街道", "甲社区"}
    assert client.get("/api/org/units", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    revoke_api_token(token, acting_user=SYSTEM)
    assert client.get("/api/org/units", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEvent.objects.filter(code="core.api_token.revoked").exists()


def test_api_errors_are_json_in_chinese(small_city, client_for):
    r = client_for(small_city.liaison_a).get(f"/api/org/units/{small_city.district_b.pk}")
    assert r.status_code == 404
    assert r.json() == {"code": "not_found", "message": "对象不存在或无权访问"}


def test_grid_map_page_carries_tile_setting(small_city, client_for, settings):
    settings.MAP_TILE_URL = ""
    page = client_for(small_city.office).get("/org/grids/map/").content.decode()
    assert 'data-tiles=""' in page
