"""A small, safe expression language for quantified targets (量化指标). No ``eval``.

A formula is an arithmetic expression over platform quantities, for example::

    (sites.sum("主次干道", "公益广告数") + sites.sum("背街小巷", "公益广告数"))
        / (sites.sum("主次干道", "length_km") + sites.sum("背街小巷", "length_km"))
    sites.without_open_cases("农贸市场") / sites.count("农贸市场") * 100
    tasks.done_ratio("6.1") * 100

Grammar: decimal numbers, ``+ - * /``, unary minus, parentheses, the functions ``min``,
``max``, ``abs``, ``round(x, n)``, and quantity calls ``namespace.name(arguments)`` whose
arguments are strings or numbers, positional or ``keyword=value``. The vocabulary of
quantities (namespaces, names, arguments) is given by the caller — ``chuangwen.tasks.metrics``
documents the platform's. Parsing uses ``ast.parse(mode="eval")`` and accepts only a strict
whitelist of node types; names, attributes and calls outside the vocabulary are refused.
Arithmetic is ``Decimal``. Every error is a ``FormulaError`` with a Chinese message.
"""

import ast
import decimal
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from chuangwen.core.errors import InvalidInput

MAX_LENGTH = 1000
MAX_NODES = 300
CONTEXT = decimal.Context(prec=28, traps=[decimal.DivisionByZero, decimal.InvalidOperation])

Value = Decimal | str


class FormulaError(InvalidInput):
    code = "bad_formula"


@dataclass(frozen=True)
class Quantity:
    """One quantity of the vocabulary: how to call it and the function computing it."""

    func: Callable[..., Decimal]
    min_args: int = 0
    max_args: int = 0
    keywords: frozenset[str] = frozenset()
    doc: str = ""
    arg_types: tuple[type, ...] = field(default=())
    label: Any = ""  # what it counts, in Chinese (gettext_lazy), for the metric editor


Vocabulary = Mapping[str, Mapping[str, Quantity]]

BUILTINS: dict[str, tuple[int, int | None]] = {  # name → (min args, max args)
    "min": (1, None),
    "max": (1, None),
    "abs": (1, 1),
    "round": (1, 2),
}
_OPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_OP_NAMES = {
    ast.Pow: "**",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
}


@dataclass
class Formula:
    source: str
    tree: ast.Expression
    quantities: list[tuple[str, str]]  # the (namespace, name) pairs it uses


def _where(source: str, node: ast.AST) -> str:
    text = ast.get_source_segment(source, node) or ""
    return f"「{text}」" if text else ""


def parse(source: str, vocabulary: Vocabulary) -> Formula:
    """Parse and check ``source`` against ``vocabulary`` (names known, argument counts)."""
    source = (source or "").strip()
    if not source:
        raise FormulaError(_("公式不能为空"))
    if len(source) > MAX_LENGTH:
        raise FormulaError(_("公式过长（最多 %(max_length)s 个字符）") % {"max_length": MAX_LENGTH})
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        col = exc.offset or 0
        raise FormulaError(_("公式语法错误：第 %(col)s 个字符附近有误") % {"col": col}) from exc
    except (RecursionError, MemoryError, ValueError) as exc:
        raise FormulaError(_("公式嵌套过深或含有无效字符")) from exc
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise FormulaError(_("公式过于复杂"))
    used: list[tuple[str, str]] = []
    _check(tree.body, source, vocabulary, used)
    return Formula(source, tree, used)


def _check(node: ast.AST, src: str, vocab: Vocabulary, used: list, as_arg: bool = False) -> None:
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float | str):
            raise FormulaError(_("不支持的常量%(src)s") % {"src": _where(src, node)})
        if isinstance(node.value, str) and not as_arg:
            raise FormulaError(_("文字%(src)s只能作为函数参数") % {"src": _where(src, node)})
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _OPS:
            op = _OP_NAMES.get(type(node.op), type(node.op).__name__)
            raise FormulaError(_("不支持的运算「%(op)s」（只能用 + - * / 和括号）") % {"op": op})
        _check(node.left, src, vocab, used)
        _check(node.right, src, vocab, used)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise FormulaError(_("不支持的运算%(src)s") % {"src": _where(src, node)})
        _check(node.operand, src, vocab, used)
        return
    if isinstance(node, ast.Call):
        _check_call(node, src, vocab, used)
        return
    if isinstance(node, ast.Name):
        raise FormulaError(_("未知的名称「%(node_id)s」") % {"node_id": node.id})
    if isinstance(node, ast.Attribute):
        raise FormulaError(
            _('%(src)s须写成函数调用，如 sites.count("农贸市场")') % {"src": _where(src, node)}
        )
    raise FormulaError(_("不支持的写法%(src)s") % {"src": _where(src, node)})


