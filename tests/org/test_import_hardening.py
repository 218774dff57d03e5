"""Organisation imports refuse what would corrupt the city, with Chinese messages naming the row;
the people export masks phone numbers as the pages do."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from chuangwen.core.errors import ImportFailed
from chuangwen.org import services
from chuangwen.org.models import Grid, Person, Unit
from tests.factories import square
from tests.org.test_services import GRID_HEADERS, PEOPLE_HEADERS, UNIT_HEADERS, xlsx


def _errors(call):
    with pytest.raises(ImportFailed) as info:
        call()
    return info.value.errors


def _features(*features):
    return json.dumps(
        {
            "type": "FeatureCollection",
            "features": [
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {"code": code, "unit_code": unit_code},
                }
                for code, unit_code, geometry in features
            ],
        }
    ).encode()


def _import_geojson(c, data):
    return services.import_grids(c.city, data, fmt="geojson", acting_user=c.office.user)


# --- grids ------------------------------------------------------------------------------------


def test_a_grid_far_outside_the_city_or_off_the_globe_is_refused(small_city):
    c = small_city
    unit = c.community_a.code
    data = _features(
        ("FAR", unit, square(121.4, 31.2)),  # Shanghai, not this city (113, 28)
        ("SWAP", unit, square(28.2, 70)),  # lat/lon swapped: a valid point in the Arctic
        ("MARS", unit, square(500, 95)),
    )
    errors = _errors(lambda: _import_geojson(c, data))
    by_row = {e.row: e.message for e in errors}
    assert set(by_row) == {1, 2, 3}
    assert "「FAR」" in by_row[1] and "超出本市范围" in by_row[1]
    assert "超出本市范围" in by_row[2]
    assert "「MARS」" in by_row[3] and "超出范围" in by_row[3]
    assert not Grid.objects.filter(code__in=["FAR", "SWAP", "MARS"]).exists()
    # a point there still resolves to no grid
    assert services.locate_point(c.city, 121.405, 31.205) is None


def test_a_grid_overlapping_an_existing_one_or_another_in_the_file_is_refused(small_city):
    c = small_city
    unit = c.community_a.code
    data = _features(
        ("OVER", unit, square(113.005, 28.005)),  # a quarter on grid_a, a quarter on grid_b
        ("N1", unit, square(113.05, 28.0)),
        ("N2", unit, square(113.055, 28.0)),  # half of N1
    )
    errors = _errors(lambda: _import_geojson(c, data))
    messages = [(e.row, e.message) for e in errors]
    assert any(r == 1 and f"已有网格「{c.grid_a.code}」" in m for r, m in messages)
    assert any(r == 1 and f"已有网格「{c.grid_b.code}」" in m for r, m in messages)
    assert any(r == 2 and "第 3 要素的网格「N2」" in m and "重叠" in m for r, m in messages)
    assert Grid.objects.count() == 2
    assert services.locate_point(c.city, 113.015, 28.005).code == c.grid_b.code


def test_neighbours_sharing_an_edge_with_a_digitising_sliver_are_accepted(small_city):
    c = small_city
    # east of grid_b (ends at 113.02), overlapping it by 0.1 m
    sliver = square(113.02 - 0.000001, 28.0)
    assert _import_geojson(c, _features(("EAST", c.community_b.code, sliver))) == 1
    # a grid re-imported in place does not overlap its own old boundary
    assert _import_geojson(c, _features((c.grid_a.code, c.community_a.code, square(113, 28)))) == 1


def test_invalid_boundaries_are_explained_in_chinese_with_the_grid_code(small_city):
    c = small_city
    ring = [[113.1, 28.1], [113.11, 28.11], [113.11, 28.1], [113.1, 28.11], [113.1, 28.1]]
    bowtie = {"type": "Polygon", "coordinates": [ring]}
    open_ring = {"type": "Polygon", "coordinates": [[[113.1, 28.1], [113.11, 28.1]]]}
    data = xlsx(
        GRID_HEADERS,
        [
            ["BOW", "", c.community_a.code, json.dumps(bowtie), ""],
            ["OPEN", "", c.community_a.code, json.dumps(open_ring), ""],
        ],
    )
    errors = _errors(lambda: services.import_grids(c.city, data, acting_user=c.office.user))
    assert [(e.row, e.column) for e in errors] == [(2, "边界GeoJSON"), (3, "边界GeoJSON")]
    assert "「BOW」" in errors[0].message and "自相交" in errors[0].message
    assert "「OPEN」" in errors[1].message
    for e in errors:
        assert "Self-intersection" not in e.message and "linearring" not in e.message


def test_deeply_nested_geojson_is_a_clear_error_not_a_crash(small_city):
    c = small_city
    deep = b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    errors = _errors(lambda: _import_geojson(c, deep))
    assert "嵌套" in errors[0].message
    geometry = '{"type": "Polygon", "coordinates": ' + "[" * 100_000 + "]" * 100_000 + "}"
    data = xlsx(GRID_HEADERS, [["DEEP", "", c.community_a.code, geometry, ""]])
    errors = _errors(lambda: services.import_grids(c.city, data, acting_user=c.office.user))
    assert (errors[0].row, errors[0].column) == (2, "边界GeoJSON")


def test_grid_text_longer_than_its_field_is_refused_with_row_and_column(small_city):
    c = small_city
    data = _features(("G" * 41, c.community_a.code, square(113.1, 28.1)))
    [error] = _errors(lambda: _import_geojson(c, data))
    assert (error.row, error.column) == (1, "网格编码") and "40" in error.message


# --- units ------------------------------------------------------------------------------------


def test_a_66_character_unit_code_is_a_row_error_on_every_database(small_city, client_for):
    c = small_city
    data = xlsx(UNIT_HEADERS, [["U" * 66, "新单位", c.hq.code, "职能部门", "条"]])
    errors = _errors(lambda: services.import_units(c.city, data, acting_user=c.office.user))
    assert [(e.row, e.column) for e in errors] == [(2, "单位编码")]
    assert "66" in errors[0].message and "40" in errors[0].message
    f = SimpleUploadedFile("u.xlsx", xlsx(UNIT_HEADERS, [["A", "名" * 101, "", "职能部门", ""]]))
    response = client_for(c.office).post("/org/import/", {"kind": "units", "file": f})
    assert response.status_code == 400
    assert "单位名称" in response.content.decode() and not Unit.objects.filter(code="A").exists()


def test_a_header_only_file_is_refused(small_city):
    c = small_city
    errors = _errors(
        lambda: services.import_units(c.city, xlsx(UNIT_HEADERS, []), acting_user=c.office.user)
    )
    assert errors[0].message == "文件中没有数据行"


def test_a_parent_cycle_through_existing_units_names_the_row(small_city):
    c = small_city
    # street_a's parent is district_a (in the database); the file puts district_a under it
    data = xlsx(UNIT_HEADERS, [[c.district_a.code, "甲区", c.street_a.code, "区县", "块"]])
    errors = _errors(lambda: services.import_units(c.city, data, acting_user=c.office.user))
    assert [(e.row, e.column) for e in errors] == [(2, "上级单位编码")]
    assert "循环" in errors[0].message and c.street_a.code in errors[0].message
    c.district_a.refresh_from_db()
    assert c.district_a.parent_id == c.hq.pk


# --- people -----------------------------------------------------------------------------------


def test_a_wrong_role_lists_the_valid_ones_and_odd_login_names_are_refused(small_city):
    c = small_city
    data = xlsx(
        PEOPLE_HEADERS,
        [
            ["ok.name-1@x_y", "甲", "", "", c.dept.code, "国王"],
            ["../../etc <b>", "乙", "", "", c.dept.code, "督查员"],
            ["p" * 151, "丙", "", "", c.dept.code, "督查员"],
        ],
    )
    errors = _errors(lambda: services.import_people(c.city, data, acting_user=c.office.user))
    by_row = {(e.row, e.column): e.message for e in errors}
    assert set(by_row) == {(2, "角色"), (3, "登录名"), (4, "登录名")}
    assert "创建办管理员" in by_row[(2, "角色")] and "网格员" in by_row[(2, "角色")]
    assert "字母" in by_row[(3, "登录名")]
    assert "150" in by_row[(4, "登录名")]
    assert not Person.objects.filter(name__in=["甲", "乙", "丙"]).exists()


def test_the_people_export_masks_phone_numbers_for_every_role(small_city, client_for):
    c = small_city
    for who in (c.office, c.liaison_a):
        body = client_for(who).get("/org/export/people.xlsx").content
        rows = list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))
        phones = [r[2] for r in rows[1:] if r[2]]
        assert phones and all("****" in p for p in phones)
        assert c.liaison_a.phone not in {str(v) for r in rows for v in r}


def test_a_broken_geojson_file_is_explained_in_chinese(small_city):
    c = small_city
    [error] = _errors(lambda: _import_geojson(c, b'{"type": "FeatureCollection",\n  "features": ['))
    assert "第 2 行" in error.message and "Expecting" not in error.message
    [error] = _errors(lambda: _import_geojson(c, "网格".encode("gbk")))
    assert "UTF-8" in error.message
