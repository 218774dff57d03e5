import io
import json

import pytest
from openpyxl import Workbook

from chuangwen.core.errors import ImportFailed, InvalidInput, PermissionDenied
from chuangwen.core.geo import wgs84_to_gcj02
from chuangwen.core.models import AuditEvent
from chuangwen.org import services
from chuangwen.org.actors import SYSTEM
from chuangwen.org.choices import Role, UnitKind
from chuangwen.org.models import Grid, Person, Unit
from chuangwen.org.scope import scope_for_user
from tests import factories
from tests.factories import square


def xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_unit_tree_paths_and_move(small_city):
    c = small_city
    assert c.community_a.path.startswith(c.street_a.path)
    assert c.community_a.depth == 3
    services.move_unit(c.street_a, c.district_b, acting_user=c.office.user)
    c.community_a.refresh_from_db()
    assert c.community_a.path.startswith(c.district_b.path)
    assert c.community_a.depth == 3
    event = AuditEvent.objects.get(code="org.unit.moved")
    assert event.before == {"parent": c.district_a.pk}
    assert event.after == {"parent": c.district_b.pk}
    assert event.actor == c.office.user


def test_move_into_own_subtree_is_refused(small_city):
    c = small_city
    with pytest.raises(InvalidInput, match="自己或其下级"):
        services.move_unit(c.district_a, c.community_a, acting_user=c.office.user)
    c.district_a.refresh_from_db()
    assert c.district_a.parent_id == c.hq.pk


def test_only_the_office_changes_the_organisation(small_city):
    c = small_city
    for person in (c.leader, c.liaison_a, c.grid_worker_a):
        with pytest.raises(PermissionDenied):
            services.create_unit(
                c.city,
                code="X1",
                name="新单位",
                kind=UnitKind.COMMUNITY,
                parent=c.street_a,
                acting_user=person.user,
            )
    assert not Unit.objects.filter(code="X1").exists()


def test_update_unit_audits_only_changes(small_city):
    c = small_city
    services.update_unit(c.dept, name="市城市管理局", acting_user=c.office.user)
    event = AuditEvent.objects.filter(code="org.unit.updated").get()
    assert event.before == {"name": "城管局"} and event.after == {"name": "市城市管理局"}
    with pytest.raises(InvalidInput, match="已存在"):
        services.update_unit(c.dept, code=c.hq.code, acting_user=c.office.user)


def test_scope_follows_the_unit_tree(small_city):
    c = small_city
    office = scope_for_user(c.office.user)
    assert office.see_all and office.write_all
    leader = scope_for_user(c.leader.user)
    assert leader.see_all and not leader.write_all
    liaison = scope_for_user(c.liaison_a.user)
    assert liaison.can_read_unit(c.community_a)
    assert not liaison.can_read_unit(c.community_b)
    assert not liaison.can_read_unit(c.hq)
    citizen = scope_for_user(c.citizen.user)
    assert not citizen.can_read_unit(c.community_a)


def test_grid_must_belong_to_a_block_unit(small_city):
    c = small_city
    with pytest.raises(InvalidInput, match="块"):
        services.create_grid(
            c.city, code="GX", unit=c.dept, geometry=square(114, 28), acting_user=SYSTEM
        )


def test_locate_point_wgs84_gcj02_and_outside(small_city):
    c = small_city
    hit = services.locate_point(c.city, 113.005, 28.005)
    assert hit is not None and hit.grid_id == c.grid_a.pk and hit.unit_id == c.community_a.pk
    glon, glat = wgs84_to_gcj02(113.015, 28.005)
    hit = services.locate_point(c.city, glon, glat, "gcj02")
    assert hit is not None and hit.grid_id == c.grid_b.pk
    # the raw GCJ-02 numbers read as WGS-84 fall elsewhere: the conversion really happens
    assert services.locate_point(c.city, glon, glat) != hit
    assert services.locate_point(c.city, 120.0, 30.0) is None


def test_index_is_rebuilt_when_grids_change(small_city):
    c = small_city
    assert services.locate_point(c.city, 113.025, 28.005) is None
    factories.grid(c.city, c.community_b, 113.02, 28.0)
    assert services.locate_point(c.city, 113.025, 28.005) is not None
    services.update_grid(c.grid_a, geometry=square(113.5, 28.5), acting_user=c.office.user)
    assert services.locate_point(c.city, 113.005, 28.005) is None
    assert services.locate_point(c.city, 113.505, 28.505).grid_id == c.grid_a.pk


UNIT_HEADERS = ["单位编码", "单位名称", "上级单位编码", "类型", "条块"]


