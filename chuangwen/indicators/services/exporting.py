"""Export any version to the same Excel template the import reads (a round trip is lossless)."""

from chuangwen.core.xlsx import Sheet, write_workbook

from ..models import CheckItem, EvaluationSystem, Indicator, NegativeListItem, SiteType
from .common import clauses_text, decimal_cell, grade_rule_cell, methods_cell
from .parsing import (
    CHECK_COLUMNS,
    CHECK_SHEET,
    NEG_COLUMNS,
    NEG_SHEET,
    NODE_COLUMNS,
    NODE_SHEET,
    TYPE_COLUMNS,
    TYPE_SHEET,
)


def _yes(flag: bool) -> str:
    return "是" if flag else ""


def export_system_xlsx(system: EvaluationSystem) -> bytes:
    nodes = Indicator.objects.filter(system=system).select_related("parent").order_by("path")
    node_rows = (
        (
            n.code,
            n.parent.code if n.parent else "",
            n.display_level(),
            n.title,
            n.text,
            clauses_text(n.clauses),
            methods_cell(n.methods, n.clauses),
            decimal_cell(n.points),
            decimal_cell(n.weight),
            grade_rule_cell(n.grade_rule),
            _yes(n.negative),
            _yes(n.veto),
            _yes(n.city_added),
            _yes(n.retired),
        )
        for n in nodes
    )
    items = list(
        CheckItem.objects.filter(system=system)
        .select_related("site_type")
        .prefetch_related("standards")
    )
    type_ids = {i.site_type_id for i in items}
    types = SiteType.objects.filter(pk__in=type_ids).order_by("sort", "code")
    check_rows = (
        (
            i.code,
            i.site_type.code,
            i.text,
            i.get_rule_display(),
            decimal_cell(i.points),
            decimal_cell(i.deduct),
            decimal_cell(i.cap),
            i.unit_label,
            "、".join(s.code for s in sorted(i.standards.all(), key=lambda s: s.path)),
            _yes(i.city_added),
        )
        for i in items
    )
    neg_rows = (
        (
            n.code,
            n.text,
            n.get_sanction_display(),
            decimal_cell(n.points),
            n.note,
            _yes(n.city_added),
        )
        for n in NegativeListItem.objects.filter(system=system)
    )
    notice = [
        ("版本名称", system.name),
        ("版本年份", system.version_year),
        ("适用城市层级", system.get_city_level_display()),
        ("状态", system.get_status_display()),
        ("来源说明", system.source),
        ("文本性质", "公开摘录整理版，非官方文本" if system.unofficial else ""),
    ]
    return write_workbook(
        [
            Sheet(
                NODE_SHEET,
                NODE_COLUMNS,
                node_rows,
                widths=[12, 12, 10, 40, 50, 60, 24, 8, 8, 14, 8, 8, 8, 8],
            ),
            Sheet(TYPE_SHEET, TYPE_COLUMNS, ((t.code, t.name, t.description) for t in types)),
            Sheet(
                CHECK_SHEET,
                CHECK_COLUMNS,
                check_rows,
                widths=[10, 12, 60, 14, 8, 10, 10, 10, 24, 8],
            ),
            Sheet(NEG_SHEET, NEG_COLUMNS, neg_rows, widths=[10, 60, 20, 8, 30, 8]),
            Sheet("版本信息", ["项目", "值"], notice, widths=[16, 60]),
        ]
    )
