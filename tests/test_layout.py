""":mod:`awsassess.layout` is the one spelling of the output folders (INTERFACE.md, "Outputs").

Four promises of its module docstring, held here:

1. **No file name spelled outside layout.py.** Batch, reports, portfolio, notebooks and the command line ask
   :class:`~awsassess.layout.RunFolder` / :class:`~awsassess.layout.AccountFolder` for paths and never join
   a file name themselves. An AST scan of every module of the package (layout.py excepted) looks for the
   names layout.py defines (read from its module-level constants, not copied here) where they make a path:
   an operand of ``/``, an argument of ``Path(...)``, ``os.path.join(...)``, ``.joinpath(...)``,
   ``.with_name(...)``, ``.glob(...)``, ``open(...)``, alone or ``/``-joined (``"snapshot/manifest.json"``,
   ``f"{x}/findings.json"``). Docstrings, error messages and help text mention file names legitimately and
   are not flagged: only path expressions are, plus two narrower ways round the rule (a file name given a
   second name, ``FINDINGS = "findings.json"``; and a bare relative path in a string,
   ``f"{name}/notebooks/{stem}.ipynb"``). The scan proves itself on planted sources first.
2. **The paths are the documented ones**: every path property equals its INTERFACE.md relative path (the
   expected paths below are transcribed from INTERFACE.md, so renaming a constant fails here).
3. **Account names cannot leave the run folder** (``../x``, ``a/b``, a link) nor merge with a folder the run
   keeps (``logs``, ``params``): ValueError naming the fix.
4. **Readers are strict**: an absent file is :class:`~awsassess.layout.MissingArtefact` naming the file and
   the command that writes it; ``missing_ok=True`` gives the empty value; a file that is there but damaged
   is always :class:`~awsassess.layout.ArtefactError`, never an empty result (with or without missing_ok).

Plus the checkout lookup (:func:`~awsassess.layout.checkout_root`, :func:`~awsassess.layout.suite_notebooks_dir`)
and the fast import (layout must not pull pandas in). Tests named ``test_bug_*`` hold lib bugs found while
writing this file; they fail until the lib is fixed.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import awsassess
import pytest
from awsassess import layout
from awsassess.layout import (
    AccountFolder,
    ArtefactError,
    MissingArtefact,
    RunFolder,
    SnapshotFolder,
    checkout_root,
    demo_run_dir,
    suite_notebooks_dir,
)
from paths import REPO

LIB = Path(awsassess.__file__).resolve().parent
LAYOUT_PY = Path(layout.__file__).resolve()


# ===================================================================================== 1. the scan
def _artefact_names() -> dict[str, str]:
    """``{name: where layout.py defines it}``, from layout's module-level constants: every upper-case string
    constant (``FINDINGS_JSON = "findings.json"``), the diagram names and their files (``current.svg``)."""
    names = {value: f"layout.{key}" for key, value in vars(layout).items()
             if key.isupper() and isinstance(value, str)}
    for stem in layout.DIAGRAM_NAMES:
        names.setdefault(stem, "layout.DIAGRAM_NAMES")
        for fmt in layout.DIAGRAM_FORMATS:
            names.setdefault(f"{stem}.{fmt}", "layout.DIAGRAM_NAMES x DIAGRAM_FORMATS")
    return names


NAMES = _artefact_names()
FILE_NAMES = frozenset(n for n in NAMES if "." in n)  # "findings.json", ".run.lock": never a plain word


def _accessors() -> dict[str, str]:
    """``{name: "AccountFolder.findings_json"}``: which property to ask instead, found by probing the folders."""
    found: dict[str, str] = {}
    base = Path("X")
    for cls in (RunFolder, AccountFolder, SnapshotFolder):
        folder = cls(base)
        for attr, member in vars(cls).items():
            if isinstance(member, property):
                value = getattr(folder, attr)
                if isinstance(value, Path) and value.parent == base:
                    found.setdefault(value.name, f"{cls.__name__}.{attr}")
    for stem in layout.DIAGRAM_NAMES:
        found.setdefault(stem, f"AccountFolder.diagram({stem!r})")
        for fmt in layout.DIAGRAM_FORMATS:
            found.setdefault(f"{stem}.{fmt}", "AccountFolder.diagram_files()")
    return found


ACCESSORS = _accessors()

# Calls whose arguments are paths: bare names (``Path(...)``, ``open(...)``) and methods (``p.joinpath(...)``).
PATH_FUNCTIONS = frozenset({"Path", "PurePath", "PosixPath", "PurePosixPath", "open"})
PATH_METHODS = frozenset({"Path", "PurePath", "PosixPath", "PurePosixPath", "joinpath", "with_name", "glob",
                          "rglob", "iglob"})
OS_PATH_MODULES = frozenset({"path", "posixpath", "ntpath", "osp"})  # os.path.join, posixpath.join, osp.join

# Spellings that are not an output folder's, each with its reason. Keyed by (module, source text): line
# numbers move while other people edit.
ALLOWED = {
    ("cli.py", 'Path("params")'): "the default --out of `awsassess params init`: the user's own params folder "
                                  "in the current directory, not a run folder's RunFolder.params",
}


@dataclass(frozen=True)
class Spelling:
    module: str  # relative to the package, e.g. "findings/__init__.py"
    line: int
    name: str  # the artefact name found
    source: str  # the expression it is in: the ``/``, the call, the assignment, the comparison
    kind: str  # "path", "alias", "relative path"

    def __str__(self) -> str:
        ask = ACCESSORS.get(self.name)
        hint = f"; ask layout instead ({ask})" if ask else f"; use {NAMES[self.name]}"
        return (f"lib/awsassess/{self.module}:{self.line}: {self.source} spells {self.name!r} "
                f"({NAMES[self.name]}) as a {self.kind}{hint}")


def _pieces(node: ast.expr) -> list[str] | None:
    """The literal text of a string constant or an f-string (its constant parts), else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.JoinedStr):
        return [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return None


def _named(pieces: list[str]) -> str | None:
    """The first artefact name among the ``/``-separated components of the pieces, else None."""
    for piece in pieces:
        for component in piece.split("/"):
            if component in NAMES:
                return component
    return None


def _path_arguments(call: ast.Call) -> list[ast.expr]:
    func = call.func
    if isinstance(func, ast.Name) and func.id in PATH_FUNCTIONS:
        is_path = True
    elif isinstance(func, ast.Attribute) and func.attr in PATH_METHODS:
        is_path = True
    elif isinstance(func, ast.Attribute) and func.attr == "join":  # os.path.join, not ", ".join
        owner = func.value
        is_path = (isinstance(owner, ast.Attribute) and owner.attr in OS_PATH_MODULES) or \
                  (isinstance(owner, ast.Name) and owner.id in OS_PATH_MODULES)
    else:
        is_path = False
    if not is_path:
        return []
    return [*call.args, *(k.value for k in call.keywords if k.arg in (None, "file", "pattern"))]


def _path_operands(nodes: list[ast.AST]) -> Iterator[tuple[ast.expr, ast.AST]]:
    """Every expression used as a path, with the expression it is in: an operand of ``/`` or an argument of
    a path call."""
    for node in nodes:
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            yield node.left, node
            yield node.right, node
        elif isinstance(node, ast.Call):
            for argument in _path_arguments(node):
                yield argument, node


def _docstrings(nodes: list[ast.AST]) -> set[int]:
    """ids of every string that is a statement of its own (docstrings, and strings used as comments)."""
    return {id(node.value) for node in nodes if isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant | ast.JoinedStr)}


