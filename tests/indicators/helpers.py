"""Helpers for the indicator tests: hand-made Excel and Word files, tree signatures."""

import io
from typing import Any

from chuangwen.core.xlsx import Sheet, write_workbook
from chuangwen.indicators.models import EvaluationSystem, Indicator
from chuangwen.indicators.services.parsing import NODE_COLUMNS


def node_row(code: str, parent: str = "", level: str = "", title: str = "", **cols: Any) -> list:
    values = {"编号": code, "上级编号": parent, "层级": level, "名称": title or f"指标{code}"}
    values.update(cols)
    return [values.get(c, "") for c in NODE_COLUMNS]


def xlsx(rows: list[list], extra: list[Sheet] | None = None) -> bytes:
    return write_workbook([Sheet("测评体系", NODE_COLUMNS, rows), *(extra or [])])


def signature(system: EvaluationSystem) -> list[tuple]:
    """Everything that defines the tree, independent of database ids."""
    nodes = Indicator.objects.filter(system=system).select_related("parent").order_by("path")
    return [
        (
            n.code,
            n.parent.code if n.parent else "",
            n.depth,
            n.level,
            n.level_name,
            n.title,
            n.text,
            n.clauses,
            n.methods,
            n.points,
            n.weight,
            n.grade_rule,
            n.negative,
            n.veto,
            n.city_added,
            n.retired,
        )
        for n in nodes
    ]


def manual_docx(rows: list[tuple], header: tuple | None = None, merge: bool = True) -> bytes:
    """A Word 操作手册: one table, the 项目 and 内容 cells merged down over their rows.

    ``rows``: (项目, 指标名称, 内容, 标准, 方法) tuples; equal consecutive texts are merged.
    """
    from docx import Document

    header = header or ("测评项目", "指标名称", "测评内容", "测评标准", "测评方法")
    doc = Document()
    doc.add_paragraph("全国文明城市测评体系操作手册（测试）")
    table = doc.add_table(rows=len(rows) + 1, cols=len(header))
    for i, h in enumerate(header):
        table.cell(0, i).text = h
    for r, row in enumerate(rows, start=1):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    if merge:
        for c in range(len(header) - 2):  # the hierarchical columns, not 标准 / 方法
            start = 1
            for r in range(2, len(rows) + 2):
                same = r <= len(rows) and rows[r - 1][c] == rows[start - 1][c]
                if not same:
                    if r - 1 > start:
                        text = rows[start - 1][c]
                        merged = table.cell(start, c).merge(table.cell(r - 1, c))
                        merged.text = text
                    start = r
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
