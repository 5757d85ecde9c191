"""The layout of :mod:`awsassess.collect`: one job per module, no import cycle, no module too long.

The framework was one 914-line ``collect/base.py`` that did seven jobs and imported
``collect/workers.py`` inside functions while workers imported it at the top: a cycle that only
worked because one side waited until call time. Now each module imports only the ones "below" it
(contract, call_records, rows -> run_state -> context -> units -> workers -> schedule -> account).

The import graph is read from the source (AST), so an import inside a function counts as much as one
at the top of the module; only imports under ``if TYPE_CHECKING:`` are left out (they never run).

The package's ``__init__`` is not a node of that graph: it is the public face that re-exports
``collect_account`` & co., and it holds the registry (``load_collectors``, ``all_operations``) that
``account`` and ``workers`` read at call time. Those two imports of the package are allowed only inside
functions (at the top of a module they would be a real cycle: the package imports that module).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import awsassess.collect

PACKAGE = "awsassess.collect"
ROOT = Path(awsassess.collect.__file__).parent
MAX_LINES = 420  # "about 400": pipelines.py, a collector, is 405


def _modules() -> dict[str, Path]:
    return {p.stem: p for p in sorted(ROOT.glob("*.py")) if p.stem != "__init__"}


def _is_type_checking(node: ast.AST) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.Module) -> list[tuple[str, str | None, bool]]:
    """(module, name imported from it or None, at module level) for every import that can run."""
    found: list[tuple[str, str | None, bool]] = []

    def visit(nodes: Iterable[ast.AST], top: bool) -> None:
        for node in nodes:
            if _is_type_checking(node):
                visit(node.orelse, top)  # type: ignore[attr-defined]
                continue
            if isinstance(node, ast.Import):
                found.extend((a.name, None, top) for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = node.module or ""
                if node.level:  # relative: from this package
                    module = f"{PACKAGE}.{module}".rstrip(".")
                found.extend((module, a.name, top) for a in node.names)
            inner = top and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
            visit(ast.iter_child_nodes(node), inner)

    visit(tree.body, True)
    return found


def _graph() -> tuple[dict[str, set[str]], dict[str, list[bool]]]:
    """Edges between the submodules, and for each submodule whether each of its imports of a name
    defined in the package's ``__init__`` is at module level."""
    modules = _modules()
    edges: dict[str, set[str]] = {m: set() for m in modules}
    of_package: dict[str, list[bool]] = {}
    for name, path in modules.items():
        for module, imported, top in _imports(ast.parse(path.read_text(), filename=str(path))):
            if module == PACKAGE and imported is not None and imported not in modules:
                of_package.setdefault(name, []).append(top)
                continue
            if module == PACKAGE and imported is not None:
                module = f"{PACKAGE}.{imported}"  # from awsassess.collect import workers
            if module.startswith(f"{PACKAGE}."):
                target = module.split(".")[2]
                if target in modules and target != name:
                    edges[name].add(target)
    return edges, of_package


def _cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt):], nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_among_collect_modules() -> None:
    edges, _ = _graph()
    assert "workers" in edges["schedule"] and "units" in edges["workers"]  # the graph is read at all
    cycle = _cycle(edges)
    assert cycle is None, (
        f"import cycle in awsassess.collect: {' -> '.join(cycle or [])}. Fix: move what both need into "
        "a module below them (see the list in awsassess.collect.contract's docstring).")


def test_the_package_is_imported_only_at_call_time() -> None:
    _, of_package = _graph()
    top = sorted(m for m, tops in of_package.items() if any(tops))
    assert not top, (
        f"awsassess.collect.{top} import from the package at module level; the package imports its "
        "modules, so that is a cycle. Fix: import from the submodule that defines the name, or inside "
        "the function that needs it.")


def test_no_collect_module_is_too_long() -> None:
    long = {p.name: n for p in ROOT.glob("*.py") if (n := len(p.read_text().splitlines())) > MAX_LINES}
    assert not long, (
        f"modules over {MAX_LINES} lines: {long}. Fix: split them by job into smaller modules.")


def test_the_cycle_check_sees_function_level_imports_and_not_type_checking_ones() -> None:
    tree = ast.parse("from typing import TYPE_CHECKING\n"
                     "if TYPE_CHECKING:\n    from awsassess.collect.c import y\n"
                     "def f():\n    from awsassess.collect.b import x\n")
    assert (f"{PACKAGE}.b", "x", False) in _imports(tree)
    assert not [m for m, _, _ in _imports(tree) if m.endswith(".c")]
    assert _cycle({"a": {"b"}, "b": {"a"}}) == ["a", "b", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
