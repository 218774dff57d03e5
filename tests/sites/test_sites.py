import json

import pytest
from django.urls import reverse

from chuangwen.core.errors import ImportFailed, InvalidInput, PermissionDenied
from chuangwen.core.geo import distance_m
from chuangwen.core.models import AuditEvent
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.org.actors import SYSTEM
from chuangwen.org.scope import scope_for_user
from chuangwen.sites import services
from chuangwen.sites.choices import AssignmentRole, GeometryKind
from chuangwen.sites.models import Site, SiteAssignment
from chuangwen.sites.selectors import sites_for_user
from tests.inspections.helpers import IN_A, point

pytestmark = pytest.mark.django_db


def test_sites_are_placed_in_grid_unit_and_district(ic):
    road = ic.sites["ZD001"]
    assert road.geometry_kind == GeometryKind.POINT
    assert road.grid_id == ic.grid_a.pk
    assert road.area_unit_id == ic.community_a.pk
    assert road.district_id == ic.district_a.pk
    assert road.owner_path == ic.street_a.path
    assert list(road.assignments.values_list("unit_id", "role")) == [
        (ic.dept.pk, AssignmentRole.LEAD)
    ]
    assert ic.sites["SC003"].district_id == ic.district_b.pk
    assert AuditEvent.objects.filter(code="sites.site.created", object_id=str(road.pk)).exists()


def test_line_length_and_polygon_area(ic):
    coords = [[113.001, 28.001], [113.004, 28.001], [113.004, 28.003]]
    line = services.create_site(
        ic.city,
        services.SiteSpec("ZD010", "长路", ic.zd, {"type": "LineString", "coordinates": coords}),
        acting_user=SYSTEM,
    )
    expected = distance_m(113.001, 28.001, 113.004, 28.001) + distance_m(
        113.004, 28.001, 113.004, 28.003
    )
    assert line.geometry_kind == GeometryKind.LINE
    assert line.length_m == pytest.approx(expected, abs=0.2)
    assert 500 < line.length_m < 600  # ~295 m east + ~222 m north
    assert line.attributes["长度（米）"] == line.length_m
    assert line.grid_id == ic.grid_a.pk  # the midpoint along the line
    ring = [
        [113.011, 28.001],
        [113.012, 28.001],
        [113.012, 28.002],
        [113.011, 28.002],
        [113.011, 28.001],
    ]
    market = services.create_site(
        ic.city,
        services.SiteSpec(
            "SC010", "新市场", ic.sc_type, {"type": "Polygon", "coordinates": [ring]}
        ),
        acting_user=SYSTEM,
    )
    assert market.geometry_kind == GeometryKind.POLYGON
    assert market.area_m2 == pytest.approx(98.2 * 111.2, rel=0.02)  # ~98 m × ~111 m
    assert market.grid_id == ic.grid_b.pk and market.district_id == ic.district_b.pk


def test_bad_geometry_and_duplicate_code_are_refused(ic):
    with pytest.raises(InvalidInput) as err:
        services.create_site(
            ic.city, services.SiteSpec("X1", "坏", ic.zd, {"type": "Circle"}), acting_user=SYSTEM
        )
    assert err.value.code == "bad_geometry"
    with pytest.raises(InvalidInput) as err:
        services.create_site(
            ic.city, services.SiteSpec("ZD001", "重复", ic.zd, point(*IN_A)), acting_user=SYSTEM
        )
    assert err.value.code == "duplicate_code"


def test_only_the_office_writes(ic):
    with pytest.raises(PermissionDenied):
        services.create_site(
            ic.city,
            services.SiteSpec("ZD011", "路", ic.zd, point(*IN_A)),
            acting_user=ic.liaison_a.user,
        )
    site = services.update_site(
        ic.sites["ZD001"], name="甲路（东段）", owner=ic.dept, acting_user=ic.office.user
    )
    assert site.name == "甲路（东段）" and site.owner_path == ic.dept.path


def test_set_assignments_replaces_baobao_units(ic):
    site = ic.sites["ZD002"]
    services.set_assignments(
        site,
        [(ic.dept, AssignmentRole.LEAD), (ic.street_a, AssignmentRole.SUPPORT)],
        acting_user=ic.office.user,
    )
    assert set(SiteAssignment.objects.filter(site=site).values_list("unit_id", flat=True)) == {
        ic.dept.pk,
        ic.street_a.pk,
    }


def _xlsx(rows):
    return write_workbook([Sheet("点位", services.SITE_COLUMNS, rows)])


