"""The folders a run writes, spelled in one place: :class:`RunFolder` (``--out``) and :class:`AccountFolder`
(``--out/<name>``), with one path per artefact and one reader per output file.

    run = RunFolder(out)
    run.run_json, run.portfolio_html, run.logs             # paths
    run.read_run()                                         # run.json as a dict (clear error when absent)
    acct = run.account("acme-prod")                        # name validated, never a path out of the run folder
    acct.snapshot, acct.manifest, acct.findings_json, acct.costs_csv, acct.notebook("00_summary"), acct.report_pdf
    acct.read_findings()                                   # list[Finding], schema-validated
    acct.read_costs(missing_ok=True)                       # the empty frame when analyze has not run

INTERFACE.md ("Outputs") is the contract for other people's scripts; this module is its only spelling in the
code. Batch, reports, portfolio, notebooks and the command line ask it for paths and never join a file name
themselves (``tests/test_layout.py`` fails on a new one).

Decisions:

- Readers are strict by default: an absent file raises :class:`MissingArtefact` naming the file and the command
  that writes it (``Fix: run `awsassess analyze DIR/<name>/snapshot --out DIR/<name>```). ``missing_ok=True``
  returns the empty value instead, for readers that say in their own output what they could not see (the
  executive summary, the portfolio). A file that is there but unreadable (or a directory where the file
  should be, or a ``costs.csv`` without the INTERFACE columns) is always an :class:`ArtefactError`: an empty
  table would hide a damaged analysis.
- Typed readers delegate to the owner of the format: :func:`awsassess.findings.load_findings` (validates the
  schema), :meth:`awsassess.snapshot.Snapshot.load`. The writers stay with their owners too
  (``write_findings``, ``write_model``, ``Snapshot.save``, the renderer); this module only names the files.
- ``findings.csv`` has no reader: it is ``findings.json`` for spreadsheets, and no code reads it back.
- A notebook needs the suite's notebooks folder and the default demo snapshot: :func:`checkout_root` and
  :func:`suite_notebooks_dir` are the one lookup (it was written three times).
- Nothing here imports pandas, the findings or the snapshot at import time: the batch driver, the command
  line and ``params`` import this module and must start fast.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from awsassess.findings import Finding
    from awsassess.snapshot import Snapshot

# ---------------------------------------------------------------------------------------------- names
# account folder (INTERFACE "Outputs")
SNAPSHOT = "snapshot"
MANIFEST = "manifest.json"  # inside snapshot/
TABLES = "tables"  # inside snapshot/
RAW = "raw"  # inside snapshot/
NOTEBOOKS = "notebooks"
DIAGRAMS = "diagrams"
FINDINGS_JSON = "findings.json"
FINDINGS_CSV = "findings.csv"
COSTS_CSV = "costs.csv"
MODEL_JSON = "model.json"
REPORT_HTML = "report.html"
REPORT_PDF = "report.pdf"
IAC = "iac"
IAC_README = "README.md"  # inside iac/
IAC_CHECKS = "checks.json"  # inside iac/: the offline checks' results
PROGRESS_JSON = "progress.json"
# the notebook of "Progress against the plan": run (and expected in the report) only for an account verified
# against a baseline run, i.e. one with progress.json
PROGRESS_NOTEBOOK = "95_progress"
# run folder
RUN_JSON = "run.json"
PORTFOLIO_HTML = "portfolio.html"
PORTFOLIO_PDF = "portfolio.pdf"
LOGS = "logs"  # worker logs of the local executor
PARAMS = "params"  # params files the demo writes for its simulated accounts
DEMO_JSON = "demo.json"  # the demo's estate timings
RUN_LOCK = ".run.lock"  # one run at a time per --out folder

# Folders a run keeps beside the accounts' own: an account of that name would merge with them.
RESERVED_RUN_FOLDERS = frozenset({LOGS, PARAMS})
# What analyze writes: an account folder holding one of these has results to show.
ANALYSIS_FILES = (FINDINGS_JSON, COSTS_CSV, MODEL_JSON)
DIAGRAM_NAMES = ("current", "proposed")
DIAGRAM_FORMATS = ("svg", "png")


class ArtefactError(Exception):
    """An output file that is absent or cannot be read; the message names the file and the fix."""

    def __init__(self, path: Path, reason: str, fix: str) -> None:
        self.path, self.reason, self.fix = Path(path), reason, fix
        super().__init__(f"{path}: {reason}. Fix: {fix}")


class MissingArtefact(ArtefactError, FileNotFoundError):  # noqa: N818 - reads as "a missing artefact"
    """An output file that was never written (its step did not run, or failed)."""


# ------------------------------------------------------------------------------------------ checkout
def checkout_root() -> Path | None:
    """The checkout holding ``lib/awsassess`` and ``notebooks/`` (an editable install), else None."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        if (parent / NOTEBOOKS).is_dir() and (parent / "lib" / "awsassess").is_dir():
            return parent
    return None


