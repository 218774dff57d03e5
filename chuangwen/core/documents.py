"""Word documents in the 党政机关公文 layout (GB/T 9704-2012), with python-docx.

A4 paper; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; title 方正小标宋简体 二号
(22 pt) centred; body 仿宋_GB2312 三号 (16 pt), fixed line pitch so a page holds about 22 lines
of 28 characters; first-level headings 黑体, second-level 楷体_GB2312; page numbers "— 1 —"
in 宋体 四号 as a PAGE field, odd pages at the right and even pages at the left. Fonts are
named in the document (the office's PCs have them; elsewhere Word substitutes).

Shared by every document the platform writes: pledges and pocket books (tasks), inspection
notices (inspections), bulletins.
"""

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING1_FONT = "黑体"
HEADING2_FONT = "楷体_GB2312"
PAGE_NUMBER_FONT = "宋体"
TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
TABLE_SIZE = Pt(12)  # 小四
LINE_PITCH = Pt(28.95)  # 22 lines in the 225 mm text block


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def set_font(target: Any, name: str, size: Any = None, bold: bool | None = None) -> None:
    """Set the Latin and East Asian font of a run or a style (python-docx sets only Latin)."""
    font = target.font
    font.name = name
    if size is not None:
        font.size = size
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr() if hasattr(target.element, "get_or_add_rPr") else None
    if rpr is None:
        rpr = target.element.rPr
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _field(paragraph: Any, instruction: str, placeholder: str = "") -> None:
    """A complex field (PAGE, TOC …) in ``paragraph``."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run._r.append(begin)
    run = paragraph.add_run()
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run._r.append(instr)
    run = paragraph.add_run()
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run._r.append(sep)
    paragraph.add_run(placeholder)
    run = paragraph.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)


def _page_number_paragraph(footer: Any, align: Any) -> None:
    p = footer.paragraphs[0] if footer.paragraphs else footer.add_paragraph()
    p.alignment = align
    p.paragraph_format.left_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.LEFT else None
    p.paragraph_format.right_indent = Pt(14) if align == WD_ALIGN_PARAGRAPH.RIGHT else None
    p.add_run("— ")
    _field(p, "PAGE", "1")
    p.add_run(" —")
    for run in p.runs:
        set_font(run, PAGE_NUMBER_FONT, PAGE_NUMBER_SIZE)


def add_page_numbers(doc: Any) -> None:
    """ "— n —" footers: odd pages right, even pages left (GB/T 9704 7.5)."""
    settings = doc.settings.element
    if settings.find(qn("w:evenAndOddHeaders")) is None:
        settings.append(OxmlElement("w:evenAndOddHeaders"))
    for section in doc.sections:
        _page_number_paragraph(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)
        _page_number_paragraph(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)


def new_document(landscape: bool = False) -> Any:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, BODY_SIZE)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE_PITCH
    fmt.space_before = fmt.space_after = Pt(0)
    for level, font in ((1, HEADING1_FONT), (2, HEADING2_FONT)):
        style = doc.styles[f"Heading {level}"]
        set_font(style, font, BODY_SIZE, bold=False)
        style.font.color.rgb = None
        style.paragraph_format.space_before = style.paragraph_format.space_after = Pt(0)
        style.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        style.paragraph_format.line_spacing = LINE_PITCH
        style.paragraph_format.first_line_indent = Pt(32)
    add_page_numbers(doc)
    return doc


def add_title(doc: Any, text: str) -> Any:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.paragraph_format.line_spacing = Pt(35)
    set_font(p.add_run(text), TITLE_FONT, TITLE_SIZE)
    doc.add_paragraph()  # 标题下空一行
    return p


def add_heading(doc: Any, text: str, level: int = 1) -> Any:
    p = doc.add_paragraph(style=f"Heading {level}")
    set_font(p.add_run(text), HEADING1_FONT if level == 1 else HEADING2_FONT, BODY_SIZE, False)
    return p


def add_body(doc: Any, text: str, indent: bool = True, bold_lead: str = "") -> Any:
    """A body paragraph, first line indented two characters; ``bold_lead`` in 仿宋 bold."""
    p = doc.add_paragraph()
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)
    if bold_lead:
        set_font(p.add_run(bold_lead), BODY_FONT, BODY_SIZE, bold=True)
    set_font(p.add_run(text), BODY_FONT, BODY_SIZE)
    return p


def add_right(doc: Any, text: str) -> Any:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.paragraph_format.right_indent = Pt(64)
    set_font(p.add_run(text), BODY_FONT, BODY_SIZE)
    return p


def add_table(
    doc: Any, headers: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float] = ()
) -> Any:
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for i, header in enumerate(headers):
        cell = table.rows[0].cells[i]
        cell.text = ""
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing = Pt(20)
        set_font(p.add_run(str(header)), HEADING1_FONT, TABLE_SIZE)
    for row in rows:
        cells = table.add_row().cells
        for i, value in enumerate(row):
            p = cells[i].paragraphs[0]
            p.paragraph_format.line_spacing = Pt(20)
            set_font(p.add_run("" if value is None else str(value)), BODY_FONT, TABLE_SIZE)
    if widths_mm:
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=False):
                cell.width = Mm(width)
    return table


def add_toc(doc: Any, entries: Sequence[tuple[int, str]]) -> None:
    """目录: a TOC field (Word refreshes it, with page numbers) whose cached result already
    lists ``entries`` (level, text), so the table of contents reads before any refresh."""
    add_heading_center = doc.add_paragraph()
    add_heading_center.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(add_heading_center.add_run("目  录"), HEADING1_FONT, BODY_SIZE)
    settings = doc.settings.element
    if settings.find(qn("w:updateFields")) is None:
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        settings.append(update)
    entries = list(entries) or [(1, "（无）")]
    paragraphs = []
    for level, text in entries:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Pt(32 * (level - 1))
        paragraphs.append((p, text))
    first, last = paragraphs[0][0], paragraphs[-1][0]
    # begin / instruction / separate in the first paragraph, end in the last
    for kind, payload in (
        ("begin", None),
        ("instr", 'TOC \\o "1-2" \\h \\z \\u'),
        ("separate", None),
    ):
        run = first.add_run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {payload} "
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._r.append(el)
    for p, text in paragraphs:
        set_font(p.add_run(text), BODY_FONT, BODY_SIZE)
    run = last.add_run()
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run._r.append(end)
    page_break(doc)


def page_break(doc: Any) -> None:
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def to_bytes(doc: Any) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def chinese_date(value: Any) -> str:
    """公文 date: 2026年6月30日 (Arabic numerals, no leading zeros)."""
    return f"{value.year}年{value.month}月{value.day}日" if value else ""
