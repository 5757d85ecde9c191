"""The work of one step, run in a worker (a local pool process or a Dask worker).

:class:`StepFunctions` names the callables behind the steps. Its defaults are the real modules,
imported lazily in the worker (so the driver process stays light)::

    collect(params, out_dir)                          awsassess.collect.collect_account
    analyze(snapshot_dir, account_dir, assumptions)   awsassess.analyze.analyze
    report(account_dir, meta)                         awsassess.report.build_account_report
    portfolio(run_dir)                                awsassess.report.build_portfolio

Tests and benchmarks may pass other module-level functions (they must pickle by reference).
Notebooks always run through papermill's Python API in the worker, which imports it once; given a
:class:`~awsassess.batch.kernels.WarmKernel`, one after another in that kept kernel.
"""

from __future__ import annotations

import os
import re
import socket
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awsassess.batch.plan import NotebookSource
from awsassess.batch.runjson import utcnow
from awsassess.layout import AccountFolder

if TYPE_CHECKING:
    from awsassess.batch.kernels import WarmKernel


# --------------------------------------------------------------------------- the real steps
def real_collect(params: Any, out_dir: Path) -> Any:
    from awsassess.collect import collect_account

    return collect_account(params, out_dir)


def real_analyze(snapshot_dir: Path, account_dir: Path, assumptions: dict[str, Any]) -> Any:
    from awsassess.analyze import analyze

    return analyze(snapshot_dir, account_dir, assumptions)


def real_report(account_dir: Path, meta: dict[str, Any]) -> Any:
    from awsassess.report import build_account_report

    return build_account_report(account_dir, meta)


def real_portfolio(run_dir: Path) -> Any:
    from awsassess.report import build_portfolio

    return build_portfolio(run_dir)


def real_meta(params: Any) -> dict[str, Any]:
    from awsassess.report_meta import meta_from_params

    return meta_from_params(params)


@dataclass(frozen=True)
class StepFunctions:
    """The callables behind the steps; the defaults are the real ones."""

    collect: Callable[[Any, Path], Any] = real_collect
    analyze: Callable[[Path, Path, dict[str, Any]], Any] = real_analyze
    report: Callable[[Path, dict[str, Any]], Any] = real_report
    portfolio: Callable[[Path], Any] = real_portfolio
    meta: Callable[[Any], dict[str, Any]] = real_meta  # params -> report cover facts
    # before analyze: ask the Price List API for prices the catalog lacks (run --offline: False)
    prices_online: bool = True
    # run --baseline OLD_RUN: after analyze, each account is verified against OLD_RUN/<name> (progress.json)
    baseline: Path | None = None


# --------------------------------------------------------------------------- one step
@dataclass
class StepTask:
    """Everything a worker needs to run one step (picklable)."""

    step: str
    kind: str  # collect | analyze | notebook | report | portfolio
    out: Path  # the run folder
    account: str = ""  # '' for run-level steps
    params: Any = None
    functions: StepFunctions = field(default_factory=StepFunctions)
    notebook: NotebookSource | None = None
    notebook_timeout_s: float | None = None

    @property
    def folder(self) -> AccountFolder:
        return AccountFolder(self.out / self.account)

    @property
    def account_dir(self) -> Path:
        return self.folder.path

    @property
    def snapshot_dir(self) -> Path:
        return self.folder.snapshot

    def notebook_output(self) -> Path:
        assert self.notebook is not None
        return self.folder.notebook(self.notebook.name)


@dataclass
class StepOutcome:
    status: str  # ok | failed
    started: str
    ended: str
    duration_s: float
    outputs: dict[str, str] = field(default_factory=dict)
    error: dict[str, Any] | None = None
    worker: str = ""
    log: str | None = None  # the worker's stdout/stderr file (local executor)
    problems: list[str] = field(default_factory=list)  # ok, but partial: reads that went wrong (collect)


WORKER_LOG: Path | None = None  # set by the local pool's worker initializer


def execute_step(task: StepTask, kernel: WarmKernel | None = None) -> StepOutcome:
    """Run one step; never raises for a failure of the step itself (it is described in the outcome).

    Notebook steps run on ``kernel`` when given (kept across steps), else on a new kernel each."""
    started, t0 = utcnow(), time.perf_counter()
    outputs: dict[str, Any] = {}
    error = None
    problems: list[str] = []
    try:
        outputs = (_notebook(task, kernel) if task.kind == "notebook" else _RUNNERS[task.kind](task)) or {}
        status = "ok"
        problems = [str(p) for p in outputs.pop("problems", None) or []]
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # noqa: BLE001 - SystemExit from a step is a failure of that step
        status, error = "failed", describe_error(exc)
    return StepOutcome(
        status=status, started=started, ended=utcnow(), duration_s=round(time.perf_counter() - t0, 3),
        outputs=relative_outputs(outputs, task.out), error=error,
        worker=f"{socket.gethostname()}:{os.getpid()}",
        log=relative_outputs({"log": WORKER_LOG}, task.out)["log"] if WORKER_LOG else None,
        problems=problems,
    )


def _collect(task: StepTask) -> dict[str, Any]:
    task.functions.collect(task.params, task.out)
    if not task.folder.has_snapshot():
        raise RuntimeError(f"collect returned but wrote no snapshot at {task.snapshot_dir}")
    return {"snapshot": task.snapshot_dir, "problems": collect_errors(task.folder)}