def suite_notebooks_dir() -> Path:
    """The suite's notebooks (``NN_*.ipynb`` + paired ``.py``): ``<checkout>/notebooks`` for an editable
    install, else ``./notebooks`` (a wheel does not ship them: run from a folder holding a copy)."""
    root = checkout_root()
    return (root if root is not None else Path.cwd()) / NOTEBOOKS


def demo_run_dir() -> Path:
    """``outputs/demo`` of the checkout (``make demo`` / ``awsassess demo``), else of the current folder."""
    root = checkout_root()
    return (root if root is not None else Path.cwd()) / "outputs" / "demo"


def lab_session_dir() -> Path:
    """``outputs/lab`` of the checkout (else of the current folder): the default session and scratch folder of
    ``awsassess lab`` (what exploring writes; never inside a delivered run)."""
    root = checkout_root()
    return (root if root is not None else Path.cwd()) / "outputs" / "lab"


# --------------------------------------------------------------------------------------------- helpers
def _read_json(path: Path, fix: str, missing_ok: bool, empty: Any) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        if missing_ok:
            return empty
        raise MissingArtefact(path, f"no {path.name}", fix) from None
    except OSError as exc:
        raise ArtefactError(path, f"cannot be read ({exc.strerror or exc})", fix) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ArtefactError(path, f"not valid JSON ({exc})", fix) from None


def _present(path: Path, fix: str) -> bool:
    """Whether a file is at ``path`` (False when nothing is); something else there (a directory) is no
    absent file but an :class:`ArtefactError`, with or without missing_ok."""
    if path.is_file():
        return True
    if path.exists():
        raise ArtefactError(path, "not a file (a directory is where the file should be)",
                            f"remove it, then write the file again: {fix}")
    return False


def _as_path(value: str | os.PathLike[str]) -> Path:
    return value.path if isinstance(value, AccountFolder | RunFolder | SnapshotFolder) else Path(value)


# -------------------------------------------------------------------------------------------- snapshot
@dataclass(frozen=True)
class SnapshotFolder:
    """``<account>/snapshot/``: the manifest, the tables and the raw pages (written by ``Snapshot.save``)."""

    path: Path

    def __fspath__(self) -> str:
        return str(self.path)

    @property
    def manifest(self) -> Path:
        return self.path / MANIFEST

    @property
    def tables(self) -> Path:
        return self.path / TABLES

    @property
    def raw(self) -> Path:
        return self.path / RAW

    def table(self, name: str) -> Path:
        return self.tables / f"{name}.parquet"

    def table_files(self) -> list[Path]:
        """Every file of ``tables/``, sorted by name (what a snapshot's digest covers)."""
        return sorted(p for p in self.tables.glob("*") if p.is_file())

    def exists(self) -> bool:
        """Whether a collection finished here (the manifest is written last, with the rename)."""
        return self.manifest.is_file()

    @property
    def fix(self) -> str:
        return f"run `awsassess collect PARAMS.yaml --out {self.path.parent.parent}` (or `awsassess run`)"


