"""``run_batch``: assess many accounts (collect, analyze, notebooks, report; then the portfolio)."""

from __future__ import annotations

import dataclasses
import fcntl
import itertools
import os
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from awsassess import __version__
from awsassess.batch.pipeline import AccountRun, PortfolioRun
from awsassess.batch.plan import BatchInputError, account_steps, default_notebooks_dir, find_notebooks
from awsassess.batch.progress import BatchProgress
from awsassess.batch.runjson import RunJsonError, RunLog, load_run_json, previous_steps, utcnow
from awsassess.batch.steps import StepFunctions, StepTask
from awsassess.layout import RunFolder


@dataclass
class RunResult:
    """What ``run_batch`` returns: ``exit_code`` 0 (all done) or 1 (some step failed), and run.json."""

    exit_code: int
    run_json: Path
    run: dict[str, Any] = field(repr=False)

    @property
    def failed(self) -> list[tuple[str, str]]:
        """(account, step) of every failed step; the portfolio is ('', 'portfolio')."""
        bad = [(a["name"], s["step"]) for a in self.run["accounts"] for s in a["steps"] if s["status"] == "failed"]
        return bad + [("", s["step"]) for s in self.run.get("steps", []) if s["status"] == "failed"]


def run_status(exit_code: int, account_statuses: Sequence[str]) -> str:
    """run.json's final status: ok, partial (every account has its report, some are partial) or failed."""
    if exit_code == 0:
        return "ok"
    return "partial" if account_statuses and all(s in ("ok", "partial") for s in account_statuses) else "failed"


class Batch:
    """The run being made: accounts' pipelines, the portfolio, run.json and the progress display."""

    def __init__(self, out: Path, run_id: str, accounts: list[AccountRun], portfolio: PortfolioRun,
                 runlog: RunLog, progress: BatchProgress, functions: StepFunctions) -> None:
        self.out = out
        self.functions = functions
        self.run_id = run_id
        self.accounts = accounts
        self.portfolio = portfolio
        self.runlog = runlog
        self.progress = progress
        self.dirty = True
        self._first_open = 0  # accounts before this index are done
        for acct in accounts:
            acct.listener = self.on_change

    def open_accounts(self) -> Iterator[AccountRun]:
        """Accounts not done yet, in run order (earlier accounts first)."""
        while self._first_open < len(self.accounts) and self.accounts[self._first_open].done():
            self._first_open += 1
        return (a for a in itertools.islice(self.accounts, self._first_open, None) if not a.done())

    def all_done(self) -> bool:
        return next(self.open_accounts(), None) is None

    def account(self, name: str) -> AccountRun:
        return next(a for a in self.accounts if a.name == name)

    def on_change(self, acct: AccountRun, record: dict[str, Any]) -> None:
        steps = acct.steps()
        self.runlog.set_account_steps(acct.name, steps)
        self.progress.account(acct.name, steps)
        if record.get("status") == "failed":
            self.progress.failed(acct.name, record)
        self.dirty = True

    def changed_run(self) -> None:
        self.runlog.set_run_steps([self.portfolio.record])
        self.progress.run_step(self.portfolio.record)
        if self.portfolio.record.get("status") == "failed":
            self.progress.failed("", self.portfolio.record)
        self.dirty = True

    def prepare_portfolio(self) -> StepTask | None:
        task = self.portfolio.prepare(self.accounts)
        if task is None:
            self.changed_run()
        return task

    def flush(self) -> None:
        if self.dirty:
            self.runlog.write()
            self.dirty = False

    def exit_code(self) -> int:
        ok = all(a.status() == "ok" for a in self.accounts)
        return 0 if ok and self.portfolio.record.get("status") == "ok" else 1


