"""The layout of the house: what each part may import.

Engines stay free of Django; the column vocabulary is one table that fits the
page models; the demo app stays out of production.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

# --- engines free of Django --------------------------------------------------------
#
# The engines (the 责任分解表 parser, the column vocabulary, the secrecy scanner,
# the link checker, freshness scoring, the report figures) run in commands,
# workers and benchmarks without a database.  Every import they make, at any
# depth, and every project module they reach (with the packages around it, whose
# __init__ runs first) must stay clear of Django.

_ROOT = Path(__file__).resolve().parent.parent
_ENGINES = sorted(
    {
        *_ROOT.glob("columns/table/*.py"),
        *_ROOT.glob("oversight/linkcheck/*.py"),
        _ROOT / "columns" / "types.py",
        _ROOT / "oversight" / "freshness.py",
        _ROOT / "oversight" / "reports" / "figures.py",
        _ROOT / "moderation" / "secrecy" / "scanner.py",
        _ROOT / "interaction" / "figures.py",
        _ROOT / "workcalendar" / "calendar.py",
        _ROOT / "voting" / "anomalies.py",
        _ROOT / "voting" / "figures.py",
        _ROOT / "contests" / "results.py",
        _ROOT / "assessment" / "scoring.py",
        _ROOT / "harvest" / "css.py",
        _ROOT / "harvest" / "parse.py",
        _ROOT / "harvest" / "fetch.py",
    }
)
_FRAMEWORKS = ("django", "wagtail", "modelcluster", "taggit", "ninja")


def _is_framework(module: str) -> bool:
    top = module.split(".", 1)[0]
    return top in _FRAMEWORKS or top.startswith("django_")


def _project_file(module: str) -> Path | None:
    base = _ROOT.joinpath(*module.split("."))
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path) -> str:
    parts = path.relative_to(_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    return _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]


def _imported_modules(path: Path, package: str) -> set[str]:
    """Absolute names of every module ``path`` imports, at any depth (relative imports resolved)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            found.add(base)
            # `from package import module` imports the module too.
            found.update(f"{base}.{alias.name}" for alias in node.names if _project_file(f"{base}.{alias.name}"))
    return found


def _with_packages(module: str) -> list[str]:
    parts = module.split(".")
    return [".".join(parts[: index + 1]) for index in range(len(parts))]


def _framework_imports(start: Path) -> list[str]:
    """'module imports framework' for every framework import reachable from ``start``."""
    seen: set[Path] = set()
    pending = [start]
    offences: list[str] = []
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        for module in sorted(_imported_modules(path, _package_of(path))):
            if _is_framework(module):
                offences.append(f"{_module_name(path)} imports {module}")
                continue
            for name in _with_packages(module):
                target = _project_file(name)
                if target is not None and target not in seen:
                    pending.append(target)
        # The packages around a module run before it.
        for name in _with_packages(_module_name(path))[:-1]:
            target = _project_file(name)
            if target is not None:
                pending.append(target)
    return offences


def test_the_engine_list_is_complete():
    names = {_module_name(path) for path in _ENGINES}
    assert {"columns.table.rows", "columns.table.boxdrawn", "columns.table.spreadsheet", "columns.table.catalogue"} <= names
    assert {"oversight.linkcheck.guard", "oversight.linkcheck.html", "oversight.linkcheck.crawler"} <= names
    assert all(path.is_file() for path in _ENGINES)


@pytest.mark.parametrize("path", _ENGINES, ids=lambda path: _module_name(path))
def test_engines_do_not_import_django(path: Path):
    assert _framework_imports(path) == []


def test_the_check_sees_a_django_import(tmp_path):
    # The walker itself: a module that imports Django is caught.
    sample = tmp_path / "sample.py"
    sample.write_text("import json\nfrom django.db import models\n\ndef f():\n    import wagtail.models\n", encoding="utf-8")
    assert {"json", "django.db", "wagtail.models"} <= _imported_modules(sample, "")
    assert all(_is_framework(name) for name in ("django.db", "wagtail.models", "django_tenants.utils"))
    assert not _is_framework("json")


# --- one column vocabulary ----------------------------------------------------------


def test_the_column_vocabulary_fits_the_page_models():
    from django.apps import apps

    from columns.types import COLUMN_TYPES, KIND_CHOICES, ColumnKind
    from sitepages import models as pages

    for ctype in COLUMN_TYPES.values():
        model = apps.get_model(ctype.page_model)
        assert model in pages.COLUMN_PAGE_TYPES, ctype
        if ctype.is_listing:
            assert model is pages.ColumnListingPage and ctype.item_type in pages.ITEM_TYPES, ctype
    # The trees each class declares are the registries the platform iterates.
    assert [model._meta.label for model in pages.COLUMN_PAGE_TYPES] == pages.COLUMN_PAGES
    assert [model._meta.label for model in pages.ITEM_TYPES.values()] == pages.ITEM_PAGES
    field = pages.SectionPage._meta.get_field("column_kind")
    assert list(field.choices) == list(KIND_CHOICES) == [(kind.value, kind.label) for kind in ColumnKind]


# --- the demo -----------------------------------------------------------------------


