"""The shape a newcomer can rely on: no import circles among the project's modules (imports inside
functions count), no file in core/ or dashboard/ over 400 lines, no page script over 150, no function
over 60, and every package saying what it offers in its __init__ docstring. (That core/ never imports
streamlit is test_core_imports.py.)"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("core", "dashboard")
MAX_FILE, MAX_PAGE, MAX_FUNCTION = 400, 150, 60


def _modules() -> dict[str, Path]:
    """Dotted name → file, for every module of the project's packages and its pages."""
    out = {}
    for top in (*PACKAGES, "pages"):
        for path in (ROOT / top).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


MODULES = _modules()


def _resolve(name: str, node: ast.ImportFrom | None, here: str, is_package: bool) -> list[str]:
    """The project modules an import statement names (a `from x import y` may name module x.y)."""
    if node is not None and node.level:
        base = here.split(".") if is_package else here.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        name = ".".join(base + ([node.module] if node.module else []))
    elif node is not None:
        name = node.module or ""
    found = []
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    if name:
        found.append(name)
    return found


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                out.update(_resolve(alias.name, None, module, is_package))
        elif isinstance(node, ast.ImportFrom):
            for target in _resolve("", node, module, is_package):
                submodules = {f"{target}.{a.name}" for a in node.names} & set(MODULES)
                out |= submodules             # `from pkg import submodule` names the submodule…
                if len(submodules) < len(node.names):
                    out.add(target)           # …and any other name comes from the package itself
    out.discard(module)
    return out


def _circles() -> list[list[str]]:
    graph = {m: _imports(m, p) for m, p in MODULES.items()}
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v: str) -> None:            # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_the_checks_see_the_project():
    assert "core.training.loop" in MODULES and "dashboard.train" in MODULES and "pages.train" in MODULES
    assert "core.runs.store" in _imports("core.runs.executor", MODULES["core.runs.executor"])     # relative
    assert "core.runs" in _imports("dashboard.state", MODULES["dashboard.state"])                 # absolute


def test_no_import_circles():
    assert _circles() == []


def _length(node: ast.AST) -> int:
    return node.end_lineno - node.lineno + 1


@pytest.mark.parametrize("top", PACKAGES)
def test_no_long_files_or_functions(top):
    long_files, long_functions = [], []
    for path in sorted((ROOT / top).rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if len(text.splitlines()) > MAX_FILE:
            long_files.append(f"{path.relative_to(ROOT)}: {len(text.splitlines())} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _length(node) > MAX_FUNCTION:
                long_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {_length(node)} lines")
    assert long_files == [] and long_functions == []


def test_page_scripts_stay_thin():
    long_pages = [f"{p.name}: {len(p.read_text().splitlines())}" for p in (ROOT / "pages").glob("*.py")
                  if len(p.read_text().splitlines()) > MAX_PAGE]
    assert long_pages == []


def test_every_package_says_what_it_offers():
    silent = [str(p.relative_to(ROOT)) for top in PACKAGES for p in (ROOT / top).rglob("__init__.py")
              if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))]
    assert silent == []



def module_name(test_file: Path) -> str:
    """The name pytest imports a test file under: its basename, prefixed by the packages (folders with an
    __init__.py) it sits in."""
    parts, folder = [test_file.stem], test_file.parent
    while (folder / "__init__.py").exists():
        parts.insert(0, folder.name)
        folder = folder.parent
    return ".".join(parts)


def test_no_two_test_files_share_a_module_name():
    """Two test files imported under one name stop the whole suite's collection in a fresh clone."""
    seen: dict[str, Path] = {}
    clashes = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        name = module_name(path)
        if name in seen:
            clashes.append(f"{seen[name].relative_to(ROOT)} and {path.relative_to(ROOT)} are both '{name}'")
        seen[name] = path
    assert not clashes, "; ".join(clashes) + ": rename one of each pair"
