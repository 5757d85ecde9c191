"""Tiny hand-built snapshots for rule tests.

    b = SnapshotBuilder(environment="staging")
    b.add("vpcs", vpc_id="vpc-1", name="api")
    b.metric("AWS/ECS", "CPUUtilization", "api", [10] * 48, dims={"ClusterName": "c", "ServiceName": "api"})
    snap = b.build()

Rows are validated against the documented columns (``awsassess.tables``); list and dict values are
stored as JSON strings, as the collectors store them. ``build()`` types every table (``awsassess.snapshot``):
a cell that cannot be converted to its column's dtype raises ``SnapshotTypeError`` there. Metric datapoints
are hourly and end at the snapshot's ``collected_at``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from awsassess.snapshot import SCHEMA_VERSION, Snapshot, empty_frame
from awsassess.tables import TABLES, dumps

COLLECTED_AT = datetime(2026, 11, 20, tzinfo=UTC)


class SnapshotBuilder:
    def __init__(self, account_id: str = "123456789012", environment: str = "production",
                 region: str = "us-east-1", *, name: str = "test-account", regions: list[str] | None = None,
                 collected_at: datetime = COLLECTED_AT) -> None:
        self.account_id = account_id
        self.environment = environment
        self.region = region
        self.name = name
        self.regions = regions or [region]
        self.collected_at = collected_at
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    # ------------------------------------------------------------------ rows
    def add(self, table: str, **row: Any) -> dict[str, Any]:
        if table not in TABLES:
            raise KeyError(f"unknown table {table}")
        row.setdefault("account_id", self.account_id)
        row.setdefault("region", "global" if TABLES[table].domain == "cdn" else self.region)
        row = {k: dumps(v) if isinstance(v, list | dict | tuple) else v for k, v in row.items()}
        self.rows[table].append(row)
        return row

    def metric(self, namespace: str, metric: str, resource_id: str, values: Iterable[float] | Callable[[int], float],
               *, stat: str = "Average", dims: dict[str, str] | None = None, period_s: int = 3600,
               hours: int | None = None, end: datetime | None = None) -> SnapshotBuilder:
        """Datapoints ending at ``end`` (default: collected_at), oldest first, one per ``period_s``."""
        vals = [values(i) for i in range(hours or 0)] if callable(values) else list(values)
        end = end or self.collected_at
        n = len(vals)
        for i, v in enumerate(vals):
            ts = end - timedelta(seconds=period_s * (n - i))
            self.rows["metrics"].append({
                "account_id": self.account_id, "region": self.region, "namespace": namespace, "metric": metric,
                "dimensions": dumps(dims or {}), "resource_id": resource_id, "stat": stat, "period_s": period_s,
                "timestamp": ts, "value": float(v)})
        return self

    def at(self, **ago: float) -> datetime:
        """A time before collected_at, e.g. ``b.at(days=2, hours=3)``."""
        return self.collected_at - timedelta(**ago)

    # ------------------------------------------------------------ shortcuts
    def vpc(self, vpc_id: str, name: str = "", **kw: Any) -> None:
        self.add("vpcs", vpc_id=vpc_id, name=name or vpc_id, cidr=kw.pop("cidr", "10.0.0.0/16"),
                 is_default=kw.pop("is_default", False), state="available", **kw)

    def subnet(self, subnet_id: str, vpc_id: str, az: str = "us-east-1a", public: bool = False) -> None:
        self.add("subnets", subnet_id=subnet_id, vpc_id=vpc_id, az=az, public=public)

    def fargate_service(self, name: str, *, cluster: str = "main", cpu: int = 1024, memory: int = 2048,
                        desired: int = 2, **kw: Any) -> str:
        arn = f"arn:aws:ecs:{self.region}:{self.account_id}:service/{cluster}/{name}"
        td = kw.pop("task_definition", f"arn:aws:ecs:{self.region}:{self.account_id}:task-definition/{name}:1")
        defaults = dict(launch_type="FARGATE", capacity_providers=[], desired_count=desired, running_count=desired,
                        cpu=cpu, memory=memory, cpu_architecture="X86_64", deployment_controller="ECS",
                        min_healthy_percent=100, max_percent=200, circuit_breaker=True,
                        circuit_breaker_rollback=True, health_check_grace_s=30, target_group_arns=[], subnets=[])
        defaults.update(kw)
        self.add("ecs_services", service_arn=arn, service_name=name, cluster=cluster, task_definition=td, **defaults)
        return arn

    def ecs_utilisation(self, service: str, cpu_pct: float | Iterable[float], mem_pct: float | Iterable[float], *,
                        cluster: str = "main", hours: int = 14 * 24, stat: str = "Average") -> None:
        dims = {"ClusterName": cluster, "ServiceName": service}
        cpu = [cpu_pct] * hours if isinstance(cpu_pct, int | float) else list(cpu_pct)
        mem = [mem_pct] * hours if isinstance(mem_pct, int | float) else list(mem_pct)
        self.metric("AWS/ECS", "CPUUtilization", service, cpu, stat=stat, dims=dims)
        self.metric("AWS/ECS", "MemoryUtilization", service, mem, stat=stat, dims=dims)

    # ----------------------------------------------------------------- build
    def build(self) -> Snapshot:
        tables = {name: empty_frame(name, rows) for name, rows in self.rows.items()}
        manifest = {"schema_version": SCHEMA_VERSION, "account_id": self.account_id, "name": self.name,
                    "environment": self.environment, "regions": self.regions,
                    "collected_at": self.collected_at.isoformat()}
        return Snapshot(manifest=manifest, tables=tables)