def run_batch(
    accounts: Sequence[Any],
    out: str | os.PathLike[str],
    jobs: int | None = None,
    resume: bool = False,
    executor: Literal["local", "dask"] = "local",
    scheduler: str | None = None,
    notebooks_dir: str | os.PathLike[str] | None = None,
    progress: bool = True,
    steps: StepFunctions | None = None,
    notebook_timeout_s: float | None = 1800,
    collect_jobs: int | None = None,
    warm_kernels: bool = True,
    offline: bool = False,
    baseline: str | os.PathLike[str] | None = None,
) -> RunResult:
    """Assess every account into ``out/<name>/`` and write ``out/run.json`` after every step.

    ``accounts``: validated :class:`awsassess.params.AccountParams` (``load_params_files``).
    ``jobs``: analyze/notebook/report steps in flight at once (default: the number of cores); local
    executor: plus up to ``collect_jobs`` (default ``jobs``) collect steps, which mostly wait on AWS.
    ``resume``: keep the records of steps that were ok and whose inputs did not change (see
    :mod:`awsassess.batch.plan`), re-run the rest. ``executor="dask"``: one task per account on the
    Dask cluster at ``scheduler`` (a ``LocalCluster`` of ``jobs`` workers when None); the workers must
    see ``out`` and the notebooks at the same paths. ``steps``: the step callables (tests); default real.
    ``offline``: never ask the Price List API for prices the catalog lacks (default: ask, with each
    account's credentials, once per missing price; cached for the later accounts).
    ``warm_kernels``: each worker runs its notebooks one after another in one kept kernel, reset between
    notebooks (:mod:`awsassess.batch.kernels`); False: a new kernel per notebook, as papermill does.
    ``baseline``: an earlier run folder; every account is verified against its plan there
    (``progress.json``, notebook 95_progress and the report's "Progress against the plan").
    Raises :class:`BatchInputError` (a ValueError) for bad input, before anything is started.
    """
    out = Path(out)
    if baseline is not None and not Path(baseline).is_dir():
        raise BatchInputError(f"--baseline {baseline}: no such run folder. Fix: pass the --out of an earlier run")
    if baseline is not None and Path(baseline).resolve() == out.resolve():
        raise BatchInputError(f"--baseline {baseline} is the run's own --out. Fix: pass an earlier run's folder")
    jobs = _check_input(accounts, jobs, executor)
    if collect_jobs is not None and collect_jobs < 1:
        raise BatchInputError(f"collect_jobs={collect_jobs}: must be at least 1")
    notebooks = find_notebooks(Path(notebooks_dir) if notebooks_dir else default_notebooks_dir())
    out.mkdir(parents=True, exist_ok=True)
    with _run_lock(out):
        previous = load_run_json(RunFolder(out)) if resume else None
        prev_steps = previous_steps(previous)
        run_id = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(2)
        functions = steps or StepFunctions()
        if offline:  # no Price List call for missing prices: they are estimated or left unpriced
            functions = dataclasses.replace(functions, prices_online=False)
        if baseline is not None:
            functions = dataclasses.replace(functions, baseline=Path(baseline).resolve())
        specs = account_steps(notebooks, progress=functions.baseline is not None)
        try:  # an account folder that is a link out of --out: refused before anything starts
            runs = [AccountRun(p, out, specs, functions=functions, run_id=run_id, previous=prev_steps.get(p.name),
                               resume=resume, notebook_timeout_s=notebook_timeout_s) for p in accounts]
        except ValueError as exc:
            raise BatchInputError(str(exc)) from None
        header = {
            "run_id": run_id, "resumed_from": (previous or {}).get("run_id"), "started": utcnow(), "ended": None,
            "status": "running", "exit_code": None, "awsassess_version": __version__, "jobs": jobs,
            "collect_jobs": (jobs if collect_jobs is None else collect_jobs) if executor == "local" else None,
            "executor": executor, "scheduler": scheduler if executor == "dask" else None,
            "notebooks_dir": str(Path(notebooks[0].path).parent), "warm_kernels": warm_kernels,
        }
        runlog = RunLog(out, header, [r.to_json() for r in runs])
        portfolio = PortfolioRun(out, functions, prev_steps.get("", {}).get("portfolio"), resume)
        runlog.set_run_steps([portfolio.record])
        with BatchProgress([(r.name, len(specs)) for r in runs], enabled=progress) as bars:
            batch = Batch(out, run_id, runs, portfolio, runlog, bars, functions)
            batch.flush()
            try:
                if executor == "dask":
                    from awsassess.batch.dask_runner import run_dask

                    run_dask(batch, jobs, scheduler, warm_kernels)
                else:
                    from awsassess.batch.runner import run_local

                    run_local(batch, jobs, collect_jobs, warm_kernels)
            except KeyboardInterrupt:
                runlog.finish(None, "interrupted")
                runlog.write(fsync=True)
                raise
            except Exception:  # e.g. an unreachable Dask scheduler: run.json must not stay "running"
                runlog.finish(None, "failed")
                runlog.write(fsync=True)
                raise
        code = batch.exit_code()
        runlog.finish(code, run_status(code, [a.status() for a in batch.accounts]))
        runlog.write(fsync=True)
        return RunResult(exit_code=code, run_json=runlog.path, run=runlog.doc)


def _check_input(accounts: Sequence[Any], jobs: int | None, executor: str) -> int:
    if not accounts:
        raise BatchInputError("no accounts to run. Fix: pass one or more params files")
    names = [getattr(a, "name", None) for a in accounts]
    if any(not n for n in names):
        raise BatchInputError("an account has no name. Fix: load accounts with awsassess.params.load_params_files")
    dupes = sorted({n for n in names if n is not None and names.count(n) > 1})
    if dupes:
        raise BatchInputError(f"account name(s) {dupes} used twice; each is an output folder. Fix: rename one")
    if executor not in ("local", "dask"):
        raise BatchInputError(f"executor {executor!r} is not one of local, dask")
    if executor == "dask":
        try:
            import distributed  # noqa: F401
        except ImportError:
            raise BatchInputError(
                "--executor dask needs the Dask distributed package. Fix: pip install 'dask[distributed]'"
            ) from None
    if jobs is None:
        jobs = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if jobs < 1:
        raise BatchInputError(f"jobs={jobs}: must be at least 1. Fix: --jobs 1 or more")
    return jobs


@contextmanager
def _run_lock(out: Path) -> Iterator[None]:
    """One run at a time per output folder (two would overwrite each other's run.json)."""
    path = RunFolder(out).lock
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            raise BatchInputError(
                f"{out}: another awsassess run is writing here (pid {fh.read().strip() or '?'}). "
                "Fix: wait for it, or use another --out"
            ) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


__all__ = ["BatchInputError", "RunJsonError", "RunResult", "run_batch"]