def _alias_values(nodes: list[ast.AST]) -> Iterator[tuple[ast.expr, ast.AST]]:
    """Constants a name is bound to (``X = "findings.json"``, in a tuple/list/set/dict too), default
    arguments, and the operands of comparisons (``p.name == "findings.json"``)."""
    def flat(value: ast.expr | None) -> Iterator[ast.expr]:
        if isinstance(value, ast.Tuple | ast.List | ast.Set):
            for elt in value.elts:
                yield from flat(elt)
        elif isinstance(value, ast.Dict):
            for item in (*value.keys, *value.values):
                yield from flat(item)
        elif value is not None:
            yield value

    for node in nodes:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            values: Iterator[ast.expr] = flat(node.value)
        elif isinstance(node, ast.arguments):
            values = (v for default in (*node.defaults, *node.kw_defaults) for v in flat(default))
        elif isinstance(node, ast.Compare):
            values = (v for operand in (node.left, *node.comparators) for v in flat(operand))
        else:
            continue
        for value in values:
            yield value, node


def scan_source(source: str, module: str = "<planted>") -> list[Spelling]:
    """Every artefact name ``source`` spells itself: in a path expression, as a second name for a file name,
    or as a bare relative path string (no spaces, no ``:``; e.g. ``f"{name}/notebooks/{stem}.ipynb"``)."""
    nodes = list(ast.walk(ast.parse(source)))
    skip = _docstrings(nodes)
    found: dict[tuple[int, int], Spelling] = {}

    def add(node: ast.expr, context: ast.AST, name: str, kind: str) -> None:
        key = (node.lineno, node.col_offset)
        text = " ".join((ast.get_source_segment(source, context) or repr(name)).split())
        text = text if len(text) <= 100 else text[:97] + "..."
        if key not in found and (module, text) not in ALLOWED:
            found[key] = Spelling(module, node.lineno, name, text, kind)

    in_path: set[int] = set()
    for operand, context in _path_operands(nodes):
        pieces = _pieces(operand)
        name = _named(pieces) if pieces is not None else None
        if name is not None:
            in_path.add(id(operand))
            add(operand, context, name, "path")

    for value, context in _alias_values(nodes):
        if id(value) not in in_path and isinstance(value, ast.Constant) and value.value in FILE_NAMES:
            in_path.add(id(value))
            add(value, context, value.value, "second name of a file name")

    f_string_parts = {id(v) for node in nodes if isinstance(node, ast.JoinedStr) for v in node.values}
    for node in nodes:
        if id(node) in skip or id(node) in in_path or id(node) in f_string_parts:
            continue
        pieces = _pieces(node) if isinstance(node, ast.expr) else None
        if not pieces:
            continue
        text = "".join(pieces)
        if "/" not in text or ":" in text or any(c.isspace() for c in text):
            continue  # a sentence, a URL or an ARN, not a relative path
        name = _named(pieces)
        if name is not None:
            add(node, node, name, "relative path string")
    return sorted(found.values(), key=lambda s: (s.line, s.source))


