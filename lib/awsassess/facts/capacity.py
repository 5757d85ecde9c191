"""ECS clusters on EC2: their container instances, what the tasks reserve of them, and how they scale.

Read by the container-instance rules (CMP-011 over-provisioned capacity, CMP-012 capacity provider
scaling, CMP-013 Graviton) and open to the views: one definition of "reserved", of "on EC2" and of the
Graviton type an x86 instance moves to.

- **Reserved** capacity is what ECS has set aside for the tasks placed on an instance: registered minus
  remaining CPU units / MiB (``container_instances``), summed over the cluster's ACTIVE instances (DRAINING
  ones are leaving; INACTIVE ones are gone). That is a reading at collection time; when the collector read
  AWS/ECS ``CPUReservation`` / ``MemoryReservation`` for the cluster (:mod:`awsassess.collect.metrics`), the
  p95 of its hourly ``utilisation_statistic`` over ``metrics_lookback_days`` is kept too
  (:attr:`ClusterCapacity.reservation`), judged only with ``min_datapoints``.
- **On EC2**: a service whose launch type is EC2 or whose capacity provider strategy names a provider other
  than FARGATE / FARGATE_SPOT (:func:`runs_on_ec2`; :func:`awsassess.facts.sizing.is_fargate` is the other side).
- **Graviton type** (:func:`graviton_type`): the arm64 family of the same letter and size with the lowest price
  per hour (Graviton2, :data:`GRAVITON_EC2_FAMILY`); families without one (GPU, FPGA, HPC, Mac, high-frequency z, dense storage
  d/h) have none and are never reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from awsassess import metrics_stats as ms
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.snapshot import Snapshot
from awsassess.values import json_list, num, text, truthy

__all__ = ["GRAVITON_EC2_FAMILY", "GRAVITON_SIZES", "ClusterCapacity", "ContainerInstance", "ProviderScaling",
           "Reservation", "cluster_capacities", "graviton_type", "is_graviton_type", "parse_instance_type",
           "runs_on_ec2"]

_TYPE = re.compile(r"^(?P<family>[a-z]+)(?P<gen>\d+)(?P<attrs>[a-z-]*)\.(?P<size>[a-z0-9]+)$")

# x86 family letter -> the Graviton family it moves to: Graviton2 of the same letter, the lowest price per hour of
# the same size (us-east-1 list: m6g.xlarge $0.154 vs m5/m6i.xlarge $0.192, m7g.xlarge $0.1632), as the data stores'
# Graviton target (awsassess.facts.datastore_class) is
GRAVITON_EC2_FAMILY: dict[str, str] = {"m": "m6g", "c": "c6g", "r": "r6g", "t": "t4g", "x": "x2gd", "i": "i4g"}
# sizes the Graviton families above are offered in (t4g: nano..2xlarge; the others medium..16xlarge)
GRAVITON_SIZES: dict[str, tuple[str, ...]] = {
    "t4g": ("nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"),
    "x2gd": ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"),
    "i4g": ("large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "16xlarge"),
}
_DEFAULT_SIZES = ("medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge")
FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")


def parse_instance_type(instance_type: str) -> dict[str, str] | None:
    """``m5d.xlarge`` -> family ``m``, gen ``5``, attrs ``d``, size ``xlarge`` (None when not recognised)."""
    m = _TYPE.match(text(instance_type).strip().lower())
    return m.groupdict() if m else None


def is_graviton_type(instance_type: str) -> bool:
    """An arm64 type: a ``g`` among the attributes (m6g, c7gn, r6gd, t4g, im4gn) or the first Graviton (a1)."""
    p = parse_instance_type(instance_type)
    return bool(p and ("g" in p["attrs"] or p["family"] == "a"))


def graviton_type(instance_type: str) -> str | None:
    """The Graviton type of the same letter and size (``m5.xlarge`` -> ``m6g.xlarge``, ``c5n.large`` ->
    ``c6gn.large``, ``r5d.2xlarge`` -> ``r6gd.2xlarge``); None for an arm64 type, a family without a Graviton
    counterpart, or a size the Graviton family does not offer (``m5.24xlarge``)."""
    p = parse_instance_type(instance_type)
    if p is None or is_graviton_type(instance_type) or p["family"] not in GRAVITON_EC2_FAMILY:
        return None
    family = GRAVITON_EC2_FAMILY[p["family"]]
    if p["family"] == "c" and "n" in p["attrs"]:
        family = "c6gn"  # network-optimised
    elif p["family"] in ("m", "c", "r") and "d" in p["attrs"]:
        family += "d"  # local NVMe
    if p["size"] not in GRAVITON_SIZES.get(family, _DEFAULT_SIZES):
        return None
    return f"{family}.{p['size']}"


def runs_on_ec2(launch_type: object, capacity_providers: object) -> bool:
    """A service places (some of) its tasks on EC2 container instances: launch type EC2, or a capacity provider
    strategy naming a provider other than FARGATE / FARGATE_SPOT (an Auto Scaling group provider)."""
    if text(launch_type).upper() == "EC2":
        return True
    if text(launch_type):
        return False
    return any(isinstance(p, str) and p and p.upper() not in FARGATE_PROVIDERS for p in json_list(capacity_providers))


@dataclass(frozen=True)
class ContainerInstance:
    """One ACTIVE container instance: what it registered with ECS and what the tasks on it reserve."""

    arn: str
    ec2_instance_id: str
    instance_type: str
    architecture: str  # x86_64 | arm64 (ec2_instances, else from the type)
    registered_cpu: int  # CPU units (1024 = 1 vCPU)
    registered_memory: int  # MiB
    remaining_cpu: int
    remaining_memory: int
    running_tasks: int

    @property
    def reserved_cpu(self) -> int:
        return max(self.registered_cpu - self.remaining_cpu, 0)

    @property
    def reserved_memory(self) -> int:
        return max(self.registered_memory - self.remaining_memory, 0)


@dataclass(frozen=True)
class ProviderScaling:
    """An Auto Scaling group capacity provider attached to the cluster."""

    name: str
    asg_arn: str
    managed_scaling: bool
    target_capacity: int | None  # %; None when managed scaling is off or the value was not read

    @property
    def asg_name(self) -> str:
        return self.asg_arn.split("autoScalingGroupName/", 1)[-1] if self.asg_arn else ""


@dataclass(frozen=True)
class Reservation:
    """p95 of the cluster's hourly CPUReservation / MemoryReservation (%); None: fewer than min_datapoints."""

    cpu_p95: float | None
    memory_p95: float | None
    cpu_datapoints: int
    memory_datapoints: int

    @property
    def measured(self) -> bool:
        return self.cpu_p95 is not None and self.memory_p95 is not None


