"""Rooms talk through public names: no module imports a private name (``_x``) or a private module
(``_common``) of another package.

The views used to import rule helpers (``findings.cdn._policies``, ``findings.compute._stopped``,
``findings._common``): a rule's refactoring then broke a notebook. Shared facts now live in
:mod:`awsassess.facts`, public. Within one package (one folder) a private helper module such as
``architecture/_cells.py`` stays private to its siblings; dunders (``__version__``) are public.
The imports are read from the source (AST), inside functions too, relative ones resolved.
"""

from __future__ import annotations

import ast
from pathlib import Path

import awsassess

LIB = Path(awsassess.__file__).parent


def _private(part: str) -> bool:
    return part.startswith("_") and not (part.startswith("__") and part.endswith("__"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(LIB.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _package_of(path: Path) -> str:
    """The package a file belongs to (its folder): ``awsassess.findings`` for findings/cdn.py."""
    return ".".join(path.parent.relative_to(LIB.parent).parts)


def crossings() -> list[str]:
    found = []
    for path in sorted(LIB.rglob("*.py")):
        own = _package_of(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = own.split(".")[: len(own.split(".")) - node.level + 1]
                    target = ".".join([*base, *([node.module] if node.module else [])])
                else:
                    target = node.module or ""
                imported = [(target, a.name) for a in node.names]
            elif isinstance(node, ast.Import):
                imported = [(a.name, None) for a in node.names]
            else:
                continue
            for module, name in imported:
                if module.split(".")[0] != "awsassess":
                    continue
                parts = module.split(".")
                first_private = next((i for i, p in enumerate(parts) if _private(p)), None)
                # a private module is private to the package that holds it
                if first_private is not None and own != ".".join(parts[:first_private]):
                    found.append(f"{_module_name(path)}:{node.lineno} imports private module {module}")
                # a private name is private to its module's package
                if name and _private(name) and own != (module if (LIB.parent / Path(*parts)).is_dir()
                                                       else ".".join(parts[:-1])):
                    found.append(f"{_module_name(path)}:{node.lineno} imports private {module}.{name}")
    return found


def test_no_module_imports_a_private_name_of_another_package() -> None:
    assert crossings() == []


def test_the_scan_sees_a_crossing(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """The scan is not vacuous: a planted view that imports a rule's private helper is reported."""
    fake = tmp_path / "awsassess"
    (fake / "views").mkdir(parents=True)
    (fake / "findings").mkdir()
    (fake / "views" / "cdn.py").write_text("from awsassess.findings.cdn import _policies\n"
                                           "from ..findings._common import nat_bytes\n"
                                           "from awsassess.views._shared import ok\n")
    monkeypatch.setattr(__import__(__name__, fromlist=["LIB"]), "LIB", fake)
    assert crossings() == ["awsassess.views.cdn:1 imports private awsassess.findings.cdn._policies",
                           "awsassess.views.cdn:2 imports private module awsassess.findings._common"]
