"""督查通知书 as a Word document in the GB/T 9704-2012 公文 layout.

The page set-up, fonts, title, body, headings, tables and page numbers come from the 公文
helpers of ``chuangwen.core.documents``. Only what a notice adds is here: the red
发文机关标志, the 发文字号 (示创督〔2026〕12号) centred above a red rule,
the 主送机关 line and the case table.
"""

from typing import Any

from django.utils import timezone
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor

from chuangwen.core.documents import (
    BODY_FONT,
    BODY_SIZE,
    TITLE_FONT,
    add_body,
    add_heading,
    add_right,
    add_table,
    add_title,
    chinese_date,
    new_document,
    set_font,
    to_bytes,
)

RED = RGBColor(0xE6, 0x00, 0x12)


def _red_rule(paragraph: Any) -> None:
    """The red separator line under the 发文字号 (a bottom border of its paragraph)."""
    ppr = paragraph._element.get_or_add_pPr()
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "E60012")):
        bottom.set(qn(k), v)
    border.append(bottom)
    ppr.append(border)


def add_letterhead(doc: Any, issuer: str, number: str) -> None:
    """发文机关标志 in red 方正小标宋简体, then the 发文字号 centred above a red rule."""
    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.line_spacing = Pt(40)
    run = head.add_run(issuer)
    set_font(run, TITLE_FONT, Pt(26))
    run.font.color.rgb = RED
    no = doc.add_paragraph()
    no.alignment = WD_ALIGN_PARAGRAPH.CENTER
    no.paragraph_format.first_line_indent = Pt(0)
    no.paragraph_format.space_before = Pt(16)
    set_font(no.add_run(number), BODY_FONT, BODY_SIZE)
    _red_rule(no)
    doc.add_paragraph()


def notice_docx(notice: Any) -> bytes:
    """The 督查通知书 of ``notice`` with its cases listed in a table."""
    doc = new_document()
    add_letterhead(doc, notice.issuer, notice.number)
    add_title(doc, notice.title)
    add_body(doc, f"{notice.unit.name}：", indent=False)
    add_body(doc, notice.body)
    add_heading(doc, "一、问题清单")
    cases = list(notice.cases.order_by("pk"))
    rows = [
        [
            str(i),
            case.number,
            case.address,
            case.description,
            timezone.localtime(case.deadline).strftime("%Y-%m-%d") if case.deadline else "",
        ]
        for i, case in enumerate(cases, start=1)
    ]
    add_table(doc, ["序号", "案件编号", "位置", "问题描述", "处置时限"], rows, (12, 30, 35, 60, 22))
    add_heading(doc, "二、整改要求")
    add_body(
        doc,
        f"请于{chinese_date(notice.deadline)}前完成整改，逐项在创文平台反馈整改情况并上传"
        f"整改前后对比照片。本通知书共列问题 {len(cases)} 个。",
    )
    doc.add_paragraph()
    add_right(doc, notice.issuer)
    add_right(doc, chinese_date(timezone.localtime(notice.issued_at)))
    return to_bytes(doc)