def _lib_modules() -> list[Path]:
    return sorted(p for p in LIB.rglob("*.py") if p.resolve() != LAYOUT_PY and "__pycache__" not in p.parts)


def scan_lib() -> list[Spelling]:
    spellings: list[Spelling] = []
    for path in _lib_modules():
        spellings += scan_source(path.read_text(encoding="utf-8"), path.relative_to(LIB).as_posix())
    return spellings


def _report(spellings: list[Spelling], what: str) -> str:
    return (f"{len(spellings)} {what} outside layout.py (INTERFACE 'Outputs' has one spelling: "
            f"awsassess.layout). Fix: ask RunFolder/AccountFolder for the path:\n  "
            + "\n  ".join(map(str, spellings)))


@pytest.fixture(scope="module")
def lib_spellings() -> list[Spelling]:
    return scan_lib()


def test_names_are_read_from_layout() -> None:
    """The scan's names come from layout.py itself (a sanity check of the harvest, not the list)."""
    assert {layout.FINDINGS_JSON, layout.COSTS_CSV, layout.RUN_JSON, layout.SNAPSHOT, layout.MANIFEST} <= set(NAMES)
    assert all(n and "/" not in n for n in NAMES), NAMES
    assert ACCESSORS[layout.FINDINGS_JSON] == "AccountFolder.findings_json"
    assert ACCESSORS[layout.MANIFEST] == "SnapshotFolder.manifest"
    assert ACCESSORS[layout.RUN_JSON] == "RunFolder.run_json"
    assert len(_lib_modules()) > 20 and LAYOUT_PY not in _lib_modules()


