"""Reading an evaluation system from the office's files into plain rows, every problem named.

Three sources give the same ``ParsedSystem``: the Excel template (one row per node, plus the
点位类型 / 点位检查项 / 负面清单 sheets), the central office's Word 操作手册 (tables with
测评项目 / (指标名称) / 测评内容 / 测评标准 / 测评方法 columns, merged cells, numbered
sub-clauses with a method each) and the JSON seed shipped with the app. ``validate`` then
checks the tree (duplicate codes, missing parents, cycles) before anything is written.
"""

import io
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.utils.translation import gettext

from chuangwen.core.errors import ImportFailed, RowError
from chuangwen.core.xlsx import open_workbook, read_rows

from ..choices import LEVEL_SYNONYMS, SCORING_SYNONYMS, Level, Sanction, ScoringRule
from .common import (
    canonical_methods,
    method_names,
    parse_bool,
    parse_decimal,
    parse_grade_rule,
    split_clauses,
)

NODE_SHEET, TYPE_SHEET, CHECK_SHEET, NEG_SHEET = "测评体系", "点位类型", "点位检查项", "负面清单"
NODE_COLUMNS = [
    "编号",
    "上级编号",
    "层级",
    "名称",
    "内容",
    "子条款",
    "测评方法",
    "分值",
    "权数",
    "等级规则",
    "负面清单",
    "一票否决",
    "本市增补",
    "已停用",
]
TYPE_COLUMNS = ["类型编码", "类型名称", "说明"]
CHECK_COLUMNS = [
    "编号",
    "点位类型",
    "检查内容",
    "评分方式",
    "分值",
    "每处扣分",
    "扣分上限",
    "计量单位",
    "关联标准",
    "本市增补",
]
NEG_COLUMNS = ["编号", "内容", "处理措施", "扣分", "说明", "本市增补"]


@dataclass
class NodeRow:
    row: int | None
    sheet: str
    code: str
    parent: str = ""
    level: str = ""
    level_name: str = ""
    title: str = ""
    text: str = ""
    clauses: list[dict] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    points: Decimal | None = None
    weight: Decimal | None = None
    grade_rule: dict = field(default_factory=dict)
    negative: bool = False
    veto: bool = False
    city_added: bool = False
    retired: bool = False
    depth: int = 0


@dataclass
class TypeRow:
    row: int | None
    code: str
    name: str
    description: str = ""


@dataclass
class CheckRow:
    row: int | None
    code: str
    site_type: str
    text: str
    rule: str
    points: Decimal | None = None
    deduct: Decimal | None = None
    cap: Decimal | None = None
    unit_label: str = ""
    standards: list[str] = field(default_factory=list)
    city_added: bool = False


@dataclass
class NegRow:
    row: int | None
    code: str
    text: str
    sanction: str
    points: Decimal | None = None
    note: str = ""
    city_added: bool = False


@dataclass
class ParsedSystem:
    nodes: list[NodeRow] = field(default_factory=list)
    site_types: list[TypeRow] = field(default_factory=list)
    check_items: list[CheckRow] = field(default_factory=list)
    negatives: list[NegRow] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)

    def error(self, row: int | None, column: str, message: str, sheet: str = "") -> None:
        self.errors.append(RowError(row, column, message, sheet=sheet))


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


_LEVELS = {
    **{str(label): value for value, label in Level.choices},
    **{v: v for v in Level.values},
    **{k: str(v) for k, v in LEVEL_SYNONYMS.items()},
}


def _clauses_and_methods(
    out: ParsedSystem, node: NodeRow, clause_text: str, method_text: str, where: tuple
) -> None:
    """Fill node.clauses and node.methods from the sub-clause and method cells."""
    row, sheet, _clause_col, method_col = where
    lead, numbered = split_clauses(clause_text, min_count=1)
    if lead and numbered:
        node.text = f"{node.text}\n{lead}".strip() if node.text else lead
    elif lead:
        numbered = [("1", lead)]
    mlead, mnumbered = split_clauses(method_text, min_count=1, any_order=True)
    general, unknown = method_names(mlead)
    per_clause: dict[str, list[str]] = {}
    for no, text in mnumbered:
        found, bad = method_names(text)
        unknown += bad
        if numbered and no not in {n for n, _ in numbered}:
            out.error(
                row, method_col, gettext("测评方法第 %(no)s 项没有对应的子条款") % {"no": no}, sheet
            )
        per_clause[no] = found
    if mnumbered and not numbered:
        general = canonical_methods(general + [m for ms in per_clause.values() for m in ms])
    for name in unknown:
        out.error(row, method_col, gettext("未知的测评方法「%(name)s」") % {"name": name}, sheet)
    node.clauses = [
        {"no": no, "text": text, "methods": per_clause.get(no, [])} for no, text in numbered
    ]
    node.methods = canonical_methods(general + [m for c in node.clauses for m in c["methods"]])


