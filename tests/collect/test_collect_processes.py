"""Collection spread over worker processes (``collect.processes``), against the simulated estate.

Real worker processes (fork server), real HTTP to the estate: the snapshot must be the one a single
process makes, failures in a worker must reach the caller, and a worker that dies must stop the run.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from awsassess.aws import AwsSessionError
from awsassess.collect import collect_account
from awsassess.collect.account import collection_processes
from awsassess.collect.call_records import CallRecord
from awsassess.collect.contract import CollectionError
from awsassess.collect.run_state import RequestLimits
from awsassess.collect.workers import (
    _context,
    _portable,
    _Workers,
    _WorkerSetup,
    auto_processes,
    resolve_processes,
)
from awsassess.demo import Estate
from awsassess.demo.estate import PRODUCTION
from awsassess.guard import ReadOnlyViolation
from awsassess.params import AccountParams, CollectOptions
from awsassess.snapshot import encode_pages, raw_gzip, raw_json
from pydantic import ValidationError

# Tables whose rows depend on the moment of collection (metric windows), compared by row count only.
TIME_DEPENDENT = {"metrics"}


def _params(estate: Estate, processes: int | str, endpoint_url: str | None = None, **collect: Any) -> AccountParams:
    return AccountParams(name=PRODUCTION.name, account_id=PRODUCTION.account_id, environment="production",
                         regions=[PRODUCTION.region],
                         auth={"endpoint_url": endpoint_url or estate.endpoint_url,
                               "role_arn": estate.role_arn(PRODUCTION.account_id),
                               "external_id": estate.external_id},
                         collect={"processes": processes, **collect})


def _sorted(df: pd.DataFrame) -> pd.DataFrame:
    text = df.astype(str)
    return text.sort_values(list(text.columns)).reset_index(drop=True)


def test_two_processes_make_the_snapshot_one_process_makes(demo_estate: Estate, demo_snapshots: Any,
                                                           tmp_path: Path) -> None:
    one = demo_snapshots["production"]
    assert one.manifest["processes"] == 1  # the demo's params collect in one process
    two = collect_account(_params(demo_estate, 2), tmp_path, strict=True)
    assert two.manifest["processes"] == 2
    assert set(two.tables) == set(one.tables)
    for name in sorted(one.tables):
        a, b = one.tables[name], two.tables[name]
        assert list(a.columns) == list(b.columns), name
        assert len(a) == len(b), f"{name}: {len(a)} rows in one process, {len(b)} in two"
        if name in TIME_DEPENDENT or name == "coverage":
            continue
        pd.testing.assert_frame_equal(_sorted(a), _sorted(b), obj=name)
    cov = ["service", "operation", "region", "status", "calls", "items"]
    pd.testing.assert_frame_equal(_sorted(one.tables["coverage"][cov]), _sorted(two.tables["coverage"][cov]))
    assert two.manifest["coverage"]["requests"] == one.manifest["coverage"]["requests"]
    raw_one = sorted(p.relative_to(one.path) for p in (one.path / "raw").rglob("*.json.gz"))
    raw_two = sorted(p.relative_to(two.path) for p in (two.path / "raw").rglob("*.json.gz"))
    assert raw_one == raw_two and raw_one
    for rel in raw_one:  # as many pages, with the same fields (values may follow the clock: restore times)
        pages = [json.loads(gzip.decompress((s.path / rel).read_bytes())) for s in (one, two)]
        assert len(pages[0]) == len(pages[1]), rel
        assert sorted(sorted(e["page"]) for e in pages[0]) == sorted(sorted(e["page"]) for e in pages[1]), rel


def test_pages_encoded_in_workers_splice_into_the_same_json() -> None:
    entries = [{"params": {"a": 1}, "page": {"When": datetime(2026, 1, 2, tzinfo=UTC), "Name": "é"}},
               {"params": {}, "page": {"Items": [1, 2]}}, {"params": {}, "page": {}}, {"params": {"b": None}, "page": {}}]
    encoded = [entries[0], encode_pages(entries[1:3]), encode_pages([]), entries[3]]
    assert raw_json(encoded) == json.dumps(entries, default=str).encode()
    assert json.loads(gzip.open(io.BytesIO(raw_gzip(encoded)), "rt").read()) == json.loads(json.dumps(entries, default=str))
    assert raw_json([encode_pages([])]) == b"[]" and raw_json([]) == b"[]"


def test_a_script_without_a_main_guard_can_collect_with_processes(demo_estate: Estate, tmp_path: Path) -> None:
    """The workers do not import the caller's main module again (so no guard is needed, and its
    top-level code runs once)."""
    script = tmp_path / "collect_it.py"
    script.write_text(textwrap.dedent(f"""
        from awsassess.collect import collect_account
        from awsassess.params import AccountParams

        print("TOP LEVEL RAN", flush=True)
        params = AccountParams(name="prod", account_id="{PRODUCTION.account_id}", regions=["{PRODUCTION.region}"],
                               auth={{"endpoint_url": "{demo_estate.endpoint_url}",
                                      "role_arn": "{demo_estate.role_arn(PRODUCTION.account_id)}",
                                      "external_id": "{demo_estate.external_id}"}},
                               collect={{"processes": 2}})
        snap = collect_account(params, r"{tmp_path / 'out'}")
        print("PROCESSES", snap.manifest["processes"], "SERVICES", len(snap.tables["ecs_services"]))
    """))
    env = {**os.environ, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("TOP LEVEL RAN") == 1
    assert "PROCESSES 2 SERVICES" in done.stdout and "SERVICES 0" not in done.stdout


def _setup(params: AccountParams, ctx: Any) -> _WorkerSetup:
    return _WorkerSetup(params=params, environ=dict(os.environ), base_credentials=("testing", "testing", None),
                        limits=RequestLimits(overall=ctx.BoundedSemaphore(4), per_service={}), concurrency=4,
                        service_limits={}, keep_raw=True, now=datetime.now(UTC), strict=True)


def test_a_worker_that_cannot_start_reports_why(demo_estate: Estate) -> None:
    ctx = _context()
    workers = _Workers(1, _setup(_params(demo_estate, 2, endpoint_url="http://127.0.0.1:9"), ctx), ctx)
    try:
        kind, wid, uid, payload = workers.next_result()
    finally:
        workers.close()
    assert (kind, wid, uid) == ("fatal", 0, None)
    assert isinstance(payload, AwsSessionError) and "could not assume auth.role_arn" in str(payload)


def test_a_worker_that_dies_stops_the_run_with_its_exit_code(demo_estate: Estate) -> None:
    ctx = _context()
    workers = _Workers(1, _setup(_params(demo_estate, 2), ctx), ctx)
    try:
        os.kill(workers.procs[0].pid, signal.SIGKILL)
        with pytest.raises(CollectionError, match=r"exit code -9 .*collect.processes: 1"):
            workers.next_result()
    finally:
        workers.close()


def test_worker_errors_cross_processes_intact() -> None:
    exc = pickle.loads(pickle.dumps(ReadOnlyViolation("ec2", "TerminateInstances", "a write")))
    assert isinstance(exc, ReadOnlyViolation) and exc.operation == "TerminateInstances"
    assert "refused ec2:TerminateInstances (a write)" in str(exc)
    assert _portable(exc) is exc

    class Local(Exception):  # defined in a function: cannot be pickled
        pass

    try:
        raise Local("boom")
    except Local as caught:
        portable = _portable(caught)
    assert isinstance(portable, CollectionError)
    assert "Local: boom" in str(portable) and "Traceback" in str(portable)


def test_call_records_merge_like_one_record() -> None:
    one = CallRecord("ecs", "DescribeServices", "us-east-1")
    one.add("ok", "", 2, 20, 0.2)
    one.add("throttled", "slow down", 1, 0, 0.1)
    a = CallRecord("ecs", "DescribeServices", "us-east-1")
    a.add("ok", "", 2, 20, 0.2)
    b = CallRecord("ecs", "DescribeServices", "us-east-1")
    b.add("throttled", "slow down", 1, 0, 0.1)
    a.merge(b)
    assert a.row() == one.row()


def test_processes_setting() -> None:
    assert auto_processes(16, cpus=2) == 2
    assert auto_processes(16, cpus=16) == 4  # at most 4
    assert auto_processes(8, cpus=16) == 2  # at least 4 requests in flight each
    assert auto_processes(1, cpus=16) == 1
    assert resolve_processes("auto", 16) == auto_processes(16)
    assert resolve_processes(3, 16) == 3
    with pytest.raises(CollectionError, match="collect.processes"):
        resolve_processes(0, 16)
    with pytest.raises(ValidationError, match="use auto or a whole number"):
        CollectOptions(processes="many")
    params = AccountParams(name="x", account_id="123456789012", regions=["us-east-1"], collect={"processes": 3})
    assert collection_processes(params, 16) == 3
    assert collection_processes(params, 16, registered=False) == 1  # collectors given in code stay in-process
