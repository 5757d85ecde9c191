"""One account into a snapshot (:func:`collect_account`): identity and enabled regions, the
collectors across them, then tables, coverage and manifest written atomically."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from awsassess.aws import AccountSession, session_for
from awsassess.collect.context import Context
from awsassess.collect.contract import CORE_OPERATIONS, CollectionError, Collector, Progress, _option
from awsassess.collect.rows import build_frame
from awsassess.collect.run_state import Run
from awsassess.collect.schedule import run_collectors
from awsassess.collect.workers import resolve_processes, start_workers
from awsassess.layout import AccountFolder
from awsassess.snapshot import Snapshot


def resolve_regions(run: Run) -> list[str]:
    """The params' regions that are enabled; the others are recorded as opt_in_required."""
    ctx = Context(run, Collector("core", tuple(CORE_OPERATIONS), collect=lambda c, r: {}))
    resp = ctx.call("ec2", "DescribeRegions", run.home_region, AllRegions=True)
    known = {r.get("RegionName"): r.get("OptInStatus", "opt-in-not-required") for r in resp.get("Regions", [])}
    enabled = []
    for region in run.regions:
        status = known.get(region)
        if resp and status == "not-opted-in":
            run.record("ec2", "DescribeRegions", region, "opt_in_required",
                       f"region {region} is not enabled for this account (opt-in region); skipped",
                       0, 0, 0.0)
        elif resp and status is None:
            run.record("ec2", "DescribeRegions", region, "unsupported",
                       f"region {region} is unknown to EC2 DescribeRegions; skipped", 0, 0, 0.0)
        else:
            enabled.append(region)
    return enabled


def params_digest(params: Any) -> str:
    if hasattr(params, "model_dump"):
        data = params.model_dump(mode="json")
    elif hasattr(params, "__dict__"):
        data = json.loads(json.dumps(params.__dict__, default=lambda o: getattr(o, "__dict__", str(o))))
    else:
        data = str(params)
    return "sha256:" + hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def collection_processes(params: Any, concurrency: int, *, registered: bool = True) -> int:
    """How many processes collect this account: ``collect.processes`` (``auto`` by default, see
    :func:`awsassess.collect.workers.auto_processes`); 1 for collectors or a session given in code
    (worker processes rebuild both from the registry and the params) and inside a daemonic process
    (which may not start processes)."""
    wanted = resolve_processes(_option(params, "processes", "auto"), concurrency)
    if wanted > 1 and (not registered or multiprocessing.current_process().daemon):
        return 1
    return wanted


def collect_account(params: Any, out_dir: str | Path, progress: Progress | None = None,
                    *, collectors: Sequence[Collector] | None = None, session: AccountSession | None = None,
                    strict: bool = False, keep_raw: bool = True,
                    service_limits: dict[str, int] | None = None) -> Snapshot:
    """Collect one account into ``out_dir/<name>/snapshot`` (atomically) and return the Snapshot.

    ``collectors`` defaults to every registered collector (:func:`awsassess.collect.load_collectors`).
    ``strict=True`` re-raises collector bugs instead of recording them in coverage (tests use it).
    Raises :class:`awsassess.aws.AccountMismatchError` when the credentials reach another account.
    """
    from awsassess.collect import load_collectors

    name = str(getattr(params, "name", "") or "")
    if not name:
        raise CollectionError("params.name is empty; set name: in the params file (e.g. acme-prod)")
    started = time.perf_counter()
    given_session = session is not None
    session = session or session_for(params)
    concurrency = int(_option(params, "concurrency", 16))
    processes = collection_processes(params, concurrency, registered=collectors is None and not given_session)
    run = Run(params, session, concurrency=concurrency, keep_raw=keep_raw, service_limits=service_limits)
    collectors = list(collectors) if collectors is not None else load_collectors()
    workers = None
    try:
        if processes > 1:  # they start while this process checks the identity and the regions
            workers = start_workers(run, collectors, processes, strict=strict)
        session.check_account(str(getattr(params, "account_id", "")))
        ident = session.caller_identity()
        run.record("sts", "GetCallerIdentity", session.home_region, "ok", "", 1, 1, 0.0)
        regions = resolve_regions(run)
        run_collectors(run, collectors, regions, progress=progress, strict=strict, account=name,
                       processes=processes, workers=workers)
    finally:
        if workers is not None:
            workers.close()
        run.close()

    frames: dict[str, pd.DataFrame] = {}
    wanted = {t for c in collectors for t in c.tables} | set(run.tables)
    for table in sorted(wanted):
        frames[table] = build_frame(table, run.tables.get(table, []))
    coverage_rows = run.coverage_rows()
    for row in coverage_rows:
        row["account_id"] = run.account_id
    frames["coverage"] = build_frame("coverage", coverage_rows)

    from awsassess.coverage import problems_of_rows

    found = problems_of_rows(coverage_rows)
    by_status: dict[str, int] = {}
    for row in coverage_rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + 1
    manifest = {
        "name": name,
        "account_id": run.account_id,
        "environment": str(getattr(params, "environment", "") or ""),
        "regions": list(run.regions),
        "regions_collected": list(regions),
        "collected_at": run.now.isoformat(timespec="seconds"),
        "duration_s": round(time.perf_counter() - started, 2),
        "concurrency": concurrency,
        "processes": processes,
        "caller_arn": ident.get("Arn", ""),
        "collectors": [c.name for c in collectors],
        "params_digest": params_digest(params),
        "coverage": {
            "requests": sum(r["calls"] for r in coverage_rows),
            "operations": len(coverage_rows),
            "by_status": by_status,
            "problems": [f"{r['service']}:{r['operation']} {r['region']}: {r['status']}"
                         for r in coverage_rows if r["status"] != "ok"],
            # what went wrong (the account is partial) vs what the account chose (awsassess.coverage)
            "errors": [p.sentence() for p in found if p.kind == "error"],
            "gaps": [p.sentence() for p in found if p.kind == "gap"],
        },
    }
    snap = Snapshot(manifest=manifest, tables=frames)
    snap.save(AccountFolder(Path(out_dir) / name).snapshot, raw_pages=run.raw if keep_raw else None)
    return snap
