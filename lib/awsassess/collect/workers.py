"""Collection spread over worker processes (``collect.processes``).

botocore spends about 3 ms of CPU on every request (serialising, signing, HTTP, parsing) on the
2-core reference machine, and a collector adds its own work per page. At 16 requests in flight and
50 ms round trips that is more than one Python process can do: the GIL serialises it, and the run
becomes CPU-bound long before the latency floor. With ``processes`` > 1 the (collector, region)
units run in that many worker processes, each with its own clients:

- the in-flight limits (the overall ``concurrency`` and the lower per-service ones) are
  :mod:`multiprocessing` semaphores shared by every thread of every worker, so AWS sees the same load
  as from one process;
- the main process keeps the schedule: a unit starts once the units it depends on are done
  (:func:`awsassess.collect.units.unit_dependencies`), heaviest first (``WEIGHT`` of the collector
  module), on the worker with the least weight in progress, with the rows of those units;
- each unit's rows, coverage records and raw pages come back to the main process, which merges them
  in unit order (the same snapshot as one process makes) and reports progress;
- workers start from the main process's credentials (frozen, so a profile's MFA or SSO login is not
  asked for again) and assume the account's role themselves; the read-only guard is installed the
  same way. A read-only or undeclared-operation violation in a worker stops the run with the same
  exception; a worker that dies stops it with :class:`CollectionError` naming the exit code.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import queue
import signal
import sys
import traceback
import types
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from awsassess.aws import GLOBAL_REGION, session_for
from awsassess.collect.call_records import CallRecord
from awsassess.collect.contract import CollectionError, Collector, Progress, Rows
from awsassess.collect.run_state import RequestLimits, Run
from awsassess.collect.units import _Unit, join_rows, merge_tables, run_unit
from awsassess.heap import settle_heap
from awsassess.lifecycle import exit_when_gone
from awsassess.snapshot import EncodedPages, encode_pages

log = logging.getLogger("awsassess.collect")

MAX_AUTO_PROCESSES = 4
REQUESTS_PER_PROCESS = 4  # "auto" never gives a process fewer than this many requests in flight
WORKER_POLL_S = 0.5
WORKER_SWITCH_INTERVAL_S = 0.001


def auto_processes(concurrency: int, cpus: int | None = None) -> int:
    """``collect.processes: auto``: one per CPU core, at most 4, and at least 4 requests in flight each."""
    cpus = cpus if cpus is not None else (os.cpu_count() or 1)
    return max(1, min(cpus, MAX_AUTO_PROCESSES, concurrency // REQUESTS_PER_PROCESS))


def resolve_processes(option: Any, concurrency: int) -> int:
    """The number of collection processes for a ``collect.processes`` value (``"auto"`` or an int >= 1)."""
    if option is None or option == "auto":
        return auto_processes(concurrency)
    if isinstance(option, bool) or not isinstance(option, int) or option < 1:
        raise CollectionError(f"collect.processes is {option!r}; use auto or a whole number >= 1")
    return option


@dataclass
class _WorkerSetup:
    params: Any
    environ: dict[str, str]
    base_credentials: tuple[str, str, str | None] | None
    limits: RequestLimits
    concurrency: int
    service_limits: dict[str, int]
    keep_raw: bool
    now: datetime
    strict: bool
    owner_pid: int = 0  # the process that started the workers: they end when it is gone


def shared_limits(ctx: Any, run: Run, collectors: list[Collector], regions: list[str]) -> RequestLimits:
    """Process-shared semaphores for ``run``'s limits (the per-service ones only where they are lower)."""
    services = {s for c in collectors for s, _ in c.operations}
    lowered = {s for s in services if run.limit_of(s) < run.concurrency}
    per_service = {(s, r): ctx.Semaphore(run.limit_of(s))
                   for s in sorted(lowered) for r in [*regions, GLOBAL_REGION, run.home_region]}
    return RequestLimits(overall=ctx.BoundedSemaphore(run.concurrency), per_service=per_service)


def _worker_main(wid: int, setup: _WorkerSetup, tasks: Any, results: Any) -> None:
    """A worker process: run the units sent on ``tasks`` concurrently, answer each on ``results``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the main process's to handle
    exit_when_gone(setup.owner_pid)  # its parent is the fork server: watch the process that started it
    # A thread whose response has arrived waits for the GIL while another parses a page; with the
    # default 5 ms switch interval that wait is counted in the request's time on the wire.
    sys.setswitchinterval(WORKER_SWITCH_INTERVAL_S)
    settle_heap(collect=False)  # the fork server's heap is frozen already; a spawned worker's imports now
    os.environ.clear()
    os.environ.update(setup.environ)
    try:
        from awsassess.collect import load_collectors

        session = session_for(setup.params, concurrency=setup.concurrency,
                              base_credentials=setup.base_credentials)
        collectors = {c.name: c for c in load_collectors()}
    except BaseException as exc:  # noqa: BLE001 - reported to the main process, which stops the run
        results.put(("fatal", wid, None, _portable(exc)))
        return

    def one(uid: int, name: str, region: str, inputs: Rows) -> None:
        run = Run(setup.params, session, concurrency=setup.concurrency, keep_raw=setup.keep_raw,
                  now=setup.now, service_limits=setup.service_limits, limits=setup.limits)
        try:
            out = run_unit(run, _Unit(collectors[name], region), strict=setup.strict, inputs=inputs)
            raw = {key: encode_pages(pages) for key, pages in run.raw.items()}  # JSON and gzip here, in parallel
            results.put(("done", wid, uid, (out, list(run.coverage.values()), raw)))
        except BaseException as exc:  # noqa: BLE001 - the main process re-raises it
            results.put(("fatal", wid, uid, _portable(exc)))
        finally:
            run.close()

    with ThreadPoolExecutor(max_workers=setup.concurrency, thread_name_prefix=f"awsassess-w{wid}") as pool:
        while True:
            msg = tasks.get()
            if msg is None:
                break
            _, uid, name, region, inputs = msg
            pool.submit(one, uid, name, region, inputs)


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a CollectionError carrying its traceback text."""
    import pickle

    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001
        text = "".join(traceback.format_exception(exc))
        return CollectionError(f"collector worker failed: {type(exc).__name__}: {exc}\n{text}")


@contextmanager
def _main_not_reimported() -> Iterator[None]:
    """Start processes without :mod:`multiprocessing` importing the program's main module in them.

    Workers need nothing from it (their code and data come from ``awsassess``), and importing it again
    costs seconds (a benchmark or notebook kernel imports much) and runs an unguarded script's
    top-level code a second time. :mod:`multiprocessing` looks at ``sys.modules["__main__"]`` when a
    process starts: for that moment it sees an empty module.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        yield
    finally:
        sys.modules["__main__"] = main


class _Workers:
    """The worker processes of one run, with a queue each and one shared result queue."""

    def __init__(self, count: int, setup: _WorkerSetup, ctx: Any) -> None:
        self.setup = setup  # keeps the shared semaphores alive until the workers have them
        self.results = ctx.Queue()
        self.tasks = [ctx.Queue() for _ in range(count)]
        self.procs = [ctx.Process(target=_worker_main, args=(i, setup, self.tasks[i], self.results),
                                  name=f"awsassess-collect-{i}", daemon=True) for i in range(count)]
        with _main_not_reimported():
            for p in self.procs:
                p.start()

    def send(self, wid: int, msg: Any) -> None:
        self.tasks[wid].put(msg)

    def next_result(self) -> tuple[str, int, int | None, Any]:
        while True:
            try:
                return self.results.get(timeout=WORKER_POLL_S)
            except queue.Empty:
                for i, p in enumerate(self.procs):
                    if not p.is_alive():
                        raise CollectionError(
                            f"collector worker process {i} (pid {p.pid}) ended with exit code {p.exitcode} "
                            "before finishing its work; nothing was written. Run again, or set "
                            "collect.processes: 1 in the params file to collect in one process.") from None

    def close(self) -> None:
        for p, q in zip(self.procs, self.tasks, strict=True):
            if p.is_alive():
                q.put(None)
        for p in self.procs:
            p.join(timeout=10)
            if p.is_alive():
                p.kill()
                p.join()
        for q in [*self.tasks, self.results]:
            q.close()
            q.join_thread()


def _context() -> Any:
    """The fork server (Linux, macOS: workers fork from a clean process with this module imported), else spawn.

    Neither imports the calling program's main module in the workers (:func:`_main_not_reimported`),
    so a script that calls ``collect_account`` needs no ``if __name__ == "__main__":`` guard.
    """
    if "forkserver" not in mp.get_all_start_methods():
        return mp.get_context("spawn")
    from multiprocessing import forkserver

    ctx = mp.get_context("forkserver")
    # not started yet: preload collectors and models (_forkserver_pid is private: typeshed leaves it out)
    if not forkserver._forkserver._forkserver_pid:  # type: ignore[attr-defined]  # noqa: SLF001
        ctx.set_forkserver_preload(["awsassess.collect._preload"])
    return ctx


def warm_models() -> None:
    """Import the registered collectors and load the botocore data of the services they call into the
    process-wide model loader, by making one client of each (no request is sent)."""
    import botocore.session

    from awsassess.aws import tune_session
    from awsassess.collect import all_operations

    session = tune_session(botocore.session.Session())
    for service in sorted({s for s, _ in all_operations()}):
        session.create_client(service, region_name="us-east-1", aws_access_key_id="warm-up",
                              aws_secret_access_key="warm-up")


def start_workers(run: Run, collectors: list[Collector], processes: int, *, strict: bool) -> _Workers:
    """Start ``processes`` workers for ``run`` (they assume the role and make their clients while the
    main process checks the identity and the regions)."""
    ctx = _context()
    setup = _WorkerSetup(
        params=run.params, environ=dict(os.environ), base_credentials=run.session.frozen_base_credentials(),
        limits=shared_limits(ctx, run, collectors, list(run.regions)), concurrency=run.concurrency,
        service_limits=run._limits, keep_raw=run.keep_raw, now=run.now, strict=strict, owner_pid=os.getpid())
    return _Workers(processes, setup, ctx)


def run_in_processes(run: Run, workers: _Workers, units_all: list[_Unit], deps: list[set[int]], *,
                     progress: Progress | None, account: str) -> Rows:
    """:func:`awsassess.collect.schedule.run_collectors` with the units spread over ``workers``."""
    processes = len(workers.procs)
    total = len(units_all)
    if progress:
        progress(account, 0, total, f"starting {processes} collector processes")
    outs: dict[int, Rows] = {}
    # heaviest first; among equals, the order the collectors and regions were given
    pending = sorted(range(total), key=lambda i: -units_all[i].collector.weight)
    load = [0] * processes
    where: dict[int, int] = {}
    while pending or where:
        for uid in [u for u in pending if deps[u] <= outs.keys()]:
            if len(where) >= run.concurrency:
                break
            pending.remove(uid)
            wid = min(range(processes), key=lambda w: load[w])
            load[wid] += units_all[uid].collector.weight
            where[uid] = wid
            unit = units_all[uid]
            inputs = join_rows(outs[d] for d in sorted(deps[uid]))
            workers.send(wid, ("unit", uid, unit.collector.name, unit.region, inputs))
        kind, _wid, done, payload = workers.next_result()
        if kind == "fatal":
            raise payload
        assert done is not None
        out, coverage, raw = payload
        outs[done] = out
        _merge_records(run, coverage, raw)
        load[where.pop(done)] -= units_all[done].collector.weight
        if progress:
            progress(account, len(outs), total, f"{units_all[done].collector.name} {units_all[done].region}")
    merge_tables(run, [outs[i] for i in range(total)])
    return run.tables


def _merge_records(run: Run, coverage: list[CallRecord], raw: dict[str, EncodedPages]) -> None:
    with run._lock:
        for rec in coverage:
            key = (rec.service, rec.operation, rec.region)
            mine = run.coverage.get(key)
            if mine is None:
                run.coverage[key] = rec
            else:
                mine.merge(rec)
        for raw_key, pages in raw.items():
            run.raw.setdefault(raw_key, []).append(pages)  # EncodedPages: spliced by Snapshot.save