def _number(out: ParsedSystem, value: Any, where: tuple, places: int = 2) -> Decimal | None:
    try:
        return parse_decimal(value, places)
    except ValueError as exc:
        out.error(where[0], where[2], str(exc), where[1])
        return None


def _flag(out: ParsedSystem, value: Any, where: tuple) -> bool:
    try:
        return parse_bool(value)
    except ValueError as exc:
        out.error(where[0], where[2], str(exc), where[1])
        return False


# --- Excel ----------------------------------------------------------------------------------


def parse_xlsx(file: IO[bytes] | bytes) -> ParsedSystem:
    data = file if isinstance(file, bytes) else file.read()
    wb = open_workbook(data)
    names = list(wb.sheetnames)
    wb.close()
    out = ParsedSystem()
    node_sheet = NODE_SHEET if NODE_SHEET in names else None
    sheet_title = NODE_SHEET if node_sheet else names[0]
    optional = [c for c in NODE_COLUMNS if c not in ("编号", "名称")]
    for number, row in read_rows(data, ["编号", "名称"], optional, sheet=node_sheet):
        at = (number, sheet_title)
        node = NodeRow(number, sheet_title, code=_s(row["编号"]), parent=_s(row.get("上级编号")))
        if not node.code:
            out.error(number, "编号", gettext("不能为空"), sheet_title)
        node.title = _s(row["名称"])
        if not node.title:
            out.error(number, "名称", gettext("不能为空"), sheet_title)
        level = _s(row.get("层级"))
        if level:
            node.level_name = level
            node.level = _LEVELS.get(level, "")
            if not node.level:
                out.error(
                    number,
                    "层级",
                    gettext("未知的层级「%(level)s」") % {"level": level},
                    sheet_title,
                )
        node.text = _s(row.get("内容"))
        _clauses_and_methods(
            out, node, _s(row.get("子条款")), _s(row.get("测评方法")), (*at, "子条款", "测评方法")
        )
        node.points = _number(out, row.get("分值"), (*at, "分值"))
        node.weight = _number(out, row.get("权数"), (*at, "权数"), places=3)
        try:
            node.grade_rule = parse_grade_rule(row.get("等级规则"))
        except ValueError as exc:
            out.error(number, "等级规则", str(exc), sheet_title)
        node.negative = _flag(out, row.get("负面清单"), (*at, "负面清单"))
        node.veto = _flag(out, row.get("一票否决"), (*at, "一票否决"))
        node.city_added = _flag(out, row.get("本市增补"), (*at, "本市增补"))
        node.retired = _flag(out, row.get("已停用"), (*at, "已停用"))
        out.nodes.append(node)
    if TYPE_SHEET in names:
        for number, row in read_rows(data, ["类型编码", "类型名称"], ["说明"], sheet=TYPE_SHEET):
            code, name = _s(row["类型编码"]), _s(row["类型名称"])
            if not code or not name:
                out.error(
                    number, "类型编码" if not code else "类型名称", gettext("不能为空"), TYPE_SHEET
                )
            out.site_types.append(TypeRow(number, code, name, _s(row.get("说明"))))
    if CHECK_SHEET in names:
        required = ["编号", "点位类型", "检查内容"]
        for number, row in read_rows(data, required, CHECK_COLUMNS[3:], sheet=CHECK_SHEET):
            out.check_items.append(_check_row(out, number, row))
    if NEG_SHEET in names:
        for number, row in read_rows(
            data, ["编号", "内容", "处理措施"], NEG_COLUMNS[3:], NEG_SHEET
        ):
            out.negatives.append(_neg_row(out, number, row))
    return out