# --------------------------------------------------------------------------------------------- account
@dataclass(frozen=True)
class AccountFolder:
    """One account's folder, ``--out/<name>/``: where each artefact is, and one reader per output file."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @classmethod
    def of(cls, value: AccountFolder | str | os.PathLike[str]) -> AccountFolder:
        """``value`` as an AccountFolder (a path, or one already)."""
        return value if isinstance(value, AccountFolder) else cls(_as_path(value))

    @classmethod
    def holding(cls, snapshot_dir: str | os.PathLike[str]) -> AccountFolder:
        """The account folder a snapshot folder is in (``<account>/snapshot`` -> ``<account>``)."""
        return cls(Path(snapshot_dir).parent)

    def __fspath__(self) -> str:
        return str(self.path)

    @property
    def name(self) -> str:
        return self.path.name

    # ------------------------------------------------------------------ paths
    @property
    def snapshot(self) -> Path:
        return self.path / SNAPSHOT

    @property
    def snapshot_folder(self) -> SnapshotFolder:
        return SnapshotFolder(self.snapshot)

    @property
    def manifest(self) -> Path:
        return self.snapshot_folder.manifest

    @property
    def tables(self) -> Path:
        return self.snapshot_folder.tables

    @property
    def findings_json(self) -> Path:
        return self.path / FINDINGS_JSON

    @property
    def findings_csv(self) -> Path:
        return self.path / FINDINGS_CSV

    @property
    def costs_csv(self) -> Path:
        return self.path / COSTS_CSV

    @property
    def model_json(self) -> Path:
        return self.path / MODEL_JSON

    @property
    def diagrams(self) -> Path:
        return self.path / DIAGRAMS

    def diagram(self, name: str) -> Path:
        """The path the renderer writes ``<name>.png`` / ``<name>.svg`` from (no suffix): ``current``, ``proposed``."""
        return self.diagrams / name

    def diagram_files(self) -> list[Path]:
        """``diagrams/current.svg|png``, ``proposed.svg|png`` (whether they exist or not), in that order."""
        return [self.diagram(n).with_suffix(f".{fmt}") for n in DIAGRAM_NAMES for fmt in DIAGRAM_FORMATS]

    @property
    def notebooks(self) -> Path:
        """The executed notebooks (papermill writes ``NN_name.ipynb`` here)."""
        return self.path / NOTEBOOKS

    def notebook(self, stem: str) -> Path:
        return self.notebooks / f"{stem}.ipynb"

    @property
    def report_html(self) -> Path:
        return self.path / REPORT_HTML

    @property
    def report_pdf(self) -> Path:
        return self.path / REPORT_PDF

    @property
    def iac(self) -> Path:
        return self.path / IAC

    @property
    def iac_readme(self) -> Path:
        return self.path / IAC / IAC_README

    @property
    def iac_checks(self) -> Path:
        return self.path / IAC / IAC_CHECKS

    def read_iac_checks(self, *, missing_ok: bool = False) -> list[dict[str, Any]]:
        """The exit kit's check results (``iac/checks.json``)."""
        data = _read_json(self.iac_checks, "run `awsassess iac DIR/<account>` (or analyze)", missing_ok, [])
        if not isinstance(data, list):
            raise ArtefactError(self.iac_checks, "not a list of check results", "run `awsassess iac` again")
        return data

    @property
    def progress_json(self) -> Path:
        return self.path / PROGRESS_JSON

    @property
    def analysis_files(self) -> tuple[Path, ...]:
        return tuple(self.path / f for f in ANALYSIS_FILES)

    def deliverables(self) -> list[Path]:
        """The analysis files a client receives beside the report (findings, costs, model, diagrams), in order."""
        return [self.findings_csv, self.findings_json, self.costs_csv, self.model_json, *self.diagram_files()]

    # ------------------------------------------------------------------ state
    def has_snapshot(self) -> bool:
        return self.snapshot_folder.exists()

    def has_analysis(self) -> bool:
        """Whether analyze wrote anything here (findings, costs or the model)."""
        return any(p.is_file() for p in self.analysis_files)

    # ------------------------------------------------------------------ fixes
    @property
    def collect_fix(self) -> str:
        return self.snapshot_folder.fix

    @property
    def analyze_fix(self) -> str:
        return f"run `awsassess analyze {self.snapshot} --out {self.path}` (or `awsassess run`)"

    @property
    def notebooks_fix(self) -> str:
        return f"run `awsassess run PARAMS.yaml --out {self.path.parent}` (it executes the notebooks)"

    @property
    def report_fix(self) -> str:
        return f"run `awsassess report {self.path.parent}` once the notebooks have run"

    # ------------------------------------------------------------------ readers
    def read_manifest(self, *, missing_ok: bool = False) -> dict[str, Any]:
        """``snapshot/manifest.json`` (account, regions, collected_at, coverage); {} when absent and missing_ok."""
        data = _read_json(self.manifest, self.collect_fix, missing_ok, {})
        if not isinstance(data, dict):
            raise ArtefactError(self.manifest, "not a snapshot manifest (not a JSON object)", self.collect_fix)
        return data

    def read_snapshot(self) -> Snapshot:
        """The snapshot (tables read lazily); :class:`~awsassess.snapshot.SnapshotError` when there is none."""
        from awsassess.snapshot import Snapshot, SnapshotError

        if not self.has_snapshot():
            raise SnapshotError(f"{self.manifest}: no {MANIFEST}, so no snapshot. Fix: {self.collect_fix}")
        return Snapshot.load(self.snapshot)

    def read_findings(self, *, missing_ok: bool = False) -> list[Finding]:
        """``findings.json`` as :class:`~awsassess.findings.Finding` objects, validated against its schema."""
        from awsassess.findings import load_findings

        path = self.findings_json
        if not _present(path, self.analyze_fix):
            if missing_ok:
                return []
            raise MissingArtefact(path, f"no {FINDINGS_JSON}", self.analyze_fix)
        try:
            return load_findings(path)
        except Exception as exc:  # noqa: BLE001 - invalid JSON, schema or field: name the file, not a traceback
            reason = getattr(exc, "message", None) or str(exc).splitlines()[0]
            raise ArtefactError(path, f"not a valid {FINDINGS_JSON} ({type(exc).__name__}: {reason})",
                                f"write it again: {self.analyze_fix}") from None

    def read_costs(self, *, missing_ok: bool = False) -> pd.DataFrame:
        """``costs.csv`` as written (INTERFACE columns + note, replaces, price_key, confidence); text columns are
        read as text (a resource id of digits stays ``"0123"``). An empty frame when absent and missing_ok.
        A file without one of the INTERFACE columns (:data:`awsassess.model.costing.COST_COLUMNS`) is an
        :class:`ArtefactError` naming them."""
        import pandas as pd

        from awsassess.model.costing import COST_COLUMNS

        path = self.costs_csv
        if not _present(path, self.analyze_fix):
            if missing_ok:
                return pd.DataFrame()
            raise MissingArtefact(path, f"no {COSTS_CSV}", self.analyze_fix)
        text_cols = {c: str for c in ("scenario", "domain", "item", "resource_id", "region", "unit", "price_source",
                                      "note", "replaces", "price_key", "confidence")}
        try:
            costs = pd.read_csv(path, dtype=text_cols)
        except (OSError, ValueError) as exc:  # pandas' ParserError / EmptyDataError are ValueErrors
            raise ArtefactError(path, f"cannot be read as CSV ({str(exc).splitlines()[0]})",
                                f"write it again: {self.analyze_fix}") from None
        absent = [c for c in COST_COLUMNS if c not in costs.columns]
        if absent:
            raise ArtefactError(path, f"not a cost table: no column {', '.join(absent)}",
                                f"write it again: {self.analyze_fix}")
        return costs

    def read_model(self, *, missing_ok: bool = False) -> dict[str, Any]:
        """``model.json``: ``summary`` (current/proposed/saving, pipeline now -> predicted), ``by_domain``,
        ``unpriced``, the proposal, the migration waves, the prices used, the assumptions. {} when absent and
        missing_ok."""
        data = _read_json(self.model_json, self.analyze_fix, missing_ok, {})
        if not isinstance(data, dict):
            raise ArtefactError(self.model_json, "not a cost model (not a JSON object)",
                                f"write it again: {self.analyze_fix}")
        return data