PLANTED_PATHS = {
    'Path(x) / "costs.csv"': "costs.csv",
    'acct / "snapshot" / "manifest.json"': "snapshot manifest.json",
    'os.path.join(out, "findings.json")': "findings.json",
    'out.joinpath("model.json")': "model.json",
    'Path(out, "report.pdf")': "report.pdf",
    'pathlib.Path("run.json")': "run.json",
    'open(f"{out}/progress.json")': "progress.json",
    'out / f"{name}/notebooks"': "notebooks",
    'out / "snapshot/manifest.json"': "snapshot",
    'sorted(run.glob("*/findings.json"))': "findings.json",
    'p.with_name("portfolio.html")': "portfolio.html",
    'acct / "diagrams" / "current"': "diagrams current",
    'render(cur, out / "current")': "current",
    'NAME = "findings.csv"': "findings.csv",
    'FILES = ("model.json", "x")': "model.json",
    'def f(name="costs.csv"): pass': "costs.csv",
    'p.name == "report.html"': "report.html",
    'rec = {"notebook": f"{name}/notebooks/{stem}.ipynb"}': "notebooks",
}


@pytest.mark.parametrize("source", sorted(PLANTED_PATHS))
def test_scan_catches_a_planted_spelling(source: str) -> None:
    found = scan_source(source)
    assert sorted(s.name for s in found) == sorted(PLANTED_PATHS[source].split()), found


NOT_PATHS = '''
"""Writes findings.json and costs.csv into DIR/<name>/ (see snapshot/manifest.json)."""
import os


def run(out, acct, name, log):
    """Reads run.json; the docstring of a function may name snapshot/manifest.json too."""
    if not acct.findings_json.is_file():
        raise FileNotFoundError(f"{acct.path}: no findings.json. Fix: run `awsassess analyze {acct.snapshot}`")
    log.info("wrote %s and %s", acct.costs_csv, "model.json")
    help_text = "params/*.yaml files, one per account"
    message = f"{out}/<name>/snapshot: not collected yet"
    arn = f"arn:aws:logs:{name}:log-group:/aws/logs/{name}"
    kind = "snapshot"
    ratio = total / 2
    joined = ", ".join(["findings.json", "costs.csv"])
    return acct.path / acct.findings_json.name, os.path.join(out, name)
'''


def test_scan_leaves_prose_and_layout_calls_alone() -> None:
    """Docstrings, error messages, help text, log arguments, ARNs and plain words are not path spellings."""
    assert scan_source(NOT_PATHS) == []


def test_scan_reports_file_and_line_and_what_to_ask() -> None:
    (found,) = scan_source('x = 1\nout = Path(acct) / "findings.json"\n', "batch/demo.py")
    assert str(found).startswith("lib/awsassess/batch/demo.py:2: ")
    assert "'findings.json'" in str(found) and "AccountFolder.findings_json" in str(found)


def test_allowed_spellings_are_allowed_where_listed_only() -> None:
    ((module, text),) = [key for key in ALLOWED if key[0] == "cli.py"]
    source = f"def init(out = {text}):\n    pass\n"
    assert scan_source(source, module) == []
    assert [s.name for s in scan_source(source, "batch/driver.py")] == ["params"]


def test_no_path_spelled_outside_layout(lib_spellings: list[Spelling]) -> None:
    """``acct / "findings.json"``, ``Path(out) / "snapshot"``... outside layout.py: each is a second spelling
    of INTERFACE 'Outputs' that a rename would miss."""
    paths = [s for s in lib_spellings if s.kind == "path"]
    assert not paths, _report(paths, "path expressions spelling an output file name")