_SCORING = {
    **{str(label): value for value, label in ScoringRule.choices},
    **{v: v for v in ScoringRule.values},
    **{k: str(v) for k, v in SCORING_SYNONYMS.items()},
}
_SANCTIONS = {
    **{str(label): value for value, label in Sanction.choices},
    **{v: v for v in Sanction.values},
    "取消资格": Sanction.WITHDRAW_TITLE.value,
    "一票否决": Sanction.DISQUALIFY.value,
    "不得申报": Sanction.DISQUALIFY.value,
}


def _check_row(out: ParsedSystem, number: int | None, row: dict) -> CheckRow:
    at = (number, CHECK_SHEET)
    item = CheckRow(
        number,
        code=_s(row.get("编号")),
        site_type=_s(row.get("点位类型")),
        text=_s(row.get("检查内容")),
        rule=ScoringRule.PASS_FAIL,
    )
    for column, value in (
        ("编号", item.code),
        ("点位类型", item.site_type),
        ("检查内容", item.text),
    ):
        if not value:
            out.error(number, column, gettext("不能为空"), CHECK_SHEET)
    rule = _s(row.get("评分方式"))
    if rule:
        item.rule = _SCORING.get(rule, "")
        if not item.rule:
            out.error(
                number,
                "评分方式",
                gettext("未知的评分方式「%(rule)s」") % {"rule": rule},
                CHECK_SHEET,
            )
    item.points = _number(out, row.get("分值"), (*at, "分值"))
    item.deduct = _number(out, row.get("每处扣分"), (*at, "每处扣分"))
    item.cap = _number(out, row.get("扣分上限"), (*at, "扣分上限"))
    if item.rule == ScoringRule.DEDUCT and item.deduct is None:
        out.error(number, "每处扣分", gettext("按缺项扣分时必须填写每处扣分"), CHECK_SHEET)
    item.unit_label = _s(row.get("计量单位"))
    standards = row.get("关联标准")
    if isinstance(standards, list):
        item.standards = [_s(s) for s in standards if _s(s)]
    else:
        item.standards = [s for s in re.split(r"[、,，;；\s]+", _s(standards)) if s]
    item.city_added = _flag(out, row.get("本市增补"), (*at, "本市增补"))
    return item


def _neg_row(out: ParsedSystem, number: int | None, row: dict) -> NegRow:
    at = (number, NEG_SHEET)
    item = NegRow(number, code=_s(row.get("编号")), text=_s(row.get("内容")), sanction="")
    if not item.code:
        out.error(number, "编号", gettext("不能为空"), NEG_SHEET)
    if not item.text:
        out.error(number, "内容", gettext("不能为空"), NEG_SHEET)
    sanction = _s(row.get("处理措施"))
    item.sanction = _SANCTIONS.get(sanction, "")
    if not item.sanction:
        out.error(
            number,
            "处理措施",
            gettext("未知的处理措施「%(sanction)s」") % {"sanction": sanction},
            NEG_SHEET,
        )
    item.points = _number(out, row.get("扣分"), (*at, "扣分"))
    item.note = _s(row.get("说明"))
    item.city_added = _flag(out, row.get("本市增补"), (*at, "本市增补"))
    return item


# --- JSON seed ------------------------------------------------------------------------------


