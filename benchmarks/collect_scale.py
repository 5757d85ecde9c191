"""Collection speed on a large simulated account, with 50 ms added to every request.

    .venv/bin/python benchmarks/collect_scale.py                 # the full size (3 regions)
    .venv/bin/python benchmarks/collect_scale.py --small         # a quick smoke run

Starts a ``scale`` estate (per region: VPCs, subnets, ECS services, load balancers, databases,
stacks), sets the front door's latency, then runs a full ``collect_account`` (every registered
collector, the params' default ``processes``) at ``--concurrency`` and again at concurrency 1.
Prints, per run: requests made (as the estate's front door counted them), wall time, requests/s,
peak memory (RSS of this process above its level before the run), and the floor = requests x
latency / concurrency (what the run would take if only the added latency counted). Targets: >= 8x
faster than concurrency 1, within 1.5x of the floor.

The estate runs on this machine, and moto spends more CPU per request (about 7 ms here) than the
collector does: a real AWS endpoint spends none of the client machine's. So the first run (at
``--concurrency``, against moto itself: printed as "live") also records moto's answers, and the
timed runs are answered from that record by the front door (``replay``; same bytes, same 50 ms,
same operation count; printed hits/misses show every request was one moto answered before). Use
``--live`` to time every run against moto instead.

Also printed: how many requests were at the estate at once (mean, and per second of the run) and the
median time one spent there, from the front door's timeline: below ``--concurrency`` means the
collector had fewer requests on the wire than it may (its own CPU time, scheduling, or a tail).

Also printed: CPU seconds of the whole machine and of the estate server process during each run
(the collector's = machine - server, as its worker processes are not this process's children).
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

import psutil
from awsassess.collect import collect_account
from awsassess.demo import Estate
from awsassess.demo.seed_scale import SCALE_ACCOUNT
from awsassess.demo_run import use_simulated_credentials
from awsassess.params import AccountParams

FULL = {"regions": ["us-east-1", "eu-west-1", "us-west-2"], "vpcs": 40, "subnets": 600, "ecs_services": 300,
        "load_balancers": 150, "databases": 100, "stacks": 200}
SMALL = {"regions": ["us-east-1"], "vpcs": 10, "subnets": 100, "ecs_services": 60, "load_balancers": 20,
         "databases": 10, "stacks": 20}


class PeakRss:
    """Samples this process's RSS every 20 ms; ``peak_mb`` above the level at start."""

    def __init__(self) -> None:
        self._proc = psutil.Process(os.getpid())
        self._stop = threading.Event()
        self.base = self._proc.memory_info().rss
        self.peak = self.base
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return (self.peak - self.base) / 2**20


def _machine_cpu() -> float:
    """Busy CPU seconds of the whole machine (user + system, all cores)."""
    t = psutil.cpu_times()
    return t.user + t.system