def test_no_file_name_given_a_second_name(lib_spellings: list[Spelling]) -> None:
    """``FINDINGS = "findings.json"`` then ``acct / FINDINGS`` gets round the path check: import layout's."""
    aliases = [s for s in lib_spellings if s.kind == "second name of a file name"]
    assert not aliases, _report(aliases, "file names bound to a name of their own")


def test_no_relative_path_string_outside_layout(lib_spellings: list[Spelling]) -> None:
    """A relative path as text (``f"{name}/notebooks/{stem}.ipynb"`` recorded in run.json) is a spelling too:
    ``run.account(name).notebook(stem).relative_to(run.path).as_posix()``."""
    strings = [s for s in lib_spellings if s.kind == "relative path string"]
    assert not strings, _report(strings, "relative path strings")


# ============================================================================ 2. documented paths
# Transcribed from INTERFACE.md "Outputs" (DIR = the run folder, DIR/<name> = the account folder); README's
# "Outputs" adds model.json beside costs.csv.
ACCOUNT_PATHS = {
    "snapshot": "snapshot",
    "manifest": "snapshot/manifest.json",
    "tables": "snapshot/tables",
    "notebooks": "notebooks",
    "diagrams": "diagrams",
    "findings_json": "findings.json",
    "findings_csv": "findings.csv",
    "costs_csv": "costs.csv",
    "model_json": "model.json",
    "report_html": "report.html",
    "report_pdf": "report.pdf",
    "iac": "iac",
    "progress_json": "progress.json",
}
RUN_PATHS = {
    "run_json": "run.json",
    "portfolio_html": "portfolio.html",
    "portfolio_pdf": "portfolio.pdf",
    "params": "params",  # README: DIR/params/ (demo only) the params files it generated
}


@pytest.mark.parametrize(("attr", "relative"), sorted(ACCOUNT_PATHS.items()))
def test_account_paths_are_the_documented_ones(tmp_path: Path, attr: str, relative: str) -> None:
    assert getattr(AccountFolder(tmp_path), attr) == tmp_path / relative


@pytest.mark.parametrize(("attr", "relative"), sorted(RUN_PATHS.items()))
def test_run_paths_are_the_documented_ones(tmp_path: Path, attr: str, relative: str) -> None:
    assert getattr(RunFolder(tmp_path), attr) == tmp_path / relative


def test_notebooks_diagrams_and_tables(tmp_path: Path) -> None:
    acct = AccountFolder(tmp_path)
    assert acct.notebook("00_summary") == tmp_path / "notebooks/00_summary.ipynb"
    assert acct.diagram("current") == tmp_path / "diagrams/current"  # the renderer adds .png and .svg
    assert acct.diagram_files() == [tmp_path / f"diagrams/{f}" for f in
                                    ("current.svg", "current.png", "proposed.svg", "proposed.png")]
    assert acct.snapshot_folder.table("vpcs") == tmp_path / "snapshot/tables/vpcs.parquet"
    assert acct.snapshot_folder.raw == tmp_path / "snapshot/raw"
    assert acct.deliverables()[:4] == [tmp_path / f for f in
                                       ("findings.csv", "findings.json", "costs.csv", "model.json")]


def test_account_folder_is_the_run_folder_and_the_name(tmp_path: Path) -> None:
    run = RunFolder(str(tmp_path))  # a str is accepted and kept as a Path
    acct = run.account("acme-prod")
    assert acct.path == tmp_path / "acme-prod" and acct.name == "acme-prod"
    assert AccountFolder.holding(acct.snapshot) == acct
    assert AccountFolder.of(acct) is acct and AccountFolder.of(tmp_path / "acme-prod") == acct
    assert RunFolder.of(run) is run and Path(run) == tmp_path and Path(acct) == acct.path  # os.PathLike


# ============================================================================== 3. account names
@pytest.mark.parametrize("name", ["../x", "a/b", "", ".hidden", "..", "/etc", "Acme", "acme prod", "-acme",
                                  "acme-", "a" * 65, None, 5, "logs", "params"])
