"""Every user-facing error message is translatable: raised service errors (and import row
errors, form validation errors, Open311 errors) carry ``gettext`` text with ``%(name)s``
placeholders — never a bare string literal or an f-string, which gettext cannot see. And the
English catalogue answers: a few representative errors come out in English."""

import ast
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

ROOT = Path(settings.BASE_DIR) / "chuangwen"
ERROR_BASES = {"ServiceError"}
ALSO = {"RowError": 2, "ValidationError": 0, "Open311Error": 1}  # message argument position
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "_l", "gettext_noop"}


def _scanned_files() -> list[Path]:
    """Services, selectors, forms, jobs, API, xlsx and the rest of core — not the migrations,
    the operators' management commands, the demo data, or the views (thin: they pass through
    the services' messages)."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"migrations", "management", "views"} or path.name in {"demo.py", "views.py"}:
            continue
        out.append(path)
    return out


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """ServiceError and every subclass defined in the project (by name)."""
    names = set(ERROR_BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (
                    isinstance(node, ast.ClassDef)
                    and node.name not in names
                    and any(_name(b) in names for b in node.bases)
                ):
                    names.add(node.name)
                    grew = True
    return names


def _bare(node: ast.AST) -> bool:
    """A literal the translators never see: "…", f"…", "…" % x, "…" + x, a if c else "…"."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and node.value.strip() != ""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, ast.BinOp):
        return _bare(node.left) or (isinstance(node.op, ast.Add) and _bare(node.right))
    if isinstance(node, ast.IfExp):
        return _bare(node.body) or _bare(node.orelse)
    return False


def _message(call: ast.Call, position: int) -> ast.AST | None:
    for kw in call.keywords:
        if kw.arg == "message":
            return kw.value
    return call.args[position] if len(call.args) > position else None


def _offenders() -> list[str]:
    trees = {p: ast.parse(p.read_text(), str(p)) for p in _scanned_files()}
    calls = dict.fromkeys(_error_classes(trees), 0) | ALSO
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _name(node.func) not in calls:
                continue
            message = _message(node, calls[_name(node.func)])  # type: ignore[index]
            if message is not None and _bare(message):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(f"{where}: {ast.unparse(message)[:60]}")
    return found


def test_the_scan_sees_the_error_classes():
    trees = {p: ast.parse(p.read_text()) for p in _scanned_files()}
    classes = _error_classes(trees)
    assert {"InvalidInput", "PermissionDenied", "NotFound", "FormulaError"} <= classes
    assert len(trees) > 100


def test_the_scan_flags_bare_literals():
    def flagged(source: str) -> bool:
        call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
        return _bare(_message(call, 0))  # type: ignore[arg-type]

    assert flagged('InvalidInput("单位不存在")')
    assert flagged('InvalidInput(f"单位「{x}」不存在")')
    assert flagged('InvalidInput("单位「%s」不存在" % x)')
    assert flagged('InvalidInput(message="单位不存在")')
    assert not flagged('InvalidInput(_("单位不存在"))')
    assert not flagged('InvalidInput(_("单位「%(x)s」不存在") % {"x": x})')
    assert not flagged("InvalidInput(exc.message)")


def test_no_raised_error_carries_a_bare_string():
    offenders = _offenders()
    assert not offenders, "wrap these messages in gettext:\n" + "\n".join(offenders)


# --- the English catalogue answers ----------------------------------------------------------


def test_service_errors_come_out_in_english():
    from chuangwen.core.errors import RowError
    from chuangwen.tasks.metrics import validate_formula

    with translation.override("en"):
        with pytest.raises(Exception) as exc:
            validate_formula("")
        assert str(exc.value.message) == "The formula is empty"
        with pytest.raises(Exception) as exc:
            validate_formula("cases.nope()")
        assert "Unknown name" in str(exc.value.message) and "cases.nope" in str(exc.value.message)
        row_error = RowError(3, "名称", "太长", sheet="单位")
        assert str(row_error) == "sheet “单位” row 3 column “名称”: 太长"
    with translation.override("zh-hans"):
        with pytest.raises(Exception) as exc:
            validate_formula("")
        assert str(exc.value.message) == "公式不能为空"
        assert str(row_error) == "工作表「单位」 第 3 行 「名称」列：太长"


@pytest.fixture
def _language_restored():
    """The locale middleware leaves the request's language active in this thread: put the
    default back, or the tests after this one would read English."""
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.mark.django_db
@pytest.mark.usefixtures("_language_restored")
def test_http_errors_follow_accept_language(small_city, client_for):
    leader = client_for(small_city.leader)
    r = leader.get(reverse("tasks:metric_new"), HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 403
    assert "This page is for the creation office's administrators only" in unescape(
        r.content.decode()
    )
    r = leader.get(reverse("tasks:metric_new"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "此页面仅限创建办管理员使用" in r.content.decode()
    # the htmx formula check and Open311 too
    office = client_for(small_city.office)
    r = office.get(reverse("tasks:metric_check"), {"formula": "1 +"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Formula syntax error" in r.content.decode()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    r = anonymous.get("/open311/v2/services.json", {"jurisdiction_id": "nowhere"})
    assert r.status_code == 404 and "does not exist" in r.content.decode()
