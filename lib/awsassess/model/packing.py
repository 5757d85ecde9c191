"""Bin packing ECS tasks onto EC2 container instances, and the EC2-vs-Fargate choice.

Each instance offers, at the utilisation target, ``vCPU x 1024 x target`` CPU units,
``(installed MiB x (1 - OS overhead) - ECS_RESERVED_MEMORY) x target`` MiB and, for awsvpc tasks,
as many tasks as it has task ENIs (``max ENIs - 1``, or the trunk branch interfaces with ENI
trunking). Tasks are placed first-fit-decreasing by their dominant share; the cluster then gets
``spare`` more instances (N+1) and at least one per AZ. The cheapest allowed instance type wins,
and it must beat right-sized Fargate for the same services, or Fargate is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from awsassess.pricing.specs import InstanceSpec


@dataclass(frozen=True)
class TaskReq:
    service: str
    cpu: int  # CPU units
    memory: int  # MiB
    awsvpc: bool = True


@dataclass(frozen=True)
class Capacity:
    instance_type: str
    cpu: float  # usable CPU units at the target
    memory: float  # usable MiB at the target
    max_tasks: int  # awsvpc tasks per instance (ENIs); a large number when not limited

    @classmethod
    def of(cls, spec: InstanceSpec, utilisation_target: float, os_overhead_pct: float, reserved_mib: int,
           trunking: bool) -> Capacity:
        memory = (spec.memory_gib * 1024 * (1 - os_overhead_pct / 100) - reserved_mib) * utilisation_target
        return cls(spec.instance_type, spec.vcpu * 1024 * utilisation_target, max(memory, 0.0),
                   spec.awsvpc_tasks(trunking))


@dataclass
class Bin:
    tasks: list[TaskReq] = field(default_factory=list)
    cpu: float = 0.0
    memory: float = 0.0
    awsvpc: int = 0

    def fits(self, t: TaskReq, cap: Capacity) -> bool:
        return (self.cpu + t.cpu <= cap.cpu + 1e-9 and self.memory + t.memory <= cap.memory + 1e-9
                and (not t.awsvpc or self.awsvpc + 1 <= cap.max_tasks))

    def add(self, t: TaskReq) -> None:
        self.tasks.append(t)
        self.cpu += t.cpu
        self.memory += t.memory
        self.awsvpc += int(t.awsvpc)


def pack(tasks: Sequence[TaskReq], cap: Capacity) -> list[Bin] | None:
    """First-fit decreasing by dominant share. None when some task does not fit an empty instance."""
    if cap.cpu <= 0 or cap.memory <= 0:
        return None if tasks else []
    empty = Bin()
    if any(not empty.fits(t, cap) for t in tasks):
        return None
    order = sorted(tasks, key=lambda t: (max(t.cpu / cap.cpu, t.memory / cap.memory), t.cpu, t.memory, t.service),
                   reverse=True)
    bins: list[Bin] = []
    # Bins only ever get fuller: a bin that could not take a task of some shape cannot take the next one
    # of that shape either. Scanning each shape from where its last task went gives exactly first-fit's
    # placement, in linear time for a service of many equal tasks (5,000 tasks: 67 s -> well under 1 s).
    first_possible: dict[tuple[int, int, bool], int] = {}
    for t in order:
        shape = (t.cpu, t.memory, t.awsvpc)
        for i in range(first_possible.get(shape, 0), len(bins)):
            if bins[i].fits(t, cap):
                bins[i].add(t)
                first_possible[shape] = i
                break
        else:
            b = Bin()
            b.add(t)
            bins.append(b)
            first_possible[shape] = len(bins) - 1
    return bins


@dataclass
class Ec2Option:
    instance_type: str
    arch: str
    price_hour: float
    packed: int  # instances the tasks need
    instances: int  # with spare and AZ spread
    monthly_usd: float  # instances + root volumes
    cpu_util_pct: float  # task CPU / cluster CPU (all instances, installed)
    memory_util_pct: float
    bins: list[Bin] = field(default_factory=list, repr=False)

    def to_dict(self) -> dict[str, object]:
        return {"instance_type": self.instance_type, "arch": self.arch, "price_hour": self.price_hour,
                "packed": self.packed, "instances": self.instances, "monthly_usd": round(self.monthly_usd, 2),
                "cpu_util_pct": round(self.cpu_util_pct, 1), "memory_util_pct": round(self.memory_util_pct, 1),
                "tasks_per_instance": [len(b.tasks) for b in self.bins]}


def ec2_options(tasks: Sequence[TaskReq], specs: Sequence[InstanceSpec], prices: dict[str, float], *,
                utilisation_target: float, os_overhead_pct: float, reserved_mib: int, trunking: bool,
                spare: int, min_azs: int, hours: float, root_volume_month: float) -> list[Ec2Option]:
    """Every instance type that can hold the tasks, cheapest first."""
    out = []
    total_cpu = sum(t.cpu for t in tasks)
    total_mem = sum(t.memory for t in tasks)
    for spec in specs:
        price = prices.get(spec.instance_type)
        if price is None:
            continue
        cap = Capacity.of(spec, utilisation_target, os_overhead_pct, reserved_mib, trunking)
        bins = pack(tasks, cap)
        if bins is None:
            continue
        n = max(len(bins) + spare, min_azs) if tasks else 0
        monthly = n * (price * hours + root_volume_month)
        out.append(Ec2Option(spec.instance_type, spec.arch, price, len(bins), n, monthly,
                             100 * total_cpu / (n * spec.vcpu * 1024) if n else 0.0,
                             100 * total_mem / (n * spec.memory_gib * 1024) if n else 0.0, bins))
    return sorted(out, key=lambda o: (o.monthly_usd, o.instance_type))