def test_account_refuses_names_that_are_not_a_folder_of_the_run(tmp_path: Path, name: Any) -> None:
    with pytest.raises(ValueError, match="Fix: ") as err:
        RunFolder(tmp_path).account(name)
    assert repr(name) in str(err.value)


@pytest.mark.parametrize("name", sorted(layout.RESERVED_RUN_FOLDERS))
def test_reserved_run_folders_say_to_choose_another_name(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=f"choose another name, e.g. {name}-account"):
        RunFolder(tmp_path).account(name)


@pytest.mark.parametrize("name", ["acme-prod", "a", "0", "123456789012", "logs-account", "a" * 64])
def test_account_accepts_ordinary_names(tmp_path: Path, name: str) -> None:
    assert RunFolder(tmp_path).account(name).path == tmp_path / name


def test_account_refuses_a_link_out_of_the_run_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "victim").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(ValueError, match="leads outside the run folder.*Fix: remove the link"):
        RunFolder(tmp_path / "run").account("victim")


def test_account_folders_of_run_json_are_validated(tmp_path: Path) -> None:
    run = RunFolder(tmp_path)
    run.run_json.write_text(json.dumps({"accounts": [{"name": "acme-prod"}, "acme-dev"]}))
    assert [a.name for a in run.account_folders()] == ["acme-prod", "acme-dev"]
    with pytest.raises(ValueError, match=r"run\.json: account name '\.\./victim'"):
        run.account_folders({"accounts": [{"name": "../victim"}]})


def test_bug_reserved_name_message_gives_two_fixes(tmp_path: Path) -> None:
    """BUG (layout.RunFolder.account + params.check_account_name): the reserved-name message ends in two
    "Fix:" clauses, "Fix: choose another name, e.g. logs-account. Fix: correct or remove that entry",
    because account() appends its own fix to check_account_name's message, which already has one."""
    with pytest.raises(ValueError) as err:
        RunFolder(tmp_path).account("logs")
    assert str(err.value).count("Fix:") == 1, str(err.value)


# ==================================================================================== 4. readers
READERS = {  # reader -> (the file it reads, the command its fix names, the empty value of missing_ok)
    "read_findings": ("findings.json", "awsassess analyze", []),
    "read_costs": ("costs.csv", "awsassess analyze", None),  # an empty DataFrame
    "read_model": ("model.json", "awsassess analyze", {}),
    "read_manifest": ("snapshot/manifest.json", "awsassess collect", {}),
    "read_run": ("run.json", "awsassess run", {}),
}


def _reader(tmp_path: Path, method: str) -> tuple[Any, Path]:
    """The bound reader and the path of its file, for an account ``acme`` of a run at ``tmp_path``."""
    run = RunFolder(tmp_path)
    owner = run if method == "read_run" else run.account("acme")
    return getattr(owner, method), owner.path / READERS[method][0]


@pytest.mark.parametrize("method", sorted(READERS))
def test_absent_file_is_a_missing_artefact_naming_file_and_command(tmp_path: Path, method: str) -> None:
    read, path = _reader(tmp_path, method)
    file, command, _ = READERS[method]
    with pytest.raises(MissingArtefact) as err:
        read()
    assert isinstance(err.value, ArtefactError) and isinstance(err.value, FileNotFoundError)
    assert err.value.path == path
    message = str(err.value)
    assert message.startswith(str(path)) and f"no {Path(file).name}" in message
    assert "Fix: " in message and command in message, message


@pytest.mark.parametrize("method", sorted(READERS))
def test_missing_ok_gives_the_empty_value(tmp_path: Path, method: str) -> None:
    read, _ = _reader(tmp_path, method)
    value = read(missing_ok=True)
    empty = READERS[method][2]
    if empty is None:
        assert value.empty and len(value.columns) == 0
    else:
        assert value == empty and type(value) is type(empty)