def parse_json(data: dict[str, Any]) -> ParsedSystem:
    """The shipped seed: ``{"system": {…}, "nodes": [{code, title, children: […]}], …}``."""
    out = ParsedSystem(meta=dict(data.get("system") or {}))
    sheet = "nodes"
    counter = iter(range(1, 1_000_000))

    def walk(items: list[dict], parent: str) -> None:
        for raw in items:
            number = next(counter)
            node = NodeRow(number, sheet, code=_s(raw.get("code")), parent=parent)
            node.parent = _s(raw.get("parent")) or parent
            node.title = _s(raw.get("title"))
            if not node.code:
                out.error(number, "code", gettext("不能为空"), sheet)
            if not node.title:
                out.error(number, "title", gettext("不能为空"), sheet)
            node.level_name = _s(raw.get("level"))
            if node.level_name:
                node.level = _LEVELS.get(node.level_name, "")
                if not node.level:
                    out.error(
                        number,
                        "level",
                        gettext("未知的层级「%(level)s」") % {"level": node.level_name},
                        sheet,
                    )
            node.text = _s(raw.get("text"))
            clauses = raw.get("clauses") or []
            methods, unknown = method_names("、".join(raw.get("methods") or []))
            for i, clause in enumerate(clauses, start=1):
                found, bad = method_names("、".join(clause.get("methods") or []))
                unknown += bad
                node.clauses.append(
                    {
                        "no": _s(clause.get("no")) or str(i),
                        "text": _s(clause.get("text")),
                        "methods": found,
                    }
                )
            for name in unknown:
                out.error(
                    number, "methods", gettext("未知的测评方法「%(name)s」") % {"name": name}, sheet
                )
            node.methods = canonical_methods(
                methods + [m for c in node.clauses for m in c["methods"]]
            )
            node.points = _number(out, raw.get("points"), (number, sheet, "points"))
            node.weight = _number(out, raw.get("weight"), (number, sheet, "weight"), places=3)
            try:
                node.grade_rule = parse_grade_rule(raw.get("grade_rule"))
            except ValueError as exc:
                out.error(number, "grade_rule", str(exc), sheet)
            node.negative = bool(raw.get("negative"))
            node.veto = bool(raw.get("veto"))
            node.city_added = bool(raw.get("city_added"))
            out.nodes.append(node)
            walk(raw.get("children") or [], node.code)

    walk(data.get("nodes") or [], "")
    for i, raw in enumerate(data.get("site_types") or [], start=1):
        out.site_types.append(
            TypeRow(i, _s(raw.get("code")), _s(raw.get("name")), _s(raw.get("description")))
        )
        for item in raw.get("checklist") or []:
            row = {
                "编号": item.get("code"),
                "点位类型": raw.get("code"),
                "检查内容": item.get("text"),
                "评分方式": item.get("rule"),
                "分值": item.get("points"),
                "每处扣分": item.get("deduct"),
                "扣分上限": item.get("cap"),
                "计量单位": item.get("unit"),
                "关联标准": item.get("standards") or [],
            }
            out.check_items.append(_check_row(out, len(out.check_items) + 1, row))
    for i, raw in enumerate(data.get("negative_list") or [], start=1):
        row = {
            "编号": raw.get("code"),
            "内容": raw.get("text"),
            "处理措施": raw.get("sanction"),
            "扣分": raw.get("points"),
            "说明": raw.get("note"),
        }
        out.negatives.append(_neg_row(out, i, row))
    return out


# --- Word 操作手册 ---------------------------------------------------------------------------

_WORD_LEVELS = [
    ("测评项目", Level.ITEM, ("测评项目", "项目")),
    ("指标名称", Level.INDICATOR, ("指标名称", "测评指标", "指标")),
    ("测评内容", Level.CONTENT, ("测评内容", "内容")),
    ("测评标准", Level.STANDARD, ("测评标准", "标准", "测评要求")),
]
_OPTIONAL_WORD = {
    "测评方法": ("测评方法", "方法"),
    "分值": ("分值", "分数"),
    "权数": ("权数", "权重"),
}
_LEADING_NO = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、.．]|\d+(?:\.\d+)*[、.．]?(?=\D))\s*")


def _header_index(cells: list[str], names: tuple[str, ...]) -> int | None:
    for i, text in enumerate(cells):
        clean = re.sub(r"\s+", "", text)
        if clean in names:
            return i
    return None


def _row_cells(row: Any) -> list[Any]:
    """The row's cells with horizontal merges collapsed (python-docx repeats merged ``_tc``)."""
    cells: list[Any] = []
    for cell in row.cells:
        if any(cell._tc is kept._tc for kept in cells):
            continue
        cells.append(cell)
    return cells