def collect_errors(folder: AccountFolder) -> list[str]:
    """The reads that went wrong in a snapshot (coverage *errors*, not the gaps the client chose)."""
    return [str(e) for e in folder.read_manifest().get("coverage", {}).get("errors", [])]


def _analyze(task: StepTask) -> dict[str, Any]:
    from awsassess.batch.plan import assumptions_of

    written = task.functions.analyze(task.snapshot_dir, task.account_dir, assumptions_of(task.params))
    if task.functions.prices_online and task.params is not None and task.folder.costs_csv.is_file():
        from awsassess.analyze import fetch_missing_prices

        fetched = fetch_missing_prices(task.account_dir, task.params)  # never fails the step
        if fetched is not None and fetched.refreshed:  # list prices found: the analysis uses them
            written = task.functions.analyze(task.snapshot_dir, task.account_dir, assumptions_of(task.params))
    outputs = _as_outputs(written)
    if task.functions.baseline is not None:
        outputs["progress"] = _verify(task.functions.baseline, task.folder)
    return outputs


def _verify(baseline: Path, folder: AccountFolder) -> Path:
    """progress.json of the account against the baseline run's plan; a baseline without this account, or one
    that cannot be compared, is written into progress.json as the reason (the report shows it)."""
    import json

    from awsassess.layout import RunFolder
    from awsassess.safe_files import write_text_atomic
    from awsassess.verify import VerifyError, verify_account, write_progress

    before = RunFolder(baseline).account(folder.name)
    try:
        if not before.has_snapshot():
            raise VerifyError(f"the baseline run {baseline} has no snapshot of {folder.name}. Fix: pass a baseline "
                              "run that assessed this account (or run without --baseline)")
        return write_progress(verify_account(before, folder), folder)
    except VerifyError as exc:
        write_text_atomic(folder.progress_json, json.dumps({"schema_version": 1, "name": folder.name,
                                                            "before": str(before.path), "error": str(exc)}, indent=2))
        return folder.progress_json


def skip_iri_checker() -> None:
    """Keep jsonschema from compiling the rfc3987_syntax grammar (2.8 s per process; see ``_preload``)."""
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]


def _notebook(task: StepTask, kernel: WarmKernel | None = None) -> dict[str, Any]:
    skip_iri_checker()
    from awsassess.batch.kernels import execute_notebook
    from awsassess.batch.plan import assumptions_of

    assert task.notebook is not None
    output = task.notebook_output()
    output.parent.mkdir(parents=True, exist_ok=True)
    source: Any = str(task.notebook.path)
    if task.notebook.via_jupytext:  # papermill cannot read py:percent; hand it the NotebookNode
        import jupytext

        source = jupytext.read(task.notebook.path)
    execute_notebook(
        kernel,
        source,
        output,
        parameters={
            "snapshot_dir": str(task.snapshot_dir.resolve()),
            "account_dir": str(task.account_dir.resolve()),
            "assumptions": assumptions_of(task.params),
        },
        cwd=task.account_dir,
        kernel_name="python3",
        progress_bar=False,
        log_output=False,
        execution_timeout=task.notebook_timeout_s,
    )
    return {"notebook": output}


def _report(task: StepTask) -> dict[str, Any]:
    # exactly the cover facts (the report helper refuses unknown keys); it checks the notebooks itself
    return _as_outputs(task.functions.report(task.account_dir, task.functions.meta(task.params)))


def _portfolio(task: StepTask) -> dict[str, Any]:
    return _as_outputs(task.functions.portfolio(task.out))


_RUNNERS: dict[str, Callable[[StepTask], dict[str, Any]]] = {
    "collect": _collect, "analyze": _analyze, "report": _report, "portfolio": _portfolio,
}


# --------------------------------------------------------------------------- helpers
def _as_outputs(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return {str(k): v for k, v in value.items() if isinstance(v, str | os.PathLike)}
    if isinstance(value, str | os.PathLike):
        return {"output": value}
    return {}


def relative_outputs(outputs: dict[str, Any], out: Path) -> dict[str, str]:
    rel = {}
    root = Path(out).resolve()
    for key, value in outputs.items():
        p = Path(value)
        try:
            rel[key] = str(p.resolve().relative_to(root))
        except ValueError:
            rel[key] = str(p)
    return rel


_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
MESSAGE_LINES = 12
TRACEBACK_LINES = 15


def strip_ansi(text: str) -> str:
    return _ANSI.sub("", text)


def describe_error(exc: BaseException) -> dict[str, Any]:
    """``{"type", "message", "traceback"}``: the message's first lines and the traceback's last lines."""
    if exc.__class__.__name__ == "PapermillExecutionError":
        # the error inside the kernel: ename/evalue, and its own traceback (not papermill's)
        ename, evalue = getattr(exc, "ename", ""), getattr(exc, "evalue", "")
        cell = getattr(exc, "exec_count", None)
        message = f"{ename}: {evalue} (in cell [{cell}])"
        tb_lines = "\n".join(strip_ansi(line) for line in getattr(exc, "traceback", []) or []).splitlines()
    else:
        message = strip_ansi(str(exc)) or exc.__class__.__name__
        tb_lines = "".join(traceback.format_exception(exc)).splitlines()
    head = message.strip().splitlines()[:MESSAGE_LINES]
    return {
        "type": exc.__class__.__name__,
        "message": "\n".join(line[:500] for line in head),
        "traceback": [line[:500] for line in tb_lines[-TRACEBACK_LINES:]],
    }