def test_import_units_creates_tree_in_any_row_order(small_city):
    c = small_city
    data = xlsx(
        UNIT_HEADERS,
        [
            ["SQ9", "新社区", "JD9", "社区", ""],
            ["JD9", "新街道", c.district_a.code, "街道", "块"],
            ["BM9", "市教育局", c.hq.code, "department", "条"],
        ],
    )
    assert services.import_units(c.city, data, acting_user=c.office.user) == 3
    sq9 = Unit.objects.get(code="SQ9")
    assert sq9.parent.code == "JD9" and sq9.path.startswith(c.district_a.path)
    assert sq9.axis == "block"
    assert Unit.objects.get(code="BM9").axis == "line"


def test_import_units_reports_every_bad_row_and_changes_nothing(small_city):
    c = small_city
    before = Unit.objects.count()
    data = xlsx(
        UNIT_HEADERS,
        [
            ["A1", "甲", "NOPE", "社区", ""],  # missing parent
            ["A2", "", "", "火星", ""],  # empty name, bad kind
            ["A3", "丙", "A4", "社区", "横"],  # bad axis; cycle with A4
            ["A4", "丁", "A3", "社区", ""],
            ["A1", "重复", "", "社区", ""],  # duplicate code
            ["GOOD", "好单位", c.hq.code, "社区", ""],
        ],
    )
    with pytest.raises(ImportFailed) as info:
        services.import_units(c.city, data, acting_user=c.office.user)
    found = {(e.row, e.column) for e in info.value.errors}
    assert (2, "上级单位编码") in found
    assert (3, "单位名称") in found and (3, "类型") in found
    assert (4, "条块") in found and (4, "上级单位编码") in found and (5, "上级单位编码") in found
    assert (6, "单位编码") in found
    messages = " ".join(str(e) for e in info.value.errors)
    assert "第 2 行" in messages and "不存在" in messages and "循环" in messages
    assert Unit.objects.count() == before


def test_import_rejects_missing_columns_and_non_excel(small_city):
    c = small_city
    with pytest.raises(ImportFailed) as info:
        services.import_units(c.city, xlsx(["单位编码"], [["A"]]), acting_user=c.office.user)
    assert {e.column for e in info.value.errors} == {"单位名称", "类型"}
    with pytest.raises(ImportFailed, match="导入失败"):
        services.import_units(c.city, b"not an excel file", acting_user=c.office.user)


PEOPLE_HEADERS = ["登录名", "姓名", "手机号", "职务", "单位编码", "角色"]


def test_import_people_with_several_roles(small_city):
    c = small_city
    data = xlsx(
        PEOPLE_HEADERS,
        [
            ["wang", "王五", "13900001111", "科长", c.dept.code, "单位联络员"],
            ["wang", "王五", "13900001111", "科长", c.community_a.code, "grid_worker"],
            ["li", "李四", "", "", c.street_b.code, "督查员"],
        ],
    )
    assert services.import_people(c.city, data, acting_user=c.office.user) == 2
    wang = Person.objects.get(user__username="wang")
    assert set(wang.memberships.values_list("role", flat=True)) == {"unit_liaison", "grid_worker"}
    assert not wang.user.has_usable_password()


def test_import_people_errors(small_city):
    c = small_city
    data = xlsx(
        PEOPLE_HEADERS,
        [
            [c.office.user.username, "重名", "", "", c.dept.code, "督查员"],
            ["new1", "张", "12345", "", "NOPE", "国王"],
            ["new2", "", "", "", c.dept.code, "督查员"],
        ],
    )
    with pytest.raises(ImportFailed) as info:
        services.import_people(c.city, data, acting_user=c.office.user)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {(2, "登录名"), (3, "手机号"), (3, "单位编码"), (3, "角色"), (4, "姓名")}
    assert not Person.objects.filter(user__username__in=["new1", "new2"]).exists()


GRID_HEADERS = ["网格编码", "网格名称", "所属单位编码", "边界GeoJSON", "网格员登录名"]
# grid_a (113.00-113.01 × 28.00-28.01) grown north, clear of its neighbour grid_b to the east
GROWN_NORTH = {
    "type": "Polygon",
    "coordinates": [[[113, 28], [113.01, 28], [113.01, 28.02], [113, 28.02], [113, 28]]],
}


def test_import_grids_excel_and_geojson(small_city):
    c = small_city
    worker = c.grid_worker_a.user.username
    data = xlsx(
        GRID_HEADERS,
        [
            ["N1", "一号", c.community_a.code, json.dumps(square(114, 28)), worker],
            [c.grid_a.code, "改名", c.community_a.code, json.dumps(GROWN_NORTH), ""],
        ],
    )
    assert services.import_grids(c.city, data, acting_user=c.office.user) == 2
    n1 = Grid.objects.get(code="N1")
    assert list(n1.workers.all()) == [c.grid_worker_a]
    assert 1_000_000 < n1.area_m2 < 1_300_000  # 0.01° × 0.01° near 28°N
    c.grid_a.refresh_from_db()
    assert c.grid_a.name == "改名"
    assert services.locate_point(c.city, 113.005, 28.015).grid_id == c.grid_a.pk
    geo = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": square(115, 28),
                "properties": {"code": "GJ1", "name": "G", "unit_code": c.community_b.code},
            },
        ],
    }
    n = services.import_grids(
        c.city, json.dumps(geo).encode(), fmt="geojson", acting_user=c.office.user
    )
    assert n == 1 and Grid.objects.get(code="GJ1").unit == c.community_b


