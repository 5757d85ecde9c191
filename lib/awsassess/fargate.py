"""Valid Fargate task sizes, the cheapest one that fits a need, and right-sizing a task from its p95.

Valid Linux sizes (Amazon ECS Developer Guide, "Task CPU and memory"): 0.25 vCPU with 0.5/1/2 GB;
0.5 vCPU 1-4 GB; 1 vCPU 2-8 GB; 2 vCPU 4-16 GB; 4 vCPU 8-30 GB (1 GB steps); 8 vCPU 16-60 GB (4 GB
steps) and 16 vCPU 32-120 GB (8 GB steps) on platform 1.4.0+.

Right-sizing: the task needs ``current x p95 / target`` of each resource (p95 at most ``target`` of
the new size). On Fargate the need is rounded up to the cheapest valid size; on EC2 any size is
allowed, so the need is rounded up to 128 CPU units / 128 MiB (:func:`ec2_size`).

Shared by the findings rules (:func:`smallest_for_p95`, :func:`label`) and the cost model
(:func:`rightsize`); it imports nothing from either, so both can use it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# (cpu units, memory MiB) of every valid size
FARGATE_SIZES: tuple[tuple[int, int], ...] = tuple(
    [(256, m) for m in (512, 1024, 2048)]
    + [(512, m) for m in range(1024, 4096 + 1, 1024)]
    + [(1024, m) for m in range(2048, 8192 + 1, 1024)]
    + [(2048, m) for m in range(4096, 16384 + 1, 1024)]
    + [(4096, m) for m in range(8192, 30720 + 1, 1024)]
    + [(8192, m) for m in range(16384, 61440 + 1, 4096)]
    + [(16384, m) for m in range(32768, 122880 + 1, 8192)]
)
_VALID = frozenset(FARGATE_SIZES)

# us-east-1 x86 list prices of one vCPU-hour and one GB-hour. Defaults used only to ORDER sizes
# ("smallest" = cheapest) when no catalog price is given; pricing is the model's job.
VCPU_HOUR_USD = 0.04048
GB_HOUR_USD = 0.004445

EC2_CPU_STEP = 128
EC2_MEMORY_STEP = 128
EC2_MIN_CPU = 128
EC2_MIN_MEMORY = 256


def size_weight(cpu: float, memory: float, vcpu_price: float = VCPU_HOUR_USD,
                gb_price: float = GB_HOUR_USD) -> float:
    """Hourly price of a size at the given prices (the order of sizes, not a cost estimate)."""
    return cpu / 1024 * vcpu_price + memory / 1024 * gb_price


def is_valid(cpu: int, memory: int) -> bool:
    return (int(cpu), int(memory)) in _VALID


def smallest_fitting(cpu_needed: float, memory_needed: float, vcpu_price: float = VCPU_HOUR_USD,
                     gb_price: float = GB_HOUR_USD) -> tuple[int, int] | None:
    """The cheapest valid size with at least the needed CPU units and MiB (None if none is large enough)."""
    fits = [(c, m) for c, m in FARGATE_SIZES if c >= cpu_needed - 1e-9 and m >= memory_needed - 1e-9]
    if not fits:
        return None
    return min(fits, key=lambda s: (size_weight(s[0], s[1], vcpu_price, gb_price), s))


def needs(cpu: int, memory: int, cpu_p95: float | None, mem_p95: float | None, cpu_target_pct: float,
          memory_target_pct: float) -> tuple[float, float]:
    """CPU units and MiB needed so p95 sits at the targets; an unmeasured resource keeps its size."""
    cpu_need = cpu * cpu_p95 / cpu_target_pct if cpu_p95 is not None else float(cpu)
    mem_need = memory * mem_p95 / memory_target_pct if mem_p95 is not None else float(memory)
    return cpu_need, mem_need


def smallest_for_p95(cpu: int, memory: int, cpu_p95_pct: float, mem_p95_pct: float,
                     target_pct: float) -> tuple[int, int] | None:
    """Smallest valid size that keeps the observed p95 CPU and memory under ``target_pct``.

    The needs are rounded up to whole CPU units and MiB first (the findings rules' sizing).
    """
    need_cpu, need_mem = needs(cpu, memory, cpu_p95_pct, mem_p95_pct, target_pct, target_pct)
    return smallest_fitting(math.ceil(need_cpu), math.ceil(need_mem))


def label(cpu: float, memory: float) -> str:
    return f"{cpu / 1024:g} vCPU / {memory / 1024:g} GB"


def ec2_size(cpu_needed: float, memory_needed: float) -> tuple[int, int]:
    cpu = max(EC2_MIN_CPU, math.ceil(cpu_needed / EC2_CPU_STEP - 1e-9) * EC2_CPU_STEP)
    mem = max(EC2_MIN_MEMORY, math.ceil(memory_needed / EC2_MEMORY_STEP - 1e-9) * EC2_MEMORY_STEP)
    return int(cpu), int(mem)


@dataclass(frozen=True)
class RightSize:
    """Current and right-sized task size of one service, and why."""

    service: str
    current_cpu: int
    current_memory: int
    cpu_p95_pct: float | None
    memory_p95_pct: float | None
    cpu_needed: float  # CPU units
    memory_needed: float  # MiB
    fargate_cpu: int
    fargate_memory: int
    ec2_cpu: int
    ec2_memory: int
    reason: str

    @property
    def changed(self) -> bool:
        return (self.fargate_cpu, self.fargate_memory) != (self.current_cpu, self.current_memory)


def rightsize(service: str, cpu: int, memory: int, cpu_p95: float | None, mem_p95: float | None,
              cpu_target_pct: float, memory_target_pct: float, starved_pct: float = 90.0,
              vcpu_price: float = VCPU_HOUR_USD, gb_price: float = GB_HOUR_USD) -> RightSize:
    """The cost model's right-size of one service: Fargate and EC2 sizes and the reasoning."""
    cpu_need, mem_need = needs(cpu, memory, cpu_p95, mem_p95, cpu_target_pct, memory_target_pct)
    reasons = []
    if cpu_p95 is None and mem_p95 is None:
        reasons.append("no utilisation metrics: size kept")
    else:
        if cpu_p95 is not None:
            reasons.append(f"p95 CPU {cpu_p95:.0f}% of {cpu} units -> needs {cpu_need:.0f} at {cpu_target_pct:g}%")
            if cpu_p95 >= starved_pct:
                reasons.append("CPU-starved (p95 at the ceiling): sized up")
        if mem_p95 is not None:
            reasons.append(f"p95 memory {mem_p95:.0f}% of {memory} MiB -> needs {mem_need:.0f} at "
                           f"{memory_target_pct:g}%")
    valid = smallest_fitting(cpu_need, mem_need, vcpu_price, gb_price)
    if valid is None:  # larger than any Fargate size: keep the largest valid with enough memory if any
        valid = (int(cpu), int(memory)) if is_valid(cpu, memory) else FARGATE_SIZES[-1]
        reasons.append("need exceeds the largest Fargate size")
    ec2_cpu, ec2_mem = ec2_size(cpu_need, mem_need)
    return RightSize(service, int(cpu), int(memory), cpu_p95, mem_p95, cpu_need, mem_need, valid[0], valid[1],
                     ec2_cpu, ec2_mem, "; ".join(reasons))
