"""Imports run downward only: kernel (`lookback`) ← services ← applications (`apps`), and no service
imports another. Parsed from the source, so a new arrow pointing up fails here, not in review."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVICES = ("intake", "rules", "rectify", "reporting", "workbench")


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at module level or inside a function (a lazy import is an arrow too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def sources(package: str) -> list[Path]:
    return sorted((ROOT / package).rglob("*.py"))


def violations(package: str, forbidden: tuple[str, ...]) -> list[str]:
    return [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sources(package)
        for name in sorted(imported_modules(path))
        if any(name == top or name.startswith(f"{top}.") for top in forbidden)
    ]


def test_the_kernel_imports_no_service_application_or_bench() -> None:
    assert violations("lookback", ("services", "apps", "bench", "tests")) == []


@pytest.mark.parametrize("service", SERVICES)
def test_a_service_imports_neither_another_service_nor_an_application(service: str) -> None:
    others = tuple(f"services.{name}" for name in SERVICES if name != service)
    assert violations(f"services/{service}", (*others, "apps", "bench", "tests")) == []


def test_the_applications_are_not_imported_from_below() -> None:
    assert violations("services", ("apps", "bench")) == []


def test_the_parser_sees_lazy_imports(tmp_path: Path) -> None:
    """The check above would pass vacuously if function-level imports were missed."""
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from services.rules import main\n", encoding="utf-8")
    assert imported_modules(module) == {"services.rules"}