def parse_docx(file: IO[bytes] | bytes) -> ParsedSystem:
    from docx import Document

    data = file if isinstance(file, bytes) else file.read()
    try:
        document = Document(io.BytesIO(data))
    except Exception as exc:
        raise ImportFailed(
            [RowError(None, "", gettext("无法读取 Word 文件（需要 .docx）"))]
        ) from exc
    out = ParsedSystem()
    count_under: dict[str, int] = {}
    found_table = False
    for t_index, table in enumerate(document.tables, start=1):
        sheet = f"表{t_index}"
        rows = list(table.rows)
        if not rows:
            continue
        header = [c.text.strip() for c in _row_cells(rows[0])]
        columns = [
            (label, level, _header_index(header, names)) for label, level, names in _WORD_LEVELS
        ]
        columns = [c for c in columns if c[2] is not None]
        if not any(level == Level.STANDARD for _, level, _ in columns) or len(columns) < 2:
            continue
        found_table = True
        extra = {k: _header_index(header, names) for k, names in _OPTIONAL_WORD.items()}
        out.meta.setdefault("level_names", [label for label, _, _ in columns])
        previous: dict[str, Any] = {}  # level → (tc id, text, code) of the row above
        for r_index, row in enumerate(rows[1:], start=2):
            cells = _row_cells(row)
            texts = [c.text.strip() for c in cells]
            if not any(texts) or [re.sub(r"\s+", "", t) for t in texts] == [
                re.sub(r"\s+", "", h) for h in header
            ]:
                continue  # blank row or the header repeated on a new page
            parent_code = ""
            for depth, (label, level, index) in enumerate(columns):
                assert index is not None
                cell = cells[index] if index < len(cells) else None
                text = texts[index] if index < len(texts) else ""
                # keep the element itself: ids of lxml proxies are reused once they are freed
                tc = cell._tc if cell is not None else None
                above = previous.get(level)
                if level != Level.STANDARD and (
                    (above and tc is not None and above[0] is tc)
                    or (above and text and above[1] == text and above[3] == parent_code)
                    or (above and not text)
                ):
                    parent_code = above[2]
                    continue
                if not text:
                    if level == Level.STANDARD:
                        out.error(r_index, label, gettext("测评标准为空"), sheet)
                    elif depth == 0 or not parent_code:
                        out.error(
                            r_index,
                            label,
                            gettext("缺少上级：「%(label)s」为空") % {"label": label},
                            sheet,
                        )
                    break
                key = parent_code or "#root"
                count_under[key] = count_under.get(key, 0) + 1
                code = f"{parent_code}.{count_under[key]}" if parent_code else str(count_under[key])
                node = NodeRow(r_index, sheet, code=code, parent=parent_code, level=level)
                node.level_name = label
                node.depth = depth
                if level == Level.STANDARD:
                    lead, numbered = split_clauses(text)
                    first_line = (lead or text).split("\n")[0]
                    node.title = _LEADING_NO.sub("", first_line)[:300] or first_line[:300]
                    node.text = text
                    if numbered:
                        node.text = lead
                        node.title = _LEADING_NO.sub("", lead)[:300] or f"标准 {code}"
                    _clauses_and_methods(
                        out,
                        node,
                        "\n".join(f"{n}）{t}" for n, t in numbered),
                        texts[extra["测评方法"]] if extra["测评方法"] is not None else "",
                        (r_index, sheet, "测评标准", "测评方法"),
                    )
                    if node.clauses and not lead:
                        node.title = node.clauses[0]["text"][:60]
                    method_errors = [e for e in out.errors if e.row == r_index and e.sheet == sheet]
                    if extra["测评方法"] is not None and not node.methods and not method_errors:
                        out.error(r_index, "测评方法", gettext("测评方法为空"), sheet)
                    for column in ("分值", "权数"):
                        i = extra[column]
                        if i is not None and i < len(texts):
                            value = _number(
                                out,
                                texts[i],
                                (r_index, sheet, column),
                                3 if column == "权数" else 2,
                            )
                            setattr(node, "points" if column == "分值" else "weight", value)
                else:
                    node.title = _LEADING_NO.sub("", text.split("\n")[0])[:300] or text[:300]
                    rest = text.split("\n", 1)[1].strip() if "\n" in text else ""
                    node.text = rest
                    previous[level] = (tc, text, code, parent_code)
                    # a new parent resets what sits below it
                    for _, lower, _ in columns[depth + 1 :]:
                        previous.pop(lower, None)
                out.nodes.append(node)
                parent_code = code
    if not found_table:
        out.error(None, "", gettext("未找到含「测评内容」「测评标准」列的表格"))
    return out
