"""The Dask executor: each account's pipeline is one task on a Dask distributed cluster.

``run_dask(batch, jobs, scheduler)`` connects ``distributed.Client(scheduler)`` (or starts a
``LocalCluster`` of ``jobs`` single-threaded worker processes when ``scheduler`` is None) and submits
one task per account, earlier accounts first. A task runs its account's steps in order, notebooks one
after another in one warm kernel (:mod:`awsassess.batch.kernels`; the cluster's parallelism is across
accounts), with the same resume decisions as the
local executor (:mod:`awsassess.batch.pipeline`). Each step record is sent back on a Dask ``Queue`` as
it happens, so run.json and the progress bars follow along; the task's return value (all its records)
is authoritative. The portfolio runs as one more task once every account is done.

Requirements on the cluster: every worker has awsassess (same version) and a ``python3`` Jupyter
kernel installed, and sees the run folder and the notebooks at the same paths as this process (a
shared file system), because snapshots, executed notebooks and reports are written there.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from awsassess.batch.kernels import WarmKernel
from awsassess.batch.pipeline import AccountRun
from awsassess.batch.plan import StepSpec
from awsassess.batch.steps import StepFunctions, StepTask, describe_error, execute_step

if TYPE_CHECKING:
    from awsassess.batch.run import Batch

POLL_S = 0.25


@dataclass
class AccountJob:
    """One account's pipeline, as shipped to a Dask worker."""

    params: Any
    out: str
    specs: list[StepSpec]
    functions: StepFunctions
    run_id: str
    previous: dict[str, dict[str, Any]]
    resume: bool
    notebook_timeout_s: float | None
    queue: str | None
    warm_kernels: bool = True


def run_account(job: AccountJob) -> list[dict[str, Any]]:
    """Run one account's steps here (on a Dask worker); return its step records."""
    queue = None
    if job.queue:
        with contextlib.suppress(Exception):
            from distributed import Queue

            queue = Queue(job.queue)

    def emit(acct: AccountRun, record: dict[str, Any]) -> None:
        if queue is not None:
            with contextlib.suppress(Exception):
                queue.put({"account": acct.name, "record": record})

    acct = AccountRun(job.params, Path(job.out), job.specs, functions=job.functions, run_id=job.run_id,
                      previous=job.previous, resume=job.resume, notebook_timeout_s=job.notebook_timeout_s,
                      listener=emit)
    kernel = WarmKernel() if job.warm_kernels else None
    try:
        while not acct.done():
            for spec in acct.ready():
                task = acct.prepare(spec)
                if task is not None:
                    acct.start(spec)
                    acct.finish(spec, execute_step(task, kernel=kernel))
    finally:
        if kernel is not None:
            kernel.close()
    return acct.steps()


def run_portfolio(task: StepTask) -> Any:
    return execute_step(task)


class DaskSchedulerError(ValueError):
    """The --scheduler address did not answer (bad input: nothing was started)."""


def run_dask(batch: Batch, jobs: int, scheduler: str | None, warm_kernels: bool = True) -> None:
    from distributed import Client, LocalCluster, Queue, wait

    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="30s")
        except (OSError, TimeoutError) as exc:
            raise DaskSchedulerError(
                f"--scheduler {scheduler}: no Dask scheduler answered within 30 s ({type(exc).__name__}: {exc}). "
                "Fix: start it (dask scheduler) or check the address; without --scheduler a local cluster "
                "is started") from None
    else:
        cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True, dashboard_address=None)
        client = Client(cluster)
    queue_name = f"awsassess-{batch.run_id}"
    try:
        queue = Queue(queue_name, client=client)
        futures = {}
        for priority, acct in enumerate(batch.accounts):
            job = AccountJob(params=acct.params, out=str(batch.out.resolve()), specs=acct.specs,
                             functions=acct.functions, run_id=batch.run_id, previous=acct.previous,
                             resume=acct.resume, notebook_timeout_s=acct.notebook_timeout_s, queue=queue_name,
                             warm_kernels=warm_kernels)
            fut = client.submit(run_account, job, key=f"awsassess-{acct.name}-{batch.run_id}", pure=False,
                                priority=-priority)
            futures[fut] = acct
        pending = set(futures)
        while pending:
            try:
                done, pending = wait(pending, timeout=POLL_S, return_when="FIRST_COMPLETED")
            except TimeoutError:  # nothing finished yet: follow the progress events
                done = set()
            _drain(batch, queue)
            for fut in done:
                acct = futures[fut]
                try:
                    acct.absorb(fut.result())
                except Exception as exc:  # noqa: BLE001 - the task itself died: its unfinished steps fail
                    acct.fail_unfinished(describe_error(exc))
            batch.flush()
        _drain(batch, queue)
        task = batch.prepare_portfolio()
        if task is not None:
            batch.portfolio.start()
            batch.changed_run()
            batch.flush()
            try:
                outcome = client.submit(run_portfolio, task, key=f"awsassess-portfolio-{batch.run_id}",
                                        pure=False).result()
                batch.portfolio.finish(outcome)
            except Exception as exc:  # noqa: BLE001
                batch.portfolio.fail(describe_error(exc))
            batch.changed_run()
        batch.flush()
        with contextlib.suppress(Exception):
            queue.close()
    except KeyboardInterrupt:
        for acct in batch.accounts:
            acct.fail_unfinished({"type": "KeyboardInterrupt", "traceback": [],
                                  "message": "the run was interrupted; `awsassess run ... --resume` re-runs it"})
        batch.flush()
        raise
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _drain(batch: Batch, queue: Any) -> None:
    try:
        events = queue.get(batch=True)
    except Exception:  # noqa: BLE001 - progress events are best effort; task results are authoritative
        return
    for event in events or []:
        with contextlib.suppress(StopIteration, KeyError):
            batch.account(event["account"]).absorb([event["record"]])
