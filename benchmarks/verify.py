"""Speed of `awsassess verify` on two snapshots of a large generated estate (no servers, no assertions).

N services, each in its own peered VPC with a NAT gateway and an ALB, one database and one DynamoDB table
per service, 14 days of hourly metrics; the after snapshot is the same estate with the plan's first waves
applied (tests/verify/migrated.py). Both folders are analysed first (findings.json, model.json), as a
run leaves them; the time printed is verify alone (matching, waves, money, findings, inventory).

    .venv/bin/python benchmarks/verify.py [N ...]      # default: 300 1000
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "verify")]

from awsassess.assumptions import resolve  # noqa: E402
from awsassess.findings import write_findings  # noqa: E402
from awsassess.layout import AccountFolder  # noqa: E402
from awsassess.model import write_model  # noqa: E402
from awsassess.notebook import compute_analysis  # noqa: E402
from awsassess.snapshot import Snapshot  # noqa: E402
from awsassess.verify import verify_account  # noqa: E402
from migrated import migrate  # noqa: E402
from snapshots_factory import SnapshotBuilder  # noqa: E402


def estate(n: int) -> Snapshot:
    b = SnapshotBuilder(environment="production", name="large")
    for i in range(n):
        b.vpc(f"vpc-{i}")
        b.subnet(f"s-{i}", f"vpc-{i}")
        b.fargate_service(f"svc{i}", subnets=[f"s-{i}"], cpu=1024, memory=2048)
        b.ecs_utilisation(f"svc{i}", [10.0 + h % 7 for h in range(336)], 20.0)
        b.add("nat_gateways", nat_gateway_id=f"nat-{i}", vpc_id=f"vpc-{i}", az="us-east-1a", state="available")
        b.add("db_instances", db_instance_id=f"db-{i}", engine="postgres", engine_version="15.4",
              instance_class="db.m5.large", multi_az=False, storage_type="gp2", allocated_gb=50,
              publicly_accessible=False, status="available", cluster_id="")
        b.add("dynamodb_tables", table_name=f"table-{i}", billing_mode="PROVISIONED", rcu=100, wcu=50)
        if i:
            b.add("vpc_peerings", peering_id=f"pcx-{i}", requester_vpc_id="vpc-0", accepter_vpc_id=f"vpc-{i}",
                  status="active")
    return b.build()


def analysed(root: Path, snap: Snapshot) -> tuple[AccountFolder, object]:
    folder = AccountFolder(root / "large")
    snap.save(folder.snapshot)
    findings, model = compute_analysis(Snapshot.load(folder.snapshot), resolve(None))
    write_findings(findings, folder.path)
    write_model(model, folder.path)
    return folder, model


def main() -> None:
    for n in [int(a) for a in sys.argv[1:]] or [300, 1000]:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            snap = estate(n)
            before, model = analysed(Path(tmp) / "before", snap)
            after, _ = analysed(Path(tmp) / "after", migrate(snap, model, 3))  # type: ignore[arg-type]
            t1 = time.perf_counter()
            progress = verify_account(before, after)
            t2 = time.perf_counter()
            rows = sum(len(snap.table(t)) for t in snap.tables)
            print(f"{n:5d} services  {rows:8d} snapshot rows  build+analyse {t1 - t0:6.1f} s  verify {t2 - t1:5.2f} s  "
                  f"({len(progress.findings)} findings compared, {sum(w.status == 'done' for w in progress.waves)} "
                  f"of {len(progress.waves)} waves done)")


if __name__ == "__main__":
    main()