def test_the_demo_app_is_not_a_production_app():
    import importlib

    base = importlib.import_module("govplatform.settings.base")
    assert "demo" not in base.INSTALLED_APPS
    production = (_ROOT / "govplatform" / "settings" / "production.py").read_text(encoding="utf-8")
    assert '"demo"' not in production and "'demo'" not in production


# --- no import cycle ----------------------------------------------------------------
#
# The import graph of every first-party module (each top-level package of the
# repository), built from the imports that run when the module is imported: its
# module and class bodies, not its functions, and not `if TYPE_CHECKING:` blocks.
# An edge goes to the imported module and to the packages around it, whose
# __init__ runs first (except the packages around the importing module itself,
# which are already running). The graph has no cycle. moderation/ is held to
# more: not even an import inside a function closes a cycle there.


def _first_party_modules(root: Path) -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in sorted(p for p in root.iterdir() if p.is_dir() and (p / "__init__.py").is_file()):
        for path in package.rglob("*.py"):
            parts = path.relative_to(root).with_suffix("").parts
            if all(part.isidentifier() for part in parts):
                modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def _import_nodes(body: list[ast.stmt], *, in_functions: bool):
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if in_functions:
                yield from _import_nodes(node.body, in_functions=True)
        elif isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _import_nodes(node.orelse, in_functions=in_functions)
        else:
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.stmt):
                    yield from _import_nodes([child], in_functions=in_functions)
                elif isinstance(child, ast.excepthandler):
                    yield from _import_nodes(child.body, in_functions=in_functions)


def _import_graph(root: Path, *, in_functions: bool = False) -> dict[str, set[str]]:
    modules = _first_party_modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        targets: set[str] = set()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _import_nodes(tree.body, in_functions=in_functions):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
                continue
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in modules)
        graph[name] = {
            around
            for target in targets
            for around in _with_packages(target)
            if around in modules and not (name == around or name.startswith(f"{around}."))
        }
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in graph:
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for target in edges:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(sorted(graph.get(target, ())))))
                    break
                if target in on_stack:
                    low[node] = min(low[node], index[target])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def test_no_import_cycle_between_first_party_modules():
    graph = _import_graph(_ROOT)
    assert {"tenants.context", "moderation.models", "oversight.views"} <= graph.keys()
    assert _cycles(graph) == []


def test_no_import_cycle_in_moderation_even_inside_functions():
    graph = _import_graph(_ROOT, in_functions=True)
    moderation = {
        name: {t for t in targets if t.startswith("moderation")}
        for name, targets in graph.items()
        if name.startswith("moderation")
    }
    assert _cycles(moderation) == []


def test_other_apps_use_tenants_not_moderation():
    # Tenancy helpers live in tenants/; other apps reach into moderation only for the Django-free secrecy engines.
    engines = {
        "moderation",
        "moderation.secrecy",
        *(f"moderation.secrecy.{name}" for name in ("scanner", "extract", "spreadsheet", "markup")),
    }
    graph = _import_graph(_ROOT, in_functions=True)
    offences = sorted(
        f"{name} imports {target}"
        for name, targets in graph.items()
        if name.split(".")[0] in {"oversight", "search", "scheduling", "columns", "sitepages", "portal", "tenants"}
        for target in targets
        if target.startswith("moderation") and target not in engines
    )
    assert offences == []


def test_the_cycle_check_sees_a_cycle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "a.py").write_text("from . import b\n", encoding="utf-8")
    (package / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import c\n\ndef f():\n    from . import a\n",
        encoding="utf-8",
    )
    (package / "c.py").write_text("from .a import something\n", encoding="utf-8")
    assert _cycles(_import_graph(tmp_path)) == []
    assert _cycles(_import_graph(tmp_path, in_functions=True)) == [["pkg.a", "pkg.b"]]
    (package / "c.py").write_text("import pkg.b\nclass C:\n    from pkg import a\n", encoding="utf-8")
    (package / "b.py").write_text("try:\n    from . import c\nexcept ImportError:\n    pass\n", encoding="utf-8")
    assert _cycles(_import_graph(tmp_path)) == [["pkg.a", "pkg.b", "pkg.c"]]


def test_only_tenants_chooses_a_schema():
    """No app but tenants/ imports django-tenants or reads or sets the connection's schema itself:
    they go through tenants.context (settings name django-tenants' classes as dotted strings only)."""
    offences = []
    for path in sorted(_ROOT.rglob("*.py")):
        relative = path.relative_to(_ROOT)
        top = relative.parts[0]
        if (
            top in {"tenants", "tests", "tests_browser", "bench", ".venv"}
            or "migrations" in relative.parts
            or len(relative.parts) == 1
        ):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("django_tenants"):
                offences.append(f"{relative}:{node.lineno} imports {node.module}")
            elif isinstance(node, ast.Import) and any(alias.name.startswith("django_tenants") for alias in node.names):
                offences.append(f"{relative}:{node.lineno} imports django_tenants")
            elif (
                isinstance(node, ast.Attribute)
                and node.attr
                in {
                    "schema_name",
                    "set_schema",
                    "set_schema_to_public",
                    "set_tenant",
                }
                and isinstance(node.value, ast.Name)
                and node.value.id == "connection"
            ):
                offences.append(f"{relative}:{node.lineno} uses connection.{node.attr}")
    assert not offences, "\n".join(offences)
