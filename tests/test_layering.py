"""Apps depend downwards only (ARCHITECTURE.md, docs/adr/0007-layering-and-actors.md)::

    core ← org ← indicators, sites ← cases ← tasks, inspections
         ← assessment, citizens, volunteers ← dashboard, api

An AST scan of every import in ``chuangwen/`` (lazy imports inside functions too; tests are not
scanned): an app may import itself and the apps below it. A lower app that needs a higher one
offers a registry the higher one fills in its ``AppConfig.ready``.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "chuangwen"

# layer of each app; an app may import the apps of lower layers (and, where listed, its peers)
LAYERS = {
    "core": 0,
    "org": 1,
    "indicators": 2,
    "sites": 3,  # sites are of the indicators' site types
    "cases": 4,
    "tasks": 5,
    "inspections": 5,  # a failed check opens a case
    "assessment": 6,
    "citizens": 6,
    "volunteers": 6,
    "dashboard": 7,
    "api": 8,  # the API may import everything
}


def _imports(path: Path, package_dir: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every import of a chuangwen module in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(package_dir.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return [(line, m) for line, m in found if m.startswith("chuangwen.")]


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS else None


def upward_imports(package: Path = PACKAGE) -> list[str]:
    out = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package)
        if len(rel.parts) < 2 or rel.parts[0] not in LAYERS or "migrations" in rel.parts:
            continue
        app = rel.parts[0]
        for line, module in _imports(path, package):
            other = _app_of(module)
            if other is None or other == app:
                continue
            if LAYERS[other] >= LAYERS[app]:
                out.append(f"chuangwen/{rel.as_posix()}:{line} {app} imports {module}")
    return out


def test_every_app_of_the_package_has_a_layer():
    apps = {p.name for p in PACKAGE.iterdir() if (p / "apps.py").exists()}
    assert apps <= set(LAYERS), sorted(apps - set(LAYERS))


def test_apps_import_downwards_only():
    offenders = upward_imports()
    assert not offenders, "upward (or sideways) imports:\n" + "\n".join(offenders)


def test_the_scan_sees_upward_and_lazy_imports(tmp_path):
    pkg = tmp_path / "chuangwen"
    (pkg / "org").mkdir(parents=True)
    (pkg / "tasks").mkdir()
    (pkg / "org" / "views.py").write_text(
        "from chuangwen.core.errors import NotFound\n"
        "def f():\n"
        "    from chuangwen.cases.models import Case\n",
        encoding="utf-8",
    )
    (pkg / "tasks" / "metrics.py").write_text(
        "from ..inspections import services\nfrom ..cases.models import Case\n", encoding="utf-8"
    )
    assert upward_imports(pkg) == [
        "chuangwen/org/views.py:3 org imports chuangwen.cases.models",
        "chuangwen/tasks/metrics.py:1 tasks imports chuangwen.inspections",
    ]