@dataclass(frozen=True)
class ClusterCapacity:
    """One ECS cluster with EC2 capacity: its ACTIVE container instances, capacity providers and EC2 services."""

    cluster: str
    cluster_arn: str
    region: str
    instances: tuple[ContainerInstance, ...]  # ACTIVE, sorted by EC2 instance id
    other_instances: int  # DRAINING / INACTIVE / other status: not counted
    providers: tuple[ProviderScaling, ...]  # Auto Scaling group providers (FARGATE* left out)
    fargate_providers: tuple[str, ...]
    services: tuple[str, ...]  # names of the running services that place tasks on EC2
    reservation: Reservation

    @property
    def registered_cpu(self) -> int:
        return sum(i.registered_cpu for i in self.instances)

    @property
    def registered_memory(self) -> int:
        return sum(i.registered_memory for i in self.instances)

    @property
    def reserved_cpu(self) -> int:
        return sum(i.reserved_cpu for i in self.instances)

    @property
    def reserved_memory(self) -> int:
        return sum(i.reserved_memory for i in self.instances)

    @property
    def cpu_reserved_pct(self) -> float | None:
        """Reserved share of the registered CPU at collection time (None without registered CPU)."""
        return 100.0 * self.reserved_cpu / self.registered_cpu if self.registered_cpu > 0 else None

    @property
    def memory_reserved_pct(self) -> float | None:
        return 100.0 * self.reserved_memory / self.registered_memory if self.registered_memory > 0 else None

    @property
    def running_tasks(self) -> int:
        return sum(i.running_tasks for i in self.instances)

    @property
    def instance_types(self) -> dict[str, int]:
        """Instance type -> ACTIVE instances of it."""
        return dict(sorted(Counter(i.instance_type or "unknown" for i in self.instances).items()))

    @property
    def ec2_instance_ids(self) -> list[str]:
        return [i.ec2_instance_id for i in self.instances if i.ec2_instance_id]


