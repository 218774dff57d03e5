"""Every user-facing error message is translatable: raised service errors (and import row
errors, form validation errors, Open311 errors, the views' flash messages and HTTP errors) carry
``gettext`` text with ``%(name)s`` placeholders — never a bare string literal or an f-string,
which gettext cannot see. And the English catalogue answers: a few representative errors come
out in English."""

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
ALSO = {  # message argument position
    "RowError": 2,
    "ValidationError": 0,
    "Open311Error": 1,
    "Http404": 0,
    "HttpResponseBadRequest": 0,
    "HttpResponseForbidden": 0,
    "HttpResponseNotFound": 0,
    "require_office": 2,
    "require_unit": 2,
    "require_city_member": 2,
    "_require_owner_or_office": 2,
}
FLASH = {"debug": 1, "info": 1, "success": 1, "warning": 1, "error": 1, "add_message": 2}
ROW_ERRORS = {"add": 2, "error": 2}  # an import's ErrorCollector.add(row, column, message, …)
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "pgettext", "_l", "gettext_noop"}


def _scanned_files() -> list[Path]:
    """Services, selectors, forms, views, jobs, API, xlsx and the rest of core — not the
    migrations, the operators' management commands or the demo data."""
    out = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if parts & {"migrations", "management"} or path.name == "demo.py":
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


def _position(call: ast.Call, calls: dict[str, int]) -> int | None:
    """Where the message sits in this call, or None if it is not a call that carries one:
    ``messages.error(request, …)`` and its siblings, an import's row error, or a raised error /
    HTTP response / permission check."""
    func = call.func
    if isinstance(func, ast.Attribute) and _name(func.value) == "messages":
        return FLASH.get(func.attr)
    if isinstance(func, ast.Attribute) and func.attr in ROW_ERRORS:
        return ROW_ERRORS[func.attr]
    name = _name(func)
    return calls.get(name) if name is not None else None


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
            if not isinstance(node, ast.Call):
                continue
            position = _position(node, calls)
            if position is None:
                continue
            message = _message(node, position)
            if message is not None and _bare(message):
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                found.append(f"{where}: {ast.unparse(message)[:60]}")
    return found


def test_the_scan_sees_the_error_classes():
    trees = {p: ast.parse(p.read_text()) for p in _scanned_files()}
    classes = _error_classes(trees)
    assert {"InvalidInput", "PermissionDenied", "NotFound", "FormulaError"} <= classes
    assert len(trees) > 100
    assert ROOT / "tasks" / "views.py" in trees  # the views too


def test_the_scan_flags_bare_literals():
    def flagged(source: str) -> bool:
        call = ast.parse(source).body[0].value  # type: ignore[attr-defined]
        position = _position(call, {"InvalidInput": 0, "PermissionDenied": 0} | ALSO)
        assert position is not None, source
        message = _message(call, position)
        return message is not None and _bare(message)

    assert flagged('InvalidInput("单位不存在")')
    assert flagged('InvalidInput(f"单位「{x}」不存在")')
    assert flagged('InvalidInput("单位「%s」不存在" % x)')
    assert flagged('InvalidInput(message="单位不存在")')
    assert not flagged('InvalidInput(_("单位不存在"))')
    assert not flagged('InvalidInput(_("单位「%(x)s」不存在") % {"x": x})')
    assert not flagged("InvalidInput(exc.message)")
    # the views: flash messages (after the request) and HTTP errors
    assert flagged('messages.success(request, "已保存")')
    assert flagged('messages.error(request, f"导入失败：{exc}")')
    assert flagged('messages.warning(request, message="已保存")')
    assert flagged('messages.add_message(request, messages.INFO, "已保存")')
    assert flagged('PermissionDenied("仅限创建办")')
    assert flagged('Http404(f"任务 {pk} 不存在")')
    assert not flagged('messages.success(request, _("已保存"))')
    assert not flagged('messages.info(request, _("导入成功：%(n)s 项任务") % {"n": n})')
    assert not flagged("messages.error(request, exc.message)")
    assert not flagged('Http404(_("任务不存在"))')
    assert _position(ast.parse('logger.info("x")').body[0].value, ALSO) is None  # type: ignore[attr-defined]


# the names makemessages (xgettext) extracts messages from
XGETTEXT_NAMES = {
    "_",
    "gettext",
    "gettext_lazy",
    "gettext_noop",
    "ngettext",
    "ngettext_lazy",
    "pgettext",
    "pgettext_lazy",
    "npgettext",
    "npgettext_lazy",
}


def test_gettext_is_imported_under_names_makemessages_reads():
    """A message marked with an alias (``gettext_lazy as _lazy``) is never extracted: it stays
    out of the catalogue and untranslated."""
    odd = []
    for path in _scanned_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
                odd += [
                    f"{path.relative_to(ROOT)}: {a.name} as {a.asname}"
                    for a in node.names
                    if a.asname and a.asname not in XGETTEXT_NAMES
                ]
    assert not odd, "import gettext under its own name or as _:\n" + "\n".join(odd)


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


def test_a_word_that_is_a_button_and_a_status_reads_right_in_english():
    """不同意 is the button (Refuse) and an extension's status (Refused): pgettext tells them
    apart, and the glossary fills the one with a context by ``context::msgid``."""
    import importlib.util

    from chuangwen.cases.choices import ExtensionStatus
    from chuangwen.core.audit_words import VERBS

    with translation.override("en"):
        assert str(ExtensionStatus.REFUSED.label) == "Refused"
        assert translation.gettext("不同意") == "Refuse"
        assert str(VERBS["created"]) == "Create" and translation.gettext("新建") == "New"
    spec = importlib.util.spec_from_file_location(
        "fill_translations", Path(settings.BASE_DIR) / "scripts" / "fill_translations.py"
    )
    fill = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(fill)  # type: ignore[union-attr]
    terms = {"不同意": "Refuse", "延期申请状态::不同意": "Refused"}
    block, done = fill.fill_entry('msgctxt "延期申请状态"\nmsgid "不同意"\nmsgstr ""', terms)
    assert done and block.endswith('msgstr "Refused"') and block.startswith("msgctxt")
    block, done = fill.fill_entry('msgid "不同意"\nmsgstr ""', terms)
    assert done and block.endswith('msgstr "Refuse"')
