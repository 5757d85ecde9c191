"""Running collectors across regions: each (collector, region) unit once the units it depends on
are done, in a thread pool or spread over worker processes (:mod:`awsassess.collect.workers`)."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any

from awsassess.aws import GLOBAL_REGION
from awsassess.collect.contract import Collector, Progress, Rows
from awsassess.collect.run_state import Run
from awsassess.collect.units import _Unit, join_rows, merge_tables, run_unit, unit_dependencies
from awsassess.collect.workers import run_in_processes, start_workers


def run_collectors(run: Run, collectors: Sequence[Collector], regions: Sequence[str], *,
                   progress: Progress | None = None, strict: bool = False,
                   account: str = "", processes: int = 1, workers: Any = None) -> Rows:
    """Run ``collectors`` across ``regions``, each unit once the units it depends on are done
    (:func:`unit_dependencies`); rows per table, in unit order (also in ``run.tables``).

    ``processes`` > 1 spreads the units over worker processes (:mod:`awsassess.collect.workers`),
    ``workers`` if already started (the caller closes them), else started and closed here; the
    collectors must then be registered ones (workers load them by name).
    """
    units_all = [
        _Unit(c, r)
        for c in collectors
        for r in ([*regions] if c.collect else []) + ([GLOBAL_REGION] if c.collect_global else [])
    ]
    deps = unit_dependencies(units_all)
    if processes > 1 and len(units_all) > 1:
        own = workers is None
        workers = workers or start_workers(run, list(collectors), processes, strict=strict)
        try:
            return run_in_processes(run, workers, units_all, deps, progress=progress, account=account)
        finally:
            if own:
                workers.close()
    total = len(units_all)
    if progress:
        progress(account, 0, total, "starting")
    outs: dict[int, Rows] = {}
    pending = list(range(total))
    with ThreadPoolExecutor(max_workers=run.concurrency, thread_name_prefix="awsassess-unit") as pool:
        running: dict[Future[Rows], int] = {}
        while pending or running:
            for uid in [u for u in pending if deps[u] <= outs.keys()]:
                pending.remove(uid)
                inputs = join_rows(outs[d] for d in sorted(deps[uid]))
                running[pool.submit(run_unit, run, units_all[uid], strict=strict, inputs=inputs)] = uid
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for fut in finished:
                uid = running.pop(fut)
                outs[uid] = fut.result()
                if progress:
                    progress(account, len(outs), total, f"{units_all[uid].collector.name} {units_all[uid].region}")
    merge_tables(run, [outs[i] for i in range(total)])
    return run.tables