def _reservation(snapshot: Snapshot, a: SharedAssumptions) -> dict[tuple[str, str], Reservation]:
    """(region, cluster name) -> the p95 of its hourly reservation metrics (clusters without them are absent)."""
    out: dict[tuple[str, str], dict[str, tuple[float | None, int]]] = {}
    for metric in ("CPUReservation", "MemoryReservation"):
        st = ms.stats(snapshot, "AWS/ECS", metric, a.utilisation_statistic, lookback_days=a.metrics_lookback_days,
                      by=("region", "ClusterName"))
        for (region, cluster), row in st.to_dict("index").items():
            count = int(num(row.get("count"), 0) or 0)
            p95 = num(row.get("p95"))
            out.setdefault((text(region), text(cluster)), {})[metric] = (
                p95 if count >= a.min_datapoints else None, count)
    res = {}
    for key, m in out.items():
        cpu, cpu_n = m.get("CPUReservation", (None, 0))
        mem, mem_n = m.get("MemoryReservation", (None, 0))
        res[key] = Reservation(cpu, mem, cpu_n, mem_n)
    return res


def cluster_capacities(snapshot: Snapshot, a: SharedAssumptions) -> dict[tuple[str, str], ClusterCapacity]:
    """(region, cluster name) -> :class:`ClusterCapacity` for every cluster with a container instance or an Auto
    Scaling group capacity provider (Fargate-only clusters are not here)."""
    ci = snapshot.table("container_instances")
    cps = snapshot.table("capacity_providers")
    keys: set[tuple[str, str]] = {(text(r.region), text(r.cluster)) for r in ci.itertuples()}
    keys |= {(text(r.region), text(r.cluster)) for r in cps.itertuples()
             if text(r.type).upper() not in FARGATE_PROVIDERS and text(r.name).upper() not in FARGATE_PROVIDERS}
    keys = {k for k in keys if k[1]}
    if not keys:
        return {}
    ec2 = {text(r.instance_id): r for r in snapshot.table("ec2_instances").itertuples()}
    arns = {(text(r.region), text(r.cluster_name)): text(r.cluster_arn)
            for r in snapshot.table("ecs_clusters").itertuples()}
    services: dict[tuple[str, str], list[str]] = {}
    for r in snapshot.table("ecs_services").itertuples():
        running = max(num(r.desired_count, 0) or 0, num(r.running_count, 0) or 0)
        if running > 0 and runs_on_ec2(r.launch_type, r.capacity_providers):
            services.setdefault((text(r.region), text(r.cluster)), []).append(text(r.service_name))
    reservations = _reservation(snapshot, a)
    out: dict[tuple[str, str], ClusterCapacity] = {}
    for region, cluster in sorted(keys):
        mine = ci[(ci["region"].map(text) == region) & (ci["cluster"].map(text) == cluster)] if len(ci) else ci
        active, other = [], 0
        for r in mine.itertuples():
            if text(r.status).upper() != "ACTIVE":
                other += 1
                continue
            iid = text(r.ec2_instance_id)
            row = ec2.get(iid)
            itype = text(r.instance_type) or (text(row.instance_type) if row is not None else "")
            arch = text(row.architecture).lower() if row is not None else ""
            if arch not in ("x86_64", "arm64"):
                arch = "arm64" if is_graviton_type(itype) else "x86_64"
            active.append(ContainerInstance(
                text(r.container_instance_arn), iid, itype, arch,
                int(num(r.registered_cpu, 0) or 0), int(num(r.registered_memory, 0) or 0),
                int(num(r.remaining_cpu, 0) or 0), int(num(r.remaining_memory, 0) or 0),
                int(num(r.running_tasks, 0) or 0)))
        mine_cps = cps[(cps["region"].map(text) == region) & (cps["cluster"].map(text) == cluster)] if len(cps) else cps
        providers, fargate = [], []
        for r in mine_cps.itertuples():
            name = text(r.name)
            if name.upper() in FARGATE_PROVIDERS or text(r.type).upper() in FARGATE_PROVIDERS:
                fargate.append(name)
                continue
            target = num(r.target_capacity)
            managed = truthy(r.managed_scaling)
            providers.append(ProviderScaling(name, text(r.asg_arn), managed,
                                             int(target) if managed and target is not None else None))
        out[(region, cluster)] = ClusterCapacity(
            cluster, arns.get((region, cluster), ""), region,
            tuple(sorted(active, key=lambda i: (i.ec2_instance_id, i.arn))), other,
            tuple(sorted(providers, key=lambda p: p.name)), tuple(sorted(fargate)),
            tuple(sorted(services.get((region, cluster), []))),
            reservations.get((region, cluster), Reservation(None, None, 0, 0)))
    return out