DAMAGED = [  # (reader, content): a file that is there but is not what it should be
    ("read_findings", "{not json"),
    ("read_findings", ""),
    ("read_findings", "{}"),  # an object, not a list
    ("read_findings", '[{"rule_id": "NET-001"}]'),  # fails the schema
    ("read_findings", json.dumps([{"rule_id": "NET-001", "domain": "moon", "severity": "high", "title": "t",
                                   "account_id": "123456789012", "region": "us-east-1", "resource_ids": ["x"],
                                   "evidence": {}, "recommendation": "r", "monthly_savings_usd": None,
                                   "effort": "low"}])),  # domain not in the enum
    ("read_costs", ""),
    ("read_costs", 'scenario,domain\n"unclosed,quote\n'),
    ("read_model", "{not json"),
    ("read_model", "[]"),
    ("read_manifest", "{not json"),
    ("read_manifest", '"a string"'),
    ("read_run", "{not json"),
    ("read_run", "[1, 2]"),
]


@pytest.mark.parametrize("missing_ok", [False, True], ids=["strict", "missing_ok"])
@pytest.mark.parametrize(("method", "content"), DAMAGED)
def test_damaged_file_is_an_artefact_error_never_an_empty_value(tmp_path: Path, method: str, content: str,
                                                                 missing_ok: bool) -> None:
    read, path = _reader(tmp_path, method)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ArtefactError) as err:
        read(missing_ok=missing_ok)
    assert not isinstance(err.value, MissingArtefact)
    assert err.value.path == path and str(err.value).startswith(str(path)) and "Fix: " in str(err.value)


@pytest.mark.parametrize("missing_ok", [False, True], ids=["strict", "missing_ok"])
@pytest.mark.parametrize("method", sorted(READERS))
def test_a_directory_where_the_file_should_be_is_an_artefact_error(tmp_path: Path, method: str,
                                                                    missing_ok: bool) -> None:
    """A folder named ``findings.json`` (an unzip gone wrong, a script's mkdir) is no absent file: every reader
    says so (read_findings and read_costs took it for absent, the empty value with missing_ok)."""
    read, path = _reader(tmp_path, method)
    path.mkdir(parents=True)
    with pytest.raises(ArtefactError) as err:
        read(missing_ok=missing_ok)
    assert not isinstance(err.value, MissingArtefact)
    assert err.value.path == path and str(err.value).startswith(str(path)) and "Fix: " in str(err.value)


@pytest.mark.parametrize("missing_ok", [False, True], ids=["strict", "missing_ok"])
def test_costs_without_the_interface_columns_are_an_artefact_error(tmp_path: Path, missing_ok: bool) -> None:
    """costs.csv must hold the INTERFACE columns: a CSV without some of them is named with what it lacks,
    not read as a cost table (a reader would fail later with a bare KeyError, or show no costs)."""
    from awsassess.model.costing import COST_COLUMNS

    acct = RunFolder(tmp_path).account("acme")
    acct.path.mkdir()
    present = [c for c in COST_COLUMNS if c not in ("scenario", "monthly_usd")]
    acct.costs_csv.write_text(",".join(present) + "\n" + ",".join("1" for _ in present) + "\n")
    with pytest.raises(ArtefactError, match=r"no column scenario, monthly_usd\. Fix: write it again: run "
                                            r"`awsassess analyze") as err:
        acct.read_costs(missing_ok=missing_ok)
    assert err.value.path == acct.costs_csv and not isinstance(err.value, MissingArtefact)
    acct.costs_csv.write_text(",".join(COST_COLUMNS) + "\n")  # the columns and no line: an empty cost table
    costs = acct.read_costs()
    assert list(costs.columns) == COST_COLUMNS and costs.empty