def _check_call(node: ast.Call, src: str, vocab: Vocabulary, used: list) -> None:
    func = node.func
    if isinstance(func, ast.Name):
        if func.id not in BUILTINS:
            raise FormulaError(_("未知的函数「%(func_id)s」") % {"func_id": func.id})
        if node.keywords:
            raise FormulaError(_("函数「%(func_id)s」不接受命名参数") % {"func_id": func.id})
        lo, hi = BUILTINS[func.id]
        if len(node.args) < lo or (hi is not None and len(node.args) > hi):
            raise FormulaError(_("函数「%(func_id)s」的参数个数不对") % {"func_id": func.id})
        for arg in node.args:
            _check(arg, src, vocab, used)
        return
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        raise FormulaError(_("不支持的写法%(src)s") % {"src": _where(src, node)})
    ns, name = func.value.id, func.attr
    if ns not in vocab:
        raise FormulaError(
            _("未知的名称「%(ns)s」（可用：%(vocab)s）")
            % {"ns": ns, "vocab": "、".join(sorted(vocab))}
        )
    if name not in vocab[ns]:
        known = "、".join(f"{ns}.{n}" for n in sorted(vocab[ns]))
        raise FormulaError(
            _("未知的名称「%(ns)s.%(name)s」（可用：%(known)s）")
            % {"ns": ns, "name": name, "known": known}
        )
    q = vocab[ns][name]
    if not (q.min_args <= len(node.args) <= q.max_args):
        raise FormulaError(
            _("「%(ns)s.%(name)s」的参数个数不对：%(q_doc)s")
            % {"ns": ns, "name": name, "q_doc": q.doc}
        )
    for kw in node.keywords:
        if kw.arg is None or kw.arg not in q.keywords:
            raise FormulaError(
                _("「%(ns)s.%(name)s」没有参数「%(value)s」：%(q_doc)s")
                % {"ns": ns, "name": name, "value": kw.arg or "**", "q_doc": q.doc}
            )
    for arg in [*node.args, *(kw.value for kw in node.keywords)]:
        if not isinstance(arg, ast.Constant) or isinstance(arg.value, bool):
            raise FormulaError(
                _("「%(ns)s.%(name)s」的参数只能是文字或数字%(src)s")
                % {"ns": ns, "name": name, "src": _where(src, arg)}
            )
    used.append((ns, name))


def evaluate(
    formula: Formula, vocabulary: Vocabulary, ctx: Any, cache: dict | None = None
) -> Decimal:
    """The value of a parsed formula; quantity functions are called as ``func(ctx, *args)``.

    ``cache`` (shared across formulas of one recomputation) avoids asking twice."""
    cache = {} if cache is None else cache
    try:
        with decimal.localcontext(CONTEXT):
            return +_eval(formula.tree.body, formula.source, vocabulary, ctx, cache)
    except decimal.DivisionByZero as exc:
        raise FormulaError(_("计算出错：除数为零")) from exc
    except decimal.InvalidOperation as exc:
        raise FormulaError(_("计算出错：无效的运算（如 0/0）")) from exc


def _number(node: ast.Constant, src: str) -> Decimal:
    text = ast.get_source_segment(src, node) or str(node.value)
    try:
        return Decimal(text.replace("_", ""))
    except decimal.InvalidOperation:
        return Decimal(str(node.value))


def _eval(node: ast.AST, src: str, vocab: Vocabulary, ctx: Any, cache: dict) -> Decimal:
    if isinstance(node, ast.Constant):
        return _number(node, src)
    if isinstance(node, ast.UnaryOp):
        v = _eval(node.operand, src, vocab, ctx, cache)
        return -v if isinstance(node.op, ast.USub) else v
    if isinstance(node, ast.BinOp):
        a = _eval(node.left, src, vocab, ctx, cache)
        b = _eval(node.right, src, vocab, ctx, cache)
        op = _OPS[type(node.op)]
        if op == "/" and b == 0:
            raise FormulaError(
                _("计算出错：除数为零（%(value)s的值为 0）")
                % {"value": _where(src, node.right) or _("分母")}
            )
        return {"+": a + b, "-": a - b, "*": a * b}[op] if op != "/" else a / b
    assert isinstance(node, ast.Call)
    func = node.func
    if isinstance(func, ast.Name):
        args = [_eval(a, src, vocab, ctx, cache) for a in node.args]
        if func.id == "min":
            return min(args)
        if func.id == "max":
            return max(args)
        if func.id == "abs":
            return abs(args[0])
        places = int(args[1]) if len(args) > 1 else 0
        return args[0].quantize(Decimal(1).scaleb(-places), rounding=decimal.ROUND_HALF_UP)
    assert isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)
    ns, name = func.value.id, func.attr
    pos = tuple(_arg(a, src) for a in node.args)
    kws = tuple(sorted((kw.arg or "", _arg(kw.value, src)) for kw in node.keywords))
    key = (ns, name, pos, kws)
    if key not in cache:
        value = vocab[ns][name].func(ctx, *pos, **dict(kws))
        cache[key] = Decimal(value)
    return cache[key]


def _arg(node: ast.AST, src: str) -> Value:
    assert isinstance(node, ast.Constant)
    if isinstance(node.value, str):
        return node.value
    return _number(node, src)