def test_import_grids_errors_change_nothing(small_city):
    c = small_city
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    data = xlsx(
        GRID_HEADERS,
        [
            ["E1", "", c.dept.code, json.dumps(square(114, 28)), ""],
            ["E2", "", c.community_a.code, "{not json", ""],
            ["E3", "", c.community_a.code, json.dumps(bowtie), "ghost"],
            ["OK", "", c.community_a.code, json.dumps(square(115.5, 28)), ""],
        ],
    )
    with pytest.raises(ImportFailed) as info:
        services.import_grids(c.city, data, acting_user=c.office.user)
    found = {(e.row, e.column) for e in info.value.errors}
    assert found == {
        (2, "所属单位编码"),
        (3, "边界GeoJSON"),
        (4, "边界GeoJSON"),
        (4, "网格员登录名"),
    }
    assert not Grid.objects.filter(code__in=["E1", "OK"]).exists()
    with pytest.raises(ImportFailed, match="导入失败"):
        services.import_grids(c.city, b"[1,2]", fmt="geojson", acting_user=c.office.user)


def test_create_person_validates(small_city):
    c = small_city
    with pytest.raises(InvalidInput, match="已被使用"):
        services.create_person(
            c.city, name="x", username=c.office.user.username, acting_user=SYSTEM
        )
    with pytest.raises(InvalidInput, match="手机号"):
        services.create_person(c.city, name="x", username="x1", phone="123", acting_user=SYSTEM)
    with pytest.raises(InvalidInput):
        services.create_person(
            c.city, name="x", username="x2", password="short", acting_user=SYSTEM
        )
    with pytest.raises(InvalidInput, match="角色"):
        services.create_person(
            c.city, name="x", username="x3", memberships=[(c.dept, "king")], acting_user=SYSTEM
        )
    assert not Person.objects.filter(user__username__in=["x1", "x2", "x3"]).exists()


def test_pairs(small_city):
    c = small_city
    pair = services.create_pair(
        c.city,
        unit=c.dept,
        community=c.community_a,
        mechanisms=["civility", "hygiene"],
        acting_user=c.office.user,
    )
    assert pair.mechanism_labels() == ["文明联创", "卫生联洁"]
    with pytest.raises(InvalidInput, match="已结对"):
        services.create_pair(
            c.city, unit=c.dept, community=c.community_a, mechanisms=[], acting_user=c.office.user
        )
    with pytest.raises(InvalidInput, match="不是社区"):
        services.create_pair(
            c.city, unit=c.dept, community=c.street_a, mechanisms=[], acting_user=c.office.user
        )
    with pytest.raises(InvalidInput, match="六联"):
        services.create_pair(
            c.city,
            unit=c.dept,
            community=c.community_b,
            mechanisms=["magic"],
            acting_user=c.office.user,
        )


def test_membership_changes_are_audited(small_city):
    c = small_city
    m = services.add_membership(c.citizen, c.community_a, Role.VOLUNTEER, acting_user=c.office.user)
    services.remove_membership(m, acting_user=c.office.user)
    codes = list(
        AuditEvent.objects.filter(
            object_id=str(c.citizen.pk), object_type="org.person"
        ).values_list("code", flat=True)
    )
    assert "org.membership.added" in codes and "org.membership.removed" in codes


def test_create_city_command_bootstraps_a_city_and_its_office_admin(db):
    import io

    from django.contrib.auth import get_user_model
    from django.core.management import CommandError, call_command

    from chuangwen.org.models import City
    from chuangwen.org.scope import scope_for_user

    out = io.StringIO()
    call_command(
        "create_city", "430100", "长沙市", "--lon", "112.94", "--lat", "28.23",
        "--admin-username", "cwb-admin", "--admin-name", "张三", stdout=out,
    )  # fmt: skip
    password = out.getvalue().strip().splitlines()[-1]
    user = get_user_model().objects.get(username="cwb-admin")
    assert user.check_password(password) and scope_for_user(user).is_office
    city = City.objects.get(code="430100")
    assert city.center_lon == 112.94 and "load_case_categories 430100" in out.getvalue()
    # all or nothing: a taken login name leaves no second city behind
    with pytest.raises(CommandError, match="已被使用"):
        call_command(
            "create_city", "430200", "株洲市", "--admin-username", "cwb-admin",
            "--admin-name", "李四", stdout=io.StringIO(),
        )  # fmt: skip
    assert not City.objects.filter(code="430200").exists()
    with pytest.raises(CommandError, match="同时"):
        call_command("create_city", "430300", "湘潭市", "--lon", "1", "--admin-username", "x",
                     "--admin-name", "x")  # fmt: skip
