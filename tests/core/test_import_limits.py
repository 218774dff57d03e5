"""Every import checks string lengths against the model fields before the database, and deep
JSON is a clear error (not a RecursionError 500) — sites, 12345 orders, evaluation systems."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from chuangwen.cases.models import Case
from chuangwen.core.errors import ImportFailed
from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.indicators import services as indicators
from chuangwen.indicators.services.parsing import NEG_COLUMNS, TYPE_COLUMNS
from chuangwen.sites import services as sites
from chuangwen.sites.models import Site
from tests.cases.conftest import CaseCity
from tests.indicators.helpers import node_row, xlsx
from tests.inspections.helpers import IN_A, InspectionCity, point

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_CELL = "[" * 5_000 + "]" * 5_000  # an Excel cell holds at most 32,767 characters
DEEP_POINT = '{"type": "Point", "coordinates": ' + DEEP_CELL + "}"


def _errors(call):
    with pytest.raises(ImportFailed) as info:
        call()
    return [(e.row, e.column, e.message) for e in info.value.errors]


@pytest.fixture
def ic(small_city):
    return InspectionCity(small_city)


def test_site_import_checks_lengths_and_deep_json(ic):
    data = write_workbook(
        [
            Sheet(
                "点位",
                sites.SITE_COLUMNS,
                [
                    ["Z" * 41, "路", "ZD", json.dumps(point(*IN_A)), None, None, "", "", "", ""],
                    ["ZD1", "路" * 201, "ZD", json.dumps(point(*IN_A)), None, None, "", "", "", ""],
                    [
                        "ZD2",
                        "路",
                        "ZD",
                        json.dumps(point(*IN_A)),
                        None,
                        None,
                        "址" * 301,
                        "",
                        "",
                        "",
                    ],
                    ["ZD3", "路", "ZD", DEEP_POINT, None, None, "", "", "", DEEP_CELL],
                ],
            )
        ]
    )
    errors = _errors(lambda: sites.import_sites(ic.city, data, acting_user=ic.office.user))
    found = {(row, column) for row, column, _m in errors}
    assert {
        (2, "点位编码"),
        (3, "点位名称"),
        (4, "地址"),
        (5, "位置GeoJSON"),
        (5, "属性JSON"),
    } <= found
    assert not Site.objects.filter(code__in=["ZD1", "ZD2", "ZD3"]).exists()
    deep_doc = ('{"type": "FeatureCollection", "features": ' + DEEP + "}").encode()
    errors = _errors(
        lambda: sites.import_sites(ic.city, deep_doc, fmt="geojson", acting_user=ic.office.user)
    )
    assert "嵌套" in errors[0][2]


def test_a_12345_order_with_an_overlong_field_is_a_row_error(small_city, client_for):
    cc = CaseCity(small_city)
    wb = Workbook()
    ws = wb.active
    ws.append(["工单编号", "诉求内容", "来电人", "问题地址"])
    ws.append(["G" * 65, "路灯不亮", "张" * 51, "址" * 301])
    path = SimpleUploadedFile("o.xlsx", _save(wb))
    r = client_for(cc.office).post(reverse("cases:import"), {"file": path})
    found = {(e.row, e.column) for e in r.context["failure"].errors}
    assert {(2, "工单编号"), (2, "来电人"), (2, "问题地址")} <= found
    assert Case.objects.count() == 0


def _save(wb) -> bytes:
    import io

    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_evaluation_system_catalogue_lengths_and_deep_json(small_city):
    rows = [node_row("1", "", "测评项目", "项目"), node_row("1.1", "1", "测评标准", "标准")]
    extra = [
        Sheet("点位类型", TYPE_COLUMNS, [["T" * 41, "类" * 101, ""]]),
        Sheet("负面清单", NEG_COLUMNS, [["F" * 41, "重大事故", "罚款", "", "", ""]]),
    ]

    def load(data, fmt="xlsx"):
        return indicators.import_evaluation_system(
            small_city.city,
            data,
            fmt=fmt,
            name="测试版",
            version_year=2024,
            acting_user=small_city.office.user,
        )

    with pytest.raises(ImportFailed) as info:
        load(xlsx(rows, extra))
    found = {(e.sheet, e.column) for e in info.value.errors}
    assert {("点位类型", "类型编码"), ("点位类型", "类型名称"), ("负面清单", "编号")} <= found
    errors = _errors(lambda: load(DEEP.encode(), fmt="json"))
    assert "嵌套" in errors[0][2]
