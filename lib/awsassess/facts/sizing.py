"""Per-service utilisation and the right size of every ECS service (one function, one pair of targets).

Finding CMP-001/CMP-002, the cost model's proposed services, the diagram and the compute views all
read :func:`service_sizes`, so a size recommended in a finding is the size the model prices and the
diagram draws. Utilisation is the p95 (and max) of the hourly ``utilisation_statistic`` of ECS
``CPUUtilization`` / ``MemoryUtilization`` over ``metrics_lookback_days`` (Container Insights when
collected, else AWS/ECS), from :func:`awsassess.facts.metrics.ecs_metric_stats`. A service with fewer
than ``min_datapoints`` datapoints of a resource is not judged on it: that size is kept. A service on EC2
whose task definition has no task-level size is sized by what its containers reserve
(:func:`container_reservation`); a service is called Fargate only by its launch type or a FARGATE* capacity
provider (:func:`is_fargate`), and only Fargate services get a Fargate size quoted by the rules.

Sizes are ordered by the us-east-1 Fargate vCPU/GB list prices (:mod:`awsassess.fargate`): the ratio
of the two is the same in every region that prices Fargate, so "cheapest size that fits" does not
depend on the account's region; the model prices the chosen size at the regional price.
"""

from __future__ import annotations

from dataclasses import dataclass

from awsassess import fargate
from awsassess.facts.assumptions import SharedAssumptions
from awsassess.facts.metrics import ecs_metric_stats, lookup_service
from awsassess.fargate import RightSize
from awsassess.snapshot import Snapshot
from awsassess.values import json_list, num, text


@dataclass(frozen=True)
class Utilisation:
    """Measured p95 / max of CPU and memory (percent of the task size); None: not enough datapoints."""

    cpu_p95: float | None
    memory_p95: float | None
    cpu_max: float | None
    memory_max: float | None
    cpu_datapoints: int
    memory_datapoints: int

    @property
    def measured(self) -> bool:
        """Both CPU and memory have enough datapoints to be judged."""
        return self.cpu_p95 is not None and self.memory_p95 is not None

    @property
    def datapoints(self) -> int:
        return min(self.cpu_datapoints, self.memory_datapoints)


@dataclass(frozen=True)
class ServiceSize:
    """One running ECS service: its task size, launch type, utilisation and right size."""

    cluster: str
    service: str
    arn: str
    region: str
    desired_count: int
    fargate: bool  # runs on Fargate (launch type or a FARGATE* capacity provider)
    architecture: str  # X86_64 | ARM64
    utilisation: Utilisation
    right: RightSize  # not fargate.RightSize: in the class body `fargate` is the field above

    @property
    def smaller(self) -> bool:
        """The right Fargate size is cheaper than the current one."""
        return (fargate.size_weight(self.right.fargate_cpu, self.right.fargate_memory)
                < fargate.size_weight(self.right.current_cpu, self.right.current_memory))

    @property
    def larger(self) -> bool:
        return (fargate.size_weight(self.right.fargate_cpu, self.right.fargate_memory)
                > fargate.size_weight(self.right.current_cpu, self.right.current_memory))


def is_fargate(launch_type: object, capacity_providers: object) -> bool:
    if text(launch_type).upper() == "FARGATE":
        return True
    return any(text(p).upper().startswith("FARGATE") for p in json_list(capacity_providers))


def container_reservation(containers: object) -> tuple[int, int]:
    """(CPU units, MiB) a task definition's containers reserve on an EC2 instance: the sum of their ``cpu``, and
    of their ``memory_reservation`` (soft limit) or else ``memory`` (hard limit). An EC2 task definition may
    have no task-level size; ECS then places and meters (CPUUtilization, MemoryUtilization) the task by these."""
    cpu = mem = 0
    for c in json_list(containers):
        if isinstance(c, dict):
            cpu += int(num(c.get("cpu"), 0) or 0)
            mem += int(num(c.get("memory_reservation"), 0) or num(c.get("memory"), 0) or 0)
    return cpu, mem


def _judged(stats: dict | None, min_datapoints: int, key: str) -> tuple[float | None, int]:
    if not stats:
        return None, 0
    count = int(num(stats.get("count"), 0) or 0)
    value = num(stats.get(key))
    return (value if count >= min_datapoints else None), count


def service_sizes(snapshot: Snapshot, a: SharedAssumptions) -> dict[tuple[str, str], ServiceSize]:
    """(cluster, service) -> :class:`ServiceSize` for every ECS service with a desired or running task."""
    cpu_stats = ecs_metric_stats(snapshot, "CPUUtilization", a.utilisation_statistic, a.metrics_lookback_days)
    mem_stats = ecs_metric_stats(snapshot, "MemoryUtilization", a.utilisation_statistic, a.metrics_lookback_days)
    out: dict[tuple[str, str], ServiceSize] = {}
    containers: dict[str, object] | None = None
    for r in snapshot.table("ecs_services").itertuples():
        desired = int(num(r.desired_count, 0) or 0)
        if desired <= 0 and (num(r.running_count, 0) or 0) <= 0:
            continue
        cluster, name = text(r.cluster), text(r.service_name)
        c = lookup_service(cpu_stats, cluster, name)
        m = lookup_service(mem_stats, cluster, name)
        cpu95, cpu_n = _judged(c, a.min_datapoints, "p95")
        mem95, mem_n = _judged(m, a.min_datapoints, "p95")
        cpu_max, _ = _judged(c, a.min_datapoints, "max")
        mem_max, _ = _judged(m, a.min_datapoints, "max")
        on_fargate = is_fargate(r.launch_type, r.capacity_providers)
        cpu, memory = int(num(r.cpu, 0) or 0), int(num(r.memory, 0) or 0)
        if not on_fargate and not (cpu and memory):  # EC2 without a task-level size: what the containers reserve
            if containers is None:
                containers = {text(t.task_definition_arn): t.containers
                              for t in snapshot.table("task_definitions").itertuples()}
            c_cpu, c_mem = container_reservation(containers.get(text(r.task_definition)))
            cpu, memory = cpu or c_cpu, memory or c_mem
        cpu, memory = cpu or 256, memory or 512
        right = fargate.rightsize(name, cpu, memory, cpu95, mem95, a.cpu_target_pct, a.memory_target_pct,
                                  a.starved_cpu_pct)
        out[(cluster, name)] = ServiceSize(
            cluster, name, text(r.service_arn), text(r.region), desired, on_fargate,
            text(r.cpu_architecture).upper() or "X86_64",
            Utilisation(cpu95, mem95, cpu_max, mem_max, cpu_n, mem_n), right)
    return out
