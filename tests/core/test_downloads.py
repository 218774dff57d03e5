"""Downloads are named in Chinese and read as the office expects."""

import io
from urllib.parse import unquote

from openpyxl import load_workbook

from tests.cases.conftest import CaseCity
from tests.inspections.helpers import InspectionCity


def _name(response) -> str:
    header = response["Content-Disposition"]
    assert header.startswith("attachment")
    return unquote(header.split("filename*=utf-8''")[1])


def test_exports_have_chinese_names_and_plain_words(small_city, client_for):
    cc = CaseCity(small_city)
    cc.dispatched()
    client = client_for(cc.office)
    cases = client.get("/cases/export.xlsx")
    assert _name(cases).startswith("案件-") and _name(cases).endswith(".xlsx")
    ws = load_workbook(io.BytesIO(cases.content)).active
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("是否超期") + 1).value == "否"
    assert _name(client.get("/org/export/units.xlsx")) == "单位.xlsx"
    assert cases["X-Content-Type-Options"] == "nosniff"


def test_sites_export_names_the_units(small_city, client_for):
    InspectionCity(small_city)
    response = client_for(small_city.office).get("/sites/export.xlsx")
    assert _name(response) == "点位.xlsx"
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["ZD002"][header.index("责任单位")] == "乙街道"
    assert rows["ZD002"][header.index("责任单位编码")] == small_city.street_b.code
