"""The local executor: pools of long-lived worker processes running the steps of every account.

- ``jobs`` + ``collect_jobs`` worker processes (default: cores + cores; two pools, see :class:`Pools`),
  forked from a fork server that has
  imported papermill and the step modules once (:mod:`awsassess.batch._preload`), so no step pays
  the import cost again. Each worker keeps one warm kernel (:mod:`awsassess.batch.kernels`) for the
  notebooks it runs: reset between notebooks, replaced after a failure.
- One scheduler loop in the calling process keeps at most ``jobs`` analyze/notebook/report steps and
  ``collect_jobs`` collect steps (which mostly wait on AWS) in flight, earlier accounts first, so the
  next accounts are collected while earlier ones run their notebooks.
- Workers write their stdout/stderr (and their kernels') to ``OUT/logs/worker-<pid>.log``.
- A worker that dies (killed, out of memory, a crash in native code) breaks the pool: a new pool is
  made; a step that was alone on it is failed, steps that were running beside others are re-run one
  at a time, so the culprit is found and innocent steps complete.
- Ctrl-C: running steps are recorded failed ("interrupted"), run.json is written, workers are ended.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import fields
from pathlib import Path
from typing import TYPE_CHECKING

from awsassess.batch import steps as steps_module
from awsassess.batch.kernels import WarmKernel
from awsassess.batch.plan import StepSpec
from awsassess.batch.steps import StepFunctions, StepOutcome, StepTask, describe_error, execute_step
from awsassess.lab.mode import LAB_ENV
from awsassess.layout import RunFolder
from awsassess.lifecycle import exit_when_gone

if TYPE_CHECKING:
    from awsassess.batch.pipeline import AccountRun
    from awsassess.batch.run import Batch

PRELOAD_ENV = "AWSASSESS_PRELOAD"
REAL_STEP_MODULES = ["awsassess.collect", "awsassess.analyze", "awsassess.report", "awsassess.report_meta"]

WORKER_DIED = {
    "type": "WorkerDied",
    "message": "the worker process running this step died (killed, out of memory, or a crash in native code); "
               "see the worker log under logs/",
    "traceback": [],
}
INTERRUPTED = {
    "type": "KeyboardInterrupt",
    "message": "the run was interrupted while this step ran; `awsassess run ... --resume` re-runs it",
    "traceback": [],
}


def _worker_init(log_dir: str, environ: dict[str, str], warm_kernels: bool = True, driver_pid: int = 0) -> None:
    """In each worker: the driver's environment of now (the fork server has the one of its start),
    stdout/stderr to a log file (kernels inherit both); Ctrl-C is the driver's job; the worker (and with
    it its kernel) ends when the driver is gone, even after ``kill -9`` of the driver."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_when_gone(driver_pid)
    os.environ.clear()
    os.environ.update(environ)
    os.environ.pop(PRELOAD_ENV, None)
    os.environ.pop(LAB_ENV, None)  # a run started from a JupyterLab terminal still builds static deliverables
    path = Path(log_dir) / f"worker-{os.getpid()}.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    sys.stdout.flush()
    sys.stderr.flush()
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.close(fd)
    steps_module.WORKER_LOG = path
    global _WORKER_KERNEL
    _WORKER_KERNEL = WarmKernel() if warm_kernels else None
    if _WORKER_KERNEL is not None:  # pool workers leave by os._exit: atexit hooks do not run, finalizers do
        from multiprocessing.util import Finalize

        Finalize(_WORKER_KERNEL, _WORKER_KERNEL.close, exitpriority=10)


_WORKER_KERNEL: WarmKernel | None = None  # this worker process's kernel (made by _worker_init)


def execute_in_worker(task: StepTask) -> StepOutcome:
    """What a pool worker runs: the step, notebooks on this worker's warm kernel."""
    return execute_step(task, kernel=_WORKER_KERNEL)


def preload_modules(functions: StepFunctions) -> list[str]:
    """What the fork server imports once besides papermill: the modules the step functions live in."""
    real = StepFunctions()
    uses_real = any(getattr(functions, f) is getattr(real, f) for f in ("collect", "analyze", "report", "portfolio"))
    own = sorted({getattr(functions, f.name).__module__ for f in fields(StepFunctions)
                  if callable(getattr(functions, f.name))} - {"__main__"})
    return (REAL_STEP_MODULES if uses_real else []) + own


def start_fork_server(modules: list[str]) -> None:
    """Start this process's fork server (once) with papermill and ``modules`` imported."""
    from multiprocessing import forkserver

    mp.get_context("forkserver").set_forkserver_preload(["awsassess.batch._preload"])
    saved = os.environ.get(PRELOAD_ENV)
    os.environ[PRELOAD_ENV] = json.dumps({"sys_path": sys.path, "modules": modules})
    try:
        forkserver.ensure_running()
    finally:
        if saved is None:
            os.environ.pop(PRELOAD_ENV, None)
        else:
            os.environ[PRELOAD_ENV] = saved


def make_pool(jobs: int, log_dir: Path, warm_kernels: bool = True) -> ProcessPoolExecutor:
    """``jobs`` workers forked from the fork server (each with a warm kernel unless ``warm_kernels`` is False)."""
    return ProcessPoolExecutor(max_workers=jobs, mp_context=mp.get_context("forkserver"),
                               initializer=_worker_init,
                               initargs=(str(log_dir), dict(os.environ), warm_kernels, os.getpid()))


class Pools:
    """Two pools: ``jobs`` workers for analyze/notebook/report/portfolio steps (each with a warm kernel)
    and ``collect_jobs`` workers for collect steps (no kernel: they wait on AWS), so a batch starts at
    most ``jobs`` kernels, whichever worker a notebook lands on."""

    def __init__(self, jobs: int, collect_jobs: int, log_dir: Path, warm_kernels: bool) -> None:
        self._sizes = {"cpu": (jobs, warm_kernels), "io": (collect_jobs, False)}
        self._log_dir = log_dir
        self.cpu = make_pool(jobs, log_dir, warm_kernels)
        self.io = make_pool(collect_jobs, log_dir, warm_kernels=False)

    @staticmethod
    def pool_for(kind: str) -> str:
        """The pool a step of ``kind`` runs in: ``io`` for collect steps, else ``cpu``."""
        return "io" if kind == "collect" else "cpu"

    def submit(self, task: StepTask) -> Future[StepOutcome]:
        return getattr(self, self.pool_for(task.kind)).submit(execute_in_worker, task)

    def renew(self, which: str) -> None:
        """Replace the pool ``which`` (a broken one); the other pool and its warm kernels go on."""
        _end_pool(getattr(self, which))
        size, warm = self._sizes[which]
        setattr(self, which, make_pool(size, self._log_dir, warm))

    def end(self) -> None:
        _end_pool(self.cpu)
        _end_pool(self.io)

    def shutdown(self) -> None:
        self.cpu.shutdown(wait=True)
        self.io.shutdown(wait=True)


def _end_pool(pool: ProcessPoolExecutor) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        if proc.is_alive():
            proc.terminate()
    for proc in processes:
        proc.join(timeout=5)
        if proc.is_alive():
            proc.kill()


Slot = tuple["AccountRun | None", StepSpec]  # None: the run-level portfolio step


