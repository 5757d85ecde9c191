"""Batch throughput: 2, 8 and 32 simulated accounts through run_batch, and the speed-up over --jobs 1.

Usage: .venv/bin/python benchmarks/batch.py [--mode snapshot|fixture] [--sizes 2 8 32] [--jobs N]
                                            [--serial-sizes 2 8] [--notebooks DIR] [--snapshot DIR]

Modes (the script prints which it used):
- ``snapshot``: the real pipeline (analyze, the repository's notebooks, report HTML+PDF, portfolio) over
  copies of one demo snapshot: the collect step copies the snapshot instead of calling AWS. Collection
  is left out on purpose: the simulated estate is one moto server (one process) holding two accounts,
  so N "accounts" collected from it would measure that server, not the batch. The template snapshot is
  ``--snapshot DIR``, else ``outputs/demo/fintech-production/snapshot`` (``make demo``), else one
  collected from the simulated estate.
- ``fixture``: tiny steps and the test suite's fixture notebooks: the batch machinery alone (worker pool,
  scheduling, kernels, run.json).
Default: ``snapshot`` when the real step modules import, else ``fixture``.

Prints per size: wall time, wall time per account, mean account latency (its first step to its report),
the speed-up over ``--jobs 1`` for --serial-sizes, and the 32-vs-8 ratio (target: at most 4.5).
The machine's load average is printed too: the figures are wall-clock and shared machines are noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This folder is sys.path[0] when the script runs, and the workers get the same sys.path: a sibling
# benchmark named like a library (benchmarks/diagrams.py) would shadow it there. Drop it.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]
FIXTURE_NOTEBOOKS = ROOT / "tests" / "fixtures" / "notebooks"
TEMPLATE_ENV = "AWSASSESS_BENCH_SNAPSHOT"  # where the workers find the template snapshot


# --------------------------------------------------------------------------- step functions
# Module level: the worker processes import this script as __mp_main__ to find them.
def replay_collect(params, out):  # noqa: ANN001, ANN201
    """The collect step of a simulated account: a copy of the template snapshot."""
    dest = Path(out) / params.name / "snapshot"
    tmp = dest.with_name(".snapshot.copy")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(os.environ[TEMPLATE_ENV], tmp)
    manifest = json.loads((tmp / "manifest.json").read_text())
    manifest.update(name=params.name, environment=params.environment)
    (tmp / "manifest.json").write_text(json.dumps(manifest))
    if dest.exists():
        shutil.rmtree(dest)
    tmp.rename(dest)
    return dest


def fixture_collect(params, out):  # noqa: ANN001, ANN201
    from awsassess.snapshot import Snapshot, empty_frame

    snap = Snapshot(manifest={"account_id": params.account_id, "name": params.name, "regions": params.regions},
                    tables={"vpcs": empty_frame("vpcs", [{"account_id": params.account_id, "region": "us-east-1",
                                                          "vpc_id": "vpc-1", "cidr": "10.0.0.0/16", "name": "a"}])})
    return snap.save(Path(out) / params.name / "snapshot")


def fixture_analyze(snapshot_dir, account_dir, assumptions):  # noqa: ANN001, ANN201
    path = Path(account_dir) / "findings.json"
    path.write_text("[]")
    return {"findings": path}


def fixture_report(account_dir, meta):  # noqa: ANN001, ANN201
    path = Path(account_dir) / "report.html"
    path.write_text(f"<h1>{meta['name']}</h1>")
    return {"html": path}


def fixture_portfolio(run_dir):  # noqa: ANN001, ANN201
    path = Path(run_dir) / "portfolio.html"
    path.write_text("portfolio")
    return {"html": path}


# --------------------------------------------------------------------------- set-up
def real_steps_import() -> bool:
    try:
        import awsassess.analyze  # noqa: F401
        import awsassess.report  # noqa: F401
    except Exception as exc:  # noqa: BLE001
        print(f"real step modules do not import ({type(exc).__name__}: {exc}); using fixture mode")
        return False
    return True


def template_snapshot(work: Path, given: Path | None = None) -> Path:
    if given is not None:
        if not (given / "manifest.json").is_file():
            raise SystemExit(f"--snapshot {given}: no manifest.json; give a DIR/<name>/snapshot folder")
        print(f"template snapshot: {given}")
        return given
    demo = ROOT / "outputs" / "demo" / "fintech-production" / "snapshot"
    if (demo / "manifest.json").is_file():
        print(f"template snapshot: {demo} (from make demo)")
        return demo
    from awsassess.collect import collect_account
    from awsassess.demo import Estate
    from awsassess.demo.estate import ACCOUNTS, AUDIT_EXTERNAL_ID, AUDIT_ROLE_NAME
    from awsassess.params import AccountParams

    spec = next(a for a in ACCOUNTS if a.environment == "production")
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1")
    t = time.perf_counter()
    with Estate.start("fintech") as estate:
        params = AccountParams(name=spec.name, account_id=spec.account_id, environment=spec.environment,
                               regions=[spec.region], auth={
                                   "role_arn": f"arn:aws:iam::{spec.account_id}:role/{AUDIT_ROLE_NAME}",
                                   "external_id": AUDIT_EXTERNAL_ID, "endpoint_url": estate.endpoint_url})
        snap = collect_account(params, work / "template")
    print(f"template snapshot: collected {spec.name} from the simulated estate in {time.perf_counter() - t:.1f} s")
    return Path(snap.path)


def accounts(n: int):  # noqa: ANN201
    from awsassess.params import AccountParams

    return [AccountParams(name=f"sim-{i:03d}", account_id=f"{100000000000 + i:012d}", environment="production",
                          regions=["us-east-1"], report={"client": "Simulated Ltd", "prepared_by": "benchmark"})
            for i in range(n)]


def ts(value: str) -> float:
    return datetime.fromisoformat(value).timestamp()


def run_once(mode: str, n: int, jobs: int, work: Path, notebooks: Path) -> dict[str, float]:
    from awsassess.batch import StepFunctions, run_batch

    if mode == "snapshot":
        steps = StepFunctions(collect=replay_collect)
    else:
        steps = StepFunctions(collect=fixture_collect, analyze=fixture_analyze, report=fixture_report,
                              portfolio=fixture_portfolio)
    out = work / f"{mode}-{n}-j{jobs}"
    t = time.perf_counter()
    result = run_batch(accounts(n), out, jobs=jobs, notebooks_dir=notebooks, steps=steps, progress=False)
    wall = time.perf_counter() - t
    run = result.run
    latencies = []
    for acct in run["accounts"]:
        starts = [ts(s["started"]) for s in acct["steps"] if s.get("started")]
        ends = [ts(s["ended"]) for s in acct["steps"] if s.get("ended")]
        if starts and ends:
            latencies.append(max(ends) - min(starts))
    busy = sum(s.get("duration_s") or 0 for a in run["accounts"] for s in a["steps"])
    if result.exit_code != 0:
        print(f"  WARNING: exit {result.exit_code}; failed: {result.failed[:5]}")
    shutil.rmtree(out, ignore_errors=True)
    return {"wall": wall, "per_account": wall / n, "latency": sum(latencies) / max(len(latencies), 1),
            "busy": busy, "exit": result.exit_code}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--mode", choices=["snapshot", "fixture"], default=None)
    ap.add_argument("--sizes", type=int, nargs="+", default=[2, 8, 32])
    ap.add_argument("--serial-sizes", type=int, nargs="*", default=[2, 8], help="sizes also run with --jobs 1")
    ap.add_argument("--jobs", type=int, default=None, help="default: the number of cores")
    ap.add_argument("--notebooks", type=Path, default=None)
    ap.add_argument("--snapshot", type=Path, default=None, help="template snapshot for --mode snapshot")
    args = ap.parse_args()

    jobs = args.jobs or len(os.sched_getaffinity(0))
    mode = args.mode or ("snapshot" if real_steps_import() else "fixture")
    work = Path(tempfile.mkdtemp(prefix="awsassess-bench-batch-"))
    if mode == "snapshot":
        os.environ[TEMPLATE_ENV] = str(template_snapshot(work, args.snapshot))
        notebooks = args.notebooks or ROOT / "notebooks"
    else:
        notebooks = args.notebooks or work / "notebooks"
        if args.notebooks is None:
            notebooks.mkdir()
            for name in ("01_ok", "02_ok"):
                shutil.copy(FIXTURE_NOTEBOOKS / f"{name}.ipynb", notebooks / f"{name}.ipynb")
    n_nb = len(list(notebooks.glob("[0-9][0-9]_*.ipynb")))
    print(f"mode: {mode}; {n_nb} notebooks from {notebooks}; {os.cpu_count()} cores; jobs {jobs}; "
          f"load average at start {os.getloadavg()[0]:.1f}")
    print(f"{'accounts':>8} {'jobs':>4} {'wall s':>8} {'s/account':>9} {'latency s':>9} {'step s':>8} "
          f"{'speed-up':>8} {'load':>5}")
    results: dict[tuple[int, int], dict[str, float]] = {}
    for n in sorted(set(args.sizes) | set(args.serial_sizes)):
        runs = [jobs] if n not in args.serial_sizes or jobs == 1 else [1, jobs]
        if n not in args.sizes:
            runs = [1, jobs] if jobs != 1 else [1]
        for j in runs:
            r = run_once(mode, n, j, work, notebooks)
            results[(n, j)] = r
            speed = ""
            if j != 1 and (n, 1) in results:
                speed = f"{results[(n, 1)]['wall'] / r['wall']:.2f}x"
            print(f"{n:>8} {j:>4} {r['wall']:>8.1f} {r['per_account']:>9.2f} {r['latency']:>9.1f} {r['busy']:>8.1f} "
                  f"{speed:>8} {os.getloadavg()[0]:>5.1f}", flush=True)
    if (32, jobs) in results and (8, jobs) in results:
        ratio = results[(32, jobs)]["wall"] / results[(8, jobs)]["wall"]
        print(f"32 accounts / 8 accounts wall time: {ratio:.2f}x (target <= 4.5x; 4.0x is linear)")
    shutil.rmtree(work, ignore_errors=True)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
