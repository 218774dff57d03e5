"""Helpers shared by the indicator services: method and number parsing."""

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from ..choices import METHOD_FAMILY, METHOD_SYNONYMS, Method

INDICATOR_FIELDS = [
    "code",
    "title",
    "text",
    "level",
    "level_name",
    "parent",
    "clauses",
    "methods",
    "points",
    "weight",
    "grade_rule",
    "negative",
    "veto",
    "retired",
]


# --- methods --------------------------------------------------------------------------------

_METHOD_ORDER = {m: i for i, m in enumerate(Method.values)}
_METHOD_LOOKUP: dict[str, str] = {
    **{str(label): value for value, label in Method.choices},
    **{value: value for value in Method.values},
    **{k: str(v) for k, v in METHOD_SYNONYMS.items()},
}
_NOTE = re.compile(r"[（(][^（()）]*[）)]")
_SPLIT = re.compile(r"[、,，;；/\s+＋]+|(?<=[^\s])(?:和|及)(?=[^\s])")


def canonical_methods(methods: Any) -> list[str]:
    """Unique, in the order of ``Method`` (so exports and comparisons are stable)."""
    return sorted({str(m) for m in methods or []}, key=lambda m: _METHOD_ORDER.get(m, 999))


def method_names(text: str) -> tuple[list[str], list[str]]:
    """``"实地考察、材料审核"`` → (["field", "document"], unknown names)."""
    found, unknown = [], []
    for token in _SPLIT.split(_NOTE.sub("", str(text or ""))):
        token = token.strip("。.：:")
        if not token:
            continue
        code = _METHOD_LOOKUP.get(token)
        if code is None:
            unknown.append(token)
        else:
            found.append(code)
    return canonical_methods(found), unknown


def method_tags(methods: list[str], clauses: list[dict]) -> str:
    tags = set(methods)
    for clause in clauses:
        tags.update(clause.get("methods") or [])
    tags.update(str(METHOD_FAMILY[m]) for m in list(tags) if m in METHOD_FAMILY)  # type: ignore[index]
    return "|" + "|".join(canonical_methods(tags)) + "|" if tags else ""


def search_text(code: str, title: str, text: str, clauses: list[dict]) -> str:
    """What the tree search looks in (JSON is stored escaped on SQLite, so not the clauses)."""
    return "\n".join([code, title, text, *(c.get("text", "") for c in clauses)])


def method_label(code: str) -> str:
    return str(dict(Method.choices).get(code, code))


# --- sub-clauses ----------------------------------------------------------------------------

_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
CLAUSE_MARK = re.compile(
    r"[（(](\d{1,2})[）)]"  # （1） anywhere
    r"|(?<![\d（(.．])(\d{1,2})[）)]"  # 1） not part of a longer number
    r"|(?:^|(?<=[\s。；;：:，,]))(\d{1,2})[.．、](?!\d)"  # 1. 1、 only after a break
    r"|([①-⑳])",
    re.M,
)


def _clause_no(match: re.Match) -> int:
    digits = match.group(1) or match.group(2) or match.group(3)
    return int(digits) if digits else _CIRCLED.index(match.group(4)) + 1


def split_clauses(
    text: str, min_count: int = 2, any_order: bool = False
) -> tuple[str, list[tuple[str, str]]]:
    """``"总述 1）甲；2）乙"`` → ("总述", [("1", "甲"), ("2", "乙")]).

    Markers "1）" "（1）" "1." "1、" "①" count only as a run 1, 2, 3 …; anything else stays text
    (``any_order``: any rising numbers, for method cells that skip clauses).
    """
    text = str(text or "").strip()
    kept: list[re.Match] = []
    expected = 1
    for match in CLAUSE_MARK.finditer(text):
        number = _clause_no(match)
        if number == expected or (any_order and number > expected - 1 and number > 0):
            kept.append(match)
            expected = number + 1
    if len(kept) < min_count:
        return text, []
    lead = text[: kept[0].start()].strip()
    clauses = []
    for i, match in enumerate(kept):
        end = kept[i + 1].start() if i + 1 < len(kept) else len(text)
        body = text[match.end() : end].strip().rstrip("；;").strip()
        clauses.append((str(_clause_no(match)), body))
    return lead, clauses


def clauses_text(clauses: list[dict]) -> str:
    return "\n".join(f"{c['no']}）{c['text']}" for c in clauses)


def methods_cell(methods: list[str], clauses: list[dict]) -> str:
    """The 测评方法 cell: general methods, then "1）实地考察" lines for clauses with their own."""
    own = [c for c in clauses if c.get("methods")]
    if not own:
        return "、".join(method_label(m) for m in methods)
    in_clauses = {m for c in own for m in c["methods"]}
    general = [m for m in methods if m not in in_clauses]
    lines = ["、".join(method_label(m) for m in general)] if general else []
    lines += [f"{c['no']}）" + "、".join(method_label(m) for m in c["methods"]) for c in own]
    return "\n".join(lines)


# --- numbers and flags ----------------------------------------------------------------------

_NUMBER_LIMIT = Decimal("100000")


def parse_decimal(value: Any, places: int = 2) -> Decimal | None:
    """None for blank; ValueError (with the Chinese reason) for anything that is not a number."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValueError(_("「%(value)s」不是有效的数字") % {"value": value})
    raw = str(value).strip().removesuffix("分").strip()
    try:
        number = Decimal(raw)
    except InvalidOperation as exc:
        raise ValueError(_("「%(value)s」不是有效的数字") % {"value": value}) from exc
    if not number.is_finite() or abs(number) >= _NUMBER_LIMIT:
        raise ValueError(_("「%(value)s」超出允许范围") % {"value": value})
    if number < 0:
        raise ValueError(_("「%(value)s」不能为负数") % {"value": value})
    return number.quantize(Decimal(1).scaleb(-places))


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "t"}
_FALSE = {"否", "n", "no", "false", "0", "", "×", "f"}


def parse_bool(value: Any) -> bool:
    if value is None or isinstance(value, bool):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(_("「%(value)s」只能填 是 或 否") % {"value": value})


_GRADE = re.compile(r"([A-Da-d])\s*[:：=≥>]+\s*(\d+)")


def parse_grade_rule(value: Any) -> dict[str, int]:
    """``"A:3;B:2;C:1"`` (clauses met for each grade) → {"A": 3, "B": 2, "C": 1}."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return {}
    if isinstance(value, dict):
        try:
            return {str(k).upper(): int(v) for k, v in value.items()}
        except (TypeError, ValueError) as exc:
            raise ValueError(_("等级规则「%(value)s」格式不正确") % {"value": value}) from exc
    pairs = _GRADE.findall(str(value))
    rest = _GRADE.sub("", str(value)).strip(" ;；,，、")
    if not pairs or rest:
        raise ValueError(_("等级规则「%(value)s」格式不正确，应如 A:3;B:2;C:1") % {"value": value})
    return {k.upper(): int(n) for k, n in pairs}


def grade_rule_cell(rule: dict) -> str:
    return ";".join(f"{k}:{v}" for k, v in sorted(rule.items()))


def decimal_cell(value: Decimal | None) -> str | float | int:
    if value is None:
        return ""
    normalized = value.normalize()
    return int(normalized) if normalized == normalized.to_integral() else float(normalized)
