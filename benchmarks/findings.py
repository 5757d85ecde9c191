"""Rule evaluation speed on a synthetic estate: N services, each in its own peered VPC with a NAT gateway,
14 days of hourly ECS/NAT metrics. Prints build and evaluate times (no assertions).

    .venv/bin/python benchmarks/findings.py [N ...]      # default: 50 150 300
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from awsassess.findings import evaluate  # noqa: E402
from snapshots_factory import SnapshotBuilder  # noqa: E402


def estate(n: int):
    b = SnapshotBuilder()
    for i in range(n):
        b.vpc(f"vpc-{i}")
        b.subnet(f"s-{i}", f"vpc-{i}")
        b.fargate_service(f"svc{i}", subnets=[f"s-{i}"], cpu=1024, memory=2048)
        b.ecs_utilisation(f"svc{i}", [10.0 + h % 7 for h in range(336)], 20.0)
        b.ecs_utilisation(f"svc{i}", [50.0 + h % 7 for h in range(336)], 25.0, stat="Maximum")
        b.add("nat_gateways", nat_gateway_id=f"nat-{i}", vpc_id=f"vpc-{i}", az="us-east-1a", state="available")
        b.metric("AWS/NATGateway", "BytesOutToDestination", f"nat-{i}", [1e8] * 336, stat="Sum",
                 dims={"NatGatewayId": f"nat-{i}"})
        if i:
            b.add("vpc_peerings", peering_id=f"pcx-{i}", requester_vpc_id="vpc-0", accepter_vpc_id=f"vpc-{i}",
                  status="active")
    return b.build()


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or [50, 150, 300]:
        t0 = time.perf_counter()
        snap = estate(n)
        t1 = time.perf_counter()
        found = evaluate(snap)
        t2 = time.perf_counter()
        print(f"{n:4d} services  {len(snap.tables['metrics']):7d} metric rows  build {t1 - t0:5.1f} s  "
              f"evaluate {t2 - t1:5.2f} s  {len(found)} findings")


if __name__ == "__main__":
    main()
