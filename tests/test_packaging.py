"""pyproject.toml as a distribution: its name, its build, and what it declares.

Pure reads of pyproject.toml, the migcheck package's source and this environment's
installed metadata; .ci/run builds the sdist and wheel and runs the installed wheel.
"""

from __future__ import annotations

import ast
import sys
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import migcheck

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "migcheck"
PYPROJECT: dict[str, Any] = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT: dict[str, Any] = PYPROJECT["project"]
DEPENDENCIES = [Requirement(text) for text in PROJECT["dependencies"]]

# Imported only by migcheck/pytest_plugin, which pytest itself loads (the pytest11 entry
# point), so pytest is there whenever they run; xdist's hook is called by xdist only.
PYTEST_HOSTED = {"pytest", "_pytest", "xdist"}


def _imports(path: Path) -> set[str]:
    """The top-level names of the absolute imports in one module."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@cache
def _third_party_imports() -> dict[str, set[Path]]:
    """Import name -> the modules of migcheck that import it, for every import that is
    neither the standard library nor migcheck itself."""
    found: dict[str, set[Path]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _imports(path):
            if name in sys.stdlib_module_names or name in ("__future__", "migcheck"):
                continue
            found.setdefault(name, set()).add(path.relative_to(ROOT))
    return found


@cache
def _installed() -> dict[str, list[str]]:
    """Import name -> the installed distributions that provide it (reads them all)."""
    return dict(metadata.packages_distributions())


def _distributions(import_name: str) -> set[str]:
    """The distributions that provide an import name here; one not installed in this
    environment (tomli on Python 3.11 and newer) must be declared under its own name."""
    provided = _installed().get(import_name)
    return {canonicalize_name(d) for d in provided or [import_name]}


def test_distribution_name_command_and_import_package() -> None:
    # PyPI's `migcheck` is another tool; the command and the import name stay migcheck.
    assert PROJECT["name"] == "alembic-migcheck"
    assert PROJECT["scripts"] == {"migcheck": "migcheck.cli:main"}
    assert PROJECT["entry-points"]["pytest11"] == {"migcheck": "migcheck.pytest_plugin"}
    assert PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"] == ["migcheck*"]


def test_version_comes_from_the_installed_metadata() -> None:
    # An editable install records pyproject's version when it is made: reinstall
    # (pip install -e '.[dev]') after changing it.
    assert migcheck.__version__ == metadata.version("alembic-migcheck") == PROJECT["version"]


def test_build_backend_reads_the_spdx_license() -> None:
    # `license = "MIT"` (an SPDX expression) needs setuptools 77; older ones fail to build.
    assert PROJECT["license"] == "MIT"
    assert (ROOT / "LICENSE").is_file()
    (setuptools,) = [
        Requirement(text)
        for text in PYPROJECT["build-system"]["requires"]
        if Requirement(text).name == "setuptools"
    ]
    assert not setuptools.specifier.contains("76.1.0")
    assert setuptools.specifier.contains("77.0.1")
    # setuptools 77 refuses a License classifier next to a license expression.
    assert not [c for c in PROJECT["classifiers"] if c.startswith("License ::")]


def test_python_classifiers_start_at_requires_python() -> None:
    versions = [
        c.rsplit(" :: ", 1)[1]
        for c in PROJECT["classifiers"]
        if c.startswith("Programming Language :: Python :: 3.")
    ]
    assert versions == ["3.10", "3.11", "3.12", "3.13"]
    assert PROJECT["requires-python"] == f">={versions[0]}"


def test_project_urls() -> None:
    home = "https://github.com/alembic-migcheck/migcheck"
    assert PROJECT["urls"] == {
        "Homepage": home,
        "Documentation": "https://alembic-migcheck.github.io/migcheck/",
        "Changelog": f"{home}/blob/main/CHANGELOG.md",
        "Issues": f"{home}/issues",
    }


def test_every_import_is_a_declared_dependency() -> None:
    declared = {canonicalize_name(r.name) for r in DEPENDENCIES}
    undeclared = {}
    for name, modules in _third_party_imports().items():
        if name in PYTEST_HOSTED and all(m.parts[1] == "pytest_plugin" for m in modules):
            continue
        if not _distributions(name) & declared:
            undeclared[name] = sorted(str(m) for m in modules)
    assert undeclared == {}


def test_every_dependency_is_imported() -> None:
    imported = set().union(*(_distributions(n) for n in _third_party_imports()))
    assert sorted(r.name for r in DEPENDENCIES if canonicalize_name(r.name) not in imported) == []


@pytest.mark.parametrize("requirement", DEPENDENCIES, ids=str)
def test_dependency_has_an_upper_bound_and_is_tested_within_it(
    requirement: Requirement,
) -> None:
    # A new major release (of sqlglot above all: the comparison of expressions depends on
    # its trees) waits for a test run before the bound moves.
    if requirement.name != "tomli":  # the backport of tomllib: its API is the standard's
        assert any(s.operator == "<" for s in requirement.specifier), requirement
    if requirement.marker is None or requirement.marker.evaluate():
        installed = metadata.version(requirement.name)
        assert requirement.specifier.contains(installed, prereleases=True), (
            f"{requirement.name} {installed} is outside {requirement}"
        )


def test_package_data_covers_every_file_that_is_not_python() -> None:
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["migcheck"]
    covered = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    data = {
        path
        for path in PACKAGE.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert sorted(str(p.relative_to(ROOT)) for p in data - covered) == []
    assert PACKAGE / "py.typed" in covered