# ------------------------------------------------------------------------------------------------- run
@dataclass(frozen=True)
class RunFolder:
    """A run's folder, the ``--out`` of ``awsassess run`` / ``demo``: run.json, the portfolio, the logs, and
    one :class:`AccountFolder` per account."""

    path: Path

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))

    @classmethod
    def of(cls, value: RunFolder | str | os.PathLike[str]) -> RunFolder:
        return value if isinstance(value, RunFolder) else cls(_as_path(value))

    def __fspath__(self) -> str:
        return str(self.path)

    @property
    def run_json(self) -> Path:
        return self.path / RUN_JSON

    @property
    def portfolio_html(self) -> Path:
        return self.path / PORTFOLIO_HTML

    @property
    def portfolio_pdf(self) -> Path:
        return self.path / PORTFOLIO_PDF

    @property
    def logs(self) -> Path:
        return self.path / LOGS

    @property
    def params(self) -> Path:
        return self.path / PARAMS

    @property
    def demo_json(self) -> Path:
        return self.path / DEMO_JSON

    @property
    def lock(self) -> Path:
        return self.path / RUN_LOCK

    @property
    def run_fix(self) -> str:
        return f"point at the --out folder of `awsassess run` / `awsassess demo` (or run `awsassess run " \
               f"PARAMS.yaml --out {self.path}`)"

    def account(self, name: Any, *, from_run_json: bool = False) -> AccountFolder:
        """``<run>/<name>`` for an account name (from params, or read back from run.json: ``from_run_json``):
        validated like a params name and resolving inside the run folder, never through a link elsewhere.
        ValueError naming the fix (:class:`awsassess.params.AccountNameError` for a name that is not valid;
        run.json is named only when the name came from it)."""
        from awsassess.params import AccountNameError, check_account_name

        try:
            check_account_name(name)
        except AccountNameError as exc:
            if from_run_json:  # an entry someone edited: that entry is what to fix
                raise AccountNameError(f"{self.run_json}: account name {exc.reason}",
                                       "correct or remove that entry") from None
            raise AccountNameError(f"account name {exc.reason}", exc.fix) from None
        folder = self.path / name
        if folder.exists() and not folder.resolve().is_relative_to(self.path.resolve()):
            raise ValueError(f"{folder} leads outside the run folder (a symbolic link). Fix: remove the link")
        return AccountFolder(folder)

    def account_folders(self, run: dict[str, Any] | None = None) -> list[AccountFolder]:
        """The folders of the accounts run.json lists (``run``: its content, read here when None), validated."""
        doc = self.read_run() if run is None else run
        listed = doc.get("accounts") or []
        return [self.account(a.get("name") if isinstance(a, dict) else a, from_run_json=True) for a in listed]

    def read_run(self, *, missing_ok: bool = False) -> dict[str, Any]:
        """``run.json`` (accounts, steps, durations, failures; see :mod:`awsassess.batch.runjson`) as a dict;
        {} when absent and missing_ok. Not a JSON object: ArtefactError."""
        data = _read_json(self.run_json, self.run_fix, missing_ok, {})
        if not isinstance(data, dict):
            raise ArtefactError(self.run_json, "not an awsassess run record (not a JSON object)", self.run_fix)
        return data