def test_readers_read_what_the_writers_write(tmp_path: Path) -> None:
    from awsassess.findings import Finding, write_findings
    from awsassess.model.costing import COST_COLUMNS, EXTRA_COLUMNS
    from awsassess.snapshot import Snapshot

    run = RunFolder(tmp_path)
    acct = run.account("acme")
    finding = Finding(rule_id="NET-001", domain="network", severity="high", title="Idle NAT gateway",
                      account_id="012345678901", region="us-east-1", resource_ids=["nat-0123"], evidence={"n": 1},
                      recommendation="Remove it", monthly_savings_usd=32.4, effort="low")
    written = write_findings([finding], acct)
    assert written == {"json": acct.findings_json, "csv": acct.findings_csv}
    assert acct.read_findings() == [finding]

    row = {c: "" for c in [*COST_COLUMNS, *EXTRA_COLUMNS]}
    row.update(scenario="current", domain="network", item="NAT", resource_id="0123", region="us-east-1",
               quantity="1", unit="hour", unit_price_usd="0.045", monthly_usd="32.4", price_source="catalog")
    acct.costs_csv.write_text(",".join(row) + "\n" + ",".join(row.values()) + "\n")
    costs = acct.read_costs()
    assert list(costs.columns) == [*COST_COLUMNS, *EXTRA_COLUMNS]
    assert costs.loc[0, "resource_id"] == "0123" and costs.loc[0, "monthly_usd"] == pytest.approx(32.4)

    acct.model_json.write_text(json.dumps({"summary": {"saving": 1}}))
    assert acct.read_model() == {"summary": {"saving": 1}}
    assert acct.has_analysis()

    assert not acct.has_snapshot()
    Snapshot(manifest={"account_id": "012345678901", "regions": ["us-east-1"]}, tables={}).save(acct.snapshot)
    assert acct.has_snapshot() and acct.read_manifest()["account_id"] == "012345678901"
    assert acct.read_snapshot().manifest["account_id"] == "012345678901"

    run.run_json.write_text(json.dumps({"accounts": [{"name": "acme"}]}))
    assert run.read_run() == {"accounts": [{"name": "acme"}]}
    assert run.account_folders() == [acct]


def test_read_snapshot_without_one_names_the_manifest_and_collect(tmp_path: Path) -> None:
    from awsassess.snapshot import SnapshotError

    acct = RunFolder(tmp_path).account("acme")
    with pytest.raises(SnapshotError, match=r"manifest\.json.*Fix: run `awsassess collect"):
        acct.read_snapshot()


@pytest.mark.parametrize("content", ["{not json", "[]"])
def test_bug_read_snapshot_of_a_damaged_manifest_is_not_a_clear_error(tmp_path: Path, content: str) -> None:
    """BUG (snapshot.Snapshot.load, reached through layout.AccountFolder.read_snapshot): a manifest.json that is
    there but damaged raises a bare ``json.JSONDecodeError`` ("Expecting property name ...", no file name) or
    ``AttributeError: 'list' object has no attribute 'get'``, where read_manifest gives an ArtefactError
    naming the file and the fix. Load parses the manifest without a try and calls ``.get`` on whatever it is."""
    from awsassess.snapshot import SnapshotError

    acct = RunFolder(tmp_path).account("acme")
    acct.snapshot.mkdir(parents=True)
    acct.manifest.write_text(content)
    with pytest.raises((ArtefactError, SnapshotError)) as err:
        acct.read_snapshot()
    assert str(acct.manifest) in str(err.value) and "Fix:" in str(err.value)


# ========================================================================= 5. checkout and import
def test_checkout_root_holds_the_package_and_the_notebooks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # found from the package, not the current folder
    root = checkout_root()
    assert root is not None and root == REPO
    assert (root / "lib" / "awsassess" / "layout.py").resolve() == LAYOUT_PY
    notebooks = suite_notebooks_dir()
    assert notebooks == root / "notebooks" and (notebooks / "00_summary.ipynb").is_file()
    assert demo_run_dir() == root / "outputs" / "demo"


def test_importing_layout_stays_light() -> None:
    """The batch driver, the command line and params import layout: it must not pull pandas & co in."""
    heavy = ("pandas", "pyarrow", "awsassess.findings", "awsassess.snapshot", "awsassess.params")
    code = textwrap.dedent(f"""
        import sys
        import awsassess.layout
        print([m for m in {heavy!r} if m in sys.modules])
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout
