"""Exit-kit generation and offline checks on large proposals: 30, 300 and 1,000 services.

Usage: .venv/bin/python benchmarks/iac.py [--sizes 30 300 1000] [--no-checks]

Builds a proposal of N services on one ECS-on-EC2 cluster behind shared load balancers (split at 100
rules each, as the model splits them), with a database, a cache and a table per 50 services, and a
snapshot holding each service's target group (port, health check) and task definition. Prints per size:
the time to build the kit in memory (Terraform and workflows), to write it, and to run the offline checks
(parse, schema, references, terraform fmt, pinned actions, workflow schema, zizmor), the number of files
and lines, and whether every check passed. Target: 1,000 services generated and parsed in under 30 s.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != Path(__file__).resolve().parent]

from awsassess.iac import build_kit, write_kit  # noqa: E402
from awsassess.iac.check import check_fmt, check_references, check_schema, parse_dir  # noqa: E402
from awsassess.model.architecture import (  # noqa: E402
    CapacityProvider,
    ProposedArchitecture,
    ProposedCluster,
    ProposedDatastore,
    ProposedLoadBalancer,
    ProposedNat,
    ProposedPipelines,
    ProposedService,
    ProposedSubnet,
    ProposedVpc,
    ProposedWorkflow,
    ScalingPolicy,
)
from awsassess.snapshot import Snapshot, empty_frame  # noqa: E402

REGION, ACCOUNT = "eu-west-1", "123456789012"


def estate(n: int) -> tuple[ProposedArchitecture, Snapshot]:
    names = [f"svc-{i:04d}" for i in range(n)]
    azs = [f"{REGION}a", f"{REGION}b"]
    vpc = ProposedVpc("bench-vpc", REGION, "10.200.0.0/16", azs,
                      [ProposedSubnet(f"s{i}", az, f"10.200.{i}.0/24", i < 2) for i, az in enumerate(azs * 2)],
                      [ProposedNat(f"nat-{az[-1]}", az) for az in azs], ["s3", "dynamodb"], [], ["vpc-old"])
    lbs = []
    for k in range(0, n, 100):
        chunk = names[k:k + 100]
        lbs.append(ProposedLoadBalancer(f"bench-public-{k // 100 + 1}", REGION, "internet-facing", vpc.name, azs,
                                        chunk, len(chunk), len(chunk), [f"arn:lb-{k}"]))
    services = [ProposedService(s, "bench", REGION, 2, 1024, 2048, 512, 1024, "EC2", "arm64",
                                lbs[i // 100].name, True, ScalingPolicy(2, 6, "ECSServiceAverageCPUUtilization", 60),
                                "p95 CPU 20% of 1024 units", 30.0, replaces=[f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/old/{s}"])
                for i, s in enumerate(names)]
    cluster = ProposedCluster("bench", REGION, vpc.name, "EC2", "arm64", "m7g.xlarge", max(2, n // 8), 2,
                              max(4, n // 4), azs, CapacityProvider("ec2", 90), services)
    stores = []
    for j in range(max(1, n // 50)):
        stores += [ProposedDatastore("rds", f"db-{j}", REGION, "postgres", "postgres", "db.m5.large", "db.m6g.large",
                                     1, 1, True, True, "gp3", "gp2", reason="Graviton", replaces=[f"db-{j}"]),
                   ProposedDatastore("elasticache", f"cache-{j}", REGION, "valkey", "redis", "cache.m6g.large",
                                     "cache.m6g.large", 2, 2, True, True, reason="Valkey", replaces=[f"cache-{j}"]),
                   ProposedDatastore("dynamodb", f"table-{j}", REGION, "dynamodb", "dynamodb", "", "", 0, 0, False,
                                     False, mode="PAY_PER_REQUEST", current_mode="PAY_PER_REQUEST",
                                     replaces=[f"table-{j}"])]
    pipes = ProposedPipelines("GitHub Actions", "team", "linux_2core", 3000, 0, 0,
                              [ProposedWorkflow(f"{s}-workflow", s, f"{s}-pipeline", 30, 9, 4) for s in names])
    arch = ProposedArchitecture(ACCOUNT, "bench", "production", [REGION], [vpc], lbs, [cluster], stores, [], pipes)
    base = {"account_id": ACCOUNT, "region": REGION}
    tables = {
        "ecs_services": empty_frame("ecs_services", [
            {**base, "service_arn": s.replaces[0], "service_name": s.name, "cluster": "old",
             "task_definition": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{s.name}:1",
             "target_group_arns": json.dumps([f"arn:tg/{s.name}"])} for s in services]),
        "target_groups": empty_frame("target_groups", [
            {**base, "arn": f"arn:tg/{s}", "name": f"{s}-tg", "port": 8080, "health_check_path": "/health"}
            for s in names]),
        "task_definitions": empty_frame("task_definitions", [
            {**base, "task_definition_arn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/{s}:1", "family": s,
             "revision": 1, "containers": json.dumps([{"name": "app", "image": f"repo/{s}:1"}])} for s in names]),
        "db_instances": empty_frame("db_instances", [
            {**base, "db_instance_id": f"db-{j}", "engine": "postgres", "instance_class": "db.m5.large",
             "allocated_gb": 100} for j in range(max(1, n // 50))]),
        "replication_groups": empty_frame("replication_groups", [
            {**base, "id": f"cache-{j}", "engine": "redis", "node_type": "cache.m6g.large", "nodes": 2,
             "description": "bench"} for j in range(max(1, n // 50))]),
        "dynamodb_tables": empty_frame("dynamodb_tables", [
            {**base, "table_name": f"table-{j}", "billing_mode": "PAY_PER_REQUEST",
             "key_schema": json.dumps({"hash_key": "pk", "range_key": "", "attributes": {"pk": "S"}})}
            for j in range(max(1, n // 50))]),
    }
    snap = Snapshot(manifest={"account_id": ACCOUNT, "name": "bench", "environment": "production",
                              "regions": [REGION]}, tables=tables)
    return arch, snap


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[30, 300, 1000])
    ap.add_argument("--no-checks", action="store_true")
    args = ap.parse_args()
    print(f"{'services':>8} {'build s':>8} {'write s':>8} {'parse+schema+refs s':>20} {'fmt s':>6} "
          f"{'all checks s':>12} {'files':>6} {'lines':>7}  result")
    for n in args.sizes:
        arch, snap = estate(n)
        t0 = time.perf_counter()
        kit = build_kit(arch, snap, [], production=True)
        t1 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "iac"
            write_kit(kit, out, run_checks=False)
            t2 = time.perf_counter()
            parsed, errors = parse_dir(out / "terraform")
            ok = not errors and check_schema(parsed).ok and check_references(parsed).ok
            t3 = time.perf_counter()
            fmt = check_fmt(out / "terraform")
            t4 = time.perf_counter()
            result = "parse/schema/refs ok" if ok else "parse/schema/refs FAILED"
            result += f", fmt {fmt.status}"
            t_all = float("nan")
            if not args.no_checks:
                kit = write_kit(kit, out, run_checks=True, arch=arch, waves=[])
                t_all = time.perf_counter() - t4
                bad = [c["check"] for c in kit.checks if c["status"] == "failed"]
                result += f", all checks {'ok' if not bad else 'FAILED: ' + ', '.join(bad)}"
            lines = sum(text.count("\n") for text in kit.files.values())
        print(f"{n:>8} {t1 - t0:>8.2f} {t2 - t1:>8.2f} {t3 - t2:>20.2f} {t4 - t3:>6.2f} {t_all:>12.2f} "
              f"{len(kit.files):>6} {lines:>7}  {result}")


if __name__ == "__main__":
    main()