def run_local(batch: Batch, jobs: int, collect_jobs: int | None = None, warm_kernels: bool = True) -> None:
    """Run every step of ``batch``: at most ``jobs`` analyze/notebook/report steps at once, plus at most
    ``collect_jobs`` (default ``jobs``) collect steps, which mostly wait on AWS API calls, so upcoming
    accounts are collected while earlier ones run their notebooks."""
    collect_jobs = jobs if collect_jobs is None else collect_jobs
    log_dir = RunFolder(batch.out).logs
    start_fork_server(preload_modules(batch.functions))
    pools = Pools(jobs, collect_jobs, log_dir, warm_kernels)
    running: dict[Future[StepOutcome], Slot] = {}
    suspects: list[Slot] = []  # ran beside a step whose worker died: re-run one at a time
    solo = False  # a suspect is running alone

    def submit(slot: Slot, task: StepTask) -> None:
        running[pools.submit(task)] = slot
        acct, spec = slot
        if acct is None:
            batch.portfolio.start()
            batch.changed_run()
        else:
            acct.start(spec)

    def next_slot() -> Slot | None:
        if suspects:
            return None if running else suspects.pop(0)
        collecting = sum(1 for _, spec in running.values() if spec.kind == "collect")
        cpu_free, io_free = len(running) - collecting < jobs, collecting < collect_jobs
        if not (cpu_free or io_free):
            return None
        return pick_step(batch.open_accounts(), jobs, cpu_free=cpu_free, io_free=io_free)

    try:
        while True:
            while not solo:
                from_suspects = bool(suspects)
                slot = next_slot()
                if slot is None:
                    break
                acct, spec = slot
                task = batch.prepare_portfolio() if acct is None else acct.prepare(spec)
                if task is not None:
                    submit(slot, task)
                    solo = from_suspects
            if not running and not suspects and batch.all_done() and batch.portfolio.phase == "pending":
                task = batch.prepare_portfolio()
                if task is not None:
                    batch.flush()  # the portfolio reads run.json: every account's final record first
                    submit((None, batch.portfolio.SPEC), task)
            batch.flush()
            if not running:
                if batch.all_done() and batch.portfolio.phase == "done":
                    break
                if not suspects:  # nothing runnable and nothing running would be a planning bug
                    raise RuntimeError("batch scheduler stalled: no step is ready and none is running")
                continue
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            victims: list[Slot] = []
            broken: set[str] = set()
            for fut in done:
                slot = running.pop(fut)
                try:
                    outcome = fut.result()
                except BrokenProcessPool:
                    victims.append(slot)
                    broken.add(pools.pool_for(slot[1].kind))
                    continue
                except Exception as exc:  # noqa: BLE001 - e.g. a task or result that does not pickle
                    _fail(batch, slot, describe_error(exc))
                    continue
                _finish(batch, slot, outcome)
            if victims:
                # every step in flight on a broken pool fails with it: collect them all and renew that
                # pool; the other pool's steps (and its warm kernels) go on
                rest, _ = wait([fut for fut, (_, spec) in running.items() if pools.pool_for(spec.kind) in broken])
                for fut in rest:
                    slot = running.pop(fut)
                    try:
                        _finish(batch, slot, fut.result())
                    except BrokenProcessPool:
                        victims.append(slot)
                    except Exception as exc:  # noqa: BLE001
                        _fail(batch, slot, describe_error(exc))
                for which in sorted(broken):
                    pools.renew(which)
                if solo or len(victims) == 1:
                    for slot in victims:
                        _fail(batch, slot, WORKER_DIED)
                else:
                    for acct, spec in victims:
                        if acct is None:
                            batch.portfolio.phase = "pending"
                        else:
                            acct.requeue(spec)
                    suspects.extend(victims)
                solo = False
            elif solo and not running:
                solo = False
    except KeyboardInterrupt:
        for slot in list(running.values()):
            _fail(batch, slot, INTERRUPTED)
        batch.flush()
        pools.end()
        raise
    pools.shutdown()


PIPELINE_RANK = {"analyze": 0, "notebook": 1, "report": 2, "portfolio": 3}


def pick_step(open_accounts: Iterable[AccountRun], window: int, *, cpu_free: bool,
              io_free: bool) -> tuple[AccountRun, StepSpec] | None:
    """The next step to start: collect steps earliest account first; other steps earliest account first,
    except that within the first ``window`` open accounts (those being worked on now, ``window`` = jobs)
    steps earlier in the pipeline go first: analyze, then notebooks, then reports.

    An analyze step unlocks an account's notebooks, and a report is one long step at the end of an
    account that the portfolio waits for: running one account's notebooks while another's analyze
    waits, or its report while another's notebooks wait, leaves the second account to a single worker
    at the end. Measured on the demo (2 workers): reports side by side instead of one after the other.
    """
    best: tuple[AccountRun, StepSpec] | None = None
    best_key: tuple[int, int] | None = None
    for i, acct in enumerate(open_accounts):
        in_window = i < window
        if not in_window and best is not None:
            break
        for spec in acct.ready():
            if spec.kind == "collect":
                if io_free:
                    return acct, spec
                continue
            if not cpu_free:
                continue
            # candidates are compared within the window, or within the one account past it (the loop
            # stops at the next): there the first ready step wins
            key = (PIPELINE_RANK.get(spec.kind, 9) if in_window else 0, i)
            if best_key is None or key < best_key:
                best, best_key = (acct, spec), key
    return best


def _finish(batch: Batch, slot: Slot, outcome: StepOutcome) -> None:
    acct, spec = slot
    if acct is None:
        batch.portfolio.finish(outcome)
        batch.changed_run()
    else:
        acct.finish(spec, outcome)


def _fail(batch: Batch, slot: Slot, error: Mapping[str, object]) -> None:
    acct, spec = slot
    if acct is None:
        batch.portfolio.fail(dict(error))
        batch.changed_run()
    else:
        acct.fail(spec, dict(error))
