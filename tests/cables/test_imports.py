"""The cables app never imports the search app (search listens to cables' signals and installs
the cable page's hooks): every module under cables/ is read and its imports checked."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CABLES = Path(__file__).resolve().parents[2] / "cables"
MODULES = sorted(CABLES.rglob("*.py"))


def imported_names(path: Path) -> list[str]:
    """Every module an import statement anywhere in the file names (inside functions too)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names.extend(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in (
            "import_module",
            "import_string",
            "__import__",
        ):
            names.extend(a.value for a in node.args if isinstance(a, ast.Constant))
    return [str(n) for n in names]


def is_search(name: str) -> bool:
    return name == "search" or name.startswith("search.")


def test_the_walk_finds_the_cables_modules():
    assert CABLES / "views.py" in MODULES and len(MODULES) > 10


def test_the_walk_sees_an_import_inside_a_function(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from search import pages\n    import search.state\n")
    assert [n for n in imported_names(module) if is_search(n)] == [
        "search",
        "search.pages",
        "search.state",
    ]


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(CABLES)))
def test_no_cables_module_imports_search(path):
    assert not [name for name in imported_names(path) if is_search(name)]
