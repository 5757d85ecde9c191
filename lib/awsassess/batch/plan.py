"""What a batch runs: accounts x steps, and the input digests that let ``--resume`` skip work.

Per account, in ``OUT/<name>/``::

    collect ──► analyze ──► notebook:NN_a ─┐
                       ├──► notebook:NN_b ─┼──► report
                       └──► ...           ─┘
    then, once every account is done: portfolio (OUT/portfolio.html|pdf)

Each step has an *inputs digest* (sha256), chained through its dependencies so a change upstream
changes everything downstream. Every step's digest starts with the code's identity: the awsassess
version and :func:`awsassess.codedigest.code_digest` (the version is never bumped, so an upgrade or an
edit of the package is only seen through the code digest, and then every step runs again):

- collect:  the code + the params minus ``report``/``assumptions`` (changing the client
  name or a model assumption does not re-collect an account) + the GitHub workflow files of
  ``github_repo`` when set (an absolute path: the params loader resolved it against the params file);
- analyze:  collect's digest + the snapshot (manifest.json and every tables/*.parquet) + assumptions;
- notebook: analyze's digest + the notebook file executed;
- report:   analyze's and every notebook's digest + the ``report`` params (and the logo file's bytes);
- portfolio: every account's report digest and status.

``--resume`` re-runs a step when its previous record is not ``ok``, its digest changed, an output it
recorded is gone, or a step it depends on ran again in this run; otherwise the previous record is kept.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from awsassess import __version__, codedigest
from awsassess.layout import MANIFEST, PROGRESS_NOTEBOOK, RunFolder, SnapshotFolder, suite_notebooks_dir

# A paired py:percent file newer than its .ipynb by more than this is executed instead (jupytext):
# papermill cannot read .py itself, and running the stale .ipynb would silently ignore the edit.
PAIRED_PY_NEWER_S = 2.0


@dataclass(frozen=True)
class NotebookSource:
    """One notebook of the assessment: ``name`` is the file stem (``01_network``)."""

    name: str
    path: Path  # the file executed: the .ipynb, or its paired .py when that is newer
    digest: str

    @property
    def via_jupytext(self) -> bool:
        return self.path.suffix == ".py"


@dataclass(frozen=True)
class StepSpec:
    name: str  # collect | analyze | notebook:NN_x | report | portfolio
    kind: str  # collect | analyze | notebook | report | portfolio
    deps: tuple[str, ...] = ()
    notebook: NotebookSource | None = field(default=None, compare=False)


class BatchInputError(ValueError):
    """Bad batch input, found before anything starts (the CLI exits 2)."""


# --------------------------------------------------------------------------- notebooks
def default_notebooks_dir() -> Path:
    """``<checkout>/notebooks`` (editable install), else ``./notebooks``: :func:`awsassess.layout.suite_notebooks_dir`."""
    return suite_notebooks_dir()


def find_notebooks(notebooks_dir: Path) -> list[NotebookSource]:
    """Every ``NN_*.ipynb`` of ``notebooks_dir`` in name order (a newer paired ``NN_*.py`` wins)."""
    notebooks_dir = Path(notebooks_dir)
    if not notebooks_dir.is_dir():
        raise BatchInputError(
            f"{notebooks_dir}: no such notebooks folder. Fix: pass the folder holding NN_*.ipynb "
            "(default: the checkout's notebooks/)."
        )
    found = []
    for ipynb in sorted(notebooks_dir.glob("[0-9][0-9]_*.ipynb")):
        path = ipynb
        paired = ipynb.with_suffix(".py")
        if paired.is_file() and paired.stat().st_mtime > ipynb.stat().st_mtime + PAIRED_PY_NEWER_S:
            path = paired
        found.append(NotebookSource(ipynb.stem, path.resolve(), file_digest(path)))
    if not found:
        raise BatchInputError(
            f"{notebooks_dir}: no notebooks named NN_*.ipynb. Fix: pass the notebooks folder of the checkout, "
            "or run `make notebooks` to write the .ipynb from their paired .py files."
        )
    return found


def account_steps(notebooks: list[NotebookSource], *, progress: bool = False) -> list[StepSpec]:
    """The steps of one account; the progress notebook only with a baseline (``progress``)."""
    specs = [StepSpec("collect", "collect"), StepSpec("analyze", "analyze", ("collect",))]
    nb_names = []
    for nb in notebooks:
        if nb.name == PROGRESS_NOTEBOOK and not progress:
            continue
        name = f"notebook:{nb.name}"
        nb_names.append(name)
        specs.append(StepSpec(name, "notebook", ("analyze",), nb))
    specs.append(StepSpec("report", "report", ("analyze", *nb_names)))
    return specs


# --------------------------------------------------------------------------- digests
def code_identity() -> list[str]:
    """What identifies the code in every digest; looked up at call time so tests can swap it."""
    return [__version__, codedigest.code_digest()]


def sha(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part if isinstance(part, bytes) else json.dumps(part, sort_keys=True, default=str).encode()
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return "sha256:" + h.hexdigest()


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


def snapshot_digest(snapshot_dir: Path) -> str:
    """Digest of a snapshot: its manifest and every table file (raw pages are derived data's source only)."""
    snap = SnapshotFolder(Path(snapshot_dir))
    if not snap.exists():
        raise FileNotFoundError(f"{snap.path}: no {MANIFEST}; the collect step wrote no snapshot")
    parts: list[Any] = ["manifest", file_digest(snap.manifest)]
    for table in snap.table_files():
        parts += [table.name, file_digest(table)]
    return sha(*parts)


def params_dump(params: Any) -> dict[str, Any]:
    if hasattr(params, "model_dump"):
        return params.model_dump(mode="json", exclude={"source"})
    return {k: v for k, v in vars(params).items() if k != "source"}


def assumptions_of(params: Any) -> dict[str, Any]:
    value = getattr(params, "assumptions", None) or {}
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return dict(value)


def collect_digest(params: Any) -> str:
    dump = params_dump(params)
    dump.pop("report", None)
    dump.pop("assumptions", None)
    parts: list[Any] = [code_identity(), "collect", dump]
    repo = getattr(params, "github_repo", None)
    if repo:
        for wf in sorted((Path(repo) / ".github" / "workflows").glob("*")):
            if wf.is_file():
                parts += [wf.name, file_digest(wf)]
    return sha(*parts)


def analyze_digest(collect: str, snapshot_dir: Path, params: Any, baseline: Path | None = None) -> str:
    """With a baseline, its account's snapshot and plan are inputs too (progress.json is written here)."""
    parts: list[Any] = [code_identity(), "analyze", collect, snapshot_digest(snapshot_dir), assumptions_of(params)]
    if baseline is not None:
        before = RunFolder(Path(baseline)).account(str(getattr(params, "name", "")))
        parts.append(str(Path(baseline).resolve()))
        for f in (before.manifest, before.model_json, before.findings_json):
            parts.append(file_digest(f) if f.is_file() else None)
    return sha(*parts)


def notebook_digest(analyze: str, notebook: NotebookSource) -> str:
    return sha(code_identity(), "notebook", analyze, notebook.name, notebook.digest)


def report_digest(dep_digests: list[str], params: Any) -> str:
    report = params_dump(params).get("report", {})
    parts: list[Any] = [code_identity(), "report", dep_digests, report]
    logo = getattr(getattr(params, "report", None), "logo", None)
    if logo and Path(logo).is_file():
        parts.append(file_digest(Path(logo)))
    return sha(*parts)


def portfolio_digest(accounts: list[tuple[str, str | None, str]]) -> str:
    """``accounts`` = (name, report digest, account status) in run order."""
    return sha(code_identity(), "portfolio", accounts)
