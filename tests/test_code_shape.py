"""The shape rules of issue 10, checked on the source itself.

* No module over 500 lines and no function over 80 lines (from ``def`` to its last line) in
  the code that ships: ``data_pipeline/``, ``gapmap/``, ``methods/``, ``app_pages/`` and
  ``dashboard.py``.
* The page scripts (``app_pages/*.py`` and ``dashboard.py``) never import ``data_pipeline``.
  They are scripts, not a package, so import-linter (``lint-imports``, configured in
  pyproject.toml for the packages) cannot see them; this test parses them instead.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ("data_pipeline", "gapmap", "methods", "app_pages")
MAX_MODULE_LINES = 500
MAX_FUNCTION_LINES = 80
PAGE_FORBIDDEN = ("data_pipeline",)


def shipped_modules(root: Path = ROOT) -> list[Path]:
    """Every Python file of the shipped code, sorted, with ``dashboard.py``."""
    files = [path for folder in SHIPPED for path in (root / folder).rglob("*.py")]
    files.append(root / "dashboard.py")
    return sorted(path for path in files if "__pycache__" not in path.parts)


def page_scripts(root: Path = ROOT) -> list[Path]:
    """The Streamlit scripts: the pages and the entry point."""
    return sorted((root / "app_pages").glob("*.py")) + [root / "dashboard.py"]


def module_length(path: Path) -> int:
    """Lines in a module, as an editor numbers them."""
    return len(path.read_text(encoding="utf-8").splitlines())


def long_functions(source: str, limit: int = MAX_FUNCTION_LINES) -> Iterator[tuple[str, int]]:
    """(qualified name, lines) of each function or method longer than ``limit`` lines.

    A function runs from its ``def`` line (decorators not counted) to its last line; nested
    functions are measured on their own as well as inside their parent.
    """

    def visit(node: ast.AST, prefix: str) -> Iterator[tuple[str, int]]:
        for child in ast.iter_child_nodes(node):
            name = prefix
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}."
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = child.end_lineno - child.lineno + 1
                if lines > limit:
                    yield name.rstrip("."), lines
            yield from visit(child, name)

    yield from visit(ast.parse(source), "")


def imported_roots(source: str) -> set[str]:
    """Top-level package of every absolute import, at any depth in the module."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_no_module_over_500_lines():
    too_long = {
        _relative(path): lines
        for path in shipped_modules()
        if (lines := module_length(path)) > MAX_MODULE_LINES
    }
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def test_no_function_over_80_lines():
    too_long = {
        f"{_relative(path)}::{name}": lines
        for path in shipped_modules()
        for name, lines in long_functions(path.read_text(encoding="utf-8"))
    }
    assert not too_long, f"functions over {MAX_FUNCTION_LINES} lines: {too_long}"


@pytest.mark.parametrize("script", page_scripts(), ids=_relative)
def test_pages_never_import_the_pipeline(script: Path):
    forbidden = imported_roots(script.read_text(encoding="utf-8")) & set(PAGE_FORBIDDEN)
    assert not forbidden, f"{_relative(script)} imports {sorted(forbidden)}"


# The checks themselves can fail: each is shown a small source that breaks its rule.


def test_a_long_function_is_found_with_its_def_to_last_line_length():
    body = "\n".join(f"    x{i} = {i}" for i in range(80))
    source = f"class Page:\n    @staticmethod\n    def draw():\n{body}\n\ndef short():\n    pass\n"
    source = source.replace("\n    x", "\n        x")
    assert list(long_functions(source)) == [("Page.draw", 81)]
    assert list(long_functions(source, limit=81)) == []


def test_a_nested_long_function_is_named_by_its_parents():
    body = "\n".join(f"        y{i} = {i}" for i in range(90))
    source = f"def outer():\n    def inner():\n{body}\n    return inner\n"
    assert dict(long_functions(source)) == {"outer": 93, "outer.inner": 91}


def test_a_pipeline_import_is_found_at_any_depth():
    source = (
        "import streamlit as st\n"
        "def page():\n"
        "    from data_pipeline.build import build\n"
        "    import gapmap.atlas\n"
        "from . import sibling\n"
    )
    assert imported_roots(source) == {"streamlit", "data_pipeline", "gapmap"}


def test_a_long_module_is_counted(tmp_path: Path):
    module = tmp_path / "long.py"
    module.write_text("x = 1\n" * 501, encoding="utf-8")
    assert module_length(module) == 501 > MAX_MODULE_LINES


def download_buttons(path: Path) -> Iterator[ast.Call]:
    """Every ``download_button(...)`` call in a module."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        func = node.func if isinstance(node, ast.Call) else None
        if isinstance(func, ast.Attribute) and func.attr == "download_button":
            yield node


def test_no_download_reruns_the_page():
    """A download only hands over a file: rerunning the whole page for it cost seconds and
    could swallow the user's next click while the page was being redrawn."""
    calls = [(path, call) for path in shipped_modules() for call in download_buttons(path)]
    assert calls, "no download buttons found: the test reads the wrong files"
    rerunning = [
        f"{path.relative_to(ROOT)}:{call.lineno}"
        for path, call in calls
        if not any(
            k.arg == "on_click" and isinstance(k.value, ast.Constant) and k.value.value == "ignore"
            for k in call.keywords
        )
    ]
    assert not rerunning, rerunning