def test_import_excel_creates_and_updates(ic):
    data = _xlsx(
        [
            ["ZD001", "甲路（改名）", "ZD", json.dumps(point(*IN_A)), None, None, "", "", "", ""],
            [
                "ZD020",
                "新路",
                "主次干道",
                None,
                113.015,
                28.004,
                "乙区某处",
                ic.street_b.code,
                f"{ic.dept.code},{ic.street_b.code}",
                '{"车道": 4}',
            ],
        ]
    )
    assert services.import_sites(ic.city, data, acting_user=ic.office.user) == 2
    new = Site.objects.get(city=ic.city, code="ZD020")
    assert new.district_id == ic.district_b.pk and new.attributes == {"车道": 4}
    assert list(new.assignments.order_by("role").values_list("unit_id", "role")) == [
        (ic.dept.pk, AssignmentRole.LEAD),
        (ic.street_b.pk, AssignmentRole.SUPPORT),
    ]
    assert Site.objects.get(city=ic.city, code="ZD001").name == "甲路（改名）"


def test_import_names_every_bad_row_and_writes_nothing(ic):
    before = Site.objects.count()
    data = _xlsx(
        [
            ["ZD030", "", "ZD", json.dumps(point(*IN_A)), None, None, "", "", "", ""],
            ["ZD031", "路", "不存在", json.dumps(point(*IN_A)), None, None, "", "NOPE", "", ""],
            ["ZD032", "路", "ZD", "{bad", None, None, "", "", "", ""],
            ["ZD033", "好路", "ZD", json.dumps(point(*IN_A)), None, None, "", "", "", ""],
        ]
    )
    with pytest.raises(ImportFailed) as err:
        services.import_sites(ic.city, data, acting_user=ic.office.user)
    found = {(e.row, e.column) for e in err.value.errors}
    assert {(2, "点位名称"), (3, "点位类型"), (3, "责任单位编码"), (4, "位置GeoJSON")} <= found
    assert Site.objects.count() == before


def test_import_geojson(ic):
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[113.011, 28.002], [113.013, 28.002]],
                },
                "properties": {
                    "code": "ZD040",
                    "name": "乙大道",
                    "type": "ZD",
                    "owner_code": ic.street_b.code,
                    "lanes": 6,
                },
            }
        ],
    }
    n = services.import_sites(ic.city, json.dumps(doc).encode(), fmt="geojson", acting_user=SYSTEM)
    assert n == 1
    site = Site.objects.get(city=ic.city, code="ZD040")
    assert site.attributes["lanes"] == 6 and site.length_m > 190
    assert site.owner_id == ic.street_b.pk


def test_scope_area_owner_and_baobao(ic):
    a = set(sites_for_user(scope_for_user(ic.liaison_a.user)).values_list("code", flat=True))
    assert a == {"ZD001", "SC001", "SC002"}
    dept = set(sites_for_user(scope_for_user(ic.dept_liaison.user)).values_list("code", flat=True))
    assert dept == {"ZD001"}  # only what it 包保s
    assert sites_for_user(scope_for_user(ic.office.user)).count() == 5


def test_list_page_api_and_404(ic, client_for, django_assert_max_num_queries):
    client = client_for(ic.office)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("sites:list"))
    assert response.status_code == 200
    assert "甲市场一" in response.content.decode()
    with django_assert_max_num_queries(9):
        response = client.get("/api/sites/sites?limit=50")
    assert response.status_code == 200 and response.json()["count"] == 5
    liaison = client_for(ic.liaison_b)
    other = ic.sites["ZD001"].pk
    assert liaison.get(reverse("sites:detail", args=[other])).status_code == 404
    assert liaison.get(f"/api/sites/sites/{other}").status_code == 404
    detail = client.get(f"/api/sites/sites/{other}").json()
    assert detail["assignments"] == [{"unit_id": ic.dept.pk, "role": "lead"}]
    assert client.get(reverse("sites:export")).status_code == 200


def test_import_page(ic, client_for):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(ic.office)
    bad = SimpleUploadedFile("s.xlsx", _xlsx([["ZD050", "", "ZD", "", None, None, "", "", "", ""]]))
    response = client.post(reverse("sites:import"), {"fmt": "xlsx", "file": bad})
    assert response.status_code == 400 and "import-errors" in response.content.decode()
    assert client_for(ic.liaison_a).get(reverse("sites:import")).status_code == 403


def test_demo_builds_hundreds_of_sites(small_city):
    from chuangwen.sites.demo import build_demo

    lines = []
    n = build_demo(small_city.city, 2026, lines.append)
    assert n > 400
    assert Site.objects.filter(city=small_city.city).values("site_type").distinct().count() >= 10
    assert not Site.objects.filter(city=small_city.city, grid__isnull=True).count() > n // 2
    again = build_demo.__module__  # reproducible: same seed, same first site
    assert again
