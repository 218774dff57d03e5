import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml.ns import qn

from chuangwen.core.errors import InvalidInput, PermissionDenied
from chuangwen.org.actors import SYSTEM
from chuangwen.tasks import booklets, metrics, services
from chuangwen.tasks.models import Pledge

from .conftest import PDF_BYTES, jpeg_bytes
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_tasks(tc):
    tc.task(
        "6.1.1",
        lead=tc.dept,
        supporting=[tc.street_a],
        deadline=dt.date(2026, 6, 30),
        content="主次干道每日清扫",
        target="无暴露垃圾",
    )
    tc.task(
        "4.2.1",
        lead=tc.district_a,
        supporting=[tc.dept],
        deadline=dt.date(2026, 9, 1),
        content="配合农贸市场整治",
    )
    tc.task("6.1.2", lead=tc.dept, deadline=dt.date(2027, 3, 1), content="明年的任务")
    metrics.create_metric(
        tc.city,
        indicator=tc.std["6.1.1"],
        name="道路保洁达标率",
        formula_text="96.5",
        unit_label="%",
        target=Decimal(95),
        acting_user=SYSTEM,
    )
    metrics.recompute_metrics(tc.city)
    return tc


def _fonts_of(run):
    rfonts = run._r.rPr.find(qn("w:rFonts"))
    return rfonts.get(qn("w:eastAsia"))


def test_pledge_document_content_and_layout(unit_tasks):
    tc = unit_tasks
    (pledge,) = booklets.generate_pledges(
        tc.city, 2026, units=[tc.dept], acting_user=tc.office.user
    )
    assert pledge.task_count == 2  # the 2027 task is not in the 2026 pledge
    doc = Document(io.BytesIO(pledge.document.read()))
    title = doc.paragraphs[0]
    assert title.text == f"{tc.city.name}2026年度创建全国文明城市目标责任书"
    assert _fonts_of(title.runs[0]) == "方正小标宋简体" and title.runs[0].font.size.pt == 22
    body = next(p for p in doc.paragraphs if p.text.startswith("为深入推进"))
    assert _fonts_of(body.runs[0]) == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert "城管局（乙方）" in body.text
    table = doc.tables[0]
    rows = [[c.text for c in r.cells] for r in table.rows]
    assert rows[0] == ["序号", "指标编号", "测评标准", "职责", "工作要求", "目标", "完成时限"]
    assert rows[1][1:2] + rows[1][3:] == [
        "4.2.1",
        "配合",
        "配合农贸市场整治",
        "达标率 100%",
        "2026年9月1日",
    ]
    assert rows[2][1] == "6.1.1" and rows[2][3] == "牵头" and rows[2][6] == "2026年6月30日"
    assert len(rows) == 3
    footer_xml = doc.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "— " in doc.sections[0].footer.paragraphs[0].text
    assert doc.sections[0].even_page_footer.paragraphs[0].text.startswith("— ")
    section = doc.sections[0]
    assert round(section.top_margin.mm) == 37 and round(section.left_margin.mm) == 28
    assert any("乙方：城管局（盖章）" in p.text for p in doc.paragraphs)


def test_signed_scans_are_tracked(unit_tasks):
    tc = unit_tasks
    pledges = booklets.generate_pledges(tc.city, 2026, acting_user=tc.office.user)
    units = {p.unit for p in pledges}
    assert units == {tc.dept, tc.district_a, tc.street_a}
    assert {p.unit for p in booklets.unsigned_pledges(tc.city.pk, 2026)} == units
    dept_pledge = Pledge.objects.get(unit=tc.dept, year=2026)
    with pytest.raises(PermissionDenied):
        services.upload_signed_pledge(
            dept_pledge, name="s.pdf", data=PDF_BYTES, acting_user=tc.liaison_a.user
        )
    with pytest.raises(InvalidInput):
        services.upload_signed_pledge(
            dept_pledge, name="s.docx", data=b"hello", acting_user=tc.dept_liaison.user
        )
    services.upload_signed_pledge(
        dept_pledge, name="扫描.jpg", data=jpeg_bytes(), acting_user=tc.dept_liaison.user
    )
    assert {p.unit for p in booklets.unsigned_pledges(tc.city.pk, 2026)} == {
        tc.district_a,
        tc.street_a,
    }
    # regenerating keeps the signed scan
    booklets.generate_pledges(tc.city, 2026, units=[tc.dept], acting_user=SYSTEM)
    dept_pledge.refresh_from_db()
    assert dept_pledge.is_signed


def test_pocket_book_docx(unit_tasks):
    tc = unit_tasks
    doc = Document(io.BytesIO(booklets.pocket_book_docx(tc.dept)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "城管局创建全国文明城市工作口袋书"
    toc_at = texts.index("目  录")
    std611, std421 = tc.std["6.1.1"], tc.std["4.2.1"]
    item4 = tc.system.indicators.get(code="4")
    # the table of contents lists items and standards, in tree order, inside a TOC field
    toc = texts[toc_at + 1 : toc_at + 5]
    assert toc == [
        f"{item4.code} {item4.title}",
        f"4.2.1 {std421.title}",
        f"6 {tc.system.indicators.get(code='6').title}",
        f"6.1.1 {std611.title}",
    ]
    assert 'TOC \\o "1-2"' in doc.element.xml
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 2"]
    assert headings == [
        f"4.2.1 {std421.title}",
        f"6.1.1 {std611.title}",
        f"6.1.2 {tc.std['6.1.2'].title}",
    ]
    body = "\n".join(texts)
    assert (
        "本单位职责：牵头（牵头单位：城管局）。主次干道每日清扫；目标：无暴露垃圾；完成时限：2026年6月30日。"
        in body
    )
    assert "本单位职责：配合（牵头单位：甲区）" in body
    assert "量化目标：道路保洁达标率，目标 95%，当前 96.5%。" in body
    assert "测评方法：" in body


def test_pocket_book_pdf_text(unit_tasks):
    tc = unit_tasks
    pdf = booklets.pocket_book_pdf(tc.dept)
    text = pdf_text(pdf)
    assert "城管局创建全国文明城市工作口袋书" in text
    assert "目录" in text
    assert "6.1.1" in text and "4.2.1" in text
    assert "道路保洁达标率" in text and "96.5" in text
    assert "主次干道每日清扫" in text
    assert text.count("— ") >= 2  # page numbers from the second page on
