"""Wall time of each phase of `awsassess demo` (both simulated accounts, collection to PDF).

Usage: .venv/bin/python benchmarks/demo.py [--jobs N]
Prints: set-up re-run time (idempotent bootstrap), estate start/seed, per account and step durations
from run.json, and the total. Target (issue 7): the whole demo under 60 s on a 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()

    t = time.perf_counter()
    subprocess.run(["bash", "scripts/bootstrap.sh"], cwd=ROOT, check=True, capture_output=True)
    print(f"set-up (second run, nothing to install): {time.perf_counter() - t:6.2f} s")

    out = Path(tempfile.mkdtemp(prefix="awsassess-demo-bench-")) / "demo"
    cmd = [sys.executable, "-m", "awsassess.cli", "demo", "--out", str(out)]
    if args.jobs:
        cmd += ["--jobs", str(args.jobs)]
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    total = time.perf_counter() - t
    if proc.returncode != 0:
        print(proc.stdout[-2000:], proc.stderr[-4000:])
    demo = json.loads((out / "demo.json").read_text())
    print(f"estate servers answering (both accounts): {demo['estate_serving_s']:6.2f} s")
    for name, estate in demo.get("estates", {}).items():
        print(f"  {name}: server start + seed {estate.get('seeded_s', 0):6.2f} s (in parallel with the batch start)")
        for key, value in sorted(estate.get("timings", {}).items()):
            print(f"    {key:<35} {value:6.2f} s")
    run = json.loads((out / "run.json").read_text())
    for acct in run["accounts"]:
        print(f"account {acct['name']} ({acct['status']})")
        for step in acct["steps"]:
            print(f"    {step['step']:<35} {step.get('duration_s') or 0:6.2f} s  {step['status']}")
    for step in run.get("steps", []):
        print(f"{step['step']:<40} {step.get('duration_s') or 0:6.2f} s  {step['status']}")
    print(f"TOTAL awsassess demo (exit {proc.returncode}):   {total:6.2f} s   (target < 60 s)")
    print(f"outputs: {out}")


if __name__ == "__main__":
    main()