def in_flight_profile(timeline: list[tuple[str, str, float, float]], step: float = 1.0) -> dict[str, Any]:
    """Requests at the estate at once, from its timeline: mean over the run, per ``step`` seconds, and the
    median time a request spent there (the added latency plus the estate's own work)."""
    if not timeline:
        return {"mean": 0.0, "per_step": [], "median_ms": 0.0}
    start, end = min(t[2] for t in timeline), max(t[3] for t in timeline)
    steps = [0.0] * (int((end - start) / step) + 1)
    for _, _, t_in, t_out in timeline:
        a = t_in
        while a < t_out:
            i = int((a - start) / step)
            b = min(t_out, start + (i + 1) * step)
            steps[i] += (b - a) / step
            a = b
    held = sorted(t[3] - t[2] for t in timeline)
    busy = sum(held)
    return {"mean": round(busy / (end - start), 1), "per_step": [round(x, 1) for x in steps],
            "median_ms": round(held[len(held) // 2] * 1000, 1)}


def run(estate: Estate, regions: list[str], concurrency: int, out: Path, latency_ms: float, label: str,
        processes: int | None = None) -> dict[str, Any]:
    collect: dict[str, Any] = {"concurrency": concurrency}
    if processes is not None:
        collect["processes"] = processes
    params = AccountParams(name=f"scale-c{concurrency}", account_id=SCALE_ACCOUNT, regions=regions,
                           auth={"role_arn": estate.role_arn(SCALE_ACCOUNT), "external_id": estate.external_id,
                                 "endpoint_url": estate.endpoint_url},
                           collect=collect)
    estate.reset_operations()
    server = psutil.Process(estate.pid)
    server_cpu0 = sum(server.cpu_times()[:2])
    units: list[tuple[float, str]] = []
    with PeakRss() as mem:
        t0, cpu0, replay0 = time.perf_counter(), _machine_cpu(), estate.replay_stats()
        snap = collect_account(params, out, progress=lambda a, d, t, m: units.append((time.perf_counter() - t0, m)))
        wall, cpu = time.perf_counter() - t0, _machine_cpu() - cpu0
    server_cpu = sum(server.cpu_times()[:2]) - server_cpu0
    requests = len(estate.operations())
    at_estate = in_flight_profile(estate.timeline())
    floor = requests * latency_ms / 1000 / concurrency
    rows = {n: len(df) for n, df in snap.tables.items()}
    problems = snap.manifest["coverage"]["problems"]
    replay1 = estate.replay_stats()
    return {"label": label, "concurrency": concurrency, "processes": snap.manifest.get("processes", "?"),
            "requests": requests, "wall_s": round(wall, 1),
            "replayed": replay1["hits"] - replay0["hits"], "not_replayed": replay1["misses"] - replay0["misses"],
            "requests_per_s": round(requests / wall, 1), "peak_mb": round(mem.peak_mb, 1),
            "floor_s": round(floor, 1), "vs_floor": round(wall / floor, 2) if floor else None,
            "machine_cpu_s": round(cpu, 1), "server_cpu_s": round(server_cpu, 1),
            "client_cpu_s": round(cpu - server_cpu, 1),
            "units": [(round(t, 1), m) for t, m in units[1:]], "write_s": round(wall - units[-1][0], 1),
            "rows": {k: rows.get(k, 0) for k in ("vpcs", "subnets", "ecs_services", "load_balancers",
                                                 "target_groups", "db_instances", "stacks", "stack_resources")},
            "problems": problems, "at_estate": at_estate}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="a small estate (1 region) for a quick run")
    ap.add_argument("--latency-ms", type=float, default=50.0)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--skip-serial", action="store_true", help="do not run the concurrency-1 comparison")
    ap.add_argument("--estate", type=str, default=None, help="scale estate JSON (overrides --small)")
    ap.add_argument("--live", action="store_true", help="time every run against moto (no replay)")
    ap.add_argument("--processes", type=int, default=None, help="collect.processes (default: the params default)")
    args = ap.parse_args()
    spec = json.loads(args.estate) if args.estate else (SMALL if args.small else FULL)

    print(f"estate: {json.dumps(spec)}")
    use_simulated_credentials()
    t0 = time.perf_counter()
    with Estate.start("scale:" + json.dumps(spec), timeout=1800) as estate, TemporaryDirectory() as tmp:
        print(f"estate ready in {time.perf_counter() - t0:.0f} s (seeding {estate.timings})")
        estate.set_latency(args.latency_ms)
        regions, tmpdir = spec["regions"], Path(tmp)
        results = []
        if not args.live:
            estate.set_replay(True)
            results.append(run(estate, regions, args.concurrency, tmpdir, args.latency_ms, "live, recording",
                               args.processes))
        mode = "live" if args.live else "replayed"
        results.append(run(estate, regions, args.concurrency, tmpdir, args.latency_ms, mode, args.processes))
        if not args.skip_serial:
            results.append(run(estate, regions, 1, tmpdir, args.latency_ms, mode, args.processes))
    print(f"\nlatency added per request: {args.latency_ms:.0f} ms; cpu cores: {os.cpu_count()}; "
          f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'run':>16} {'concurrency':>11} {'processes':>9} {'requests':>8} {'replayed':>8} {'wall s':>7} "
          f"{'req/s':>6} {'peak MB':>7} {'floor s':>7} {'wall/floor':>10} {'machine CPU s':>13} {'server CPU s':>12}")
    for r in results:
        print(f"{r['label']:>16} {r['concurrency']:>11} {r['processes']:>9} {r['requests']:>8} {r['replayed']:>8} "
              f"{r['wall_s']:>7} {r['requests_per_s']:>6} {r['peak_mb']:>7} {r['floor_s']:>7} {r['vs_floor']:>10} "
              f"{r['machine_cpu_s']:>13} {r['server_cpu_s']:>12}")
    timed = [r for r in results if r["label"] != "live, recording"]
    if len(timed) == 2:
        print(f"speed-up vs concurrency 1: {timed[1]['wall_s'] / timed[0]['wall_s']:.1f}x (target >= 8x); "
              f"wall/floor at concurrency {timed[0]['concurrency']}: {timed[0]['vs_floor']} (target <= 1.5)")
    print(f"rows: {results[0]['rows']}")
    for r in results:
        print(f"{r['label']} at concurrency {r['concurrency']}: units done at (s): {r['units']}; "
              f"tables + snapshot write after the last unit: {r['write_s']} s")
    for r in results:
        a = r["at_estate"]
        print(f"{r['label']} at concurrency {r['concurrency']}: requests at the estate at once, mean {a['mean']}, "
              f"per second {a['per_step']}; median time there {a['median_ms']} ms")
    for r in timed if not args.live else []:
        if r["not_replayed"]:
            print(f"NOTE ({r['label']}, concurrency {r['concurrency']}): {r['not_replayed']} requests were not in "
                  "the record and moto answered them (a CloudWatch window that moved into a new hour, say): "
                  "that run's time includes moto's work")
    for r in results:
        if r["problems"]:
            print(f"coverage problems ({r['label']}, concurrency {r['concurrency']}): {r['problems']}")
        if r["rows"] != results[0]["rows"]:
            print(f"ROWS DIFFER ({r['label']}, concurrency {r['concurrency']}): {r['rows']}")


if __name__ == "__main__":
    main()
